import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, problem, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { multipartBody } from '../../platform/files/testing.ts';
import type { Unit } from '../../platform/org/service.ts';
import { getItem, getPublishedItemByCode } from './queries/items.ts';

let ctx: TestContext;
let unitA: Unit;
let unitB: Unit;
let centre: Unit;
let town: Unit;
let leaderA: TestUser;
let adminB: TestUser;
let clerkA: TestUser;
let cityAdmin: TestUser;

before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
  unitA = await makeUnit(ctx.platform, '市场监督管理局');
  unitB = await makeUnit(ctx.platform, '消防救援支队');
  centre = await makeUnit(ctx.platform, '政务服务中心', '990100', 'service_center');
  town = await makeUnit(ctx.platform, '甲镇人民政府', '990102001', 'town');
  leaderA = await makeUser(ctx.platform, unitA.id, ['unit_leader']);
  adminB = await makeUser(ctx.platform, unitB.id, ['unit_admin']);
  clerkA = await makeUser(ctx.platform, unitA.id, ['window_clerk']);
  cityAdmin = await makeUser(ctx.platform, centre.id, [{ role: 'unit_admin', scope: { regionCode: '990100' } }]);
});
after(() => ctx.close());

type Json = Record<string, any>;

function itemBody(overrides: Json = {}): Json {
  return {
    name: '食品经营许可',
    kind: 'licensing',
    unitId: unitA.id,
    legalBasis: '《中华人民共和国食品安全法》第三十五条',
    conditions: '有与经营的食品品种、数量相适应的经营场所',
    materials: [
      { key: 'application', name: '食品经营许可申请书', required: true, copies: 1, allowPending: false },
      { key: 'license', name: '营业执照', required: true, copies: 1, allowPending: true, description: '复印件加盖公章' },
    ],
    statutoryDays: 20,
    promisedDays: 10,
    fee: { charged: false },
    resultName: '食品经营许可证',
    maxVisits: 0,
    consultPhone: '0755-12345678',
    complaintPhone: '12345',
    process: {
      stages: [
        { key: 'accept', name: '受理', unitId: centre.id, role: 'window_clerk', days: 1 },
        {
          parallel: [
            { key: 'planning', name: '规划审查', unitId: unitA.id, role: 'approver', days: 3 },
            { key: 'fire', name: '消防审查', unitId: unitB.id, role: 'approver', days: 3 },
          ],
        },
        { key: 'decide', name: '决定', unitId: unitA.id, role: 'unit_leader', days: 2 },
      ],
    },
    themes: ['市场监管'],
    lifeEvents: ['开办企业'],
    ...overrides,
  };
}

const call = (method: 'GET' | 'POST' | 'PUT', url: string, user: TestUser | null, payload?: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method, url, headers: { ...(user ? bearer(user) : {}), ...headers }, ...(payload !== undefined ? { payload: payload as object } : {}) });
const create = (body: Json, user: TestUser = leaderA, headers: Record<string, string> = {}) => call('POST', '/api/v1/approval/items', user, body, headers);
const publish = (id: string, user: TestUser = leaderA) => call('POST', `/api/v1/approval/items/${id}/publish`, user);
const itemRows = async () => Number((await sql<{ n: number }>`select count(*)::int as n from approval_items`.execute(ctx.platform.db)).rows[0].n);
const auditActions = async (objectId: string) =>
  (await sql<{ action: string }>`select action from audit_log where object_id = ${objectId} order by id`.execute(ctx.platform.db)).rows.map((r) => r.action);

async function created(body: Json, user: TestUser = leaderA): Promise<Json> {
  const res = await create(body, user);
  assert.equal(res.statusCode, 201, res.body);
  return res.json();
}

