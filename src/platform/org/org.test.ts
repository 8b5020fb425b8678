import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import {
  createTestContext,
  seedRegions,
  makeUnit,
  makeUser,
  bearer,
  loginSession,
  problem,
  creditCode,
  TEST_PG_URL,
  type TestContext,
  type TestUser,
} from '../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { verifyChain } from '../audit/service.ts';
import { prepareOrgImport, writeOrgImport } from './import.ts';
import type { Unit } from './service.ts';

let ctx: TestContext;
/** The command line's path: checked and hashed first, then written in one unit of work. */
async function importOrgCsv(csv: string | Uint8Array) {
  const prepared = await prepareOrgImport(ctx.platform, csv);
  return inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => writeOrgImport(work, ctx.platform, prepared));
}
let sysadmin: TestUser;
let home: Unit;
before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
  home = await makeUnit(ctx.platform, '测试市人民政府办公室', '990100', 'government');
  sysadmin = await makeUser(ctx.platform, home.id, [{ role: 'sysadmin', scope: { regionCode: '990000' } }]);
});
after(() => ctx.close());

const count = async (table: string, where = 'true') =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${sql.raw(where)}`.execute(ctx.platform.db)).rows[0].n;

/** Rows in every table an import or an org route writes: equal before and after means nothing was written. */
const snapshot = async () => ({
  regions: await count('regions'),
  units: await count('units'),
  users: await count('users'),
  roles: await count('user_roles'),
  audit: await count('audit_log'),
});

const HEADER = 'type,key,code,name,level,parentCode,regionCode,kind,parentKey,creditCode,username,unitKey,phone,email,password,roles';
type Cells = Partial<Record<'key' | 'code' | 'name' | 'level' | 'parentCode' | 'regionCode' | 'kind' | 'parentKey' | 'creditCode' | 'username' | 'unitKey' | 'phone' | 'email' | 'password' | 'roles', string>>;
const cell = (v: string | undefined) => (v && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : (v ?? ''));
const line = (type: string, c: Cells) =>
  [type, c.key, c.code, c.name, c.level, c.parentCode, c.regionCode, c.kind, c.parentKey, c.creditCode, c.username, c.unitKey, c.phone, c.email, c.password, c.roles].map(cell).join(',');
const csvOf = (...lines: string[]) => csvOfLines(lines);
const csvOfLines = (lines: string[]) => `${HEADER}\n${lines.join('\n')}\n`;

const importCsv = (body: string | Buffer, user: { token: string } = sysadmin, contentType = 'text/csv; charset=utf-8') =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/units/import', headers: { ...bearer(user), 'content-type': contentType }, payload: body });

let seq = 0;
const next = () => ++seq;

// ---------------------------------------------------------------- regions and units through the API

test('regions: a wrong level, a wrong parent or a bad code is refused and nothing is written', async () => {
  const before = await snapshot();
  const cases = [
    { body: { code: '990104', name: '丙县', level: 'city', parentCode: '990100' }, path: 'level' },
    { body: { code: '990104', name: '丙县', level: 'county', parentCode: '990000' }, path: 'parentCode' },
    { body: { code: '990103002', name: '乙镇', level: 'town', parentCode: '990102' }, path: 'parentCode' },
    { body: { code: '99010', name: '坏码', level: 'county', parentCode: '990100' }, path: 'code' },
    { body: { code: '990102000', name: '坏镇', level: 'town', parentCode: '990102' }, path: 'code' },
    { body: { code: '990199', name: '丁县', level: 'county', parentCode: '990199' }, path: 'parentCode' },
  ];
  for (const { body, path: field } of cases) {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/regions', headers: bearer(sysadmin), payload: body });
    const p = problem(res);
    assert.equal(p.status, 400, res.body);
    assert.equal(p.body.code, 'VALIDATION_FAILED');
    assert.deepEqual(p.body.errors!.map((e) => e.path), [field], res.body);
  }
  assert.deepEqual(await snapshot(), before);
});

test('a region answers with its parent chain; an unknown code is 404', async () => {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/regions/990102001001' });
  assert.equal(res.statusCode, 200);
  const region = res.json();
  assert.equal(region.level, 'village');
  assert.equal(region.parentCode, '990102001');
  assert.deepEqual(
    region.ancestors.map((a: { code: string }) => a.code),
    ['990000', '990100', '990102', '990102001'],
  );
  assert.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/regions/990999' })).statusCode, 404);
  assert.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/regions/x'.padEnd(40, 'x') })).statusCode, 400);
});

test('units: missing region, invalid credit code, duplicates and a caller without unit.write', async () => {
  const before = await snapshot();
  const missing = await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(sysadmin), payload: { name: '不存在的单位', regionCode: '990199', kind: 'department' } });
  assert.equal(missing.statusCode, 400, missing.body);
  assert.deepEqual(problem(missing).body.errors!.map((e) => e.path), ['regionCode']);
  const badCredit = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/units',
    headers: bearer(sysadmin),
    payload: { name: '信用代码错误的单位', regionCode: '990100', kind: 'department', creditCode: '91350100M000100Y44' },
  });
  assert.equal(badCredit.statusCode, 400);
  assert.deepEqual(problem(badCredit).body.errors!.map((e) => e.path), ['creditCode']);
  const unitAdmin = await makeUser(ctx.platform, home.id, ['unit_admin']);
  const forbidden = await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(unitAdmin), payload: { name: '越权单位', regionCode: '990100', kind: 'department' } });
  assert.equal(forbidden.statusCode, 403);
  assert.equal(problem(forbidden).body.code, 'FORBIDDEN');
  const after = await snapshot();
  assert.deepEqual({ ...after, users: before.users, roles: before.roles, audit: before.audit }, before);
  assert.equal(await count('units', "name in ('不存在的单位', '信用代码错误的单位', '越权单位')"), 0);

  const code = '91350100M000100Y43';
  const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(sysadmin), payload: { name: '测试市数据局', regionCode: '990100', kind: 'department', creditCode: code, externalKey: 'DATA' } });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.json().externalKey, 'DATA');
  const sameName = await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(sysadmin), payload: { name: '测试市数据局', regionCode: '990100', kind: 'department' } });
  assert.equal(sameName.statusCode, 409);
  assert.equal(problem(sameName).body.code, 'DUPLICATE');
  assert.deepEqual(problem(sameName).body.errors!.map((e) => e.path), ['name']);
  const sameCode = await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(sysadmin), payload: { name: '另一个单位', regionCode: '990100', kind: 'department', creditCode: code } });
  assert.equal(sameCode.statusCode, 409);
  assert.deepEqual(problem(sameCode).body.errors!.map((e) => e.path), ['creditCode']);
  assert.equal(await count('units', `credit_code = '${code}'`), 1);
});

// ---------------------------------------------------------------- staff accounts

test("a unit admin cannot create an account in another unit, and usernames are unique in any case", async () => {
  const mine = await makeUnit(ctx.platform);
  const other = await makeUnit(ctx.platform, undefined, '990103');
  const admin = await makeUser(ctx.platform, mine.id, ['unit_admin']);
  const before = await snapshot();
  const elsewhere = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: bearer(admin),
    payload: { username: 'intruder.zhao', displayName: '赵某', password: 'Initial#2026', unitId: other.id },
  });
  assert.equal(elsewhere.statusCode, 400, elsewhere.body);
  assert.deepEqual(problem(elsewhere).body.errors!.map((e) => e.path), ['unitId']);
  assert.deepEqual(await snapshot(), before);

  const first = await ctx.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(admin), payload: { username: 'staff.qian', displayName: '钱某', password: 'Initial#2026', unitId: mine.id } });
  assert.equal(first.statusCode, 201, first.body);
  const again = await ctx.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(admin), payload: { username: 'Staff.Qian', displayName: '钱二', password: 'Initial#2026', unitId: mine.id } });
  assert.equal(again.statusCode, 409);
  assert.equal(problem(again).body.code, 'DUPLICATE');
  assert.equal(await count('users', "lower(username) = 'staff.qian'"), 1);
});

test('the account list keeps to the caller’s user.read scope and pages by username', async () => {
  const county = await makeUnit(ctx.platform, undefined, '990102');
  const town = await makeUnit(ctx.platform, undefined, '990102001', 'town');
  const otherCounty = await makeUnit(ctx.platform, undefined, '990103');
  const admin = await makeUser(ctx.platform, county.id, ['unit_admin'], { username: `listadmin${next()}` });
  const ours = [];
  for (let i = 0; i < 4; i++) ours.push(await makeUser(ctx.platform, county.id, [], { username: `list.county${i}.${next()}` }));
  const townUser = await makeUser(ctx.platform, town.id, [], { username: `list.town.${next()}` });
  const theirs = await makeUser(ctx.platform, otherCounty.id, [], { username: `list.other.${next()}` });

  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10; page++) {
    const url: string = `/api/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await ctx.app.inject({ method: 'GET', url, headers: bearer(admin) });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.ok(body.items.length <= 2);
    seen.push(...body.items.map((u: { username: string; unitId: string }) => (assert.equal(u.unitId, county.id), u.username)));
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  assert.deepEqual(seen, [admin.username, ...ours.map((u) => u.username)].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));

  const filtered = await ctx.app.inject({ method: 'GET', url: `/api/v1/users?q=county1`, headers: bearer(admin) });
  assert.deepEqual(filtered.json().items.map((u: { username: string }) => u.username), [ours[1].username]);
  const elsewhere = await ctx.app.inject({ method: 'GET', url: `/api/v1/users?unitId=${otherCounty.id}`, headers: bearer(admin) });
  assert.equal(elsewhere.statusCode, 404);
  const badCursor = await ctx.app.inject({ method: 'GET', url: '/api/v1/users?cursor=nonsense', headers: bearer(admin) });
  assert.equal(badCursor.statusCode, 400);
  const unknownField = await ctx.app.inject({ method: 'GET', url: '/api/v1/users?unit=1', headers: bearer(admin) });
  assert.equal(unknownField.statusCode, 400);
  const clerk = await makeUser(ctx.platform, county.id, ['window_clerk']);
  assert.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(clerk) })).statusCode, 403);

  // A region scope covers every unit below it, and only those.
  const countyAuditor = await makeUser(ctx.platform, county.id, [{ role: 'auditor', scope: { regionCode: '990102' } }]);
  const wide = await ctx.app.inject({ method: 'GET', url: '/api/v1/users?limit=200&q=list.', headers: bearer(countyAuditor) });
  const names = wide.json().items.map((u: { username: string }) => u.username);
  assert.ok(names.includes(townUser.username) && names.includes(ours[0].username));
  assert.ok(!names.includes(theirs.username));
  const townOnly = await ctx.app.inject({ method: 'GET', url: `/api/v1/users?unitId=${town.id}`, headers: bearer(countyAuditor) });
  assert.deepEqual(townOnly.json().items.map((u: { username: string }) => u.username), [townUser.username]);
});

