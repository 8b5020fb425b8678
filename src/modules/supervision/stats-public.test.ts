import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { createTestContext, seedRegions, problem, TestClock, type TestContext } from '../../../test/helpers.ts';
import { act, finishCase, get, makeWorld, post, shanghai, submitCase, type World } from './testing.ts';

const clock = new TestClock(shanghai('2026-12-20 10:00:00'));
let ctx: TestContext;
let world: World;

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  world = await makeWorld(ctx);
});
after(() => ctx.close());

interface Item {
  unitId: string;
  finished: number;
  onTime: number;
  early: number;
  overdue: number;
  onTimeRate: number;
  earlyRate: number;
  avgWorkingDays: number;
  correctionRate: number | null;
}

async function stats(query: string) {
  const res = await get(ctx, world.people.supervisor, `/api/v1/supervision/stats?${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items as Item[];
}

async function allSteps(query: string) {
  const out: Array<{ caseId: string; stepKey: string; outcome: string; workingDaysUsed: number; unitId: string }> = [];
  let cursor: string | null = null;
  do {
    const res = await get(ctx, world.people.supervisor, `/api/v1/supervision/stats/steps?${query}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.statusCode, 200, res.body);
    out.push(...res.json().items);
    cursor = res.json().nextCursor;
  } while (cursor);
  return out;
}

