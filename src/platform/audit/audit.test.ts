import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, type TestContext } from '../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { AUDIT_LANES, GENESIS_HASH, recordAudit, verifyChain } from './service.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
});
after(() => ctx.close());

test('every mutation and login is in the chain, and the chain verifies', async () => {
  const unit = await makeUnit(ctx.platform);
  const auditor = await makeUser(ctx.platform, unit.id, ['auditor']);
  await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'nobody-here', password: 'Wrong-pass1' } });
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit?action=auth.login', headers: bearer(auditor) });
  assert.equal(res.statusCode, 200);
  const failure = res.json().items.find((i: { details: { username?: string } }) => i.details.username === 'nobody-here');
  assert.ok(failure, 'failed login audited');
  assert.equal(failure.outcome, 'failure');
  const units = await ctx.app.inject({ method: 'GET', url: `/api/v1/audit?action=unit.create&objectId=${unit.id}`, headers: bearer(auditor) });
  assert.equal(units.json().items.length, 1);
  const verify = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(auditor) });
  assert.equal(verify.statusCode, 200);
  assert.equal(verify.json().ok, true);
  assert.ok(verify.json().checked >= 3);
});

test('only the auditor reads the log', async () => {
  const unit = await makeUnit(ctx.platform);
  const sysadmin = await makeUser(ctx.platform, unit.id, ['sysadmin']);
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit', headers: bearer(sysadmin) });
  assert.equal(res.statusCode, 403);
  const anon = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit/verify' });
  assert.equal(anon.statusCode, 401);
});

test('the database refuses UPDATE and DELETE of audit rows', async () => {
  await assert.rejects(sql`update audit_log set action = 'tampered'`.execute(ctx.platform.db), /append-only/);
  await assert.rejects(sql`delete from audit_log`.execute(ctx.platform.db), /append-only/);
  const still = await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'tampered'`.execute(ctx.platform.db);
  assert.equal(still.rows[0].n, 0);
});

test('a rolled-back change leaves no audit record', async () => {
  const before = await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(ctx.platform.db);
  await assert.rejects(
    inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
      recordAudit(work, { action: 'test.rollback' });
      throw new Error('abort');
    }),
  );
  const afterCount = await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(ctx.platform.db);
  assert.equal(afterCount.rows[0].n, before.rows[0].n);
});

test('secrets never reach the log', async () => {
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => recordAudit(work, { action: 'test.secret', details: { password: 'p', apiToken: 't', name: 'kept' } }));
  const row = await sql<{ details: Record<string, string> }>`select details from audit_log where action = 'test.secret'`.execute(ctx.platform.db);
  assert.deepEqual(row.rows[0].details, { password: '[redacted]', apiToken: '[redacted]', name: 'kept' });
});

test('concurrent writers keep one unbroken chain', async () => {
  await Promise.all(
    Array.from({ length: 20 }, (_, i) => inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => recordAudit(work, { action: 'test.concurrent', objectId: String(i) }))),
  );
  const result = await verifyChain(ctx.platform.db);
  assert.equal(result.ok, true);
  // Each transaction starts at a random lane: twenty of them on one lane would be a broken picker.
  const lanes = await sql<{ lane: number; n: number }>`select lane, count(*)::int as n from audit_log where action = 'test.concurrent' group by lane`.execute(ctx.platform.db);
  assert.ok(lanes.rows.length >= 2, `records spread over lanes: ${JSON.stringify(lanes.rows)}`);
  assert.ok(lanes.rows.every((r) => r.lane >= 0 && r.lane < AUDIT_LANES));
});

test('a transaction holds the lock of one lane only, so the others stay free for other writers', async () => {
  const held = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
    recordAudit(work, { action: 'test.one-lane' });
    await work.flush();
    const locks = await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()`.execute(work.tx);
    return locks.rows[0].n;
  });
  assert.equal(held, 1);
});

