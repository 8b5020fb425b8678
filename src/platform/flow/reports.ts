/**
 * Read-only reports over the process tables for supervision (电子监察): open steps at risk of
 * missing their deadline, steps finished late, finished steps of a period per unit or person,
 * the longest-waiting steps. Every query is backed by a partial index on open or finished tasks,
 * so its cost grows with the answer, not with the history.
 */
import { sql, type Kysely, type Migration, type RawBuilder } from 'kysely';
import type { Db } from '../db/index.ts';
import type { FlowTables } from './service.ts';
import type { FlowAction, ProcessDefinition } from './engine.ts';

export const flowReportMigrations: Record<string, Migration> = {
  '20261120_0050_flow_supervision_indexes': {
    async up(db: Kysely<any>) {
      // Deadline scan: one short range per band of time limits ("days between a and b and due by T").
      await sql`create index flow_tasks_open_days_due on flow_tasks (days, due_date) where state = 'open'`.execute(db);
      // Statistics and late finishes: index-only scans over the finished steps of a period.
      await sql`
        create index flow_tasks_done_finished on flow_tasks (finished_at)
          include (unit_id, finished_by, due_date, days, instance_id, step_key)
          where state = 'done'`.execute(db);
      // The monitor's longest-waiting steps.
      await sql`create index flow_tasks_open_opened on flow_tasks (opened_at) where state = 'open'`.execute(db);
      // Statistics filter steps by subject type without reading the instance rows.
      await sql`create index flow_instances_subject_id on flow_instances (subject_type, id)`.execute(db);
    },
  },
};

const q = (db: Db) => db.withTables<FlowTables>();

/** Steps whose time limit lies in [minDays, maxDays] are at risk once their due date is on or before dueBy. */
export interface RiskBand {
  minDays: number;
  maxDays: number;
  dueBy: string;
}

export interface OpenStepRow {
  taskId: string;
  instanceId: string;
  subjectId: string;
  stepKey: string;
  unitId: string;
  assignee: string | null;
  days: number;
  dueDate: string;
  openedAt: Date;
}

/**
 * A condition under which a report leaves a step out, written by the caller against its own
 * tables, given the step's subject id, step key and due date as SQL. It must be a scalar subquery
 * (or an expression of some), so that it stays one index probe per step and never becomes a join
 * the planner could turn into a scan; null counts as false.
 */
export type StepSkip = (step: { subjectId: RawBuilder<unknown>; stepKey: RawBuilder<unknown>; dueDate: RawBuilder<unknown> }) => RawBuilder<unknown>;

function skipClause(skip: StepSkip | undefined, refs: { subjectId: string; stepKey: string; dueDate: string }) {
  if (!skip) return sql``;
  return sql` and not coalesce((${skip({ subjectId: sql.ref(refs.subjectId), stepKey: sql.ref(refs.stepKey), dueDate: sql.ref(refs.dueDate) })}), false)`;
}

/**
 * Open steps of running instances (a stopped clock is skipped) whose due date has come within
 * their band. The bands are expanded to one probe per time limit ("days = d and due_date <= T"),
 * each an exact range of the (days, due_date) index; each step found is joined to its instance by
 * key (a lateral lookup with a limit, which the planner keeps as a nested loop) and checked
 * against the caller's `skip`, all in one statement: the work follows the steps at risk.
 */
export async function openStepsAtRisk(db: Db, subjectType: string, bands: RiskBand[], options: { limit?: number; skip?: StepSkip } = {}): Promise<OpenStepRow[]> {
  const limit = options.limit ?? 100_000;
  const days: number[] = [];
  const dueBy: string[] = [];
  for (const band of bands) {
    for (let d = band.minDays; d <= band.maxDays; d++) {
      days.push(d);
      dueBy.push(band.dueBy);
    }
  }
  if (!days.length) return [];
  const result = await sql<{ id: string; instance_id: string; subject_id: string; step_key: string; unit_id: string; assignee: string | null; days: number; due_date: string; opened_at: Date }>`
    select t.id, t.instance_id, i.subject_id, t.step_key, t.unit_id, t.assignee, t.days, t.due_date, t.opened_at
      from unnest(${days}::int[], ${dueBy}::date[]) as b(days, due_by)
      cross join lateral (
        select x.id, x.instance_id, x.step_key, x.unit_id, x.assignee, x.days, x.due_date, x.opened_at
          from flow_tasks x
         where x.state = 'open' and x.days = b.days and x.due_date <= b.due_by
         order by x.due_date
         limit ${limit}) t
      cross join lateral (
        select f.subject_id from flow_instances f
         where f.id = t.instance_id and f.subject_type = ${subjectType} and f.status = 'running'
         limit 1) i
     where true ${skipClause(options.skip, { subjectId: 'i.subject_id', stepKey: 't.step_key', dueDate: 't.due_date' })}
     limit ${limit}`.execute(db);
  return result.rows.map((r) => ({ taskId: r.id, instanceId: r.instance_id, subjectId: r.subject_id, stepKey: r.step_key, unitId: r.unit_id, assignee: r.assignee, days: r.days, dueDate: r.due_date, openedAt: r.opened_at }));
}

