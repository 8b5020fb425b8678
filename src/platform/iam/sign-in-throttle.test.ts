// Sign-in throttling that neither tells who has an account nor lets a stranger lock one out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../app.ts';
import { openDatabase } from '../db/index.ts';
import { createTestContext, makeUnit, makeUser, seedRegions, PASSWORD, TEST_PG_URL, type TestContext } from '../../../test/helpers.ts';
import type { Unit } from '../org/service.ts';

let ctx: TestContext;
let unit: Unit;
before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
  unit = await makeUnit(ctx.platform);
});
after(() => ctx.close());

const attempt = (username: string, password: string, remoteAddress = '198.51.100.10', app = ctx.app) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { username, password } });

/** What a caller can see of an answer: status, code, words, field errors and the wait. */
const visible = (res: LightMyRequestResponse) => {
  const body = res.json();
  return { status: res.statusCode, code: body.code, detail: body.detail, errors: body.errors, retryAfter: res.headers['retry-after'] ?? null };
};

test('a known and an unknown name get the same answers, step by step, up to the lock', async () => {
  const known = await makeUser(ctx.platform, unit.id, ['window_clerk']);
  const seen: Array<[ReturnType<typeof visible>, ReturnType<typeof visible>]> = [];
  for (let i = 0; i < 7; i++) {
    const a = visible(await attempt(known.username, 'Wrong#2026x', '198.51.100.11'));
    const b = visible(await attempt('nobody-at-all', 'Wrong#2026x', '198.51.100.11'));
    seen.push([a, b]);
    ctx.clock.advance(i < 4 ? 5_000 : 1_000);
  }
  for (const [a, b] of seen) assert.deepEqual(a, b);
  assert.deepEqual(
    seen.map(([a]) => [a.status, a.retryAfter]),
    [
      [401, null],
      [401, null],
      [401, '2'],
      [401, '4'],
      [429, '900'],
      [429, '899'],
      [429, '898'],
    ],
  );
  assert.match(seen[0]![0].detail, /用户名或密码错误，还可尝试 4 次/);
});

test('a try while waiting is refused without looking at the password', async () => {
  const user = await makeUser(ctx.platform, unit.id, ['window_clerk']);
  for (let i = 0; i < 3; i++) await attempt(user.username, 'Wrong#2026x', '198.51.100.12');
  const early = await attempt(user.username, PASSWORD, '198.51.100.12');
  assert.equal(early.statusCode, 429);
  assert.equal(early.headers['retry-after'], '2');
  ctx.clock.advance(2_000);
  assert.equal((await attempt(user.username, PASSWORD, '198.51.100.12')).statusCode, 200);
});

test('the lock holds only against the address that failed; elsewhere the password needs a second factor; it grows when repeated', async () => {
  const user = await makeUser(ctx.platform, unit.id, ['window_clerk']);
  const attacker = '203.0.113.66';
  const fail5 = async () => {
    for (let i = 0; i < 5; i++) {
      await attempt(user.username, 'Wrong#2026x', attacker);
      ctx.clock.advance(5_000);
    }
  };
  await fail5();
  assert.equal((await attempt(user.username, PASSWORD, attacker)).statusCode, 429);
  // The holder, from the office: the password is right, but the account is under attack and has no second factor set.
  const office = await attempt(user.username, PASSWORD, '10.20.30.40');
  assert.equal(office.statusCode, 401);
  assert.equal(office.json().code, 'AUTH_SECOND_FACTOR_REQUIRED');
  // A wrong password from the office is an ordinary failure, not a hint.
  assert.equal((await attempt(user.username, 'Wrong#2026x', '10.20.30.40')).json().code, 'AUTH_INVALID');

  // The lock is audited with the address, and the holder and the security administrators are told.
  const secadmin = await makeUser(ctx.platform, unit.id, ['secadmin']);
  const { rows: audits } = await sql<{ details: { address: string; lockCount: number } }>`select details from audit_log where action = 'auth.lock' and object_id = ${user.id}`.execute(ctx.platform.db);
  assert.equal(audits.length, 1);
  assert.equal(audits[0]!.details.address, attacker);
  const notices = async (userId: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from notify_outbox where channel = 'inapp' and template like 'iam.signInLocked.%' and user_id = ${userId}`.execute(ctx.platform.db)).rows[0]!.n;
  assert.equal(await notices(user.id), 1);

  // After 15 minutes the address may try again; a second lock lasts twice as long, and now the new security administrator hears of it.
  ctx.clock.advance(15 * 60_000);
  assert.equal((await attempt(user.username, 'Wrong#2026x', attacker)).statusCode, 401);
  ctx.clock.advance(5_000);
  for (let i = 0; i < 4; i++) {
    await attempt(user.username, 'Wrong#2026x', attacker);
    ctx.clock.advance(5_000);
  }
  const again = await attempt(user.username, PASSWORD, attacker);
  assert.equal(again.statusCode, 429);
  assert.ok(Number(again.headers['retry-after']) > 29 * 60, `a longer lock: ${again.headers['retry-after']}`);
  assert.equal(await notices(secadmin.id), 1);
  ctx.clock.advance(24 * 3600_000);
  assert.equal((await attempt(user.username, PASSWORD, '10.20.30.40')).statusCode, 200, 'the lock ends');
});

test('two server processes on one database share one limit, and a restart keeps it', { skip: TEST_PG_URL ? false : 'needs two connections to one database (PostgreSQL)' }, async () => {
  const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(ctx.platform.db);
  const url = new URL(TEST_PG_URL!);
  url.pathname = `/${rows[0]!.name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), pgliteDir: null, poolSize: 2 });
  const second = await buildApp({ config: ctx.config, database, clock: ctx.clock, logger: false });
  await second.ready();
  try {
    const user = await makeUser(ctx.platform, unit.id, ['window_clerk']);
    // Failures alternate between the two processes: together they reach the lock.
    for (let i = 0; i < 5; i++) {
      await attempt(user.username, 'Wrong#2026x', '198.51.100.77', i % 2 ? second : ctx.app);
      ctx.clock.advance(5_000);
    }
    assert.equal((await attempt(user.username, PASSWORD, '198.51.100.77', ctx.app)).statusCode, 429);
    assert.equal((await attempt(user.username, PASSWORD, '198.51.100.77', second)).statusCode, 429);

    // The per-address limit of the sign-in route counts across both, too.
    const limited = { ...ctx.config, loginRateLimitPerMinute: 4 };
    const third = await buildApp({ config: limited, database, clock: ctx.clock, logger: false });
    await third.ready();
    const fourth = await buildApp({ config: limited, database, clock: ctx.clock, logger: false });
    await fourth.ready();
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt('someone', 'x', '198.51.100.78', i % 2 ? third : fourth)).statusCode);
    await third.close();
    await fourth.close();
    assert.deepEqual(statuses.slice(4), [429, 429]);
  } finally {
    await second.close();
    await database.close();
  }
});
