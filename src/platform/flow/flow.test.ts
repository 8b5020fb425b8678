import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, seedRegions, makeUnit, makeUser, TestClock, type TestContext } from '../../../test/helpers.ts';
import { sql } from 'kysely';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { authenticateBearer } from '../iam/service.ts';
import type { Principal } from '../iam/principal.ts';
import { applyInstanceAction, completeTask, getInstanceView, listOpenTasks, startInstance } from './service.ts';
import type { ProcessDefinition } from './engine.ts';

let ctx: TestContext;
let units: { window: string; planning: string; fire: string };
let people: Record<'clerk' | 'planner' | 'fireman' | 'leader', Principal>;
let definition: ProcessDefinition;

// Monday 2026-09-28 10:00 in Shanghai: National Day (Oct 1-7) and the make-up Saturday Oct 10 are ahead.
const clock = new TestClock(new Date('2026-09-28T02:00:00Z'));

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  const [w, p, f] = await Promise.all([makeUnit(ctx.platform), makeUnit(ctx.platform), makeUnit(ctx.platform)]);
  units = { window: w.id, planning: p.id, fire: f.id };
  const principal = async (unitId: string, role: 'window_clerk' | 'approver' | 'unit_leader') => (await authenticateBearer(ctx.platform, (await makeUser(ctx.platform, unitId, [role])).token))!;
  people = {
    clerk: await principal(w.id, 'window_clerk'),
    planner: await principal(p.id, 'approver'),
    fireman: await principal(f.id, 'approver'),
    leader: await principal(w.id, 'unit_leader'),
  };
  definition = {
    stages: [
      { key: 'accept', name: '受理', unitId: units.window, role: 'window_clerk', days: 1 },
      {
        parallel: [
          { key: 'planning', name: '规划审查', unitId: units.planning, role: 'approver', days: 3 },
          { key: 'fire', name: '消防审查', unitId: units.fire, role: 'approver', days: 3 },
        ],
      },
      { key: 'decide', name: '决定', unitId: units.window, role: 'unit_leader', days: 2 },
    ],
  };
});
after(() => ctx.close());

const start = () => inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => startInstance(work, ctx.platform, { definition, subjectType: 'test_case', subjectId: crypto.randomUUID() }));
const complete = (who: Principal, taskId: string, outcome: 'approve' | 'reject' | 'return' = 'approve') =>
  inTransaction(ctx.platform.db, { ...SYSTEM_ACTOR, userId: who.userId, username: who.username }, (work) => completeTask(work, ctx.platform, who, taskId, { outcome }));
const taskOf = async (who: Principal, instanceId: string) => (await listOpenTasks(ctx.platform.db, who, { limit: 200 })).items.find((t) => t.instance_id === instanceId);

test('due dates count working days across National Day and the make-up Saturday', async () => {
  const { id } = await start();
  const accept = await taskOf(people.clerk, id);
  assert.ok(accept);
  // Mon 28 Sep + 1 working day = Tue 29 Sep.
  assert.equal(accept.due_date, '2026-09-29');
  clock.set(new Date('2026-09-30T02:00:00Z'));
  await complete(people.clerk, accept.id);
  const planning = await taskOf(people.planner, id);
  // From Wed 30 Sep, 3 working days: Oct 1-7 holiday, Thu 8, Fri 9, Sat 10 Oct (make-up workday).
  assert.equal(planning!.due_date, '2026-10-10');
});

test('parallel branches: each department sees only its own task; the case moves on when both approved', async () => {
  clock.set(new Date('2026-11-02T02:00:00Z'));
  const { id } = await start();
  await complete(people.clerk, (await taskOf(people.clerk, id))!.id);
  const planning = await taskOf(people.planner, id);
  const fire = await taskOf(people.fireman, id);
  assert.ok(planning && fire);
  assert.notEqual(planning.id, fire.id);
  assert.equal((await listOpenTasks(ctx.platform.db, people.planner, { limit: 200 })).items.some((t) => t.id === fire.id), false);
  await complete(people.planner, planning.id);
  assert.equal(await taskOf(people.leader, id), undefined, 'decision waits for the other branch');
  await complete(people.fireman, fire.id);
  const decide = await taskOf(people.leader, id);
  assert.ok(decide);
  await complete(people.leader, decide.id);
  const view = await getInstanceView(ctx.platform.db, id, '2026-11-02');
  assert.equal(view!.status, 'completed');
  assert.equal(view!.actions.length, 5);
});

