// The public home page of the demo city in the browser — the portal's main site once the demo made
// one: axe at a desktop and a phone width, no sideways scrolling, the service hall's search box and
// hot items, the news blocks, and the search box leading to the service hall.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { assertAccessible, chromiumMissing, screenshot, openBrowser } from './browser.ts';
import { createTestContext, type TestContext } from '../helpers.ts';
import { seedDemo } from '../../src/platform/demo/seed.ts';

describe('the portal home page in the browser', { skip: chromiumMissing }, () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  const pageErrors: string[] = [];

  before(async () => {
    ctx = await createTestContext({ env: { ZT_DEMO_PASSWORD: 'Yunchuan-Demo-1' } });
    await seedDemo(ctx.platform, { cases: 12 });
    ({ base, browser } = await openBrowser(ctx));
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
    assert.deepEqual(pageErrors, []);
  });

  for (const width of [1366, 390]) {
    test(`at ${width} px: the city's name, the search box, the blocks; axe passes and nothing scrolls sideways`, async () => {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) pageErrors.push(`${page.url()}: ${message.text()}`);
      });
      await page.goto(`${base}/`);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '云川市人民政府');
      for (const name of ['网上办事大厅', '新闻', '通知公告', '部门动态']) assert.ok(await page.getByRole('heading', { level: 2, name }).isVisible(), name);
      assert.ok(await page.getByRole('heading', { level: 3, name: '热门事项' }).isVisible());
      await assertAccessible(page, `portal home ${width}`, 'portal');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
      await screenshot(page, `portal-home-${width}`);

      // The search box is an <input type="search" name="q"> leading to the service hall.
      const search = page.getByRole('searchbox', { name: '搜索办事事项' });
      assert.ok(await search.isVisible());
      await search.fill('食品');
      await search.press('Enter');
      await page.waitForURL(/\/services\?q=/);
      assert.ok(page.url().includes(`q=${encodeURIComponent('食品')}`));
      await context.close();
    });
  }
});
