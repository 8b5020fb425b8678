import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, openBrowser } from '../../../test/e2e/browser.ts';
import { bearer, createTestContext, loginSession, makeUnit, makeUser, problem, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { addWorkingDays, shanghaiDate } from '../../platform/calendar/index.ts';
import { interactionFixture, type InteractionFixture } from './testing.ts';
import { interactionDb } from './model.ts';
import { currentRound, openTask, startRound } from './process.ts';
import { caseEvents } from './queries/events.ts';

let ctx: TestContext;
let f: InteractionFixture;
before(async () => {
  ctx = await createTestContext();
  f = await interactionFixture(ctx.platform);
});
after(() => ctx?.close());

let seq = 0;
const ticket = (over: Record<string, unknown> = {}) => ({
  callerName: '李四',
  phone: '13900139000',
  regionCode: '990102001',
  category: '求助',
  urgency: 'normal',
  title: `楼道灯不亮${++seq}`,
  body: `第${seq}次来电：甲镇幸福小区五号楼楼道灯坏了。`,
  ...over,
});
const post = (user: TestUser, url: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: { ...bearer(user), 'accept-language': 'zh-CN' } });
const get = (user: TestUser, url: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(user) });
const row = (id: string) => interactionDb(ctx.platform.db).selectFrom('interaction_cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const count = async () => Number((await sql<{ n: string }>`select count(*) as n from interaction_cases where channel = 'hotline'`.execute(ctx.platform.db)).rows[0].n);

/** Puts a ticket with a unit as the dispatcher's assign would (the assign route is built elsewhere). */
async function assignTo(id: string, unitId: string) {
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
    const current = await interactionDb(work.tx).updateTable('interaction_cases').set({ state: 'assigned', handling_unit_id: unitId }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await startRound(work, ctx.platform, current, { kind: 'handle', unitId });
  });
}

test('an operator enters a ticket: an interaction case of the hotline dispatched by the hotline unit, with a dispatch step', async () => {
  const res = await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket());
  assert.equal(res.statusCode, 201, res.body);
  const { id, trackingNo } = res.json();
  assert.match(trackingNo, /^RX\d{16}$/);
  const r = await row(id);
  assert.equal(r.channel, 'hotline');
  assert.equal(r.state, 'received');
  assert.equal(r.dispatcher_unit_id, f.hotline.id);
  assert.equal(r.region_code, '990102001');
  assert.equal(r.writer_name_masked, '李*');
  const round = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => currentRound(work, id));
  assert.equal(openTask(round, 'dispatch')?.unitId, f.hotline.id);
  const listed = await get(f.hotline.operator, '/api/v1/hotline/tickets');
  assert.ok(listed.json().items.some((t: { id: string }) => t.id === id));
});

test('a landline with an area code is accepted, and so is a 50,000-character body, stored exactly', async () => {
  const body = '𠮷'.repeat(10) + '诉'.repeat(49_980);
  assert.equal(body.length, 50_000);
  const res = await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket({ phone: '0931-8123456', body }));
  assert.equal(res.statusCode, 201, res.body);
  assert.equal((await row(res.json().id)).body, body);
});

test('bad input is refused in the caller’s language and nothing is written', async () => {
  const before = await count();
  const outside = await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket({ regionCode: '110101' }));
  assert.equal(outside.statusCode, 422);
  assert.match(String(problem(outside).type), /^application\/problem\+json/);
  assert.equal(problem(outside).body.errors?.[0].path, 'regionCode');
  assert.match(problem(outside).body.detail, /110101.*不在/);
  const urgency = await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket({ urgency: 'asap' }));
  assert.equal(urgency.statusCode, 400);
  const empty = await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket({ title: '' }));
  assert.equal(empty.statusCode, 400);
  const blank = await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket({ title: '   ' }));
  assert.equal(blank.statusCode, 400);
  assert.match(JSON.stringify(problem(blank).body.errors), /请填写标题/);
  const phone = await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket({ phone: '12-34' }));
  assert.equal(phone.statusCode, 400);
  const letters = await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket({ phone: 'abcdefghij' }));
  assert.equal(letters.statusCode, 400);
  const tooLong = await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket({ body: 'x'.repeat(50_001) }));
  assert.equal(tooLong.statusCode, 400);
  const notOperator = await post(f.dept.responder, '/api/v1/hotline/tickets', ticket());
  assert.equal(notOperator.statusCode, 403);
  assert.equal(await count(), before);
});

