import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, makeUnit, makeUser, seedRegions, bearer, loginSession, problem, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { sql } from '../../platform/db/index.ts';
import type { Unit } from '../../platform/org/service.ts';
import { insertSignedOffDocument } from './testing.ts';
import { fileBody, SAMPLES } from '../../platform/files/testing.ts';
import { chaseDueReceipts } from './jobs.ts';
import { addWorkingMinutes } from './chase.ts';
import { DEFAULT_WORKING_HOURS } from '../../platform/calendar/index.ts';

let ctx: TestContext;
let office: Unit; // 测试市人民政府办公室: the sender
let county1: Unit; // 甲县人民政府
let county2: Unit; // 乙县人民政府
let dept: Unit; // a city department
let town: Unit; // 甲镇, under 甲县
let other: Unit;
let sender: TestUser;
let clerk1: TestUser;
let clerk1b: TestUser;
let clerk2: TestUser;
let clerkDept: TestUser;
let clerkTown: TestUser;
let sysadmin: TestUser;

before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
  office = await makeUnit(ctx.platform, '测试市人民政府办公室', '990100', 'government');
  county1 = await makeUnit(ctx.platform, '甲县人民政府', '990102', 'government');
  county2 = await makeUnit(ctx.platform, '乙县人民政府', '990103', 'government');
  dept = await makeUnit(ctx.platform, '测试市教育局', '990100', 'department');
  town = await makeUnit(ctx.platform, '甲镇人民政府', '990102001', 'town');
  other = await makeUnit(ctx.platform, '测试市财政局', '990100', 'department');
  sender = await makeUser(ctx.platform, office.id, ['doc_clerk']);
  clerk1 = await makeUser(ctx.platform, county1.id, ['doc_clerk']);
  clerk1b = await makeUser(ctx.platform, county1.id, ['doc_clerk']);
  clerk2 = await makeUser(ctx.platform, county2.id, ['doc_clerk']);
  clerkDept = await makeUser(ctx.platform, dept.id, ['doc_clerk']);
  clerkTown = await makeUser(ctx.platform, town.id, ['doc_clerk']);
  sysadmin = await makeUser(ctx.platform, office.id, [{ role: 'sysadmin', scope: { regionCode: '990000' } }]);
});
after(() => ctx.close());

