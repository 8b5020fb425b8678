/**
 * Citizen interaction under supervision (电子监察), through supervision's own scan and routes: a case
 * not answered by its due date gets cards (its 办理 step and the case's own deadline) for the unit
 * that has it; a case answered in time gets none; a case waiting for the writer's clarification
 * (clock stopped) gets none; an extended disclosure request is judged by its new date. The
 * monitor and the statistics list the cases like approval steps.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestContext, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { authenticateBearer } from '../../platform/iam/authenticate.ts';
import { applyInstanceAction, completeTask } from '../../platform/flow/service.ts';
import type { Principal } from '../../platform/iam/principal.ts';
import { addWorkingDays } from '../../platform/calendar/index.ts';
import { interactionFixture, receiveTestCase, type InteractionFixture } from './testing.ts';
import { CASE_SUBJECT, interactionDb } from './model.ts';
import { CLARIFICATION_STOP, currentRound, openTask } from './process.ts';
import { publishCaseChanged } from './events.ts';

const shanghai = (wall: string) => new Date(`${wall.replace(' ', 'T')}+08:00`);
// The accounts' tokens are made at the end of the year and stay valid while the clock is set back.
const clock = new TestClock(shanghai('2026-12-31 18:00:00'));
let ctx: TestContext;
let f: InteractionFixture;
let responder: Principal;
let leader: Principal;

const get = (user: TestUser, url: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(user) });
const post = (user: TestUser, url: string, payload: object) => ctx.app.inject({ method: 'POST', url, payload, headers: bearer(user) });
const caseRow = (id: string) => interactionDb(ctx.platform.db).selectFrom('interaction_cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const as = (who: Principal) => ({ ...SYSTEM_ACTOR, userId: who.userId, username: who.username });

before(async () => {
  ctx = await createTestContext({ clock });
  f = await interactionFixture(ctx.platform);
  responder = (await authenticateBearer(ctx.platform, f.dept.responder.token))!;
  leader = (await authenticateBearer(ctx.platform, f.dept.leader.token))!;
});
after(() => ctx?.close());

async function scan() {
  const res = await post(f.supervisor, '/api/v1/supervision/scan', {});
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { yellow: number; red: number };
}

type Card = { subjectType: string; caseId: string; stepKey: string | null; unitId: string; color: string; reason: string; receiptNo: string | null; link: string | null; itemName: string | null };
async function caseCards() {
  const res = await get(f.supervisor, '/api/v1/supervision/cards?limit=200');
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().items as Card[]).filter((c) => c.subjectType === CASE_SUBJECT);
}

/** The responder drafts the answer, the leader approves it: the round ends, the case is answered. */
async function answer(caseId: string) {
  const handle = openTask(await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => currentRound(work, caseId)), 'handle');
  assert.ok(handle);
  await inTransaction(ctx.platform.db, as(responder), (work) => completeTask(work, ctx.platform, responder, handle.id, { outcome: 'answer' }));
  const review = openTask(await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => currentRound(work, caseId)), 'review');
  assert.ok(review);
  await inTransaction(ctx.platform.db, as(leader), async (work) => {
    await completeTask(work, ctx.platform, leader, review.id, { outcome: 'approve' });
    const row = await interactionDb(work.tx)
      .updateTable('interaction_cases')
      .set({ state: 'answered', answered_at: ctx.platform.clock.now(), answer_body: '已安排维修。', answered_by: responder.userId, answer_approved_by: leader.userId })
      .where('id', '=', caseId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await publishCaseChanged(work, ctx.platform, row, { action: 'approve', stepKey: 'review' });
  });
}

/** The unit asks the writer for clarification: the round's clock stops. */
async function clarify(caseId: string) {
  const round = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => currentRound(work, caseId));
  await inTransaction(ctx.platform.db, as(responder), async (work) => {
    await applyInstanceAction(work, ctx.platform, round!.instanceId, { type: 'suspend', reason: CLARIFICATION_STOP, by: responder.userId });
    const row = await interactionDb(work.tx).updateTable('interaction_cases').set({ state: 'clarifying' }).where('id', '=', caseId).returningAll().executeTakeFirstOrThrow();
    await publishCaseChanged(work, ctx.platform, row, { action: 'clarify' });
  });
}

