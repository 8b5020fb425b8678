import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { bearer, createTestContext, makeUnit, makeUser, problem, seedRegions, type TestContext } from '../../../test/helpers.ts';
import { AppError } from '../http/errors.ts';
import { keysetPage, readCursor, writeCursor, type Keyset } from './pagination.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
  await sql`create table keyset_probe (id text primary key, at timestamptz not null, day date not null, n integer not null)`.execute(ctx.platform.db);
});
after(() => ctx.close());

interface ProbeRow {
  id: string;
  at: Date;
  day: string;
  n: number;
}
const probe = () => ctx.platform.db.withTables<{ keyset_probe: ProbeRow }>().selectFrom('keyset_probe').selectAll();

const NEWEST_FIRST: Keyset<ProbeRow> = {
  keys: [
    { by: 'at', kind: 'timestamp', of: (r) => r.at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};
const BY_DAY_AND_N: Keyset<ProbeRow> = {
  keys: [
    { by: 'day', kind: 'date', of: (r) => r.day },
    { by: 'n', kind: 'integer', of: (r) => r.n },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'asc',
};

async function walk(keyset: Keyset<ProbeRow>, limit: number) {
  const seen: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: ProbeRow[]; nextCursor: string | null } = await keysetPage(probe(), keyset, { limit, cursor });
    seen.push(...page.items.map((r) => r.id));
    sizes.push(page.items.length);
    cursor = page.nextCursor;
  } while (cursor);
  return { seen, sizes };
}

const rejected = (fn: () => unknown) =>
  assert.throws(fn, (error: unknown) => error instanceof AppError && error.code === 'VALIDATION_FAILED' && error.fieldErrors?.[0]?.path === 'cursor');

test('a cursor carries the last row’s key values and reads back as the kinds say', () => {
  const at = new Date('2026-10-08T01:02:03.456Z');
  const cursor = writeCursor(['timestamp', 'date', 'integer', 'text'], [at, '2026-10-08', 7, '行-1']);
  // Opaque to clients but stable: base64url of a JSON array, as cursors handed out before.
  assert.equal(Buffer.from(cursor, 'base64url').toString('utf8'), '["2026-10-08T01:02:03.456Z","2026-10-08",7,"行-1"]');
  assert.deepEqual(readCursor(cursor, ['timestamp', 'date', 'integer', 'text']), [at, '2026-10-08', 7, '行-1']);
  assert.equal(readCursor(undefined, ['text']), null);
  assert.equal(readCursor('', ['text']), null);
  // An id written as text by an older cursor still reads as an integer.
  assert.deepEqual(readCursor(Buffer.from('["42"]').toString('base64url'), ['integer']), [42]);
});

test('a malformed cursor is VALIDATION_FAILED on `cursor`, whatever is wrong with it', () => {
  const encoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  rejected(() => readCursor('nonsense!', ['text']));
  rejected(() => readCursor(Buffer.from('{not json').toString('base64url'), ['text']));
  rejected(() => readCursor(encoded({ id: 'x' }), ['text']));
  rejected(() => readCursor(encoded(['a', 'b']), ['text']));
  rejected(() => readCursor(encoded([1]), ['text']));
  rejected(() => readCursor(encoded(['yesterday', 'x']), ['timestamp', 'text']));
  rejected(() => readCursor(encoded(['2026-02-30', 'x']), ['date', 'text']));
  rejected(() => readCursor(encoded(['2026-2-3', 'x']), ['date', 'text']));
  rejected(() => readCursor(encoded([1.5]), ['integer']));
  rejected(() => readCursor(encoded([2 ** 60]), ['integer']));
  rejected(() => readCursor(encoded([null, 'x']), ['timestamp', 'text']));
});

test('pages walk every row once, ties broken by the last key, in either direction', async () => {
  const db = ctx.platform.db.withTables<{ keyset_probe: ProbeRow }>();
  const base = Date.parse('2026-10-01T00:00:00Z');
  // Seven rows share one instant and several share a day: only the later keys order them.
  const rows = Array.from({ length: 23 }, (_, i) => ({
    id: `r${String(i).padStart(2, '0')}`,
    at: new Date(base + (i % 4) * 60_000),
    day: `2026-10-0${1 + (i % 3)}`,
    n: i % 5,
  }));
  await db.insertInto('keyset_probe').values(rows).execute();

  const newest = [...rows].sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : -1)).map((r) => r.id);
  for (const limit of [1, 4, 7, 23, 50]) {
    const { seen, sizes } = await walk(NEWEST_FIRST, limit);
    assert.deepEqual(seen, newest, `newest first, ${limit} a page`);
    assert.equal(sizes.length, Math.max(1, Math.ceil(rows.length / limit)), 'no empty page after a full last page');
  }

  const byDay = [...rows].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.n - b.n || (a.id < b.id ? -1 : 1))).map((r) => r.id);
  for (const limit of [2, 5, 23]) assert.deepEqual((await walk(BY_DAY_AND_N, limit)).seen, byDay, `by day, ${limit} a page`);

  // A row written behind the cursor between two requests neither repeats nor hides another.
  const first = await keysetPage(probe(), NEWEST_FIRST, { limit: 5 });
  await db.insertInto('keyset_probe').values({ id: 'late', at: new Date(base + 10 * 60_000), day: '2026-10-09', n: 0 }).execute();
  const second = await keysetPage(probe(), NEWEST_FIRST, { limit: 5, cursor: first.nextCursor });
  assert.deepEqual([...first.items, ...second.items].map((r) => r.id), newest.slice(0, 10));
});

test('through HTTP a malformed cursor is a 400 problem naming the parameter, never a 500', async () => {
  await seedRegions(ctx.platform);
  const unit = await makeUnit(ctx.platform);
  const user = await makeUser(ctx.platform, unit.id);
  const bad = Buffer.from('["not a time","x"]').toString('base64url');
  for (const cursor of ['nonsense', bad]) {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/me/messages?cursor=${cursor}`, headers: { ...bearer(user), 'accept-language': 'en' } });
    const { status, type, body } = problem(res);
    assert.equal(status, 400);
    assert.match(String(type), /^application\/problem\+json/);
    assert.equal(body.code, 'VALIDATION_FAILED');
    assert.deepEqual(body.errors, [{ path: 'cursor', message: 'The page cursor is not valid; start again from the first page' }]);
  }
});