// ---------------------------------------------------------------- CSV import

test('an import creates regions, units and staff who must change their password; every object is audited', async () => {
  const before = await snapshot();
  const csv = csvOf(
    line('region', { code: '990102002', name: '丙镇', level: 'town', parentCode: '990102' }),
    line('region', { code: '990102002001', name: '丙村', parentCode: '990102002' }),
    line('unit', { key: 'IMP-GOV', name: '丙镇人民政府', regionCode: '990102002', kind: 'town', creditCode: creditCode(9001).toLowerCase() }),
    line('unit', { key: 'IMP-SVC', name: '丙镇便民服务中心', regionCode: '990102002', kind: 'service_center', parentKey: 'IMP-GOV' }),
    line('unit', { key: 'IMP-VIL', name: '丙村村民委员会', regionCode: '990102002001', kind: 'village', parentKey: 'IMP-GOV' }),
    line('unit', { key: 'IMP-DEPT', name: '甲县财政局', regionCode: '990102', kind: 'department', parentKey: home.id }),
    line('staff', { username: 'imp.sun', name: '孙窗口', unitKey: 'IMP-SVC', phone: '13900139001', email: 'sun@example.cn', password: 'Initial#2026' }),
    line('staff', { username: 'imp.zhou', name: '周村官', unitKey: 'IMP-VIL' }),
    line('staff', { username: 'imp.wu', name: '吴科员', unitKey: 'DATA' }),
  );
  const res = await importCsv(csv);
  assert.equal(res.statusCode, 200, res.body);
  const result = res.json();
  assert.deepEqual({ regions: result.regions, units: result.units, staff: result.staff }, { regions: 2, units: 4, staff: 3 });
  assert.deepEqual(result.credentials.map((c: { username: string }) => c.username), ['imp.wu', 'imp.zhou']);

  const after = await snapshot();
  assert.equal(after.regions - before.regions, 2);
  assert.equal(after.units - before.units, 4);
  assert.equal(after.users - before.users, 3);
  assert.equal(after.audit - before.audit, 1 + 2 + 4 + 3);
  assert.equal(await count('audit_log', "action = 'org.import'"), 1);

  const gov = (await ctx.app.inject({ method: 'GET', url: '/api/v1/units?regionCode=990102002&q=人民政府' })).json().items[0];
  assert.equal(gov.externalKey, 'IMP-GOV');
  assert.equal(gov.creditCode, creditCode(9001));
  const children = await sql<{ name: string }>`select name from units where parent_id = ${gov.id} order by name`.execute(ctx.platform.db);
  assert.deepEqual(children.rows.map((r) => r.name), ['丙村村民委员会', '丙镇便民服务中心']);
  assert.equal(await count('units', `external_key = 'IMP-DEPT' and parent_id = '${home.id}'`), 1);

  // Staff sign in with the given or the generated password and must change it first.
  const given = await loginSession(ctx.app, 'imp.sun', 'Initial#2026');
  assert.equal(given.response.json().user.mustChangePassword, true);
  const generated = result.credentials.find((c: { username: string }) => c.username === 'imp.zhou');
  const second = await loginSession(ctx.app, 'imp.zhou', generated.password);
  assert.equal(second.response.json().user.mustChangePassword, true);
  const audit = await sql<{ details: unknown }>`select details from audit_log where action = 'user.create'`.execute(ctx.platform.db);
  assert.ok(!JSON.stringify(audit.rows).includes(generated.password));
});

