/**
 * Supervision over a module it has never heard of: permit renewals, a module that exists only in
 * this test, declare a supervised subject; their overdue steps get yellow and red cards from the
 * scan, show on the monitor (API and console page), count in the statistics and take complaints,
 * all through the registry.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestContext, makeUnit, makeUser, seedRegions, TestClock, type TestContext, type TestUser } from '../../helpers.ts';
import { permitRenewalModule } from './index.ts';
import { RENEWAL_SUBJECT } from './subject.ts';

const shanghai = (wall: string) => new Date(`${wall.replace(' ', 'T')}+08:00`);
const clock = new TestClock(shanghai('2026-12-31 18:00:00'));
let ctx: TestContext;
let units: { renewals: string; watch: string };
let people: { officer: TestUser; supervisor: TestUser };

const get = (user: TestUser, url: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(user) });
const post = (user: TestUser | null, url: string, payload: object) => ctx.app.inject({ method: 'POST', url, payload, headers: user ? bearer(user) : {} });

before(async () => {
  ctx = await createTestContext({ clock, modules: [permitRenewalModule] });
  await seedRegions(ctx.platform);
  const [renewalUnit, watchUnit] = await Promise.all([makeUnit(ctx.platform, '公安局出入境管理支队'), makeUnit(ctx.platform, '监察局')]);
  units = { renewals: renewalUnit.id, watch: watchUnit.id };
  people = { officer: await makeUser(ctx.platform, units.renewals, ['approver']), supervisor: await makeUser(ctx.platform, units.watch, ['supervisor']) };
});
after(() => ctx?.close());

async function openRenewal(days: number, phone: string) {
  const res = await post(people.officer, '/api/v1/renewals', { permitNo: `P-${days}`, holderName: '王五', holderPhone: phone, unitId: units.renewals, assignee: people.officer.id, days });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: string; trackingNo: string; dueDate: string };
}

async function scan() {
  const res = await post(people.supervisor, '/api/v1/supervision/scan', {});
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { yellow: number; red: number };
}

async function renewalCards() {
  const res = await get(people.supervisor, '/api/v1/supervision/cards?limit=200');
  assert.equal(res.statusCode, 200, res.body);
  type Card = { id: string; subjectType: string; caseId: string; stepKey: string | null; unitId: string; color: string; reason: string; personId: string | null; receiptNo: string | null };
  return (res.json().items as Card[]).filter((c) => c.subjectType === RENEWAL_SUBJECT);
}

test('a module unknown to supervision gets yellow and red cards, monitor figures, statistics and complaints through its supervised subject', async () => {
  assert.ok(ctx.platform.modules.subject(RENEWAL_SUBJECT), 'the test module is installed beside the product modules');

  // Monday 21 December 2026: two renewals, two and five working days.
  clock.set(shanghai('2026-12-21 09:00:00'));
  const late = await openRenewal(2, '13700001111');
  const early = await openRenewal(5, '13700002222');
  assert.equal(late.dueDate, '2026-12-23');
  assert.deepEqual(await scan(), { yellow: 0, red: 0 }, 'nothing is at risk on the first day');

  // Tuesday morning: most of the short one's working time is still ahead: no card yet.
  clock.set(shanghai('2026-12-22 10:00:00'));
  assert.deepEqual(await scan(), { yellow: 0, red: 0 });
  // Wednesday afternoon, its due day: under a fifth of its working minutes left: yellow, for the person holding it.
  clock.set(shanghai('2026-12-23 16:00:00'));
  assert.deepEqual(await scan(), { yellow: 1, red: 0 });
  let cards = await renewalCards();
  assert.equal(cards.length, 1);
  assert.deepEqual(
    { caseId: cards[0].caseId, stepKey: cards[0].stepKey, color: cards[0].color, reason: cards[0].reason, unitId: cards[0].unitId, personId: cards[0].personId, receiptNo: cards[0].receiptNo },
    { caseId: late.id, stepKey: 'review', color: 'yellow', reason: 'deadline', unitId: units.renewals, personId: people.officer.id, receiptNo: late.trackingNo },
  );

  // The monitor counts the open renewals of the unit and lists the one at risk.
  const monitor = await get(people.supervisor, '/api/v1/supervision/monitor');
  assert.equal(monitor.statusCode, 200, monitor.body);
  const board = monitor.json();
  const row = board.openCases.find((u: { unitId: string }) => u.unitId === units.renewals);
  assert.equal(row?.subjects?.[RENEWAL_SUBJECT]?.open, 2, monitor.body);
  assert.equal(row.states.open, 2);
  assert.ok(board.states.some((s: { subjectType: string; state: string }) => s.subjectType === RENEWAL_SUBJECT && s.state === 'open'));
  const risky = board.atRisk.steps.find((s: { caseId: string }) => s.caseId === late.id);
  assert.equal(risky?.color, 'yellow', monitor.body);
  assert.equal(risky.subjectType, RENEWAL_SUBJECT);
  assert.equal(risky.receiptNo, late.trackingNo);
  assert.ok(board.longestWaiting.some((s: { caseId: string }) => s.caseId === early.id));
  const page = await get(people.supervisor, '/console/supervision');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /换证办理中/, 'the open-renewals column is labelled by the module');
  assert.ok(page.body.includes(late.trackingNo), 'the renewal at risk is on the board');
  const cell = await get(people.supervisor, `/console/supervision/cases?unitId=${units.renewals}&subjectType=${RENEWAL_SUBJECT}&state=open`);
  assert.equal(cell.statusCode, 200, cell.body);
  assert.ok(cell.body.includes(late.trackingNo) && cell.body.includes(early.trackingNo));

  // Thursday: past its due date, the same card turns red; a second scan issues nothing.
  clock.set(shanghai('2026-12-24 10:00:00'));
  assert.deepEqual(await scan(), { yellow: 0, red: 1 });
  assert.deepEqual(await scan(), { yellow: 0, red: 0 });
  cards = await renewalCards();
  assert.deepEqual(
    cards.map((c) => [c.caseId, c.color]),
    [[late.id, 'red']],
  );

  // Both are finished on Thursday: one late (its card is red already: nothing new), one early.
  for (const r of [late, early]) assert.equal((await post(people.officer, `/api/v1/renewals/${r.id}/finish`, {})).statusCode, 200);
  assert.equal((await renewalCards()).length, 1, 'the hook on renewal.changed found the late finish carded already');

  const stats = await get(people.supervisor, '/api/v1/supervision/stats?from=2026-12-21&to=2026-12-31&groupBy=unit');
  assert.equal(stats.statusCode, 200, stats.body);
  const item = stats.json().items.find((i: { unitId: string }) => i.unitId === units.renewals);
  assert.deepEqual({ finished: item?.finished, onTime: item?.onTime, early: item?.early, overdue: item?.overdue }, { finished: 2, onTime: 1, early: 1, overdue: 1 }, stats.body);
  const byPerson = await get(people.supervisor, '/api/v1/supervision/stats?from=2026-12-21&to=2026-12-31&groupBy=person');
  assert.ok(byPerson.json().items.some((i: { personId: string; finished: number }) => i.personId === people.officer.id && i.finished === 2), byPerson.body);
  const steps = await get(people.supervisor, `/api/v1/supervision/stats/steps?from=2026-12-21&to=2026-12-31&unitId=${units.renewals}&outcome=overdue`);
  assert.equal(steps.statusCode, 200, steps.body);
  assert.deepEqual(
    steps.json().items.map((s: { caseId: string; stepKey: string }) => [s.caseId, s.stepKey]),
    [[late.id, 'review']],
  );
  const statsPage = await get(people.supervisor, '/console/supervision/stats?from=2026-12-21&to=2026-12-31');
  assert.equal(statsPage.statusCode, 200);
  assert.ok(statsPage.body.includes('公安局出入境管理支队'));

  // The holder complains with the tracking number and their phone; a wrong phone is 404.
  assert.equal((await post(null, '/api/v1/public/complaints', { receiptNo: late.trackingNo, phone: '13700009999', name: '王五', content: '办理超期' })).statusCode, 404);
  const complaint = await post(null, '/api/v1/public/complaints', { receiptNo: late.trackingNo, phone: '13700001111', name: '王五', content: '办理超期' });
  assert.equal(complaint.statusCode, 201, complaint.body);
  assert.equal(complaint.json().caseId, late.id);
});
