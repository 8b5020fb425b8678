import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, problem, type TestContext } from '../../../test/helpers.ts';
import type { JobDefinition, Platform } from '../module.ts';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { registerTemplate } from '../notify/templates.ts';
import { claimDueMessages, enqueueMessage } from '../notify/service.ts';
import { getOutboxMessage } from '../notify/views.ts';
import {
  JOB_LEASE_MS,
  claimDueJob,
  finishJob,
  listJobSchedule,
  registerJobs,
  runDueJobs,
  silentLogger,
  startJobs,
  type Logger,
} from './scheduler.ts';
import { startBackgroundWork } from './background.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
});
after(() => ctx.close());

let jobSeq = 0;
function countingJob(everySeconds: number, body: () => Promise<void> = async () => {}): JobDefinition & { runs: () => number } {
  let runs = 0;
  return {
    name: `test.job${++jobSeq}`,
    everySeconds,
    async run() {
      runs += 1;
      await body();
    },
    runs: () => runs,
  };
}

async function scheduleOf(name: string) {
  return (await listJobSchedule(ctx.platform.db)).find((row) => row.name === name)!;
}

test('two schedulers claiming the same job at once: it runs once per period', async () => {
  const job = countingJob(60, () => sleep(20));
  await registerJobs(ctx.platform, [job]);
  for (let period = 1; period <= 4; period++) {
    const [a, b] = await Promise.all([runDueJobs(ctx.platform, [job], silentLogger, 'process-a'), runDueJobs(ctx.platform, [job], silentLogger, 'process-b')]);
    await Promise.all([...a, ...b]);
    assert.equal(a.length + b.length, 1, `period ${period}: one claim`);
    assert.equal(job.runs(), period);
    // Not due again before its period has passed.
    const again = await runDueJobs(ctx.platform, [job], silentLogger, 'process-c');
    assert.equal(again.length, 0);
    ctx.clock.advance(60_000);
  }
  const row = await scheduleOf(job.name);
  assert.equal(row.runs, 4);
  assert.equal(row.lease_until, null);
  assert.equal(row.last_error, null);
});

test('a job whose process died mid-run is run again after its lease expires', async () => {
  const job = countingJob(3600);
  await registerJobs(ctx.platform, [job]);
  const crashed = await claimDueJob(ctx.platform, [job.name], 'dead-process');
  assert.ok(crashed);
  // The lease is live: nobody else runs it.
  assert.equal((await runDueJobs(ctx.platform, [job], silentLogger, 'live-process')).length, 0);
  ctx.clock.advance(JOB_LEASE_MS - 1000);
  assert.equal((await runDueJobs(ctx.platform, [job], silentLogger, 'live-process')).length, 0);
  ctx.clock.advance(2000);
  await Promise.all(await runDueJobs(ctx.platform, [job], silentLogger, 'live-process'));
  assert.equal(job.runs(), 1);
  const row = await scheduleOf(job.name);
  assert.equal(row.lease_owner, null);
  assert.equal(row.runs, 1);
  // The dead process coming back cannot record its stale run.
  assert.equal(await finishJob(ctx.platform, crashed, job.everySeconds, null), false);
  assert.equal((await scheduleOf(job.name)).runs, 1);
});

test('a failing job records its error and keeps its schedule', async () => {
  const errors: object[] = [];
  const log: Logger = { ...silentLogger, error: (obj) => errors.push(obj) };
  const job = countingJob(120, async () => {
    throw new Error('scan broke');
  });
  await registerJobs(ctx.platform, [job]);
  const startedAt = ctx.clock.now();
  await Promise.all(await runDueJobs(ctx.platform, [job], log, 'p1'));
  const row = await scheduleOf(job.name);
  assert.match(row.last_error ?? '', /scan broke/);
  const delay = new Date(row.next_run_at).getTime() - startedAt.getTime();
  assert.ok(delay >= 120_000 && delay < 125_000, `next run a period after the start: ${delay}`);
  assert.equal(row.lease_until, null);
  assert.equal(errors.length, 1);
  ctx.clock.advance(120_000);
  await Promise.all(await runDueJobs(ctx.platform, [job], log, 'p2'));
  assert.equal(job.runs(), 2);
});