test('the documented example file imports as the documentation says (command-line path: it adds a province)', async () => {
  const file = fs.readFileSync(path.join(import.meta.dirname, '../../../docs/examples/units.csv'));
  const result = await importOrgCsv(file);
  assert.deepEqual({ regions: result.regions, units: result.units, staff: result.staff }, { regions: 5, units: 5, staff: 2 });
  assert.deepEqual(result.credentials.map((c) => c.username), ['chen.jianguo']);
  assert.equal((await loginSession(ctx.app, 'lin.xiaohong', 'Chuangkou#2026')).response.json().user.mustChangePassword, true);
});

test('one bad row among good ones: 422 naming that row, and nothing is imported', async () => {
  const before = await snapshot();
  const csv = csvOf(
    line('region', { code: '990103001', name: '丁镇', parentCode: '990103' }),
    line('unit', { key: 'ONE-1', name: '丁镇人民政府', regionCode: '990103001', kind: 'town' }),
    line('unit', { key: 'ONE-2', name: '丁镇财政所', regionCode: '990103001', kind: 'department', creditCode: '91350100M000100Y44' }),
    line('staff', { username: 'one.li', name: '李一', unitKey: 'ONE-1' }),
  );
  const res = await importCsv(csv);
  const p = problem(res);
  assert.equal(p.status, 422, res.body);
  assert.equal(p.body.code, 'IMPORT_FAILED');
  assert.deepEqual(p.body.errors!.map((e) => e.path), ['row 4.creditCode']);
  assert.deepEqual(await snapshot(), before);
});

