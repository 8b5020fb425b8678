/**
 * The site group end to end through HTTP: publishing writes the pages that show an article (its
 * page, its column's list, the site's home, the feed) before the call answers; the files are what
 * the server renders on demand, served byte for byte; edits, shares and withdrawals follow; the
 * sitemap lists published articles only; search finds a new article and forgets a withdrawn one;
 * a full rebuild writes the same bytes again.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { TestUser } from '../../../test/helpers.ts';
import { pageFile, publicRoot, rebuildStatic } from '../../platform/static/index.ts';
import { portalFixture, type PortalFixture } from './testing.ts';
import { renderPortalPage } from './public/pages.ts';
import { portalPagesSource } from './public/source.ts';
import { runPortalSchedule } from './jobs.ts';

let f: PortalFixture;
let main: { id: string; url: string };
let edu: { id: string; url: string };
const col: Record<string, { id: string; url: string }> = {};

type Node = { id: string; name: string; url: string; children: Node[] };
const flatten = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);
const file = (path: string) => pageFile(publicRoot(f.ctx.platform.config), null, path);
const onDisk = (path: string) => (fs.existsSync(file(path)) ? fs.readFileSync(file(path), 'utf8') : null);

before(async () => {
  f = await portalFixture();
  const make = async (body: object) => {
    const res = await f.post(f.people.sysadmin, '/api/v1/portal/sites', body);
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { id: string; url: string };
  };
  main = await make({ name: '云川市人民政府', kind: 'main', unitId: f.units.office, slug: 'www' });
  edu = await make({ name: '云川市教育局', kind: 'department', unitId: f.units.edu, slug: 'edu' });
  for (const [site, user, prefix] of [[main, f.people.officeEditor, 'main'], [edu, f.people.eduEditor, 'edu']] as const) {
    for (const c of flatten((await f.get(user, `/api/v1/portal/sites/${site.id}/columns`)).json().items)) col[`${prefix}.${c.name}`] = c;
  }
  assert.equal((await f.patch(f.people.eduEditor, `/api/v1/portal/columns/${col['edu.部门动态'].id}`, { needsReview: false })).statusCode, 200);
});
after(() => f?.ctx.close());

async function publish(user: TestUser, siteId: string, columnId: string, title: string): Promise<{ id: string; url: string }> {
  const made = await f.post(user, '/api/v1/portal/articles', { siteId, columnId, title, body: `<p>${title}。各校要落实安全责任。</p>` });
  assert.equal(made.statusCode, 201, made.body);
  const sent = await f.post(user, `/api/v1/portal/articles/${made.json().id}/submit`, {});
  assert.equal(sent.json().status, 'published', sent.body);
  const read = await f.get(user, `/api/v1/portal/articles/${made.json().id}`);
  return { id: made.json().id, url: read.json().url };
}

let article: { id: string; url: string };
const TITLE = '全市中小学开展消防安全演练';

test('publishing writes the article page, its list, the home page and the feed before the call answers', async () => {
  article = await publish(f.people.eduEditor, edu.id, col['edu.部门动态'].id, TITLE);
  assert.equal(article.url, `${col['edu.部门动态'].url}${article.id}.html`);
  for (const path of [article.url, col['edu.部门动态'].url, '/s/edu/', `${col['edu.部门动态'].url}rss.xml`]) assert.match(onDisk(path) ?? '', new RegExp(TITLE), path);
});

test('the file is what the server renders on demand, and GET serves exactly the file', async () => {
  for (const path of [article.url, col['edu.部门动态'].url, '/s/edu/', '/']) {
    const bytes = fs.readFileSync(file(path));
    const served = await f.ctx.app.inject({ method: 'GET', url: path });
    assert.equal(served.statusCode, 200, path);
    assert.deepEqual(served.rawPayload, bytes, path);
    const rendered = await renderPortalPage(f.ctx.platform, { host: null, path });
    assert.deepEqual(Buffer.from(rendered!.body), bytes, path);
    // With a personal cookie the routes render it (the published file is not served): the same bytes.
    assert.deepEqual((await f.ctx.app.inject({ method: 'GET', url: path, headers: { cookie: 'zt_display=large' } })).rawPayload, bytes, `${path} on demand`);
  }
});

test('the main site is the home page at /', async () => {
  const home = await f.ctx.app.inject({ method: 'GET', url: '/', headers: { cookie: 'zt_display=large' } });
  assert.equal(home.statusCode, 200);
  assert.match(home.body, /云川市人民政府/);
  assert.match(home.body, /lang="zh-CN"/);
});

test('an edit is on every page by the time the call answers', async () => {
  const res = await f.patch(f.people.eduEditor, `/api/v1/portal/articles/${article.id}`, { title: `${TITLE}（更新）` });
  assert.equal(res.statusCode, 200, res.body);
  for (const path of [article.url, col['edu.部门动态'].url, '/s/edu/']) assert.match(onDisk(path) ?? '', /消防安全演练（更新）/, path);
});

test('an accepted share appears in the main site\'s shared column with its source site', async () => {
  const share = await f.post(f.people.eduEditor, `/api/v1/portal/articles/${article.id}/share`, { columnId: col['main.新闻'].id });
  assert.equal(share.statusCode, 201, share.body);
  assert.doesNotMatch(onDisk(col['main.新闻'].url) ?? '', /消防安全演练/, 'not before it is accepted');
  assert.equal((await f.post(f.people.officeEditor, `/api/v1/portal/shares/${share.json().id}/accept`, {})).statusCode, 200);
  const list = onDisk(col['main.新闻'].url) ?? '';
  assert.match(list, /消防安全演练/);
  assert.match(list, /云川市教育局/);
  const copy = onDisk(`${col['main.新闻'].url}${article.id}.html`) ?? '';
  assert.match(copy, /消防安全演练/);
  assert.match(copy, /云川市教育局/);
});

test('the sitemap lists published articles only', async () => {
  const draft = await f.post(f.people.eduEditor, '/api/v1/portal/articles', { siteId: edu.id, columnId: col['edu.部门动态'].id, title: '草稿不公开', body: '<p>草稿</p>' });
  const sitemap = (await f.ctx.app.inject({ method: 'GET', url: '/s/edu/sitemap.xml' })).body;
  assert.match(sitemap, new RegExp(`${article.id}\\.html`));
  assert.doesNotMatch(sitemap, new RegExp(draft.json().id));
});

test('search finds a new article by two Chinese words; bad input is a clear refusal, never a 500', async () => {
  const found = await f.get(null, `/api/v1/portal/search?q=${encodeURIComponent('消防 演练')}`);
  assert.equal(found.statusCode, 200, found.body);
  assert.equal(found.json().total, 1);
  const [hit] = found.json().items;
  assert.deepEqual(Object.keys(hit).filter((k) => ['id', 'title', 'url', 'snippet', 'publishedAt'].includes(k)).sort(), ['id', 'publishedAt', 'snippet', 'title', 'url']);
  assert.equal(hit.url, article.url);
  assert.equal((await f.get(null, `/api/v1/portal/search?q=${encodeURIComponent('演练')}&siteId=${edu.id}`)).json().total, 1);
  assert.equal((await f.get(null, `/api/v1/portal/search?q=${encodeURIComponent('演练')}&siteId=${main.id}`)).json().total, 0);
  assert.equal((await f.get(null, `/api/v1/portal/search?q=${encodeURIComponent('校')}`)).statusCode, 200, 'one character works');
  for (const q of ['', '！？。，', '教'.repeat(1000)]) {
    const res = await f.get(null, `/api/v1/portal/search?q=${encodeURIComponent(q)}`);
    assert.ok(res.statusCode === 422 || res.statusCode === 400, `${q.slice(0, 5)}: ${res.statusCode}`);
    assert.match(String(res.headers['content-type']), /problem\+json/);
  }
  const page = await f.ctx.app.inject({ method: 'GET', url: `/s/edu/search?q=${encodeURIComponent('消防演练')}` });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<mark>/);
  assert.equal((await f.ctx.app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent('！？')}` })).statusCode, 200, 'the page shows no result');
});

test('a withdrawal takes the article off every page, the shared column included, and out of search', async () => {
  const res = await f.post(f.people.eduEditor, `/api/v1/portal/articles/${article.id}/withdraw`, { reason: '信息有误' });
  assert.equal(res.statusCode, 200, res.body);
  for (const path of [col['edu.部门动态'].url, '/s/edu/', col['main.新闻'].url, `${col['edu.部门动态'].url}rss.xml`]) assert.doesNotMatch(onDisk(path) ?? '', /消防安全演练/, path);
  assert.equal(onDisk(article.url), null);
  assert.equal(onDisk(`${col['main.新闻'].url}${article.id}.html`), null);
  assert.equal((await f.ctx.app.inject({ method: 'GET', url: article.url })).statusCode, 404);
  assert.equal((await f.ctx.app.inject({ method: 'GET', url: `${col['main.新闻'].url}${article.id}.html` })).statusCode, 404);
  assert.equal((await f.get(null, `/api/v1/portal/search?q=${encodeURIComponent('消防 演练')}`)).json().total, 0);
  assert.doesNotMatch((await f.ctx.app.inject({ method: 'GET', url: '/s/edu/sitemap.xml' })).body, new RegExp(article.id));
});

test('other paths keep their 404s', async () => {
  assert.match(String((await f.ctx.app.inject({ method: 'GET', url: '/api/v1/nothing-here' })).headers['content-type']), /problem\+json/);
  assert.equal((await f.ctx.app.inject({ method: 'GET', url: '/no-such-column/' })).statusCode, 404);
  assert.equal((await f.ctx.app.inject({ method: 'GET', url: '/s/nosuchsite/' })).statusCode, 404);
});

test('a full rebuild writes the same bytes, and puts back what was lost', async () => {
  const second = await publish(f.people.eduEditor, edu.id, col['edu.部门动态'].id, '教育局召开营商环境优化工作会议');
  const before = fs.readFileSync(file(second.url));
  fs.rmSync(file(second.url));
  fs.rmSync(file('/s/edu/'));
  await rebuildStatic(f.ctx.platform, {});
  assert.deepEqual(fs.readFileSync(file(second.url)), before);
  assert.match(onDisk('/s/edu/') ?? '', /营商环境/);
  assert.deepEqual((await f.ctx.app.inject({ method: 'GET', url: '/s/edu/' })).rawPayload, fs.readFileSync(file('/s/edu/')));
});

test('a rebuild resumes after its saved position: the sites already done are not emitted again', async () => {
  const emitted: Array<{ paths: string[]; cursor?: string }> = [];
  const collect = async (pages: Array<{ path: string }>, cursor?: string) => void emitted.push({ paths: pages.map((p) => p.path), cursor });
  await portalPagesSource.rebuild(f.ctx.platform, {}, collect);
  const cursors = emitted.map((e) => e.cursor).filter(Boolean) as string[];
  assert.ok(cursors[0].startsWith('a:'), 'article pages first');
  assert.deepEqual(cursors.slice(-2).sort(), [`s:${main.id}`, `s:${edu.id}`].sort(), 'then each site');
  const [first, second] = cursors.slice(-2).map((c) => c.slice(2));
  emitted.length = 0;
  await portalPagesSource.rebuild(f.ctx.platform, { after: `s:${first}` }, collect);
  const paths = emitted.flatMap((e) => e.paths);
  const secondPrefix = second === edu.id ? '/s/edu/' : '/';
  assert.ok(paths.length > 0 && paths.every((p) => p.startsWith(secondPrefix) && (secondPrefix !== '/' || !p.startsWith('/s/'))), 'only the site after the saved one');
  assert.ok(!paths.some((p) => /\/[0-9a-f-]{36}\.html$/.test(p)), 'no article page again');
});

test('list pages count from the oldest: a new article re-renders the index, not the archive pages', async () => {
  const column = col['edu.通知公告'];
  assert.equal((await f.patch(f.people.eduEditor, `/api/v1/portal/columns/${column.id}`, { needsReview: false, pageSize: 5 })).statusCode, 200);
  const titles: string[] = [];
  for (let i = 1; i <= 11; i++) {
    f.clock.advance(60_000);
    titles.push(`教育局第${i}号通知`);
    await publish(f.people.eduEditor, edu.id, column.id, titles[i - 1]);
  }
  // 11 items, 5 a page: the index shows 7–11, index_2 holds 6–10, index_1 holds 1–5.
  const index = onDisk(column.url) ?? '';
  for (const n of [7, 11]) assert.match(index, new RegExp(`第${n}号通知`));
  assert.doesNotMatch(index, /第6号通知/);
  assert.match(onDisk(`${column.url}index_1.html`) ?? '', /第1号通知[\s\S]*/);
  assert.doesNotMatch(onDisk(`${column.url}index_1.html`) ?? '', /第6号通知/);
  assert.match(onDisk(`${column.url}index_2.html`) ?? '', /第6号通知/);
  assert.equal(onDisk(`${column.url}index_3.html`), null);
  const archive = [1, 2].map((k) => fs.statSync(file(`${column.url}index_${k}.html`)).mtimeMs);
  const indexBefore = fs.statSync(file(column.url)).mtimeMs;
  await new Promise((resolve) => setTimeout(resolve, 20));
  f.clock.advance(60_000);
  await publish(f.people.eduEditor, edu.id, column.id, '教育局第12号通知');
  assert.match(onDisk(column.url) ?? '', /第12号通知/);
  assert.ok(fs.statSync(file(column.url)).mtimeMs > indexBefore, 'the index is new');
  assert.deepEqual([1, 2].map((k) => fs.statSync(file(`${column.url}index_${k}.html`)).mtimeMs), archive, 'the archive pages were not written again');
  // Each page equals its on-demand rendering.
  for (const path of [column.url, `${column.url}index_1.html`, `${column.url}index_2.html`]) {
    assert.deepEqual(Buffer.from((await renderPortalPage(f.ctx.platform, { host: null, path }))!.body), fs.readFileSync(file(path)), path);
  }
});

