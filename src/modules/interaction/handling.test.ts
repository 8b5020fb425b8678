import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { bearer, createTestContext, loginSession, makeUser, problem, TEST_PG_URL, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { interactionFixture, receiveTestCase, type InteractionFixture } from './testing.ts';
import { interactionDb } from './model.ts';
import type { CaseInput } from './commands/receive-case.ts';
import { currentRound, openTask } from './process.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { blindIndex } from '../../platform/crypto/fields.ts';
import { addWorkingDays } from '../../platform/calendar/index.ts';

let ctx: TestContext;
let f: InteractionFixture;
before(async () => {
  ctx = await createTestContext();
  f = await interactionFixture(ctx.platform);
});
after(() => ctx?.close());

let seq = 0;
const letter = (input: Partial<CaseInput> & Pick<CaseInput, 'channel'>) => receiveTestCase(ctx.platform, { title: `小区路灯不亮 ${++seq}`, phone: `1380013${String(1000 + seq).slice(-4)}`, ...input });
const post = (user: TestUser, id: string, action: string, payload: unknown = {}) => ctx.app.inject({ method: 'POST', url: `/api/v1/interaction/cases/${id}/${action}`, headers: bearer(user), payload: payload as object });
const view = (user: TestUser, id: string) => ctx.app.inject({ url: `/api/v1/interaction/cases/${id}`, headers: bearer(user) });
const row = (id: string) => interactionDb(ctx.platform.db).selectFrom('interaction_cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const round = (id: string) => inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => currentRound(work, id));
const sms = async (phone: string, template: string) =>
  (await sql<{ n: number }>`select count(*)::int as n from notify_outbox where channel = 'sms' and template = ${template} and recipient_key = ${blindIndex(ctx.platform, `notify:sms:${phone}`)}`.execute(ctx.platform.db)).rows[0].n;
const audits = async (action: string, objectId: string) => (await sql<{ n: number }>`select count(*)::int as n from audit_log where action = ${action} and object_id = ${objectId}`.execute(ctx.platform.db)).rows[0].n;

test('the mayor-letter journey: dispatch, assign, draft, the leader approves, the writer is told', async () => {
  const got = await letter({ channel: 'mayor_mailbox', phone: '13900000001' });
  // The dispatcher sees it in the office's list, masked.
  const list = await ctx.app.inject({ url: '/api/v1/interaction/cases?state=received', headers: bearer(f.office.responder) });
  assert.equal(list.statusCode, 200, list.body);
  const item = list.json().items.find((i: { id: string }) => i.id === got.id);
  assert.equal(item.writerNameMasked, '张**');
  assert.ok(!list.body.includes('13900000001') && !list.body.includes('张三丰'));

  const assigned = await post(f.office.responder, got.id, 'assign', { unitId: f.dept.id, note: '请人社局办理' });
  assert.equal(assigned.statusCode, 200, assigned.body);
  assert.equal(assigned.json().state, 'assigned');
  assert.equal(assigned.json().handlingUnitId, f.dept.id);
  assert.equal(openTask(await round(got.id), 'handle')?.unitId, f.dept.id);
  assert.equal(await audits('interaction.case.assign', got.id), 1);

  // The department's staff see the whole case with the writer opened (audited); the office only reads it.
  const full = await view(f.dept.responder, got.id);
  assert.equal(full.statusCode, 200, full.body);
  assert.equal(full.json().body, got.row.body);
  assert.equal(full.json().writer.phone, '13900000001');
  assert.equal(full.json().may.answer, true);
  assert.deepEqual(full.json().events.map((e: { type: string }) => e.type), ['received', 'assigned']);
  assert.ok((await audits('interaction.case.writer.read', got.id)) >= 1);
  const former = await view(f.office.responder, got.id);
  assert.equal(former.statusCode, 200);
  assert.equal(former.json().writer, null);
  assert.equal(former.json().readOnly, true);
  assert.equal((await view(f.other.responder, got.id)).statusCode, 404);

  const drafted = await post(f.dept.responder, got.id, 'answer', { body: '路灯已于本周修复。', publish: true });
  assert.equal(drafted.statusCode, 200, drafted.body);
  assert.equal(drafted.json().state, 'reviewing');
  // Drafted for the board, but nothing is published without the leader's approval.
  let r = await row(got.id);
  assert.equal(r.draft_publish, true);
  assert.equal(r.moderation, 'none');
  assert.equal(r.answer_body, null);
  assert.equal(await sms('13900000001', 'interaction.case.answered'), 0);
  // A responder cannot approve (the review step is the leader's).
  const byResponder = await post(f.dept.responder, got.id, 'approve-answer');
  assert.ok([403, 404].includes(byResponder.statusCode), byResponder.body);
  assert.equal((await row(got.id)).state, 'reviewing');

  const approved = await post(f.dept.leader, got.id, 'approve-answer');
  assert.equal(approved.statusCode, 200, approved.body);
  assert.equal(approved.json().state, 'answered');
  r = await row(got.id);
  assert.equal(r.answer_body, '路灯已于本周修复。');
  assert.equal(r.answer_approved_by, f.dept.leader.id);
  assert.equal(r.moderation, 'pending');
  assert.ok(r.answered_at);
  assert.equal(await sms('13900000001', 'interaction.case.answered'), 1);
  assert.equal((await round(got.id))?.status, 'completed');
  // Approving again: the case moved on.
  assert.equal((await post(f.dept.leader, got.id, 'approve-answer')).statusCode, 409);
});

test('the leader returns the draft, the responder drafts again', async () => {
  const got = await letter({ channel: 'unit_mailbox', targetUnitId: f.dept.id });
  assert.equal((await post(f.dept.responder, got.id, 'answer', { body: '初稿', publish: false })).statusCode, 200);
  assert.equal((await post(f.dept.leader, got.id, 'return-answer', { reason: '' })).statusCode, 400);
  const back = await post(f.dept.leader, got.id, 'return-answer', { reason: '请写明修复时间' });
  assert.equal(back.statusCode, 200, back.body);
  assert.equal(back.json().state, 'assigned');
  assert.equal((await row(got.id)).draft_answer_body, '初稿');
  assert.equal((await post(f.dept.responder, got.id, 'answer', { body: '第二稿：周五前修复', publish: false })).statusCode, 200);
  assert.equal((await post(f.dept.leader, got.id, 'approve-answer')).statusCode, 200);
  assert.equal((await row(got.id)).answer_body, '第二稿：周五前修复');
});

test('a unit acting on a case assigned to another unit gets 404', async () => {
  const got = await letter({ channel: 'unit_mailbox', targetUnitId: f.dept.id });
  assert.equal((await post(f.other.responder, got.id, 'answer', { body: '不是我们的', publish: false })).statusCode, 404);
  assert.equal((await post(f.other.leader, got.id, 'approve-answer')).statusCode, 404);
  assert.equal((await post(f.other.responder, got.id, 'pass', { unitId: f.town.id })).statusCode, 404);
  assert.equal((await post(f.other.responder, got.id, 'transfer-back', { reason: '不归我们' })).statusCode, 404);
  assert.equal((await view(f.other.responder, got.id)).statusCode, 404);
  assert.equal((await post(f.dept.responder, 'no-such-case', 'answer', { body: 'x', publish: false })).statusCode, 404);
  // The other unit's list does not hold it.
  const list = await ctx.app.inject({ url: '/api/v1/interaction/cases', headers: bearer(f.other.responder) });
  assert.ok(!list.json().items.some((i: { id: string }) => i.id === got.id));
  // A supervisor oversees every unit's cases, read-only.
  const sup = await view(f.supervisor, got.id);
  assert.equal(sup.statusCode, 200);
  assert.equal(sup.json().writer, null);
  assert.equal((await post(f.supervisor, got.id, 'answer', { body: '监督', publish: false })).statusCode, 403);
  assert.equal((await row(got.id)).state, 'assigned');
});

test('a unit passes the case down to the town; not to a sibling department', async () => {
  const got = await letter({ channel: 'mayor_mailbox' });
  assert.equal((await post(f.office.responder, got.id, 'assign', { unitId: f.dept.id })).statusCode, 200);
  const sideways = await post(f.dept.responder, got.id, 'pass', { unitId: f.other.id });
  assert.equal(sideways.statusCode, 422);
  assert.equal(problem(sideways).body.errors?.[0].path, 'unitId');
  const passed = await post(f.dept.responder, got.id, 'pass', { unitId: f.town.id, note: '属地办理' });
  assert.equal(passed.statusCode, 200, passed.body);
  assert.equal(passed.json().handlingUnitId, f.town.id);
  assert.equal(openTask(await round(got.id), 'handle')?.unitId, f.town.id);
  // The department now only reads it (acting is 409: the case moved on); the town answers.
  assert.equal((await post(f.dept.responder, got.id, 'answer', { body: 'x', publish: false })).statusCode, 409);
  assert.equal((await view(f.dept.responder, got.id)).json().readOnly, true);
  assert.equal((await post(f.town.responder, got.id, 'answer', { body: '镇里已处理', publish: false })).statusCode, 200);
  assert.equal((await post(f.town.leader, got.id, 'approve-answer')).statusCode, 200);
});

test('a unit transfers the case back with a reason: a new dispatch round at the office', async () => {
  const got = await letter({ channel: 'mayor_mailbox' });
  await post(f.office.responder, got.id, 'assign', { unitId: f.other.id });
  assert.equal((await post(f.other.responder, got.id, 'transfer-back', {})).statusCode, 400);
  assert.equal((await post(f.other.responder, got.id, 'transfer-back', { reason: '   ' })).statusCode, 422);
  const back = await post(f.other.responder, got.id, 'transfer-back', { reason: '不属于住建局职责' });
  assert.equal(back.statusCode, 200, back.body);
  assert.equal(back.json().state, 'received');
  assert.equal(back.json().handlingUnitId, f.office.id);
  assert.equal(openTask(await round(got.id), 'dispatch')?.unitId, f.office.id);
  assert.equal((await post(f.office.responder, got.id, 'assign', { unitId: f.dept.id })).statusCode, 200);
  const types = (await view(f.dept.responder, got.id)).json().events.map((e: { type: string }) => e.type);
  assert.deepEqual(types, ['received', 'assigned', 'transferred_back', 'assigned']);
});

test('assigning to an unknown unit is 422 naming the field; only the dispatcher assigns', async () => {
  const got = await letter({ channel: 'mayor_mailbox' });
  const unknown = await post(f.office.responder, got.id, 'assign', { unitId: 'no-such-unit' });
  assert.equal(unknown.statusCode, 422);
  assert.equal(problem(unknown).body.errors?.[0].path, 'unitId');
  assert.equal((await post(f.office.leader, got.id, 'assign', { unitId: f.dept.id })).statusCode, 404);
  assert.equal((await row(got.id)).state, 'received');
});

test('merging: not into itself, not into an answered case; the writers of merged cases get the answer', async () => {
  const main = await letter({ channel: 'unit_mailbox', targetUnitId: f.dept.id, phone: '13900000011' });
  const dup = await letter({ channel: 'unit_mailbox', targetUnitId: f.dept.id, phone: '13900000012' });
  const answered = await letter({ channel: 'unit_mailbox', targetUnitId: f.dept.id });
  await post(f.dept.responder, answered.id, 'answer', { body: '已答复', publish: false });
  await post(f.dept.leader, answered.id, 'approve-answer');

  const self = await post(f.dept.responder, dup.id, 'merge', { intoId: dup.id });
  assert.equal(self.statusCode, 422);
  assert.equal(problem(self).body.errors?.[0].path, 'intoId');
  assert.equal((await post(f.dept.responder, dup.id, 'merge', { intoId: answered.id })).statusCode, 422);
  const merged = await post(f.dept.responder, dup.id, 'merge', { intoId: main.id });
  assert.equal(merged.statusCode, 200, merged.body);
  assert.equal(merged.json().state, 'merged');
  assert.equal(merged.json().mergedIntoId, main.id);
  // Into a merged case: refused.
  const third = await letter({ channel: 'unit_mailbox', targetUnitId: f.dept.id });
  assert.equal((await post(f.dept.responder, third.id, 'merge', { intoId: dup.id })).statusCode, 422);

  await post(f.dept.responder, main.id, 'answer', { body: '统一答复：已修复', publish: false });
  assert.equal((await post(f.dept.leader, main.id, 'approve-answer')).statusCode, 200);
  const d = await row(dup.id);
  assert.equal(d.answer_body, '统一答复：已修复');
  assert.equal(d.state, 'answered');
  assert.equal(await sms('13900000011', 'interaction.case.answered'), 1);
  assert.equal(await sms('13900000012', 'interaction.case.answered'), 1);
});

test('the dispatcher merges a duplicate letter before assigning; another unit cannot merge it', async () => {
  const main = await letter({ channel: 'mayor_mailbox' });
  const dup = await letter({ channel: 'mayor_mailbox' });
  assert.equal((await post(f.dept.responder, dup.id, 'merge', { intoId: main.id })).statusCode, 404);
  const merged = await post(f.office.responder, dup.id, 'merge', { intoId: main.id });
  assert.equal(merged.statusCode, 200, merged.body);
  assert.equal((await round(dup.id))?.status, 'withdrawn');
  assert.equal((await post(f.office.responder, dup.id, 'assign', { unitId: f.dept.id })).statusCode, 409);
  assert.equal((await view(f.office.responder, main.id)).json().events.at(-1).type, 'merged_in');
});

test('disclosure requests need an answer type; other channels refuse one; publish only for public letters', async () => {
  const req = await letter({ channel: 'disclosure_request', targetUnitId: f.dept.id, idNumber: '11010119900307803X' });
  const none = await post(f.dept.responder, req.id, 'answer', { body: '部分公开', publish: false });
  assert.equal(none.statusCode, 422);
  assert.equal(problem(none).body.errors?.[0].path, 'answerType');
  assert.equal((await post(f.dept.responder, req.id, 'answer', { body: '部分公开', publish: false, answerType: 'maybe' })).statusCode, 400);
  const pub = await post(f.dept.responder, req.id, 'answer', { body: '部分公开', publish: true, answerType: 'partial' });
  assert.equal(pub.statusCode, 422);
  assert.equal(problem(pub).body.errors?.[0].path, 'publish');
  assert.equal((await post(f.dept.responder, req.id, 'answer', { body: '部分公开，附件为可公开部分', publish: false, answerType: 'partial' })).statusCode, 200);
  assert.equal((await post(f.dept.leader, req.id, 'approve-answer')).statusCode, 200);
  assert.equal((await row(req.id)).answer_type, 'partial');

  const mail = await letter({ channel: 'unit_mailbox', targetUnitId: f.dept.id });
  const typed = await post(f.dept.responder, mail.id, 'answer', { body: '答复', publish: false, answerType: 'public' });
  assert.equal(typed.statusCode, 422);
  assert.equal(problem(typed).body.errors?.[0].path, 'answerType');
  const privateLetter = await letter({ channel: 'unit_mailbox', targetUnitId: f.dept.id, isPublic: false });
  assert.equal((await post(f.dept.responder, privateLetter.id, 'answer', { body: '答复', publish: true })).statusCode, 422);
  assert.equal((await row(privateLetter.id)).state, 'assigned');
});

test('bad input: empty, huge, wrong type, unknown fields; nothing written', async () => {
  const got = await letter({ channel: 'unit_mailbox', targetUnitId: f.dept.id });
  for (const payload of [{}, { body: '', publish: false }, { body: 'x'.repeat(50_001), publish: false }, { body: 42, publish: false }, { body: 'x', publish: 'yes' }, { body: 'x', publish: false, extra: 1 }]) {
    const res = await post(f.dept.responder, got.id, 'answer', payload);
    assert.ok([400, 422].includes(res.statusCode), `${JSON.stringify(payload).slice(0, 60)}: ${res.statusCode}`);
    assert.match(String(res.headers['content-type']), /problem\+json/);
  }
  assert.equal((await post(f.dept.responder, got.id, 'answer', { body: '   ', publish: false })).statusCode, 422);
  assert.equal((await post(f.dept.responder, got.id, 'clarification', { question: 'q'.repeat(1001) })).statusCode, 400);
  assert.equal((await ctx.app.inject({ url: '/api/v1/interaction/cases?state=nonsense', headers: bearer(f.dept.responder) })).statusCode, 400);
  assert.equal((await ctx.app.inject({ url: '/api/v1/interaction/cases?cursor=garbage', headers: bearer(f.dept.responder) })).statusCode, 400);
  const zh = await ctx.app.inject({ method: 'POST', url: `/api/v1/interaction/cases/${got.id}/answer`, headers: { ...bearer(f.dept.responder), 'accept-language': 'zh-CN' }, payload: { body: '  ', publish: false } });
  assert.match(zh.json().errors[0].message, /不能为空/);
  const r = await row(got.id);
  assert.equal(r.state, 'assigned');
  assert.equal(r.version, got.row.version);
  // A 50,000-character answer is accepted whole.
  const long = '答'.repeat(50_000);
  assert.equal((await post(f.dept.responder, got.id, 'answer', { body: long, publish: false })).statusCode, 200);
  assert.equal((await row(got.id)).draft_answer_body, long);
});

test('the list: open first by due date, paged with a cursor, filtered by channel', async () => {
  const a = await letter({ channel: 'message_board', targetUnitId: f.other.id });
  const b = await letter({ channel: 'message_board', targetUnitId: f.other.id });
  const page1 = await ctx.app.inject({ url: '/api/v1/interaction/cases?limit=1&channel=message_board', headers: bearer(f.other.responder) });
  assert.equal(page1.statusCode, 200, page1.body);
  assert.equal(page1.json().items.length, 1);
  assert.ok(page1.json().nextCursor);
  const page2 = await ctx.app.inject({ url: `/api/v1/interaction/cases?limit=1&channel=message_board&cursor=${page1.json().nextCursor}`, headers: bearer(f.other.responder) });
  const ids = [page1.json().items[0].id, page2.json().items[0].id].sort();
  assert.deepEqual(ids, [a.id, b.id].sort());
});

test('the routes are in the OpenAPI document', async () => {
  const doc = await ctx.app.inject({ url: '/api/docs/json' });
  assert.equal(doc.statusCode, 200);
  for (const id of ['listInteractionCases', 'getInteractionCase', 'assignInteractionCase', 'passInteractionCase', 'transferBackInteractionCase', 'askInteractionClarification', 'mergeInteractionCase', 'draftInteractionAnswer', 'approveInteractionAnswer', 'returnInteractionAnswer', 'replyInteractionClarification']) {
    assert.ok(doc.body.includes(`"${id}"`), id);
  }
});

const signIn = async (user: TestUser) => {
  const { cookie, csrfToken } = await loginSession(ctx.app, user.username);
  return { cookie, csrf: csrfToken };
};
type Session = Awaited<ReturnType<typeof signIn>>;
const page = (s: Session, url: string, lang = 'zh-CN') => ctx.app.inject({ method: 'GET', url, headers: { cookie: s.cookie, 'accept-language': lang } });
const submit = (s: Session, url: string, form: Record<string, string>) =>
  ctx.app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: s.csrf, ...form }).toString() });

