// Backup and restore through the command line: embedded database to embedded database, and
// (with ZT_TEST_DATABASE_URL) PostgreSQL to PostgreSQL and embedded to PostgreSQL.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { TEST_PG_URL } from './helpers.ts';
import { DEMO_PASSWORD, getJson, migratedDataDir, openEmbedded, startServer, stop, work, zt } from './cli-helpers.ts';

let A = '';
let token = '';

before(async () => {
  A = await migratedDataDir('a');
  for (const args of [['seed', '--demo'], ['admin', 'token', '--username', 'auditor']]) {
    const run = await zt(args, { ZT_DATA_DIR: A, ZT_DEMO_PASSWORD: DEMO_PASSWORD });
    assert.equal(run.code, 0, run.stderr);
    token = run.stdout.trim();
  }
});

const archive = path.join(work, 'a.tar.gz');
const blob = crypto.randomBytes(50_000);
const blobSm3 = crypto.createHash('sm3').update(blob).digest('hex');
const blobRel = path.join('files', blobSm3.slice(0, 2), blobSm3.slice(2, 4), blobSm3);

test('audit verify, backup, and restore into an empty folder with the chain intact', async () => {
  const verified = await zt(['audit', 'verify'], { ZT_DATA_DIR: A });
  assert.equal(verified.code, 0, verified.stderr);
  const checked = Number(/(\d+) records checked/.exec(verified.stdout)![1]);
  assert.ok(checked > 30);

  fs.mkdirSync(path.dirname(path.join(A, blobRel)), { recursive: true });
  fs.writeFileSync(path.join(A, blobRel), blob);
  const made = await zt(['backup', archive], { ZT_DATA_DIR: A });
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, new RegExp(`${checked} audit records`));
  assert.match(made.stderr, /field-encryption key/);
  assert.equal((await zt(['backup', archive], { ZT_DATA_DIR: A })).code, 2, 'an existing archive is not replaced without --force');

  const B = path.join(work, 'b');
  const restored = await zt(['restore', archive], { ZT_DATA_DIR: B });
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, new RegExp(`audit chain whole: ${checked} records`));
  assert.deepEqual(fs.readFileSync(path.join(B, blobRel)), blob);
  assert.equal(fs.readFileSync(path.join(B, 'keys', 'field.key'), 'utf8'), fs.readFileSync(path.join(A, 'keys', 'field.key'), 'utf8'));
  const verifyB = await zt(['audit', 'verify'], { ZT_DATA_DIR: B });
  assert.equal(verifyB.code, 0);
  assert.match(verifyB.stdout, new RegExp(`${checked + 1} records checked`), 'the restore adds one record');

  const dbA = await openEmbedded(A);
  const dbB = await openEmbedded(B);
  try {
    const hashes = async (db: PGlite) => (await db.query<{ hash: string }>('select hash from audit_log order by id')).rows.map((r) => r.hash);
    assert.deepEqual((await hashes(dbB)).slice(0, checked), await hashes(dbA));
    for (const table of ['regions', 'units', 'users', 'user_roles', 'api_tokens']) {
      const count = async (db: PGlite) => (await db.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0].n;
      assert.equal(await count(dbB), await count(dbA), table);
    }
    // Tampering with the restored log is found by the verification command.
    await dbB.exec(`alter table audit_log disable trigger user; update audit_log set action = 'tampered' where id = 5; alter table audit_log enable trigger user;`);
  } finally {
    await dbA.close();
    await dbB.close();
  }
  const broken = await zt(['audit', 'verify'], { ZT_DATA_DIR: B });
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /BROKEN at record 5/);

  const intoFull = await zt(['restore', archive], { ZT_DATA_DIR: A });
  assert.equal(intoFull.code, 1);
  assert.match(intoFull.stderr, /restore refused: the target installation is not empty/);

  const damaged = path.join(work, 'damaged.tar.gz');
  const bytes = fs.readFileSync(archive);
  bytes[Math.floor(bytes.length / 2)] ^= 0x55;
  fs.writeFileSync(damaged, bytes);
  const C = path.join(work, 'c');
  const refused = await zt(['restore', damaged], { ZT_DATA_DIR: C });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /restore refused: the archive is damaged/);
  assert.deepEqual(fs.readdirSync(C), [], 'no database was created for a damaged archive');
});

test('on PostgreSQL: the same commands side by side with a server, and a move from the embedded database', { skip: !TEST_PG_URL }, async () => {
  const admin = new pg.Client({ connectionString: TEST_PG_URL! });
  await admin.connect();
  const names = ['one', 'two', 'moved'].map((n) => `zt_cli_${n}_${crypto.randomBytes(4).toString('hex')}`);
  for (const name of names) await admin.query(`create database ${name}`);
  const urlOf = (name: string) => {
    const url = new URL(TEST_PG_URL!);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const [one, two, moved] = names.map(urlOf);
  const dataDir = path.join(work, 'pg-one');
  try {
    assert.equal((await zt(['migrate'], { DATABASE_URL: one, ZT_DATA_DIR: dataDir })).code, 0);
    const seeded = await zt(['seed', '--demo'], { DATABASE_URL: one, ZT_DATA_DIR: dataDir, ZT_DEMO_PASSWORD: DEMO_PASSWORD });
    assert.equal(seeded.code, 0, seeded.stderr);
    const server = await startServer({ DATABASE_URL: one, ZT_DATA_DIR: dataDir, ZT_DEMO: '0' });
    try {
      assert.match(server.banner, /PostgreSQL postgres:\/\//);
      // No lock on PostgreSQL: commands run beside the server.
      const issued = await zt(['admin', 'token', '--username', 'auditor'], { DATABASE_URL: one, ZT_DATA_DIR: dataDir });
      assert.equal(issued.code, 0, issued.stderr);
      const verify = await getJson(`${server.url}/api/v1/audit/verify`, { authorization: `Bearer ${issued.stdout.trim()}` });
      assert.equal(verify.status, 200);
      assert.equal(verify.body.ok, true);
      const archivePg = path.join(work, 'pg.tar.gz');
      const made = await zt(['backup', archivePg], { DATABASE_URL: one, ZT_DATA_DIR: dataDir });
      assert.equal(made.code, 0, made.stderr);
      const restored = await zt(['restore', archivePg], { DATABASE_URL: two, ZT_DATA_DIR: path.join(work, 'pg-two') });
      assert.equal(restored.code, 0, restored.stderr);
      assert.match(restored.stdout, /on postgres/);
      assert.equal((await zt(['audit', 'verify'], { DATABASE_URL: two, ZT_DATA_DIR: path.join(work, 'pg-two') })).code, 0);
    } finally {
      assert.equal(await stop(server), 0);
    }

    // The embedded installation's archive moves to PostgreSQL.
    const movedDir = path.join(work, 'pg-moved');
    const restored = await zt(['restore', archive], { DATABASE_URL: moved, ZT_DATA_DIR: movedDir });
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /on pglite/);
    assert.equal((await zt(['audit', 'verify'], { DATABASE_URL: moved, ZT_DATA_DIR: movedDir })).code, 0);
    const server2 = await startServer({ DATABASE_URL: moved, ZT_DATA_DIR: movedDir });
    try {
      const me = await getJson(`${server2.url}/api/v1/me`, { authorization: `Bearer ${token}` });
      assert.equal(me.status, 200);
      assert.equal(me.body.username, 'auditor');
    } finally {
      assert.equal(await stop(server2), 0);
    }
  } finally {
    for (const name of names) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
});
