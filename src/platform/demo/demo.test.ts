import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as OTPAuth from 'otpauth';
import { sql } from 'kysely';
import { createTestContext, type TestContext } from '../../../test/helpers.ts';
import { ConfigError } from '../../config/index.ts';
import { isValidCreditCode, regionLevelOf } from '../org/codes.ts';
import { ROLES } from '../iam/roles.ts';
import { DEMO_CITY, DEMO_COUNTIES, demoUnits, orgCodeCheckChar } from './city.ts';
import { DEMO_ACCOUNTS } from './city.ts';
import { DemoRefusedError, DEMO_ACCOUNTS_FILE, generateDemoPassword, seedDemo, type DemoResult } from './seed.ts';

const PASSWORD = 'Yunchuan-Demo-1';
let ctx: TestContext;
let first: DemoResult;

before(async () => {
  ctx = await createTestContext({ env: { ZT_DEMO_PASSWORD: PASSWORD } });
  first = await seedDemo(ctx.platform);
});
after(() => ctx?.close());

const count = async (table: string) => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.id(table)}`.execute(ctx.platform.db)).rows[0].n);

test('the demo city: 3 counties, their towns and villages, about 15 city departments, valid codes', async () => {
  assert.equal(DEMO_COUNTIES.length, 3);
  for (const county of DEMO_COUNTIES) {
    assert.ok(county.towns.length >= 2 && county.towns.length <= 3);
    for (const town of county.towns) assert.ok(town.villages.length >= 2 && town.villages.length <= 3);
  }
  const regions = (await sql<{ code: string; level: string }>`select code, level from regions`.execute(ctx.platform.db)).rows;
  assert.equal(regions.length, first.regionsCreated);
  for (const r of regions) assert.equal(regionLevelOf(r.code), r.level, r.code);
  for (const r of regions.filter((r) => r.level !== 'province')) assert.ok(r.code.startsWith('3312'), `${r.code} lies outside the fictional city`);

  const units = (await sql<{ name: string; kind: string; region_code: string; credit_code: string }>`select name, kind, region_code, credit_code from units`.execute(ctx.platform.db)).rows;
  assert.equal(units.length, demoUnits().length);
  const cityDepartments = units.filter((u) => u.region_code === DEMO_CITY.code);
  assert.ok(cityDepartments.length >= 15, `${cityDepartments.length} city units`);
  assert.ok(cityDepartments.some((u) => u.kind === 'service_center' && u.name === '云川市行政审批服务局'));
  assert.ok(cityDepartments.some((u) => u.kind === 'government' && u.name === '云川市人民政府办公室'));
  assert.ok(units.some((u) => u.kind === 'town') && units.some((u) => u.kind === 'village'));
  assert.ok(units.filter((u) => u.kind === 'department' && u.region_code.length === 6 && u.region_code !== DEMO_CITY.code).length >= 3, 'county departments');
  for (const u of units) {
    assert.ok(isValidCreditCode(u.credit_code), `${u.name}: ${u.credit_code}`);
    assert.equal(u.credit_code.slice(16, 17), orgCodeCheckChar(u.credit_code.slice(8, 16)), `${u.name}: organisation code check`);
    assert.ok(u.credit_code.slice(2, 8).startsWith('3312'), `${u.name}: registered in the city`);
  }
  assert.equal(new Set(units.map((u) => u.credit_code)).size, units.length);
});

test('one demo account per built-in role (and a few more for document exchange), with the password from ZT_DEMO_PASSWORD', async () => {
  assert.deepEqual([...new Set(first.accounts.map((a) => a.role))].sort(), [...ROLES].sort());
  assert.equal(first.accounts.length, DEMO_ACCOUNTS.length);
  assert.equal(first.password, PASSWORD);
  assert.equal(first.passwordGenerated, false);
  for (const a of first.accounts) assert.match(a.displayName, /^[\u4e00-\u9fff]{2,3}$/);
  const roles = (await sql<{ username: string; role: string }>`select u.username, r.role from users u join user_roles r on r.user_id = u.id`.execute(ctx.platform.db)).rows;
  for (const role of ROLES) assert.ok(roles.some((r) => r.role === role && r.username === role), role);

  // An ordinary account signs in with the password alone and is not asked to change it.
  const clerk = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'window_clerk', password: PASSWORD } });
  assert.equal(clerk.statusCode, 200, clerk.body);
  const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `zt_session=${clerk.cookies.find((c) => c.name === 'zt_session')!.value}` } });
  assert.equal(me.statusCode, 200, me.body);
  assert.equal(me.json().roles[0].role, 'window_clerk');

  // The three administrators and the supervisor are enrolled: the printed secret gives the code.
  for (const username of ['sysadmin', 'secadmin', 'auditor', 'supervisor']) {
    const account = first.accounts.find((a) => a.username === username)!;
    assert.ok(account.totpSecret, username);
    const without = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
    assert.equal(without.json().code, 'TOTP_REQUIRED');
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(account.totpSecret!) }).generate();
    const withCode = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD, totp } });
    assert.equal(withCode.statusCode, 200, withCode.body);
  }

  const file = path.join(ctx.config.dataDir, DEMO_ACCOUNTS_FILE);
  assert.equal(first.accountsFile, file);
  assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes(PASSWORD) && text.includes('village_officer') && text.includes('otpauth://totp/'));
});

test('seeding twice creates nothing new and leaves passwords alone', async () => {
  const before = { regions: await count('regions'), units: await count('units'), users: await count('users'), roles: await count('user_roles') };
  const again = await seedDemo(ctx.platform);
  assert.equal(again.regionsCreated, 0);
  assert.equal(again.unitsCreated, 0);
  assert.ok(again.accounts.every((a) => !a.created));
  assert.equal(again.password, null);
  assert.deepEqual({ regions: await count('regions'), units: await count('units'), users: await count('users'), roles: await count('user_roles') }, before);
});

test('refused with NODE_ENV=production unless forced; a weak ZT_DEMO_PASSWORD names the setting', async () => {
  const production = await createTestContext({ env: { NODE_ENV: 'production' } });
  try {
    assert.equal(production.config.demo, false);
    await assert.rejects(seedDemo(production.platform), DemoRefusedError);
    assert.equal(Number((await sql<{ n: number }>`select count(*)::int as n from users`.execute(production.platform.db)).rows[0].n), 0);
    const forced = await seedDemo(production.platform, { forceProduction: true });
    assert.equal(forced.accounts.length, DEMO_ACCOUNTS.length);
    assert.equal(forced.passwordGenerated, true);
  } finally {
    await production.close();
  }
  const weak = await createTestContext({ env: { ZT_DEMO_PASSWORD: 'demo' } });
  try {
    await assert.rejects(seedDemo(weak.platform), (e: unknown) => e instanceof ConfigError && e.setting === 'ZT_DEMO_PASSWORD');
  } finally {
    await weak.close();
  }
});

test('a generated password is strong and easy to type', () => {
  for (let i = 0; i < 50; i++) {
    const password = generateDemoPassword();
    assert.match(password, /^[A-Za-z2-9]{4}-[A-Za-z2-9]{4}-[A-Za-z2-9]{4}-[A-Za-z2-9]{4}$/);
    assert.ok(/[a-z]/.test(password) && /[A-Z]/.test(password) && /\d/.test(password));
  }
});
