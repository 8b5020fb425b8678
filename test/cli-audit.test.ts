// The audit trail's anchor through the command line (decision 0013): checkpoints signed by
// `zt migrate` and `zt audit checkpoint`, and what `zt audit verify` says about them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { migratedDataDir, openEmbedded, ROOT, startServer, stop, zt } from './cli-helpers.ts';

test('checkpoints from zt migrate and zt audit checkpoint; verify names a lane that lost its newest record, and needs the key', async () => {
  const A = await migratedDataDir('audit');
  const imported = await zt(['import', 'units', path.join(ROOT, 'docs', 'examples', 'units.csv')], { ZT_DATA_DIR: A });
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(fs.statSync(path.join(A, 'keys', 'audit.key')).mode & 0o777, 0o600);

  const migrated = await zt(['migrate'], { ZT_DATA_DIR: A });
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.match(migrated.stdout, /up to date/);
  const records = Number(/Audit checkpoint 1 signed: (\d+) records/.exec(migrated.stdout)?.[1]);
  assert.ok(records > 0, migrated.stdout);
  const onDemand = await zt(['audit', 'checkpoint'], { ZT_DATA_DIR: A });
  assert.equal(onDemand.code, 0, onDemand.stderr);
  assert.match(onDemand.stdout, new RegExp(`Audit checkpoint 2 signed: ${records} records`));
  assert.equal(fs.readFileSync(path.join(A, 'audit', 'checkpoints.jsonl'), 'utf8').trim().split('\n').length, 2);

  const whole = await zt(['audit', 'verify'], { ZT_DATA_DIR: A });
  assert.equal(whole.code, 0, whole.stderr);
  assert.match(whole.stdout, new RegExp(`whole: ${records} records checked`));
  assert.match(whole.stdout, new RegExp(`Latest checkpoint: 2 at \\S+, ${records} records, signature valid; 0 records written since`));

  const db = await openEmbedded(A);
  let lane: number;
  try {
    const newest = (await db.query<{ id: number; lane: number }>('select id, lane from audit_log order by id desc limit 1')).rows[0];
    lane = newest.lane;
    await db.exec(`alter table audit_log disable trigger user; delete from audit_log where id = ${newest.id}; alter table audit_log enable trigger user;`);
  } finally {
    await db.close();
  }
  const truncated = await zt(['audit', 'verify'], { ZT_DATA_DIR: A });
  assert.equal(truncated.code, 1);
  assert.match(truncated.stdout, new RegExp(`BROKEN in lane ${lane}: the lane has fewer records than the signed checkpoint counted`));

  fs.renameSync(path.join(A, 'keys', 'audit.key'), path.join(A, 'keys', 'audit.key.away'));
  const keyless = await zt(['audit', 'verify'], { ZT_DATA_DIR: A });
  assert.equal(keyless.code, 1);
  assert.match(keyless.stderr, /needs the audit key/);
  assert.ok(!fs.existsSync(path.join(A, 'keys', 'audit.key')), 'verification never creates a key');
});

test('a server that stops cleanly signs a checkpoint of what it wrote, into the table, the file and its log', async () => {
  const A = await migratedDataDir('audit-stop');
  const server = await startServer({ ZT_DATA_DIR: A, LOG_LEVEL: 'info', ZT_DEMO: '0' });
  // A failed sign-in is audited (whatever its answer says).
  const res = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'nobody', password: 'Wrong-pass-1' }) });
  assert.ok(res.status >= 400 && res.status < 500, await res.text());
  assert.equal(await stop(server), 0);
  const line = server.output().split('\n').find((l) => l.includes('"auditCheckpoint"'));
  assert.ok(line, server.output());
  const logged = JSON.parse(line).auditCheckpoint;
  const filed = fs.readFileSync(path.join(A, 'audit', 'checkpoints.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(filed, [logged]);
  assert.ok(JSON.parse(logged.body).records >= 1);
  const verified = await zt(['audit', 'verify'], { ZT_DATA_DIR: A });
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /Latest checkpoint: 1 .*signature valid; 0 records written since/);
});
