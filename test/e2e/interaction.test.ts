// 政民互动 in the demo city, in a browser, end to end. A citizen without an account writes to the
// mayor and agrees to publication; 黄志明 of the city government office assigns the letter to the
// human resources and social security bureau from his dispatch queue; 何静 drafts the answer to be
// published on the board, 许志刚 approves it, 冯晓东 publishes it from the moderation queue; a
// visitor reads it on the message board, and the citizen finds it with the tracking number and the
// query code and rates it. Then a request for government information runs through an extension of
// its time limit to a partial-disclosure answer that the requester sees. Axe (WCAG 2.1 A/AA) runs
// on every page on the way, the key pages also at a phone's 390 px; no page scrolls sideways,
// shows a raw message key or an English word, or breaks its Content Security Policy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, openBrowser } from './browser.ts';
import { createTestContext, type TestContext } from '../helpers.ts';
import { seedDemo } from '../../src/platform/demo/seed.ts';

const PASSWORD = 'Yunchuan-Demo-1';
const HRSS = '云川市人力资源和社会保障局';
const LETTER = '建议延长市民服务中心社保窗口周六办理时间';
const LETTER_BODY = '市民服务中心社保窗口周六只上午开放，上班族排队到中午也办不完。\n建议周六全天开放，或者开通预约办理。';
const ANSWER = '感谢您的建议。自下月起，市民服务中心社保窗口周六延长至下午五点，并开通网上预约。';
const REQUEST = '本市二〇二六年度就业见习补贴发放情况';
const EXTENSION_REASON = '申请的信息涉及多个县区，需要汇总核实';
const PARTIAL_ANSWER = '现提供全市见习补贴发放总额和人数；涉及个人信息的明细依法不予公开。';

