// Backup and restore through the command line on the embedded database (PostgreSQL, and the move
// from one to the other, are in cli-postgres.test.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { DEMO_PASSWORD, migratedDataDir, openEmbedded, work, zt } from './cli-helpers.ts';

let A = '';

before(async () => {
  A = await migratedDataDir('a');
  const run = await zt(['seed', '--demo'], { ZT_DATA_DIR: A, ZT_DEMO_PASSWORD: DEMO_PASSWORD });
  assert.equal(run.code, 0, run.stderr);
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

test('statistics rebuild: dates checked, every day or a period, audited', async () => {
  for (const args of [['--from', '2026-11-01'], ['--from', '2026-13-01', '--to', '2026-12-01'], ['--from', '2026-11-30', '--to', '2026-11-01'], ['--from', 'yesterday', '--to', '2026-11-01']]) {
    const refused = await zt(['statistics', 'rebuild', ...args], { ZT_DATA_DIR: A });
    assert.equal(refused.code, 2, `${args.join(' ')}: ${refused.stderr}`);
    assert.match(refused.stderr, /--from|--to/);
  }
  const before = Number(/(\d+) records checked/.exec((await zt(['audit', 'verify'], { ZT_DATA_DIR: A })).stdout)![1]);
  const period = await zt(['statistics', 'rebuild', '--from', '2026-11-01', '--to', '2026-11-30'], { ZT_DATA_DIR: A });
  assert.equal(period.code, 0, period.stderr);
  assert.match(period.stdout, /Rebuilt the statistics of 30 days: \d+ finished steps counted\./);
  const after = await zt(['audit', 'verify'], { ZT_DATA_DIR: A });
  assert.equal(Number(/(\d+) records checked/.exec(after.stdout)![1]), before + 1, 'the rebuild is audited');
});
