/**
 * The disclosure catalogue through HTTP: the default 8 categories and 23 sub-categories made on
 * first use and edited by the unit, items with checked or assigned index numbers, scope (another
 * unit's item is 404), the search by every field, validity changes, the annual report reconciled
 * with the items and the interaction module's request register, and bad input that writes nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { bearer, createTestContext, creditCode, makeUser, problem, seedRegions, TestClock, type TestContext, type TestUser } from '../../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../../platform/db/work.ts';
import { createUnit, type Unit } from '../../../platform/org/service.ts';
import { disclosureRequestFigures } from '../../interaction/index.ts';

const shanghai = (wall: string) => new Date(`${wall.replace(' ', 'T')}+08:00`);
const clock = new TestClock(shanghai('2026-06-15 10:00:00'));
let ctx: TestContext;
let units: { a: Unit; b: Unit; bare: Unit };
let people: { editorA: TestUser; adminA: TestUser; editorB: TestUser; responderA: TestUser; bareEditor: TestUser };

const headers = (user?: TestUser, lang = 'zh-CN') => ({ ...(user ? bearer(user) : {}), 'accept-language': lang });
const get = (url: string, user?: TestUser, lang?: string) => ctx.app.inject({ method: 'GET', url, headers: headers(user, lang) });
const send = (method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', user: TestUser, url: string, payload?: unknown, lang?: string) =>
  ctx.app.inject({ method, url, headers: headers(user, lang), ...(payload === undefined ? {} : { payload: payload as object }) });
const count = async (table: string) => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(ctx.platform.db)).rows[0].n);

type Node = { id: string; code: string | null; name: string; hidden: boolean; itemCount: number; children: Node[] };
const tree = async (unit: Unit, user?: TestUser) => {
  const res = await get(`/api/v1/portal/disclosure/categories?unitId=${unit.id}`, user);
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { items: Node[] }).items;
};
const byCode = async (unit: Unit, code: string) => (await tree(unit, people.editorA)).flatMap((c) => [c, ...c.children]).find((c) => c.code === code)!;

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  const make = (name: string, seq: number | null) => inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createUnit(work, { name, regionCode: '990100', kind: 'department', ...(seq ? { creditCode: creditCode(seq) } : {}) }));
  units = { a: await make('测试市财政局', 101), b: await make('测试市教育局', 102), bare: await make('测试市某临时机构', null) };
  people = {
    editorA: await makeUser(ctx.platform, units.a.id, ['editor']),
    adminA: await makeUser(ctx.platform, units.a.id, ['unit_admin']),
    editorB: await makeUser(ctx.platform, units.b.id, ['editor']),
    responderA: await makeUser(ctx.platform, units.a.id, ['responder']),
    bareEditor: await makeUser(ctx.platform, units.bare.id, ['editor']),
  };
});
after(() => ctx?.close());

const item = (overrides: Record<string, unknown> = {}) => ({ unitId: units.a.id, title: '测试市2026年部门预算公开', writtenDate: '2026-02-01', ...overrides });
async function file(user: TestUser, overrides: Record<string, unknown> = {}) {
  const categoryId = overrides.categoryId ?? (await byCode(units.a, 'finance.budget')).id;
  const res = await send('POST', user, '/api/v1/portal/disclosure/items', item({ categoryId, ...overrides }));
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: string; indexNo: string };
}

test('a unit’s catalogue is made on first use from the standard 8 categories and 23 sub-categories, nested, once', async () => {
  const items = await tree(units.a);
  assert.equal(items.length, 8);
  assert.equal(items.reduce((n, c) => n + c.children.length, 0), 23);
  assert.deepEqual(items.map((c) => c.name), ['机构职能', '法规文件', '规划计划', '统计信息', '财政信息', '行政执法', '人事信息', '重点领域信息']);
  const finance = items.find((c) => c.code === 'finance')!;
  assert.deepEqual(finance.children.map((c) => c.name), ['预算', '决算', '三公经费']);
  assert.deepEqual(items.find((c) => c.code === 'documents')!.children.map((c) => c.name), ['规章', '规范性文件', '其他文件', '政策解读']);
  assert.ok(items.every((c) => c.children.every((child) => child.children.length === 0)));
  // A second read (and two at once) adds nothing.
  await Promise.all([tree(units.a), tree(units.a)]);
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from portal_disclosure_categories where unit_id = ${units.a.id}`.execute(ctx.platform.db);
  assert.equal(Number(rows[0].n), 31);
  assert.equal((await get('/api/v1/portal/disclosure/categories?unitId=nope')).statusCode, 404);
});

test('an editor files items: the index number is checked (shape, own credit code, unused) or assigned as the next serial of the year', async () => {
  const code = units.a.creditCode!;
  const budgetId = (await byCode(units.a, 'finance.budget')).id;
  const given = { ...(await file(people.editorA, { indexNo: `${code}/2026-00012`, docNumber: '测财预〔2026〕1号', subjectTerms: '财政 预算' })), categoryId: budgetId };
  assert.equal(given.indexNo, `${code}/2026-00012`);
  // The counter moved past the number given by hand: the next automatic one is 13.
  const auto = await file(people.adminA, { title: '测试市2025年部门决算公开' });
  assert.equal(auto.indexNo, `${code}/2026-00013`);
  const auto2 = await file(people.editorA, { title: '三公经费说明', publishedAt: '2025-12-30' });
  assert.equal(auto2.indexNo, `${code}/2025-00001`, 'the year is the publication year');

  const before = await count('portal_disclosure_items');
  const duplicate = await send('POST', people.editorA, '/api/v1/portal/disclosure/items', item({ categoryId: (await byCode(units.a, 'finance.budget')).id, indexNo: `${code}/2026-00012` }));
  assert.equal(duplicate.statusCode, 409, duplicate.body);
  assert.equal(problem(duplicate).body.code, 'PORTAL_DISCLOSURE_INDEX_NO_TAKEN');
  assert.match(problem(duplicate).body.detail, /已被本单位的其他信息使用/);
  for (const [indexNo, pattern] of [
    ['2026-00001', /格式/],
    [`${code}/2026-1`, /格式/],
    [`${code.slice(0, 17)}?/2026-00001`, /格式/],
    [`${units.b.creditCode}/2026-00001`, /本单位的统一社会信用代码/],
  ] as const) {
    const res = await send('POST', people.editorA, '/api/v1/portal/disclosure/items', item({ categoryId: (await byCode(units.a, 'finance.budget')).id, indexNo }));
    assert.equal(res.statusCode, 422, `${indexNo}: ${res.body}`);
    assert.equal(problem(res).body.code, 'PORTAL_DISCLOSURE_INDEX_NO_INVALID');
    assert.match(JSON.stringify(problem(res).body.errors), pattern);
  }
  const en = await send('POST', people.editorA, '/api/v1/portal/disclosure/items', item({ categoryId: (await byCode(units.a, 'finance.budget')).id, indexNo: `${units.b.creditCode}/2026-00001` }), 'en');
  assert.match(JSON.stringify(problem(en).body), /must begin with the unit’s unified social credit code/);
  // A unit without a credit code cannot number its items.
  const bareCategory = (await tree(units.bare, people.bareEditor))[0].id;
  const bare = await send('POST', people.bareEditor, '/api/v1/portal/disclosure/items', { unitId: units.bare.id, categoryId: bareCategory, title: '某文件', writtenDate: '2026-01-01' });
  assert.equal(bare.statusCode, 422, bare.body);
  assert.equal(problem(bare).body.code, 'PORTAL_DISCLOSURE_UNIT_NO_CREDIT_CODE');
  assert.equal(await count('portal_disclosure_items'), before);

  // The same POST again with its Idempotency-Key: the first answer, nothing new.
  const keyed = () => ctx.app.inject({ method: 'POST', url: '/api/v1/portal/disclosure/items', headers: { ...bearer(people.editorA), 'idempotency-key': 'disclosure-1' }, payload: item({ categoryId: given.categoryId ?? undefined, title: '只发一次' }) });
  const firstKeyed = await keyed();
  assert.equal(firstKeyed.statusCode, 201, firstKeyed.body);
  const counted = await count('portal_disclosure_items');
  assert.deepEqual((await keyed()).json(), firstKeyed.json());
  assert.equal(await count('portal_disclosure_items'), counted);

  const one = await get(`/api/v1/portal/disclosure/items/${given.id}`);
  assert.equal(one.statusCode, 200, one.body);
  const body = one.json();
  assert.equal(body.issuingUnit, '测试市财政局', 'the issuing unit defaults to the unit’s name');
  assert.equal(body.categoryName, '财政信息 / 预算');
  assert.equal(body.validity, 'valid');
  assert.equal(body.url, `/xxgk/${units.a.id}/items/${given.id}`);
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'portal.disclosure.item.create' and object_id = ${given.id}`.execute(ctx.platform.db);
  assert.equal(Number(rows[0].n), 1);
});

test('another unit’s editor, or a member of staff without the permission, cannot touch a unit’s catalogue (404 / 403)', async () => {
  const mine = await file(people.editorA, { title: '仅本单位可改' });
  const category = (await byCode(units.a, 'finance.budget')).id;
  assert.equal((await send('PATCH', people.editorB, `/api/v1/portal/disclosure/items/${mine.id}`, { title: '改了' })).statusCode, 404);
  assert.equal((await send('POST', people.editorB, `/api/v1/portal/disclosure/items/${mine.id}/validity`, { validity: 'repealed' })).statusCode, 404);
  assert.equal((await send('POST', people.editorB, '/api/v1/portal/disclosure/items', item({ categoryId: category }))).statusCode, 404);
  assert.equal((await send('PATCH', people.editorB, `/api/v1/portal/disclosure/categories/${category}`, { name: '改名' })).statusCode, 404);
  assert.equal((await send('DELETE', people.editorB, `/api/v1/portal/disclosure/categories/${category}`)).statusCode, 404);
  assert.equal((await send('PUT', people.editorB, '/api/v1/portal/disclosure/guide', { unitId: units.a.id, body: '别人的指南' })).statusCode, 404);
  assert.equal((await send('POST', people.responderA, '/api/v1/portal/disclosure/items', item({ categoryId: category }))).statusCode, 403);
  // Filing into another unit's category: 422, never a foreign category.
  const foreign = await send('POST', people.editorB, '/api/v1/portal/disclosure/items', { unitId: units.b.id, categoryId: category, title: 'x', writtenDate: '2026-01-01' });
  assert.equal(foreign.statusCode, 422, foreign.body);
  assert.equal(problem(foreign).body.code, 'PORTAL_DISCLOSURE_CATEGORY_UNKNOWN');
  assert.equal((await get(`/api/v1/portal/disclosure/items/${mine.id}`)).json().title, '仅本单位可改');
});

test('the catalogue is edited: rename, add, reorder, hide; a category with items cannot be deleted, an empty one can', async () => {
  const finance = await byCode(units.a, 'finance');
  const renamed = await send('PATCH', people.editorA, `/api/v1/portal/disclosure/categories/${finance.id}`, { name: '财政资金信息' });
  assert.equal(renamed.statusCode, 200, renamed.body);
  const added = await send('POST', people.editorA, '/api/v1/portal/disclosure/categories', { unitId: units.a.id, parentId: finance.id, name: '政府债务' });
  assert.equal(added.statusCode, 201, added.body);
  const debtId = added.json().id as string;
  const dup = await send('POST', people.editorA, '/api/v1/portal/disclosure/categories', { unitId: units.a.id, parentId: finance.id, name: '政府债务' });
  assert.equal(dup.statusCode, 409);
  assert.equal(problem(dup).body.code, 'PORTAL_DISCLOSURE_CATEGORY_DUPLICATE');
  const deep = await send('POST', people.editorA, '/api/v1/portal/disclosure/categories', { unitId: units.a.id, parentId: debtId, name: '第三级' });
  assert.equal(deep.statusCode, 422);
  assert.equal(problem(deep).body.code, 'PORTAL_DISCLOSURE_CATEGORY_TOO_DEEP');
  // Move 政府债务 to the front of 财政信息's sub-categories.
  assert.equal((await send('PATCH', people.editorA, `/api/v1/portal/disclosure/categories/${debtId}`, { position: 0 })).statusCode, 200);
  let now = (await tree(units.a, people.editorA)).find((c) => c.id === finance.id)!;
  assert.equal(now.name, '财政资金信息');
  assert.deepEqual(now.children.map((c) => c.name), ['政府债务', '预算', '决算', '三公经费']);
  // Hidden: out of the public tree, still in the editor's.
  assert.equal((await send('PATCH', people.editorA, `/api/v1/portal/disclosure/categories/${debtId}`, { hidden: true })).statusCode, 200);
  assert.ok(!(await tree(units.a)).find((c) => c.id === finance.id)!.children.some((c) => c.id === debtId));
  assert.ok((await tree(units.a, people.editorA)).find((c) => c.id === finance.id)!.children.find((c) => c.id === debtId)!.hidden);
  // 预算 has items: refused, kept. 政府债务 is empty: deleted.
  const budget = await byCode(units.a, 'finance.budget');
  const refused = await send('DELETE', people.editorA, `/api/v1/portal/disclosure/categories/${budget.id}`);
  assert.equal(refused.statusCode, 409);
  assert.equal(problem(refused).body.code, 'PORTAL_DISCLOSURE_CATEGORY_NOT_EMPTY');
  const refusedTop = await send('DELETE', people.editorA, `/api/v1/portal/disclosure/categories/${finance.id}`, undefined, 'en');
  assert.equal(refusedTop.statusCode, 409);
  assert.match(problem(refusedTop).body.detail, /has items|sub-categories/);
  assert.equal((await send('DELETE', people.editorA, `/api/v1/portal/disclosure/categories/${debtId}`)).statusCode, 204);
  now = (await tree(units.a, people.editorA)).find((c) => c.id === finance.id)!;
  assert.deepEqual(now.children.map((c) => c.name), ['预算', '决算', '三公经费']);
  assert.equal((await send('PATCH', people.editorA, `/api/v1/portal/disclosure/categories/${finance.id}`, { name: '财政信息' })).statusCode, 200);
});

test('the catalogue is searched by category, title, index number, document number, validity and publication date, in keyset pages', async () => {
  const unit = units.b;
  const cat = async (code: string) => (await tree(unit, people.editorB)).flatMap((c) => [c, ...c.children]).find((c) => c.code === code)!.id;
  const mk = async (title: string, code: string, publishedAt: string, docNumber?: string) => {
    const res = await send('POST', people.editorB, '/api/v1/portal/disclosure/items', { unitId: unit.id, categoryId: await cat(code), title, writtenDate: '2026-01-05', publishedAt, ...(docNumber ? { docNumber } : {}) });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { id: string; indexNo: string };
  };
  const admission = await mk('2026年义务教育招生入学工作方案', 'keyAreas.publicWelfare', '2026-03-01', '测教发〔2026〕6号');
  const guide = await mk('民办学校办学许可办理指南', 'enforcement.licensing', '2026-04-10');
  const rule = await mk('学校安全管理办法', 'documents.normative', '2026-05-20', '测教发〔2026〕9号');
  const old = await mk('2025年教育统计公报', 'statistics.bulletins', '2025-11-02');
  const later = await mk('尚未到发布时间的信息', 'documents.other', '2026-07-01');
  assert.equal((await send('POST', people.editorB, `/api/v1/portal/disclosure/items/${rule.id}/validity`, { validity: 'repealed', reason: '被测教发〔2026〕20号废止' })).statusCode, 200);

  const search = async (query: string, user?: TestUser) => {
    const res = await get(`/api/v1/portal/disclosure/items?unitId=${unit.id}&${query}`, user);
    assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
    return (res.json() as { items: Array<{ id: string }>; nextCursor: string | null });
  };
  const ids = async (query: string, user?: TestUser) => (await search(query, user)).items.map((i) => i.id);
  assert.deepEqual(await ids(''), [rule.id, guide.id, admission.id, old.id], 'public: newest first, nothing scheduled');
  assert.deepEqual(await ids('', people.editorB), [later.id, rule.id, guide.id, admission.id, old.id], 'the unit’s editor sees the scheduled one');
  assert.deepEqual(await ids(`categoryId=${await cat('keyAreas')}`), [admission.id], 'a top category covers its sub-categories');
  assert.deepEqual(await ids(`categoryId=${await cat('enforcement.licensing')}`), [guide.id]);
  assert.deepEqual(await ids(`q=${encodeURIComponent('招生')}`), [admission.id]);
  assert.deepEqual(await ids(`q=${encodeURIComponent('%')}`), [], 'LIKE characters are literal');
  assert.deepEqual(await ids(`indexNo=${encodeURIComponent(guide.indexNo)}`), [guide.id]);
  assert.deepEqual(await ids(`indexNo=2025-`), [old.id], 'a part of an index number');
  assert.deepEqual(await ids(`docNumber=${encodeURIComponent('〔2026〕6号')}`), [admission.id]);
  assert.deepEqual(await ids('validity=repealed'), [rule.id]);
  assert.deepEqual(await ids('validity=valid&from=2026-01-01&to=2026-04-10'), [guide.id, admission.id], 'dates in Shanghai, both ends included');
  const first = await search('limit=2');
  assert.equal(first.items.length, 2);
  const second = await search(`limit=2&cursor=${first.nextCursor}`);
  assert.deepEqual([...first.items, ...second.items].map((i) => i.id), [rule.id, guide.id, admission.id, old.id]);
  assert.equal((await get(`/api/v1/portal/disclosure/items/${later.id}`)).statusCode, 404, 'not yet published: not public');
  assert.equal((await get(`/api/v1/portal/disclosure/items/${later.id}`, people.editorB)).statusCode, 200);
  for (const bad of ['from=2026-13-01', 'validity=maybe', 'limit=0', `q=${'字'.repeat(101)}`, 'cursor=notacursor', 'categoryId=nope']) {
    const res = await get(`/api/v1/portal/disclosure/items?unitId=${unit.id}&${bad}`, undefined, 'en');
    assert.equal(res.statusCode, 400, `${bad}: ${res.body}`);
    assert.equal(problem(res).body.code, 'VALIDATION_FAILED');
  }
});

test('validity changes: 失效 and 废止 with a reason, 有效 again; the same validity twice is 409; each audited', async () => {
  const got = await file(people.editorA, { title: '将被废止的文件', docNumber: '测财〔2020〕5号' });
  const expire = await send('POST', people.editorA, `/api/v1/portal/disclosure/items/${got.id}/validity`, { validity: 'invalid', reason: '有效期届满' });
  assert.equal(expire.statusCode, 200, expire.body);
  assert.equal(expire.json().validity, 'invalid');
  const again = await send('POST', people.editorA, `/api/v1/portal/disclosure/items/${got.id}/validity`, { validity: 'invalid' }, 'en');
  assert.equal(again.statusCode, 409);
  assert.match(problem(again).body.detail, /has this validity already/);
  assert.equal((await send('POST', people.editorA, `/api/v1/portal/disclosure/items/${got.id}/validity`, { validity: 'repealed', reason: '已被新文件废止' })).json().validity, 'repealed');
  assert.equal((await send('POST', people.adminA, `/api/v1/portal/disclosure/items/${got.id}/validity`, { validity: 'valid' })).json().validity, 'valid');
  const { rows } = await sql<{ action: string }>`select action from audit_log where object_id = ${got.id} order by id`.execute(ctx.platform.db);
  assert.deepEqual(rows.map((r) => r.action), ['portal.disclosure.item.create', 'portal.disclosure.item.expire', 'portal.disclosure.item.repeal', 'portal.disclosure.item.restore']);
  const edited = await send('PATCH', people.editorA, `/api/v1/portal/disclosure/items/${got.id}`, { title: '改过标题的文件', subjectTerms: '财政', version: 4 });
  assert.equal(edited.statusCode, 200, edited.body);
  assert.deepEqual([edited.json().title, edited.json().indexNo], ['改过标题的文件', got.indexNo]);
  const stale = await send('PATCH', people.editorA, `/api/v1/portal/disclosure/items/${got.id}`, { title: '旧版本', version: 4 });
  assert.equal(stale.statusCode, 409);
  const noIndex = await send('PATCH', people.editorA, `/api/v1/portal/disclosure/items/${got.id}`, { indexNo: `${units.a.creditCode}/2026-00099` });
  assert.equal(noIndex.statusCode, 400, 'the index number is not editable');
});

test('bad input (empty, huge, wrong type, unknown field) is refused in the caller’s language and writes nothing', async () => {
  const categoryId = (await byCode(units.a, 'finance.budget')).id;
  const before = [await count('portal_disclosure_items'), await count('portal_disclosure_categories'), await count('audit_log')];
  const cases: Array<[unknown, number]> = [
    [{}, 400],
    [item({ categoryId, title: '' }), 400],
    [item({ categoryId, title: '   ' }), 400],
    [item({ categoryId, title: '长'.repeat(301) }), 400],
    [item({ categoryId, body: 'x'.repeat(200_001) }), 400],
    [item({ categoryId, writtenDate: 20260101 }), 400],
    [item({ categoryId, writtenDate: '2026-02-30' }), 400],
    [item({ categoryId, publishedAt: 'yesterday' }), 400],
    [item({ categoryId, validity: 'maybe' }), 400],
    [item({ categoryId, attachments: 'file' }), 400],
    [item({ categoryId, colour: 'red' }), 400],
    [item({ categoryId: 'nope' }), 422],
    ['not json at all', 400],
  ];
  for (const [payload, status] of cases) {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/portal/disclosure/items', headers: { ...bearer(people.editorA), 'accept-language': 'en', 'content-type': 'application/json' }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
    assert.equal(res.statusCode, status, `${JSON.stringify(payload).slice(0, 80)}: ${res.body.slice(0, 300)}`);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.doesNotMatch(res.body, /[\u4e00-\u9fff]{2}/, 'English for an English caller');
  }
  const zh = await send('POST', people.editorA, '/api/v1/portal/disclosure/items', item({ categoryId, title: '' }));
  assert.match(problem(zh).body.detail + JSON.stringify(problem(zh).body.errors), /不能为空|不符合要求/);
  for (const body of [{ unitId: units.a.id, name: '' }, { unitId: units.a.id, name: '名'.repeat(51) }, { unitId: units.a.id, name: 5 }]) {
    assert.equal((await send('POST', people.editorA, '/api/v1/portal/disclosure/categories', body, 'en')).statusCode, 400);
  }
  assert.equal((await send('PUT', people.editorA, '/api/v1/portal/disclosure/guide', { unitId: units.a.id, body: 'x'.repeat(50_001) })).statusCode, 400);
  assert.deepEqual([await count('portal_disclosure_items'), await count('portal_disclosure_categories'), await count('audit_log')], before);
});

test('the guide: the default text under the law, replaced by the unit’s own, back to the default when emptied', async () => {
  const def = await get(`/api/v1/portal/disclosure/guide?unitId=${units.a.id}`);
  assert.equal(def.statusCode, 200);
  assert.equal(def.json().custom, false);
  assert.match(def.json().body, /20 个工作日内予以答复/);
  assert.match(def.json().body, /不收取费用/);
  assert.match(def.json().body, /行政复议/);
  const saved = await send('PUT', people.editorA, '/api/v1/portal/disclosure/guide', { unitId: units.a.id, body: '## 一、概述\n本局的指南。' });
  assert.equal(saved.statusCode, 200, saved.body);
  assert.deepEqual([saved.json().custom, saved.json().body], [true, '## 一、概述\n本局的指南。']);
  assert.equal((await send('PUT', people.editorA, '/api/v1/portal/disclosure/guide', { unitId: units.a.id, body: '' })).json().custom, false);
});

test('the annual report counts the year’s items by category and the disclosure requests by answer type, reconciled with both', async () => {
  const unit = units.a;
  // Requests to the unit: two answered (public, withheld), one open.
  const answered: Array<[string, 'public' | 'withheld' | null]> = [['申请公开预算明细', 'public'], ['申请公开某合同', 'withheld'], ['申请公开会议纪要', null]];
  for (const [n, [title, type]] of answered.entries()) {
    const sent = await ctx.app.inject({ method: 'POST', url: '/api/v1/public/letters', payload: { channel: 'disclosure_request', targetUnitId: unit.id, title, body: `${title}，用于核对。`, name: '张三丰', phone: `1390000111${n}`, idNumber: '11010119900307803X', isPublic: false } });
    assert.equal(sent.statusCode, 201, sent.body);
    // Answered as the register counts it (the answer's handling round is the interaction module's own test).
    if (type) await sql`update interaction_cases set state = 'answered', answered_at = ${shanghai('2026-06-01 10:00:00')}, answer_type = ${type} where id = ${sent.json().id}`.execute(ctx.platform.db);
  }
  const res = await get(`/api/v1/portal/disclosure/annual-report?unitId=${unit.id}&year=2026`);
  assert.equal(res.statusCode, 200, res.body);
  const report = res.json() as { active: { total: number; byValidity: Record<string, number>; categories: Array<{ name: string; count: number; children: Array<{ count: number }> }> }; requests: { received: number; answered: Record<string, number>; answeredTotal: number; open: number } };
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from portal_disclosure_items where unit_id = ${unit.id} and published_at >= ${shanghai('2026-01-01 00:00:00')} and published_at < ${shanghai('2027-01-01 00:00:00')} and published_at <= ${clock.now()}`.execute(ctx.platform.db);
  assert.equal(report.active.total, Number(rows[0].n));
  assert.ok(report.active.total > 0);
  assert.equal(report.active.categories.reduce((n, c) => n + c.count, 0), report.active.total, 'the categories add up to the total');
  for (const c of report.active.categories) assert.ok(c.count >= c.children.reduce((n, ch) => n + ch.count, 0));
  assert.equal(Object.values(report.active.byValidity).reduce((a, b) => a + b, 0), report.active.total);
  assert.equal(report.active.categories.find((c) => c.name === '财政信息')!.count, report.active.total, 'every item of unit A this year is a finance item');
  const register = await disclosureRequestFigures(ctx.platform.db, unit.id, 2026);
  assert.deepEqual(report.requests, JSON.parse(JSON.stringify(register)));
  assert.deepEqual([report.requests.received, report.requests.answered.public, report.requests.answered.withheld, report.requests.answeredTotal, report.requests.open], [3, 1, 1, 2, 1]);
  const lastYear = (await get(`/api/v1/portal/disclosure/annual-report?unitId=${unit.id}&year=2025`)).json();
  assert.equal(lastYear.active.total, 1, 'the item published on 2025-12-30');
  assert.equal((await get(`/api/v1/portal/disclosure/annual-report?unitId=${unit.id}&year=2027`)).statusCode, 400, 'a year not begun');
  assert.equal((await get(`/api/v1/portal/disclosure/annual-report?unitId=${unit.id}&year=abc`)).statusCode, 400);
});
