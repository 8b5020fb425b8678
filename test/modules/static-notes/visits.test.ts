/**
 * Visits of published pages: counted per day, host and path where the file is served, added to the
 * table by the job in one statement, summed per folder (a column) and day; nothing about the visitor
 * is stored, and feeds, HEAD requests and pages the routes render are not counted as page visits.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../../../src/platform/db/index.ts';
import { createTestContext, TestClock, type TestContext } from '../../helpers.ts';
import { flushVisits, rebuildStatic, visitFigures } from '../../../src/platform/static/index.ts';
import { notePath, staticNotesModule, topicPath } from './index.ts';

const clock = new TestClock(new Date('2026-12-09T02:00:00Z'));
let ctx: TestContext;

const get = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url, headers: { 'x-forwarded-for': '203.0.113.9', 'user-agent': 'Visitor/1.0', ...headers } });
const job = (name: string) => ctx.platform.modules.jobs.find((j) => j.name === name)!;

before(async () => {
  ctx = await createTestContext({ clock, modules: [staticNotesModule] });
  const db = ctx.platform.db;
  await sql`insert into notes_topics (id, name, host) values (1, '通知公告', null), (2, '政策解读', null)`.execute(db);
  await sql`select setval(pg_get_serial_sequence('notes_topics', 'id'), 2)`.execute(db);
  for (let i = 1; i <= 4; i++) await sql`insert into notes_items (topic_id, title, published) values (${(i % 2) + 1}, ${`第${i}号通知`}, true)`.execute(db);
  await rebuildStatic(ctx.platform, {});
});
after(() => ctx?.close());

test('served pages are counted per day and path, flushed by the job, and summed per folder', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await get(notePath(1))).statusCode, 200);
  assert.equal((await get(notePath(2))).statusCode, 200);
  assert.equal((await get(topicPath(1))).statusCode, 200);
  // A revisit answered 304 is a visit too; HEAD is not.
  const etag = String((await get(notePath(2))).headers.etag);
  assert.equal((await get(notePath(2), { 'if-none-match': etag })).statusCode, 304);
  assert.equal((await ctx.app.inject({ method: 'HEAD', url: notePath(1) })).statusCode, 200);
  // Nothing is written until the job runs.
  assert.equal(Number((await sql<{ n: string }>`select count(*) as n from static_visits`.execute(ctx.platform.db)).rows[0].n), 0);
  await job('static.visits').run(ctx.platform);

  const rows = (await sql<{ day: string; host: string; path: string; visits: string }>`select to_char(day, 'YYYY-MM-DD') as day, host, path, visits from static_visits order by path`.execute(ctx.platform.db)).rows;
  const byPath = new Map(rows.map((r) => [r.path, Number(r.visits)]));
  assert.equal(byPath.get(notePath(1)), 3);
  assert.equal(byPath.get(notePath(2)), 3);
  assert.equal(byPath.get(topicPath(1)), 1);
  assert.ok(rows.every((r) => r.day === '2026-12-09' && r.host === '_'));
  // The table has no column that could hold the visitor's address, browser or cookie.
  const columns = (await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'static_visits' order by column_name`.execute(ctx.platform.db)).rows.map((r) => r.column_name);
  assert.deepEqual(columns, ['day', 'host', 'path', 'visits']);

  // A later flush adds to the same day's rows; the next Shanghai day starts new ones.
  await get(notePath(1));
  clock.set(new Date('2026-12-09T16:30:00Z'));
  await get(notePath(1));
  assert.equal(await flushVisits(ctx.platform), 2);
  assert.equal(await flushVisits(ctx.platform), 0, 'nothing left to add');
  const figures = await visitFigures(ctx.platform.db, { from: '2026-12-09', to: '2026-12-10' });
  const folderOf = (p: string) => p.replace(/[^/]*$/, '');
  const sum = (day: string, folder: string) => figures.filter((f) => f.day === day && f.folder === folder).reduce((n, f) => n + f.visits, 0);
  // Notes share one folder; a topic's list has its own.
  assert.equal(folderOf(notePath(1)), folderOf(notePath(2)));
  assert.equal(sum('2026-12-09', folderOf(notePath(1))), 7);
  assert.equal(sum('2026-12-09', folderOf(topicPath(1))), 1);
  assert.equal(sum('2026-12-10', folderOf(notePath(1))), 1);
  assert.deepEqual(await visitFigures(ctx.platform.db, { from: '2026-12-11', to: '2026-12-12' }), []);
});

test('pages the routes render (a query, a personal cookie) and API paths are not counted from files', async () => {
  await flushVisits(ctx.platform);
  await sql`delete from static_visits`.execute(ctx.platform.db);
  await get(`${notePath(3)}?lang=en`);
  await get(notePath(3), { cookie: 'zt_display=large' });
  await get('/api/v1/health');
  assert.equal(await flushVisits(ctx.platform), 0);
});
