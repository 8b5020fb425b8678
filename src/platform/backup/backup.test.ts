import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import * as tar from 'tar';
import * as OTPAuth from 'otpauth';
import { sql } from 'kysely';
import { createTestContext, bearer, makeUser, type TestContext } from '../../../test/helpers.ts';
import { allMigrations } from '../../app.ts';
import { verifyChain } from '../audit/service.ts';
import { seedDemo } from '../demo/seed.ts';
import { createStaffUser } from '../iam/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { createBackup } from './backup.ts';
import { restoreBackup } from './restore.ts';
import { BackupError, type BackupManifest } from './manifest.ts';
import { countRows } from './schema.ts';

const FIELD_KEY = crypto.randomBytes(16).toString('hex');
const DEMO_PASSWORD = 'Demo-Backup-2026';
let source: TestContext;
let work: string;
let archive: string;
let manifest: BackupManifest;
let totpSecret: string;
let phoneUserId: string;
const blob = crypto.randomBytes(70_000);
const blobSm3 = crypto.createHash('sm3').update(blob).digest('hex');
const blobPath = (dataDir: string) => path.join(dataDir, 'files', blobSm3.slice(0, 2), blobSm3.slice(2, 4), blobSm3);

const fresh = (key = FIELD_KEY) => createTestContext({ env: { ZT_FIELD_KEY: key, ZT_DEMO_PASSWORD: DEMO_PASSWORD } });