test('five bad rows are all listed, each with its reason, in the caller’s language', async () => {
  const before = await snapshot();
  const csv = csvOf(
    line('region', { code: '99010', name: '坏码', parentCode: '990100' }), // row 2
    line('unit', { key: 'FIVE-1', name: '好单位', regionCode: '990102', kind: 'department' }),
    line('unit', { key: 'FIVE-2', name: '无区划单位', regionCode: '990188', kind: 'department' }), // row 4
    line('unit', { key: 'FIVE-1', name: '重复标识单位', regionCode: '990102', kind: 'department' }), // row 5
    line('staff', { username: 'imp.sun', name: '重名', unitKey: 'FIVE-1' }), // row 6: taken by the earlier import
    line('staff', { username: 'five.ok', name: '好人', unitKey: 'FIVE-1' }),
    line('staff', { username: 'five.bad', name: '坏人', unitKey: 'FIVE-1', phone: '12345', password: 'short' }), // row 8
  );
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/units/import?lang=en', headers: { ...bearer(sysadmin), 'content-type': 'text/csv' }, payload: csv });
  const p = problem(res);
  assert.equal(p.status, 422, res.body);
  assert.equal((p.body as { badRows?: number }).badRows, 5);
  assert.deepEqual(p.body.errors!.map((e) => e.path), ['row 2.code', 'row 4.regionCode', 'row 5.key', 'row 6.username', 'row 8.phone', 'row 8.password']);
  assert.match(p.body.errors![2].message, /repeats row 3/);
  assert.match(p.body.errors![3].message, /already taken/);
  assert.deepEqual(await snapshot(), before);
});

