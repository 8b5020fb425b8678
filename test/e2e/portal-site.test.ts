// The portal's site pages in the browser (served from fixture data by the test-only portal-site
// module): axe on the home, list, article and search pages at a desktop and a phone width, in the
// standard and the 长者模式; no sideways scrolling; the skip link first; the phone menu without
// script; the 长者模式 toggle remembered across a reload and shared with the platform's pages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, openBrowser, screenshot } from './browser.ts';
import { createTestContext, type TestContext } from '../helpers.ts';
import { portalSiteModule, BASE } from '../modules/portal-site/index.ts';

const PAGES = {
  home: BASE,
  list: `${BASE}c/news/index_2.html`,
  article: `${BASE}a/1002.html`,
  search: `${BASE}search?q=${encodeURIComponent('一网通办')}`,
  department: `${BASE}s/jyj/`,
  county: `${BASE}s/dongshan/c/news/`,
};

describe('the portal site pages in the browser', { skip: chromiumMissing }, () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  const pageErrors: string[] = [];

  before(async () => {
    ctx = await createTestContext({ modules: [portalSiteModule] });
    ({ base, browser } = await openBrowser(ctx));
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
    assert.deepEqual(pageErrors, [], 'no script error and no CSP violation');
  });

  async function open(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`${page.url()}: ${message.text()}`);
    });
    return page;
  }

  const isLarge = (page: Page) => page.evaluate(() => document.documentElement.classList.contains('display-large'));

  for (const width of [1366, 390]) {
    test(`at ${width} px: home, list, article, search and two sub-sites (all three themes) pass axe in both modes and do not scroll sideways`, async () => {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
      const page = await open(context);
      for (const [name, path] of Object.entries(PAGES)) {
        await page.goto(`${base}${path}`);
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
        assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1, `${name}: one h1`);
        await assertAccessible(page, `${name} ${width}`, 'site');
        await assertNoSidewaysScroll(page, `${name} at ${width}`);
      }
      // The same pages in the 长者模式 (set here through the platform's own switch, a cookie).
      await page.goto(`${base}/accessibility?display=large`);
      for (const [name, path] of Object.entries(PAGES)) {
        await page.goto(`${base}${path}`);
        assert.ok(await isLarge(page), `${name}: the 长者模式 applies`);
        await assertAccessible(page, `${name} ${width} large`, 'site');
        await assertNoSidewaysScroll(page, `${name} at ${width} in the 长者模式`);
      }
      await context.close();
    });
  }

  test('the skip link is the first stop of the keyboard and leads to the main content; focus is visible', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    const page = await open(context);
    await page.goto(`${base}${PAGES.article}`);
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => ({ text: document.activeElement?.textContent, href: document.activeElement?.getAttribute('href') }));
    assert.deepEqual(first, { text: '跳到主要内容', href: '#main' });
    const skip = page.getByRole('link', { name: '跳到主要内容' });
    const box = await skip.boundingBox();
    assert.ok(box && box.y >= 0, 'the focused skip link is on screen');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    // The next Tab stops inside the main content, and the focus ring shows.
    await page.keyboard.press('Tab');
    const inMain = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { inMain: !!el.closest('main'), outline: style.outlineStyle !== 'none' || style.boxShadow !== 'none' || style.backgroundColor !== 'rgba(0, 0, 0, 0)' };
    });
    assert.deepEqual(inMain, { inMain: true, outline: true });
    await context.close();
  });

  test('at 390 px the navigation is a disclosure that opens by keyboard, also without script', async () => {
    for (const javaScriptEnabled of [true, false]) {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, javaScriptEnabled });
      const page = await open(context);
      await page.goto(`${base}${PAGES.list}`);
      const nav = page.getByRole('navigation', { name: '网站主导航' });
      const menu = nav.locator('summary');
      assert.ok(await menu.isVisible(), 'the menu button shows on a phone');
      // Closed at first: neither the wide-screen row (not shown on a phone) nor the closed menu offers a link.
      assert.equal(await nav.getByRole('link', { name: '通知公告' }).count(), 0, 'closed at first');
      await menu.focus();
      await page.keyboard.press('Enter');
      assert.equal(await nav.getByRole('link', { name: '通知公告' }).count(), 1, 'open after Enter: one set of links, never two');
      assert.ok(await nav.getByRole('link', { name: '通知公告' }).isVisible());
      assert.equal(await nav.locator('a[aria-current="page"]:visible').textContent(), '要闻动态');
      await assertNoSidewaysScroll(page, `open menu (script ${javaScriptEnabled ? 'on' : 'off'})`);
      await screenshot(page, `site-menu-390-${javaScriptEnabled ? 'js' : 'nojs'}`);
      if (!javaScriptEnabled) {
        // Without script the 长者模式 link leads to the accessibility statement, and the reading tools stay out of the way.
        await page.goto(`${base}${PAGES.article}`);
        assert.equal(await page.locator('[data-article-tools]').isVisible(), false);
        assert.equal(await page.locator('[data-display-toggle]').getAttribute('href'), '/accessibility');
      }
      await context.close();
    }
  });

  test('the 长者模式 toggle: applied at once, kept across a reload and on other pages, shared with the platform’s pages, and switched back', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    const page = await open(context);
    await page.goto(`${base}${PAGES.home}`);
    assert.equal(await isLarge(page), false);
    const toggle = page.getByRole('button', { name: '长者模式' });
    const fontBefore = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
    await toggle.click();
    assert.ok(await isLarge(page));
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize), fontBefore, 'the text is larger');
    assert.ok(await page.getByRole('button', { name: '标准模式' }).isVisible(), 'the toggle now offers the standard mode');
    assert.equal(await page.evaluate(() => localStorage.getItem('zt_display')), 'large');
    assert.ok((await context.cookies()).some((c) => c.name === 'zt_display' && c.value === 'large' && c.path === '/'));

    await page.reload();
    assert.ok(await isLarge(page), 'kept across a reload');
    await page.goto(`${base}${PAGES.article}`);
    assert.ok(await isLarge(page), 'kept on the next page');
    await assertAccessible(page, 'article after the toggle', 'site');
    // The platform's server-rendered pages read the same cookie.
    await page.goto(`${base}/accessibility`);
    assert.ok(await isLarge(page), 'a platform page honours the choice');

    // The keyboard switches it back (Enter and Space on the role="button" link).
    await page.goto(`${base}${PAGES.list}`);
    await page.getByRole('button', { name: '标准模式' }).focus();
    await page.keyboard.press(' ');
    assert.equal(await isLarge(page), false);
    await page.reload();
    assert.equal(await isLarge(page), false, 'the standard mode is remembered too');
    assert.equal(await page.evaluate(() => localStorage.getItem('zt_display')), 'standard');
    await context.close();
  });

  test('the article’s reading tools: font size buttons say which is pressed', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    const page = await open(context);
    await page.goto(`${base}${PAGES.article}`);
    const tools = page.getByRole('group', { name: '字号' });
    assert.ok(await tools.isVisible());
    const size = () => page.evaluate(() => getComputedStyle(document.querySelector('[data-article-body]')!).fontSize);
    const before = await size();
    await tools.getByRole('button', { name: '大' }).click();
    assert.equal(await tools.getByRole('button', { name: '大' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await tools.getByRole('button', { name: '中' }).getAttribute('aria-pressed'), 'false');
    assert.ok(parseFloat(await size()) > parseFloat(before));
    await assertAccessible(page, 'article with tools', 'site');
    await context.close();
  });
});