test('the chain is appended after the other steps before commit, so its lane is held only for the commit', async () => {
  let locksDuringOtherStep = -1;
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
    recordAudit(work, { action: 'test.audit-last' });
    work.beforeCommit('test.other', async () => {
      const locks = await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()`.execute(work.tx);
      locksDuringOtherStep = locks.rows[0].n;
    });
  });
  assert.equal(locksDuringOtherStep, 0);
});

test('identical records written at one instant on lanes that start from the genesis hash are all kept', async () => {
  // A system job at one instant writes the same fields each time; on two fresh lanes the same
  // previous hash (genesis) gives the same hash.
  const at = new Date('2026-12-29T02:00:00Z');
  const write = () => inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => recordAudit(work, { action: 'test.same-record', details: { days: 31 } }, at));
  for (let i = 0; i < 12; i++) await write();
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'test.same-record'`.execute(ctx.platform.db);
  assert.equal(rows[0].n, 12);
  assert.equal((await verifyChain(ctx.platform.db)).ok, true);
});

test('records are written once however often the steps before commit run, and records added after a run are written too', async () => {
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
    recordAudit(work, { action: 'test.flush-once', objectId: 'first' });
    await work.flush();
    await work.flush();
    recordAudit(work, { action: 'test.flush-once', objectId: 'second' });
  });
  const { rows } = await sql<{ object_id: string }>`select object_id from audit_log where action = 'test.flush-once' order by id`.execute(ctx.platform.db);
  assert.deepEqual(rows.map((r) => r.object_id), ['first', 'second']);
  assert.equal((await verifyChain(ctx.platform.db)).ok, true);
});

test('a record moved to another lane breaks the chain there', async () => {
  await Promise.all(Array.from({ length: 12 }, (_, i) => inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => recordAudit(work, { action: 'test.lanes', objectId: String(i) }))));
  assert.equal((await verifyChain(ctx.platform.db)).ok, true);
  // A record that follows another in its lane, moved to a lane that has records before it: it fits
  // neither (a lane's first record moved to an empty lane would fit there).
  const { rows } = await sql<{ id: number; lane: number; other: number }>`
    select a.id, a.lane, (select b.lane from audit_log b where b.id < a.id and b.lane <> a.lane order by b.id desc limit 1) as other
      from audit_log a where a.action = 'test.lanes' and a.prev_hash <> ${GENESIS_HASH} order by a.id limit 1`.execute(ctx.platform.db);
  const [target] = rows;
  assert.ok(target && target.other !== null);
  await sql`alter table audit_log disable trigger audit_log_no_update`.execute(ctx.platform.db);
  await sql`update audit_log set lane = ${target.other} where id = ${target.id}`.execute(ctx.platform.db);
  const result = await verifyChain(ctx.platform.db);
  await sql`update audit_log set lane = ${target.lane} where id = ${target.id}`.execute(ctx.platform.db);
  await sql`alter table audit_log enable trigger audit_log_no_update`.execute(ctx.platform.db);
  assert.equal(result.ok, false);
  assert.equal(result.firstBrokenId, target.id);
  assert.equal((await verifyChain(ctx.platform.db)).ok, true);
});

test('verification finds the first broken record when a row is altered behind the trigger', async () => {
  // Simulates tampering by someone with superuser rights who disables the trigger.
  const { rows } = await sql<{ id: number }>`select id from audit_log order by id limit 1 offset 1`.execute(ctx.platform.db);
  const target = rows[0].id;
  await sql`alter table audit_log disable trigger audit_log_no_update`.execute(ctx.platform.db);
  await sql`update audit_log set details = '{"forged":true}' where id = ${target}`.execute(ctx.platform.db);
  await sql`alter table audit_log enable trigger audit_log_no_update`.execute(ctx.platform.db);
  const result = await verifyChain(ctx.platform.db);
  assert.equal(result.ok, false);
  assert.equal(result.firstBrokenId, target);
});