test('the console pages: dispatch queue, inbox, the case page with its forms, without script; text escaped, no raw keys', async () => {
  const got = await letter({ channel: 'mayor_mailbox', title: '<script>alert(1)</script>路灯', body: '第一行<img src=x onerror=alert(1)>\n第二行 javascript:alert(1)' });
  const office = await signIn(f.office.responder);
  const queue = await page(office, '/console/interaction/dispatch');
  assert.equal(queue.statusCode, 200, queue.body.slice(0, 500));
  assert.ok(queue.body.includes('&lt;script>alert(1)&lt;/script>路灯'));
  assert.ok(!queue.body.includes('<script>alert(1)'));
  assert.ok(queue.body.includes('table-stack'));
  assert.ok(!/page\.interaction\.|interaction\.handling\./.test(queue.body), 'no raw keys');
  const assigned = await submit(office, `/console/interaction/cases/${got.id}/assign`, { unitId: f.dept.id, returnTo: 'dispatch' });
  assert.equal(assigned.statusCode, 303, assigned.body);
  assert.equal(assigned.headers.location, '/console/interaction/dispatch');
  assert.equal((await row(got.id)).state, 'assigned');

  const responder = await signIn(f.dept.responder);
  const inbox = await page(responder, '/console/interaction/cases');
  assert.equal(inbox.statusCode, 200);
  assert.ok(inbox.body.includes(`/console/interaction/cases/${got.id}`));
  for (const tab of ['assigned', 'answered', 'all']) assert.equal((await page(responder, `/console/interaction/cases?state=${tab}`)).statusCode, 200);
  const casePage = await page(responder, `/console/interaction/cases/${got.id}`);
  assert.equal(casePage.statusCode, 200);
  assert.ok(casePage.body.includes('&lt;img src=x onerror=alert(1)>'));
  assert.ok(!casePage.body.includes('<img src=x'));
  assert.ok(casePage.body.includes('name="publish"'));
  assert.ok(casePage.body.includes(`/console/interaction/cases/${got.id}/transfer-back`));
  assert.ok(!/page\.interaction\.|interaction\.handling\./.test(casePage.body), 'no raw keys');
  const en = await page(responder, `/console/interaction/cases/${got.id}`, 'en');
  assert.ok(en.body.includes('Draft the answer'));

  // A refused form comes back with the reason; a good one moves the case.
  const empty = await submit(responder, `/console/interaction/cases/${got.id}/answer`, { body: '  ' });
  assert.equal(empty.statusCode, 303);
  assert.equal((await row(got.id)).state, 'assigned');
  assert.equal((await submit(responder, `/console/interaction/cases/${got.id}/answer`, { body: '已修复', publish: '1' })).statusCode, 303);
  assert.equal((await row(got.id)).state, 'reviewing');

  const leader = await signIn(f.dept.leader);
  const review = await page(leader, `/console/interaction/cases/${got.id}`);
  assert.ok(review.body.includes(`/console/interaction/cases/${got.id}/approve-answer`));
  assert.ok(review.body.includes(`/console/interaction/cases/${got.id}/return-answer`));
  // The responder's page offers no approval.
  assert.ok(!(await page(responder, `/console/interaction/cases/${got.id}`)).body.includes('/approve-answer'));
  assert.equal((await submit(leader, `/console/interaction/cases/${got.id}/approve-answer`, {})).statusCode, 303);
  const done = await row(got.id);
  assert.equal(done.state, 'answered');
  assert.equal(done.moderation, 'pending');
  // Another unit's staff: the page is not found.
  assert.equal((await page(await signIn(f.other.responder), `/console/interaction/cases/${got.id}`)).statusCode, 404);
});

