import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestContext, loginSession, makeUser, seedRegions, problem, TestClock, type TestContext } from '../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { fileBody, SAMPLES } from '../../platform/files/testing.ts';
import { bearer } from '../../../test/helpers.ts';
import { checkSubject, runScan } from './scan.ts';
import { writeCursor } from '../../platform/db/pagination.ts';
import { act, cardsOf, finishCase, get, insertItem, makeWorld, post, scan, shanghai, submitCase, taskOf, type World } from './testing.ts';

// Accounts and tokens are made at the latest instant any test uses; each test then sets its own time.
const clock = new TestClock(shanghai('2026-12-20 10:00:00'));
let ctx: TestContext;
let world: World;

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  world = await makeWorld(ctx);
});
after(() => ctx.close());

const hook = (caseId: string) => inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => checkSubject(work, ctx.platform, 'approval_case', caseId, {}));
const cardsOfCase = async (caseId: string) => (await cardsOf(ctx, world.people.supervisor, `&caseId=${caseId}`)).sort((a, b) => (a.reason + (a.stepKey ?? '') < b.reason + (b.stepKey ?? '') ? -1 : 1));

async function count(table: string) {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(ctx.platform.db);
  return rows[0].n;
}

test('a step goes yellow, then red when its deadline passes; the unit explains once, the supervisor confirms, the record counts it', async () => {
  clock.set(shanghai('2026-11-02 10:00:00'));
  const c = await submitCase(ctx, world);
  // The acceptance step has 1 working day (due Tuesday): nothing is at risk when it opens, nor on
  // Tuesday morning. It is watched in working minutes (8:30–12:00, 14:00–17:30): yellow once at
  // most 20% of its 420 minutes are left, at 16:06 on Tuesday.
  assert.deepEqual(await cardsOfCase(c.id), [], 'no card when the citizen submits');
  assert.deepEqual(await scan(ctx, world), { yellow: 0, red: 0 });
  clock.set(shanghai('2026-11-03 10:00:00'));
  assert.deepEqual(await scan(ctx, world), { yellow: 0, red: 0 }, '330 working minutes left');
  clock.set(shanghai('2026-11-03 16:05:00'));
  assert.deepEqual(await scan(ctx, world), { yellow: 0, red: 0 }, '85 working minutes left');
  clock.set(shanghai('2026-11-03 16:06:00'));
  assert.deepEqual(await scan(ctx, world), { yellow: 1, red: 0 }, '84 working minutes left');
  let [card] = await cardsOfCase(c.id);
  assert.equal(card.color, 'yellow');
  assert.equal(card.reason, 'deadline');
  assert.equal(card.stepKey, 'accept');
  assert.equal(card.stepName, '受理');
  assert.equal(card.unitId, world.units.window);
  assert.equal(card.status, 'open');
  const issued = (await get(ctx, world.people.supervisor, `/api/v1/supervision/cards/${card.id}`)).json().history[0];
  assert.deepEqual([issued.type, issued.actorId, issued.actorName], ['issued', null, null], 'the system raised it, not whoever ran the scan');
  const page = await ctx.app.inject({ method: 'GET', url: `/console/supervision/cards/${card.id}`, headers: bearer(world.people.supervisor) });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /系统自动预警/);
  assert.match(page.body, /受理/);
  assert.doesNotMatch(page.body, />accept</);
  assert.deepEqual(await scan(ctx, world), { yellow: 0, red: 0 }, 'a second scan issues nothing new');

  // The leader and the supervisor were told (in-app).
  const { rows: messages } = await sql<{ user_id: string }>`select user_id from notify_outbox where template like 'supervision.card%' and dedupe_key like ${`%${card.id}%`}`.execute(ctx.platform.db);
  assert.ok(messages.some((m) => m.user_id === world.people.leader.id), 'the unit leader is told');
  assert.ok(messages.some((m) => m.user_id === world.people.supervisor.id), 'the supervisor is told');
  assert.ok(!messages.some((m) => m.user_id === world.people.otherLeader.id), 'another unit’s leader is not');

  // Tuesday 23:59 Shanghai: still within the due date, still yellow.
  clock.set(shanghai('2026-11-03 23:59:00'));
  assert.equal((await scan(ctx, world)).red, 0);
  // Wednesday 00:00:01: the deadline has passed, the same card turns red.
  clock.set(shanghai('2026-11-04 00:00:01'));
  const red = await scan(ctx, world);
  assert.equal(red.red, 1);
  [card] = await cardsOfCase(c.id);
  assert.equal(card.color, 'red');
  assert.equal(card.status, 'open');
  assert.equal((await cardsOfCase(c.id)).length, 1, 'one card per case, step and reason');

  // The unit explains, with an attachment; a second explanation is refused.
  const upload = fileBody('说明.pdf', SAMPLES.pdf());
  const file = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', payload: upload.payload, headers: { ...upload.headers, ...bearer(world.people.leader) } });
  assert.equal(file.statusCode, 201, file.body);
  const explained = await post(ctx, world.people.leader, `/api/v1/supervision/cards/${card.id}/explain`, { explanation: '当日系统故障，已于次日补办。', attachments: [file.json().id] });
  assert.equal(explained.statusCode, 200, explained.body);
  assert.equal(explained.json().status, 'explained');
  const twice = await post(ctx, world.people.leader, `/api/v1/supervision/cards/${card.id}/explain`, { explanation: '再次说明' });
  assert.equal(twice.statusCode, 409);
  assert.equal(problem(twice).body.code, 'INVALID_STATE');
  assert.equal((await post(ctx, world.people.leader, `/api/v1/supervision/cards/${card.id}/explain`, { explanation: '' })).statusCode, 400, 'empty explanation');

  // The supervisor confirms with a reason; the department cannot decide, nor decide again.
  assert.equal((await post(ctx, world.people.leader, `/api/v1/supervision/cards/${card.id}/confirm`, { reason: '自己确认' })).statusCode, 403);
  assert.equal((await post(ctx, world.people.supervisor, `/api/v1/supervision/cards/${card.id}/confirm`, { reason: '' })).statusCode, 400);
  const confirmed = await post(ctx, world.people.supervisor, `/api/v1/supervision/cards/${card.id}/confirm`, { reason: '超期属实，说明理由不成立。' });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  assert.equal(confirmed.json().status, 'confirmed');
  assert.equal((await post(ctx, world.people.supervisor, `/api/v1/supervision/cards/${card.id}/revoke`, { reason: '改判' })).statusCode, 409);

  // The history is whole and append-only; the attachment is listed and downloadable by the supervisor.
  const detail = await get(ctx, world.people.supervisor, `/api/v1/supervision/cards/${card.id}`);
  assert.equal(detail.statusCode, 200, detail.body);
  assert.deepEqual(detail.json().history.map((h: { type: string; color: string }) => `${h.type}:${h.color}`), ['issued:yellow', 'upgraded:red', 'explained:red', 'confirmed:red']);
  assert.equal(detail.json().history[2].attachments.length, 1);
  assert.equal((await get(ctx, world.people.supervisor, `/api/v1/files/${file.json().id}`)).statusCode, 200);
  assert.equal((await get(ctx, world.people.otherLeader, `/api/v1/files/${file.json().id}`)).statusCode, 404);
  await assert.rejects(sql`update supervision_card_events set text = 'changed'`.execute(ctx.platform.db), /append-only/);
  await assert.rejects(sql`delete from supervision_card_events`.execute(ctx.platform.db), /append-only/);

  // The confirmed red card counts in the unit's record and in the statistics of the day.
  const record = await get(ctx, world.people.supervisor, '/api/v1/supervision/records?from=2026-11-01&to=2026-11-30');
  assert.equal(record.statusCode, 200, record.body);
  const mine = record.json().items.find((r: { unitId: string }) => r.unitId === world.units.window);
  assert.equal(mine.confirmedRed, 1);
  await act(ctx, world.people.clerk, c.id, 'accept', 'accept', { opinion: '材料齐全，予以受理' });
  const stats = await get(ctx, world.people.supervisor, '/api/v1/supervision/stats?from=2026-11-01&to=2026-11-30&groupBy=unit');
  assert.equal(stats.statusCode, 200, stats.body);
  const unit = stats.json().items.find((i: { unitId: string }) => i.unitId === world.units.window);
  assert.equal(unit.finished, 1);
  assert.equal(unit.overdue, 1);
  assert.equal(unit.onTime, 0);
  assert.deepEqual(unit.confirmedCards, { yellow: 0, red: 1 });
});

