import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestContext, type TestContext } from '../../../test/helpers.ts';
import { seedDemo } from '../../platform/demo/seed.ts';
import { DEMO_ARTICLES } from './demo-articles.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ env: { ZT_DEMO_PASSWORD: 'Yunchuan-Demo-1', ZT_DEMO_CASES: '0' } });
  await seedDemo(ctx.platform);
});
after(() => ctx?.close());

const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(ctx.platform.db)).rows;

test('the demo city has its site group: a main site, sub-sites from templates, published articles, shares decided and waiting', async () => {
  const sites = await rows(sql<{ name: string; kind: string }>`select name, kind from portal_sites order by name`);
  assert.deepEqual(sites.map((s) => s.kind).sort(), ['county', 'department', 'main', 'topic']);
  const articles = await rows(sql<{ status: string }>`select status from portal_articles`);
  assert.equal(articles.length, DEMO_ARTICLES.length);
  assert.ok(articles.every((a) => a.status === 'published'));
  const shares = await rows(sql<{ status: string }>`select status from portal_shares`);
  assert.deepEqual([...new Set(shares.map((s) => s.status))].sort(), ['accepted', 'declined', 'pending']);
  // The people did it: the audit log names them, not the loader.
  const actors = new Set((await rows(sql<{ actor_name: string }>`select distinct actor_name from audit_log where action like 'portal.%' and actor_name is not null`)).map((a) => a.actor_name));
  for (const who of ['sysadmin', 'editor', 'office_editor', 'edu_editor', 'qingxi_editor']) assert.ok(actors.has(who), `${who} in the audit log: ${[...actors]}`);
  // A shared column of the main site shows the sub-sites' accepted news.
  const [column] = await rows(sql<{ id: string }>`select c.id from portal_columns c join portal_sites s on s.id = c.site_id where s.kind = 'main' and c.name = '部门动态'`);
  const items = (await ctx.app.inject({ method: 'GET', url: `/api/v1/portal/columns/${column.id}/items` })).json().items;
  assert.ok(items.length >= 2 && items.every((i: { shared: boolean; sourceSiteName: string }) => i.shared && i.sourceSiteName === '云川市教育局'));
  // A second load adds nothing.
  await seedDemo(ctx.platform);
  const [again] = await rows(sql<{ n: number }>`select count(*)::int as n from portal_articles`);
  assert.equal(again.n, DEMO_ARTICLES.length);
});

test('the demo site group is published: the main site at /, its pages on disk, its articles found by search', async () => {
  const home = await ctx.app.inject({ method: 'GET', url: '/' });
  assert.equal(home.statusCode, 200);
  const [main] = await rows(sql<{ name: string }>`select name from portal_sites where kind = 'main'`);
  assert.match(home.body, new RegExp(main.name));
  const newest = DEMO_ARTICLES.filter((a) => a.site === 'main').sort((a, b) => a.daysAgo - b.daysAgo)[0];
  assert.ok(home.body.includes(newest.title.replace(/&/g, '&amp;').replace(/"/g, '&quot;')), 'the newest main-site article is on the home page');
  for (const q of ['教育', '营商环境']) {
    const found = (await ctx.app.inject({ method: 'GET', url: `/api/v1/portal/search?q=${encodeURIComponent(q)}` })).json();
    assert.ok(found.total > 0, `${q} finds articles`);
    const page = await ctx.app.inject({ method: 'GET', url: found.items[0].url });
    assert.equal(page.statusCode, 200, found.items[0].url);
  }
});

test('the demo\'s disclosure items are found by search, filtered by their first-level category', async () => {
  const all = (await ctx.app.inject({ method: 'GET', url: `/api/v1/portal/search?q=${encodeURIComponent('营商环境 解读')}&limit=50` })).json();
  assert.ok(all.items.some((i: { url: string }) => i.url.startsWith('/xxgk/')), `a disclosure item is among the results: ${JSON.stringify(all).slice(0, 400)}`);
  const documents = (await ctx.app.inject({ method: 'GET', url: `/api/v1/portal/search?q=${encodeURIComponent('营商环境')}&category=documents` })).json();
  assert.ok(documents.total > 0 && documents.items.every((i: { url: string }) => i.url.startsWith('/xxgk/')));
  const page = await ctx.app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent('营商环境')}&category=documents` });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /公开类别/);
});