test('open steps show in the task inbox and on the dashboard; the leader approves from the inbox', async () => {
  const got = await letter({ channel: 'mayor_mailbox' });
  const mine = async (user: TestUser) => (await ctx.app.inject({ url: '/api/v1/tasks?mine=true&limit=200', headers: bearer(user) })).json().items as Array<{ id: string; caseId: string; link: string; title: string }>;
  const dispatch = (await mine(f.office.responder)).find((t) => t.caseId === got.id);
  assert.ok(dispatch, 'the dispatch step is in the office responder’s inbox');
  assert.equal(dispatch.link, `/console/interaction/cases/${got.id}`);
  assert.ok(dispatch.title.includes(got.trackingNo));
  const home = await page(await signIn(f.office.responder), '/console');
  assert.ok(home.body.includes('待分办来信'));
  // Dispatch needs the case page.
  assert.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${dispatch.id}/complete`, headers: bearer(f.office.responder), payload: { action: 'approve' } })).statusCode, 409);
  await post(f.office.responder, got.id, 'assign', { unitId: f.dept.id });
  await post(f.dept.responder, got.id, 'answer', { body: '答复', publish: false });
  const reviewTask = (await mine(f.dept.leader)).find((t) => t.caseId === got.id);
  assert.ok(reviewTask);
  assert.ok(!(await mine(f.other.leader)).some((t) => t.caseId === got.id));
  const done = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${reviewTask.id}/complete`, headers: bearer(f.dept.leader), payload: { action: 'approve' } });
  assert.equal(done.statusCode, 200, done.body);
  assert.equal(done.json().state, 'answered');
});