test('startJobs in two processes runs a due job once; stop() waits for the run in progress', async () => {
  let finished = false;
  const job = countingJob(3600, async () => {
    await sleep(150);
    finished = true;
  });
  const stopA = startJobs(ctx.platform, [job], silentLogger, { tickMs: 20, owner: 'a' });
  const stopB = startJobs(ctx.platform, [job], silentLogger, { tickMs: 20, owner: 'b' });
  for (let i = 0; i < 100 && job.runs() === 0; i++) await sleep(10);
  await sleep(100);
  await Promise.all([stopA(), stopB()]);
  assert.equal(finished, true, 'stop waited for the job');
  assert.equal(job.runs(), 1);
  assert.equal((await scheduleOf(job.name)).runs, 1);
});

test('a job defined twice is refused', () => {
  const job = countingJob(10);
  assert.throws(() => startJobs(ctx.platform, [job, { ...job }], silentLogger));
});

test('job routes: the system administrator lists jobs and makes one due now', async () => {
  const job = countingJob(3600);
  await registerJobs(ctx.platform, [job]);
  await Promise.all(await runDueJobs(ctx.platform, [job], silentLogger, 'p'));
  const unit = await makeUnit(ctx.platform);
  const admin = await makeUser(ctx.platform, unit.id, ['sysadmin']);
  const clerk = await makeUser(ctx.platform, unit.id, ['window_clerk']);

  const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(admin) });
  assert.equal(list.statusCode, 200);
  const item = list.json().items.find((j: { name: string }) => j.name === job.name);
  assert.equal(item.runs, 1);
  assert.equal(item.running, false);

  const run = await ctx.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.name}/run`, headers: bearer(admin) });
  assert.equal(run.statusCode, 202);
  assert.ok(Date.parse(run.json().nextRunAt) <= ctx.clock.now().getTime());
  await Promise.all(await runDueJobs(ctx.platform, [job], silentLogger, 'p'));
  assert.equal(job.runs(), 2);

  const unknown = await ctx.app.inject({ method: 'POST', url: '/api/v1/jobs/no.such.job/run', headers: bearer(admin) });
  assert.equal(problem(unknown).status, 404);
  assert.equal(problem(unknown).body.code, 'NOT_FOUND');
  const refused = await ctx.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.name}/run`, headers: bearer(clerk) });
  assert.equal(problem(refused).status, 403);
  const anonymous = await ctx.app.inject({ method: 'GET', url: '/api/v1/jobs' });
  assert.equal(anonymous.statusCode, 401);
});

test('startBackgroundWork delivers a message right after its commit and stops cleanly', async () => {
  registerTemplate('test.wake', { 'zh-CN': { subject: '提醒', text: '您好 {name}' }, en: { subject: 'Reminder', text: 'Hello {name}' } });
  const platform: Platform = { ...ctx.platform, config: { ...ctx.platform.config, runJobs: true } };
  const unit = await makeUnit(platform);
  const user = await makeUser(platform, unit.id);
  // A message the previous life of the process claimed and never finished.
  const interrupted = await inTransaction(platform.db, SYSTEM_ACTOR, (work) => enqueueMessage(work, platform, { channel: 'inapp', to: { userId: user.id }, template: 'test.wake', params: { name: '前' } }));
  await claimDueMessages(platform, 100);
  assert.equal((await getOutboxMessage(platform, interrupted))!.status, 'sending');
  const stop = startBackgroundWork(platform, silentLogger);
  try {
    const id = await inTransaction(platform.db, SYSTEM_ACTOR, (work) => enqueueMessage(work, platform, { channel: 'inapp', to: { userId: user.id }, template: 'test.wake', params: { name: '张三' } }));
    let status = '';
    for (let i = 0; i < 200 && status !== 'delivered'; i++) {
      status = (await getOutboxMessage(platform, id))!.status;
      if (status !== 'delivered') await sleep(10);
    }
    assert.equal(status, 'delivered');
    const inbox = await ctx.app.inject({ method: 'GET', url: '/api/v1/me/messages', headers: bearer(user) });
    assert.ok(inbox.json().items.some((m: { body: string }) => m.body === '您好 张三'));
    // The embedded database has one process, so its interrupted claims resume at start;
    // on PostgreSQL other processes may still hold them, so they wait for the lease.
    const resumed = (await getOutboxMessage(platform, interrupted))!.status;
    assert.equal(resumed, platform.dbKind === 'pglite' ? 'delivered' : 'sending');
  } finally {
    await stop();
  }
  const names = (await listJobSchedule(platform.db)).map((row) => row.name);
  assert.ok(names.includes('notify.deliver'));
  // Processes started with ZT_RUN_JOBS=0 do no background work.
  const noop = startBackgroundWork(ctx.platform, silentLogger);
  await noop();
});
