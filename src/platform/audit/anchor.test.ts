import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sql } from 'kysely';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, type TestContext } from '../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { sm3 } from '../crypto/index.ts';
import { GENESIS_HASH, hashRecord, recordAudit, verifyChain } from './service.ts';
import { auditKeysOf, deriveAuditKeys, registerAuditKeys } from './keys.ts';
import { checkpointFileOf, checkpointSignatureValid, readCheckpointFile, takeCheckpoint } from './checkpoints.ts';
import { auditKeyMismatch, checkpointNow, verifyPlatformChain } from './anchor.ts';

// Each forgery is made as an insider with the database's rights would: the append-only triggers
// disabled, rows changed with SQL. Every test has a database of its own.

async function withLog(fn: (ctx: TestContext) => Promise<void>) {
  const ctx = await createTestContext();
  try {
    await seedRegions(ctx.platform);
    await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** Writes `n` records in transactions of their own (so they spread over lanes). */
async function write(ctx: TestContext, n: number, action = 'test.anchor') {
  for (let i = 0; i < n; i++) await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => recordAudit(work, { action, objectId: String(i) }));
}

/** Runs SQL with the audit tables' triggers disabled, as someone with the owner's rights would. */
async function forge(ctx: TestContext, fn: () => Promise<unknown>) {
  await sql`alter table audit_log disable trigger user`.execute(ctx.platform.db);
  await sql`alter table audit_checkpoints disable trigger user`.execute(ctx.platform.db);
  try {
    await fn();
  } finally {
    await sql`alter table audit_log enable trigger user`.execute(ctx.platform.db);
    await sql`alter table audit_checkpoints enable trigger user`.execute(ctx.platform.db);
  }
}

type Row = { id: number; lane: number; hash: string; prev_hash: string; chain_version: number };
const rowsOf = async (ctx: TestContext, where = sql`true`) =>
  (await sql<Row>`select id, lane, hash, prev_hash, chain_version from audit_log where ${where} order by id`.execute(ctx.platform.db)).rows.map((r) => ({ ...r, id: Number(r.id), lane: Number(r.lane) }));

/** A lane with at least `n` records, and its records. */
async function busyLane(ctx: TestContext, n: number): Promise<Row[]> {
  const lanes = await sql<{ lane: number }>`select lane from audit_log group by lane having count(*) >= ${n} order by count(*) desc limit 1`.execute(ctx.platform.db);
  assert.ok(lanes.rows[0], `a lane with ${n} records`);
  return rowsOf(ctx, sql`lane = ${lanes.rows[0].lane}`);
}

const verify = (ctx: TestContext) => verifyPlatformChain(ctx.platform);

test('records are chained with the audit key, and a signed checkpoint is kept in the table, the data folder and the log', async () => {
  await withLog(async (ctx) => {
    await write(ctx, 10);
    const rows = await rowsOf(ctx);
    assert.ok(rows.length >= 10);
    assert.ok(rows.every((r) => Number(r.chain_version) === 2));
    // Not plain SM3: nobody without the key computes these hashes.
    const full = (await sql<any>`select * from audit_log order by id limit 1`.execute(ctx.platform.db)).rows[0];
    assert.notEqual(full.hash, hashRecord(GENESIS_HASH, { ...full, at: new Date(full.at) }));
    // The key lives in the data folder, readable by its owner only, and in no table.
    const keyFile = `${ctx.dataDir}/keys/audit.key`;
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    const keyHex = fs.readFileSync(keyFile, 'utf8').trim();
    const dump = await sql<{ t: string }>`select string_agg(body || signature, '') as t from audit_checkpoints`.execute(ctx.platform.db);
    assert.ok(!(dump.rows[0].t ?? '').includes(keyHex));

    const before = await verify(ctx);
    assert.equal(before.ok, true);
    assert.equal(before.checkpoint, null);
    assert.equal(before.sinceCheckpoint, rows.length);

    const lines: Array<{ obj: any; msg?: string }> = [];
    const cp = await checkpointNow(ctx.platform, { log: { info: (obj, msg) => lines.push({ obj, msg }) } });
    assert.ok(cp);
    const body = JSON.parse(cp.body);
    assert.equal(body.records, rows.length);
    assert.equal(body.lanes.reduce((n: number, l: { count: number }) => n + l.count, 0), rows.length);
    // Verifiable by an auditor with the public key alone.
    assert.equal(body.publicKey, deriveAuditKeys(Buffer.from(keyHex, 'hex')).publicKey);
    assert.equal(checkpointSignatureValid(cp, body.publicKey), true);
    assert.deepEqual(readCheckpointFile(ctx.dataDir), [cp]);
    assert.equal(lines.length, 1);
    assert.deepEqual(lines[0].obj, { auditCheckpoint: cp });

    // Nothing written since: the periodic job (every minute) signs nothing.
    const job = ctx.platform.modules.jobs.find((j) => j.name === 'audit.checkpoint');
    assert.equal(job?.everySeconds, 60);
    await job!.run(ctx.platform, { info: (obj, msg) => lines.push({ obj, msg }) });
    assert.equal(lines.length, 1);
    assert.equal(readCheckpointFile(ctx.dataDir).length, 1);
    await write(ctx, 3);
    const after = await verify(ctx);
    assert.equal(after.ok, true);
    assert.equal(after.sinceCheckpoint, 3);
    assert.deepEqual(after.checkpoint, { seq: 1, at: cp.at, records: rows.length, signatureValid: true });
    await job!.run(ctx.platform, { info: (obj, msg) => lines.push({ obj, msg }) });
    const second = lines[1]?.obj.auditCheckpoint;
    assert.equal(second?.seq, 2);
    assert.equal(JSON.parse(second!.body).prev, sm3(cp.signature));
    assert.equal(JSON.parse(second!.body).records, rows.length + 3);
    assert.equal((await verify(ctx)).sinceCheckpoint, 0);

    // The table is append-only like the log.
    await assert.rejects(sql`update audit_checkpoints set body = '{}'`.execute(ctx.platform.db), /append-only/);
    await assert.rejects(sql`delete from audit_checkpoints`.execute(ctx.platform.db), /append-only/);
    await assert.rejects(sql`truncate audit_checkpoints`.execute(ctx.platform.db), /append-only/);

    // The auditor's answer keeps its fields and adds the checkpoint's.
    const unit = await makeUnit(ctx.platform);
    const auditor = await makeUser(ctx.platform, unit.id, ['auditor']);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(auditor) });
    assert.equal(res.statusCode, 200);
    const answer = res.json();
    assert.equal(answer.ok, true);
    assert.equal(answer.firstBrokenId, null);
    assert.equal(answer.checkpoint.seq, 2);
    assert.ok(answer.sinceCheckpoint >= 1);
    assert.equal(answer.publicKey, body.publicKey);
  });
});