test('both parallel branches completed at the same moment: the one that waited builds on what the other committed', async () => {
  clock.set(new Date('2026-11-02T02:00:00Z'));
  const { id } = await start();
  await complete(people.clerk, (await taskOf(people.clerk, id))!.id);
  const planning = (await taskOf(people.planner, id))!;
  const fire = (await taskOf(people.fireman, id))!;
  // Both completions queue on the instance's lock; the second reads the log in a snapshot taken before it waited.
  let both: Promise<unknown[]> | undefined;
  await ctx.platform.db.transaction().execute(async (tx) => {
    await sql`select 1 from flow_instances where id = ${id} for update`.execute(tx);
    both = Promise.all([complete(people.planner, planning.id), complete(people.fireman, fire.id)]);
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  await both;
  const view = await getInstanceView(ctx.platform.db, id, '2026-11-02');
  assert.deepEqual(
    view!.actions.map((a) => a.seq),
    [0, 1, 2, 3],
  );
  assert.equal(view!.tasks.filter((t) => t.step_key === 'decide' && t.state === 'open').length, 1, 'the decision opens once, after both');
});

test("another unit's task is 404; a completed task is 409; two people at once: one wins", async () => {
  clock.set(new Date('2026-11-03T02:00:00Z'));
  const { id } = await start();
  const accept = (await taskOf(people.clerk, id))!;
  await assert.rejects(complete(people.planner, accept.id), (e: { code?: string }) => e.code === 'NOT_FOUND');
  const results = await Promise.allSettled([complete(people.clerk, accept.id), complete(people.clerk, accept.id)]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.equal(failed.reason.code, 'CONFLICT');
  await assert.rejects(complete(people.clerk, accept.id), (e: { code?: string }) => e.code === 'CONFLICT');
  const view = await getInstanceView(ctx.platform.db, id, '2026-11-03');
  assert.equal(view!.actions.filter((a) => a.type === 'complete').length, 1);
});

test('a clock stop pushes the open step deadline back by the working days it lasted', async () => {
  clock.set(new Date('2026-11-02T02:00:00Z')); // Monday
  const { id } = await start();
  await complete(people.clerk, (await taskOf(people.clerk, id))!.id);
  const before = (await taskOf(people.planner, id))!;
  assert.equal(before.due_date, '2026-11-05');
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => applyInstanceAction(work, ctx.platform, id, { type: 'suspend', reason: 'hearing', by: 'x' }));
  await assert.rejects(complete(people.planner, before.id), (e: { code?: string }) => e.code === 'INVALID_STATE');
  clock.set(new Date('2026-11-04T02:00:00Z')); // Wednesday: the stop covers Mon..Wed, both ends included
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => applyInstanceAction(work, ctx.platform, id, { type: 'resume', by: 'x' }));
  const after = (await taskOf(people.planner, id))!;
  // The opening day never counts; Tue and Wed are stopped: Thu 5, Fri 6, Mon 9.
  assert.equal(after.due_date, '2026-11-09');
});

test('a rejection ends the case and closes the other branch', async () => {
  clock.set(new Date('2026-11-02T02:00:00Z'));
  const { id } = await start();
  await complete(people.clerk, (await taskOf(people.clerk, id))!.id);
  await complete(people.fireman, (await taskOf(people.fireman, id))!.id, 'reject');
  assert.equal(await taskOf(people.planner, id), undefined);
  const view = await getInstanceView(ctx.platform.db, id, '2026-11-02');
  assert.equal(view!.status, 'rejected');
  assert.equal(view!.tasks.find((t) => t.step_key === 'planning')!.state, 'cancelled');
});