const count = async (table: string, where = 'true') => (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${sql.raw(where)}`.execute(ctx.platform.db)).rows[0].n;
const call = (user: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: bearer(user), ...(payload !== undefined ? { payload: payload as object } : {}) });
const documentState = async (id: string) => (await sql<{ state: string }>`select state from exchange_documents where id = ${id}`.execute(ctx.platform.db)).rows[0].state;
const receiptOf = async (documentId: string, unitId: string) => (await sql<{ id: string; state: string }>`select id, state from exchange_receipts where document_id = ${documentId} and unit_id = ${unitId}`.execute(ctx.platform.db)).rows[0];

async function sentDocument(main: string[], cc: string[] = [], options: { urgency?: 'normal' | 'urgent' | 'extra_urgent' } = {}) {
  const id = await insertSignedOffDocument(ctx.platform, { sendingUnitId: office.id, draftedBy: sender.id, mainRecipientIds: main, ccRecipientIds: cc, urgency: options.urgency });
  const res = await call(sender, 'POST', `/api/v1/exchange/documents/${id}/send`, {});
  assert.equal(res.statusCode, 200, res.body);
  return id;
}

test('the system administrator disables and enables a unit; a disabled unit stays in the directory, audited once', async () => {
  const unit = await makeUnit(ctx.platform, '将停用的单位', '990100', 'department');
  assert.equal((await call(sender, 'POST', `/api/v1/units/${unit.id}/disable`)).statusCode, 403);
  const res = await call(sysadmin, 'POST', `/api/v1/units/${unit.id}/disable`);
  assert.equal(res.statusCode, 200, res.body);
  assert.ok(res.json().disabledAt);
  assert.equal((await call(sysadmin, 'POST', `/api/v1/units/${unit.id}/disable`)).statusCode, 200);
  assert.equal(await count('audit_log', `action = 'unit.disable' and object_id = '${unit.id}'`), 1);
  assert.ok((await ctx.app.inject({ url: `/api/v1/units/${unit.id}` })).json().disabledAt);
  const enabled = await call(sysadmin, 'POST', `/api/v1/units/${unit.id}/enable`);
  assert.equal(enabled.json().disabledAt, null);
  assert.equal(await count('audit_log', `action = 'unit.enable' and object_id = '${unit.id}'`), 1);
  assert.equal((await call(sysadmin, 'POST', '/api/v1/units/no-such-unit/disable')).statusCode, 404);
});

test('sending a signed-off document: every recipient gets it in its inbox with a notification, the content hashed and signed', async () => {
  const outboxBefore = await count('notify_outbox', `template = 'exchange.received'`);
  const id = await insertSignedOffDocument(ctx.platform, { sendingUnitId: office.id, draftedBy: sender.id, mainRecipientIds: [county1.id, county2.id], ccRecipientIds: [dept.id, county1.id] });
  const res = await call(sender, 'POST', `/api/v1/exchange/documents/${id}/send`, {});
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), { sentTo: 3 });
  assert.equal(await documentState(id), 'sent');
  const doc = (await sql<{ content_hash: string; signature: string }>`select content_hash, signature from exchange_documents where id = ${id}`.execute(ctx.platform.db)).rows[0];
  assert.match(doc.content_hash, /^[0-9a-f]{64}$/);
  assert.ok(doc.signature);
  assert.equal(await count('exchange_receipts', `document_id = '${id}' and copy_kind = 'cc'`), 1);
  // Two clerks of 甲县, one of 乙县, one of the department.
  assert.equal((await count('notify_outbox', `template = 'exchange.received'`)) - outboxBefore, 4);
  assert.equal(await count('audit_log', `action = 'exchange.document.send' and object_id = '${id}'`), 1);

  const inbox = await call(clerk1, 'GET', '/api/v1/exchange/inbox');
  assert.equal(inbox.statusCode, 200, inbox.body);
  const item = inbox.json().items.find((i: { documentId: string }) => i.documentId === id);
  assert.equal(item.state, 'delivered');
  assert.equal(item.fromUnitId, office.id);
  assert.equal(item.signedAt, null);

  const again = problem(await call(sender, 'POST', `/api/v1/exchange/documents/${id}/send`, {}));
  assert.equal(again.status, 409);
  assert.equal(again.body.code, 'EXCHANGE_SEND_NOT_SIGNED_OFF');
  assert.equal(await count('exchange_receipts', `document_id = '${id}'`), 3);
  assert.equal((await call(sender, 'GET', `/api/v1/exchange/documents/${id}/verify`)).json().ok, true);
});

test('an unsigned-off draft is not sent, and another unit’s clerk cannot send a document (404)', async () => {
  const id = await insertSignedOffDocument(ctx.platform, { sendingUnitId: office.id, draftedBy: sender.id, mainRecipientIds: [county1.id] });
  await sql`update exchange_documents set state = 'draft' where id = ${id}`.execute(ctx.platform.db);
  const res = problem(await call(sender, 'POST', `/api/v1/exchange/documents/${id}/send`, {}));
  assert.equal(res.status, 409);
  assert.equal(res.body.code, 'EXCHANGE_SEND_NOT_SIGNED_OFF');
  assert.equal(await count('exchange_receipts', `document_id = '${id}'`), 0);
  await sql`update exchange_documents set state = 'signed_off' where id = ${id}`.execute(ctx.platform.db);
  assert.equal((await call(clerk1, 'POST', `/api/v1/exchange/documents/${id}/send`, {})).statusCode, 404);
  assert.equal((await call(sender, 'POST', '/api/v1/exchange/documents/no-such-document/send', {})).statusCode, 404);
  assert.equal(await documentState(id), 'signed_off');
});

test('a send naming a unit that does not exist or is disabled is refused with its name, and nothing is sent', async () => {
  const unknown = await insertSignedOffDocument(ctx.platform, { sendingUnitId: office.id, draftedBy: sender.id, mainRecipientIds: [county1.id, 'unit-that-never-was'] });
  const res = problem(await call(sender, 'POST', `/api/v1/exchange/documents/${unknown}/send`, {}));
  assert.equal(res.status, 422);
  assert.equal(res.body.code, 'EXCHANGE_SEND_UNIT_UNKNOWN');
  assert.match(res.body.detail, /unit-that-never-was/);
  assert.equal(await count('exchange_receipts', `document_id = '${unknown}'`), 0);
  assert.equal(await documentState(unknown), 'signed_off');

  const closed = await makeUnit(ctx.platform, '已撤并的测试局', '990100', 'department');
  assert.equal((await call(sysadmin, 'POST', `/api/v1/units/${closed.id}/disable`)).statusCode, 200);
  const disabled = await insertSignedOffDocument(ctx.platform, { sendingUnitId: office.id, draftedBy: sender.id, mainRecipientIds: [county1.id], ccRecipientIds: [closed.id] });
  const outbox = await count('notify_outbox');
  const refused = problem(await call(sender, 'POST', `/api/v1/exchange/documents/${disabled}/send`, {}));
  assert.equal(refused.status, 422);
  assert.equal(refused.body.code, 'EXCHANGE_SEND_UNIT_DISABLED');
  assert.match(refused.body.detail, /已撤并的测试局/);
  assert.equal(await count('exchange_receipts', `document_id = '${disabled}'`), 0);
  assert.equal(await count('notify_outbox'), outbox);
  assert.equal(await documentState(disabled), 'signed_off');
});

test('groups: the built-in groups come from the org tree; a unit saves its own; sending to a group adds its units', async () => {
  const list = await call(sender, 'GET', '/api/v1/exchange/groups');
  assert.equal(list.statusCode, 200, list.body);
  const groups = list.json().items as Array<{ id: string; name: string; unitIds: string[] }>;
  const counties = groups.find((g) => g.id === 'builtin-county-governments')!;
  assert.equal(counties.name, '全部县（市、区）政府');
  assert.deepEqual(new Set(counties.unitIds), new Set([county1.id, county2.id]));
  const departments = groups.find((g) => g.id === 'builtin-city-departments')!;
  assert.ok(departments.unitIds.includes(dept.id) && !departments.unitIds.includes(county1.id));
  assert.deepEqual(groups.find((g) => g.id === 'builtin-towns')!.unitIds, [town.id]);

  const bad = problem(await call(sender, 'POST', '/api/v1/exchange/groups', { name: '常用', unitIds: ['nobody'] }));
  assert.equal(bad.status, 422);
  const created = await call(sender, 'POST', '/api/v1/exchange/groups', { name: '常用', unitIds: [dept.id, other.id] });
  assert.equal(created.statusCode, 201, created.body);
  const groupId = created.json().id;
  assert.equal((await call(sender, 'POST', '/api/v1/exchange/groups', { name: '常用', unitIds: [] })).statusCode, 409);
  assert.equal((await call(clerk1, 'PATCH', `/api/v1/exchange/groups/${groupId}`, { name: '偷改' })).statusCode, 404);
  const renamed = await call(sender, 'PATCH', `/api/v1/exchange/groups/${groupId}`, { name: '常用部门' });
  assert.equal(renamed.json().name, '常用部门');

  const id = await insertSignedOffDocument(ctx.platform, { sendingUnitId: office.id, draftedBy: sender.id, mainRecipientIds: [county1.id] });
  const foreign = await call(clerk1, 'POST', '/api/v1/exchange/groups', { name: '甲县的', unitIds: [town.id] });
  const notOurs = problem(await call(sender, 'POST', `/api/v1/exchange/documents/${id}/send`, { groupIds: [foreign.json().id] }));
  assert.equal(notOurs.status, 422);
  assert.equal(notOurs.body.code, 'EXCHANGE_SEND_GROUP_UNKNOWN');
  const sent = await call(sender, 'POST', `/api/v1/exchange/documents/${id}/send`, { groupIds: [groupId, 'builtin-county-governments'] });
  assert.equal(sent.statusCode, 200, sent.body);
  assert.equal(sent.json().sentTo, 4);
  assert.equal((await call(clerk1, 'DELETE', `/api/v1/exchange/groups/${groupId}`)).statusCode, 404);
  assert.equal((await call(sender, 'DELETE', `/api/v1/exchange/groups/${groupId}`)).statusCode, 204);
});

test('signing for: a signed receipt; signing twice, or signing and returning, is refused; another unit’s receipt is 404', async () => {
  const id = await sentDocument([county1.id, county2.id]);
  const receipt = await receiptOf(id, county1.id);
  assert.equal((await call(clerk2, 'GET', `/api/v1/exchange/receipts/${receipt.id}`)).statusCode, 404);
  assert.equal((await call(clerk2, 'POST', `/api/v1/exchange/receipts/${receipt.id}/sign`)).statusCode, 404);
  assert.equal((await call(sender, 'POST', `/api/v1/exchange/receipts/${receipt.id}/sign`)).statusCode, 404);
  const signed = await call(clerk1, 'POST', `/api/v1/exchange/receipts/${receipt.id}/sign`);
  assert.equal(signed.statusCode, 200, signed.body);
  assert.equal(signed.json().state, 'signed');
  assert.ok(signed.json().signedAt);
  assert.ok(signed.json().signature);
  const twice = problem(await call(clerk1b, 'POST', `/api/v1/exchange/receipts/${receipt.id}/sign`));
  assert.equal(twice.status, 409);
  assert.equal(twice.body.code, 'EXCHANGE_RECEIPT_ALREADY_SIGNED');
  const back = problem(await call(clerk1, 'POST', `/api/v1/exchange/receipts/${receipt.id}/return`, { reason: '不属于本单位' }));
  assert.equal(back.status, 409);
  assert.equal((await receiptOf(id, county1.id)).state, 'signed');
  assert.equal(await count('notify_outbox', `template = 'exchange.signed' and user_id = '${sender.id}'`), 1);
  assert.equal(await count('audit_log', `action = 'exchange.receipt.sign' and object_id = '${receipt.id}'`), 1);
});

test('returning needs a reason; a returned document cannot be signed for', async () => {
  const id = await sentDocument([county2.id]);
  const receipt = await receiptOf(id, county2.id);
  assert.equal((await call(clerk2, 'POST', `/api/v1/exchange/receipts/${receipt.id}/return`, {})).statusCode, 400);
  const blank = problem(await call(clerk2, 'POST', `/api/v1/exchange/receipts/${receipt.id}/return`, { reason: '   ' }));
  assert.equal(blank.status, 400);
  assert.equal((await receiptOf(id, county2.id)).state, 'delivered');
  const returned = await call(clerk2, 'POST', `/api/v1/exchange/receipts/${receipt.id}/return`, { reason: '应由甲县办理' });
  assert.equal(returned.statusCode, 200, returned.body);
  assert.equal(returned.json().reason, '应由甲县办理');
  const sign = problem(await call(clerk2, 'POST', `/api/v1/exchange/receipts/${receipt.id}/sign`));
  assert.equal(sign.status, 409);
  assert.equal(sign.body.code, 'EXCHANGE_RECEIPT_ALREADY_RETURNED');
  assert.equal(await count('notify_outbox', `template = 'exchange.returned' and user_id = '${sender.id}'`), 1);
});

test('the inbox lists the unsigned first, newest first, in keyset pages', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    ctx.clock.advance(60_000);
    ids.push(await sentDocument([dept.id]));
  }
  // The oldest two signed for: they come after the unsigned ones.
  for (const id of ids.slice(0, 2)) assert.equal((await call(clerkDept, 'POST', `/api/v1/exchange/receipts/${(await receiptOf(id, dept.id)).id}/sign`)).statusCode, 200);
  const seen: Array<{ documentId: string; state: string }> = [];
  let cursor: string | null = null;
  do {
    const res = await call(clerkDept, 'GET', `/api/v1/exchange/inbox?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.statusCode, 200, res.body);
    seen.push(...res.json().items);
    cursor = res.json().next;
  } while (cursor);
  const mine = seen.filter((i) => ids.includes(i.documentId));
  assert.deepEqual(mine.map((i) => i.documentId), [ids[4], ids[3], ids[2], ids[1], ids[0]]);
  const firstSigned = seen.findIndex((i) => i.state !== 'delivered');
  assert.ok(seen.slice(firstSigned).every((i) => i.state !== 'delivered'));
  const onlySigned = await call(clerkDept, 'GET', '/api/v1/exchange/inbox?state=signed');
  assert.ok(onlySigned.json().items.every((i: { state: string }) => i.state === 'signed'));
  assert.equal((await call(clerkDept, 'GET', '/api/v1/exchange/inbox?cursor=not-a-cursor')).statusCode, 400);
  assert.equal((await call(clerkDept, 'GET', `/api/v1/exchange/inbox?unitId=${county1.id}`)).statusCode, 404);
});

