// The citizen's whole journey in the demo city, at a desktop's width and a phone's: from the home
// page a visitor registers with the SMS code, finds an item with the search box, applies, downloads
// the acceptance notice; after the staff's decision downloads the certificate PDF, whose QR code
// (read from the rendered page, as a phone reads it) opens a page that says it is genuine. Axe
// (WCAG 2.1 A/AA) runs on every page on the way, and no page scrolls sideways.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, openBrowser } from './browser.ts';
import { bearer, createTestContext, makeUser, sentSmsCode, type TestContext, type TestUser } from '../helpers.ts';
import { readQrCodes } from '../pdf-qr.ts';
import { seedDemo } from '../../src/platform/demo/seed.ts';
import { idCheckChar } from '../../src/platform/org/codes.ts';
import { SAMPLES } from '../../src/platform/files/testing.ts';
import type { Role } from '../../src/platform/iam/roles.ts';

const ITEM = '食品经营许可证核发';

describe('the citizen journey in the demo city', { skip: chromiumMissing }, () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  const pageErrors: string[] = [];
  /** Staff for each step of the item's process, by unit and role. */
  const staff = new Map<string, TestUser>();

  before(async () => {
    ctx = await createTestContext({ env: { ZT_DEMO_PASSWORD: 'Yunchuan-Demo-1', ZT_DEMO_CASES: '0' } });
    await seedDemo(ctx.platform);
    ({ base, browser } = await openBrowser(ctx));
    // The QR code carries the configured public address; the test server listens elsewhere.
    (ctx.platform.config as { publicUrl: string }).publicUrl = base;
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
    assert.deepEqual(pageErrors, [], 'pages must not break their own Content Security Policy');
  });

  async function checkPage(page: Page, label: string) {
    await assertAccessible(page, label, 'journey');
    await assertNoSidewaysScroll(page, label);
  }

  async function staffFor(unitId: string, role: Role): Promise<TestUser> {
    const key = `${unitId}:${role}`;
    if (!staff.has(key)) staff.set(key, await makeUser(ctx.platform, unitId, [role]));
    return staff.get(key)!;
  }

  /** A document linked from the case page, fetched with the citizen's session. */
  async function download(context: BrowserContext, page: Page, name: RegExp): Promise<Buffer> {
    const href = await page.getByRole('link', { name }).first().getAttribute('href');
    assert.ok(href, `a link named ${name}`);
    const res = await context.request.get(new URL(href, base).toString());
    assert.equal(res.status(), 200, `${href}: ${res.status()}`);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    const bytes = await res.body();
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    return bytes;
  }

  for (const [width, phone, seq] of [
    [1366, '13900139001', '201'],
    [390, '13900139002', '202'],
  ] as const) {
    test(`register, search, apply, notice, certificate, verification (${width} px)`, async () => {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(`${page.url()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
      const label = (name: string) => `${name} at ${width} px`;

      // The home page names the city; 登录 leads to the public sign-in, and from there to registering.
      await page.goto(`${base}/`);
      assert.match(await page.title(), /云川市/);
      await checkPage(page, label('home'));
      await page.locator('.utility-bar').getByRole('link', { name: '登录' }).click();
      await page.waitForURL(/\/login$/);
      await page.locator('.login-links').getByRole('link', { name: '注册账号' }).click();
      await page.waitForURL(/\/register/);
      await checkPage(page, label('register'));
      const first17 = `53010219900101${seq}`;
      const idNumber = first17 + idCheckChar(first17);
      await page.locator('#register-name').fill('李明');
      await page.locator('#register-idNumber').fill(idNumber);
      await page.locator('#register-phone').fill(phone);
      await page.getByRole('button', { name: '获取验证码' }).click();
      await page.getByText('验证码已发送').waitFor();
      await page.locator('#register-smsCode').fill(await sentSmsCode(ctx, phone));
      await page.locator('#register-password').fill('Citizen#2026');
      await page.locator('#register-password2').fill('Citizen#2026');
      await page.getByRole('button', { name: '注册并登录' }).click();
      await page.waitForURL(/\/account$/);

      // The search box of the home page finds the item; its guide leads to the application form.
      await page.goto(`${base}/`);
      // The service hall's box (the platform's home, or the portal's main site at / with its own site search beside it).
      const hallSearch = page.locator('#home-q, #service-hall-q');
      await hallSearch.fill('食品经营');
      await hallSearch.press('Enter');
      await page.waitForURL(/\/services\?q=/);
      await checkPage(page, label('search results'));
      await page.getByRole('link', { name: ITEM }).first().click();
      await page.waitForURL(/\/services\/items\/[^/?]+$/);
      const itemId = /\/services\/items\/([^/?]+)$/.exec(page.url())![1];
      await checkPage(page, label('guide'));
      await page.getByRole('link', { name: '在线申请' }).first().click();
      await page.waitForURL(/\/apply$/);
      await checkPage(page, label('application form'));
      await page.getByLabel('申请人名称').fill('李明');
      await page.getByLabel('身份证号码').fill(idNumber);
      await page.getByLabel('联系电话').fill(phone);
      for (const input of await page.locator('input[type="file"]').all()) await input.setInputFiles({ name: '材料.pdf', mimeType: 'application/pdf', buffer: SAMPLES.pdf() });
      await page.getByRole('button', { name: '提交申请' }).click();
      await page.waitForURL(/\/services\/mine\/[^/]+$/);
      const caseId = /\/services\/mine\/([^/?]+)$/.exec(page.url())![1];
      await checkPage(page, label('case page'));

      // The window accepts: the case page offers the acceptance notice as a PDF.
      await completeStages(caseId, itemId, (n) => n === 0);
      await page.reload();
      const notice = await download(context, page, /受理通知书（PDF 文件）/);
      assert.ok(notice.byteLength < 300 * 1024);

      // The departments and the leader decide; the certificate is there to download.
      await completeStages(caseId, itemId, (n) => n > 0);
      await page.reload();
      await checkPage(page, label('approved case'));
      const certificate = await download(context, page, /许可证（批准文书）（PDF 文件）/);
      assert.ok(certificate.byteLength < 300 * 1024, `certificate of ${certificate.byteLength} bytes`);
      const again = await download(context, page, /许可证（批准文书）（PDF 文件）/);
      assert.ok(again.equals(certificate), 'what is downloaded later is byte for byte what was issued');

      // The QR code, read from the drawn page, opens the verification page: genuine.
      const [qr] = await readQrCodes(certificate);
      assert.ok(qr?.startsWith(`${base}/services/certificates/`), `QR code says ${qr}`);
      await page.goto(qr!);
      assert.match((await page.locator('main').textContent()) ?? '', /核验通过：证照真实有效/);
      await checkPage(page, label('verification'));
      await context.close();
    });
  }

  /** The staff of the stages `which` picks do their part through the API: accept, then approve. */
  async function completeStages(caseId: string, itemId: string, which: (stage: number) => boolean) {
    const item = (await ctx.app.inject({ method: 'GET', url: `/api/v1/approval/items/${itemId}` })).json() as {
      process: { stages: Array<{ key: string; unitId: string; role: Role } | { parallel: Array<{ key: string; unitId: string; role: Role }> }> };
    };
    for (const [n, stage] of item.process.stages.entries()) {
      if (!which(n)) continue;
      for (const step of 'parallel' in stage ? stage.parallel : [stage]) {
        const user = await staffFor(step.unitId, step.role);
        const tasks = (await ctx.app.inject({ method: 'GET', url: '/api/v1/tasks?mine=true&limit=200', headers: bearer(user) })).json().items as Array<{ id: string; caseId: string; stepKey: string }>;
        const task = tasks.find((t) => t.caseId === caseId && t.stepKey === step.key);
        assert.ok(task, `the ${step.key} task reaches ${user.username}`);
        const res = await ctx.app.inject({
          method: 'POST',
          url: `/api/v1/tasks/${task.id}/complete`,
          headers: bearer(user),
          payload: { action: n === 0 ? 'accept' : 'approve', opinion: n === 0 ? '材料齐全，予以受理' : '符合条件，同意' },
        });
        assert.equal(res.statusCode, 200, res.body);
      }
    }
  }
});