test('two people acting on one case at once: one wins, the other gets 409 (PostgreSQL)', { skip: TEST_PG_URL ? false : 'needs PostgreSQL (ZT_TEST_DATABASE_URL)' }, async () => {
  const second = await makeUser(ctx.platform, f.office.id, ['responder']);
  for (let i = 0; i < 5; i++) {
    const got = await letter({ channel: 'mayor_mailbox' });
    const results = await Promise.all([post(f.office.responder, got.id, 'assign', { unitId: f.dept.id }), post(second, got.id, 'assign', { unitId: f.other.id })]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409], results.map((r) => r.body).join(' | '));
    const winner = results.find((r) => r.statusCode === 200)!.json();
    const r = await row(got.id);
    assert.equal(r.handling_unit_id, winner.handlingUnitId);
    assert.equal(r.version, got.row.version + 1);
    const rounds = (await sql<{ n: number }>`select count(*)::int as n from flow_instances where subject_id = ${got.id} and status = 'running'`.execute(ctx.platform.db)).rows[0].n;
    assert.equal(rounds, 1);
    assert.equal(await audits('interaction.case.assign', got.id), 1);
  }
  const leader2 = await makeUser(ctx.platform, f.dept.id, ['unit_leader']);
  const got = await letter({ channel: 'unit_mailbox', targetUnitId: f.dept.id, phone: '13900000031' });
  await post(f.dept.responder, got.id, 'answer', { body: '答复', publish: false });
  const approvals = await Promise.all([post(f.dept.leader, got.id, 'approve-answer'), post(leader2, got.id, 'approve-answer')]);
  assert.deepEqual(approvals.map((r) => r.statusCode).sort(), [200, 409]);
  assert.equal(await sms('13900000031', 'interaction.case.answered'), 1);
});

