// Account commands and the organisation import through the command line, then a restart on the
// same folder that accepts what they created.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DEMO_PASSWORD, getJson, migratedDataDir, startServer, stop, work, zt } from './cli-helpers.ts';

let A = '';
before(async () => {
  A = await migratedDataDir('admin');
  const up = await zt(['migrate'], { ZT_DATA_DIR: A });
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /up to date/);
  const seeded = await zt(['seed', '--demo'], { ZT_DATA_DIR: A, ZT_DEMO_PASSWORD: DEMO_PASSWORD });
  assert.equal(seeded.code, 0, seeded.stderr);
  assert.match(seeded.stdout, /38 regions and 71 units created/);
});

test('admin create reads the password from stdin; admin token prints only a token that works', async () => {

  const password = 'Ops-Admin#2026';
  const created = await zt(['admin', 'create', '--username', 'ops.secadmin', '--role', 'secadmin', '--name', '运维安全员', '--password-stdin'], { ZT_DATA_DIR: A }, `${password}\n`);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /Created account ops\.secadmin .*secadmin \(region 330000\)/);

  const again = await zt(['admin', 'create', '--username', 'OPS.secadmin', '--role', 'auditor', '--password-stdin'], { ZT_DATA_DIR: A }, password);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);
  const twoAdmins = await zt(['admin', 'create', '--username', 'both', '--role', 'sysadmin', '--role', 'auditor', '--password-stdin'], { ZT_DATA_DIR: A }, password);
  assert.equal(twoAdmins.code, 2);
  assert.match(twoAdmins.stderr, /cannot be held by one account/);
  const noUnit = await zt(['admin', 'create', '--username', 'clerk2', '--role', 'window_clerk', '--password-stdin'], { ZT_DATA_DIR: A }, password);
  assert.equal(noUnit.code, 2);
  assert.match(noUnit.stderr, /--unit is required/);
  const weak = await zt(['admin', 'create', '--username', 'weak', '--role', 'auditor', '--password-stdin'], { ZT_DATA_DIR: A }, 'short\n');
  assert.equal(weak.code, 1);
  assert.match(weak.stderr, /[Pp]assword|密码/);

  const issued = await zt(['admin', 'token', '--username', 'ops.secadmin', '--days', '2'], { ZT_DATA_DIR: A });
  assert.equal(issued.code, 0, issued.stderr);
  assert.match(issued.stdout, /^zt_[A-Za-z0-9_-]{20,}\n$/);
  const token = issued.stdout.trim();

  const reset = await zt(['admin', 'reset-password', '--username', 'window_clerk', '--password-stdin'], { ZT_DATA_DIR: A }, 'Reset-Pass#2026\n');
  assert.equal(reset.code, 0, reset.stderr);
  assert.match(reset.stdout, /must be changed at the next sign-in/);

  const csv = path.join(work, 'units.csv');
  fs.writeFileSync(csv, 'type,key,name,regionCode,kind\nunit,YC-TEST,云川市数据测试中心,331200,other\n');
  const imported = await zt(['import', 'units', csv], { ZT_DATA_DIR: A });
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /Imported 0 regions, 1 units and 0 staff/);
  const badCsv = path.join(work, 'bad.csv');
  fs.writeFileSync(badCsv, 'type,key,name,regionCode,kind\nunit,YC-BAD,坏单位,999999,other\n');
  const refused = await zt(['import', 'units', badCsv], { ZT_DATA_DIR: A });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /row 2/);

  // Restart on the existing folder: the token and the password work, no change of password is forced.
  const server = await startServer({ ZT_DATA_DIR: A });
  try {
    const me = await getJson(`${server.url}/api/v1/me`, { authorization: `Bearer ${token}` });
    assert.equal(me.status, 200);
    assert.equal(me.body.username, 'ops.secadmin');
    assert.deepEqual(me.body.roles, [{ role: 'secadmin', scope: { regionCode: '330000' } }]);
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ops.secadmin', password }) });
    assert.equal(login.status, 200);
    const user = ((await login.json()) as { user: { mustChangePassword: boolean } }).user;
    assert.equal(user.mustChangePassword, false);
    assert.match(server.banner, /Demo logins: .*demo-accounts\.txt/);
    const clerk = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'window_clerk', password: 'Reset-Pass#2026' }) });
    assert.equal(clerk.status, 200);
    assert.equal(((await clerk.json()) as { user: { mustChangePassword: boolean } }).user.mustChangePassword, true);
  } finally {
    assert.equal(await stop(server), 0);
  }
});

test('demo data is refused with NODE_ENV=production unless forced; seeding again adds nothing', async () => {
  const seed = await zt(['seed', '--demo'], { ZT_DATA_DIR: A, NODE_ENV: 'production' });
  assert.equal(seed.code, 1);
  assert.match(seed.stderr, /--force-production/);
  const again = await zt(['seed', '--demo'], { ZT_DATA_DIR: A });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /0 regions and 0 units created/);
  assert.match(again.stdout, /already exist/);
});
