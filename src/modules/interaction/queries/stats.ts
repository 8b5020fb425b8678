/**
 * Interaction statistics (政民互动统计) per handling unit or per channel for the cases received in
 * a period (Asia/Shanghai days, both included): received, answered, answer rate, on-time rate,
 * mean working days from receipt to answer, satisfaction and reopened cases. Every figure is
 * counted from the case rows themselves in one statement over the period's range of
 * interaction_cases_received, so the figures reconcile with the cases.
 *
 * Working days follow countWorkingDays (the day of receipt does not count, the day of the answer
 * does; weekends and statutory holidays are not working days, make-up days are): the calendar is
 * loaded once and turned into a running count of working days per date, passed to the statement
 * as an array, so that each case's working days are a difference of two array elements.
 */
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';
import { fieldError, invalid } from '../../../platform/http/errors.ts';
import { loadCalendar, workingDays } from '../../../platform/calendar/index.ts';
import { hasPermission, scopesFor, type Principal } from '../../../platform/iam/principal.ts';
import { unitIdsUnderRegions } from '../../../platform/org/service.ts';
import { CHANNELS, OVERSIGHT_PERMISSION, STATS_PERMISSION, type Channel } from '../model.ts';

/** At most three years (three years of 366 days). */
export const MAX_PERIOD_DAYS = 3 * 366;

export interface StatsPeriod {
  from: string;
  to: string;
  /** [fromInstant, toInstant): Shanghai midnight of `from` to Shanghai midnight after `to`. */
  fromInstant: Date;
  toInstant: Date;
}

export interface Measures {
  received: number;
  answered: number;
  /** answered / received, 0 when nothing was received. */
  answerRate: number;
  /** Answered by the due date / answered; null when none was answered. */
  onTimeRate: number | null;
  /** Mean working days from receipt to answer over the answered cases; null when none was answered. */
  avgWorkingDays: number | null;
  /** Mean of the writers' ratings and the hotline's return-visit satisfaction (1..5); null when there is none. */
  satisfaction: number | null;
  /** Cases the writer reopened. */
  reopened: number;
}

export interface UnitStats extends Measures {
  unitId: string;
  unitName: string;
}

export interface ChannelStats extends Measures {
  channel: Channel;
}

/** The period of two 'YYYY-MM-DD' days (both included), or a 400 naming what is wrong. */
export function statsPeriod(from: string | undefined, to: string | undefined): StatsPeriod {
  const errors = [];
  if (!from || !workingDays.isValidDate(from)) errors.push(fieldError('from', 'interaction.stats.dateInvalid', { value: from ?? '' }));
  if (!to || !workingDays.isValidDate(to)) errors.push(fieldError('to', 'interaction.stats.dateInvalid', { value: to ?? '' }));
  if (!errors.length && from! > to!) errors.push(fieldError('to', 'interaction.stats.periodReversed'));
  if (!errors.length && workingDays.parseDate(to!)! - workingDays.parseDate(from!)! + 1 > MAX_PERIOD_DAYS) errors.push(fieldError('to', 'interaction.stats.periodTooLong', { years: 3 }));
  if (errors.length) throw invalid(errors);
  return { from: from!, to: to!, fromInstant: new Date(`${from}T00:00:00+08:00`), toInstant: new Date(`${workingDays.addCalendarDays(to!, 1)}T00:00:00+08:00`) };
}

/**
 * The units whose cases the caller may count. `units` null: every unit (an oversight assignment
 * scoped to a unit); `listed`: units shown even without a figure (the caller's own units).
 */
export async function statsScope(db: Db, principal: Principal): Promise<{ units: string[] | null; listed: string[] }> {
  const oversight = hasPermission(principal, OVERSIGHT_PERMISSION) ? scopesFor(principal, OVERSIGHT_PERMISSION) : [];
  const own = scopesFor(principal, STATS_PERMISSION);
  const listed = [...new Set(own.flatMap((s) => ('unitId' in s ? [s.unitId] : [])))];
  if (oversight.some((s) => 'unitId' in s)) return { units: null, listed };
  const ids = new Set<string>(listed);
  const regions = [...oversight, ...own].flatMap((s) => ('regionCode' in s ? [s.regionCode] : []));
  if (regions.length) for (const row of await unitIdsUnderRegions(db, regions).execute()) ids.add(row.id);
  return { units: [...ids], listed };
}

interface Row {
  key: string;
  received: number;
  answered: number;
  on_time: number;
  working_days: number | null;
  sat_sum: number | null;
  sat_n: number;
  reopened: number;
}

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

function measures(row: Row | undefined): Measures {
  const received = Number(row?.received ?? 0);
  const answered = Number(row?.answered ?? 0);
  const satN = Number(row?.sat_n ?? 0);
  return {
    received,
    answered,
    answerRate: received ? round(answered / received, 4) : 0,
    onTimeRate: answered ? round(Number(row!.on_time) / answered, 4) : null,
    avgWorkingDays: answered ? round(Number(row!.working_days) / answered, 2) : null,
    satisfaction: satN ? round(Number(row!.sat_sum) / satN, 2) : null,
    reopened: Number(row?.reopened ?? 0),
  };
}