test('duplicates inside the file and against the platform are caught for every kind of key', async () => {
  const before = await snapshot();
  const csv = csvOf(
    line('region', { code: '990100', name: '测试市', parentCode: '990000' }), // row 2: exists
    line('region', { code: '990103003', name: '戊镇', parentCode: '990103' }),
    line('region', { code: '990103003', name: '戊镇', parentCode: '990103' }), // row 4
    line('unit', { key: 'DUP-1', name: '戊镇人民政府', regionCode: '990103003', kind: 'town', creditCode: creditCode(9101) }),
    line('unit', { key: 'DUP-2', name: '戊镇人民政府', regionCode: '990103003', kind: 'town', creditCode: creditCode(9101) }), // row 6: name and code
    line('unit', { key: 'IMP-GOV', name: '别的单位', regionCode: '990103003', kind: 'town', creditCode: creditCode(9001) }), // row 7: key and code exist
    line('staff', { username: 'dup.a', name: '甲', unitKey: 'DUP-1', phone: '13900139101' }),
    line('staff', { username: 'DUP.A', name: '乙', unitKey: 'DUP-1', phone: '13900139101' }), // row 9
    line('staff', { username: 'dup.c', name: '丙', unitKey: 'DUP-1', phone: '13900139001' }), // row 10: phone of imp.sun
  );
  const p = problem(await importCsv(csv));
  assert.equal(p.status, 422);
  assert.deepEqual(p.body.errors!.map((e) => e.path), [
    'row 2.code',
    'row 4.code',
    'row 6.creditCode',
    'row 6.name',
    'row 7.creditCode',
    'row 7.key',
    'row 9.username',
    'row 9.phone',
    'row 10.phone',
  ]);
  assert.deepEqual(await snapshot(), before);
});

test('references must point at earlier rows or existing units the caller manages', async () => {
  const otherCounty = await makeUnit(ctx.platform, '乙县教育局', '990103');
  const countyAdmin = await makeUser(ctx.platform, home.id, [{ role: 'sysadmin', scope: { regionCode: '990102' } }]);
  const before = await snapshot();
  const csv = csvOf(
    line('unit', { key: 'REF-CHILD', name: '先于上级的单位', regionCode: '990102', kind: 'department', parentKey: 'REF-PARENT' }), // row 2
    line('unit', { key: 'REF-PARENT', name: '上级单位', regionCode: '990102', kind: 'government' }),
    line('unit', { key: 'REF-OUT', name: '范围外单位', regionCode: '990103', kind: 'department' }), // row 4: region outside scope
    line('region', { code: '990103004', name: '己镇', parentCode: '990103' }), // row 5: outside scope
    line('staff', { username: 'ref.a', name: '甲', unitKey: otherCounty.id }), // row 6: someone else's unit
    line('staff', { username: 'ref.b', name: '乙', unitKey: 'NO-SUCH-UNIT' }), // row 7
    line('staff', { username: 'ref.c', name: '丙', unitKey: 'REF-PARENT', roles: 'approver' }), // row 8: roles need role.assign
  );
  const p = problem(await importCsv(csv, countyAdmin));
  assert.equal(p.status, 422);
  assert.deepEqual(p.body.errors!.map((e) => e.path), ['row 2.parentKey', 'row 4.regionCode', 'row 5.code', 'row 6.unitKey', 'row 7.unitKey', 'row 8.roles']);
  assert.deepEqual(await snapshot(), before);
});

