/**
 * The portal's site pages served through HTTP by the test-only portal-site module: the strict CSP
 * holds (no inline code to allow), the hashed assets answer and are cached for a year, two requests
 * give the same bytes, feeds and sitemaps have XML types, unknown addresses get the site's 404 page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from '../../helpers.ts';
import { portalSiteModule, BASE } from './index.ts';
import { portalAssetUrl } from '../../../src/modules/portal/render/index.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ modules: [portalSiteModule] });
});
after(() => ctx?.close());

const get = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url, headers });

test('site pages: HTML under the strict CSP, identical bytes on every request, every asset they name answers', async () => {
  for (const url of [BASE, `${BASE}c/news/`, `${BASE}c/news/index_3.html`, `${BASE}a/1002.html`, `${BASE}search?q=一网通办`, `${BASE}s/jyj/`]) {
    const first = await get(encodeURI(url));
    assert.equal(first.statusCode, 200, url);
    assert.match(String(first.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.match(String(first.headers['content-security-policy']), /script-src 'self';style-src 'self';/);
    const second = await get(encodeURI(url), { cookie: 'zt_display=large; zt_lang=en' });
    assert.equal(second.body, first.body, `${url}: nothing of the request gets into the page`);
    for (const [, asset] of first.body.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
      const res = await get(asset);
      assert.equal(res.statusCode, 200, asset);
    }
  }
});

test('the portal assets: content-hashed URLs, a year of caching, 304 when unchanged, unknown names 404', async () => {
  for (const name of ['site.css', 'themes.css', 'display.js', 'site.js'] as const) {
    const url = portalAssetUrl(name);
    const res = await get(url);
    assert.equal(res.statusCode, 200, name);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(res.headers['content-type']), name.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
    const version = url.split('?v=')[1];
    assert.equal(res.headers.etag, `"${version}"`);
    assert.equal((await get(url, { 'if-none-match': `"${version}"` })).statusCode, 304);
  }
  assert.equal((await get('/assets/portal/nothing.css')).statusCode, 404);
  assert.equal((await get('/assets/portal/__proto__')).statusCode, 404);
  // The platform's own assets still answer beside them.
  assert.equal((await get('/assets/app.css')).statusCode, 200);
});

test('feeds and sitemaps have XML types; unknown addresses and pages past the last get the site’s 404 page', async () => {
  const rss = await get(`${BASE}c/news/rss.xml`);
  assert.match(String(rss.headers['content-type']), /^application\/rss\+xml/);
  assert.match(rss.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<rss version="2.0"/);
  assert.match(String((await get(`${BASE}sitemap.xml`)).headers['content-type']), /^application\/xml/);
  for (const url of [`${BASE}no/such/page.html`, `${BASE}c/news/index_99.html`]) {
    const res = await get(url);
    assert.equal(res.statusCode, 404, url);
    assert.match(res.body, /<h1 id="not-found-title">您访问的页面不存在<\/h1>/);
  }
});

test('the platform’s ?display= choice is a cookie that script may read (published pages apply it before the first paint)', async () => {
  const res = await get('/accessibility?display=large');
  const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('zt_display='));
  assert.ok(cookie, 'the choice is remembered');
  assert.match(cookie, /zt_display=large/);
  assert.doesNotMatch(cookie, /HttpOnly/i);
  assert.match(cookie, /Path=\//);
});
