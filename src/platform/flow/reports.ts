/**
 * Read-only reports over the process tables for supervision (电子监察): open steps at risk of
 * missing their deadline, steps finished late, finished steps of a period per unit or person,
 * the longest-waiting steps. Every query is backed by a partial index on open or finished tasks,
 * so its cost grows with the answer, not with the history.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/index.ts';
import { keysetAfter, keysetOrder, pageOf, readCursor, type Keyset, type Page, type PageRequest } from '../db/pagination.ts';
import type { Work } from '../db/work.ts';
import type { FlowTables } from './service.ts';
import { loadCalendar } from '../calendar/service.ts';
import * as workingDays from '../calendar/working-days.ts';


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

/**
 * The same, given the task's own id and due date: checked before the task's instance is looked
 * up, so that a caller who recorded the task id spares that lookup for the tasks it already knows.
 */
export type TaskSkip = (task: { taskId: RawBuilder<unknown>; dueDate: RawBuilder<unknown> }) => RawBuilder<unknown>;

function skipClause(skip: StepSkip | undefined, refs: { subjectId: string; stepKey: string; dueDate: string }) {
  if (!skip) return sql``;
  return sql` and not coalesce((${skip({ subjectId: sql.ref(refs.subjectId), stepKey: sql.ref(refs.stepKey), dueDate: sql.ref(refs.dueDate) })}), false)`;
}

function skipTaskClause(skip: TaskSkip | undefined, refs: { taskId: string; dueDate: string }) {
  if (!skip) return sql``;
  return sql` and not coalesce((${skip({ taskId: sql.ref(refs.taskId), dueDate: sql.ref(refs.dueDate) })}), false)`;
}

/**
 * Open steps of running instances (a stopped clock is skipped) whose due date has come within
 * their band. The bands are expanded to one probe per time limit ("days = d and due_date <= T"),
 * each an exact range of the (days, due_date) index; each step found is joined to its instance by
 * key (a lateral lookup with a limit, which the planner keeps as a nested loop) and checked
 * against the caller's `skipTask` (before the instance lookup) and `skip`, all in one statement:
 * the work follows the steps at risk.
 */
