// Browser test of two staff pages a person must be able to read: the audit log (actions in words,
// people by name, details laid out, a compact table: 50 records stay well under 13,000 px) and
// the supervision monitor with its chart, at 1366 px and at 390 px, with axe (WCAG 2.1 A/AA) and
// without sideways scrolling of the page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible, chromiumMissing, openBrowser } from './browser.ts';
import { createTestContext, loginSession, makeUnit, makeUser, seedRegions, TestClock, type TestContext } from '../helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../src/platform/db/work.ts';
import { enableTotpWithSecret } from '../../src/platform/iam/index.ts';
import { recordAudit } from '../../src/platform/audit/service.ts';
import type { ProcessDefinition } from '../../src/platform/flow/engine.ts';
import { insertItem, publicUser, shanghai, submitCase, type World } from '../../src/modules/supervision/testing.ts';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const WIDTHS = [1366, 390];

describe('the audit log and the monitor in the browser', { skip: chromiumMissing }, () => {
  const clock = new TestClock(shanghai('2026-11-03 10:00:00'));
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  const cookies: Record<'auditor' | 'supervisor', string> = { auditor: '', supervisor: '' };
  const pageErrors: string[] = [];

  before(async () => {
    ctx = await createTestContext({ clock });
    await seedRegions(ctx.platform);
    const window = await makeUnit(ctx.platform, '测试市政务服务中心', '990100', 'service_center');
    const planning = await makeUnit(ctx.platform, '测试市自然资源和规划局（不动产登记中心）', '990100');
    const office = await makeUnit(ctx.platform, '测试市电子监察室', '990100');
    const totp = () => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(SECRET), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: clock.now().getTime() });
    for (const [role, unitId] of [['auditor', office.id], ['supervisor', office.id]] as const) {
      const user = await makeUser(ctx.platform, unitId, [role]);
      await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => enableTotpWithSecret(work, ctx.platform, user.id, SECRET));
      cookies[role] = (await loginSession(ctx.app, user.username, user.password, totp())).cookie;
    }
    await makeUser(ctx.platform, window.id, ['window_clerk']);
    await makeUser(ctx.platform, planning.id, ['approver']);
    const process: ProcessDefinition = {
      stages: [
        { key: 'accept', name: '受理', unitId: window.id, role: 'window_clerk', days: 1 },
        { key: 'review', name: '审查', unitId: planning.id, role: 'approver', days: 3 },
      ],
    };
    const units = { window: window.id, planning: planning.id, other: office.id };
    const world = { units, process, citizen: await publicUser(ctx, 'citizen'), itemId: await insertItem(ctx, { units, process }) };
    for (let i = 0; i < 3; i++) await submitCase(ctx, world as unknown as World);
    // Fifty records with details, as a busy day leaves them.
    await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
      for (let i = 0; i < 50; i++) recordAudit(work, { action: 'approval.task.accept', objectType: 'approval_application', objectId: `case-${i}`, details: { state: 'accepted', reason: '材料齐全，符合法定形式，予以受理', count: i } });
    });
    ({ base, browser } = await openBrowser(ctx));
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
    assert.deepEqual(pageErrors, [], 'no script error and no breach of the Content Security Policy');
  });

  async function open(who: 'auditor' | 'supervisor', path: string, width: number): Promise<Page> {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
    const [name, value] = cookies[who].split('=');
    await context.addCookies([{ name, value, url: base }]);
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
    await page.goto(`${base}${path}`);
    return page;
  }

  const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

  for (const width of WIDTHS) {
    test(`the audit log at ${width} px: in words, compact, accessible`, async () => {
      const page = await open('auditor', '/console/audit', width);
      await page.locator('#audit').waitFor();
      assert.equal(await page.locator('#audit tbody tr').count(), 50);
      assert.equal(await page.locator('#audit tbody tr', { hasText: '受理' }).first().isVisible(), true);
      assert.equal(await page.locator('#audit .audit-details').first().isVisible(), true);
      const height = await page.locator('#audit table').evaluate((t) => t.getBoundingClientRect().height);
      assert.ok(height < (width > 1000 ? 6000 : 12_000), `50 records are ${height} px tall`);
      assert.ok(await noSidewaysScroll(page), 'the page itself does not scroll sideways (the table scrolls in its region)');
      await assertAccessible(page, `audit-${width}`);
      await page.context().close();
    });

    test(`the monitor at ${width} px: the chart is drawn and fits, accessible`, async () => {
      const page = await open('supervisor', '/console/supervision', width);
      const chart = page.locator('figure.chart img');
      await chart.waitFor();
      await page.waitForFunction(() => (document.querySelector('figure.chart img') as HTMLImageElement | null)?.complete === true);
      const size = await chart.evaluate((img: HTMLImageElement) => ({ natural: img.naturalWidth, shown: img.getBoundingClientRect().width }));
      assert.ok(size.natural > 0, 'the chart loaded');
      assert.ok(size.shown <= width, `the chart fits the screen (${size.shown} px)`);
      assert.ok(await noSidewaysScroll(page));
      await assertAccessible(page, `monitor-${width}`);
      await page.context().close();
    });
  }
});