test('the receipt matrix: every recipient’s state and the counts, for the sender only', async () => {
  const id = await sentDocument([county1.id, county2.id], [dept.id]);
  await call(clerk1, 'POST', `/api/v1/exchange/receipts/${(await receiptOf(id, county1.id)).id}/sign`);
  await call(clerk2, 'POST', `/api/v1/exchange/receipts/${(await receiptOf(id, county2.id)).id}/return`, { reason: '重复发送' });
  const res = await call(sender, 'GET', `/api/v1/exchange/documents/${id}/receipts`);
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.deepEqual(body.counts, { total: 3, delivered: 1, signed: 1, returned: 1, recalled: 0 });
  assert.deepEqual(body.items.map((i: { unitName: string; state: string }) => [i.unitName, i.state]), [['测试市教育局', 'delivered'], ['乙县人民政府', 'returned'], ['甲县人民政府', 'signed']]);
  assert.equal(body.items[1].reason, '重复发送');
  assert.equal((await call(clerk1, 'GET', `/api/v1/exchange/documents/${id}/receipts`)).statusCode, 404);
});

test('verification: a tampered body fails, a receipt signature replayed onto another document fails', async () => {
  const a = await sentDocument([county1.id]);
  const b = await sentDocument([county1.id]);
  const ra = await receiptOf(a, county1.id);
  const rb = await receiptOf(b, county1.id);
  await call(clerk1, 'POST', `/api/v1/exchange/receipts/${ra.id}/sign`);
  const ok = await call(clerk1, 'GET', `/api/v1/exchange/documents/${a}/verify`);
  assert.equal(ok.statusCode, 200, ok.body);
  assert.deepEqual(ok.json(), { ok: true, content: true, signature: true, receipts: { signed: 1, valid: 1, invalid: [] } });
  assert.equal((await call(clerk2, 'GET', `/api/v1/exchange/documents/${a}/verify`)).statusCode, 404);

  // Receipt of A copied onto B's receipt of the same unit: the signature names A's hash.
  await sql`update exchange_receipts set state = 'signed', signed_at = r.signed_at, receipt_signature = r.receipt_signature, receipt_public_key = r.receipt_public_key
    from (select signed_at, receipt_signature, receipt_public_key from exchange_receipts where id = ${ra.id}) r where exchange_receipts.id = ${rb.id}`.execute(ctx.platform.db);
  const replayed = (await call(sender, 'GET', `/api/v1/exchange/documents/${b}/verify`)).json();
  assert.equal(replayed.ok, false);
  assert.equal(replayed.content, true);
  assert.deepEqual(replayed.receipts.invalid, [{ id: rb.id, unitId: county1.id }]);

  await sql`update exchange_documents set body = body || '<p>补充一句。</p>' where id = ${a}`.execute(ctx.platform.db);
  const tampered = (await call(sender, 'GET', `/api/v1/exchange/documents/${a}/verify`)).json();
  assert.equal(tampered.ok, false);
  assert.equal(tampered.content, false);
  assert.equal(tampered.signature, true);
});