test('an edited record is named, with its lane', async () => {
  await withLog(async (ctx) => {
    await write(ctx, 12);
    await checkpointNow(ctx.platform);
    const lane = await busyLane(ctx, 3);
    const target = lane[1];
    await forge(ctx, () => sql`update audit_log set details = '{"forged":true}' where id = ${target.id}`.execute(ctx.platform.db));
    const result = await verify(ctx);
    assert.equal(result.ok, false);
    assert.equal(result.problem, 'record');
    assert.equal(result.firstBrokenId, target.id);
    assert.equal(result.firstBrokenLane, target.lane);
  });
});

test('a record deleted in the middle of a lane breaks the lane at the record after it', async () => {
  await withLog(async (ctx) => {
    await write(ctx, 12);
    const lane = await busyLane(ctx, 3);
    await forge(ctx, () => sql`delete from audit_log where id = ${lane[1].id}`.execute(ctx.platform.db));
    const result = await verify(ctx);
    assert.equal(result.ok, false);
    assert.equal(result.problem, 'record');
    assert.equal(result.firstBrokenId, lane[2].id);
    assert.equal(result.firstBrokenLane, lane[2].lane);
  });
});

test('the newest record of a lane deleted after a checkpoint is detected, and so is one replaced by later writes', async () => {
  await withLog(async (ctx) => {
    await write(ctx, 12);
    await checkpointNow(ctx.platform);
    const lane = await busyLane(ctx, 2);
    const newest = lane[lane.length - 1];
    await forge(ctx, () => sql`delete from audit_log where id = ${newest.id}`.execute(ctx.platform.db));
    const result = await verify(ctx);
    assert.equal(result.ok, false);
    assert.equal(result.problem, 'truncated');
    assert.equal(result.firstBrokenLane, newest.lane);
    assert.equal(result.firstBrokenId, null);
    // Writers go on chaining onto the record before the deleted one: the lane looks whole, but the
    // record now at the checkpoint's place is not the one it signed.
    await write(ctx, 40);
    const later = await rowsOf(ctx, sql`lane = ${newest.lane} and id > ${newest.id}`);
    const again = await verify(ctx);
    assert.equal(again.ok, false);
    if (later.length) {
      assert.equal(again.problem, 'checkpoint');
      assert.equal(again.firstBrokenId, later[0].id);
    } else {
      assert.equal(again.problem, 'truncated');
    }
    assert.equal(again.firstBrokenLane, newest.lane);
  });
});

