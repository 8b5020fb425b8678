// Browser test of the public service list and a service guide on the demo city's catalogue, at a
// phone's width (390 px) and a laptop's (1366 px): nothing scrolls sideways, 在线申请 stays on
// screen, the blank form downloads, axe (WCAG 2.1 A/AA) finds nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible, chromiumMissing, openBrowser } from './browser.ts';
import { createTestContext, type TestContext } from '../helpers.ts';
import { seedDemo } from '../../src/platform/demo/seed.ts';

describe('the service hall in the browser', { skip: chromiumMissing }, () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  let jointId: string;
  let foodId: string;

  before(async () => {
    ctx = await createTestContext({ env: { ZT_DEMO_PASSWORD: 'Yunchuan-Demo-1' } });
    await seedDemo(ctx.platform);
    const items = (await ctx.app.inject({ method: 'GET', url: `/api/v1/approval/items?q=${encodeURIComponent('民办学校设立审批')}` })).json().items;
    jointId = items[0].id;
    foodId = (await ctx.app.inject({ method: 'GET', url: `/api/v1/approval/items?q=${encodeURIComponent('食品经营许可证核发')}` })).json().items[0].id;
    ({ base, browser } = await openBrowser(ctx));
  });
  after(async () => {
    await browser?.close();
    await ctx?.close();
  });

  const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  for (const width of [390, 1366]) {
    test(`at ${width} px: the list as cards with filters, the guide with its diagram and downloads`, async () => {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: width < 600 ? 844 : 900 } });
      const page = await context.newPage();
      try {
        await page.goto(`${base}/services`);
        assert.ok(await noSidewaysScroll(page), 'the list does not scroll sideways');
        assert.ok((await page.locator('#hall-items > li').count()) > 0);
        await assertAccessible(page, `services-${width}`);

        await page.getByRole('link', { name: '法人办事' }).click();
        await page.waitForURL(/target=enterprise/);
        assert.ok(await noSidewaysScroll(page));
        const names = await page.locator('.item-card-title').allTextContents();
        assert.ok(names.length > 0 && !names.includes('内地居民结婚登记'), 'no marriage registration for companies');

        await page.goto(`${base}/services?lifeEvent=${encodeURIComponent('婚姻')}&target=person`);
        assert.ok((await page.locator('.item-card-title').allTextContents()).some((n) => n.includes('内地居民结婚登记')));

        await page.goto(`${base}/services/items/${jointId}`);
        assert.ok(await noSidewaysScroll(page), 'the guide does not scroll sideways');
        // The joint review: three departments side by side on a wide screen.
        const boxes = page.locator('.flow-parallel > li');
        assert.equal(await boxes.count(), 3);
        if (width > 1000) {
          const tops = await boxes.evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
          assert.equal(new Set(tops).size, 1, 'side by side');
        }
        // No list markers on the steps (the old list drew two).
        const markers = await page.locator('.flow li').evaluateAll((els) => els.map((e) => getComputedStyle(e).listStyleType));
        assert.ok(markers.every((m) => m === 'none'), markers.join());
        // 在线申请 is on screen at once and after scrolling through the guide.
        const apply = page.getByRole('link', { name: '在线申请', exact: true });
        const onScreen = async () => {
          const box = await apply.boundingBox();
          const height = page.viewportSize()!.height;
          return !!box && box.y >= 0 && box.y + box.height <= height && box.x >= 0 && box.x + box.width <= page.viewportSize()!.width;
        };
        assert.ok(await onScreen(), 'apply on screen at the top');
        await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight / 2));
        assert.ok(await onScreen(), 'apply on screen halfway down');
        await assertAccessible(page, `guide-${width}`);

        // The blank form downloads.
        const link = page.getByRole('link', { name: /空白表格/ }).first();
        const href = await link.getAttribute('href');
        const res = await page.request.get(`${base}${href}`);
        assert.equal(res.status(), 200);
        assert.equal((await res.body()).subarray(0, 2).toString(), 'PK');
        // The frequent questions open and close as disclosures.
        await page.goto(`${base}/services/items/${foodId}`);
        const question = page.locator('.faq summary').first();
        const answer = page.locator('.faq details').first().locator('p').first();
        assert.equal(await answer.isVisible(), false);
        await question.click();
        assert.equal(await answer.isVisible(), true);
      } finally {
        await context.close();
      }
    });
  }
});
