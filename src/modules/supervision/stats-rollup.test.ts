import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestContext, seedRegions, TestClock, type TestContext } from '../../../test/helpers.ts';
import type { Principal } from '../../platform/iam/principal.ts';
import { computeStats, computeStatsFromSteps, periodOf, rebuildStatistics } from './stats.ts';
import { act, cardsOf, finishCase, get, makeWorld, post, scan, shanghai, submitCase, type World } from './testing.ts';

// Accounts and tokens are made at the latest instant the test uses; the test then sets its own time.
const clock = new TestClock(shanghai('2026-12-31 18:00:00'));
let ctx: TestContext;
let world: World;

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  world = await makeWorld(ctx);
});
after(() => ctx.close());

function principal(userId: string, unitId: string, role: 'supervisor' | 'unit_leader'): Principal {
  return { userId, username: userId, displayName: userId, kind: 'staff', unitId, roles: [{ role, scope: { unitId } }], sessionId: null, tokenId: null, csrfToken: null, mustChangePassword: false, totpEnrollmentRequired: false, grants: ctx.platform.modules.permissions };
}

async function upload(user: World['citizen']) {
  const { fileBody, SAMPLES } = await import('../../platform/files/testing.ts');
  const body = fileBody('补正.pdf', SAMPLES.pdf());
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', payload: body.payload, headers: { ...body.headers, authorization: `Bearer ${user.token}` } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as string;
}

/** Every figure of the roll-up equals the one counted from the steps, cases and cards themselves. */
async function assertReconciled(label: string) {
  const supervisor = principal(world.people.supervisor.id, world.units.other, 'supervisor');
  const leader = principal(world.people.leader.id, world.units.window, 'unit_leader');
  const periods = [periodOf('2026-12-01', '2026-12-31'), periodOf('2026-12-21', '2026-12-21'), periodOf('2026-12-28', '2026-12-29'), periodOf('2026-11-01', '2026-11-30')];
  for (const period of periods) {
    for (const groupBy of ['unit', 'person'] as const) {
      for (const who of [supervisor, leader]) {
        const rolled = await computeStats(ctx.platform, who, period, groupBy);
        const counted = await computeStatsFromSteps(ctx.platform, who, period, groupBy);
        assert.deepEqual(rolled, counted, `${label}: ${period.from}..${period.to} per ${groupBy} for ${who.roles[0].role}`);
      }
    }
  }
  // Subjects whose open counts are kept by roll-ups say how to count them from scratch; the others count from scratch already.
  for (const subject of ctx.platform.modules.subjects.filter((s) => s.openCountsFromSubjects)) {
    assert.deepEqual(await subject.openCounts(ctx.platform.db, null), await subject.openCountsFromSubjects!(ctx.platform.db, null), `${label}: open ${subject.type} per unit and state`);
  }
}