test('a record rewritten and every later hash of its lane recomputed with plain SM3 is a keyless forgery', async () => {
  await withLog(async (ctx) => {
    await write(ctx, 12);
    const lane = await busyLane(ctx, 3);
    const target = lane[1];
    // The forger has the database but not the key: plain SM3 from the record before, as version 1 records were made.
    const recompute = async (asVersion: number) =>
      forge(ctx, async () => {
        await sql`update audit_log set details = '{"forged":true}' where id = ${target.id}`.execute(ctx.platform.db);
        const rows = (await sql<any>`select * from audit_log where lane = ${target.lane} and id >= ${target.id} order by id`.execute(ctx.platform.db)).rows;
        let prev = lane[0].hash;
        for (const row of rows) {
          const hash = hashRecord(prev, { ...row, at: new Date(row.at) });
          await sql`update audit_log set prev_hash = ${prev}, hash = ${hash}, chain_version = ${asVersion} where id = ${row.id}`.execute(ctx.platform.db);
          prev = hash;
        }
      });
    await recompute(1);
    const downgraded = await verify(ctx);
    assert.equal(downgraded.ok, false);
    assert.equal(downgraded.problem, 'keyless');
    assert.equal(downgraded.firstBrokenId, target.id);
    assert.equal(downgraded.firstBrokenLane, target.lane);
    await recompute(2);
    const unkeyed = await verify(ctx);
    assert.equal(unkeyed.ok, false);
    assert.equal(unkeyed.problem, 'record');
    assert.equal(unkeyed.firstBrokenId, target.id);
  });
});

test('a whole lane rewritten keyless, from its first record, is caught by the signed checkpoint', async () => {
  await withLog(async (ctx) => {
    await write(ctx, 12);
    await checkpointNow(ctx.platform);
    const lane = await busyLane(ctx, 2);
    await forge(ctx, async () => {
      let prev = GENESIS_HASH;
      for (const row of (await sql<any>`select * from audit_log where lane = ${lane[0].lane} order by id`.execute(ctx.platform.db)).rows) {
        const hash = hashRecord(prev, { ...row, at: new Date(row.at) });
        await sql`update audit_log set prev_hash = ${prev}, hash = ${hash}, chain_version = 1 where id = ${row.id}`.execute(ctx.platform.db);
        prev = hash;
      }
    });
    const result = await verify(ctx);
    assert.equal(result.ok, false);
    assert.equal(result.problem, 'keyless');
    assert.equal(result.firstBrokenId, lane[0].id);
  });
});

test('a lane truncated after a checkpoint is named', async () => {
  await withLog(async (ctx) => {
    await write(ctx, 16);
    await checkpointNow(ctx.platform);
    const lane = await busyLane(ctx, 3);
    await forge(ctx, () => sql`delete from audit_log where lane = ${lane[0].lane} and id >= ${lane[1].id}`.execute(ctx.platform.db));
    const result = await verify(ctx);
    assert.equal(result.ok, false);
    assert.equal(result.problem, 'truncated');
    assert.equal(result.firstBrokenLane, lane[0].lane);
    assert.equal(result.checked, (await rowsOf(ctx)).length);
  });
});

test('checkpoints deleted from the table are found in the data folder\'s file; a forged checkpoint fails its signature', async () => {
  await withLog(async (ctx) => {
    await write(ctx, 6);
    await checkpointNow(ctx.platform);
    await write(ctx, 6);
    const second = await checkpointNow(ctx.platform);
    const lane = await busyLane(ctx, 2);
    const newest = lane[lane.length - 1];
    // The insider deletes the newest record and the checkpoints that counted it.
    await forge(ctx, async () => {
      await sql`delete from audit_log where id = ${newest.id}`.execute(ctx.platform.db);
      await sql`delete from audit_checkpoints where seq = ${second!.seq}`.execute(ctx.platform.db);
    });
    const result = await verify(ctx);
    assert.equal(result.ok, false);
    assert.equal(result.checkpoint?.seq, second!.seq, 'the file\'s newest checkpoint is the anchor');
    assert.deepEqual(result.checkpointsMissing, [second!.seq]);
    assert.ok(result.problem === 'truncated' || result.problem === 'checkpoint');

    // A checkpoint rewritten in the table (counts lowered to hide a deletion) fails its signature.
    await forge(ctx, async () => {
      const body = JSON.parse(second!.body);
      body.records -= 1;
      await sql`insert into audit_checkpoints (seq, at, body, signature) values (${second!.seq}, ${new Date(second!.at)}, ${JSON.stringify(body)}, ${second!.signature})`.execute(ctx.platform.db);
    });
    fs.rmSync(checkpointFileOf(ctx.dataDir));
    const forged = await verify(ctx);
    assert.equal(forged.ok, false);
    assert.equal(forged.problem, 'signature');
    assert.equal(forged.checkpoint?.signatureValid, false);
  });
});