test('create, publish and versions: published versions never change, editing them makes the next draft', async () => {
  const res = await create(itemBody());
  assert.equal(res.statusCode, 201, res.body);
  const v1 = res.json();
  assert.match(v1.code, /^990100-XK-\d{4}$/);
  assert.equal(v1.version, 1);
  assert.equal(v1.status, 'draft');
  assert.equal(v1.editVersion, 1);
  assert.deepEqual(v1.materials, itemBody().materials);
  assert.deepEqual(v1.process, itemBody().process);
  assert.deepEqual(v1.fee, { charged: false });
  assert.equal(v1.publishedAt, null);
  const second = await created(itemBody({ name: '食品经营许可（延续）' }));
  assert.equal(Number(second.code.slice(-4)), Number(v1.code.slice(-4)) + 1, 'codes run in sequence per region and kind');
  assert.match((await created(itemBody({ kind: 'public_service' }))).code, /^990100-GG-\d{4}$/);

  // A draft is invisible to the public and to other units, and needs the catalogue role to list.
  assert.equal((await call('GET', `/api/v1/approval/items/${v1.id}`, null)).statusCode, 404);
  assert.equal((await call('GET', `/api/v1/approval/items/${v1.id}`, adminB)).statusCode, 404);
  assert.equal((await call('GET', `/api/v1/approval/items/${v1.id}/versions`, null)).statusCode, 404);
  assert.equal((await call('GET', `/api/v1/approval/items/${v1.id}`, leaderA)).json().code, v1.code);
  assert.equal((await call('GET', `/api/v1/approval/items/${v1.id}`, cityAdmin)).statusCode, 200, 'a region scope covers the unit');
  const publicList = (await call('GET', `/api/v1/approval/items?code=${v1.code}`, null)).json();
  assert.deepEqual(publicList.items, []);
  assert.equal((await call('GET', '/api/v1/approval/items?status=draft', null)).statusCode, 401);
  assert.equal(problem(await call('GET', '/api/v1/approval/items?status=draft', clerkA)).status, 403);
  const drafts = (await call('GET', '/api/v1/approval/items?status=draft&limit=200', leaderA)).json();
  assert.ok(drafts.items.some((i: Json) => i.id === v1.id));
  assert.ok(!(await call('GET', '/api/v1/approval/items?status=draft&limit=200', adminB)).json().items.some((i: Json) => i.id === v1.id));
  // Someone else's draft cannot be touched either.
  assert.equal((await call('PUT', `/api/v1/approval/items/${v1.id}`, adminB, itemBody())).statusCode, 404);
  assert.equal((await publish(v1.id, adminB)).statusCode, 404);
  assert.equal((await call('POST', `/api/v1/approval/items/${v1.id}/withdraw`, adminB)).statusCode, 404);
  assert.equal((await call('POST', `/api/v1/approval/items/${v1.id}/draft`, adminB)).statusCode, 404);

  // Editing the draft in place, with the optimistic editVersion.
  const edited = await call('PUT', `/api/v1/approval/items/${v1.id}`, leaderA, { ...itemBody({ name: '食品经营许可（新办）' }), editVersion: 1 });
  assert.equal(edited.statusCode, 200, edited.body);
  assert.equal(edited.json().id, v1.id);
  assert.equal(edited.json().editVersion, 2);
  assert.equal(edited.json().code, v1.code, 'the code stays without one in the body');
  const stale = await call('PUT', `/api/v1/approval/items/${v1.id}`, leaderA, { ...itemBody({ name: '旧的' }), editVersion: 1 });
  assert.equal(problem(stale).body.code, 'CONFLICT');

  const published = await publish(v1.id);
  assert.equal(published.statusCode, 200, published.body);
  assert.equal(published.json().status, 'published');
  assert.ok(published.json().publishedAt);
  assert.equal(problem(await publish(v1.id)).status, 409);
  const anonymous = (await call('GET', `/api/v1/approval/items/${v1.id}`, null)).json();
  assert.equal(anonymous.name, '食品经营许可（新办）');
  assert.equal((await call('GET', `/api/v1/approval/items?code=${v1.code}`, null)).json().items.length, 1);

  // Editing the published version answers with a new draft (v2); v1 stays as it was and public.
  const put = await call('PUT', `/api/v1/approval/items/${v1.id}`, leaderA, itemBody({ name: '食品经营许可（第二版）', promisedDays: 8 }));
  assert.equal(put.statusCode, 201, put.body);
  const v2 = put.json();
  assert.notEqual(v2.id, v1.id);
  assert.equal(v2.version, 2);
  assert.equal(v2.status, 'draft');
  assert.equal(v2.code, v1.code);
  assert.equal(put.headers.location, `/api/v1/approval/items/${v2.id}`);
  const stillV1 = (await call('GET', `/api/v1/approval/items/${v1.id}`, null)).json();
  assert.equal(stillV1.name, '食品经营许可（新办）');
  assert.equal(stillV1.promisedDays, 10);
  assert.equal(stillV1.status, 'published');
  assert.equal((await getPublishedItemByCode(ctx.platform.db, v1.code))!.id, v1.id, 'v1 is still the one to apply to');
  // A second edit of the published version does not overwrite the draft in progress.
  const again = await call('PUT', `/api/v1/approval/items/${v1.id}`, leaderA, itemBody({ name: '别的草稿' }));
  assert.equal(problem(again).status, 409);
  assert.equal(again.json().draftId, v2.id);
  const opened = await call('POST', `/api/v1/approval/items/${v1.id}/draft`, leaderA);
  assert.equal(opened.statusCode, 200);
  assert.equal(opened.json().id, v2.id);
  // The code of an item once published is fixed.
  const recode = await call('PUT', `/api/v1/approval/items/${v2.id}`, leaderA, itemBody({ code: 'OTHER-0001' }));
  assert.equal(problem(recode).body.errors?.[0].path, 'body.code');

  assert.equal((await publish(v2.id)).statusCode, 200);
  const superseded = (await call('GET', `/api/v1/approval/items/${v1.id}`, null)).json();
  assert.equal(superseded.status, 'superseded');
  assert.equal(superseded.name, '食品经营许可（新办）');
  assert.equal((await getPublishedItemByCode(ctx.platform.db, v1.code))!.id, v2.id);

  // PUT on the superseded v1 makes a new draft (v3) and never changes v1.
  const fromOld = await call('PUT', `/api/v1/approval/items/${v1.id}`, leaderA, itemBody({ name: '第三版' }));
  assert.equal(fromOld.statusCode, 201, fromOld.body);
  assert.equal(fromOld.json().version, 3);
  const v1Row = await getItem(ctx.platform.db, v1.id);
  assert.equal(v1Row!.name, '食品经营许可（新办）');
  assert.equal(v1Row!.status, 'superseded');
  assert.equal(v1Row!.editVersion, 2);

  const publicVersions = (await call('GET', `/api/v1/approval/items/${v1.id}/versions`, null)).json().items.map((i: Json) => [i.version, i.status]);
  assert.deepEqual(publicVersions, [
    [2, 'published'],
    [1, 'superseded'],
  ]);
  assert.equal((await call('GET', `/api/v1/approval/items/${v1.id}/versions`, leaderA)).json().items.length, 3);

  // Withdrawing stops applications; the version stays readable.
  const withdrawn = await call('POST', `/api/v1/approval/items/${v2.id}/withdraw`, leaderA, { reason: '职能调整' });
  assert.equal(withdrawn.statusCode, 200, withdrawn.body);
  assert.equal(withdrawn.json().status, 'withdrawn');
  assert.equal(await getPublishedItemByCode(ctx.platform.db, v1.code), null);
  assert.equal(problem(await call('POST', `/api/v1/approval/items/${v2.id}/withdraw`, leaderA)).body.code, 'INVALID_STATE');
  assert.equal((await call('GET', `/api/v1/approval/items/${v2.id}`, null)).json().status, 'withdrawn');

  assert.deepEqual(await auditActions(v1.id), ['approval.item.create', 'approval.item.update', 'approval.item.publish']);
  assert.deepEqual(await auditActions(v2.id), ['approval.item.draft', 'approval.item.update', 'approval.item.publish', 'approval.item.withdraw']);
});