export async function openStepsAtRisk(db: Db, subjectType: string, bands: RiskBand[], options: { limit?: number; skip?: StepSkip; skipTask?: TaskSkip } = {}): Promise<OpenStepRow[]> {
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
               ${skipTaskClause(options.skipTask, { taskId: 'x.id', dueDate: 'x.due_date' })}
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
export async function stepsFinishedLate(db: Db, subjectType: string, since: Date, options: { limit?: number; skip?: StepSkip; skipTask?: TaskSkip } = {}): Promise<FinishedStepRow[]> {
  const limit = options.limit ?? 100_000;
  const result = await sql<{ id: string; instance_id: string; subject_id: string; step_key: string; unit_id: string; finished_by: string | null; days: number; due_date: string; finished_at: Date }>`
    select t.id, t.instance_id, i.subject_id, t.step_key, t.unit_id, t.finished_by, t.days, t.due_date, t.finished_at
      from (select x.id, x.instance_id, x.step_key, x.unit_id, x.finished_by, x.days, x.due_date, x.finished_at
              from flow_tasks x
             where x.state = 'done' and x.finished_at >= ${since} and ${shanghaiDay('x.finished_at')} > x.due_date
                   ${skipTaskClause(options.skipTask, { taskId: 'x.id', dueDate: 'x.due_date' })}
             offset 0) t
      cross join lateral (select f.subject_id from flow_instances f where f.id = t.instance_id and f.subject_type = ${subjectType} limit 1) i
     where true ${skipClause(options.skip, { subjectId: 'i.subject_id', stepKey: 't.step_key', dueDate: 't.due_date' })}
     limit ${limit}`.execute(db);
  return result.rows.map((r) => ({ taskId: r.id, instanceId: r.instance_id, subjectId: r.subject_id, stepKey: r.step_key, unitId: r.unit_id, finishedBy: r.finished_by, days: r.days, dueDate: r.due_date, finishedAt: r.finished_at }));
}

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

/** Working-day ordinals over [first, last] (clamped to the calendar's years): ord(d) = working days in (first, d]. */
export async function workingOrdinals(db: Db, first: string, last: string): Promise<WorkingOrdinals> {
  const lo = first < '2000-01-02' ? '2000-01-02' : first;
  const hi = last > '2099-12-30' ? '2099-12-30' : last;
  const calendar = await loadCalendar(db, lo, hi);
  const dates: string[] = [];
  const ordinals: number[] = [];
  let ord = 0;
  for (let day = workingDays.parseDate(lo)!, end = workingDays.parseDate(hi)!; day <= end; day++) {
    const date = workingDays.formatDay(day);
    if (dates.length && workingDays.isWorkingDay(date, calendar)) ord++;
    dates.push(date);
    ordinals.push(ord);
  }
  return { first: lo, last: hi, dates, ordinals };
}

// ---------------------------------------------------------------- the daily roll-up of finished tasks

/** A task the engine has just finished (state done), as the roll-up counts it. */
export interface FinishedTaskFact {
  unitId: string;
  finishedBy: string | null;
  days: number;
  dueDate: string;
}

const UNIT_DAYS = 'flow_task_days';
const PERSON_DAYS = 'flow_task_person_days';

interface DayTotals {
  day: string;
  unitId: string;
  personId: string;
  finished: number;
  onTime: number;
  early: number;
  used: number;
  promised: number;
}

/** Rows of a unit and day in flow_task_days; readers add them up. */
const UNIT_DAY_SLOTS = 8;

/**
 * The upsert adding `rows` to a daily roll-up table, rows in key order (transactions queue, never
 * deadlock). The unit table's rows go to one slot picked at random for the statement.
 */
function addToDays(table: string, rows: DayTotals[], subjectType: string, person: boolean) {
  rows.sort((a, b) => (a.day !== b.day ? (a.day < b.day ? -1 : 1) : a.unitId !== b.unitId ? (a.unitId < b.unitId ? -1 : 1) : a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0));
  const slot = Math.floor(Math.random() * UNIT_DAY_SLOTS);
  const key = person ? sql`person_id` : sql`slot`;
  const values = rows.map((r) => sql`(${subjectType}, ${r.day}::date, ${r.unitId}, ${person ? r.personId : slot}, ${r.finished}, ${r.onTime}, ${r.early}, ${r.used}, ${r.promised})`);
  return sql`
    insert into ${sql.table(table)} as d (subject_type, day, unit_id, ${key}, finished, on_time, early, used_days, promised_days)
    values ${sql.join(values)}
    on conflict (subject_type, day, unit_id, ${key}) do update
       set finished = d.finished + excluded.finished, on_time = d.on_time + excluded.on_time, early = d.early + excluded.early,
           used_days = d.used_days + excluded.used_days, promised_days = d.promised_days + excluded.promised_days`;
}

/**
 * Counts tasks the engine has just finished in the daily roll-up, in the same transaction: on time
 * (finished by the end of the due date), early (before it), working days used
 * `days - (ord(due) - ord(finished day))` with today's calendar. The definitions are those of
 * finishedStepStats and finishedStepsPage, so the roll-up and the steps behind it agree.
 */
export async function tallyFinishedTasks(db: Db, subjectType: string, finishedAt: Date, tasks: FinishedTaskFact[]) {
  if (!tasks.length) return;
  const day = workingDays.shanghaiDate(finishedAt);
  const dates = [day, ...tasks.map((t) => t.dueDate)].sort();
  const calendar = await loadCalendar(db, dates[0], dates[dates.length - 1]);
  const perUnit = new Map<string, DayTotals>();
  const perPerson = new Map<string, DayTotals>();
  for (const task of tasks) {
    // ord(due) - ord(day): working days in (day, due], negative when the due date came first.
    const gap = task.dueDate >= day ? workingDays.countWorkingDays(day, task.dueDate, calendar) : -workingDays.countWorkingDays(task.dueDate, day, calendar);
    const add = { finished: 1, onTime: day <= task.dueDate ? 1 : 0, early: day < task.dueDate ? 1 : 0, used: task.days - gap, promised: task.days };
    const personId = task.finishedBy ?? '';
    for (const [map, key, person] of [[perUnit, task.unitId, ''], [perPerson, `${task.unitId}\u0000${personId}`, personId]] as const) {
      const entry = map.get(key) ?? { day, unitId: task.unitId, personId: person, finished: 0, onTime: 0, early: 0, used: 0, promised: 0 };
      entry.finished += add.finished;
      entry.onTime += add.onTime;
      entry.early += add.early;
      entry.used += add.used;
      entry.promised += add.promised;
      map.set(key, entry);
    }
  }
  // Both roll-ups in one statement: this runs with every finished task.
  await sql`with per_unit as (${addToDays(UNIT_DAYS, [...perUnit.values()], subjectType, false)} returning 1)
    ${addToDays(PERSON_DAYS, [...perPerson.values()], subjectType, true)}`.execute(db);
}

const PENDING_TALLIES = 'flow.pending-tallies';
interface PendingTally {
  subjectType: string;
  finishedAt: Date;
  tasks: FinishedTaskFact[];
}

/**
 * tallyFinishedTasks just before the transaction commits: the roll-up's rows are shared by every
 * task a unit finishes that day, and a row updated early would stay locked through the rest of
 * the transaction, making the unit's other transactions wait.
 */
export function tallyFinishedTasksAtCommit(work: Work, subjectType: string, finishedAt: Date, tasks: FinishedTaskFact[]) {
  if (!tasks.length) return;
  work.collectBeforeCommit<PendingTally>(PENDING_TALLIES, [{ subjectType, finishedAt, tasks }], async (entries) => {
    for (const entry of entries) await tallyFinishedTasks(work.tx, entry.subjectType, entry.finishedAt, entry.tasks);
  });
}

/** The first and last days (Asia/Shanghai) with finished tasks; null when there are none. */
export async function finishedTaskDayRange(db: Db): Promise<{ from: string; to: string } | null> {
  const bounds = await sql<{ min: string | null; max: string | null }>`
    select (${shanghaiDay('min_at')})::text as min, (${shanghaiDay('max_at')})::text as max
      from (select min(finished_at) as min_at, max(finished_at) as max_at from flow_tasks where state = 'done') x`.execute(db);
  const row = bounds.rows[0];
  return row?.min && row.max ? { from: row.min, to: row.max } : null;
}

/**
 * Rebuilds the roll-up of the finished tasks of some days (Asia/Shanghai dates, both included;
 * null: every day that has finished tasks) from the tasks themselves: the backfill for tasks
 * finished before the roll-up existed or written around the engine, and the repair after a
 * calendar correction (working days used are counted with the calendar of the day they are
 * tallied). Locks the roll-up against the engine's increments while it runs, so nothing finished
 * meanwhile is lost or counted twice; run it in its own transaction, a month or so at a time.
 */
export async function rebuildFinishedTaskDays(db: Db, days: { from: string; to: string } | null): Promise<{ from: string; to: string; tasks: number } | null> {
  await sql`lock table flow_task_days, flow_task_person_days in exclusive mode`.execute(db);
  const range = days ?? (await finishedTaskDayRange(db));
  if (!range) return null;
  const from = new Date(`${range.from}T00:00:00+08:00`);
  const to = new Date(`${workingDays.addCalendarDays(range.to, 1)}T00:00:00+08:00`);
  await sql`delete from flow_task_days where day between ${range.from}::date and ${range.to}::date`.execute(db);
  await sql`delete from flow_task_person_days where day between ${range.from}::date and ${range.to}::date`.execute(db);
  const dues = await sql<{ min: string | null; max: string | null }>`
    select min(due_date)::text as min, max(due_date)::text as max from flow_tasks where state = 'done' and finished_at >= ${from} and finished_at < ${to}`.execute(db);
  const lo = [dues.rows[0]?.min ?? range.from, range.from].sort()[0];
  const hi = [dues.rows[0]?.max ?? range.to, range.to].sort()[1];
  const ordinals = await workingOrdinals(db, workingDays.addCalendarDays(lo, -1), hi);
  const result = await sql<{ tasks: number }>`
    with cal as (select * from unnest(${ordinals.dates}::date[], ${ordinals.ordinals}::int[]) as c(d, ord)),
    steps as (
      select i.subject_type, t.unit_id, coalesce(t.finished_by, '') as person_id, t.days, t.due_date, ${shanghaiDay('t.finished_at')} as day
        from flow_tasks t
        join flow_instances i on i.id = t.instance_id
       where t.state = 'done' and t.finished_at >= ${from} and t.finished_at < ${to}
    ),
    totals as (
      select s.subject_type, s.day, s.unit_id, s.person_id, grouping(s.person_id) as whole,
             count(*)::int as finished,
             count(*) filter (where s.day <= s.due_date)::int as on_time,
             count(*) filter (where s.day < s.due_date)::int as early,
             sum(s.days - (cd.ord - cf.ord))::bigint as used,
             sum(s.days)::bigint as promised
        from steps s
        join cal cd on cd.d = s.due_date
        join cal cf on cf.d = s.day
       group by grouping sets ((s.subject_type, s.day, s.unit_id), (s.subject_type, s.day, s.unit_id, s.person_id))
    ),
    units as (
      insert into flow_task_days (subject_type, day, unit_id, finished, on_time, early, used_days, promised_days)
      select subject_type, day, unit_id, finished, on_time, early, used, promised from totals where whole = 1
      returning finished
    ),
    _people as (
      insert into flow_task_person_days (subject_type, day, unit_id, person_id, finished, on_time, early, used_days, promised_days)
      select subject_type, day, unit_id, person_id, finished, on_time, early, used, promised from totals where whole = 0
      returning 1
    )
    select coalesce(sum(finished), 0)::int as tasks from units`.execute(db);
  return { from: range.from, to: range.to, tasks: Number(result.rows[0]?.tasks ?? 0) };
}

export interface TaskTotalsFilter {
  subjectType: string;
  /** Asia/Shanghai dates, both included. */
  fromDay: string;
  toDay: string;
  unitIds?: string[] | null;
}

/**
 * The figures of finishedStepStats read from the daily roll-up: at most one row per unit (or unit
 * and person) and day of the period, whatever the number of tasks behind them.
 */
export async function finishedTaskTotals(db: Db, filter: TaskTotalsFilter, groupBy: 'unit' | 'person'): Promise<StepStatsRow[]> {
  if (filter.unitIds && !filter.unitIds.length) return [];
  const person = groupBy === 'person';
  const units = filter.unitIds ? sql` and d.unit_id in (${sql.join(filter.unitIds)})` : sql``;
  const result = await sql<{ unit_id: string; person_id: string | null; finished: number; on_time: number; early: number; used: number; promised: number }>`
    select d.unit_id, ${person ? sql`nullif(d.person_id, '')` : sql`null::text`} as person_id,
           sum(d.finished)::bigint as finished, sum(d.on_time)::bigint as on_time, sum(d.early)::bigint as early,
           sum(d.used_days)::bigint as used, sum(d.promised_days)::bigint as promised
      from ${sql.table(person ? PERSON_DAYS : UNIT_DAYS)} d
     where d.subject_type = ${filter.subjectType} and d.day between ${filter.fromDay}::date and ${filter.toDay}::date ${units}
     group by 1, 2
    having sum(d.finished) > 0
     order by 1, 2`.execute(db);
  return result.rows.map((r) => ({
    unitId: r.unit_id,
    personId: r.person_id,
    finished: Number(r.finished),
    onTime: Number(r.on_time),
    early: Number(r.early),
    overdue: Number(r.finished) - Number(r.on_time),
    workingDaysUsed: Number(r.used),
    daysPromised: Number(r.promised),
    outsideRange: 0,
  }));
}

export interface FinishedStepDetail extends FinishedStepRow {
  workingDaysUsed: number | null;
  outcome: 'early' | 'onTime' | 'overdue';
}

/** Finished steps in the order they were finished. */
const FINISHED_FIRST: Keyset<FinishedStepDetail> = {
  keys: [
    { by: 't.finished_at', kind: 'timestamp', of: (r) => r.finishedAt },
    { by: 't.id', kind: 'text', of: (r) => r.taskId },
  ],
  order: 'asc',
};

/**
 * The finished steps behind a figure of finishedStepStats, keyset-paginated on (finished_at, id):
 * the same filter and the same definitions, so the rows add up to the figure.
 */
export async function finishedStepsPage(
  db: Db,
  filter: StepStatsFilter & { unitId?: string; personId?: string; outcome?: StepOutcomeFilter },
  ordinals: WorkingOrdinals,
  page: PageRequest,
): Promise<Page<FinishedStepDetail>> {
  const after = readCursor(page.cursor, ['timestamp', 'text']);
  const outcome =
    filter.outcome === 'early'
      ? sql` and ${shanghaiDay('t.finished_at')} < t.due_date`
      : filter.outcome === 'onTime'
        ? sql` and ${shanghaiDay('t.finished_at')} <= t.due_date`
        : filter.outcome === 'overdue'
          ? sql` and ${shanghaiDay('t.finished_at')} > t.due_date`
          : sql``;
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
       ${scopeFilter(filter.unitIds)} ${outcome} ${after ? sql` and ${keysetAfter(FINISHED_FIRST, after)}` : sql``}
     order by ${keysetOrder(FINISHED_FIRST)}
     limit ${page.limit + 1}`.execute(db);
  const rows = result.rows.map((r): FinishedStepDetail => ({
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
  return pageOf(rows, page.limit, FINISHED_FIRST);
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
