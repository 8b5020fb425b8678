/**
 * Static publishing through a module it has never heard of (notes under topics): full rebuild,
 * serving byte for byte with ETag/304/HEAD, incremental re-rendering of exactly the dependent
 * pages, removal, the route-await guarantee, the job draining a committed queue, an interrupted
 * rebuild resumed, temporary files never served, paths that escape refused, host folders.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from '../../../src/platform/db/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../../src/platform/db/work.ts';
import { bearer, createTestContext, makeUnit, makeUser, seedRegions, TEST_PG_URL, TestClock, type TestContext } from '../../helpers.ts';
import { directAnswers, rebuildChangedLayouts, markStale, publicRoot, publishingBatch, publishStale, rebuildStatic, StaticPathError, writePages } from '../../../src/platform/static/index.ts';
import { notePath, notesSource, probe, staticNotesModule, topicPath } from './index.ts';

const clock = new TestClock(new Date('2026-12-09T02:00:00Z'));
let ctx: TestContext;
let root: string;
const HOST = 'news.example.gov.cn';

const file = (pagePath: string, host = '_') => path.join(root, host, ...pagePath.slice(1).split('/').map((s, i, all) => (i === all.length - 1 && s === '' ? 'index.html' : s)));
const get = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url, headers });
const renders = (key: string) => probe.renders.get(key) ?? 0;
const pageRow = async (host: string, p: string) =>
  (await sql<{ digest: string; published_at: Date; size: number }>`select digest, published_at, size from static_pages where host = ${host} and path = ${p}`.execute(ctx.platform.db)).rows[0];
const queued = async () => Number((await sql<{ n: string }>`select count(*) as n from static_queue`.execute(ctx.platform.db)).rows[0].n);
const job = (name: string) => ctx.platform.modules.jobs.find((j) => j.name === name)!;

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

before(async () => {
  ctx = await createTestContext({ clock, modules: [staticNotesModule] });
  root = publicRoot(ctx.platform.config);
  const db = ctx.platform.db;
  await sql`insert into notes_topics (id, name, host) values (1, '通知公告', null), (2, '政策解读', null), (3, '部门动态', ${HOST})`.execute(db);
  await sql`select setval(pg_get_serial_sequence('notes_topics', 'id'), 3)`.execute(db);
  for (let i = 1; i <= 7; i++) await sql`insert into notes_items (topic_id, title, published) values (${(i % 3) + 1}, ${`第${i}号通知`}, true)`.execute(db);
});
after(() => ctx?.close());
beforeEach(() => probe.renders.clear());

test('a full rebuild publishes every page; each is served byte for byte as on disk, with ETag, 304, HEAD and no-cache', async () => {
  const result = await rebuildStatic(ctx.platform, {});
  // 7 notes, 3 topic lists, the index.
  assert.equal(result.pages, 11);
  assert.equal(result.written, 11);
  const res = await get(notePath(1));
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['x-rendered'], undefined, 'served from the file, not by the route');
  assert.deepEqual(res.rawPayload, fs.readFileSync(file(notePath(1))));
  // And equal to what the source renders now.
  const rendered = await staticNotesModule.staticPages![0].render(ctx.platform, { host: null, path: notePath(1) });
  assert.equal(res.body, rendered!.body);
  assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
  assert.equal(res.headers['cache-control'], 'no-cache');
  const row = await pageRow('_', notePath(1));
  assert.equal(res.headers.etag, `"${row.digest}"`);
  assert.equal(row.size, res.rawPayload.length);
  assert.equal(row.published_at.toISOString(), clock.now().toISOString());
  // The platform's policy, with no nonce: a published page relies on no inline script or style.
  assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
  assert.doesNotMatch(String(res.headers['content-security-policy']), /nonce/);

  const again = await get(notePath(1), { 'if-none-match': String(res.headers.etag) });
  assert.equal(again.statusCode, 304);
  assert.equal(again.rawPayload.length, 0);
  const head = await ctx.app.inject({ method: 'HEAD', url: notePath(1) });
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers['content-length'], String(row.size));
  assert.equal(head.headers.etag, res.headers.etag);
  // A folder's page is its index.html.
  assert.deepEqual((await get('/notes/')).rawPayload, fs.readFileSync(path.join(root, '_', 'notes', 'index.html')));
  assert.equal(walk(root).filter((f) => f.endsWith('.tmp')).length, 0);
});

test('an edit re-renders exactly the pages that show the note, before the call answers; the others keep their bytes and time', async () => {
  const untouched = [notePath(2), notePath(3), topicPath(1), '/notes/'];
  const before = new Map(untouched.map((p) => [p, fs.statSync(file(p)).mtimeMs]));
  const digests = new Map(await Promise.all(untouched.map(async (p) => [p, (await pageRow('_', p)).digest] as const)));
  clock.advance(60_000);
  // Note 1 is in topic 2 (1 % 3 + 1).
  const res = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/notes/1', payload: { title: '第1号通知（修订）' } });
  assert.equal(res.statusCode, 200, res.body);
  // Already on disk when the call has answered.
  assert.match(fs.readFileSync(file(notePath(1)), 'utf8'), /第1号通知（修订）/);
  assert.match(fs.readFileSync(file(topicPath(2)), 'utf8'), /第1号通知（修订）/);
  assert.deepEqual([...probe.renders.keys()].sort(), [`_${notePath(1)}`, `_${topicPath(2)}`].sort());
  assert.equal(renders(`_${notePath(1)}`), 1);
  for (const p of untouched) {
    assert.equal(fs.statSync(file(p)).mtimeMs, before.get(p), `${p} not rewritten`);
    assert.equal((await pageRow('_', p)).digest, digests.get(p));
  }
  assert.equal((await pageRow('_', notePath(1))).published_at.toISOString(), clock.now().toISOString());
  assert.equal(await queued(), 0);
  assert.match((await get(notePath(1))).body, /修订/);
});

test('a new note is published with its list; a withdrawn one disappears from its list and its address falls through to the routes', async () => {
  const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/notes', payload: { topicId: 1, title: '新发布的通知' } });
  assert.equal(created.statusCode, 201, created.body);
  const id = created.json().id as number;
  assert.ok(fs.existsSync(file(notePath(id))), 'the named page is published by the time the call answers');
  assert.match(fs.readFileSync(file(topicPath(1)), 'utf8'), /新发布的通知/);
  assert.equal((await get(notePath(id))).headers['x-rendered'], undefined);

  probe.renders.clear();
  const withdrawn = await ctx.app.inject({ method: 'POST', url: `/api/v1/notes/${id}/withdraw` });
  assert.equal(withdrawn.statusCode, 200, withdrawn.body);
  assert.equal(fs.existsSync(file(notePath(id))), false);
  assert.equal(await pageRow('_', notePath(id)), undefined);
  assert.doesNotMatch(fs.readFileSync(file(topicPath(1)), 'utf8'), /新发布的通知/);
  assert.equal((await sql`select 1 from static_page_deps where path = ${notePath(id)}`.execute(ctx.platform.db)).rows.length, 0);
  // No file: the route renders on demand, and says the note is gone.
  const res = await get(notePath(id));
  assert.equal(res.statusCode, 404);
  assert.equal(res.body, 'gone');
});

test('stale keys committed without publishing (a crash after commit) are published by the job', async () => {
  const res = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/notes/topics/2', payload: { name: '政策解读与问答' } });
  assert.equal(res.statusCode, 200, res.body);
  // The same through a unit of work that marks and commits, nothing else.
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => markStale(work, ['topic:1']));
  assert.ok((await queued()) >= 2);
  assert.doesNotMatch(fs.readFileSync(file('/notes/'), 'utf8'), /政策解读与问答/);
  // A crash keeps its lease for a while; once it has run out, any process takes the rows over.
  await sql`update static_queue set lease_owner = 'dead-process', lease_until = ${new Date(clock.now().getTime() + 1000)}`.execute(ctx.platform.db);
  clock.advance(2000);
  await job('static.publish').run(ctx.platform);
  assert.equal(await queued(), 0);
  assert.match(fs.readFileSync(file('/notes/'), 'utf8'), /政策解读与问答/);
  assert.match(fs.readFileSync(file(topicPath(2)), 'utf8'), /政策解读与问答/);
  // Every note of topic 2 shows its name: re-rendered through the 'topic:2' key.
  const inTopic2 = (await sql<{ id: number }>`select id from notes_items where topic_id = 2 and published`.execute(ctx.platform.db)).rows;
  for (const { id } of inTopic2) assert.match(fs.readFileSync(file(notePath(id)), 'utf8'), /政策解读与问答/);
  assert.equal(renders(`_${notePath(3)}`), 1, 'note 3 is in topic 1, marked stale on its own');
  assert.equal(renders(`_${notePath(2)}`), 0, 'note 2 is in topic 3, which nothing marked');
});

test('a rebuild that fails half-way is resumed by the job from where it stood and leaves no temporary file', async () => {
  probe.batches = 0;
  probe.failAfterBatches = 2;
  await assert.rejects(rebuildStatic(ctx.platform, {}), /failed half-way/);
  const [left] = (await sql<{ state: string; cursor: string; pages: string }>`select state, cursor, pages from static_rebuilds order by id desc limit 1`.execute(ctx.platform.db)).rows;
  assert.equal(left.state, 'running');
  assert.equal(Number(left.pages), 4, 'two batches of two notes were saved');
  probe.failAfterBatches = null;
  probe.renders.clear();
  // A temporary file a killed writer left beside a page: never served, removed by the rebuild.
  const orphan = path.join(root, '_', 'notes', `.${notePath(1).split('/').pop()}.0123456789ab.tmp`);
  fs.writeFileSync(orphan, '<p>half a page');
  // Left an hour ago: younger ones may still be being written by another writer, and are kept.
  fs.utimesSync(orphan, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
  const young = path.join(root, '_', 'notes', `.${notePath(2).split('/').pop()}.ba9876543210.tmp`);
  fs.writeFileSync(young, '<p>being written');
  clock.advance(120_000);
  await job('static.rebuild').run(ctx.platform);
  const [done] = (await sql<{ state: string; pages: string }>`select state, pages from static_rebuilds order by id desc limit 1`.execute(ctx.platform.db)).rows;
  assert.equal(done.state, 'done');
  // 7 published notes: 4 before the failure, 3 after it, then 3 lists and the index.
  assert.equal(Number(done.pages), 11);
  assert.equal(fs.existsSync(orphan), false);
  assert.equal(fs.existsSync(young), true);
  fs.rmSync(young);
  assert.equal(walk(root).filter((f) => path.basename(f).startsWith('.')).length, 0);
  assert.equal(await queued(), 0);
});

test('temporary files and paths outside the public folder are never served; escaping paths are refused when publishing', async () => {
  fs.writeFileSync(path.join(root, '_', 'notes', '.1.html.abc.tmp'), 'partial');
  fs.writeFileSync(path.join(root, 'secret.html'), 'outside any host folder');
  for (const url of ['/notes/.1.html.abc.tmp', '/notes/%2E1.html.abc.tmp', '/../secret.html', '/%2E%2E/secret.html', '/notes/..%2F..%2Fsecret.html', '/notes/%00.html', '/notes/a%5C..%5Csecret.html']) {
    const res = await get(url);
    assert.doesNotMatch(res.body, /partial|outside any host/, url);
  }
  // Only GET and HEAD; never under /api/, /console/, /assets/.
  fs.mkdirSync(path.join(root, '_', 'api', 'v1'), { recursive: true });
  fs.writeFileSync(path.join(root, '_', 'api', 'v1', 'me.html'), 'not an api answer');
  assert.doesNotMatch((await get('/api/v1/me.html')).body, /not an api answer/);
  assert.notEqual((await ctx.app.inject({ method: 'POST', url: notePath(2) })).statusCode, 200);
  for (const bad of ['/../x.html', '/a/../../x.html', 'x.html', '/notes/.hidden.html', '/notes/noext', '/a\\b.html', '/a\u0000.html']) {
    await assert.rejects(writePages(ctx.platform, 'notes.pages', [{ host: null, path: bad, body: 'x', dependsOn: [] }]), StaticPathError, bad);
  }
  await assert.rejects(writePages(ctx.platform, 'notes.pages', [{ host: '../etc', path: '/x.html', body: 'x', dependsOn: [] }]), StaticPathError);
});

test('a request for a host with its own folder is served from it; other hosts get the installation folder', async () => {
  assert.ok(fs.existsSync(file(topicPath(3), HOST)), 'topic 3 has its own host name');
  const own = await get(topicPath(3), { host: HOST });
  assert.equal(own.statusCode, 200);
  assert.deepEqual(own.rawPayload, fs.readFileSync(file(topicPath(3), HOST)));
  assert.equal((await get(topicPath(3), { host: `${HOST.toUpperCase()}:8080` })).statusCode, 200, 'host names are case-blind, ports ignored');
  // On the installation's address that page is not published: the routes answer.
  assert.notEqual((await get(topicPath(3), { host: 'localhost' })).rawPayload.toString(), own.rawPayload.toString());
  // The host's folder has no note pages: its visitors get the routes, not the installation's files.
  assert.equal((await get(notePath(2), { host: HOST })).headers['x-rendered'], 'on-demand');
  assert.equal((await get(notePath(2), { host: 'other.example.org' })).headers['x-rendered'], undefined);
});

test('over a socket, a page already in memory is answered before Fastify with the same bytes and headers; an edit is never served stale', async () => {
  await rebuildStatic(ctx.platform, {});
  const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const fetchPage = (p: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${address}${p}`, { headers, method });
  const comparable = (res: Response) => Object.fromEntries([...res.headers].filter(([name]) => !['date', 'x-request-id', 'keep-alive', 'connection'].includes(name)));

  const first = await fetchPage(notePath(5));
  const firstBody = Buffer.from(await first.arrayBuffer());
  const before = directAnswers(ctx.platform);
  const second = await fetchPage(notePath(5));
  assert.equal(directAnswers(ctx.platform), before + 1, 'the second request is answered from memory');
  assert.deepEqual(Buffer.from(await second.arrayBuffer()), firstBody);
  assert.deepEqual(firstBody, fs.readFileSync(file(notePath(5))));
  assert.deepEqual(comparable(second), comparable(first));
  assert.match(String(second.headers.get('content-security-policy')), /script-src 'self'/);
  assert.ok(second.headers.get('x-request-id'));

  const notModified = await fetchPage(notePath(5), { 'if-none-match': String(first.headers.get('etag')) });
  assert.equal(notModified.status, 304);
  const head = await fetchPage(notePath(5), {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(firstBody.length));
  assert.equal(directAnswers(ctx.platform), before + 3);

  // A query, a personal cookie and anything not published go to Fastify's routes.
  assert.equal((await fetchPage(`${notePath(5)}?lang=en`)).headers.get('x-rendered'), 'on-demand');
  assert.equal((await fetchPage(notePath(5), { cookie: 'zt_display=large' })).headers.get('x-rendered'), 'on-demand');
  assert.equal((await fetchPage('/api/v1/nothing-here')).status, 404);
  assert.equal(directAnswers(ctx.platform), before + 3);

  // An edit renames a new file into place: the next answer is the new page, never the one in memory.
  const edited = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/notes/5', payload: { title: '第5号通知（修订）' } });
  assert.equal(edited.statusCode, 200, edited.body);
  const after = await fetchPage(notePath(5));
  const afterBody = Buffer.from(await after.arrayBuffer());
  assert.deepEqual(afterBody, fs.readFileSync(file(notePath(5))));
  assert.notDeepEqual(afterBody, firstBody);
  assert.notEqual(after.headers.get('etag'), first.headers.get('etag'));
});

test('a request with a query or a personal cookie is rendered by the routes', async () => {
  assert.equal((await get(`${notePath(2)}?lang=en`)).headers['x-rendered'], 'on-demand');
  assert.equal((await get(notePath(2), { cookie: 'zt_display=large' })).headers['x-rendered'], 'on-demand');
  assert.equal((await get(notePath(2), { cookie: 'other=1' })).headers['x-rendered'], undefined);
});

test('a rebuild requested through the server is run by the job; pages no source emits any more are removed', async () => {
  await seedRegions(ctx.platform);
  const unit = await makeUnit(ctx.platform);
  const [admin, clerk] = [await makeUser(ctx.platform, unit.id, ['sysadmin']), await makeUser(ctx.platform, unit.id, ['window_clerk'])];
  // A page published earlier that the source no longer produces (its note was deleted outright).
  await sql`delete from notes_items where id = 7`.execute(ctx.platform.db);
  assert.ok(fs.existsSync(file(notePath(7))));
  assert.equal((await ctx.app.inject({ method: 'POST', url: '/api/v1/static/rebuilds', payload: {}, headers: bearer(clerk) })).statusCode, 403);
  const requested = await ctx.app.inject({ method: 'POST', url: '/api/v1/static/rebuilds', payload: {}, headers: bearer(admin) });
  assert.equal(requested.statusCode, 202, requested.body);
  assert.equal(requested.json().state, 'running');
  await job('static.rebuild').run(ctx.platform);
  assert.equal(fs.existsSync(file(notePath(7))), false);
  assert.equal(await pageRow('_', notePath(7)), undefined);
  const status = await ctx.app.inject({ method: 'GET', url: '/api/v1/static/status', headers: bearer(admin) });
  assert.equal(status.statusCode, 200, status.body);
  const body = status.json();
  assert.equal(body.queued, 0);
  assert.equal(body.pages, Number((await sql<{ n: string }>`select count(*) as n from static_pages`.execute(ctx.platform.db)).rows[0].n));
  assert.deepEqual({ id: body.rebuilds[0].id, state: body.rebuilds[0].state }, { id: requested.json().id, state: 'done' });
});

test("a caller waits for its queued pages that another process holds, and takes them over once that process's lease runs out", async () => {
  let batch = '';
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
    await sql`update notes_topics set name = '通知公告（新）' where id = 1`.execute(work.tx);
    markStale(work, ['topics']);
    batch = publishingBatch(work);
  });
  await sql`update static_queue set lease_owner = 'other-process', lease_until = ${new Date(clock.now().getTime() + 60_000)} where batch = ${batch}`.execute(ctx.platform.db);
  let done = false;
  const publishing = publishStale(ctx.platform, { batch }).then((stats) => ((done = true), stats));
  await new Promise((resolve) => setTimeout(resolve, 200));
  if (TEST_PG_URL) {
    // PostgreSQL: another process may be publishing them: the caller waits, the file is not new yet.
    assert.equal(done, false);
    assert.doesNotMatch(fs.readFileSync(file('/notes/'), 'utf8'), /通知公告（新）/);
    clock.advance(61_000);
  }
  // The embedded database has one process: a lease that is not its own is a dead one, taken at once.
  const stats = await publishing;
  assert.equal(stats.rendered, 1);
  assert.match(fs.readFileSync(file('/notes/'), 'utf8'), /通知公告（新）/);
  assert.equal(await queued(), 0);
});

test('a new layout republishes every page once: the rebuild is requested by the first job run, not again', async () => {
  const running = async () => Number((await sql<{ n: string }>`select count(*) as n from static_rebuilds where state = 'running'`.execute(ctx.platform.db)).rows[0].n);
  const page = fs.readFileSync(file(notePath(2)), 'utf8');
  try {
    notesSource.layout = 'layout-1';
    // Pages published before any layout was recorded (an upgrade from a version without it): rebuilt.
    assert.deepEqual(await rebuildChangedLayouts(ctx.platform), ['notes.pages']);
    assert.equal(await running(), 1);
    assert.deepEqual(await rebuildChangedLayouts(ctx.platform), [], 'once per process and layout');
    await job('static.rebuild').run(ctx.platform);
    assert.equal(await running(), 0);
    assert.equal(fs.readFileSync(file(notePath(2)), 'utf8'), page, 'the same bytes: nothing else changed');

    notesSource.layout = 'layout-2';
    assert.deepEqual(await rebuildChangedLayouts(ctx.platform), ['notes.pages']);
    assert.equal(await running(), 1);
    // Another process of the same version finds the record already swapped: no second rebuild.
    assert.deepEqual(await rebuildChangedLayouts({ ...ctx.platform }), [], 'recorded already');
    assert.equal(await running(), 1);
    await job('static.rebuild').run(ctx.platform);
    assert.equal(await running(), 0);

    // A full rebuild made by the new version (a fresh install publishing its demo) records its layout.
    notesSource.layout = 'layout-3';
    await rebuildStatic(ctx.platform, {});
    assert.deepEqual(await rebuildChangedLayouts(ctx.platform), []);
    assert.equal(await running(), 0);
  } finally {
    delete notesSource.layout;
  }
});