test('bad items are refused with every problem at once and nothing written', async () => {
  const before = await itemRows();
  const over = await create(itemBody({ promisedDays: 21 }));
  const p = problem(over);
  assert.equal(p.status, 400);
  assert.equal(p.body.code, 'VALIDATION_FAILED');
  assert.deepEqual(p.body.errors?.map((e) => e.path), ['body.promisedDays']);
  assert.match(p.body.errors![0].message, /承诺时限/);

  const bad = await create(
    itemBody({
      materials: [
        { key: 'application', name: '申请书', required: true, copies: 1, allowPending: false },
        { key: 'application', name: '申请书副本', required: false, copies: 1, allowPending: false },
      ],
      fee: { charged: true },
      consultPhone: 'call us',
      process: {
        stages: [
          { key: 'review', name: '审查', unitId: unitA.id, role: 'approver', days: 1 },
          { key: 'recheck', name: '复核', unitId: 'no-such-unit', role: 'window_clerk', days: 3 },
          { key: 'review', name: '决定', unitId: unitA.id, role: 'unit_leader', days: 9 },
        ],
      },
    }),
  );
  const paths = problem(bad).body.errors!.map((e) => e.path).sort();
  assert.deepEqual(paths, [
    'body.consultPhone',
    'body.fee.amountFen',
    'body.fee.basis',
    'body.materials.1.key',
    'body.process.stages',
    'body.process.stages.0.role',
    'body.process.stages.1.role',
    'body.process.stages.1.unitId',
    'body.process.stages.2.key',
  ]);
  // A parallel first stage, a village officer outside a town or village, a slow acceptance.
  const first = await create(
    itemBody({
      process: { stages: [{ parallel: [{ key: 'a', name: '受理一', unitId: centre.id, role: 'window_clerk', days: 1 }, { key: 'b', name: '受理二', unitId: unitA.id, role: 'window_clerk', days: 1 }] }] },
    }),
  );
  assert.deepEqual(problem(first).body.errors?.map((e) => e.path), ['body.process.stages.0']);
  const village = await create(itemBody({ process: { stages: [{ key: 'accept', name: '代办受理', unitId: unitA.id, role: 'village_officer', days: 6 }] } }));
  assert.deepEqual(problem(village).body.errors?.map((e) => e.path).sort(), ['body.process.stages.0.days', 'body.process.stages.0.role']);
  assert.equal((await create(itemBody({ process: { stages: [{ key: 'accept', name: '代办受理', unitId: town.id, role: 'village_officer', days: 1 }] } }))).statusCode, 201);
  assert.equal((await create(itemBody({ fee: { charged: false, amountFen: 500 } }))).json().errors[0].path, 'body.fee.amountFen');
  const charged = await created(itemBody({ fee: { charged: true, amountFen: 1050, basis: '国家发展改革委 财政部 关于…的通知' } }));
  assert.deepEqual(charged.fee, { charged: true, amountFen: 1050, basis: '国家发展改革委 财政部 关于…的通知' });

  // Shape: unknown field, wrong type, empty, blank, huge; an item unit outside one's scope.
  assert.ok(problem(await create({ ...itemBody(), extra: 1 })).body.errors?.some((e) => e.path === 'body.extra'));
  assert.equal(problem(await create(itemBody({ statutoryDays: '20' }))).status, 400);
  assert.equal(problem(await create({})).status, 400);
  assert.equal(problem(await create(itemBody({ name: '   ' }))).body.errors?.[0].path, 'body.name');
  assert.equal(problem(await create(itemBody({ name: '长'.repeat(201) }))).status, 400);
  assert.equal(problem(await create(itemBody({ process: { stages: [] } }))).status, 400);
  assert.deepEqual(problem(await create(itemBody(), adminB)).body.errors?.map((e) => e.path), ['body.unitId']);
  assert.equal(problem(await create(itemBody(), clerkA)).status, 403);
  assert.equal((await call('POST', '/api/v1/approval/items', null, itemBody())).statusCode, 401);
  assert.equal(await itemRows(), before + 2, 'only the two good items were written');
});