test('the file itself: empty, header only, malformed, unknown columns, wrong types, misplaced cells', async () => {
  const before = await snapshot();
  const cases: Array<[string, string[]]> = [
    ['', ['file']],
    [`${HEADER}\n`, ['file']],
    ['\n\n', ['file']],
    [`${HEADER}\nunit,"K,name\n`, ['row 2']],
    ['type,name,colour\nunit,x,red\n', ['row 1.colour']],
    ['name,code\n甲,990101\n', ['row 1']],
    [csvOf('branch,,,x', 'unit,K1,,x,,,990102,department,,,,,,,,,extra'), ['row 2.type', 'row 3']],
    [csvOf(line('region', { code: '990102005', name: '庚镇', parentCode: '990102', kind: 'town' })), ['row 2.kind']],
    [csvOf(line('unit', { key: 'K'.repeat(65), name: '名'.repeat(201), regionCode: '990102', kind: 'ministry' })), ['row 2.key', 'row 2.name', 'row 2.kind']],
    [csvOf(line('region', { code: '990102006', name: '辛镇', level: 'hamlet', parentCode: '990102' })), ['row 2.level']],
    [csvOf(line('region', { code: '990102007', name: '镇'.repeat(101), parentCode: '990102' }), line('staff', { username: 'long.name', name: '名'.repeat(150), unitKey: home.id })), ['row 2.name', 'row 3.name']],
  ];
  for (const [body, paths] of cases) {
    const res = await importCsv(body);
    const p = problem(res);
    assert.equal(p.status, 422, `${JSON.stringify(body)} → ${res.body}`);
    assert.equal(p.body.code, 'IMPORT_FAILED');
    assert.deepEqual(p.body.errors!.map((e) => e.path), paths, JSON.stringify(body));
  }
  const noBody = await ctx.app.inject({ method: 'POST', url: '/api/v1/units/import', headers: bearer(sysadmin) });
  assert.equal(noBody.statusCode, 422, noBody.body);
  assert.deepEqual(problem(noBody).body.errors!.map((e) => e.path), ['file']);
  const wrongType = await importCsv('<xml/>', sysadmin, 'application/xml');
  assert.equal(wrongType.statusCode, 415);
  const jsonUnknown = await ctx.app.inject({ method: 'POST', url: '/api/v1/units/import', headers: bearer(sysadmin), payload: { csv: 'type\n', extra: 1 } });
  assert.equal(jsonUnknown.statusCode, 400);
  const jsonWrong = await ctx.app.inject({ method: 'POST', url: '/api/v1/units/import', headers: bearer(sysadmin), payload: { csv: 12 } });
  assert.equal(jsonWrong.statusCode, 400);
  assert.deepEqual(await snapshot(), before);
});

test('who may import: signed in, with unit.import', async () => {
  const csv = csvOf(line('unit', { key: 'AUTH-1', name: '无权导入', regionCode: '990102', kind: 'department' }));
  const anonymous = await ctx.app.inject({ method: 'POST', url: '/api/v1/units/import', headers: { 'content-type': 'text/csv' }, payload: csv });
  assert.equal(anonymous.statusCode, 401);
  const unitAdmin = await makeUser(ctx.platform, home.id, ['unit_admin']);
  assert.equal((await importCsv(csv, unitAdmin)).statusCode, 403);
  assert.equal(await count('units', "external_key = 'AUTH-1'"), 0);
});