test('statistics reconcile exactly with the finished steps behind them', async () => {
  // Week of 7 December 2026: three cases, one step late, others on time or early.
  clock.set(shanghai('2026-12-07 09:00:00'));
  const a = await submitCase(ctx, world);
  const b = await submitCase(ctx, world);
  const c = await submitCase(ctx, world);
  await act(ctx, world.people.clerk, a.id, 'accept', 'accept', { opinion: '材料齐全，予以受理' }); // same day: early (due 8 Dec)
  clock.set(shanghai('2026-12-08 17:00:00'));
  await act(ctx, world.people.clerk, b.id, 'accept', 'accept', { opinion: '材料齐全，予以受理' }); // on the due date: on time
  clock.set(shanghai('2026-12-09 10:00:00'));
  await act(ctx, world.people.clerk, c.id, 'accept', 'accept', { opinion: '材料齐全，予以受理' }); // a day late: overdue
  await act(ctx, world.people.planner, a.id, 'review', 'approve', { opinion: '符合条件' }); // review opened 7 Dec, due 10 Dec: early
  clock.set(shanghai('2026-12-15 10:00:00'));
  await act(ctx, world.people.planner, b.id, 'review', 'approve', { opinion: '符合条件' }); // opened 8 Dec, due 11 Dec: overdue

  const items = await stats('from=2026-12-07&to=2026-12-15&groupBy=unit');
  const windowUnit = items.find((i) => i.unitId === world.units.window)!;
  assert.deepEqual([windowUnit.finished, windowUnit.onTime, windowUnit.early, windowUnit.overdue], [3, 2, 1, 1]);
  assert.equal(windowUnit.onTimeRate, 0.6667);
  assert.equal(windowUnit.earlyRate, 0.3333);
  const review = items.find((i) => i.unitId === world.units.planning)!;
  assert.deepEqual([review.finished, review.onTime, review.early, review.overdue], [2, 1, 1, 1]);

  for (const item of items) {
    const behind = await allSteps(`from=2026-12-07&to=2026-12-15&unitId=${item.unitId}`);
    assert.equal(behind.length, item.finished, 'finished = the steps listed');
    assert.equal(behind.filter((s) => s.outcome !== 'overdue').length, item.onTime, 'on time = the steps listed on time');
    assert.equal(behind.filter((s) => s.outcome === 'early').length, item.early);
    assert.equal(behind.filter((s) => s.outcome === 'overdue').length, item.overdue);
    assert.equal((await allSteps(`from=2026-12-07&to=2026-12-15&unitId=${item.unitId}&outcome=overdue`)).length, item.overdue);
    assert.equal((await allSteps(`from=2026-12-07&to=2026-12-15&unitId=${item.unitId}&outcome=onTime`)).length, item.onTime);
    const used = behind.reduce((sum, s) => sum + s.workingDaysUsed, 0);
    assert.equal(item.avgWorkingDays, Math.round((used / behind.length) * 100) / 100, 'average working days from the same steps');
  }
  // The working days: accepted the same day used 0, on the due date 1, a day late 2.
  const accepts = (await allSteps(`from=2026-12-07&to=2026-12-15&unitId=${world.units.window}`)).map((s) => s.workingDaysUsed).sort();
  assert.deepEqual(accepts, [0, 1, 2]);

  // Per person: the clerk finished the three acceptances.
  const people = (await get(ctx, world.people.supervisor, '/api/v1/supervision/stats?from=2026-12-07&to=2026-12-15&groupBy=person')).json().items;
  const clerk = people.find((p: { personId: string }) => p.personId === world.people.clerk.id);
  assert.equal(clerk.finished, 3);

  // A department sees its own unit only.
  const own = (await get(ctx, world.people.leader, '/api/v1/supervision/stats?from=2026-12-07&to=2026-12-15')).json().items;
  assert.deepEqual(own.map((i: Item) => i.unitId), [world.units.window]);

  // Excel and chart.
  const xlsx = await get(ctx, world.people.supervisor, '/api/v1/supervision/stats/export.xlsx?from=2026-12-07&to=2026-12-15');
  assert.equal(xlsx.statusCode, 200);
  assert.match(String(xlsx.headers['content-type']), /spreadsheetml/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  assert.equal(sheet.getRow(1).getCell(2).value, '办结环节');
  assert.equal(sheet.rowCount >= 3, true);
  const chart = await get(ctx, world.people.supervisor, '/api/v1/supervision/stats/chart.svg?from=2026-12-07&to=2026-12-15');
  assert.equal(chart.statusCode, 200);
  assert.match(String(chart.headers['content-type']), /image\/svg\+xml/);
  assert.match(chart.body, /^<svg[\s\S]*<\/svg>$/);
  const page = await get(ctx, world.people.supervisor, '/console/supervision/stats?from=2026-12-07&to=2026-12-15');
  assert.equal(page.statusCode, 200, page.body);
  assert.match(page.body, /chart\.svg/);
});

test('statistics for an empty period and bad periods', async () => {
  assert.deepEqual(await stats('from=2025-01-01&to=2025-01-31'), []);
  assert.equal((await get(ctx, world.people.supervisor, '/api/v1/supervision/stats?from=2026-12-15&to=2026-12-01')).statusCode, 400, 'reversed');
  assert.equal((await get(ctx, world.people.supervisor, '/api/v1/supervision/stats?from=2026-02-30&to=2026-03-01')).statusCode, 400, 'no such date');
  assert.equal((await get(ctx, world.people.supervisor, '/api/v1/supervision/stats?from=2020-01-01&to=2026-01-01')).statusCode, 400, 'too long');
  assert.equal((await get(ctx, world.people.supervisor, '/api/v1/supervision/stats?from=2026-12-01')).statusCode, 400, 'missing to');
  assert.equal((await get(ctx, world.people.supervisor, '/api/v1/supervision/stats?from=2026-12-01&to=2026-12-02&groupBy=region')).statusCode, 400);
  assert.equal((await get(ctx, world.citizen, '/api/v1/supervision/stats?from=2026-12-01&to=2026-12-02')).statusCode, 403);
  const chart = await get(ctx, world.people.supervisor, '/api/v1/supervision/stats/chart.svg?from=2025-01-01&to=2025-01-31');
  assert.equal(chart.statusCode, 200, 'an empty chart still renders');
});

test('ratings: only a finished case, once, with the applicant’s phone; a poor rating opens a rectification task', async () => {
  clock.set(shanghai('2026-12-16 09:00:00'));
  const open = await submitCase(ctx, world);
  const rate = (body: Record<string, unknown>, headers: Record<string, string> = {}) => post(ctx, null, '/api/v1/public/ratings', body, headers);

  const unfinished = await rate({ receiptNo: open.receiptNo, phone: open.phone, score: 5 });
  assert.equal(unfinished.statusCode, 409);
  assert.equal(problem(unfinished).body.code, 'INVALID_STATE');

  await finishCase(ctx, world, open.id);
  const wrongPhone = await rate({ receiptNo: open.receiptNo, phone: '13900000000', score: 5 });
  assert.equal(wrongPhone.statusCode, 404, 'a wrong phone looks like an unknown case');
  assert.equal((await rate({ receiptNo: 'no-such', phone: open.phone, score: 5 })).statusCode, 404);
  assert.equal((await rate({ receiptNo: open.receiptNo, phone: open.phone, score: 6 })).statusCode, 400);
  assert.equal((await rate({ receiptNo: open.receiptNo, phone: open.phone, score: 0 })).statusCode, 400);
  assert.equal((await rate({ receiptNo: open.receiptNo, phone: open.phone, score: '5' })).statusCode, 400);
  assert.equal((await rate({ receiptNo: open.receiptNo, phone: open.phone, score: 5, stars: 5 })).statusCode, 400, 'unknown field');
  assert.equal((await rate({ receiptNo: open.receiptNo, phone: open.phone, score: 5, comment: 'x'.repeat(501) })).statusCode, 400);

  const first = await rate({ receiptNo: open.receiptNo, phone: open.phone, score: 2, comment: '等待时间太长' }, { 'idempotency-key': `rate-${open.id}` });
  assert.equal(first.statusCode, 201, first.body);
  const replay = await rate({ receiptNo: open.receiptNo, phone: open.phone, score: 2, comment: '等待时间太长' }, { 'idempotency-key': `rate-${open.id}` });
  assert.equal(replay.statusCode, 201, 'the same Idempotency-Key replays the first answer');
  assert.equal(replay.json().id, first.json().id);
  const second = await rate({ receiptNo: open.receiptNo, phone: open.phone, score: 5 });
  assert.equal(second.statusCode, 409);
  assert.equal(problem(second).body.code, 'CONFLICT');
  const byAccount = await post(ctx, world.citizen, '/api/v1/supervision/ratings', { caseId: open.id, score: 4 });
  assert.equal(byAccount.statusCode, 409, 'one rating per case, whatever the channel');
  await assert.rejects(sql`update supervision_ratings set score = 5`.execute(ctx.platform.db), /append-only/, 'ratings are immutable');

  // The poor rating opened a 15-working-day rectification task for the unit.
  const tasks = (await get(ctx, world.people.leader, '/api/v1/supervision/rectifications?state=open')).json().items;
  const task = tasks.find((t: { caseId: string }) => t.caseId === open.id);
  assert.ok(task);
  assert.equal(task.dueDate, '2027-01-06', '15 working days after 16 December 2026');
  assert.equal((await get(ctx, world.people.otherLeader, '/api/v1/supervision/rectifications')).json().items.length, 0);
  const call = await post(ctx, world.people.supervisor, `/api/v1/supervision/rectifications/${task.id}/calls`, { reached: true, satisfied: false, note: '申请人反映窗口排队时间长' });
  assert.equal(call.statusCode, 200, call.body);
  assert.equal((await post(ctx, world.people.leader, `/api/v1/supervision/rectifications/${task.id}/calls`, { reached: true, note: '自己回访' })).statusCode, 403);
  const done = await post(ctx, world.people.leader, `/api/v1/supervision/rectifications/${task.id}/complete`, { measures: '增设两个窗口，推行预约办理。' });
  assert.equal(done.statusCode, 200, done.body);
  assert.equal(done.json().state, 'done');
  assert.equal((await post(ctx, world.people.leader, `/api/v1/supervision/rectifications/${task.id}/complete`, { measures: '再次' })).statusCode, 409);

  // The signed-in applicant rates their own case; another person's case does not exist for them.
  const mine = await submitCase(ctx, world);
  await finishCase(ctx, world, mine.id);
  assert.equal((await post(ctx, world.citizen2, '/api/v1/supervision/ratings', { caseId: mine.id, score: 5 })).statusCode, 404);
  const own = await post(ctx, world.citizen, '/api/v1/supervision/ratings', { caseId: mine.id, score: 5, comment: '非常满意' });
  assert.equal(own.statusCode, 201, own.body);

  const perUnit = (await get(ctx, world.people.supervisor, '/api/v1/supervision/ratings/stats?from=2026-12-01&to=2026-12-31&groupBy=unit')).json().items;
  const unit = perUnit.find((i: { unitId: string }) => i.unitId === world.units.window);
  assert.equal(unit.count, 2);
  assert.equal(unit.average, 3.5);
  assert.deepEqual(unit.scores, { 1: 0, 2: 1, 3: 0, 4: 0, 5: 1 });
  const perItem = (await get(ctx, world.people.supervisor, '/api/v1/supervision/ratings/stats?from=2026-12-01&to=2026-12-31&groupBy=item')).json().items;
  assert.equal(perItem.find((i: { itemId: string }) => i.itemId === world.itemId).count, 2);
});

test('complaints: routed to supervision with a 10-working-day deadline, a handling record and a reply; not about another person’s case', async () => {
  clock.set(shanghai('2026-12-17 09:00:00'));
  const theirs = await submitCase(ctx, world, { citizen: world.citizen2 });
  const mine = await submitCase(ctx, world);

  // Another person's case: neither by account nor with a phone that is not the applicant's.
  assert.equal((await post(ctx, world.citizen, '/api/v1/supervision/complaints', { caseId: theirs.id, content: '办理太慢' })).statusCode, 404);
  assert.equal((await post(ctx, null, '/api/v1/public/complaints', { receiptNo: theirs.receiptNo, phone: mine.phone, name: '王五', content: '办理太慢' })).statusCode, 404);
  assert.equal((await post(ctx, world.citizen, '/api/v1/supervision/complaints', { caseId: mine.id, content: '' })).statusCode, 400);
  assert.equal((await post(ctx, world.people.leader, '/api/v1/supervision/complaints', { caseId: mine.id, content: '代为投诉' })).statusCode, 403, 'a department cannot file complaints');

  const filed = await post(ctx, world.citizen, '/api/v1/supervision/complaints', { caseId: mine.id, content: '窗口人员态度不好，要求多次提交同一份材料。' });
  assert.equal(filed.statusCode, 201, filed.body);
  assert.equal(filed.json().dueDate, '2026-12-31', '10 working days after 17 December');
  const byPhone = await post(ctx, world.people.supervisor, '/api/v1/supervision/complaints', { receiptNo: theirs.receiptNo, complainantName: '赵六', complainantPhone: '13912345678', content: '电话反映：超期未办。' });
  assert.equal(byPhone.statusCode, 201, byPhone.body);
  const anonymous = await post(ctx, null, '/api/v1/public/complaints', { receiptNo: mine.receiptNo, phone: mine.phone, name: '李四', content: '补充投诉。' });
  assert.equal(anonymous.statusCode, 201, anonymous.body);

  // The department complained about does not see the complaints; supervision does, the complainant sees their own.
  assert.equal((await get(ctx, world.people.leader, '/api/v1/supervision/complaints')).statusCode, 403);
  const listed = (await get(ctx, world.people.supervisor, '/api/v1/supervision/complaints')).json().items;
  assert.ok(listed.some((c: { id: string }) => c.id === filed.json().id));
  const ownList = (await get(ctx, world.citizen, '/api/v1/supervision/complaints')).json().items;
  assert.deepEqual(ownList.map((c: { id: string }) => c.id), [filed.json().id]);
  assert.equal((await get(ctx, world.citizen2, `/api/v1/supervision/complaints/${filed.json().id}`)).statusCode, 404);

  const id = filed.json().id;
  assert.equal((await post(ctx, world.people.supervisor, `/api/v1/supervision/complaints/${id}/notes`, { note: '已调取窗口录像，约谈窗口负责人。' })).statusCode, 200);
  const replied = await post(ctx, world.people.supervisor, `/api/v1/supervision/complaints/${id}/reply`, { reply: '经核查情况属实，已责令整改并对相关人员批评教育。' });
  assert.equal(replied.statusCode, 200, replied.body);
  assert.equal(replied.json().state, 'replied');
  assert.deepEqual(replied.json().record.map((r: { type: string }) => r.type), ['filed', 'note', 'replied']);
  assert.equal((await post(ctx, world.people.supervisor, `/api/v1/supervision/complaints/${id}/reply`, { reply: '再次答复' })).statusCode, 409);
  const seen = await get(ctx, world.citizen, `/api/v1/supervision/complaints/${id}`);
  assert.equal(seen.statusCode, 200);
  assert.match(seen.json().reply, /属实/);
  assert.deepEqual(seen.json().record, [], 'the complainant reads the reply, not the internal record');
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from notify_outbox where template = 'supervision.complaintReplied' and user_id = ${world.citizen.id}`.execute(ctx.platform.db);
  assert.equal(rows[0].n, 1, 'the complainant is told');
});