test('codes are unique; Idempotency-Key creates once', async () => {
  const first = await create(itemBody({ code: 'SZ-FOOD-001' }));
  assert.equal(first.statusCode, 201);
  assert.equal(first.json().code, 'SZ-FOOD-001');
  const dup = problem(await create(itemBody({ code: 'SZ-FOOD-001', name: '别的事项' })));
  assert.equal(dup.status, 409);
  assert.equal(dup.body.code, 'DUPLICATE');
  assert.equal(dup.body.errors?.[0].path, 'body.code');
  // Renaming a never-published draft onto a taken code is refused too.
  const other = await created(itemBody({ code: 'SZ-FOOD-002' }));
  assert.equal(problem(await call('PUT', `/api/v1/approval/items/${other.id}`, leaderA, itemBody({ code: 'SZ-FOOD-001' }))).body.code, 'DUPLICATE');
  const renamed = await call('PUT', `/api/v1/approval/items/${other.id}`, leaderA, itemBody({ code: 'SZ-FOOD-003' }));
  assert.equal(renamed.json().code, 'SZ-FOOD-003');

  const before = await itemRows();
  const headers = { 'idempotency-key': 'item-create-1' };
  const [a, b] = await Promise.all([create(itemBody({ name: '幂等' }), leaderA, headers), create(itemBody({ name: '幂等' }), leaderA, headers)]);
  assert.equal(a.statusCode, 201);
  assert.equal(b.statusCode, 201);
  assert.equal(a.json().id, b.json().id);
  assert.equal(await itemRows(), before + 1);
});

