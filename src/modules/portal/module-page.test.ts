/**
 * Other modules' public pages inside the main site's chrome: once the main site exists, the
 * service hall and the letters pages wear its masthead, navigation and footer (a visitor never
 * leaves the site), with the visitor's own account tools and 长者模式; before it exists, and in
 * English, they keep the platform's layout.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginSession } from '../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { createPublicAccount } from '../../platform/iam/index.ts';
import { portalFixture, type PortalFixture } from './testing.ts';

let f: PortalFixture;
before(async () => {
  f = await portalFixture();
});
after(() => f?.ctx.close());

const get = (url: string, headers: Record<string, string> = {}) => f.ctx.app.inject({ method: 'GET', url, headers });

test('the platform layout until a main site exists; then the site’s chrome, marked where the visitor is', async () => {
  const before = await get('/interaction');
  assert.equal(before.statusCode, 200, before.body);
  assert.match(before.body, /<body class="portal"/);
  assert.doesNotMatch(before.body, /theme-/);

  const main = await f.post(f.people.sysadmin, '/api/v1/portal/sites', { name: '云川市人民政府', kind: 'main', unitId: f.units.office, slug: 'www' });
  assert.equal(main.statusCode, 201, main.body);
  const site = await f.patch(f.people.officeEditor, `/api/v1/portal/sites/${main.json().id}`, { footer: { sponsor: '云川市人民政府办公室', icp: '云ICP备12345678号' } });
  assert.equal(site.statusCode, 200, site.body);

  const letters = await get('/interaction');
  assert.equal(letters.statusCode, 200);
  assert.match(letters.body, /<html lang="zh-CN" class="theme-[a-z]+ palette-[a-z]+"/);
  assert.match(letters.body, /<body class="portal site site-kind-main page-module"/);
  assert.ok(letters.body.includes('云川市人民政府办公室') && letters.body.includes('云ICP备12345678号'), 'the site’s footer');
  // The site's navigation (the template links 政民互动 to /interaction), this page marked current.
  assert.match(letters.body, /<a href="\/interaction" aria-current="page">政民互动<\/a>/);
  // The platform's scripts and the page's own content, once.
  assert.ok(letters.body.includes('/assets/htmx.min.js') && letters.body.includes('/assets/app.js'));
  assert.equal(letters.body.match(/<main /g)?.length, 1);
  assert.match(letters.body, /<title>[^<]+ - 云川市人民政府<\/title>/);
  // The way to English is there, and English pages keep the platform's layout.
  assert.ok(letters.body.includes('hreflang="en"'));
  const english = await get('/interaction?lang=en');
  assert.match(english.body, /<body class="portal"/);

  // A visitor's 404 in the site's chrome too, with the platform's words and status.
  const missing = await get('/no/such/page.html');
  assert.equal(missing.statusCode, 404);
  assert.match(missing.body, /page-module/);
  assert.match(missing.body, /<title>[^<]+ - 云川市人民政府<\/title>/);

  const hall = await get('/services', { cookie: 'zt_display=large' });
  assert.equal(hall.statusCode, 200);
  assert.match(hall.body, /class="theme-[a-z]+ palette-[a-z]+ display-large"/);
  assert.match(hall.body, /<a href="\/services" aria-current="page">政务服务<\/a>/);
});

test('a signed-in citizen sees their name and the sign-out form with its token in the site’s chrome', async () => {
  await inTransaction(f.ctx.platform.db, SYSTEM_ACTOR, (work) => createPublicAccount(work, f.ctx.platform, { kind: 'person', phone: '13800138123', password: 'Yunchuan#2026citizen', name: '王小明' }));
  const session = await loginSession(f.ctx.app, '13800138123', 'Yunchuan#2026citizen');
  const page = await get('/interaction', { cookie: session.cookie });
  assert.match(page.body, /page-module/);
  assert.ok(page.body.includes('王小明') && page.body.includes('action="/logout"') && page.body.includes(`value="${session.csrfToken}"`));
});