test('cases past their due date get cards, answered and suspended ones none; the monitor and statistics list them', async () => {
  assert.ok(ctx.platform.modules.subjects.some((s) => s.type === CASE_SUBJECT), 'the module declares its subject');

  // Monday 2 November 2026, 09:00: three letters to the department (15 working days each) and a disclosure request (20).
  clock.set(shanghai('2026-11-02 09:00:00'));
  const late = await receiveTestCase(ctx.platform, { channel: 'unit_mailbox', targetUnitId: f.dept.id, title: '小区路灯不亮', phone: '13800000001' });
  const onTime = await receiveTestCase(ctx.platform, { channel: 'unit_mailbox', targetUnitId: f.dept.id, title: '公交站台破损', phone: '13800000002' });
  const waiting = await receiveTestCase(ctx.platform, { channel: 'unit_mailbox', targetUnitId: f.dept.id, title: '噪音扰民（地址不详）', phone: '13800000003' });
  const disclosure = await receiveTestCase(ctx.platform, { channel: 'disclosure_request', targetUnitId: f.dept.id, title: '申请公开拆迁补偿标准', phone: '13800000004', idNumber: '11010119900307803X' });
  const due = String(late.row.due_date);
  assert.equal(due, (await addWorkingDays(ctx.platform.db, '2026-11-02', 15)).date);
  assert.deepEqual(await scan(), { yellow: 0, red: 0 }, 'nothing is at risk on the first morning');

  // The next days: one is answered, one waits for the writer, the disclosure request is extended by 10 working days.
  clock.set(shanghai('2026-11-04 10:00:00'));
  await answer(onTime.id);
  await clarify(waiting.id);
  const extended = await post(f.dept.responder, `/api/v1/interaction/cases/${disclosure.id}/extend`, { reason: '需征求第三方意见', days: 10 });
  assert.equal(extended.statusCode, 200, extended.body);
  const disclosureDue = String((await caseRow(disclosure.id)).due_date);

  // The afternoon of the due day: the late letter's step and its deadline are yellow.
  clock.set(shanghai(`${due} 16:30:00`));
  const yellow = await scan();
  assert.ok(yellow.yellow >= 1 && yellow.red === 0, JSON.stringify(yellow));
  let cards = await caseCards();
  assert.deepEqual([...new Set(cards.map((c) => c.caseId))], [late.id], JSON.stringify(cards));
  const deadlineCard = cards.find((c) => c.reason === 'case_deadline');
  assert.deepEqual(
    deadlineCard && { color: deadlineCard.color, unitId: deadlineCard.unitId, link: deadlineCard.link, trackingNo: deadlineCard.receiptNo, title: deadlineCard.itemName },
    { color: 'yellow', unitId: f.dept.id, link: `/console/interaction/cases/${late.id}`, trackingNo: late.trackingNo, title: '小区路灯不亮' },
    JSON.stringify(cards),
  );

  // The day after: red for the late letter (its 办理 step and the case's deadline); none for the answered one,
  // the one waiting for its writer, or the disclosure request whose new date lies ahead.
  const dayAfter = (await addWorkingDays(ctx.platform.db, due, 1)).date;
  assert.ok(dayAfter < disclosureDue, `${dayAfter} < ${disclosureDue}`);
  clock.set(shanghai(`${dayAfter} 10:00:00`));
  const red = await scan();
  assert.equal(red.red, 2, JSON.stringify(red));
  assert.deepEqual(await scan(), { yellow: 0, red: 0 }, 'a second scan issues nothing');
  cards = await caseCards();
  assert.deepEqual(
    cards.map((c) => [c.caseId, c.stepKey || '', c.reason, c.color]).sort(),
    [
      [late.id, '', 'case_deadline', 'red'],
      [late.id, 'handle', 'deadline', 'red'],
    ].sort(),
    JSON.stringify(cards),
  );

  // The monitor counts the department's open cases by state, and lists the longest waiting steps.
  const monitor = await get(f.supervisor, '/api/v1/supervision/monitor');
  assert.equal(monitor.statusCode, 200, monitor.body);
  const board = monitor.json();
  const dept = board.openCases.find((u: { unitId: string }) => u.unitId === f.dept.id);
  assert.deepEqual(dept?.subjects?.[CASE_SUBJECT], { assigned: 2, clarifying: 1 }, monitor.body);
  assert.ok(board.states.some((s: { subjectType: string; state: string }) => s.subjectType === CASE_SUBJECT && s.state === 'clarifying'));
  assert.ok(board.longestWaiting.some((s: { caseId: string }) => s.caseId === late.id), monitor.body);
  const page = await get(f.supervisor, '/console/supervision');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /待补充说明/, 'the column of cases waiting for their writer is labelled by the module');
  const cell = await get(f.supervisor, `/console/supervision/cases?unitId=${f.dept.id}&subjectType=${CASE_SUBJECT}&state=assigned`);
  assert.equal(cell.statusCode, 200, cell.body);
  assert.ok(cell.body.includes(`/console/interaction/cases/${late.id}`), 'the cell links the case');

  // Statistics: the answered letter's two steps on time; the late letter, answered now, one step overdue.
  await answer(late.id);
  const stats = await get(f.supervisor, `/api/v1/supervision/stats?from=2026-11-01&to=2026-12-31&groupBy=unit`);
  assert.equal(stats.statusCode, 200, stats.body);
  const row = stats.json().items.find((i: { unitId: string }) => i.unitId === f.dept.id);
  assert.deepEqual(row && { finished: row.finished, onTime: row.onTime, overdue: row.overdue }, { finished: 4, onTime: 3, overdue: 1 }, stats.body);
  const steps = await get(f.supervisor, `/api/v1/supervision/stats/steps?from=2026-11-01&to=2026-12-31&unitId=${f.dept.id}&outcome=overdue`);
  assert.equal(steps.statusCode, 200, steps.body);
  assert.deepEqual(
    steps.json().items.map((s: { caseId: string; stepKey: string }) => [s.caseId, s.stepKey]),
    [[late.id, 'handle']],
  );
  assert.equal((await caseCards()).length, 2, 'answering late adds no other card');
  const monitorAfter = (await get(f.supervisor, '/api/v1/supervision/monitor')).json();
  assert.deepEqual(monitorAfter.openCases.find((u: { unitId: string }) => u.unitId === f.dept.id)?.subjects?.[CASE_SUBJECT], { assigned: 1, clarifying: 1 }, 'answered cases are no longer open');

  // A complaint quoting the tracking number and the writer's phone finds the case.
  const found = await interactionCaseLookup(late.trackingNo, '13800000001');
  assert.equal(found?.id, late.id);
  assert.equal(await interactionCaseLookup(late.trackingNo, '13800000002'), null);
});

async function interactionCaseLookup(trackingNo: string, phone: string) {
  const subject = ctx.platform.modules.subjects.find((s) => s.type === CASE_SUBJECT)!;
  return subject.byTrackingNoAndPhone(ctx.platform.db, ctx.platform, trackingNo, phone);
}
