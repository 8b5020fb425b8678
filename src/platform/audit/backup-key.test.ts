import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createTestContext, seedRegions, type TestContext } from '../../../test/helpers.ts';
import { allMigrations } from '../../app.ts';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { createBackup } from '../backup/backup.ts';
import { restoreBackup } from '../backup/restore.ts';
import { BackupError } from '../backup/manifest.ts';
import { recordAudit } from './service.ts';
import { auditKeyFingerprint } from './keys.ts';
import { checkpointNow, verifyPlatformChain } from './anchor.ts';

// Backups carry the audit key (keys/audit.key) or, when the source ran with ZT_AUDIT_KEY, name it
// by fingerprint and need it for the restore; the restore verifies the chain against the source's
// latest checkpoint with that key.

const FIELD_KEY = crypto.randomBytes(16).toString('hex');
const context = (env: Record<string, string> = {}) => createTestContext({ env: { ZT_FIELD_KEY: FIELD_KEY, ...env } });

async function written(ctx: TestContext, n: number) {
  await seedRegions(ctx.platform);
  for (let i = 0; i < n; i++) await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => recordAudit(work, { action: 'test.backup-key', objectId: String(i) }));
  assert.ok(await checkpointNow(ctx.platform));
}

async function restoreInto(env: Record<string, string>, file: string) {
  const target = await context(env);
  const run = () => restoreBackup({ config: target.config, db: target.platform.db, migrations: allMigrations() }, file);
  return { target, run };
}

test('a backup made with ZT_AUDIT_KEY needs that key for the restore, and the restored chain verifies and goes on with it', async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-audit-key-'));
  const auditKey = crypto.randomBytes(32).toString('hex');
  const source = await context({ ZT_AUDIT_KEY: auditKey });
  const targets: TestContext[] = [];
  try {
    await written(source, 8);
    const file = path.join(work, 'backup.tar.gz');
    const { manifest } = await createBackup(source.platform, file);
    assert.equal(manifest.auditKeyFingerprint, auditKeyFingerprint(Buffer.from(auditKey, 'hex')));
    assert.ok(!manifest.keys.some((k) => k.path === 'keys/audit.key'), 'the key given in the environment is not in the archive');

    for (const [env, pattern] of [
      [{}, /set ZT_AUDIT_KEY/],
      [{ ZT_AUDIT_KEY: crypto.randomBytes(32).toString('hex') }, /ZT_AUDIT_KEY is not the key/],
    ] as const) {
      const { target, run } = await restoreInto(env, file);
      targets.push(target);
      await assert.rejects(run(), (e: unknown) => e instanceof BackupError && pattern.test(e.message));
      assert.equal(Number((await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(target.platform.db)).rows[0].n), 0);
    }

    const { target, run } = await restoreInto({ ZT_AUDIT_KEY: auditKey }, file);
    targets.push(target);
    const report = await run();
    assert.equal(report.audit.ok, true);
    assert.equal(report.audit.checkpoint?.seq, 1);
    assert.equal(report.audit.checkpoint?.signatureValid, true);
    // The restore's own record is chained with the same key; the next checkpoint signs on.
    const after = await verifyPlatformChain(target.platform);
    assert.equal(after.ok, true, JSON.stringify(after));
    assert.equal(after.sinceCheckpoint, 1);
    assert.equal((await checkpointNow(target.platform))?.seq, 2);
    assert.equal((await verifyPlatformChain(target.platform)).ok, true);
  } finally {
    for (const t of targets) await t.close();
    await source.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('the key file travels in the archive; a backup whose lane lost its newest record after a checkpoint is refused', async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-audit-key-'));
  const source = await context();
  const targets: TestContext[] = [];
  try {
    await written(source, 8);
    const good = path.join(work, 'good.tar.gz');
    const { manifest } = await createBackup(source.platform, good);
    assert.ok(manifest.keys.some((k) => k.path === 'keys/audit.key'));

    const { target, run } = await restoreInto({}, good);
    targets.push(target);
    assert.equal((await run()).audit.ok, true);
    assert.equal(fs.readFileSync(path.join(target.dataDir, 'keys', 'audit.key'), 'utf8'), fs.readFileSync(path.join(source.dataDir, 'keys', 'audit.key'), 'utf8'));
    assert.equal((await verifyPlatformChain(target.platform)).ok, true);

    const newest = (await sql<{ id: number; lane: number }>`select id, lane from audit_log order by id desc limit 1`.execute(source.platform.db)).rows[0];
    await sql`alter table audit_log disable trigger user`.execute(source.platform.db);
    await sql`delete from audit_log where id = ${newest.id}`.execute(source.platform.db);
    await sql`alter table audit_log enable trigger user`.execute(source.platform.db);
    const bad = path.join(work, 'bad.tar.gz');
    await createBackup(source.platform, bad);
    const second = await restoreInto({}, bad);
    targets.push(second.target);
    await assert.rejects(second.run(), (e: unknown) => e instanceof BackupError && new RegExp(`broken at lane ${newest.lane} \\(truncated\\)`).test(e.message));
  } finally {
    for (const t of targets) await t.close();
    await source.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
