// The command line on PostgreSQL (when ZT_TEST_DATABASE_URL is set): commands beside a running
// server, backup and restore between databases, and the move from the embedded database.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { TEST_PG_URL } from './helpers.ts';
import { DEMO_PASSWORD, getJson, migratedDataDir, startServer, stop, work, zt } from './cli-helpers.ts';

const archive = path.join(work, 'embedded.tar.gz');
let token = '';

before(async () => {
  if (!TEST_PG_URL) return;
  const dir = await migratedDataDir('embedded');
  for (const args of [['seed', '--demo'], ['admin', 'token', '--username', 'auditor'], ['backup', archive]]) {
    const run = await zt(args, { ZT_DATA_DIR: dir, ZT_DEMO_PASSWORD: DEMO_PASSWORD });
    assert.equal(run.code, 0, run.stderr);
    if (args[0] === 'admin') token = run.stdout.trim();
  }
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