export interface FinishedStepRow {
  taskId: string;
  instanceId: string;
  subjectId: string;
  stepKey: string;
  unitId: string;
  finishedBy: string | null;
  days: number;
  dueDate: string;
  finishedAt: Date;
}

/** The calendar date in Asia/Shanghai of a timestamptz column, without relying on the server's time zone data. */
const shanghaiDay = (column: string) => sql<string>`((${sql.ref(column)} at time zone 'UTC') + interval '8 hours')::date`;

/**
 * Steps finished after the end of their due date (Asia/Shanghai), finished at or after `since`,
 * less those the caller's `skip` leaves out: a range of the finished-steps index, then one probe
 * per late step.
 */
export async function stepsFinishedLate(db: Db, subjectType: string, since: Date, options: { limit?: number; skip?: StepSkip } = {}): Promise<FinishedStepRow[]> {
  const limit = options.limit ?? 100_000;
  const result = await sql<{ id: string; instance_id: string; subject_id: string; step_key: string; unit_id: string; finished_by: string | null; days: number; due_date: string; finished_at: Date }>`
    select t.id, t.instance_id, i.subject_id, t.step_key, t.unit_id, t.finished_by, t.days, t.due_date, t.finished_at
      from (select x.id, x.instance_id, x.step_key, x.unit_id, x.finished_by, x.days, x.due_date, x.finished_at
              from flow_tasks x
             where x.state = 'done' and x.finished_at >= ${since} and ${shanghaiDay('x.finished_at')} > x.due_date
             offset 0) t
      cross join lateral (select f.subject_id from flow_instances f where f.id = t.instance_id and f.subject_type = ${subjectType} limit 1) i
     where true ${skipClause(options.skip, { subjectId: 'i.subject_id', stepKey: 't.step_key', dueDate: 't.due_date' })}
     limit ${limit}`.execute(db);
  return result.rows.map((r) => ({ taskId: r.id, instanceId: r.instance_id, subjectId: r.subject_id, stepKey: r.step_key, unitId: r.unit_id, finishedBy: r.finished_by, days: r.days, dueDate: r.due_date, finishedAt: r.finished_at }));
}

export interface SubjectFlow {
  instanceId: string;
  status: string;
  definition: ProcessDefinition;
  actions: Array<{ seq: number; payload: FlowAction; actorId: string | null; at: Date }>;
  tasks: Array<{ id: string; stepKey: string; round: number; unitId: string; state: string; assignee: string | null; days: number; dueDate: string; openedAt: Date; finishedAt: Date | null; finishedBy: string | null; outcome: string | null }>;
}

/** The process of one subject (the latest instance): its log and its tasks. */
export async function flowOfSubject(db: Db, subjectType: string, subjectId: string): Promise<SubjectFlow | null> {
  const instance = await q(db)
    .selectFrom('flow_instances')
    .select(['id', 'status', 'definition'])
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!instance) return null;
  const [actions, tasks] = await Promise.all([
    q(db).selectFrom('flow_actions').select(['seq', 'payload', 'actor_id', 'at']).where('instance_id', '=', instance.id).orderBy('seq').execute(),
    q(db).selectFrom('flow_tasks').selectAll().where('instance_id', '=', instance.id).orderBy('opened_at').orderBy('step_key').execute(),
  ]);
  return {
    instanceId: instance.id,
    status: instance.status,
    definition: instance.definition,
    actions: actions.map((a) => ({ seq: a.seq, payload: a.payload, actorId: a.actor_id, at: a.at })),
    tasks: tasks.map((t) => ({
      id: t.id,
      stepKey: t.step_key,
      round: t.round,
      unitId: t.unit_id,
      state: t.state,
      assignee: t.assignee,
      days: t.days,
      dueDate: t.due_date,
      openedAt: t.opened_at,
      finishedAt: t.finished_at,
      finishedBy: t.finished_by,
      outcome: t.outcome,
    })),
  };
}