test('recall: refused once a unit signed; before, every receipt is recalled and the units are told', async () => {
  const signedDoc = await sentDocument([county1.id, county2.id]);
  await call(clerk1, 'POST', `/api/v1/exchange/receipts/${(await receiptOf(signedDoc, county1.id)).id}/sign`);
  const refused = problem(await call(sender, 'POST', `/api/v1/exchange/documents/${signedDoc}/recall`, { reason: '内容有误' }));
  assert.equal(refused.status, 409);
  assert.equal(refused.body.code, 'EXCHANGE_RECALL_SIGNED');
  assert.equal(await documentState(signedDoc), 'sent');
  assert.equal((await receiptOf(signedDoc, county2.id)).state, 'delivered');

  const id = await sentDocument([county1.id, county2.id]);
  assert.equal((await call(sender, 'POST', `/api/v1/exchange/documents/${id}/recall`, {})).statusCode, 400);
  assert.equal((await call(clerk1, 'POST', `/api/v1/exchange/documents/${id}/recall`, { reason: 'x' })).statusCode, 404);
  const before = await count('notify_outbox', `template = 'exchange.recalled'`);
  const res = await call(sender, 'POST', `/api/v1/exchange/documents/${id}/recall`, { reason: '内容有误，另行发文' });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), { recalled: 2 });
  assert.equal(await documentState(id), 'recalled');
  assert.equal((await count('notify_outbox', `template = 'exchange.recalled'`)) - before, 3);
  const late = problem(await call(clerk1, 'POST', `/api/v1/exchange/receipts/${(await receiptOf(id, county1.id)).id}/sign`));
  assert.equal(late.status, 409);
  assert.equal(late.body.code, 'EXCHANGE_RECEIPT_RECALLED');
  assert.equal((await call(sender, 'POST', `/api/v1/exchange/documents/${id}/recall`, { reason: '再撤一次' })).statusCode, 409);
});

