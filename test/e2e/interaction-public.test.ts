// Browser test of 政民互动 on the portal: a citizen writes to the mayor through the form (no
// account) with a photo attached, sees the tracking number and the query code, and follows the
// letter with them, where the photo is listed and downloads; the
// message board with a published letter passes axe; at a phone's width and a laptop's, nothing
// scrolls sideways.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible, chromiumMissing, openBrowser, watchedPage } from './browser.ts';
import { createTestContext, type TestContext } from '../helpers.ts';
import { interactionFixture, receiveTestCase, type InteractionFixture } from '../../src/modules/interaction/testing.ts';
import { interactionDb } from '../../src/modules/interaction/model.ts';
import { SAMPLES } from '../../src/platform/files/testing.ts';

const WIDTHS = [1366, 390] as const;
const PHOTO = SAMPLES.png();

describe('政民互动 in the browser', { skip: chromiumMissing }, () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  let f: InteractionFixture;
  let published: string;
  const pageErrors: string[] = [];

  before(async () => {
    ctx = await createTestContext();
    f = await interactionFixture(ctx.platform);
    // A published letter with hostile text, for the board.
    const got = await receiveTestCase(ctx.platform, { channel: 'unit_mailbox', targetUnitId: f.dept.id, title: '社保卡补办要多久<script>alert(1)</script>', body: '请问社保卡补办需要多长时间？' });
    const now = ctx.platform.clock.now();
    await interactionDb(ctx.platform.db)
      .updateTable('interaction_cases')
      .set({ state: 'answered', answer_body: '一般5个工作日。', answered_at: now, moderation: 'published', published_at: now, public_body: '请问社保卡补办需要多长时间？\u202e<svg onload=alert(2)>', public_answer: '一般5个工作日，可在线办理。' })
      .where('id', '=', got.id)
      .execute();
    published = got.trackingNo;
    ({ base, browser } = await openBrowser(ctx));
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
    assert.deepEqual(pageErrors, [], 'pages run without script errors or CSP refusals');
  });

  const newPage = (width: number): Promise<Page> => watchedPage(browser, width, pageErrors);

  async function noSidewaysScroll(page: Page, label: string) {
    const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    assert.ok(scroll <= inner, `${label}: the page is ${scroll} px wide in a ${inner} px window`);
  }

  for (const width of WIDTHS) {
    test(`a citizen writes to the mayor and follows the letter at ${width} px`, async () => {
      const page = await newPage(width);
      await page.goto(`${base}/interaction/write?channel=mayor_mailbox`);
      assert.match((await page.locator('h1').textContent()) ?? '', /写信给市长/);
      await assertAccessible(page, `write ${width}`, 'interaction');
      await noSidewaysScroll(page, `write at ${width}`);

      // First without a phone number: the form says what is wrong and keeps what was typed.
      await page.getByLabel('标题').fill(`夜间施工噪音扰民 ${width}`);
      await page.getByLabel('内容').fill('某工地每天夜里施工到凌晨两点。\n<script>alert(3)</script>');
      await page.getByLabel('姓名').fill('李四');
      await page.getByRole('button', { name: '提交' }).click();
      await page.locator('.error-summary').waitFor();
      assert.equal(await page.getByLabel('标题').inputValue(), `夜间施工噪音扰民 ${width}`);

      await page.getByLabel('手机号码').fill(width === 390 ? '13911112222' : '13922223333');
      // A photo of the site as a file, posted with the letter by the form itself (no script).
      await page.getByLabel('附件（可选）').setInputFiles({ name: '现场照片.png', mimeType: 'image/png', buffer: PHOTO });
      await page.getByRole('button', { name: '提交' }).click();
      await page.waitForURL(/\/received$/);
      const trackingNo = ((await page.locator('#tracking-no').textContent()) ?? '').trim();
      const code = ((await page.locator('#query-code').textContent()) ?? '').trim();
      assert.match(trackingNo, /^SZ\d{16}$/);
      assert.match(code, /^[A-Z2-9]{8}$/);
      assert.match((await page.locator('main').textContent()) ?? '', /妥善保管/);
      await assertAccessible(page, `received ${width}`, 'interaction');
      await noSidewaysScroll(page, `received at ${width}`);

      // Another browser, by number and code.
      const other = await newPage(width);
      await other.goto(`${base}/interaction/letters`);
      await other.getByLabel('信件编号').fill(trackingNo);
      await other.getByLabel('查询码').fill(code);
      await other.getByRole('button', { name: '查询' }).click();
      await other.waitForURL(new RegExp(`/interaction/letters/${trackingNo}$`));
      assert.match((await other.locator('#letter-state').textContent()) ?? '', /已受理/);
      assert.match((await other.locator('main').textContent()) ?? '', /<script>alert\(3\)<\/script>/);
      // The attached file is listed on the writer's page and downloads as it was sent.
      const link = other.getByRole('link', { name: '现场照片.png' });
      await link.waitFor();
      const download = await other.request.get(new URL((await link.getAttribute('href'))!, base).toString());
      assert.equal(download.status(), 200);
      assert.deepEqual(Buffer.from(await download.body()), PHOTO);
      await assertAccessible(other, `letter ${width}`, 'interaction');
      await noSidewaysScroll(other, `letter at ${width}`);
      await other.context().close();
      await page.context().close();
    });

    test(`the message board and a published letter pass axe at ${width} px`, async () => {
      const page = await newPage(width);
      await page.goto(`${base}/interaction/board`);
      assert.match((await page.locator('h1').textContent()) ?? '', /留言板/);
      await page.getByRole('link', { name: /社保卡补办要多久/ }).waitFor();
      await assertAccessible(page, `board ${width}`, 'interaction');
      await noSidewaysScroll(page, `board at ${width}`);
      await page.getByRole('link', { name: /社保卡补办要多久/ }).click();
      await page.waitForURL(new RegExp(`/interaction/board/${published}$`));
      assert.match((await page.locator('main').textContent()) ?? '', /可在线办理/);
      await assertAccessible(page, `board letter ${width}`, 'interaction');
      await noSidewaysScroll(page, `board letter at ${width}`);
      for (const url of ['/interaction', '/interaction/disclosure/guide', '/interaction/disclosure/apply']) {
        await page.goto(`${base}${url}`);
        await assertAccessible(page, `${url} ${width}`, 'interaction');
        await noSidewaysScroll(page, `${url} at ${width}`);
      }
      await page.context().close();
    });
  }
});
