// Document exchange and meetings in the demo city, in a browser: the city government office's clerk
// drafts a document through the compose form and sends it for sign-off, the office's leader signs
// it off from his task, the clerk distributes it to three departments; two sign for it from their
// inbox and one returns it with a reason, and the sender sees that in the receipt matrix. Then a
// meeting notice gets registrations from two units. Axe (WCAG 2.1 A/AA) runs on every page on the
// way, no page scrolls sideways, and the pages keep within their Content Security Policy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, htmxSettled, openBrowser } from './browser.ts';
import { createTestContext, type TestContext } from '../helpers.ts';
import { seedDemo } from '../../src/platform/demo/seed.ts';

const PASSWORD = 'Yunchuan-Demo-1';
const TITLE = '云川市人民政府办公室关于做好二〇二七年元旦春节期间值班值守工作的通知';
const NUMBER = '云政办发〔2026〕31号';
const HRSS = '云川市人力资源和社会保障局';
const MARKET = '云川市市场监督管理局';
const FINANCE = '云川市财政局';
const RETURN_REASON = '本局不是该事项的承办单位，请核实主送机关';
const MEETING = '全市电子公文交换系统应用推进会';

describe('document exchange and meetings in the demo city', { skip: chromiumMissing }, () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  const pageErrors: string[] = [];
  let documentId = '';
  let meetingId = '';

  before(async () => {
    ctx = await createTestContext({ env: { ZT_DEMO_PASSWORD: PASSWORD, ZT_DEMO_CASES: '0' } });
    await seedDemo(ctx.platform);
    ({ base, browser } = await openBrowser(ctx));
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
    assert.deepEqual(pageErrors, [], 'pages must not break their own Content Security Policy');
  });

  /** A fresh browser context signed in as one of the demo's people. */
  async function signedIn(username: string, width = 1366): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
    await page.goto(`${base}/console/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/console/login'));
    return { context, page };
  }

  /** Axe, no sideways scroll, and no English word or raw message key in the page's text. */
  async function checkPage(page: Page, label: string) {
    await assertAccessible(page, label, 'exchange');
    await assertNoSidewaysScroll(page, label);
    const text = (await page.locator('body').innerText()).replace(/\S+@\S+|https?:\/\/\S+|\bPDF\b|\bExcel\b|\bSM[234]\b|\bID\b|\bEnglish\b/g, '');
    assert.doesNotMatch(text, /\b(page|exchange|meetings|ui|audit)\.[a-z]+\.[\w.]+/, `${label}: a raw message key`);
    assert.doesNotMatch(text, /\b[A-Za-z]?[a-z]{3,}\b/, `${label}: an English word on a Chinese page`);
  }

  /** The page checks at the desktop's width and, for the pages named so, at a phone's 390 px too. */
  async function checkBoth(page: Page, label: string) {
    await checkPage(page, `${label} at 1366 px`);
    await page.setViewportSize({ width: 390, height: 900 });
    await checkPage(page, `${label} at 390 px`);
    await page.setViewportSize({ width: 1366, height: 900 });
  }

  test('a document is drafted, signed off, sent to three units; two sign for it, one returns it; the sender sees it', async () => {
    // 郑丽娟 drafts the document through the compose form and saves it.
    const clerk = await signedIn('doc_clerk');
    const page = clerk.page;
    await page.goto(`${base}/console/exchange/documents/new`);
    await checkBoth(page, 'compose');
    await page.locator('#compose-title').fill(TITLE);
    await page.locator('#compose-docNumber').fill(NUMBER);
    await page.locator('#compose-mainRecipients').selectOption([{ label: HRSS }, { label: MARKET }, { label: FINANCE }]);
    await page.locator('#compose-body').fill('各县（市、区）人民政府，市直各部门：\n为做好节日期间值班值守工作，现将有关事项通知如下。\n一、严格落实领导带班和值班人员在岗制度。');
    await page.locator('#compose-writtenDate').fill('2026-12-07');
    await htmxSettled(page);
    assert.match(await page.locator('#doc-checks').innerText(), /要素/);
    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.waitForURL(/\/console\/exchange\/documents\/[^/]+\/edit$/);
    documentId = /\/documents\/([^/]+)\/edit$/.exec(page.url())![1];
    await checkPage(page, 'edit page');

    // 送签 on the edit page hands it to the office's leader.
    await page.getByRole('button', { name: '送签' }).click();
    await page.waitForURL(new RegExp(`/console/exchange/documents/${documentId}$`));
    await checkPage(page, 'document in sign-off');

    // 陈卫东 finds the task on his console's home page (待签发公文), picks the document from the
    // unit's documents in sign-off and signs it off on the document's page.
    const leader = await signedIn('office_leader');
    await leader.page.goto(`${base}/console`);
    await checkPage(leader.page, 'leader console home');
    const waiting = leader.page.getByRole('link', { name: /待签发公文/ });
    assert.match(await waiting.innerText(), /[1-9]/);
    await waiting.click();
    await leader.page.waitForURL(/\/console\/exchange\/documents\?state=in_signoff$/);
    await checkPage(leader.page, 'documents in sign-off');
    await leader.page.getByRole('link', { name: TITLE }).first().click();
    await leader.page.waitForURL(new RegExp(`/console/exchange/documents/${documentId}$`));
    await checkPage(leader.page, 'document for the leader');
    await leader.page.locator('#signoff-opinion').fill('同意印发。');
    await leader.page.getByRole('button', { name: '同意' }).click();
    await leader.page.waitForURL(new RegExp(`/console/exchange/documents/${documentId}$`));
    const history = await leader.page.locator('#signoff').innerText();
    assert.match(history, /同意印发/);
    assert.match(history, /郑丽娟/, 'the sign-off names the people, not their accounts');
    assert.match(history, /陈卫东/);
    await leader.context.close();

    // 郑丽娟 distributes it: the send page has the main recipients already.
    await page.goto(`${base}/console/exchange/documents/${documentId}`);
    await checkPage(page, 'signed-off document');
    await page.getByRole('link', { name: '分发' }).click();
    await page.waitForURL(/\/send$/);
    await checkBoth(page, 'send page');
    const fixed = await page.locator('section[aria-labelledby="send-fixed"]').innerText();
    for (const unit of [HRSS, MARKET, FINANCE]) assert.match(fixed, new RegExp(unit));
    await page.locator('form[method="post"]').getByRole('button', { name: '分发' }).click();
    await page.waitForURL(new RegExp(`/console/exchange/documents/${documentId}$`));

    // Two clerks sign for it from their inbox; the third returns it with a reason.
    for (const username of ['hrss_clerk', 'market_clerk', 'finance_clerk']) {
      const recipient = await signedIn(username);
      await recipient.page.goto(`${base}/console/exchange/inbox`);
      if (username === 'hrss_clerk') await checkBoth(recipient.page, 'inbox');
      else await checkPage(recipient.page, `inbox of ${username}`);
      const row = recipient.page.locator('#inbox tr', { hasText: TITLE });
      if (username === 'finance_clerk') {
        await row.locator('summary', { hasText: '退回' }).click();
        await row.getByLabel('退回原因').fill(RETURN_REASON);
        await checkPage(recipient.page, `inbox of ${username} with the return form open`);
        await row.getByRole('button', { name: '确认退回' }).click();
      } else {
        await row.getByRole('button', { name: '签收' }).click();
      }
      await recipient.page.waitForURL(/\/console\/exchange\/inbox/);
      await checkPage(recipient.page, `inbox of ${username} after`);
      assert.match(await recipient.page.locator('#inbox tr', { hasText: TITLE }).innerText(), username === 'finance_clerk' ? /已退回/ : /已签收/);
      await recipient.context.close();
    }

    // The sender sees two signed for it and one returned it, with the reason.
    await page.goto(`${base}/console/exchange/documents/${documentId}`);
    await checkBoth(page, 'document with receipts');
    const matrix = page.locator('#receipts');
    assert.match(await matrix.locator('tr', { hasText: HRSS }).innerText(), /已签收/);
    assert.match(await matrix.locator('tr', { hasText: MARKET }).innerText(), /已签收/);
    const returned = await matrix.locator('tr', { hasText: FINANCE }).innerText();
    assert.match(returned, /已退回/);
    assert.ok(returned.includes(RETURN_REASON), returned);
    assert.match(await page.locator('section[aria-labelledby="receipts-heading"]').innerText(), /共 3 个单位：已签收 2 个，未签收 0 个，退回 1 个/);

    // The PDF behind 下载PDF, with the session.
    const href = await page.getByRole('link', { name: /下载\s*PDF/ }).first().getAttribute('href');
    assert.ok(href);
    const pdf = await clerk.context.request.get(new URL(href, base).toString());
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
    await clerk.context.close();
  });

  test('a meeting notice is sent to two units, which register their attendees; the organiser sees them', async () => {
    const organiser = await signedIn('doc_clerk');
    const page = organiser.page;
    await page.goto(`${base}/console/meetings`);
    await checkPage(page, 'meetings list');
    await page.goto(`${base}/console/meetings/new`);
    await checkPage(page, 'meeting compose at 1366 px');
    const local = (days: number, hour: number) => {
      const d = new Date(ctx.platform.clock.now().getTime() + days * 86_400_000 + 8 * 3_600_000);
      return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00`;
    };
    await page.getByLabel('会议名称').fill(MEETING);
    await page.getByLabel('开始时间').fill(local(10, 9));
    await page.getByLabel('会议地点').fill('市政府第一会议室');
    await page.getByLabel('会议议程').fill('一、通报全市政务服务工作情况；二、部署下一阶段重点任务。');
    await page.getByLabel('报名截止时间').fill(local(7, 17));
    await page.getByLabel('每单位参会人数上限').fill('2');
    await page.getByRole('checkbox', { name: HRSS }).check();
    await page.getByRole('checkbox', { name: MARKET }).check();
    await page.getByRole('checkbox', { name: FINANCE }).check();
    await page.getByRole('button', { name: '保存会议通知' }).click();
    await page.waitForURL(/\/console\/meetings\/[^/]+$/);
    meetingId = /\/meetings\/([^/]+)$/.exec(page.url())![1];
    await checkPage(page, 'meeting draft');
    await page.getByRole('button', { name: '发送会议通知' }).click();
    await page.waitForURL(new RegExp(`/console/meetings/${meetingId}$`));
    await checkPage(page, 'meeting sent');

    const register = async (username: string, attendees: Array<[string, string, string]>, width: number) => {
      const unit = await signedIn(username, width);
      await unit.page.goto(`${base}/console/meetings`);
      await checkPage(unit.page, `meetings list of ${username} at ${width} px`);
      await unit.page.getByRole('link', { name: MEETING, exact: true }).click();
      await unit.page.waitForURL(new RegExp(`/console/meetings/${meetingId}$`));
      await checkPage(unit.page, `meeting for ${username} at ${width} px`);
      await unit.page.getByRole('link', { name: '报名参会' }).first().click();
      await unit.page.waitForURL(/\/register$/);
      await checkPage(unit.page, `registration form at ${width} px`);
      for (const [i, [name, position, phone]] of attendees.entries()) {
        await unit.page.locator(`#register-name-${i}`).fill(name);
        await unit.page.locator(`#register-position-${i}`).fill(position);
        await unit.page.locator(`#register-phone-${i}`).fill(phone);
      }
      await unit.page.getByRole('button', { name: '提交', exact: true }).click();
      await unit.page.waitForURL(new RegExp(`/console/meetings/${meetingId}$`));
      await checkPage(unit.page, `meeting registered by ${username} at ${width} px`);
      for (const [name] of attendees) assert.match(await unit.page.locator('main').innerText(), new RegExp(name));
      await unit.context.close();
    };
    await register(
      'hrss_clerk',
      [
        ['孟雪', '办公室主任', '13900001111'],
        ['周建国', '副局长', '13900002222'],
      ],
      1366,
    );
    await register('market_clerk', [['罗佳', '办公室科员', '13900003333']], 390);

    await page.reload();
    await checkPage(page, 'meeting with registrations');
    const answers = page.locator('#answers');
    const hrss = await answers.locator('tr', { hasText: HRSS }).innerText();
    assert.match(hrss, /孟雪/);
    assert.match(hrss, /周建国/);
    assert.match(await answers.locator('tr', { hasText: MARKET }).innerText(), /罗佳/);
    assert.match(await page.locator('main').innerText(), /已报名 2/);
    await organiser.context.close();
  });
});