test('the daily roll-ups agree with a direct recomputation over the steps, cases and cards, and a rebuild changes nothing', async () => {
  // Monday 21 December 2026: four applications.
  clock.set(shanghai('2026-12-21 09:00:00'));
  const a = await submitCase(ctx, world);
  const b = await submitCase(ctx, world);
  const c = await submitCase(ctx, world);
  const d = await submitCase(ctx, world);
  await assertReconciled('after submission');

  // a: a correction request answered the same day, accepted early, reviewed, decided late (red card).
  await act(ctx, world.people.clerk, a.id, 'accept', 'request_correction', { opinion: '请补正', missing: [{ materialKey: 'application_form', reason: '未签字' }] });
  const corrected = await post(ctx, world.citizen, `/api/v1/approval/applications/${a.id}/corrections`, { materials: [{ materialKey: 'application_form', fileId: await upload(world.citizen) }] });
  assert.equal(corrected.statusCode, 200, corrected.body);
  await act(ctx, world.people.clerk, a.id, 'accept', 'accept', { opinion: '材料齐全，予以受理' });
  // b: accepted, then rejected in review without reasons (red card): a finished case.
  await act(ctx, world.people.clerk, b.id, 'accept', 'accept', { opinion: '材料齐全，予以受理' });
  clock.set(shanghai('2026-12-22 10:00:00'));
  await act(ctx, world.people.planner, a.id, 'review', 'approve', { opinion: '符合条件' });
  await act(ctx, world.people.planner, b.id, 'review', 'reject', { opinion: '无' });
  await assertReconciled('after the first actions');

  // c waits: its acceptance card turns red on Wednesday; the supervisor confirms it.
  clock.set(shanghai('2026-12-23 09:00:00'));
  await scan(ctx, world);
  const cCards = await cardsOf(ctx, world.people.supervisor, `&caseId=${c.id}`);
  const accept = cCards.find((x) => x.stepKey === 'accept')!;
  assert.equal(accept.color, 'red');
  assert.equal((await post(ctx, world.people.supervisor, `/api/v1/supervision/cards/${accept.id}/confirm`, { reason: '超期属实。' })).statusCode, 200);
  // b's card for the rejection is revoked.
  const bCard = (await cardsOf(ctx, world.people.supervisor, `&caseId=${b.id}`)).find((x) => x.reason === 'rejection_without_reasons')!;
  assert.equal((await post(ctx, world.people.supervisor, `/api/v1/supervision/cards/${bCard.id}/revoke`, { reason: '理由见附件。' })).statusCode, 200);
  await assertReconciled('after the cards were decided');

  // Monday 28 December: a is decided late; c and d finish; d on the same day it is accepted.
  clock.set(shanghai('2026-12-28 11:00:00'));
  await act(ctx, world.people.leader, a.id, 'decide', 'approve', { opinion: '准予许可' });
  await finishCase(ctx, world, c.id);
  await finishCase(ctx, world, d.id);
  clock.set(shanghai('2026-12-29 10:00:00'));
  await scan(ctx, world);
  await assertReconciled('after the cases finished');

  const december = periodOf('2026-12-01', '2026-12-31');
  const supervisor = principal(world.people.supervisor.id, world.units.other, 'supervisor');
  const figures = await computeStats(ctx.platform, supervisor, december, 'unit');
  const window = figures.find((i) => i.unitId === world.units.window)!;
  assert.equal(window.finishedCases, 4, 'a, b, c and d finished in December');
  assert.equal(window.correctedCases, 1, 'a had a correction request');
  assert.ok(window.confirmedCards.red >= 1, 'the confirmed red card counts');
  // The HTTP figures are the roll-up's.
  const http = await get(ctx, world.people.supervisor, '/api/v1/supervision/stats?from=2026-12-01&to=2026-12-31&groupBy=unit');
  assert.equal(http.statusCode, 200, http.body);
  assert.deepEqual(http.json().items, JSON.parse(JSON.stringify(figures)));

  // Rebuilding a period, and then every day, from the steps gives the same roll-up.
  const before = await sql`select * from flow_task_person_days order by day, unit_id, person_id`.execute(ctx.platform.db);
  const rebuilt = await rebuildStatistics(ctx.platform, { from: '2026-12-01', to: '2026-12-31' });
  assert.equal(rebuilt.days, 31);
  assert.equal(rebuilt.steps, figures.reduce((sum, i) => sum + i.finished, 0));
  assert.deepEqual((await sql`select * from flow_task_person_days order by day, unit_id, person_id`.execute(ctx.platform.db)).rows, before.rows);
  await rebuildStatistics(ctx.platform);
  assert.deepEqual((await sql`select * from flow_task_person_days order by day, unit_id, person_id`.execute(ctx.platform.db)).rows, before.rows);
  await assertReconciled('after the rebuilds');

  // The roll-up moved with the engine: a wiped roll-up is wrong until the backfill restores it.
  await sql`delete from flow_task_days`.execute(ctx.platform.db);
  assert.deepEqual(await computeStats(ctx.platform, supervisor, december, 'unit'), []);
  await rebuildStatistics(ctx.platform);
  assert.deepEqual(await computeStats(ctx.platform, supervisor, december, 'unit'), figures);
});
