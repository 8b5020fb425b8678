import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { expireIdempotencyKeys, idempotent, IDEMPOTENCY_RETENTION_MS } from './idempotency.ts';
import { actorOf } from './context.ts';
import { recordAudit } from '../audit/service.ts';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { signAsUnit, unitPublicKey, verifyUnitSignature } from '../crypto/signing.ts';

let ctx: TestContext;
let user: TestUser;
let unitId: string;
before(async () => {
  ctx = await createTestContext({ beforeReady: (app) => addProbeRoute(app) });
  await seedRegions(ctx.platform);
  unitId = (await makeUnit(ctx.platform)).id;
  user = await makeUser(ctx.platform, unitId);
});
after(() => ctx.close());

/** A throwaway route exercising the helper the way module routes do. */
function addProbeRoute(app: FastifyInstance) {
  app.post('/api/v1/test-idempotency', { schema: { body: Type.Object({ n: Type.Integer() }) }, config: { auth: 'user' } }, async (request, reply) => {
    const result = await idempotent(app.platform, request, actorOf(request), async (work) => {
      await new Promise((r) => setTimeout(r, 50));
      recordAudit(work, { action: 'test.idempotent', details: { n: (request.body as { n: number }).n } });
      return { status: 201, body: { id: crypto.randomUUID() } };
    });
    return reply.status(result.status).send(result.body);
  });
}

const created = async () => (await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'test.idempotent'`.execute(ctx.platform.db)).rows[0].n;

test('the same key and body return the first answer and create nothing new, even at once', async () => {
  const before = await created();
  const send = () => ctx.app.inject({ method: 'POST', url: '/api/v1/test-idempotency', headers: { ...bearer(user), 'idempotency-key': 'k-1' }, payload: { n: 1 } });
  const [a, b] = await Promise.all([send(), send()]);
  const c = await send();
  assert.equal(a.statusCode, 201);
  assert.equal(b.statusCode, 201);
  assert.equal(a.json().id, b.json().id);
  assert.equal(a.json().id, c.json().id);
  assert.equal((await created()) - before, 1);
});

test('the same key with another body is refused', async () => {
  await ctx.app.inject({ method: 'POST', url: '/api/v1/test-idempotency', headers: { ...bearer(user), 'idempotency-key': 'k-2' }, payload: { n: 1 } });
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/test-idempotency', headers: { ...bearer(user), 'idempotency-key': 'k-2' }, payload: { n: 2 } });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().code, 'IDEMPOTENCY_MISMATCH');
});

test('keys are per caller, and a bad key is refused', async () => {
  const other = await makeUser(ctx.platform, unitId);
  const a = await ctx.app.inject({ method: 'POST', url: '/api/v1/test-idempotency', headers: { ...bearer(user), 'idempotency-key': 'shared' }, payload: { n: 1 } });
  const b = await ctx.app.inject({ method: 'POST', url: '/api/v1/test-idempotency', headers: { ...bearer(other), 'idempotency-key': 'shared' }, payload: { n: 1 } });
  assert.notEqual(a.json().id, b.json().id);
  const bad = await ctx.app.inject({ method: 'POST', url: '/api/v1/test-idempotency', headers: { ...bearer(user), 'idempotency-key': 'x'.repeat(300) }, payload: { n: 1 } });
  assert.equal(bad.statusCode, 400);
});

const signNow = (unit: string, message: string) => inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => signAsUnit(work, ctx.platform, unit, message));

test('units sign with their own SM2 key; a changed byte fails verification', async () => {
  const message = '{"certificateNo":"2026-0001"}';
  const first = await signNow(unitId, message);
  const second = await signNow(unitId, message);
  assert.equal(first.publicKey, second.publicKey, 'one key per unit');
  assert.equal(verifyUnitSignature(ctx.platform, first.publicKey, message, first.signature), true);
  assert.equal(verifyUnitSignature(ctx.platform, first.publicKey, message.replace('0001', '0002'), first.signature), false);
  const otherUnit = (await makeUnit(ctx.platform)).id;
  const foreign = await signNow(otherUnit, message);
  assert.notEqual(foreign.publicKey, first.publicKey);
  assert.equal(verifyUnitSignature(ctx.platform, foreign.publicKey, message, first.signature), false);
});

test('a key made by a transaction that rolled back is not kept: the next signature verifies with the stored key', async () => {
  const unit = (await makeUnit(ctx.platform)).id;
  const message = '{"certificateNo":"2026-0003"}';
  const failing = inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
    await signAsUnit(work, ctx.platform, unit, message);
    throw new Error('the certificate could not be stored');
  });
  await assert.rejects(failing, /could not be stored/);
  const signed = await signNow(unit, message);
  const stored = await unitPublicKey(ctx.platform.db, ctx.platform, unit);
  assert.equal(signed.publicKey, stored);
  assert.equal(verifyUnitSignature(ctx.platform, stored, message, signed.signature), true);
  assert.equal((await signNow(unit, message)).publicKey, stored, 'the kept key is the stored one');
});

test('keys are forgotten after the retention; younger ones still replay', async () => {
  const send = (who: TestUser, key: string) => ctx.app.inject({ method: 'POST', url: '/api/v1/test-idempotency', headers: { ...bearer(who), 'idempotency-key': key }, payload: { n: 7 } });
  assert.equal((await send(user, 'k-old')).statusCode, 201);
  ctx.clock.set(new Date(ctx.clock.now().getTime() + IDEMPOTENCY_RETENTION_MS - 3600_000));
  const later = await makeUser(ctx.platform, unitId); // a token valid at the moved clock
  const recent = await send(later, 'k-recent');
  assert.equal(recent.statusCode, 201);
  ctx.clock.set(new Date(ctx.clock.now().getTime() + 2 * 3600_000));
  assert.ok((await expireIdempotencyKeys(ctx.platform)) >= 1);
  const keys = (await sql<{ key: string }>`select key from idempotency_keys where key in ('k-old', 'k-recent')`.execute(ctx.platform.db)).rows.map((r) => r.key);
  assert.deepEqual(keys, ['k-recent']);
  const again = await send(later, 'k-recent');
  assert.equal(again.json().id, recent.json().id, 'a key inside the retention still replays');
  assert.equal(await expireIdempotencyKeys(ctx.platform), 0);
});