test('chasing: the sender reminds the unsigned units; the job chases each due receipt once', async () => {
  const id = await sentDocument([county1.id, county2.id], [], { urgency: 'urgent' });
  await call(clerk1, 'POST', `/api/v1/exchange/receipts/${(await receiptOf(id, county1.id)).id}/sign`);
  const reminded = await call(sender, 'POST', `/api/v1/exchange/documents/${id}/remind`);
  assert.equal(reminded.statusCode, 200, reminded.body);
  assert.deepEqual(reminded.json(), { reminded: 1 });
  assert.equal((await call(clerk1, 'POST', `/api/v1/exchange/documents/${id}/remind`)).statusCode, 404);

  const { rows } = await sql<{ chase_at: Date; delivered_at: Date }>`select chase_at, delivered_at from exchange_receipts where document_id = ${id} and unit_id = ${county2.id}`.execute(ctx.platform.db);
  assert.ok(rows[0].chase_at > rows[0].delivered_at);
  ctx.clock.advance(10 * 24 * 3600_000);
  const before = await count('notify_outbox', `template = 'exchange.chased'`);
  assert.ok((await chaseDueReceipts(ctx.platform)) >= 1);
  assert.equal(await count('exchange_receipts', `document_id = '${id}' and chased_at is not null`), 1);
  assert.ok((await count('notify_outbox', `template = 'exchange.chased'`)) > before);
  assert.equal(await chaseDueReceipts(ctx.platform), 0);
  ctx.clock.advance(-10 * 24 * 3600_000);
});