describe('政民互动 in the demo city', { skip: chromiumMissing }, () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  const pageErrors: string[] = [];

  before(async () => {
    ctx = await createTestContext({ env: { ZT_DEMO_PASSWORD: PASSWORD, ZT_DEMO_CASES: '0' } });
    await seedDemo(ctx.platform);
    ({ base, browser } = await openBrowser(ctx));
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
    assert.deepEqual(pageErrors, [], 'pages run without script errors and keep within their Content Security Policy');
  });

  function watch(page: Page) {
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
    page.on('dialog', (dialog) => {
      pageErrors.push(`a dialog opened: ${dialog.message()}`);
      void dialog.dismiss();
    });
  }

  /** A visitor's browser: no account. */
  async function visitor(width = 1366): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
    const page = await context.newPage();
    watch(page);
    return { context, page };
  }

  /** A fresh browser context signed in as one of the demo's people. */
  async function signedIn(username: string, width = 1366): Promise<{ context: BrowserContext; page: Page }> {
    const { context, page } = await visitor(width);
    await page.goto(`${base}/console/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/console/login'));
    return { context, page };
  }

  /** Axe, no sideways scroll, and no English word or raw message key in the page's text. */
  async function checkPage(page: Page, label: string) {
    await assertAccessible(page, label, 'interaction');
    await assertNoSidewaysScroll(page, label);
    const text = (await page.locator('body').innerText()).replace(/\S+@\S+|https?:\/\/\S+|\bPDF\b|\bExcel\b|\bSM[234]\b|\bID\b|\bEnglish\b|\bApache-2\.0\b/g, '');
    assert.doesNotMatch(text, /\b(page|interaction|flash|ui|audit)\.[a-z]+\.[\w.]+/, `${label}: a raw message key`);
    assert.doesNotMatch(text, /\b[A-Za-z]?[a-z]{3,}\b/, `${label}: an English word on a Chinese page`);
  }

  /** The page checked at the desktop's width and at a phone's 390 px. */
  async function checkBoth(page: Page, label: string) {
    await checkPage(page, `${label} at 1366 px`);
    await page.setViewportSize({ width: 390, height: 900 });
    await checkPage(page, `${label} at 390 px`);
    await page.setViewportSize({ width: 1366, height: 900 });
  }

  /** The tracking number and query code off the page shown after sending. */
  async function receipt(page: Page): Promise<{ trackingNo: string; code: string }> {
    await page.waitForURL(/\/received$/);
    const trackingNo = ((await page.locator('#tracking-no').textContent()) ?? '').trim();
    const code = ((await page.locator('#query-code').textContent()) ?? '').trim();
    assert.match(trackingNo, /^[A-Z]{2,3}\d{16}$/);
    assert.match(code, /^[A-Z2-9]{8}$/);
    return { trackingNo, code };
  }

  /** The writer's letter page, reached through the query form with number and code. */
  async function query(page: Page, trackingNo: string, code: string, label: string) {
    await page.goto(`${base}/interaction/letters`);
    await checkPage(page, `${label}: query form`);
    await page.getByLabel('信件编号').fill(trackingNo);
    await page.getByLabel('查询码').fill(code);
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForURL(new RegExp(`/interaction/letters/${trackingNo}$`));
  }

  /** A staff member opens the case from the list of the unit's cases in a state. */
  async function openCase(page: Page, tab: string, title: string, label: string): Promise<string> {
    await page.goto(`${base}/console/interaction/cases?state=${tab}`);
    await checkPage(page, `${label}: cases`);
    // Open cases come soonest deadline first: a new one may be on a later page.
    for (let pages = 0; !(await page.getByRole('link', { name: title, exact: true }).count()); pages++) {
      const next = page.locator('a[rel="next"]');
      assert.ok(pages < 20 && (await next.count()), `${label}: ${title} is not in the list:\n${await page.locator('main').innerText()}`);
      await next.click();
      await page.waitForURL(/cursor=/);
    }
    await page.getByRole('link', { name: title, exact: true }).click();
    await page.waitForURL(/\/console\/interaction\/cases\/[^/?]+$/);
    return new URL(page.url()).pathname;
  }

  async function flashDone(page: Page, path: string) {
    await page.waitForURL((url) => url.pathname === path);
    assert.match(await page.locator('main').innerText(), /已办理/);
    assert.doesNotMatch(await page.locator('main').innerText(), /未能办理/);
  }

  test('a letter to the mayor is assigned, answered with the leader’s approval, published on the board and rated', async () => {
    // The citizen writes, agreeing to publication.
    const citizen = await visitor();
    const page = citizen.page;
    await page.goto(`${base}/interaction/write?channel=mayor_mailbox`);
    assert.match((await page.locator('h1').textContent()) ?? '', /写信给市长/);
    await checkBoth(page, 'write to the mayor');
    await page.getByLabel('标题').fill(LETTER);
    await page.getByLabel('内容').fill(LETTER_BODY);
    await page.getByLabel('类别').fill('社会保障');
    await page.getByLabel('姓名').fill('王晓燕');
    await page.getByLabel('手机号码').fill('13955556666');
    await page.getByRole('radio', { name: '同意公开' }).check();
    await page.getByRole('button', { name: '提交' }).click();
    const { trackingNo, code } = await receipt(page);
    await checkBoth(page, 'letter received');

    // 黄志明 assigns it to the bureau from the dispatch queue.
    const dispatcher = await signedIn('office_responder');
    await dispatcher.page.goto(`${base}/console/interaction/dispatch`);
    await checkBoth(dispatcher.page, 'dispatch queue');
    const row = dispatcher.page.locator('tr', { hasText: LETTER });
    await row.getByLabel('承办单位').selectOption({ label: HRSS });
    await row.getByRole('button', { name: '分办' }).click();
    await dispatcher.page.waitForURL(/\/console\/interaction\/dispatch$/);
    await checkPage(dispatcher.page, 'dispatch queue after assigning');
    assert.match(await dispatcher.page.locator('main').innerText(), /已办理/);
    assert.equal(await dispatcher.page.locator('tr', { hasText: LETTER }).count(), 0, 'the letter left the queue');
    await dispatcher.context.close();

    // 何静 drafts the answer, to be published on the board.
    const responder = await signedIn('responder');
    const casePath = await openCase(responder.page, 'assigned', LETTER, 'responder');
    await checkBoth(responder.page, 'case to answer');
    const history = await responder.page.locator('section[aria-labelledby="history-heading"]').innerText();
    assert.match(history, new RegExp(`分办至 ${HRSS}`));
    assert.match(history, /黄志明/);
    // The answer's text area spans the form, on a laptop and on a phone.
    for (const width of [1366, 390]) {
      await responder.page.setViewportSize({ width, height: 900 });
      const { area, form } = await responder.page.evaluate(() => {
        const box = document.querySelector('#answer-body')!;
        return { area: box.getBoundingClientRect().width, form: box.closest('form')!.getBoundingClientRect().width };
      });
      assert.ok(area >= form * 0.95 && area > width * 0.5, `the answer box is ${area} px wide in a ${form} px form at ${width} px`);
    }
    await responder.page.setViewportSize({ width: 1366, height: 900 });
    await responder.page.locator('#answer-body').fill(ANSWER);
    await responder.page.getByRole('checkbox', { name: /在留言板公开/ }).check();
    await responder.page.getByRole('button', { name: '提交领导审核' }).click();
    await flashDone(responder.page, casePath);
    await checkPage(responder.page, 'case with the draft');
    assert.match(await responder.page.locator('section[aria-labelledby="draft-heading"]').innerText(), /在留言板公开/);
    await responder.context.close();

    // 许志刚 finds it through 待审核答复 on his console's home page and approves it; the answer goes to the writer.
    const leader = await signedIn('hrss_leader');
    await leader.page.goto(`${base}/console`);
    await checkPage(leader.page, 'leader console home');
    const waiting = leader.page.getByRole('link', { name: /待审核答复/ });
    assert.match(await waiting.innerText(), /[1-9]/);
    await waiting.click();
    await leader.page.waitForURL(/\/console\/interaction\/cases\?state=reviewing$/);
    assert.equal(await openCase(leader.page, 'reviewing', LETTER, 'leader'), casePath);
    await checkBoth(leader.page, 'case to approve');
    await leader.page.getByRole('button', { name: '审核通过并答复来信人' }).click();
    await flashDone(leader.page, casePath);
    await checkPage(leader.page, 'answered case');
    const answered = await leader.page.locator('section[aria-labelledby="answer-heading"]').innerText();
    assert.ok(answered.includes(ANSWER), answered);
    assert.match(answered, /审核人：许志刚/);
    await leader.context.close();

    // 冯晓东 publishes it from the moderation queue; the personal data are not in the public text.
    const editor = await signedIn('editor');
    await editor.page.goto(`${base}/console/interaction/moderation`);
    await checkBoth(editor.page, 'moderation queue');
    const card = editor.page.locator('article', { has: editor.page.locator('h2', { hasText: LETTER }) });
    assert.doesNotMatch(await card.locator('textarea[name="publicBody"]').inputValue(), /13955556666|王晓燕/);
    await card.getByRole('button', { name: '公开', exact: true }).click();
    await editor.page.waitForURL(/\/console\/interaction\/moderation/);
    await checkPage(editor.page, 'moderation queue after publishing');
    assert.equal(await editor.page.locator('article', { has: editor.page.locator('h2', { hasText: LETTER }) }).count(), 0, 'the letter left the pending queue');
    await editor.context.close();

    // A visitor finds the question and the answer on the message board.
    const reader = await visitor();
    await reader.page.goto(`${base}/interaction/board`);
    await checkBoth(reader.page, 'message board');
    await reader.page.getByRole('link', { name: LETTER }).click();
    await reader.page.waitForURL(new RegExp(`/interaction/board/${trackingNo}$`));
    await checkBoth(reader.page, 'board letter');
    const published = await reader.page.locator('main').innerText();
    assert.ok(published.includes(ANSWER), published);
    assert.match(published, new RegExp(HRSS));
    assert.doesNotMatch(published, /13955556666|王晓燕/);
    await reader.context.close();

    // The citizen queries the letter with number and code, reads the answer and rates it.
    await query(page, trackingNo, code, 'mayor letter');
    await checkBoth(page, 'answered letter');
    assert.match((await page.locator('#letter-state').textContent()) ?? '', /已答复/);
    assert.ok((await page.locator('#answer').innerText()).includes(ANSWER));
    await page.getByRole('radio', { name: '5星 非常满意' }).check();
    await page.getByLabel('意见（可不填）').fill('答复及时，措施具体。');
    await page.getByRole('button', { name: '提交评价' }).click();
    await page.waitForURL(new RegExp(`/interaction/letters/${trackingNo}(#rating)?$`));
    await checkBoth(page, 'rated letter');
    const rating = await page.locator('#rating').innerText();
    assert.match(rating, /您的评价：5星/);
    assert.match(rating, /答复及时，措施具体。/);
    assert.equal(await page.getByRole('button', { name: '提交评价' }).count(), 0, 'a letter is rated once');
    await citizen.context.close();
  });

  test('a request for government information is extended once and answered with partial disclosure', async () => {
    const citizen = await visitor(390);
    const page = citizen.page;
    await page.goto(`${base}/interaction/disclosure/apply`);
    await checkBoth(page, 'disclosure request form');
    await page.getByLabel('受理机关').selectOption({ label: HRSS });
    await page.getByLabel('所需信息名称').fill(REQUEST);
    await page.getByLabel('所需信息的内容描述及用途').fill('请提供二〇二六年度就业见习补贴的发放总额、人数和领取单位名单，用于课题研究。');
    await page.getByLabel('姓名').fill('赵明远');
    await page.getByLabel('手机号码').fill('13977778888');
    await page.getByLabel('身份证号码').fill('11010119900307803X');
    await page.getByRole('button', { name: '提交' }).click();
    const { trackingNo, code } = await receipt(page);
    await checkBoth(page, 'request received');

    // 何静 extends the time limit once, with the reason, then drafts a partial-disclosure answer.
    const responder = await signedIn('responder');
    const casePath = await openCase(responder.page, 'assigned', REQUEST, 'responder (request)');
    await checkBoth(responder.page, 'request to answer');
    const dueBefore = await responder.page.locator('section[aria-labelledby="facts-heading"]').innerText();
    await responder.page.locator('#extend-days').fill('15');
    await responder.page.locator('#extend-reason').fill(EXTENSION_REASON);
    await responder.page.getByRole('button', { name: '延期', exact: true }).click();
    await flashDone(responder.page, casePath);
    await checkBoth(responder.page, 'extended request');
    const history = await responder.page.locator('section[aria-labelledby="history-heading"]').innerText();
    assert.match(history, /延期答复 15 个工作日/);
    assert.ok(history.includes(EXTENSION_REASON), history);
    assert.notEqual(await responder.page.locator('section[aria-labelledby="facts-heading"]').innerText(), dueBefore, 'the due date moved');
    assert.equal(await responder.page.locator('#extend-days').count(), 0, 'a request is extended once');

    await responder.page.getByLabel('答复类型').selectOption({ label: '部分公开' });
    await responder.page.locator('#answer-body').fill(PARTIAL_ANSWER);
    await responder.page.getByRole('button', { name: '提交领导审核' }).click();
    await flashDone(responder.page, casePath);
    await checkPage(responder.page, 'request with the draft');
    assert.match(await responder.page.locator('section[aria-labelledby="draft-heading"]').innerText(), /部分公开/);
    await responder.context.close();

    // 许志刚 approves it.
    const leader = await signedIn('hrss_leader');
    assert.equal(await openCase(leader.page, 'reviewing', REQUEST, 'leader (request)'), casePath);
    await checkPage(leader.page, 'request to approve');
    await leader.page.getByRole('button', { name: '审核通过并答复来信人' }).click();
    await flashDone(leader.page, casePath);
    await checkPage(leader.page, 'answered request');
    await leader.context.close();

    // The requester sees the partial-disclosure answer.
    await query(page, trackingNo, code, 'request');
    await checkBoth(page, 'answered request for the requester');
    assert.match((await page.locator('#letter-state').textContent()) ?? '', /已答复/);
    const answer = await page.locator('#answer').innerText();
    assert.match(answer, /部分公开/);
    assert.ok(answer.includes(PARTIAL_ANSWER), answer);
    await citizen.context.close();
  });
});
