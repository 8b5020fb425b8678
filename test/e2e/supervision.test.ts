// Browser test of electronic supervision (电子监察): a supervisor (who must enrol TOTP) watches a
// case on the monitor as time passes; its review step goes yellow, then red; the unit explains
// through the console, the supervisor confirms, and the unit's statistics page shows the
// confirmed card. The wall clock is a TestClock moved between steps; the scan runs as the
// periodic job does. Axe (WCAG 2.1 A/AA) runs on the monitor, cards and statistics pages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, chromiumMissing, openBrowser } from './browser.ts';
import { createTestContext, makeUnit, makeUser, seedRegions, PASSWORD, TestClock, type TestContext, type TestUser } from '../helpers.ts';
import { SYSTEM_ACTOR } from '../../src/platform/db/work.ts';
import type { ProcessDefinition } from '../../src/platform/flow/engine.ts';
import { runScan } from '../../src/modules/supervision/scan.ts';
import { act, insertItem, publicUser, shanghai, submitCase, type World } from '../../src/modules/supervision/testing.ts';

describe('electronic supervision in the browser', { skip: chromiumMissing }, () => {
  // Accounts and API tokens are made at the latest instant the test reaches; each step then sets its own time.
  const clock = new TestClock(shanghai('2026-11-06 12:00:00'));
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  let staff: Record<'clerk' | 'planner' | 'planLeader' | 'supervisor', TestUser>;
  let world: Pick<World, 'units' | 'process' | 'citizen' | 'itemId'>;
  let totpSecret = '';
  const cspErrors: string[] = [];

  before(async () => {
    ctx = await createTestContext({ clock });
    await seedRegions(ctx.platform);
    const window = await makeUnit(ctx.platform, '测试市政务服务中心', '990100', 'service_center');
    const planning = await makeUnit(ctx.platform, '测试市自然资源和规划局', '990100');
    const office = await makeUnit(ctx.platform, '测试市电子监察室', '990100');
    staff = {
      clerk: await makeUser(ctx.platform, window.id, ['window_clerk'], { username: 'clerk.supervision' }),
      planner: await makeUser(ctx.platform, planning.id, ['approver'], { username: 'planner.supervision' }),
      planLeader: await makeUser(ctx.platform, planning.id, ['unit_leader'], { username: 'leader.supervision' }),
      supervisor: await makeUser(ctx.platform, office.id, ['supervisor'], { username: 'supervisor.supervision' }),
    };
    // Acceptance and review take 3 working days each: the review step is yellow once one working day remains.
    const process: ProcessDefinition = {
      stages: [
        { key: 'accept', name: '受理', unitId: window.id, role: 'window_clerk', days: 3 },
        { key: 'review', name: '审查', unitId: planning.id, role: 'approver', days: 3 },
      ],
    };
    const units = { window: window.id, planning: planning.id, other: office.id };
    world = { units, process, citizen: await publicUser(ctx, 'citizen'), itemId: await insertItem(ctx, { units, process }) };
    ({ base, browser } = await openBrowser(ctx));
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
    assert.deepEqual(cspErrors, [], 'pages must not break their own Content Security Policy');
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => cspErrors.push(`${page.url()}: ${error.message}`));
    return { context, page };
  }

  const code = () => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(totpSecret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: clock.now().getTime() });

  /** Signs in through the login page; the supervisor answers the one-time code once enrolled. */
  async function signIn(page: Page, user: TestUser, next: string) {
    await page.goto(`${base}/console/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('用户名').fill(user.username);
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    if (user === staff.supervisor && totpSecret) {
      // The one-time code is the second step: the password is not asked again.
      await page.getByLabel('动态验证码').waitFor();
      await page.getByLabel('动态验证码').fill(code());
      await page.getByRole('button', { name: '登录' }).click();
    }
  }

  /** Moves the wall clock and runs the deadline scan, as the periodic job does. */
  async function at(wall: string) {
    clock.set(shanghai(wall));
    return runScan(ctx.platform, SYSTEM_ACTOR);
  }

  const rowOf = (page: Page, table: string, text: string) => page.locator(`#${table} tbody tr`, { hasText: text });

  test('a supervisor sees a step go yellow then red; the unit explains, the supervisor confirms, the unit’s statistics change', async () => {
    // Monday 2 November 2026: a citizen applies online, the window accepts at once.
    clock.set(shanghai('2026-11-02 09:00:00'));
    const application = await submitCase(ctx, world as World);
    await act(ctx, staff.clerk, application.id, 'accept', 'accept', { opinion: '材料齐全，予以受理' });
    assert.deepEqual(await at('2026-11-02 10:00:00'), { yellow: 0, red: 0 }, 'the review step (due Thursday) is not at risk yet');

    // The supervisor's role requires TOTP: enrolment comes first, then the monitor.
    const { context: supervision, page: board } = await newPage();
    await signIn(board, staff.supervisor, '/console/supervision');
    await board.waitForURL(`${base}/console/profile`);
    await board.getByRole('button', { name: '开始绑定' }).click();
    totpSecret = ((await board.locator('#totp-secret').textContent()) ?? '').trim();
    assert.match(totpSecret, /^[A-Z2-7]{16,}$/);
    await board.getByLabel('6 位动态验证码').fill(code());
    await board.getByRole('button', { name: '完成绑定' }).click();
    await board.waitForURL(`${base}/console`);
    await board.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '实时监控' }).click();
    await board.waitForURL(`${base}/console/supervision`);
    assert.match((await board.locator('main').textContent()) ?? '', /目前没有临近或超过时限的环节/);
    const waiting = rowOf(board, 'waiting-steps', application.receiptNo);
    assert.equal(await waiting.count(), 1, 'the review step waits on the board');
    assert.match((await waiting.textContent()) ?? '', /审查[\s\S]*2026-11-05[\s\S]*正常/);
    assert.equal(await board.locator('#open-cases tbody tr', { hasText: '测试市政务服务中心' }).count(), 1, 'open cases per unit and state');
    await assertAccessible(board, 'monitor, nothing at risk', 'supervision');
    await supervision.close();

    // Wednesday: one working day remains, the scan issues a yellow card; the board shows it.
    assert.deepEqual(await at('2026-11-04 09:00:00'), { yellow: 1, red: 0 });
    const { context: wednesday, page: monitor } = await newPage();
    await signIn(monitor, staff.supervisor, '/console/supervision');
    await monitor.waitForURL(`${base}/console/supervision`);
    const atRisk = rowOf(monitor, 'risk-steps', application.receiptNo);
    assert.equal(await atRisk.count(), 1);
    assert.match((await atRisk.textContent()) ?? '', /黄牌/);
    await assertAccessible(monitor, 'monitor, a step at risk', 'supervision');
    await monitor.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '黄牌红牌' }).click();
    await monitor.waitForURL(`${base}/console/supervision/cards`);
    const yellow = rowOf(monitor, 'cards', application.receiptNo);
    assert.match((await yellow.textContent()) ?? '', /黄牌[\s\S]*待说明/);
    await assertAccessible(monitor, 'cards, one yellow', 'supervision');
    await wednesday.close();

    // Friday 00:30: the due date has passed, the same card turns red; the review is finished late in the morning.
    assert.deepEqual(await at('2026-11-06 00:30:00'), { yellow: 0, red: 1 });
    clock.set(shanghai('2026-11-06 09:00:00'));
    const { context: friday, page: watch } = await newPage();
    await signIn(watch, staff.supervisor, '/console/supervision');
    await watch.waitForURL(`${base}/console/supervision`);
    assert.match((await rowOf(watch, 'risk-steps', application.receiptNo).textContent()) ?? '', /红牌/);
    await watch.goto(`${base}/console/supervision/cards`);
    assert.match((await rowOf(watch, 'cards', application.receiptNo).textContent()) ?? '', /红牌[\s\S]*待说明/);
    assert.equal(await rowOf(watch, 'cards', application.receiptNo).count(), 1, 'one card per step: it turned red');
    await act(ctx, staff.planner, application.id, 'review', 'approve', { opinion: '符合条件，准予许可' });

    // The planning bureau's leader explains through the console.
    const { context: unit, page: leader } = await newPage();
    await signIn(leader, staff.planLeader, '/console/supervision/cards');
    await leader.waitForURL(`${base}/console/supervision/cards`);
    await assertAccessible(leader, 'cards of the unit', 'supervision');
    await rowOf(leader, 'cards', application.receiptNo).getByRole('link').click();
    await leader.waitForURL(/\/console\/supervision\/cards\/[^/?]+$/);
    const cardUrl = leader.url();
    await assertAccessible(leader, 'card with the explanation form', 'supervision');
    await leader.getByLabel('情况说明').fill('11月5日审查人员外出勘验现场，延误一日，已于次日办结。');
    await leader.getByRole('button', { name: '提交说明' }).click();
    await leader.locator('.notice-success').waitFor();
    assert.equal(leader.url(), cardUrl);
    assert.match((await leader.locator('.notice-success').textContent()) ?? '', /情况说明已提交/);
    assert.equal(await leader.getByRole('button', { name: '提交说明' }).count(), 0, 'explained once');

    // The unit's statistics for November: one step finished, overdue, one red card, none confirmed yet.
    await leader.goto(`${base}/console/supervision/stats?from=2026-11-01&to=2026-11-30`);
    const figures = async () => (await leader.locator('#stats tbody tr', { hasText: '测试市自然资源和规划局' }).locator('td').allTextContents()).map((t) => t.trim());
    const before = await figures();
    // unit, finished, on time, early, overdue, on-time rate, early rate, average days, promised, correction rate, yellow, red, confirmed
    assert.deepEqual([before[1], before[2], before[4], before[11], before[12]], ['1', '0', '1', '1', '0']);
    assert.equal(await leader.locator('#stats tbody tr').count(), 1, 'a department sees its own unit only');
    await assertAccessible(leader, 'statistics of the unit', 'supervision');

    // The supervisor reads the explanation and confirms the card with a reason.
    await watch.goto(cardUrl);
    assert.match((await watch.locator('main').textContent()) ?? '', /外出勘验现场/);
    await assertAccessible(watch, 'card with the decision form', 'supervision');
    await watch.getByLabel('理由').fill('超期属实，外出勘验不构成延期理由。');
    await watch.getByRole('button', { name: '确认', exact: true }).click();
    await watch.locator('.notice-success').waitFor();
    assert.equal(watch.url(), cardUrl);
    assert.match((await watch.locator('.notice-success').textContent()) ?? '', /已确认/);
    assert.match((await watch.locator('main').textContent()) ?? '', /已确认/);
    await watch.goto(`${base}/console/supervision/cards?status=confirmed`);
    assert.equal(await rowOf(watch, 'cards', application.receiptNo).count(), 1);
    await assertAccessible(watch, 'cards, confirmed', 'supervision');

    // The unit's statistics page now counts the confirmed card.
    await leader.reload();
    const afterwards = await figures();
    assert.deepEqual([afterwards[1], afterwards[4], afterwards[11], afterwards[12]], ['1', '1', '1', '1']);
    await unit.close();
    await friday.close();
  });
});