test('two publishes of one draft at once: one wins, the other is 409; two edits with the same editVersion likewise', async () => {
  const draft = await created(itemBody({ name: '并发发布' }));
  const results = await Promise.all([publish(draft.id), publish(draft.id)]);
  assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409]);
  const publishedRows = await sql<{ n: number }>`select count(*)::int as n from approval_items where code = ${draft.code} and status = 'published'`.execute(ctx.platform.db);
  assert.equal(publishedRows.rows[0].n, 1);

  const stale = await created(itemBody({ name: '过期发布' }));
  await call('PUT', `/api/v1/approval/items/${stale.id}`, leaderA, itemBody({ name: '过期发布（改）' }));
  assert.equal(problem(await call('POST', `/api/v1/approval/items/${stale.id}/publish`, leaderA, { editVersion: 1 })).status, 409);
  assert.equal((await call('POST', `/api/v1/approval/items/${stale.id}/publish`, leaderA, { editVersion: 2 })).statusCode, 200);

  const next = await created(itemBody({ name: '并发编辑' }));
  const edits = await Promise.all([
    call('PUT', `/api/v1/approval/items/${next.id}`, leaderA, { ...itemBody({ name: '甲' }), editVersion: 1 }),
    call('PUT', `/api/v1/approval/items/${next.id}`, leaderA, { ...itemBody({ name: '乙' }), editVersion: 1 }),
  ]);
  assert.deepEqual(edits.map((r) => r.statusCode).sort(), [200, 409]);
});

