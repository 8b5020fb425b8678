// Browser test of the citizen's own area: 我的办件 (the list, a decided case with its documents,
// history and rating form) and the rating page of the SMS link, at 1366 px and at 390 px, with
// axe's WCAG checks and no sideways scrolling.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible, chromiumMissing, openBrowser } from './browser.ts';
import { bearer, createTestContext, makeUnit, makeUser, seedRegions, type TestContext, type TestUser } from '../helpers.ts';
import { sql } from '../../src/platform/db/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../src/platform/db/work.ts';
import { createApiToken, createPublicAccount } from '../../src/platform/iam/index.ts';
import { idCheckChar } from '../../src/platform/org/codes.ts';
import { fileBody, SAMPLES } from '../../src/platform/files/testing.ts';
import { createItem } from '../../src/modules/approval/commands/create-item.ts';
import { publishItem } from '../../src/modules/approval/commands/publish-item.ts';

const WIDTHS = [1366, 390] as const;

describe('我的办件 and rating in the browser', { skip: chromiumMissing }, () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  let citizen: TestUser;
  let staff: Record<'clerk' | 'leader', TestUser>;
  let itemId: string;
  const pageErrors: string[] = [];

  const api = (user: TestUser, url: string, payload?: unknown) =>
    ctx.app.inject({ method: payload === undefined ? 'GET' : 'POST', url, headers: bearer(user), ...(payload === undefined ? {} : { payload: payload as object }) });

  let people = 0;
  function idNumber() {
    people += 1;
    const first17 = `11010519900101${String(people).padStart(3, '0')}`;
    return first17 + idCheckChar(first17);
  }

  /** A decided case of the citizen: applied online, accepted and granted by the staff. */
  async function decidedCase() {
    const body = fileBody('申请表.pdf', SAMPLES.pdf());
    const file = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', payload: body.payload, headers: { ...body.headers, ...bearer(citizen) } });
    const res = await api(citizen, '/api/v1/approval/applications', {
      itemId,
      channel: 'online',
      applicant: { kind: 'person', name: '陈晓华', idNumber: idNumber(), phone: '13912345678' },
      form: {},
      materials: [{ materialKey: 'application_form', fileId: file.json().id }],
    });
    assert.equal(res.statusCode, 201, res.body);
    const { id, receiptNo } = res.json() as { id: string; receiptNo: string };
    for (const [user, step, action] of [[staff.clerk, 'accept', 'accept'], [staff.leader, 'decide', 'approve']] as const) {
      const tasks = (await api(user, '/api/v1/tasks?mine=true&limit=200')).json().items as Array<{ id: string; caseId: string; stepKey: string }>;
      const task = tasks.find((t) => t.caseId === id && t.stepKey === step)!;
      const done = await api(user, `/api/v1/tasks/${task.id}/complete`, { action, opinion: '同意' });
      assert.equal(done.statusCode, 200, done.body);
    }
    return { id, receiptNo };
  }

  before(async () => {
    ctx = await createTestContext();
    await seedRegions(ctx.platform);
    const window = await makeUnit(ctx.platform, '测试市政务服务中心', '990100', 'service_center');
    staff = {
      clerk: await makeUser(ctx.platform, window.id, ['window_clerk']),
      leader: await makeUser(ctx.platform, window.id, ['unit_leader']),
    };
    const row = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createPublicAccount(work, ctx.platform, { kind: 'person', phone: '13912345678', password: 'Citizen#2026', name: '陈晓华' }));
    const { token } = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createApiToken(work, ctx.platform, row.id, 'test', 30));
    citizen = { id: row.id, username: row.username, password: 'Citizen#2026', unitId: '', token };
    const item = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
      const draft = await createItem(work, ctx.platform, null, {
        name: '个体工商户名称变更登记',
        kind: 'licensing',
        unitId: window.id,
        legalBasis: '《促进个体工商户发展条例》第十一条',
        conditions: '已登记的个体工商户',
        materials: [{ key: 'application_form', name: '变更登记申请书', required: true, copies: 1, allowPending: false }],
        statutoryDays: 15,
        promisedDays: 3,
        fee: { charged: false },
        resultName: '个体工商户营业执照',
        maxVisits: 0,
        consultPhone: '0999-12345678',
        complaintPhone: '12345',
        formFields: [],
        themes: [],
        lifeEvents: ['开办企业'],
        process: {
          stages: [
            { key: 'accept', name: '受理', unitId: window.id, role: 'window_clerk', days: 1 },
            { key: 'decide', name: '决定', unitId: window.id, role: 'unit_leader', days: 2 },
          ],
        },
      });
      return publishItem(work, ctx.platform, null, draft.id);
    });
    itemId = item.id;
    ({ base, browser } = await openBrowser(ctx));
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
    assert.deepEqual(pageErrors, [], 'pages run without script errors or CSP refusals');
  });

  /** A browser signed in as the citizen (the session cookie of an API sign-in), at a width. */
  async function citizenPage(width: number): Promise<Page> {
    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: citizen.username, password: citizen.password } });
    assert.equal(login.statusCode, 200, login.body);
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
    await context.addCookies(login.cookies.map((c) => ({ name: c.name, value: c.value, url: base })));
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) pageErrors.push(`${page.url()}: ${message.text()}`);
    });
    return page;
  }

  async function noSidewaysScroll(page: Page, label: string) {
    const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    assert.ok(scroll <= inner, `${label}: the page is ${scroll} px wide in a ${inner} px window`);
  }

  for (const width of WIDTHS) {
    test(`我的办件 and a decided case's rating form at ${width} px`, async () => {
      const decided = await decidedCase();
      const page = await citizenPage(width);
      await page.goto(`${base}/services/mine`);
      assert.match((await page.locator('h1').textContent()) ?? '', /我的办件/);
      await assertAccessible(page, `my cases ${width}`, 'mine');
      await noSidewaysScroll(page, `my cases at ${width} px`);
      await page.getByRole('navigation', { name: '我的' }).getByRole('link', { name: '我的证照' }).waitFor();

      // The decided case waits for its rating: the list leads straight to the form.
      await page.locator('#mine tr', { hasText: decided.receiptNo }).getByRole('link', { name: '去评价' }).click();
      await page.waitForURL(new RegExp(`/services/mine/${decided.id}#rating$`));
      await assertAccessible(page, `decided case ${width}`, 'mine');
      await noSidewaysScroll(page, `a decided case at ${width} px`);
      assert.equal(await page.locator(`a[href="/api/v1/approval/applications/${decided.id}/certificate.pdf"]`).count(), 1, 'the certificate PDF is linked');
      assert.equal(await page.locator(`a[href="/api/v1/approval/applications/${decided.id}/notices/acceptance.pdf"]`).count(), 1, 'the acceptance notice PDF is linked');
      assert.match((await page.locator('#case-timeline').locator('..').textContent()) ?? '', /准予许可，出具证照/);

      // A bad rating without reasons is refused with the message at the field, then sent with them.
      await page.getByLabel('不满意', { exact: true }).check();
      await page.getByRole('button', { name: '提交评价' }).click();
      await page.locator('.error-summary').waitFor();
      assert.match((await page.locator('.error-summary').textContent()) ?? '', /请写明原因/);
      await assertAccessible(page, `rating refused ${width}`, 'mine');
      await noSidewaysScroll(page, `the refused rating at ${width} px`);
      await page.getByLabel('评价意见').fill('材料清单与窗口要求不一致');
      await page.getByRole('button', { name: '提交评价' }).click();
      await page.getByRole('status').filter({ hasText: '评价已提交' }).waitFor();
      assert.match((await page.locator('#rating').textContent()) ?? '', /您的评价：不满意/);
      await assertAccessible(page, `rated ${width}`, 'mine');

      // The rest of the area, from its navigation: certificates, ratings, complaints.
      for (const [link, heading] of [['我的证照', '我的证照'], ['我的评价', '我的评价'], ['我的投诉', '我的投诉']] as const) {
        await page.getByRole('navigation', { name: '我的' }).getByRole('link', { name: link }).click();
        await page.waitForURL(/\/services\/mine\/(certificates|ratings|complaints)$/);
        assert.match((await page.locator('h1').textContent()) ?? '', new RegExp(heading));
        await assertAccessible(page, `${link} ${width}`, 'mine');
        await noSidewaysScroll(page, `${link} at ${width} px`);
      }
      assert.match((await page.locator('main').textContent()) ?? '', /投诉办事效率/);
      await page.context().close();
    });

    test(`the rating page of the SMS link, without sign-in, at ${width} px`, async () => {
      const decided = await decidedCase();
      const { rows } = await sql<{ params: { url: string } }>`select params from notify_outbox where dedupe_key = ${`approval:${decided.id}:rate:sms`}`.execute(ctx.platform.db);
      const path = new URL(rows[0].params.url).pathname;
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${base}${path}`);
      assert.match((await page.locator('main').textContent()) ?? '', new RegExp(decided.receiptNo));
      await assertAccessible(page, `rating link ${width}`, 'mine');
      await noSidewaysScroll(page, `the rating link at ${width} px`);
      await page.getByLabel('非常满意', { exact: true }).check();
      await page.getByRole('button', { name: '提交评价' }).click();
      await page.locator('.notice-success').waitFor();
      assert.match((await page.locator('.notice-success').textContent()) ?? '', /感谢您的评价/);
      await assertAccessible(page, `rating link done ${width}`, 'mine');
      await page.goto(`${base}${path}`);
      assert.match((await page.locator('main').textContent()) ?? '', /评价链接不可用/);
      await context.close();
    });
  }
});