test('a colleague acted first: the office is told the case moved on (409); a stranger still gets 404', async () => {
  const second = await makeUser(ctx.platform, f.office.id, ['responder']);
  const got = await letter({ channel: 'mayor_mailbox' });
  assert.equal((await post(f.office.responder, got.id, 'assign', { unitId: f.dept.id })).statusCode, 200);
  const late = await post(second, got.id, 'assign', { unitId: f.other.id });
  assert.equal(late.statusCode, 409, late.body);
  assert.equal(late.json().detail, '来信已转到其他单位办理，本单位不能再操作');
  const stranger = await makeUser(ctx.platform, f.other.id, ['responder']);
  assert.equal((await post(stranger, got.id, 'pass', { unitId: f.other.id })).statusCode, 404);
  assert.equal((await row(got.id)).handling_unit_id, f.dept.id);
});

test('a hotline ticket: the operator dispatches it through the same route; operators do not see other channels', async () => {
  const ticket = await receiveTestCase(ctx.platform, { channel: 'hotline', title: `热线工单 ${++seq}`, dispatcherUnitId: f.hotline.id, urgency: 'high', regionCode: '990102001', isPublic: false }, f.hotline.operator);
  assert.equal(ticket.row.state, 'received');
  assert.equal(openTask(await round(ticket.id), 'dispatch')?.unitId, ticket.row.handling_unit_id);
  // A responder of the office cannot take the operator's step.
  assert.equal((await post(f.office.responder, ticket.id, 'assign', { unitId: f.town.id })).statusCode, 404);
  const assigned = await post(f.hotline.operator, ticket.id, 'assign', { unitId: f.town.id });
  assert.equal(assigned.statusCode, 200, assigned.body);
  assert.equal(assigned.json().handlingUnitId, f.town.id);
  const mayor = await letter({ channel: 'mayor_mailbox' });
  assert.equal((await view(f.hotline.operator, mayor.id)).statusCode, 404);
  const list = (await ctx.app.inject({ url: '/api/v1/interaction/cases?limit=200', headers: bearer(f.hotline.operator) })).json().items as Array<{ channel: string; id: string }>;
  assert.ok(list.some((i) => i.id === ticket.id));
  assert.ok(list.every((i) => i.channel === 'hotline'));
});

