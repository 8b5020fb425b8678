import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { createTestContext, TEST_PG_URL, type TestContext } from './helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../src/platform/db/work.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { allMigrations } from '../src/app.ts';
import { loadConfig, ConfigError } from '../src/config/index.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.close());

test('health and readiness', async () => {
  const health = await ctx.app.inject({ method: 'GET', url: '/healthz' });
  assert.deepEqual(health.json(), { status: 'ok' });
  const ready = await ctx.app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 200);
});

test('security headers: CSP without inline script, nosniff, no framing; request id', async () => {
  const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
  const csp = String(res.headers['content-security-policy']);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS without TLS in front');
  assert.ok(res.headers['x-request-id']);
});

test('the API explorer has the same strict CSP as every page, its files served from here', async () => {
  const page = await ctx.app.inject({ method: 'GET', url: '/healthz' });
  for (const url of ['/api/docs', '/api/docs/', '/api/docs/static/swagger-initializer.js', '/api/docs/json']) {
    const res = await ctx.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, url);
    assert.equal(res.headers['content-security-policy'], page.headers['content-security-policy'], url);
  }
  const html = (await ctx.app.inject({ method: 'GET', url: '/api/docs/' })).body;
  assert.doesNotMatch(html, /<script>|<style>|https?:\/\//, 'no inline script or style, nothing fetched from elsewhere');
  const initializer = (await ctx.app.inject({ method: 'GET', url: '/api/docs/static/swagger-initializer.js' })).body;
  assert.match(initializer, /"validatorUrl":\s*null/);
});

test('HSTS when the server sits behind TLS', async () => {
  const tls = await createTestContext({ env: { ZT_BEHIND_TLS: '1' } });
  try {
    const res = await tls.app.inject({ method: 'GET', url: '/healthz' });
    assert.match(String(res.headers['strict-transport-security']), /max-age=31536000/);
  } finally {
    await tls.close();
  }
});

test('an unknown API route is a problem+json 404 in the caller language', async () => {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: { 'accept-language': 'en-US,en;q=0.9' } });
  assert.equal(res.statusCode, 404);
  assert.match(String(res.headers['content-type']), /problem\+json/);
  assert.equal(res.json().code, 'NOT_FOUND');
  assert.equal(res.json().title, 'Not found');
});

test('the OpenAPI document covers every API route', async () => {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/docs/json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json();
  assert.equal(doc.openapi.startsWith('3.'), true);
  const documented = new Set<string>();
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(methods)) documented.add(`${method.toUpperCase()} ${path}`);
  }
  for (const expected of ['POST /api/v1/auth/login', 'GET /api/v1/me', 'POST /api/v1/tokens', 'GET /api/v1/regions', 'POST /api/v1/units', 'PUT /api/v1/users/{id}/roles', 'GET /api/v1/audit/verify']) {
    assert.ok(documented.has(expected), `${expected} documented`);
  }
  const ui = await ctx.app.inject({ method: 'GET', url: '/api/docs' });
  assert.ok([200, 302].includes(ui.statusCode));
});

test('settings are checked at start with a message naming the bad one', () => {
  assert.throws(() => loadConfig({ PORT: 'abc' }), (e: unknown) => e instanceof ConfigError && e.setting === 'PORT');
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), (e: unknown) => e instanceof ConfigError && e.setting === 'DATABASE_URL');
  assert.throws(() => loadConfig({ ZT_DEMO: 'maybe' }), (e: unknown) => e instanceof ConfigError && e.setting === 'ZT_DEMO');
  assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), (e: unknown) => e instanceof ConfigError && e.setting === 'LOG_LEVEL');
  assert.equal(loadConfig({ NODE_ENV: 'production' }).demo, false);
  assert.equal(loadConfig({}).demo, true);
});

test('?lang= works on routes with strict query strings', async () => {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/regions?lang=en&bogus=1' });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().title, 'The request is not valid');
  const ok = await ctx.app.inject({ method: 'GET', url: '/api/v1/regions?lang=en' });
  assert.equal(ok.statusCode, 200);
});

test('queries run as prepared statements on PostgreSQL, once per text and connection', { skip: TEST_PG_URL ? false : 'the embedded database has no prepared statements of its own' }, async () => {
  const prepared = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
    for (let i = 0; i < 3; i++) await sql`select ${i}::int + 1 as n, 'prepared-probe' as probe`.execute(work.tx);
    return (await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where statement like '%prepared-probe%' and statement not like '%pg_prepared_statements%'`.execute(work.tx)).rows[0].n;
  });
  assert.equal(prepared, 1);
  assert.equal(loadConfig({}).preparedStatements, true);
  assert.equal(loadConfig({ ZT_DB_PREPARED_STATEMENTS: '0' }).preparedStatements, false);
});

test('a statement prepared before a migration changed its table runs again after it', { skip: TEST_PG_URL ? false : 'the embedded database has no prepared statements of its own' }, async () => {
  const name = (await sql<{ db: string }>`select current_database() as db`.execute(ctx.platform.db)).rows[0].db;
  const url = new URL(TEST_PG_URL!);
  url.pathname = `/${name}`;
  // One connection, so the statement prepared before the migration is on the connection after it.
  const one = await openDatabase({ databaseUrl: url.toString(), pgliteDir: null, poolSize: 1 });
  try {
    await sql`create table prepared_probe (id integer primary key)`.execute(one.db);
    await sql`insert into prepared_probe values (1)`.execute(one.db);
    const read = () => sql<Record<string, unknown>>`select * from prepared_probe where id = ${1}`.execute(one.db);
    assert.deepEqual(Object.keys((await read()).rows[0]), ['id']);
    await read();
    const probe = { up: async (db: Kysely<unknown>) => void (await sql`alter table prepared_probe add column note text`.execute(db)) };
    await migrateToLatest(one.db, { ...allMigrations(), '29991231_2359_prepared_probe': probe });
    assert.deepEqual(Object.keys((await read()).rows[0]).sort(), ['id', 'note']);
  } finally {
    await one.close();
  }
});