test('listing: search in Chinese, filters and keyset pagination', async () => {
  const base = { unitId: unitB.id, process: itemBody().process };
  for (const [name, theme, kind] of [
    ['消防设计审查', '建设工程', 'licensing'],
    ['消防验收', '建设工程', 'licensing'],
    ['公众聚集场所投入使用、营业前消防安全检查', '公共安全', 'licensing'],
    ['消防安全宣传咨询', '公共安全', 'public_service'],
  ] as const) {
    const item = await created(itemBody({ ...base, name, themes: [theme], lifeEvents: [], kind }), adminB);
    assert.equal((await publish(item.id, adminB)).statusCode, 200);
  }
  const list = (query: string) => call('GET', `/api/v1/approval/items?${query}`, null).then((r) => r.json());
  assert.equal((await list(`unitId=${unitB.id}&limit=200`)).items.length, 4);
  assert.deepEqual((await list(`q=${encodeURIComponent('验收')}`)).items.map((i: Json) => i.name), ['消防验收']);
  assert.equal((await list(`q=${encodeURIComponent('消防')}&unitId=${unitB.id}`)).items.length, 4);
  assert.equal((await list(`q=${encodeURIComponent('50%_')}`)).items.length, 0, 'LIKE wildcards are literal');
  assert.ok((await list(`q=${encodeURIComponent('消防设计')}`)).items.some((i: Json) => i.name === '消防设计审查'));
  assert.equal((await list(`theme=${encodeURIComponent('公共安全')}`)).items.length, 2);
  assert.equal((await list(`kind=public_service&unitId=${unitB.id}`)).items.length, 1);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Json = await list(`unitId=${unitB.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...page.items.map((i: Json) => i.code));
    cursor = page.nextCursor;
  } while (cursor);
  assert.equal(seen.length, 4);
  assert.deepEqual(seen, [...seen].sort());
  assert.equal(problem(await call('GET', '/api/v1/approval/items?cursor=nonsense', null)).status, 400);
  assert.equal(problem(await call('GET', '/api/v1/approval/items?limit=201', null)).status, 400);
});

// ---------------------------------------------------------------- import and export

async function exportJson(user: TestUser, query: string) {
  const res = await call('GET', `/api/v1/approval/catalogue/export?format=json&${query}`, user);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}
const importJson = (body: unknown, user: TestUser = leaderA, query = '') => call('POST', `/api/v1/approval/catalogue/import${query}`, user, body);
function importXlsx(data: Buffer, user: TestUser = leaderA, query = '') {
  const { payload, headers } = multipartBody([{ name: 'file', filename: 'catalogue.xlsx', content: data, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }]);
  return call('POST', `/api/v1/approval/catalogue/import${query}`, user, payload, headers);
}

test('JSON export and import round-trip; one bad item imports nothing', async () => {
  const town2 = await makeUnit(ctx.platform, '出口测试局');
  const user = await makeUser(ctx.platform, town2.id, ['unit_leader']);
  for (const name of ['甲事项', '乙事项']) {
    const item = await created(itemBody({ name, unitId: town2.id, formFields: [{ key: 'area', label: '面积', type: 'number', required: true }] }), user);
    await publish(item.id, user);
  }
  const exported = await exportJson(user, `unitId=${town2.id}`);
  assert.equal(exported.format, 'zhengtong.approval.catalogue');
  assert.equal(exported.items.length, 2);
  assert.equal(problem(await call('GET', '/api/v1/approval/catalogue/export', null)).status, 401);

  // Importing the export with publish=true makes version 2 of each, identical to version 1.
  const result = await importJson(exported, user, '?publish=true');
  assert.equal(result.statusCode, 200, result.body);
  const counts: Json = result.json();
  assert.deepEqual([counts.created, counts.updated, counts.published], [0, 2, 2]);
  assert.ok(result.json().items.every((i: Json) => i.version === 2 && i.status === 'published'));
  const again = await exportJson(user, `unitId=${town2.id}`);
  assert.deepEqual(again.items, exported.items);

  // New codes become drafts; a bad item (and a repeated code) makes the whole file fail.
  const fresh = exported.items.map((item: Json, i: number) => ({ ...item, code: `IMP-${i}-0001` }));
  const before = await itemRows();
  const bad = await importJson({ items: [fresh[0], { ...fresh[1], promisedDays: 30 }, { ...fresh[0], name: '重复' }, { ...fresh[1], code: 'IMP-9-0001', unknown: true }] }, user);
  const p = problem(bad);
  assert.equal(p.status, 422);
  assert.equal(p.body.code, 'IMPORT_FAILED');
  assert.deepEqual(p.body.errors?.map((e) => e.path), ['items.1.promisedDays', 'items.2.code', 'items.3.unknown']);
  assert.equal(bad.json().badItems, 3);
  assert.equal(await itemRows(), before, 'nothing was imported');
  assert.equal(problem(await importJson({ items: [] }, user)).status, 422);
  const wrongRole = structuredClone(fresh[0]);
  wrongRole.process.stages[1].parallel[0].role = 'boss';
  assert.deepEqual(problem(await importJson({ items: [wrongRole] }, user)).body.errors?.map((e) => e.path), ['items.0.process.stages.1.parallel.0.role']);
  assert.equal(problem(await importJson({ items: [{ ...fresh[0], unitId: unitB.id }] }, user)).body.errors?.[0].path, 'items.0.unitId');
  // A code that belongs to another unit's item is not taken over.
  assert.equal(problem(await importJson({ items: [{ ...exported.items[0], unitId: unitA.id }] }, leaderA)).body.errors?.[0].path, 'items.0.code');

  const ok = await importJson({ items: fresh }, user);
  assert.equal(ok.statusCode, 200, ok.body);
  assert.deepEqual({ created: ok.json().created, updated: ok.json().updated }, { created: 2, updated: 0 });
  assert.ok(ok.json().items.every((i: Json) => i.status === 'draft' && i.version === 1));
  assert.equal((await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'approval.catalogue.import'`.execute(ctx.platform.db)).rows[0].n, 2);
});

