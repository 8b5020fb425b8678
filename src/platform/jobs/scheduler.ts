import os from 'node:os';
import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import { sql, type Db } from '../db/index.ts';
import type { JobDefinition, Platform } from '../module.ts';

/** What the scheduler and the workers write to; Fastify's and pino's loggers fit. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export interface JobScheduleTable {
  name: string;
  next_run_at: Date;
  lease_until: Date | null;
  lease_owner: string | null;
  last_started_at: Date | null;
  last_finished_at: Date | null;
  last_error: string | null;
  runs: number;
}
export type JobScheduleRow = Selectable<JobScheduleTable>;
export type JobsTables = { job_schedule: JobScheduleTable };

const jobsDb = (db: Db) => db.withTables<JobsTables>();

/** A claimed run must finish (or renew) within this time, or another process takes it over. */
export const JOB_LEASE_MS = 60_000;
/** How often each process looks for due jobs: one indexed query that usually returns nothing. */
export const TICK_MS = 1000;

/** Identifies this process in lease_owner, so a process only finishes runs it claimed. */
export function newOwnerId(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
}

/** Adds missing schedule rows; a new job is due at once. Existing rows keep their schedule. */
export async function registerJobs(platform: Platform, jobs: JobDefinition[]) {
  if (!jobs.length) return;
  const now = platform.clock.now();
  await jobsDb(platform.db)
    .insertInto('job_schedule')
    .values(jobs.map((job) => ({ name: job.name, next_run_at: now, runs: 0 })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

export interface ClaimedJob {
  name: string;
  startedAt: Date;
  owner: string;
}

/**
 * Claims one due job among `names` for `owner`. A job is due when its next_run_at has passed
 * and nobody holds a live lease on it: with any number of processes, one of them gets it
 * (SKIP LOCKED makes the others pass over a row being claimed instead of waiting).
 */
export async function claimDueJob(platform: Platform, names: string[], owner: string): Promise<ClaimedJob | null> {
  if (!names.length) return null;
  const now = platform.clock.now();
  const until = new Date(now.getTime() + JOB_LEASE_MS);
  const result = await sql<{ name: string }>`
    update job_schedule
       set lease_until = ${until}, lease_owner = ${owner}, last_started_at = ${now}
     where name = (
       select name from job_schedule
        where name in (${sql.join(names)})
          and next_run_at <= ${now}
          and (lease_until is null or lease_until <= ${now})
        order by next_run_at
        limit 1
        for update skip locked)
    returning name`.execute(platform.db);
  const row = result.rows[0];
  return row ? { name: row.name, startedAt: now, owner } : null;
}

/** Extends the lease of a run still in progress; false when another process took it over. */
export async function renewJobLease(platform: Platform, claim: ClaimedJob): Promise<boolean> {
  const until = new Date(platform.clock.now().getTime() + JOB_LEASE_MS);
  const result = await jobsDb(platform.db)
    .updateTable('job_schedule')
    .set({ lease_until: until })
    .where('name', '=', claim.name)
    .where('lease_owner', '=', claim.owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records the end of a run and when the next one is due (start-to-start period). */
export async function finishJob(platform: Platform, claim: ClaimedJob, everySeconds: number, error: unknown): Promise<boolean> {
  const now = platform.clock.now();
  const result = await jobsDb(platform.db)
    .updateTable('job_schedule')
    .set((eb) => ({
      lease_until: null,
      lease_owner: null,
      last_finished_at: now,
      last_error: error === null ? null : describeError(error),
      next_run_at: new Date(claim.startedAt.getTime() + everySeconds * 1000),
      runs: eb('runs', '+', 1),
    }))
    .where('name', '=', claim.name)
    .where('lease_owner', '=', claim.owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2000);
}

/** Runs one claimed job to its end, renewing the lease while it runs. Never throws. */
export async function runClaimedJob(platform: Platform, job: JobDefinition, claim: ClaimedJob, log: Logger): Promise<void> {
  const heartbeat = setInterval(() => {
    renewJobLease(platform, claim).then(
      (held) => {
        if (!held) log.warn({ job: job.name }, 'job lease lost to another process');
      },
      (err: unknown) => log.warn({ job: job.name, err }, 'job lease renewal failed'),
    );
  }, JOB_LEASE_MS / 3);
  heartbeat.unref();
  let failure: unknown = null;
  try {
    await job.run(platform, log);
  } catch (err) {
    failure = err ?? new Error('job failed');
    log.error({ job: job.name, err }, 'job failed');
  } finally {
    clearInterval(heartbeat);
  }
  try {
    const held = await finishJob(platform, claim, job.everySeconds, failure);
    if (!held) log.warn({ job: job.name }, 'job finished after its lease was taken over');
  } catch (err) {
    // The lease expires on its own and the job runs again: at-least-once.
    log.error({ job: job.name, err }, 'could not record the end of a job run');
  }
}

/**
 * One scheduler step: claims every due job this process knows (except those it is already
 * running) and starts them. Returns the runs started, so a caller can wait for them.
 */
export async function runDueJobs(platform: Platform, jobs: JobDefinition[], log: Logger, owner: string, busy: Set<string> = new Set()): Promise<Array<Promise<void>>> {
  const started: Array<Promise<void>> = [];
  for (;;) {
    const names = jobs.map((j) => j.name).filter((name) => !busy.has(name));
    const claim = await claimDueJob(platform, names, owner);
    if (!claim) return started;
    const job = jobs.find((j) => j.name === claim.name)!;
    busy.add(job.name);
    started.push(runClaimedJob(platform, job, claim, log).finally(() => busy.delete(job.name)));
  }
}

export type StopJobs = () => Promise<void>;

/**
 * Starts the scheduler of this process: every TICK_MS it claims due jobs through PostgreSQL,
 * so with N processes each run happens once. stop() stops claiming and waits for the runs
 * in progress (graceful shutdown).
 */
export function startJobs(platform: Platform, jobs: JobDefinition[], log: Logger, options: { tickMs?: number; owner?: string } = {}): StopJobs {
  const names = new Set<string>();
  for (const job of jobs) {
    if (names.has(job.name)) throw new Error(`job ${job.name} is defined twice`);
    if (!(job.everySeconds > 0)) throw new Error(`job ${job.name}: everySeconds must be positive`);
    names.add(job.name);
  }
  const tickMs = options.tickMs ?? TICK_MS;
  const owner = options.owner ?? newOwnerId();
  const busy = new Set<string>();
  const running = new Set<Promise<void>>();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> = Promise.resolve();
  let registered = false;

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      ticking = tick().finally(schedule);
    }, tickMs);
    timer.unref();
  };

  const tick = async () => {
    try {
      if (!registered) {
        await registerJobs(platform, jobs);
        registered = true;
      }
      if (stopped) return;
      const started = await runDueJobs(platform, jobs, log, owner, busy);
      for (const run of started) {
        running.add(run);
        void run.finally(() => running.delete(run));
      }
    } catch (err) {
      log.error({ err }, 'job scheduler tick failed');
    }
  };

  if (jobs.length) {
    ticking = tick().finally(schedule);
  }

  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await ticking;
    await Promise.allSettled([...running]);
  };
}

/** Clears leases left by a previous life of this process; only for the embedded database (one process). */
export async function releaseOrphanedJobLeases(platform: Platform): Promise<number> {
  const result = await jobsDb(platform.db).updateTable('job_schedule').set({ lease_until: null, lease_owner: null }).where('lease_until', 'is not', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function listJobSchedule(db: Db): Promise<JobScheduleRow[]> {
  return jobsDb(db).selectFrom('job_schedule').selectAll().orderBy('name').execute();
}

/** Makes a job due now; the next tick of any process runs it. False when the job is unknown. */
export async function requestJobRun(db: Db, name: string, now: Date): Promise<JobScheduleRow | null> {
  const row = await jobsDb(db).updateTable('job_schedule').set({ next_run_at: now }).where('name', '=', name).returningAll().executeTakeFirst();
  return row ?? null;
}
