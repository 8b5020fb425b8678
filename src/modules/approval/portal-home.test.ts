import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from '../../../test/helpers.ts';
import { seedDemo } from '../../platform/demo/seed.ts';
import { LIFE_EVENTS } from './portal-home.ts';

let ctx: TestContext;
// The platform's own home page with the service hall's blocks: the portal module, whose main site
// would take over / once the demo made one, is switched off here.
before(async () => {
  ctx = await createTestContext({ env: { ZT_DEMO_PASSWORD: 'Yunchuan-Demo-1', ZT_DEMO_CASES: '0', ZT_MODULES: 'approval,supervision,exchange,meetings,interaction' } });
});
after(() => ctx?.close());

const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));

test('before any city is set the portal goes by the platform name; the home page has no 建设中', async () => {
  const home = await ctx.app.inject({ method: 'GET', url: '/' });
  assert.equal(home.statusCode, 200);
  assert.match(home.body, /<title>[^<]*政通<\/title>/);
  assert.ok(!home.body.includes('建设中'));
  assert.ok(!home.body.includes('政务公开'), 'sections not built are not shown');
  // Citizen interaction is built: the home page leads to it.
  assert.ok(home.body.includes('政民互动') && hrefs(home.body).some((href) => href.startsWith('/interaction')), 'the interaction section is shown');
  const a11y = await ctx.app.inject({ method: 'GET', url: '/accessibility' });
  assert.ok(!a11y.body.includes('建设中'));
});

test('the demo city home page: the city name, a search box, 个人办事 / 法人办事, hot items, departments, life events', async () => {
  await seedDemo(ctx.platform);
  const home = await ctx.app.inject({ method: 'GET', url: '/' });
  assert.equal(home.statusCode, 200);
  const body = home.body;
  assert.match(body, /<h1 id="hero-title">云川市政务服务网<\/h1>/);
  assert.match(body, /<title>[^<]*云川市政务服务网<\/title>/);
  assert.ok(body.includes('欢迎访问云川市政务服务网'));
  assert.ok(!body.includes('建设中'));
  assert.ok(!body.includes('page.'), 'no raw message keys');

  // The search box: a GET form to the service hall with <input type="search" name="q">.
  const form = body.match(/<form[^>]*action="\/services"[^>]*>([\s\S]*?)<\/form>/);
  assert.ok(form, 'a search form to /services');
  assert.match(form[0], /method="get"/);
  assert.match(form[1], /<input[^>]*type="search"[^>]*name="q"/);
  assert.match(form[1], /<label for="home-q">/);

  const links = hrefs(body);
  assert.ok(links.includes('/services?target=person'));
  assert.ok(links.includes('/services?target=enterprise'));
  assert.ok(body.includes('个人办事') && body.includes('法人办事'));
  // 办件公示: progress query, published results, certificate check.
  for (const href of ['/services/progress', '/services/results', '/services/certificates']) assert.ok(links.includes(href), href);

  // Hot items lead to the guides of published items.
  const items = (await ctx.app.inject({ method: 'GET', url: '/api/v1/approval/items?limit=100' })).json().items as Array<{ id: string; name: string; unitId: string; lifeEvents: string[] }>;
  assert.ok(items.length > 0);
  const guides = links.filter((h) => h.startsWith('/services/items/'));
  assert.ok(guides.length >= Math.min(items.length, 3), `hot items: ${guides.length}`);
  const published = new Set(items.map((i) => `/services/items/${i.id}`));
  for (const href of guides) assert.ok(published.has(href), `hot item ${href} is a published item`);

  // By department: the units that have published items, and only those.
  const unitLinks = links.filter((h) => h.startsWith('/services?unit='));
  assert.deepEqual(new Set(unitLinks), new Set(items.map((i) => `/services?unit=${i.unitId}`)));
  assert.ok(body.includes('云川市行政审批服务局'));

  // By life event: the events of the published items, the national ones first.
  const events = links.filter((h) => h.startsWith('/services?lifeEvent=')).map((h) => decodeURIComponent(h.split('=')[1]));
  assert.deepEqual(new Set(events), new Set(items.flatMap((i) => i.lifeEvents)));
  const known = events.filter((e) => LIFE_EVENTS.includes(e));
  assert.deepEqual(known, [...known].sort((a, b) => LIFE_EVENTS.indexOf(a) - LIFE_EVENTS.indexOf(b)));

  // Every link of the home answers: the guides and the hall's filters (target, unit, lifeEvent).
  for (const href of [...new Set(links.filter((h) => h.startsWith('/services')))]) {
    const res = await ctx.app.inject({ method: 'GET', url: href });
    assert.ok(res.statusCode === 200, `${href}: ${res.statusCode}`);
  }
});

test('English home page: the city name and every label translated', async () => {
  const home = await ctx.app.inject({ method: 'GET', url: '/', cookies: { zt_lang: 'en' } });
  assert.equal(home.statusCode, 200);
  assert.ok(home.body.includes('云川市 Government Services'));
  assert.ok(home.body.includes('For individuals'));
  assert.ok(!home.body.includes('page.'));
});

test('ZT_CITY_NAME names the portal without the demo', async () => {
  const other = await createTestContext({ env: { ZT_CITY_NAME: '青州市' } });
  try {
    const home = await other.app.inject({ method: 'GET', url: '/' });
    assert.match(home.body, /<h1 id="hero-title">青州市政务服务网<\/h1>/);
    assert.ok(home.body.includes('id="home-q"'));
  } finally {
    await other.close();
  }
});