test('the urgency gives the deadline: 1, 3, 5 and 10 working days', async () => {
  const today = shanghaiDate(ctx.platform.clock.now());
  for (const [urgency, days] of [['urgent', 1], ['high', 3], ['normal', 5], ['low', 10]] as const) {
    const res = await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket({ urgency }));
    assert.equal(res.statusCode, 201, res.body);
    const r = await row(res.json().id);
    assert.equal(r.deadline_days, days);
    assert.equal(r.due_date, (await addWorkingDays(ctx.platform.db, today, days)).date);
  }
});

test('the knowledge base: added, found by a Chinese substring of question, answer or keyword and by category, changed and deactivated', async () => {
  const created = await post(f.hotline.operator, '/api/v1/hotline/knowledge', { category: '社保', question: '如何查询养老保险缴费记录？', answer: '可登录省人社厅网上服务大厅或到社保窗口查询。', keywords: ['养老金', '缴费'] });
  assert.equal(created.statusCode, 201, created.body);
  const other = await post(f.hotline.operator, '/api/v1/hotline/knowledge', { category: '水电', question: '停水了找谁？', answer: '请拨打自来水公司热线。' });
  assert.equal(other.statusCode, 201);
  const search = async (query: string) => (await get(f.hotline.operator, `/api/v1/hotline/knowledge?${query}`)).json().items.map((k: { id: string }) => k.id);
  assert.deepEqual(await search(`q=${encodeURIComponent('养老保险')}`), [created.json().id]);
  assert.deepEqual(await search(`q=${encodeURIComponent('网上服务')}`), [created.json().id]);
  assert.deepEqual(await search(`q=${encodeURIComponent('养老金')}`), [created.json().id]);
  assert.deepEqual(await search(`category=${encodeURIComponent('水电')}`), [other.json().id]);
  assert.deepEqual(await search(`q=${encodeURIComponent('100%')}`), []);
  const patched = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/hotline/knowledge/${other.json().id}`, payload: { active: false }, headers: bearer(f.hotline.operator) });
  assert.equal(patched.statusCode, 200);
  assert.deepEqual(await search(`category=${encodeURIComponent('水电')}`), []);
  const refused = await ctx.app.inject({ method: 'POST', url: '/api/v1/hotline/knowledge', payload: { category: '社保', question: 'x', answer: 'y' }, headers: bearer(f.dept.leader) });
  assert.equal(refused.statusCode, 403);
});

test('直接办结: the operator answers at once from the knowledge base; the dispatch step ends with close; audited', async () => {
  const knowledge = await post(f.hotline.operator, '/api/v1/hotline/knowledge', { category: '证照', question: '身份证丢了怎么办？', answer: '携带户口簿到户籍所在地派出所补办。' });
  const created = (await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket({ category: '咨询' }))).json();
  const closed = await post(f.hotline.operator, `/api/v1/hotline/tickets/${created.id}/close`, { knowledgeId: knowledge.json().id, answer: knowledge.json().answer });
  assert.equal(closed.statusCode, 200, closed.body);
  assert.equal(closed.json().state, 'answered');
  const r = await row(created.id);
  assert.equal(r.state, 'answered');
  assert.equal(r.answer_body, '携带户口簿到户籍所在地派出所补办。');
  assert.equal(r.knowledge_id, knowledge.json().id);
  assert.ok(r.answered_at);
  const round = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => currentRound(work, created.id));
  assert.ok(round?.actions.some((a) => a.payload.type === 'complete' && a.payload.stepKey === 'dispatch' && a.payload.outcome === 'close'));
  assert.equal(round?.status, 'completed');
  const audit = await sql<{ n: string }>`select count(*) as n from audit_log where action = 'interaction.hotline.close' and object_id = ${created.id}`.execute(ctx.platform.db);
  assert.equal(Number(audit.rows[0].n), 1);
  const again = await post(f.hotline.operator, `/api/v1/hotline/tickets/${created.id}/close`, { answer: '再答一次' });
  assert.equal(again.statusCode, 409);
});

test("someone else's ticket is 404 to another hotline's operator", async () => {
  const created = (await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket())).json();
  const otherHotline = await makeUnit(ctx.platform, `乙县12345热线${process.pid}`, '990103', 'department');
  const stranger = await makeUser(ctx.platform, otherHotline.id, [{ role: 'hotline_operator', scope: { regionCode: '990103' } }]);
  assert.equal((await post(stranger, `/api/v1/hotline/tickets/${created.id}/close`, { answer: '答复' })).statusCode, 404);
  assert.equal((await get(stranger, `/api/v1/hotline/tickets/${created.id}`)).statusCode, 404);
});

test('督办: a ticket open at a unit is marked supervised, logged, and the unit’s leader and responders are told', async () => {
  const created = (await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket())).json();
  const early = await post(f.hotline.operator, `/api/v1/hotline/tickets/${created.id}/supervise`, { note: '请尽快办理' });
  assert.equal(early.statusCode, 409, 'not yet with a unit');
  await assignTo(created.id, f.dept.id);
  const res = await post(f.hotline.operator, `/api/v1/hotline/tickets/${created.id}/supervise`, { note: '请尽快办理' });
  assert.equal(res.statusCode, 200, res.body);
  assert.ok((await row(created.id)).supervised_at);
  assert.ok((await caseEvents(ctx.platform.db, created.id)).some((e) => e.type === 'supervised'));
  const told = await sql<{ user_id: string }>`select user_id from notify_outbox where template = 'interaction.hotline.supervised' and params->>'caseId' = ${created.id}`.execute(ctx.platform.db);
  const users = new Set(told.rows.map((r) => r.user_id));
  assert.ok(users.has(f.dept.leader.id));
  assert.ok(users.has(f.dept.responder.id));
  assert.equal((await post(f.hotline.operator, `/api/v1/hotline/tickets/${created.id}/supervise`, { note: '' })).statusCode, 400);
});

test('回访: only on an answered ticket, once', async () => {
  const created = (await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket())).json();
  assert.equal((await post(f.hotline.operator, `/api/v1/hotline/tickets/${created.id}/visit`, { satisfaction: 5 })).statusCode, 409);
  await post(f.hotline.operator, `/api/v1/hotline/tickets/${created.id}/close`, { answer: '已联系物业更换灯泡。' });
  assert.equal((await post(f.hotline.operator, `/api/v1/hotline/tickets/${created.id}/visit`, { satisfaction: 6 })).statusCode, 400);
  const first = await post(f.hotline.operator, `/api/v1/hotline/tickets/${created.id}/visit`, { satisfaction: 4, note: '灯已修好' });
  assert.equal(first.statusCode, 200, first.body);
  const r = await row(created.id);
  assert.equal(r.visit_satisfaction, 4);
  assert.equal(r.visited_by, f.hotline.operator.id);
  assert.ok(r.visited_at);
  const second = await post(f.hotline.operator, `/api/v1/hotline/tickets/${created.id}/visit`, { satisfaction: 1 });
  assert.equal(second.statusCode, 409);
  assert.equal((await row(created.id)).visit_satisfaction, 4);
});

test('效能投诉: an efficiency complaint is also filed with supervision, about the case, in the same unit of work', async () => {
  const res = await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket({ category: '效能投诉', title: '窗口工作人员推诿', phone: '0931-8123456' }));
  assert.equal(res.statusCode, 201, res.body);
  const { id, trackingNo } = res.json();
  const complaints = await sql<{ subject_type: string; receipt_no: string; unit_id: string; channel: string; complainant_name: string; complainant_phone_sealed: string | null }>`
    select subject_type, receipt_no, unit_id, channel, complainant_name, complainant_phone_sealed from supervision_complaints where case_id = ${id}`.execute(ctx.platform.db);
  assert.equal(complaints.rows.length, 1);
  assert.equal(complaints.rows[0].subject_type, 'interaction.case');
  assert.equal(complaints.rows[0].receipt_no, trackingNo);
  assert.equal(complaints.rows[0].unit_id, f.hotline.id);
  assert.equal(complaints.rows[0].channel, 'phone');
  assert.equal(complaints.rows[0].complainant_phone_sealed, null, 'a landline is not kept as the complainant’s mobile');
  assert.ok((await caseEvents(ctx.platform.db, id)).some((e) => e.type === 'complaint_filed'));
  const plain = (await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket({ category: '投诉' }))).json();
  const none = await sql<{ n: string }>`select count(*) as n from supervision_complaints where case_id = ${plain.id}`.execute(ctx.platform.db);
  assert.equal(Number(none.rows[0].n), 0);
});

test('the operator screen: entry form, region picker, knowledge search, recent tickets; forms work without script, in both languages', async () => {
  const screen = await get(f.hotline.operator, `/console/hotline?q=${encodeURIComponent('身份证')}`);
  assert.equal(screen.statusCode, 200, screen.body);
  assert.match(screen.body, /name="regionCode"/);
  assert.match(screen.body, /甲镇/);
  assert.match(screen.body, /身份证丢了怎么办/);
  assert.doesNotMatch(screen.body, /page\.(hotline|interaction)\./);
  const english = await ctx.app.inject({ method: 'GET', url: '/console/hotline?lang=en', headers: bearer(f.hotline.operator) });
  assert.equal(english.statusCode, 200);
  assert.match(english.body, /12345 hotline desk/);
  assert.doesNotMatch(english.body, /page\.(hotline|interaction)\./);

  const form = (fields: Record<string, string>) => ctx.app.inject({ method: 'POST', url: '/console/hotline/tickets', payload: new URLSearchParams(fields).toString(), headers: { ...bearer(f.hotline.operator), 'content-type': 'application/x-www-form-urlencoded' } });
  const refused = await form({ callerName: '王五', phone: '0931-8123456', regionCode: '110101', category: '求助', urgency: 'high', title: '水管爆裂', body: '小区水管爆裂' });
  assert.equal(refused.statusCode, 422);
  assert.match(refused.body, /110101/);
  assert.match(refused.body, /value="王五"/, 'the form comes back with what was typed');
  const made = await form({ callerName: '王五', phone: '0931-8123456', regionCode: '990102', category: '求助', urgency: 'high', title: '水管爆裂（页面）', body: '小区水管爆裂\r\n请尽快处理' });
  assert.equal(made.statusCode, 303, made.body);
  const r = await interactionDb(ctx.platform.db).selectFrom('interaction_cases').selectAll().where('title', '=', '水管爆裂（页面）').executeTakeFirstOrThrow();
  assert.equal(r.deadline_days, 3);
  assert.equal(r.body, '小区水管爆裂\n请尽快处理');

  const closeForm = await ctx.app.inject({ method: 'POST', url: `/console/hotline/tickets/${r.id}/close`, payload: 'answer=' + encodeURIComponent('已通知自来水公司抢修'), headers: { ...bearer(f.hotline.operator), 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(closeForm.statusCode, 303);
  const page = await get(f.hotline.operator, `/console/hotline/tickets/${r.id}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /name="satisfaction"/);
  const visit = await ctx.app.inject({ method: 'POST', url: `/console/hotline/tickets/${r.id}/visit`, payload: 'satisfaction=5&note=ok', headers: { ...bearer(f.hotline.operator), 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(visit.statusCode, 303);
  assert.equal((await row(r.id)).visit_satisfaction, 5);
  const recent = await get(f.hotline.operator, '/console/hotline');
  assert.match(recent.body, /水管爆裂（页面）/);
  assert.match(recent.body, /已办结/);
});

test('in a browser at 390 px and at desktop width: the operator screen and a ticket page, no sideways scroll, no accessibility violation', { skip: chromiumMissing }, async () => {
  const long = (await post(f.hotline.operator, '/api/v1/hotline/tickets', ticket({ title: '长'.repeat(100), body: 'https://example.com/' + 'a'.repeat(3000) }))).json();
  const { cookie } = await loginSession(ctx.app, f.hotline.operator.username);
  const { base, browser } = await openBrowser(ctx);
  try {
    const [name, value] = cookie.split('=');
    for (const width of [1366, 390]) {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
      await context.addCookies([{ name, value, url: base }]);
      const page = await context.newPage();
      for (const url of [`/console/hotline?q=${encodeURIComponent('身份证')}`, `/console/hotline/tickets/${long.id}`]) {
        await page.goto(`${base}${url}`);
        await assertNoSidewaysScroll(page, `${url} at ${width} px`);
        await assertAccessible(page, `hotline-${width}-${url.length}`);
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
});