/** Status of the instances of some subjects (running, suspended...), by subject id. */
export async function instanceStatuses(db: Db, subjectType: string, subjectIds: string[]): Promise<Map<string, string>> {
  if (!subjectIds.length) return new Map();
  const rows = await q(db).selectFrom('flow_instances').select(['subject_id', 'status']).where('subject_type', '=', subjectType).where('subject_id', 'in', subjectIds).orderBy('started_at').execute();
  return new Map(rows.map((r) => [r.subject_id, r.status]));
}

// ---------------------------------------------------------------- statistics of finished steps

/**
 * Working-day ordinals: for each date of a range, how many working days lie from the range's start
 * up to it. The working days a step used are `days - (ord(due) - ord(finished))`: the due date
 * already carries the clock stops and extensions, so nothing else is needed per step.
 */
export interface WorkingOrdinals {
  first: string;
  last: string;
  dates: string[];
  ordinals: number[];
}

export type StepOutcomeFilter = 'onTime' | 'early' | 'overdue';

export interface StepStatsFilter {
  subjectType: string;
  /** Finished at or after this instant... */
  from: Date;
  /** ...and before this one. */
  to: Date;
  unitIds?: string[] | null;
}

export interface StepStatsRow {
  unitId: string;
  personId: string | null;
  finished: number;
  onTime: number;
  early: number;
  overdue: number;
  /** Sum over the steps of the working days used, and of the days promised. */
  workingDaysUsed: number;
  daysPromised: number;
  /** Steps whose due date lay outside the ordinals given: the caller widens the range and asks again. */
  outsideRange: number;
}

function scopeFilter(unitIds: string[] | null | undefined) {
  if (unitIds === undefined || unitIds === null) return sql``;
  if (!unitIds.length) return sql` and false`;
  return sql` and t.unit_id in (${sql.join(unitIds)})`;
}

/**
 * Finished steps of a period grouped by unit (and person): finished, on time (finished by the end
 * of the due date), early (finished before the due date), overdue, working days used and promised.
 * One pass over the finished-steps index; `early` is a subset of `onTime`, and onTime + overdue = finished.
 */
export async function finishedStepStats(db: Db, filter: StepStatsFilter, groupBy: 'unit' | 'person', ordinals: WorkingOrdinals): Promise<StepStatsRow[]> {
  const person = groupBy === 'person';
  const result = await sql<{ unit_id: string; person_id: string | null; finished: number; on_time: number; early: number; used: number | null; promised: number; outside: number }>`
    with cal as (select * from unnest(${ordinals.dates}::date[], ${ordinals.ordinals}::int[]) as c(d, ord)),
    steps as (
      select t.unit_id, ${person ? sql`t.finished_by` : sql`null::text`} as person_id, t.days, t.due_date,
             ${shanghaiDay('t.finished_at')} as finished_day
        from flow_tasks t
       where t.state = 'done' and t.finished_at >= ${filter.from} and t.finished_at < ${filter.to}
         and exists (select 1 from flow_instances i where i.id = t.instance_id and i.subject_type = ${filter.subjectType})
         ${scopeFilter(filter.unitIds)}
    )
    select s.unit_id, s.person_id,
           count(*)::int as finished,
           count(*) filter (where s.finished_day <= s.due_date)::int as on_time,
           count(*) filter (where s.finished_day < s.due_date)::int as early,
           sum(s.days - (cd.ord - cf.ord))::bigint as used,
           sum(s.days)::bigint as promised,
           count(*) filter (where cd.ord is null or cf.ord is null)::int as outside
      from steps s
      left join cal cd on cd.d = s.due_date
      left join cal cf on cf.d = s.finished_day
     group by s.unit_id, s.person_id
     order by s.unit_id, s.person_id`.execute(db);
  return result.rows.map((r) => ({
    unitId: r.unit_id,
    personId: r.person_id,
    finished: Number(r.finished),
    onTime: Number(r.on_time),
    early: Number(r.early),
    overdue: Number(r.finished) - Number(r.on_time),
    workingDaysUsed: Number(r.used ?? 0),
    daysPromised: Number(r.promised),
    outsideRange: Number(r.outside),
  }));
}

/** Earliest and latest due dates among the finished steps of a period (to widen the ordinals when needed). */
export async function finishedStepDueRange(db: Db, filter: StepStatsFilter): Promise<{ min: string | null; max: string | null }> {
  const result = await sql<{ min: string | null; max: string | null }>`
    select min(t.due_date)::text as min, max(t.due_date)::text as max
      from flow_tasks t
     where t.state = 'done' and t.finished_at >= ${filter.from} and t.finished_at < ${filter.to} ${scopeFilter(filter.unitIds)}`.execute(db);
  return result.rows[0] ?? { min: null, max: null };
}

