// The command line and the server as an operator runs them, against a temporary data folder
// (embedded database). Backup and restore, and PostgreSQL, are in cli-backup.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { DEMO_PASSWORD, getJson, startServer, work, zt } from './cli-helpers.ts';

test('usage: help, unknown commands and options, a bad setting named', async () => {
  const help = await zt(['--help'], {});
  assert.equal(help.code, 0);
  for (const command of ['start', 'migrate', 'seed', 'admin', 'import', 'audit', 'backup', 'restore']) assert.match(help.stdout, new RegExp(`\\n  ${command}`));
  const adminHelp = await zt(['admin', 'create', '--help'], {});
  assert.equal(adminHelp.code, 0);
  assert.match(adminHelp.stdout, /no change is forced/);
  assert.equal((await zt(['frobnicate'], {})).code, 2);
  assert.equal((await zt(['admin', 'token'], {})).code, 2);
  const dataDir = path.join(work, 'never-created');
  const badPort = await zt(['migrate'], { ZT_DATA_DIR: dataDir, PORT: 'abc' });
  assert.equal(badPort.code, 1);
  assert.match(badPort.stderr, /^zt: Invalid setting PORT: expected a whole number, got "abc"\n$/);
  const badStart = await zt(['start'], { ZT_DATA_DIR: dataDir, PORT: 'abc' });
  assert.equal(badStart.code, 1);
  assert.match(badStart.stderr, /PORT/);
  const badUrl = await zt(['start'], { ZT_DATA_DIR: dataDir, DATABASE_URL: 'mysql://x' });
  assert.equal(badUrl.code, 1);
  assert.match(badUrl.stderr, /DATABASE_URL/);
  assert.equal(fs.existsSync(dataDir), false, 'nothing written on a bad setting');
  const code = await zt(['totp', 'JBSWY3DPEHPK3PXP'], {});
  assert.equal(code.code, 0);
  assert.match(code.stdout, /^\d{6}\n$/);
});

const A = path.join(work, 'a');

test('first start: migrates, loads the demo city, prints the addresses and logins, holds the folder, shuts down gracefully', async (t) => {
  const server = await startServer({ ZT_DATA_DIR: A, ZT_DEMO_PASSWORD: DEMO_PASSWORD, ZT_DEMO_CASES: '6' });
  t.diagnostic(`first start ready after ${server.seconds.toFixed(1)} s`);
  const banner = server.banner;
  // The demo city's past cases, with their progress; the citizen's and company's portal logins.
  assert.match(banner, /演示数据：已生成 6\/6 件/);
  assert.match(banner, /13957100001\s+林小雨/);
  assert.match(banner, /Portal\s+http:\/\/127\.0\.0\.1:\d+\/\n/);
  assert.match(banner, /Console\s+http:\/\/127\.0\.0\.1:\d+\/console\n/);
  assert.match(banner, /API docs\s+http:\/\/127\.0\.0\.1:\d+\/api\/docs\n/);
  assert.ok(banner.includes(`password for all: ${DEMO_PASSWORD}`));
  for (const role of ['sysadmin', 'secadmin', 'auditor', 'window_clerk', 'village_officer']) assert.ok(banner.includes(`  ${role} `), role);
  assert.match(banner, /sysadmin .*TOTP secret [A-Z2-7]{32}/);
  assert.equal((await getJson(`${server.url}/readyz`)).status, 200);

  // A second process refuses the folder, naming the server, instead of opening the database.
  const migrate = await zt(['migrate'], { ZT_DATA_DIR: A });
  assert.equal(migrate.code, 1);
  assert.ok(migrate.stderr.includes(`pid ${server.child.pid}`), migrate.stderr);
  assert.match(migrate.stderr, /in use by a Zhengtong server/);
  const tokenWhileRunning = await zt(['admin', 'token', '--username', 'sysadmin'], { ZT_DATA_DIR: A });
  assert.equal(tokenWhileRunning.code, 1);
  assert.match(tokenWhileRunning.stderr, /POST \/api\/v1\/tokens/);
  assert.equal(tokenWhileRunning.stdout, '');

  // Graceful shutdown: a request whose body is still arriving when SIGTERM comes is answered.
  const body = JSON.stringify({ username: 'window_clerk', password: DEMO_PASSWORD });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    request.on('error', reject);
    request.write(body.slice(0, 10));
    setTimeout(() => {
      server.child.kill('SIGTERM');
      setTimeout(() => request.end(body.slice(10)), 400);
    }, 300);
  });
  const answered = await answer;
  assert.equal(answered.status, 200, answered.body);
  assert.equal(await server.exit, 0);
  assert.equal(fs.existsSync(path.join(A, 'zt.lock')), false, 'the lock is released');
  await assert.rejects(fetch(`${server.url}/healthz`));
});

test('demo data is refused at start with NODE_ENV=production', async () => {
  const D = path.join(work, 'd');
  const start = await zt(['start'], { ZT_DATA_DIR: D, NODE_ENV: 'production', ZT_DEMO: '1' });
  assert.equal(start.code, 1);
  assert.match(start.stderr, /ZT_DEMO/);
  assert.equal(fs.existsSync(D), false);
});