test('the chase time counts working hours: 4 for urgent documents, one working day otherwise', () => {
  const everyWeekday = (date: string) => ![0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
  // Friday 2026-12-04 16:00 in Shanghai: 1.5 hours left that day, 2.5 on Monday morning.
  const friday = new Date('2026-12-04T08:00:00Z');
  assert.equal(addWorkingMinutes(friday, 240, everyWeekday, DEFAULT_WORKING_HOURS).toISOString(), '2026-12-07T03:00:00.000Z');
  assert.equal(addWorkingMinutes(friday, 420, everyWeekday, DEFAULT_WORKING_HOURS).toISOString(), '2026-12-07T08:00:00.000Z');
});

test('forwarding down: only to units under the receiving unit, after signing, a new sent document keeping the chain', async () => {
  const id = await sentDocument([county1.id]);
  const receipt = await receiptOf(id, county1.id);
  const early = problem(await call(clerk1, 'POST', `/api/v1/exchange/receipts/${receipt.id}/forward`, { unitIds: [town.id] }));
  assert.equal(early.body.code, 'EXCHANGE_FORWARD_NOT_SIGNED');
  await call(clerk1, 'POST', `/api/v1/exchange/receipts/${receipt.id}/sign`);
  const sideways = problem(await call(clerk1, 'POST', `/api/v1/exchange/receipts/${receipt.id}/forward`, { unitIds: [town.id, county2.id] }));
  assert.equal(sideways.status, 422);
  assert.equal(sideways.body.code, 'EXCHANGE_FORWARD_NOT_SUBORDINATE');
  assert.match(sideways.body.detail, /乙县人民政府/);
  assert.equal((await call(clerk2, 'POST', `/api/v1/exchange/receipts/${receipt.id}/forward`, { unitIds: [town.id] })).statusCode, 404);
  const res = await call(clerk1, 'POST', `/api/v1/exchange/receipts/${receipt.id}/forward`, { unitIds: [town.id] });
  assert.equal(res.statusCode, 201, res.body);
  const forwarded = res.json().documentId;
  const row = (await sql<{ state: string; sending_unit_id: string; forwarded_from_receipt_id: string; body: string }>`select * from exchange_documents where id = ${forwarded}`.execute(ctx.platform.db)).rows[0];
  assert.deepEqual([row.state, row.sending_unit_id, row.forwarded_from_receipt_id], ['sent', county1.id, receipt.id]);
  const inbox = await call(clerkTown, 'GET', '/api/v1/exchange/inbox');
  assert.equal(inbox.json().items[0].documentId, forwarded);
  assert.equal(inbox.json().items[0].fromUnitId, county1.id);
  assert.equal((await call(clerk1, 'GET', `/api/v1/exchange/documents/${forwarded}/verify`)).json().ok, true);
  assert.equal((await call(clerk1, 'POST', `/api/v1/exchange/receipts/${receipt.id}/forward`, { unitIds: [town.id] })).statusCode, 409);
});

test('pages: the inbox with sign and return forms, the send page with groups and the unit picker, posting without script', async () => {
  const id = await insertSignedOffDocument(ctx.platform, { sendingUnitId: office.id, draftedBy: sender.id, mainRecipientIds: [], title: '关于页面测试的通知' });
  const s = await loginSession(ctx.app, sender.username);
  const page = await ctx.app.inject({ url: `/console/exchange/documents/${id}/send?q=${encodeURIComponent('县')}`, headers: { cookie: s.cookie } });
  assert.equal(page.statusCode, 200, page.body);
  assert.match(page.body, /全部县（市、区）政府/);
  assert.match(page.body, /乙县人民政府/);
  assert.doesNotMatch(page.body, /测试市教育局/, 'the search leaves other units out');
  assert.doesNotMatch(page.body, /page\.exchange\.|exchange\.send\./);
  const form = (fields: Array<[string, string]>) => new URLSearchParams([['_csrf', s.csrfToken], ...fields]).toString();
  const posted = await ctx.app.inject({ method: 'POST', url: `/console/exchange/documents/${id}/send`, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form([['main', county2.id], ['cc', dept.id]]) });
  assert.equal(posted.statusCode, 303, posted.body);
  assert.equal(posted.headers.location, `/console/exchange/documents/${id}`);
  assert.equal(await documentState(id), 'sent');
  assert.equal(await count('exchange_receipts', `document_id = '${id}'`), 2);

  const c = await loginSession(ctx.app, clerk2.username);
  const inbox = await ctx.app.inject({ url: '/console/exchange/inbox', headers: { cookie: c.cookie } });
  assert.equal(inbox.statusCode, 200, inbox.body);
  assert.match(inbox.body, /关于页面测试的通知/);
  assert.match(inbox.body, /待签收/);
  assert.doesNotMatch(inbox.body, /page\.exchange\./);
  const receipt = await receiptOf(id, county2.id);
  const cform = (fields: Array<[string, string]>) => new URLSearchParams([['_csrf', c.csrfToken], ...fields]).toString();
  const noReason = await ctx.app.inject({ method: 'POST', url: `/console/exchange/receipts/${receipt.id}/return`, headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: cform([['returnTo', 'inbox'], ['reason', '']]) });
  assert.equal(noReason.statusCode, 303);
  assert.equal((await receiptOf(id, county2.id)).state, 'delivered');
  const signed = await ctx.app.inject({ method: 'POST', url: `/console/exchange/receipts/${receipt.id}/sign`, headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: cform([['returnTo', 'inbox']]) });
  assert.equal(signed.statusCode, 303);
  assert.equal(signed.headers.location, '/console/exchange/inbox');
  assert.equal((await receiptOf(id, county2.id)).state, 'signed');
  const noCsrf = await ctx.app.inject({ method: 'POST', url: `/console/exchange/documents/${id}/remind`, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
  assert.equal(noCsrf.statusCode, 403);
  const remind = await ctx.app.inject({ method: 'POST', url: `/console/exchange/documents/${id}/remind`, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form([]) });
  assert.equal(remind.statusCode, 303);
  assert.equal(await count('exchange_receipts', `document_id = '${id}' and reminded_at is not null`), 1);
});

test('end to end: drafted with an attachment, signed off by the leader, sent, signed for, verified; a changed attachment fails verification', async () => {
  const leader = await makeUser(ctx.platform, office.id, ['unit_leader']);
  const pdf = fileBody('附件1.pdf', SAMPLES.pdf(), 'application/pdf');
  const uploaded = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...pdf.headers, ...bearer(sender) }, payload: pdf.payload });
  assert.equal(uploaded.statusCode, 201, uploaded.body);
  const created = await call(sender, 'POST', '/api/v1/exchange/documents', {
    title: '关于做好冬季安全生产工作的通知',
    docNumber: '测府办发〔2026〕88号',
    issuingUnitId: office.id,
    secrecy: 'none',
    urgency: 'extra_urgent',
    body: '<p>各县人民政府：</p><p>现将有关事项通知如下。</p>',
    attachments: [uploaded.json().id],
    mainRecipients: [county1.id, county2.id],
    ccRecipients: [],
    writtenDate: '2026-12-01',
  });
  assert.equal(created.statusCode, 201, created.body);
  const { id } = created.json();
  assert.equal((await call(sender, 'POST', `/api/v1/exchange/documents/${id}/send`, {})).statusCode, 409, 'a draft is not sent');
  assert.equal((await call(sender, 'POST', `/api/v1/exchange/documents/${id}/submit`, {})).statusCode, 200);
  const task = ((await call(leader, 'GET', '/api/v1/tasks?mine=true')).json().items as Array<{ id: string; caseId: string }>).find((t) => t.caseId === id)!;
  assert.equal((await call(leader, 'POST', `/api/v1/tasks/${task.id}/complete`, { action: 'approve' })).json().state, 'signed_off');
  const sent = await call(sender, 'POST', `/api/v1/exchange/documents/${id}/send`, {});
  assert.equal(sent.statusCode, 200, sent.body);
  assert.equal(sent.json().sentTo, 2);
  assert.equal((await call(clerk1, 'POST', `/api/v1/exchange/receipts/${(await receiptOf(id, county1.id)).id}/sign`)).statusCode, 200);
  assert.equal((await call(clerk1, 'GET', `/api/v1/exchange/documents/${id}/verify`)).json().ok, true);
  await sql`update files set sm3 = ${'0'.repeat(64)} where owner_id = ${id}`.execute(ctx.platform.db);
  const changed = (await call(sender, 'GET', `/api/v1/exchange/documents/${id}/verify`)).json();
  assert.deepEqual([changed.ok, changed.content, changed.signature], [false, false, true]);
});