test('records written before the key verify the old way; a keyless record after a keyed one of its lane is a forgery', async () => {
  const ctx = await createTestContext();
  try {
    // Two lanes of keyless records, as an installation had before the change (chain version 1).
    const legacy = async (lane: number, n: number, prev = GENESIS_HASH) => {
      for (let i = 0; i < n; i++) {
        const row = { at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)), actor_id: null, actor_name: 'system', unit_id: null, ip: null, request_id: null, action: 'test.legacy', object_type: null, object_id: String(i), outcome: 'success' as const, details: { n: i } };
        const hash = hashRecord(prev, row);
        await sql`insert into audit_log (at, actor_name, action, object_id, outcome, details, prev_hash, hash, lane, chain_version)
                  values (${row.at}, 'system', 'test.legacy', ${row.object_id}, 'success', ${JSON.stringify(row.details)}, ${prev}, ${hash}, ${lane}, 1)`.execute(ctx.platform.db);
        prev = hash;
      }
      return prev;
    };
    await forge(ctx, async () => {
      await legacy(0, 3);
      await legacy(1, 2);
    });
    await seedRegions(ctx.platform);
    // Lanes are taken at random: write until keyed records continue a legacy lane (a few dozen as a rule).
    let keyedOnLegacyLane: Awaited<ReturnType<typeof rowsOf>> = [];
    for (let round = 0; round < 50 && !keyedOnLegacyLane.length; round++) {
      await write(ctx, 20);
      keyedOnLegacyLane = await rowsOf(ctx, sql`lane in (0, 1) and chain_version = 2`);
    }
    assert.ok(keyedOnLegacyLane.length, 'keyed records continue a legacy lane');
    const whole = await verify(ctx);
    assert.equal(whole.ok, true, JSON.stringify(whole));
    await checkpointNow(ctx.platform);
    const cp = JSON.parse((await sql<{ body: string }>`select body from audit_checkpoints`.execute(ctx.platform.db)).rows[0].body);
    assert.equal(cp.keylessUpTo, 5);
    // A keyless record appended to a lane with keyed records, chained correctly onto its head.
    const head = (await rowsOf(ctx, sql`lane = ${keyedOnLegacyLane[0].lane}`)).pop()!;
    await forge(ctx, () => legacy(keyedOnLegacyLane[0].lane, 1, head.hash));
    const result = await verify(ctx);
    assert.equal(result.ok, false);
    assert.equal(result.problem, 'keyless');
    assert.equal(result.firstBrokenLane, keyedOnLegacyLane[0].lane);
  } finally {
    await ctx.close();
  }
});

test('verification needs the key the chain was written with', async () => {
  await withLog(async (ctx) => {
    await write(ctx, 3);
    const other = deriveAuditKeys(Buffer.alloc(32, 7));
    const result = await verifyChain(ctx.platform.db, { keys: other, dataDir: null });
    assert.equal(result.ok, false);
    assert.equal(result.problem, 'record');
    await assert.rejects(verifyChain(ctx.platform.db, { keys: null }), /audit key/);
    // A process with another key refuses to sign on after a checkpoint of this one.
    await checkpointNow(ctx.platform);
    await write(ctx, 1);
    await assert.rejects(takeCheckpoint(ctx.platform.db, other, { dataDir: ctx.dataDir }), /same key/);
    // A server started with another key says so at start.
    const own = auditKeysOf(ctx.platform.db)!;
    assert.equal(await auditKeyMismatch(ctx.platform), null);
    registerAuditKeys(ctx.platform.db, other);
    try {
      assert.match((await auditKeyMismatch(ctx.platform)) ?? '', /not signed with this process's audit key/);
    } finally {
      registerAuditKeys(ctx.platform.db, own);
    }
  });
});