test('a step finished one second before the end of its due date gets no red card; one second after, it does', async () => {
  clock.set(shanghai('2026-11-09 09:00:00'));
  const early = await submitCase(ctx, world);
  const late = await submitCase(ctx, world);
  assert.equal((await taskOf(ctx, world.people.clerk, early.id, 'accept'))!.dueDate, '2026-11-10');

  clock.set(shanghai('2026-11-10 23:59:59'));
  await act(ctx, world.people.clerk, early.id, 'accept', 'accept', { opinion: '材料齐全，予以受理' });
  clock.set(shanghai('2026-11-11 00:00:01'));
  await act(ctx, world.people.clerk, late.id, 'accept', 'accept', { opinion: '材料齐全，予以受理' });
  await hook(early.id);
  await hook(late.id);
  await scan(ctx, world);

  assert.deepEqual(
    (await cardsOfCase(early.id)).filter((c) => c.color === 'red'),
    [],
    'finished within the due date: no red card',
  );
  const red = (await cardsOfCase(late.id)).filter((c) => c.color === 'red');
  assert.equal(red.length, 1);
  assert.equal(red[0].stepKey, 'accept');
  assert.equal(red[0].personId, world.people.clerk.id, 'the person who finished late is named');
});

test('a deadline across National Day and a clock stop: no card before the real deadline, none while the clock stands still', async () => {
  clock.set(shanghai('2026-09-29 10:00:00'));
  const c = await submitCase(ctx, world);
  await act(ctx, world.people.clerk, c.id, 'accept', 'accept', { opinion: '材料齐全，予以受理' });
  const review = await taskOf(ctx, world.people.planner, c.id, 'review');
  // From Tuesday 29 September, 3 working days: Wed 30, (1-7 October off) Thu 8, Fri 9.
  assert.equal(review!.dueDate, '2026-10-09');
  const reviewCards = async () => (await cardsOfCase(c.id)).filter((x) => x.stepKey === 'review');

  for (const wall of ['2026-09-30 12:00:00', '2026-10-05 12:00:00', '2026-10-07 23:00:00']) {
    clock.set(shanghai(wall));
    await runScan(ctx.platform, SYSTEM_ACTOR);
    assert.deepEqual(await reviewCards(), [], `no card on ${wall}: the holiday does not count`);
  }

  // A hearing stops the clock on Thursday 8 October, before any scan that day.
  clock.set(shanghai('2026-10-08 08:30:00'));
  const stop = await post(ctx, world.people.planner, `/api/v1/approval/applications/${c.id}/clock-stops`, { reason: 'hearing', note: '组织听证' });
  assert.equal(stop.statusCode, 201, stop.body);
  for (const wall of ['2026-10-08 12:00:00', '2026-10-12 12:00:00', '2026-10-13 09:00:00']) {
    clock.set(shanghai(wall));
    await runScan(ctx.platform, SYSTEM_ACTOR);
    assert.deepEqual(await reviewCards(), [], `no card on ${wall} while the clock is stopped, though 9 October has passed`);
  }

  // Resumed on Tuesday 13 October: the stopped working days are given back.
  clock.set(shanghai('2026-10-13 10:00:00'));
  const resume = await post(ctx, world.people.planner, `/api/v1/approval/applications/${c.id}/clock-stops/resume`, { note: '听证结束' });
  assert.ok([200, 201].includes(resume.statusCode), resume.body);
  const moved = await taskOf(ctx, world.people.planner, c.id, 'review');
  assert.ok(moved!.dueDate > '2026-10-13', `due ${moved!.dueDate}`);
  await runScan(ctx.platform, SYSTEM_ACTOR);
  assert.ok((await reviewCards()).every((x) => x.color === 'yellow'), 'at most a warning once the clock runs again');
  clock.set(shanghai(`${moved!.dueDate} 23:59:59`));
  await runScan(ctx.platform, SYSTEM_ACTOR);
  assert.equal((await reviewCards())[0]?.color, 'yellow', 'yellow on the last day');
  clock.set(new Date(shanghai(`${moved!.dueDate} 23:59:59`).getTime() + 2000));
  await runScan(ctx.platform, SYSTEM_ACTOR);
  assert.equal((await reviewCards())[0]?.color, 'red', 'red once the moved deadline has passed');
});