test('clarification stops the clock: the writer answers with the code, the due date moves by the days stopped', async () => {
  const got = await letter({ channel: 'unit_mailbox', targetUnitId: f.dept.id, phone: '13900000021' });
  const before = await row(got.id);
  const asked = await post(f.dept.responder, got.id, 'clarification', { question: '请说明具体是哪一栋楼' });
  assert.equal(asked.statusCode, 200, asked.body);
  assert.equal(asked.json().state, 'clarifying');
  assert.equal((await round(got.id))?.status, 'suspended');
  assert.equal(await sms('13900000021', 'interaction.case.clarification'), 1);
  // While the clock stands, nothing can be answered.
  assert.equal((await post(f.dept.responder, got.id, 'answer', { body: 'x', publish: false })).statusCode, 409);

  ctx.clock.advance(3 * 86_400_000);
  const reply = (code: string, text = '是三号楼') => ctx.app.inject({ method: 'POST', url: `/api/v1/public/letters/${got.trackingNo}/clarification`, payload: { code, text } });
  assert.equal((await reply('WRONGCOD')).statusCode, 404);
  assert.equal((await ctx.app.inject({ method: 'POST', url: `/api/v1/public/letters/NOPE/clarification`, payload: { code: got.queryCode, text: 'x' } })).statusCode, 404);
  const ok = await reply(got.queryCode);
  // (The staff's test tokens last a day: back to today for them.)
  ctx.clock.advance(-3 * 86_400_000);
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().state, 'assigned');
  const after = await row(got.id);
  assert.ok(after.stopped_days >= 1, `stopped ${after.stopped_days}`);
  const expected = (await addWorkingDays(ctx.platform.db, String(before.due_date), after.stopped_days)).date;
  assert.equal(String(after.due_date), expected);
  assert.ok(String(after.due_date) > String(before.due_date));
  assert.equal((await round(got.id))?.status, 'running');
  const events = (await view(f.dept.responder, got.id)).json().events;
  assert.equal(events.at(-1).type, 'clarification_replied');
  assert.equal(events.at(-1).details.text, '是三号楼');
  // No question waiting any more.
  assert.equal((await reply(got.queryCode)).statusCode, 409);
  assert.equal((await post(f.dept.responder, got.id, 'answer', { body: '三号楼路灯已修', publish: false })).statusCode, 200);
});