async function auditHashes(ctx: TestContext) {
  return (await sql<{ id: number; hash: string }>`select id, hash from audit_log order by id`.execute(ctx.platform.db)).rows.map((r) => `${Number(r.id)}:${r.hash}`);
}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-backup-test-'));
  source = await fresh();
  const demo = await seedDemo(source.platform);
  totpSecret = demo.accounts.find((a) => a.username === 'sysadmin')!.totpSecret!;
  const unitId = (await sql<{ id: string }>`select id from units order by name limit 1`.execute(source.platform.db)).rows[0].id;
  phoneUserId = (await inTransaction(source.platform.db, SYSTEM_ACTOR, (work) => createStaffUser(work, source.platform, null, { username: 'with_phone', displayName: '带手机号', password: 'Passw0rd!zt', unitId, phone: '13812345678' }))).id;
  fs.mkdirSync(path.dirname(blobPath(source.dataDir)), { recursive: true });
  fs.writeFileSync(blobPath(source.dataDir), blob);
  fs.mkdirSync(path.join(source.dataDir, 'files', 'tmp'), { recursive: true });
  fs.writeFileSync(path.join(source.dataDir, 'files', 'tmp', 'upload-in-progress'), 'partial');
  archive = path.join(work, 'backup.tar.gz');
  manifest = (await createBackup(source.platform, archive)).manifest;
});
after(async () => {
  await source?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

test('the archive lists every table with counts and digests, the files, and no unfinished upload', async () => {
  const tables = (await sql<{ n: string }>`select table_name as n from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(source.platform.db)).rows.map((r) => r.n);
  assert.deepEqual(manifest.tables.map((t) => t.name).sort(), tables.sort());
  for (const t of manifest.tables) assert.equal(t.rows, await countRows(source.platform.db, t.name), t.name);
  // The stored contents: the demo's own (its blank forms) and the one written beside them.
  const stored = (await sql<{ sm3: string }>`select distinct sm3 from files`.execute(source.platform.db)).rows.map((r) => r.sm3);
  const expected = [...new Set([blobSm3, ...stored])].map((d) => `files/${d.slice(0, 2)}/${d.slice(2, 4)}/${d}`).sort();
  assert.deepEqual(manifest.files.map((f) => f.path).sort(), expected);
  assert.equal(manifest.files.find((f) => f.path.endsWith(blobSm3))?.sm3, blobSm3);
  assert.ok(manifest.migrations.length >= 3);
  assert.ok(manifest.audit.records > 20);
  assert.equal((fs.statSync(archive).mode & 0o777).toString(8), '600');
});

test('restore into a fresh installation reproduces rows, audit hashes, files and sealed data', async () => {
  const target = await fresh();
  try {
    const report = await restoreBackup({ config: target.config, db: target.platform.db, migrations: allMigrations() }, archive);
    assert.equal(report.audit.ok, true);
    assert.equal(report.audit.checked, manifest.audit.records);
    assert.equal(report.rows, manifest.tables.reduce((n, t) => n + t.rows, 0), 'the report counts the rows the backup holds');
    for (const t of manifest.tables) {
      if (t.name === 'zt_migration_lock') continue;
      // The restore itself is the one record added to the chain.
      assert.equal(await countRows(target.platform.db, t.name), t.rows + (t.name === 'audit_log' ? 1 : 0), t.name);
    }
    const restoredChain = await auditHashes(target);
    assert.deepEqual(restoredChain.slice(0, -1), await auditHashes(source));
    const closing = await sql<{ action: string }>`select action from audit_log order by id desc limit 1`.execute(target.platform.db);
    assert.equal(closing.rows[0].action, 'system.restore');
    assert.equal((await verifyChain(target.platform.db)).ok, true);
    assert.deepEqual(fs.readFileSync(blobPath(target.dataDir)), blob);
    assert.equal(fs.existsSync(path.join(target.dataDir, 'files', 'tmp', 'upload-in-progress')), false);

    // Accounts work: password, TOTP secret and phone number were sealed with the same key.
    const code = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(totpSecret) }).generate();
    const login = await target.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'sysadmin', password: DEMO_PASSWORD, totp: code } });
    assert.equal(login.statusCode, 200, login.body);
    const unitId = (await sql<{ id: string }>`select id from units order by name limit 1`.execute(target.platform.db)).rows[0].id;
    const admin = await makeUser(target.platform, unitId, [{ role: 'sysadmin', scope: { regionCode: '331200' } }]);
    const shown = await target.app.inject({ method: 'GET', url: `/api/v1/users/${phoneUserId}`, headers: bearer(admin) });
    assert.equal(shown.statusCode, 200, shown.body);
    assert.equal(shown.json().phone, '138****5678');

    // The chain continues where it stopped: new records get the next ids and still verify.
    const last = manifest.audit.lastId!;
    const next = (await sql<{ id: number }>`select min(id) as id from audit_log where id > ${last}`.execute(target.platform.db)).rows[0];
    assert.equal(Number(next.id), last + 1);
    assert.equal((await verifyChain(target.platform.db)).ok, true);

    // A second restore into it is refused: it is no longer empty.
    await assert.rejects(restoreBackup({ config: target.config, db: target.platform.db, migrations: allMigrations() }, archive), (e: unknown) => {
      assert.ok(e instanceof BackupError);
      assert.match(e.message, /not empty/);
      return true;
    });
  } finally {
    await target.close();
  }
});

async function refusedInto(file: string, pattern: RegExp, key = FIELD_KEY) {
  const target = await fresh(key);
  try {
    await assert.rejects(restoreBackup({ config: target.config, db: target.platform.db, migrations: allMigrations() }, file), (e: unknown) => {
      assert.ok(e instanceof BackupError, String(e));
      assert.match(e.message, pattern);
      return true;
    });
    assert.equal(await countRows(target.platform.db, 'users'), 0);
    assert.equal(await countRows(target.platform.db, 'audit_log'), 0);
    assert.deepEqual(fs.readdirSync(target.dataDir).filter((n) => n.startsWith('.zt-restore-')), []);
  } finally {
    await target.close();
  }
}

test('a damaged or truncated archive, or another file, is refused and nothing is written', async () => {
  const bytes = fs.readFileSync(archive);
  const flipped = Buffer.from(bytes);
  flipped[Math.floor(flipped.length / 2)] ^= 0xff;
  fs.writeFileSync(path.join(work, 'flipped.tar.gz'), flipped);
  fs.writeFileSync(path.join(work, 'truncated.tar.gz'), bytes.subarray(0, Math.floor(bytes.length / 3)));
  fs.writeFileSync(path.join(work, 'text.tar.gz'), 'not an archive');
  await refusedInto(path.join(work, 'flipped.tar.gz'), /damaged/);
  await refusedInto(path.join(work, 'truncated.tar.gz'), /damaged/);
  await refusedInto(path.join(work, 'text.tar.gz'), /damaged|not a Zhengtong backup/);
  await refusedInto(path.join(work, 'missing.tar.gz'), /does not exist/);
});

test('an archive whose rows were altered (gzip intact) is refused by its SM3 digests', async () => {
  const unpacked = path.join(work, 'unpacked');
  fs.mkdirSync(unpacked);
  await tar.x({ file: archive, cwd: unpacked });
  const users = path.join(unpacked, 'tables', 'users.jsonl');
  fs.writeFileSync(users, fs.readFileSync(users, 'utf8').replace('"王建国"', '"王建民"'));
  const repacked = path.join(work, 'altered.tar.gz');
  await tar.c({ gzip: true, file: repacked, cwd: unpacked }, fs.readdirSync(unpacked));
  await refusedInto(repacked, /users\.jsonl does not match its SM3 digest/);
});

test('a target with another field key is refused: the sealed data would be unreadable', async () => {
  await refusedInto(archive, /ZT_FIELD_KEY is not the key/, crypto.randomBytes(16).toString('hex'));
});

test('the running server hands a system administrator the same archive, and nobody else', async () => {
  const unitId = (await sql<{ id: string }>`select id from units order by name limit 1`.execute(source.platform.db)).rows[0].id;
  const admin = await makeUser(source.platform, unitId, [{ role: 'sysadmin', scope: { regionCode: '331200' } }]);
  const auditor = await makeUser(source.platform, unitId, [{ role: 'auditor', scope: { regionCode: '331200' } }]);
  assert.equal((await source.app.inject({ method: 'GET', url: '/api/v1/system/backup', headers: bearer(auditor) })).statusCode, 403);
  assert.equal((await source.app.inject({ method: 'GET', url: '/api/v1/system/backup' })).statusCode, 401);

  const res = await source.app.inject({ method: 'GET', url: '/api/v1/system/backup', headers: bearer(admin) });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/gzip');
  assert.match(String(res.headers['content-disposition']), /attachment; filename="zhengtong-backup-.*\.tar\.gz"/);
  const downloaded = path.join(work, 'downloaded.tar.gz');
  fs.writeFileSync(downloaded, res.rawPayload);
  assert.deepEqual(fs.readdirSync(source.dataDir).filter((n) => n.startsWith('.zt-')), [], 'no temporary archive left behind');
  const logged = await sql<{ actor_id: string }>`select actor_id from audit_log where action = 'system.backup'`.execute(source.platform.db);
  assert.deepEqual(logged.rows.map((r) => r.actor_id), [admin.id]);

  const target = await fresh();
  try {
    const report = await restoreBackup({ config: target.config, db: target.platform.db, migrations: allMigrations() }, downloaded);
    assert.equal(report.audit.ok, true);
    assert.equal(await countRows(target.platform.db, 'users'), await countRows(source.platform.db, 'users'));
    assert.deepEqual(fs.readFileSync(blobPath(target.dataDir)), blob);
  } finally {
    await target.close();
  }
});