test('encodings: UTF-8 with a BOM, GBK as Excel saves it, and JSON { csv }', async () => {
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csvOf(line('unit', { key: 'ENC-BOM', name: '带BOM的单位', regionCode: '990102', kind: 'department' })))]);
  const withBom = await importCsv(bom);
  assert.equal(withBom.statusCode, 200, withBom.body);
  assert.equal(await count('units', "external_key = 'ENC-BOM' and name = '带BOM的单位'"), 1);

  // "GBK单位" in GBK, with and without a charset on the content type.
  const gbkName = Buffer.from([0x47, 0x42, 0x4b, 0xb5, 0xa5, 0xce, 0xbb]);
  for (const [key, contentType] of [['ENC-GBK1', 'text/csv; charset=GBK'], ['ENC-GBK2', 'text/csv']]) {
    const body = Buffer.concat([Buffer.from(`${HEADER}\nunit,${key},,`), gbkName, Buffer.from(key), Buffer.from(',,,990102,department,,,,,,,,\n')]);
    const res = await importCsv(body, sysadmin, contentType);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(await count('units', `external_key = '${key}' and name = 'GBK单位${key}'`), 1);
  }

  const json = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/units/import',
    headers: bearer(sysadmin),
    payload: { csv: csvOf(line('unit', { key: 'ENC-JSON', name: 'JSON 提交的单位', regionCode: '990102', kind: 'department' })) },
  });
  assert.equal(json.statusCode, 200, json.body);
  assert.equal(json.json().units, 1);
});

test('a file over 10 MB is refused with 413 before it is read', async () => {
  const before = await snapshot();
  const big = csvOfLines(Array.from({ length: 220_000 }, (_, i) => line('unit', { key: `BIG-${i}`, name: `大文件单位${i}`, regionCode: '990102', kind: 'department' })));
  assert.ok(Buffer.byteLength(big) > 10 * 1024 * 1024);
  const res = await importCsv(big);
  assert.equal(res.statusCode, 413);
  assert.equal(problem(res).body.code, 'PAYLOAD_TOO_LARGE');
  const json = await ctx.app.inject({ method: 'POST', url: '/api/v1/units/import', headers: bearer(sysadmin), payload: { csv: big } });
  assert.equal(json.statusCode, 413);
  assert.deepEqual(await snapshot(), before);
});

test('the command-line path grants roles; the three administrator roles never come from a file', async () => {
  const csv = csvOf(
    line('unit', { key: 'CLI-1', name: '命令行导入的单位', regionCode: '990102', kind: 'department' }),
    line('staff', { username: 'cli.leader', name: '郑领导', unitKey: 'CLI-1', roles: 'unit_leader; approver' }),
  );
  const result = await importOrgCsv(csv);
  assert.deepEqual({ ...result, credentials: result.credentials.length }, { regions: 0, units: 1, staff: 1, credentials: 1 });
  const roles = await sql<{ role: string }>`select r.role from user_roles r join users u on u.id = r.user_id where u.username = 'cli.leader' order by r.role`.execute(ctx.platform.db);
  assert.deepEqual(roles.rows.map((r) => r.role), ['approver', 'unit_leader']);

  const admin = csvOf(line('staff', { username: 'cli.root', name: '根', unitKey: 'CLI-1', roles: 'sysadmin' }), line('staff', { username: 'cli.x', name: 'x', unitKey: 'CLI-1', roles: 'wizard' }));
  await assert.rejects(importOrgCsv(admin), (error: { code: string; fieldErrors: Array<{ path: string }> }) => {
    assert.equal(error.code, 'IMPORT_FAILED');
    assert.deepEqual(error.fieldErrors.map((e) => e.path), ['row 2.roles', 'row 3.roles']);
    return true;
  });
  assert.equal(await count('users', "username in ('cli.root', 'cli.x')"), 0);
});

test('the same file imported twice at once: one import wins, the other writes nothing', async () => {
  const csv = csvOf(
    line('unit', { key: 'TWICE-1', name: '并发导入单位', regionCode: '990102', kind: 'department' }),
    line('staff', { username: 'twice.a', name: '并发', unitKey: 'TWICE-1', password: 'Initial#2026' }),
  );
  const results = await Promise.all([importCsv(csv), importCsv(csv)]);
  const statuses = results.map((r) => r.statusCode).sort();
  assert.equal(statuses[0], 200, results.map((r) => r.body).join('\n'));
  assert.ok([409, 422].includes(statuses[1]), results.map((r) => r.body).join('\n'));
  assert.equal(await count('units', "external_key = 'TWICE-1'"), 1);
  assert.equal(await count('users', "username = 'twice.a'"), 1);
});