test('the schedule job publishes a scheduled article: its pages are written when the job returns', async () => {
  const column = col['edu.部门动态'];
  const at = new Date(f.clock.now().getTime() + 3600_000).toISOString();
  const made = await f.post(f.people.eduEditor, '/api/v1/portal/articles', { siteId: edu.id, columnId: column.id, title: '教育局定时发布的通知', body: '<p>定时发布。</p>', publishAt: at });
  assert.equal(made.statusCode, 201, made.body);
  const sent = await f.post(f.people.eduEditor, `/api/v1/portal/articles/${made.json().id}/submit`, {});
  assert.equal(sent.json().scheduled, true, sent.body);
  assert.doesNotMatch(onDisk(column.url) ?? '', /定时发布的通知/);
  f.clock.advance(3600_000 + 1000);
  assert.equal((await runPortalSchedule(f.ctx.platform)).published, 1);
  assert.match(onDisk(column.url) ?? '', /定时发布的通知/);
  assert.match(onDisk(`${column.url}${made.json().id}.html`) ?? '', /定时发布的通知/);
});

test('a site given its own host name is published under that host; its old addresses go', async () => {
  const host = 'jyj.yunchuan.gov.cn';
  const res = await f.patch(f.people.sysadmin, `/api/v1/portal/sites/${edu.id}`, { hostName: host });
  assert.equal(res.statusCode, 200, res.body);
  const root = publicRoot(f.ctx.platform.config);
  assert.ok(fs.existsSync(pageFile(root, host, '/')), 'its home under the host');
  const home = await f.ctx.app.inject({ method: 'GET', url: '/', headers: { host } });
  assert.equal(home.statusCode, 200);
  assert.deepEqual(home.rawPayload, fs.readFileSync(pageFile(root, host, '/')));
  assert.match(home.body, /云川市教育局/);
  assert.equal((await f.ctx.app.inject({ method: 'GET', url: '/s/edu/' })).statusCode, 404);
  assert.equal(onDisk('/s/edu/'), null);
  // An article page at the new address, published or on demand.
  const [item] = (await f.get(null, `/api/v1/portal/search?q=${encodeURIComponent('通知')}&siteId=${edu.id}&limit=1`)).json().items;
  const url = new URL(item.url);
  assert.equal(url.hostname, host);
  const page = await f.ctx.app.inject({ method: 'GET', url: url.pathname, headers: { host } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<h1[^>]*>[^<]*通知<\/h1>/);
});