test('two scans at the same moment issue each card once; a repeated scan issues nothing', async () => {
  clock.set(shanghai('2026-11-16 09:00:00'));
  const cases = [];
  for (let i = 0; i < 4; i++) cases.push(await submitCase(ctx, world));
  clock.set(shanghai('2026-11-18 09:00:00'));
  const snapshot = async () => new Map((await sql<{ id: string; color: string }>`select id, color from supervision_cards`.execute(ctx.platform.db)).rows.map((r) => [r.id, r.color]));
  const before = await snapshot();
  const [a, b] = await Promise.all([runScan(ctx.platform, SYSTEM_ACTOR), runScan(ctx.platform, SYSTEM_ACTOR)]);
  const after = await snapshot();
  const changed = [...after].filter(([id, color]) => before.get(id) !== color).length;
  assert.ok(changed >= 4, `changed ${changed}`);
  assert.equal(a.yellow + a.red + b.yellow + b.red, changed, 'each card issued or turned red by exactly one of the two runs');
  assert.ok(await count('supervision_cards') >= before.size);
  for (const c of cases) {
    const cards = await cardsOfCase(c.id);
    assert.equal(cards.filter((x) => x.reason === 'deadline' && x.stepKey === 'accept').length, 1);
    assert.equal(cards[0].color, 'red');
  }
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from (select case_id, step_key, reason from supervision_cards group by 1, 2, 3 having count(*) > 1) d`.execute(ctx.platform.db);
  assert.equal(rows[0].n, 0);
  assert.deepEqual(await runScan(ctx.platform, SYSTEM_ACTOR), { yellow: 0, red: 0 });
});

test('a department sees only its own cards and can neither revoke nor confirm them; auditors read; the scan needs its permission', async () => {
  clock.set(shanghai('2026-11-18 10:00:00'));
  const cards = await cardsOf(ctx, world.people.supervisor);
  const own = cards.find((c) => c.unitId === world.units.window)!;
  assert.ok(own);
  const leaderCards = await cardsOf(ctx, world.people.leader);
  assert.ok(leaderCards.length > 0 && leaderCards.every((c) => c.unitId === world.units.window));
  assert.deepEqual(await cardsOf(ctx, world.people.otherLeader), [], 'another unit sees none');
  assert.equal((await get(ctx, world.people.otherLeader, `/api/v1/supervision/cards/${own.id}`)).statusCode, 404);
  assert.equal((await post(ctx, world.people.otherLeader, `/api/v1/supervision/cards/${own.id}/explain`, { explanation: '不是我们的' })).statusCode, 404);

  const revoke = await post(ctx, world.people.leader, `/api/v1/supervision/cards/${own.id}/revoke`, { reason: '我们认为不应亮牌' });
  assert.equal(revoke.statusCode, 403);
  assert.equal(problem(revoke).body.code, 'FORBIDDEN');
  assert.equal((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/supervision/cards/${own.id}`, headers: bearer(world.people.leader) })).statusCode, 404, 'there is no way to delete a card');
  assert.equal((await cardsOf(ctx, world.people.supervisor)).find((c) => c.id === own.id)!.status, own.status, 'nothing changed');

  const auditorCards = await cardsOf(ctx, world.people.auditor);
  assert.equal(auditorCards.length, cards.length, 'the auditor reads every card');
  assert.equal((await post(ctx, world.people.auditor, `/api/v1/supervision/cards/${own.id}/revoke`, { reason: '审计' })).statusCode, 403);
  assert.equal((await post(ctx, world.people.leader, '/api/v1/supervision/scan', {})).statusCode, 403);
  assert.equal((await post(ctx, world.citizen, '/api/v1/supervision/scan', {})).statusCode, 403);
  assert.equal((await get(ctx, world.citizen, '/api/v1/supervision/cards')).statusCode, 403, 'the public sees no cards');
  assert.equal((await get(ctx, null, '/api/v1/supervision/cards')).statusCode, 401);
  assert.equal((await get(ctx, world.people.supervisor, '/api/v1/supervision/cards?color=green')).statusCode, 400);
  assert.equal((await get(ctx, world.people.supervisor, '/api/v1/supervision/cards?cursor=nonsense')).statusCode, 400);
  assert.equal((await get(ctx, world.people.supervisor, '/api/v1/supervision/cards/no-such-card')).statusCode, 404);
  assert.equal((await post(ctx, world.people.leader, `/api/v1/supervision/cards/${own.id}/explain`, { explanation: 'x'.repeat(2001) })).statusCode, 400);
  assert.equal((await post(ctx, world.people.leader, `/api/v1/supervision/cards/${own.id}/explain`, { explanation: '说明', extra: 1 })).statusCode, 400, 'unknown field');

  // Paging walks every card once.
  const seen = new Set<string>();
  let cursor: string | null = null;
  do {
    const page: { items: Array<{ id: string }>; nextCursor: string | null } = (await get(ctx, world.people.supervisor, `/api/v1/supervision/cards?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
    for (const item of page.items) seen.add(item.id);
    cursor = page.nextCursor;
  } while (cursor);
  assert.equal(seen.size, cards.length);
});

test('violations found in a case action: a rejection without reasons, a late acceptance, a fee above the standard', async () => {
  clock.set(shanghai('2026-11-23 09:00:00'));
  const rejected = await submitCase(ctx, world);
  await act(ctx, world.people.clerk, rejected.id, 'accept', 'accept', { opinion: '材料齐全，予以受理' });
  await act(ctx, world.people.planner, rejected.id, 'review', 'reject', { opinion: '不符合' });
  await hook(rejected.id);
  const noReasons = (await cardsOfCase(rejected.id)).find((c) => c.reason === 'rejection_without_reasons');
  assert.ok(noReasons);
  assert.equal(noReasons.color, 'red');
  assert.equal(noReasons.unitId, world.units.planning);
  assert.equal(noReasons.personId, world.people.planner.id);

  const reasoned = await submitCase(ctx, world);
  await act(ctx, world.people.clerk, reasoned.id, 'accept', 'accept', { opinion: '材料齐全，予以受理' });
  await act(ctx, world.people.planner, reasoned.id, 'review', 'reject', { opinion: '经营场所与食品安全要求不符：未设置独立的清洗消毒区。' });
  await hook(reasoned.id);
  assert.equal((await cardsOfCase(reasoned.id)).filter((c) => c.reason === 'rejection_without_reasons').length, 0);

  // Not accepted within 5 working days: the scan finds the waiting case; accepting late adds nothing twice.
  clock.set(shanghai('2026-11-23 10:00:00'));
  const waiting = await submitCase(ctx, world);
  clock.set(shanghai('2026-12-01 09:00:00'));
  await runScan(ctx.platform, SYSTEM_ACTOR);
  assert.equal((await cardsOfCase(waiting.id)).filter((c) => c.reason === 'late_acceptance').length, 1);
  await act(ctx, world.people.clerk, waiting.id, 'accept', 'accept', { opinion: '材料齐全，予以受理' });
  await hook(waiting.id);
  assert.equal((await cardsOfCase(waiting.id)).filter((c) => c.reason === 'late_acceptance').length, 1);

  // Fees recorded on the case through the approval API; the total above the item's standard is a red card.
  const feeItem = await insertItem(ctx, world, { feeFen: 5000 });
  const charged = await submitCase(ctx, world, { itemId: feeItem });
  const fees = `/api/v1/approval/applications/${charged.id}/fees`;
  const early = await post(ctx, world.people.clerk, fees, { amountFen: 3000 });
  assert.equal(early.statusCode, 409, 'no fee before acceptance');
  assert.equal(early.json().code, 'INVALID_STATE');
  await act(ctx, world.people.clerk, charged.id, 'accept', 'accept', { opinion: '材料齐全，予以受理' });
  const writesBefore = (await sql<{ n: number }>`select count(*)::int as n from approval_events where application_id = ${charged.id}`.execute(ctx.platform.db)).rows[0].n;
  for (const [payload, status] of [
    [{ amountFen: 0 }, 400],
    [{ amountFen: -100 }, 400],
    [{ amountFen: -100, note: '多收退还' }, 400],
    [{ amountFen: 1.5 }, 400],
    [{ amountFen: '3000' }, 400],
    [{ amountFen: 100_000_001 }, 400],
    [{ amountFen: 3000, note: 'x'.repeat(201) }, 400],
    [{}, 400],
  ] as const) {
    const res = await post(ctx, world.people.clerk, fees, payload);
    assert.equal(res.statusCode, status, `${JSON.stringify(payload)}: ${res.body}`);
  }
  assert.equal((await post(ctx, world.people.otherLeader, fees, { amountFen: 3000 })).statusCode, 404, 'a unit not in the case');
  assert.equal((await post(ctx, world.citizen, fees, { amountFen: 3000 })).statusCode, 404, 'the applicant does not record fees');
  assert.equal((await sql<{ n: number }>`select count(*)::int as n from approval_events where application_id = ${charged.id}`.execute(ctx.platform.db)).rows[0].n, writesBefore, 'refused fees write nothing');
  const first = await post(ctx, world.people.clerk, fees, { amountFen: 3000, note: '工本费' });
  assert.equal(first.statusCode, 201, first.body);
  assert.deepEqual([first.json().totalFen, first.json().standardFen], [3000, 5000]);
  assert.equal((await cardsOfCase(charged.id)).filter((c) => c.reason === 'fee_above_standard').length, 0, 'within the standard');
  const second = await post(ctx, world.people.planner, fees, { amountFen: 5000 });
  assert.equal(second.statusCode, 201, second.body);
  assert.equal(second.json().totalFen, 8000);
  // The event hook saw the charge in the same transaction: no scan needed.
  const fee = (await cardsOfCase(charged.id)).find((c) => c.reason === 'fee_above_standard');
  assert.ok(fee);
  assert.equal(fee.stepKey, null, 'a finding about the whole case');
  assert.equal((await post(ctx, world.people.clerk, fees, { amountFen: -9000, note: '退费' })).statusCode, 400, 'no refund beyond what was charged');
  const refund = await post(ctx, world.people.clerk, fees, { amountFen: -3000, note: '超标准部分退还' });
  assert.equal(refund.statusCode, 201, refund.body);
  assert.equal(refund.json().totalFen, 5000);
  const page = await ctx.app.inject({ method: 'GET', url: `/api/v1/approval/applications/${charged.id}`, headers: bearer(world.people.clerk) });
  assert.deepEqual(page.json().events.filter((e: { type: string }) => e.type === 'fee_charged').map((e: { payload?: { amountFen: number }; amountFen?: number }) => e.payload?.amountFen ?? e.amountFen), [3000, 5000, -3000]);

  // The hook is idempotent: running it again issues nothing.
  const again = await hook(charged.id);
  assert.equal(again.cards.length, 0);
});

test('the settings change the yellow threshold and are checked', async () => {
  const bad = await ctx.app.inject({ method: 'PUT', url: '/api/v1/supervision/settings', payload: { yellowUsedPercent: 20 }, headers: bearer(world.people.supervisor) });
  assert.equal(bad.statusCode, 400);
  assert.equal((await ctx.app.inject({ method: 'PUT', url: '/api/v1/supervision/settings', payload: { yellowRemainingDays: 2 }, headers: bearer(world.people.leader) })).statusCode, 403);
  const ok = await ctx.app.inject({ method: 'PUT', url: '/api/v1/supervision/settings', payload: { yellowRemainingDays: 2 }, headers: bearer(world.people.supervisor) });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().yellowRemainingDays, 2);
  assert.equal(ok.json().yellowUsedPercent, 80);
  const reset = await ctx.app.inject({ method: 'PUT', url: '/api/v1/supervision/settings', payload: { yellowRemainingDays: 1 }, headers: bearer(world.people.supervisor) });
  assert.equal(reset.statusCode, 200);
});

test('the monitor shows open cases per unit, steps at risk, cards today and the longest-waiting steps', async () => {
  clock.set(shanghai('2026-12-01 10:00:00'));
  const res = await get(ctx, world.people.supervisor, '/api/v1/supervision/monitor');
  assert.equal(res.statusCode, 200, res.body);
  const board = res.json();
  assert.ok(board.openCases.some((u: { unitId: string; total: number }) => u.unitId === world.units.window && u.total > 0));
  assert.ok(board.atRisk.red > 0);
  assert.ok(board.longestWaiting.length > 0);
  assert.equal((await get(ctx, world.people.leader, '/api/v1/supervision/monitor')).statusCode, 403);
  const page = await get(ctx, world.people.supervisor, '/console/supervision');
  assert.equal(page.statusCode, 200, page.body);
  assert.match(page.body, /hx-get="\/console\/supervision\/live"/);
  // A chart of open cases per unit, drawn on the server; unit names as bar labels, not overlapping.
  assert.match(page.body, /<img src="\/console\/supervision\/chart\.svg\?lang=zh-CN" alt="条形图：\d+ 个单位的在办件数量，按状态分段"/);
  const chart = await get(ctx, world.people.supervisor, '/console/supervision/chart.svg');
  assert.equal(chart.statusCode, 200);
  assert.match(String(chart.headers['content-type']), /^image\/svg\+xml/);
  assert.match(chart.body, /^<svg[\s\S]*各单位在办件[\s\S]*<\/svg>$/);
  const labels = [...chart.body.matchAll(/<text[^>]*transform="translate\(([\d.]+) ([\d.]+)\)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), text: m[3] }));
  const ys = labels.filter((l) => l.x < 200).map((l) => l.y).sort((a, b) => a - b);
  assert.ok(ys.length >= 1, 'the units are named beside their bars');
  assert.ok(labels.some((l) => /中心|局|委/.test(l.text)), labels.map((l) => l.text).join('/'));
  for (let i = 1; i < ys.length; i++) assert.ok(ys[i] - ys[i - 1] >= 12 || ys[i] === ys[i - 1], `unit labels at least a line apart: ${ys.join(',')}`);
  assert.equal((await get(ctx, world.people.leader, '/console/supervision/chart.svg')).statusCode, 403);
  const live = await get(ctx, world.people.supervisor, '/console/supervision/live');
  assert.equal(live.statusCode, 200);
  await finishCase(ctx, world, (await submitCase(ctx, world)).id);
});

test('the open cases behind a monitor figure page newest first; a cursor not made here is a 400 page', async () => {
  clock.set(shanghai('2026-12-02 09:00:00'));
  const older = await submitCase(ctx, world);
  clock.set(shanghai('2026-12-02 09:05:00'));
  const newer = await submitCase(ctx, world);
  const url = `/console/supervision/cases?unitId=${world.units.window}&state=submitted`;
  const first = await get(ctx, world.people.supervisor, url);
  assert.equal(first.statusCode, 200, first.body);
  assert.ok(first.body.indexOf(newer.receiptNo) > 0 && first.body.indexOf(newer.receiptNo) < first.body.indexOf(older.receiptNo), 'newest first');
  // The page after the newer case starts with the older one.
  const after = writeCursor(['timestamp', 'text'], [shanghai('2026-12-02 09:05:00'), newer.id]);
  const next = await get(ctx, world.people.supervisor, `${url}&cursor=${after}`);
  assert.equal(next.statusCode, 200);
  assert.doesNotMatch(next.body, new RegExp(newer.receiptNo));
  assert.match(next.body, new RegExp(older.receiptNo));
  const bad = await get(ctx, world.people.supervisor, `${url}&cursor=${Buffer.from('[1,2]').toString('base64url')}`);
  assert.equal(bad.statusCode, 400);
  assert.match(String(bad.headers['content-type']), /^text\/html/);
  for (const c of [older, newer]) await finishCase(ctx, world, c.id);
});

test('a signed-in citizen is sent from the supervision console pages to the portal, as from every console page', async () => {
  clock.set(shanghai('2026-12-01 10:00:00'));
  const session = await loginSession(ctx.app, world.citizen.username, world.citizen.password);
  const asCitizen = (url: string, method: 'GET' | 'POST' = 'GET') =>
    ctx.app.inject({ method, url, headers: { cookie: session.cookie, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, payload: method === 'POST' ? `_csrf=${session.csrfToken}` : undefined });
  const platformPage = await asCitizen('/console');
  const approvalPage = await asCitizen('/console/approval/tasks');
  // No citizen is shown a staff page: every console page sends them to their own pages on the portal.
  assert.equal(platformPage.statusCode, 303);
  assert.equal(approvalPage.statusCode, 303);
  assert.equal(platformPage.headers.location, '/account');
  // The statistics and the cards pages need only a signed-in account: the staff-only guard is what refuses here.
  const pages = ['/console/supervision', '/console/supervision/live', '/console/supervision/cards', `/console/supervision/cases?unitId=${world.units.window}&state=submitted`];
  pages.push('/console/supervision/stats?from=2026-12-01&to=2026-12-01', '/console/supervision/stats/steps?from=2026-12-01&to=2026-12-01', '/console/supervision/cards/any-card');
  for (const url of pages) {
    const page = await asCitizen(url);
    assert.equal(page.statusCode, 303, url);
    assert.equal(page.headers.location, '/account', url);
    assert.doesNotMatch(page.body, /监察|supervision/i, url);
  }
  const explain = await asCitizen('/console/supervision/cards/any-card/explain', 'POST');
  assert.equal(explain.statusCode, 303);
  assert.equal(explain.headers.location, '/account');
});

test('a supervisor opens the case behind a card or a figure in any unit; one scoped to a county only that county’s cases', async () => {
  clock.set(shanghai('2026-12-01 10:00:00'));
  const { id } = await submitCase(ctx, world);
  const countySupervisor = await makeUser(ctx.platform, world.units.other, [{ role: 'supervisor', scope: { regionCode: '990102' } }]);
  for (const watcher of [world.people.supervisor, world.people.auditor]) {
    const res = await get(ctx, watcher, `/api/v1/approval/applications/${id}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().id, id);
    const page = await get(ctx, watcher, `/console/approval/cases/${id}`);
    assert.equal(page.statusCode, 200, 'the case page opens from a drill-down link');
    assert.doesNotMatch(page.body, /name="action"/, 'watching is not handling: no task form');
  }
  assert.equal((await get(ctx, countySupervisor, `/api/v1/approval/applications/${id}`)).statusCode, 404, 'the city’s case lies outside the county');
  assert.equal((await get(ctx, countySupervisor, `/console/approval/cases/${id}`)).statusCode, 404);
  assert.equal((await get(ctx, world.people.otherLeader, `/api/v1/approval/applications/${id}`)).statusCode, 404, 'another department still sees nothing');
});