test('10,000 units in a 2 MB file import in one go', async () => {
  const lines = [];
  for (let i = 0; i < 10_000; i++) {
    lines.push(line('unit', { key: `BULK-${String(i).padStart(5, '0')}`, name: `甲县第${i}号村级便民服务站（综合受理窗口、代办服务点、农村信息服务站、电子商务服务点）`, regionCode: '990102', kind: 'service_center', creditCode: creditCode(20_000 + i), parentKey: i ? 'BULK-00000' : '' }));
  }
  const csv = csvOfLines(lines);
  const size = Buffer.byteLength(csv);
  assert.ok(size > 1.8 * 1024 * 1024 && size < 2.5 * 1024 * 1024, `size ${size}`);
  const before = await snapshot();
  const started = Date.now();
  const res = await importCsv(csv);
  const seconds = (Date.now() - started) / 1000;
  assert.equal(res.statusCode, 200, res.body.slice(0, 500));
  assert.equal(res.json().units, 10_000);
  assert.ok(seconds < 60, `took ${seconds}s`);
  const after = await snapshot();
  assert.equal(after.units - before.units, 10_000);
  assert.equal(after.audit - before.audit, 10_001);
  assert.equal((await verifyChain(ctx.platform.db)).ok, true);
});

test('an import killed with its transaction open leaves nothing behind', { skip: TEST_PG_URL ? false : 'needs PostgreSQL (ZT_TEST_DATABASE_URL): an in-memory embedded database cannot be shared with a child process' }, async () => {
  const dbName = (await sql<{ name: string }>`select current_database() as name`.execute(ctx.platform.db)).rows[0].name;
  const url = new URL(TEST_PG_URL!);
  url.pathname = `/${dbName}`;
  const lines = [line('region', { code: '990103009', name: '壬镇', parentCode: '990103' })];
  for (let i = 0; i < 500; i++) lines.push(line('unit', { key: `KILL-${i}`, name: `壬镇第${i}号单位`, regionCode: '990103009', kind: 'department' }));
  for (let i = 0; i < 3; i++) lines.push(line('staff', { username: `kill.${i}`, name: `壬${i}`, unitKey: 'KILL-0', password: 'Initial#2026' }));
  const csv = csvOfLines(lines);
  const file = path.join(ctx.dataDir, 'kill.csv');
  fs.writeFileSync(file, csv);
  const before = await snapshot();

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'import-crash.fixture.ts'), url.toString(), file], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ZT_FIELD_KEY: ctx.config.fieldKeyHex! },
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const message = await new Promise<string>((resolve, reject) => {
    child.on('message', (m) => resolve(String(m)));
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  assert.equal(message, 'holding');

  // The rows are written but not committed: the child's transaction is open on the server.
  const admin = new pg.Client({ connectionString: TEST_PG_URL! });
  await admin.connect();
  try {
    const open = await admin.query(`select count(*)::int as n from pg_stat_activity where datname = $1 and state = 'idle in transaction'`, [dbName]);
    assert.equal(open.rows[0].n, 1);
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    // The server notices the dropped connection and rolls the transaction back.
    for (let i = 0; i < 100; i++) {
      const left = await admin.query(`select count(*)::int as n from pg_stat_activity where datname = $1 and state = 'idle in transaction'`, [dbName]);
      if (left.rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.end();
  }
  assert.deepEqual(await snapshot(), before);
  assert.equal(await count('units', "external_key like 'KILL-%'"), 0);

  // Nothing half-imported blocks a second attempt: the same file goes in whole.
  const again = await importOrgCsv(csv);
  assert.deepEqual({ regions: again.regions, units: again.units, staff: again.staff }, { regions: 1, units: 500, staff: 3 });
});