test('Excel export and import round-trip, units by name, errors at cells, nothing imported on error', async () => {
  const office = await makeUnit(ctx.platform, '表格测试局');
  const user = await makeUser(ctx.platform, office.id, ['unit_leader']);
  const feeItem = itemBody({
    name: '收费事项',
    unitId: office.id,
    fee: { charged: true, amountFen: 12345, basis: '物价批复' },
    themes: ['甲', '乙'],
    // The guide's later elements make the round trip too.
    targets: ['enterprise'],
    place: '市民中心一楼',
    hours: '工作日 8:30—17:30',
    faq: [{ question: '要多久？', answer: '十个工作日。' }],
  });
  const anyItem = itemBody({
    name: '或签事项',
    unitId: office.id,
    materials: [],
    process: {
      stages: [
        { key: 'accept', name: '受理', unitId: centre.id, role: 'window_clerk', days: 1 },
        { parallel: [{ key: 'x', name: '甲审', unitId: office.id, role: 'approver', days: 2 }, { key: 'y', name: '乙审', unitId: unitB.id, role: 'approver', days: 2 }], mode: 'any' },
      ],
    },
  });
  for (const body of [feeItem, anyItem]) await publish((await created(body, user)).id, user);
  const before = await exportJson(user, `unitId=${office.id}`);

  const res = await call('GET', `/api/v1/approval/catalogue/export?format=xlsx&unitId=${office.id}`, user);
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /spreadsheetml/);
  assert.match(String(res.headers['content-disposition']), /attachment/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(res.rawPayload as never);
  assert.deepEqual(workbook.worksheets.map((w) => w.name), ['事项', '申请材料', '办理流程', '填写说明']);
  const items = workbook.getWorksheet('事项')!;
  assert.equal(items.getCell('B1').value, '事项名称');
  const targetsColumn = (() => {
    let n = 0;
    items.getRow(1).eachCell((cell, i) => {
      if (cell.value === '申请对象') n = i;
    });
    return n;
  })();
  assert.equal(items.getCell(2, targetsColumn).value, '法人');
  assert.equal(items.actualRowCount, 3);
  assert.equal(workbook.getWorksheet('申请材料')!.actualRowCount, 1 + 2);
  assert.equal(workbook.getWorksheet('办理流程')!.actualRowCount, 1 + 4 + 3);

  // The workbook as it is imports to identical new versions.
  const same = await importXlsx(res.rawPayload, user);
  assert.equal(same.statusCode, 200, same.body);
  assert.equal(same.json().updated, 2);
  const drafts = await exportJson(user, `unitId=${office.id}&status=draft`);
  assert.deepEqual(drafts.items, before.items);

  // An office edits by unit names (ID columns cleared) and breaks two cells: nothing is imported.
  const header = (sheet: ExcelJS.Worksheet, title: string) => {
    let found = 0;
    sheet.getRow(1).eachCell((cell, n) => {
      if (cell.value === title) found = n;
    });
    return found;
  };
  const clearIds = (sheet: ExcelJS.Worksheet, title: string) => {
    const n = header(sheet, title);
    for (let r = 2; r <= sheet.actualRowCount; r += 1) sheet.getCell(r, n).value = null;
  };
  clearIds(items, '实施主体ID');
  clearIds(workbook.getWorksheet('办理流程')!, '办理单位ID');
  const promisedColumn = header(items, '承诺时限（工作日）');
  items.getCell(2, promisedColumn).value = 99;
  const steps = workbook.getWorksheet('办理流程')!;
  // Row 7 is the first parallel step of the second item.
  steps.getCell(7, header(steps, '办理角色')).value = '门卫';
  const broken = Buffer.from(await workbook.xlsx.writeBuffer());
  const rowsBefore = await itemRows();
  const failed = problem(await importXlsx(broken, user));
  assert.equal(failed.status, 422);
  const letter = (n: number) => String.fromCharCode(64 + n);
  assert.deepEqual(failed.body.errors?.map((e) => e.path).sort(), [`事项!${letter(promisedColumn)}2`, `办理流程!${letter(header(steps, '办理角色'))}7`].sort());
  assert.equal(await itemRows(), rowsBefore);

  // Fixed, the names resolve to the same units and the drafts update in place.
  items.getCell(2, promisedColumn).value = 10;
  steps.getCell(7, header(steps, '办理角色')).value = '审批人员';
  const fixed = await importXlsx(Buffer.from(await workbook.xlsx.writeBuffer()), user, '?publish=true');
  assert.equal(fixed.statusCode, 200, fixed.body);
  assert.equal(await itemRows(), rowsBefore);
  assert.deepEqual((await exportJson(user, `unitId=${office.id}`)).items, before.items);

  // Not a workbook, no file, a sheet missing.
  assert.equal(problem(await importXlsx(Buffer.from('not a zip'), user)).body.errors?.[0].path, 'file');
  const { payload, headers } = multipartBody([{ name: 'note', content: 'no file' }]);
  assert.equal(problem(await call('POST', '/api/v1/approval/catalogue/import', user, payload, headers)).status, 400);
  const lonely = new ExcelJS.Workbook();
  lonely.addWorksheet('事项');
  const missing = problem(await importXlsx(Buffer.from(await lonely.xlsx.writeBuffer()), user));
  assert.equal(missing.status, 422);
  assert.equal(missing.body.errors?.length, 2);
});