/** The Shanghai calendar date of a timestamptz column, without relying on the server's time zone data. */
const shanghaiDay = (column: string) => sql`((${sql.ref(column)} at time zone 'UTC') + interval '8 hours')::date`;

/**
 * The running count of working days from the period's first day: element i (0-based) is the
 * number of working days in [from, from + i]. Long enough for answers given up to a year after
 * the later of the period's end and `now` (an answer cannot be given after `now`).
 */
async function workingDayIndex(db: Db, from: string, to: string, now: Date): Promise<number[]> {
  const today = workingDays.shanghaiDate(now);
  const last = workingDays.addCalendarDays(today > to ? today : to, 366);
  const calendar = await loadCalendar(db, from, last);
  const days = workingDays.parseDate(last)! - workingDays.parseDate(from)! + 1;
  const index: number[] = new Array(days);
  let running = 0;
  let date = from;
  for (let i = 0; i < days; i++) {
    if (workingDays.isWorkingDay(date, calendar)) running++;
    index[i] = running;
    date = workingDays.addCalendarDays(date, 1);
  }
  return index;
}

/** One statement over the period's cases, grouped by handling unit or by channel. */
async function countCases(db: Db, period: StatsPeriod, by: 'unit' | 'channel', options: { units: string[] | null; channel?: Channel; now: Date }): Promise<Row[]> {
  const index = await workingDayIndex(db, period.from, period.to, options.now);
  const key = by === 'unit' ? sql`handling_unit_id` : sql`channel`;
  const units = options.units ? sql` and handling_unit_id = any(${options.units}::text[])` : sql``;
  const channel = options.channel ? sql` and channel = ${options.channel}` : sql``;
  // w[d - from + 1] is the running count at date d: countWorkingDays(received, answered) = w[answered] - w[received].
  const w = (column: string) => sql`(${index}::int[])[${shanghaiDay(column)} - ${period.from}::date + 1]`;
  const result = await sql<Row>`
    select ${key} as key,
           count(*)::int as received,
           count(answered_at)::int as answered,
           count(*) filter (where answered_at is not null and ${shanghaiDay('answered_at')} <= due_date)::int as on_time,
           sum(${w('answered_at')} - ${w('received_at')})::float8 as working_days,
           (coalesce(sum(rating_score), 0) + coalesce(sum(visit_satisfaction), 0))::float8 as sat_sum,
           (count(rating_score) + count(visit_satisfaction))::int as sat_n,
           count(*) filter (where reopen_count > 0)::int as reopened
      from interaction_cases
     where received_at >= ${period.fromInstant} and received_at < ${period.toInstant} ${units} ${channel}
     group by 1`.execute(db);
  return result.rows;
}

/**
 * The caller's rows per handling unit: their own units (zeros included) and, within their scope,
 * every other unit with a case received in the period; sorted by unit name.
 */
export async function interactionStats(db: Db, principal: Principal, period: StatsPeriod, options: { channel?: Channel; now: Date }): Promise<UnitStats[]> {
  return computeUnitStats(db, period, { ...(await statsScope(db, principal)), ...options });
}

/** The rows of `units` (null: every unit) with a case in the period, and of `listed` in any case. */
export async function computeUnitStats(db: Db, period: StatsPeriod, options: { units: string[] | null; listed: string[]; channel?: Channel; now: Date }): Promise<UnitStats[]> {
  if (options.units && !options.units.length) return [];
  const rows = await countCases(db, period, 'unit', options);
  const byUnit = new Map(rows.map((r) => [r.key, r]));
  const ids = [...new Set([...options.listed, ...byUnit.keys()])];
  if (!ids.length) return [];
  const names = new Map((await sql<{ id: string; name: string }>`select id, name from units where id = any(${ids}::text[])`.execute(db)).rows.map((u) => [u.id, u.name]));
  return ids
    .map((unitId) => ({ unitId, unitName: names.get(unitId) ?? unitId, ...measures(byUnit.get(unitId)) }))
    .sort((a, b) => a.unitName.localeCompare(b.unitName, 'zh-CN') || a.unitId.localeCompare(b.unitId));
}

/** The same measures per channel (every channel listed, zeros included) over the caller's units. */
export async function interactionChannelStats(db: Db, principal: Principal, period: StatsPeriod, options: { now: Date }): Promise<ChannelStats[]> {
  return computeChannelStats(db, period, { units: (await statsScope(db, principal)).units, now: options.now });
}

export async function computeChannelStats(db: Db, period: StatsPeriod, options: { units: string[] | null; now: Date }): Promise<ChannelStats[]> {
  const rows = options.units && !options.units.length ? [] : await countCases(db, period, 'channel', options);
  const byChannel = new Map(rows.map((r) => [r.key, r]));
  return CHANNELS.map((channel) => ({ channel, ...measures(byChannel.get(channel)) }));
}