export interface FinishedStepDetail extends FinishedStepRow {
  workingDaysUsed: number | null;
  outcome: 'early' | 'onTime' | 'overdue';
}

/**
 * The finished steps behind a figure of finishedStepStats, keyset-paginated on (finished_at, id):
 * the same filter and the same definitions, so the rows add up to the figure.
 */
export async function finishedStepsPage(
  db: Db,
  filter: StepStatsFilter & { unitId?: string; personId?: string; outcome?: StepOutcomeFilter },
  ordinals: WorkingOrdinals,
  page: { limit: number; after?: [string, string] | null },
): Promise<FinishedStepDetail[]> {
  const outcome =
    filter.outcome === 'early'
      ? sql` and ${shanghaiDay('t.finished_at')} < t.due_date`
      : filter.outcome === 'onTime'
        ? sql` and ${shanghaiDay('t.finished_at')} <= t.due_date`
        : filter.outcome === 'overdue'
          ? sql` and ${shanghaiDay('t.finished_at')} > t.due_date`
          : sql``;
  const after = page.after ? sql` and (t.finished_at, t.id) > (${new Date(page.after[0])}, ${page.after[1]})` : sql``;
  const result = await sql<{ id: string; instance_id: string; subject_id: string; step_key: string; unit_id: string; finished_by: string | null; days: number; due_date: string; finished_at: Date; finished_day: string; used: number | null }>`
    with cal as (select * from unnest(${ordinals.dates}::date[], ${ordinals.ordinals}::int[]) as c(d, ord))
    select t.id, t.instance_id, i.subject_id, t.step_key, t.unit_id, t.finished_by, t.days, t.due_date, t.finished_at,
           ${shanghaiDay('t.finished_at')}::text as finished_day,
           t.days - (cd.ord - cf.ord) as used
      from flow_tasks t
      join flow_instances i on i.id = t.instance_id and i.subject_type = ${filter.subjectType}
      left join cal cd on cd.d = t.due_date
      left join cal cf on cf.d = ${shanghaiDay('t.finished_at')}
     where t.state = 'done' and t.finished_at >= ${filter.from} and t.finished_at < ${filter.to}
       ${filter.unitId ? sql` and t.unit_id = ${filter.unitId}` : sql``}
       ${filter.personId ? sql` and t.finished_by = ${filter.personId}` : sql``}
       ${scopeFilter(filter.unitIds)} ${outcome} ${after}
     order by t.finished_at, t.id
     limit ${page.limit}`.execute(db);
  return result.rows.map((r) => ({
    taskId: r.id,
    instanceId: r.instance_id,
    subjectId: r.subject_id,
    stepKey: r.step_key,
    unitId: r.unit_id,
    finishedBy: r.finished_by,
    days: r.days,
    dueDate: r.due_date,
    finishedAt: r.finished_at,
    workingDaysUsed: r.used === null ? null : Number(r.used),
    outcome: r.finished_day < r.due_date ? 'early' : r.finished_day <= r.due_date ? 'onTime' : 'overdue',
  }));
}

// ---------------------------------------------------------------- the monitor

export interface WaitingStepRow {
  taskId: string;
  subjectId: string;
  stepKey: string;
  unitId: string;
  dueDate: string;
  openedAt: Date;
  instanceStatus: string;
}

/** Open steps that have waited longest (opened first), among the units given (null: all). */
export async function longestWaitingSteps(db: Db, subjectType: string, limit: number, unitIds: string[] | null = null): Promise<WaitingStepRow[]> {
  let query = q(db)
    .selectFrom('flow_tasks as t')
    .innerJoin('flow_instances as i', 'i.id', 't.instance_id')
    .select(['t.id', 'i.subject_id', 't.step_key', 't.unit_id', 't.due_date', 't.opened_at', 'i.status'])
    .where('t.state', '=', 'open')
    .where('i.subject_type', '=', subjectType)
    .orderBy('t.opened_at')
    .orderBy('t.id')
    .limit(limit);
  if (unitIds) query = unitIds.length ? query.where('t.unit_id', 'in', unitIds) : query.where(sql<boolean>`false`);
  const rows = await query.execute();
  return rows.map((r) => ({ taskId: r.id, subjectId: r.subject_id, stepKey: r.step_key, unitId: r.unit_id, dueDate: r.due_date, openedAt: r.opened_at, instanceStatus: r.status }));
}
