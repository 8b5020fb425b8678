import type { Generated } from 'kysely';
import { sql, type Db } from '../db/index.ts';
import type { Work } from '../db/work.ts';
import { recordAudit } from '../audit/service.ts';
import { fieldError, invalid, type FieldError } from '../http/errors.ts';
import * as pure from './working-days.ts';
import { MAX_DATE, MAX_YEAR, MIN_DATE, MIN_YEAR, parseDate, formatDay, type CalendarDate, type ClockStop, type DayInfo, type SpecialKind, type WorkingCalendar } from './working-days.ts';

export interface CalendarDayTable {
  date: string;
  kind: SpecialKind;
  name: string;
  updated_at: Generated<Date>;
}
export interface CalendarYearTable {
  year: number;
  source: string;
  updated_at: Generated<Date>;
}
export type CalendarTables = {
  calendar_days: CalendarDayTable;
  calendar_years: CalendarYearTable;
};

/** A computation looked at a year whose holidays are not entered: it was treated as ordinary weeks. */
export interface CalendarWarning {
  code: 'CALENDAR_NO_DATA';
  year: number;
}

export interface CalendarDay {
  date: CalendarDate;
  kind: SpecialKind;
  name: string;
  updatedAt: string;
}

export interface CalendarYear {
  year: number;
  source: string;
  updatedAt: string;
}

/** Largest |days| accepted by addWorkingDays: about four years, far beyond any statutory time limit. */
export const MAX_ADD_DAYS = 1000;
export const MAX_STOPS = 50;
const NAME_MAX = 50;
const SOURCE_MAX = 200;

const q = (db: Db) => db.withTables<CalendarTables>();
const iso = (value: Date | string) => new Date(value).toISOString();

// ---------------------------------------------------------------- validation

function dateErrors(value: string, path: string): FieldError[] {
  const day = parseDate(value);
  if (day === null) return [fieldError(path, 'calendar.dateInvalid', { value })];
  if (!pure.isValidDate(value)) return [fieldError(path, 'calendar.dateOutOfRange', { min: MIN_DATE, max: MAX_DATE })];
  return [];
}

function stopErrors(stops: readonly ClockStop[]): FieldError[] {
  if (stops.length > MAX_STOPS) return [fieldError('stops', 'calendar.tooManyStops', { max: MAX_STOPS })];
  return stops.flatMap((stop, i) => {
    const ok = pure.isValidDate(stop.start) && pure.isValidDate(stop.end) && stop.start <= stop.end;
    return ok ? [] : [fieldError(`stops.${i}`, 'calendar.stopInvalid', { value: `${stop.start}/${stop.end}` })];
  });
}

/** Throws VALIDATION_FAILED unless `value` is a supported calendar date. */
export function assertDate(value: string, path = 'date') {
  const errors = dateErrors(value, path);
  if (errors.length) throw invalid(errors);
}

export function assertYear(year: number, path = 'year') {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) throw invalid([fieldError(path, 'calendar.yearOutOfRange', { min: MIN_YEAR, max: MAX_YEAR })]);
}

// ---------------------------------------------------------------- reading

/**
 * The calendar for the dates [first, last]: the special days in that range and which of its
 * years have official data. Read fresh in every transaction, so every process sees every edit
 * at once; within a transaction (a case action computes several deadlines) it is read once, for
 * whole years around the dates asked, and reused.
 */
export async function loadCalendar(db: Db, first: CalendarDate, last: CalendarDate): Promise<WorkingCalendar> {
  if (!db.isTransaction) return readCalendar(db, first, last);
  const known = calendarsOfTransaction.get(db);
  const hit = known?.find((c) => c.first <= first && last <= c.last);
  if (hit) return hit.calendar;
  const [wideFirst, wideLast] = [`${Math.max(MIN_YEAR, pure.yearOf(first) - 1)}-01-01`, `${Math.min(MAX_YEAR, pure.yearOf(last) + 3)}-12-31`];
  const calendar = await readCalendar(db, wideFirst, wideLast);
  calendarsOfTransaction.set(db, [...(known ?? []), { first: wideFirst, last: wideLast, calendar }]);
  return calendar;
}

/** Calendars read by each open transaction (dropped with it); an edit in the transaction clears its entry. */
const calendarsOfTransaction = new WeakMap<Db, Array<{ first: CalendarDate; last: CalendarDate; calendar: WorkingCalendar }>>();

async function readCalendar(db: Db, first: CalendarDate, last: CalendarDate): Promise<WorkingCalendar> {
  // One statement for both: deadlines are computed in the transactions of every case action.
  const { rows } = await sql<{ date: string | null; kind: SpecialKind | null; name: string | null; year: number | null }>`
    select date, kind, name, null::integer as year from calendar_days where date >= ${first} and date <= ${last}
    union all
    select null::date, null, null, year from calendar_years where year >= ${pure.yearOf(first)} and year <= ${pure.yearOf(last)}`.execute(db);
  const days = rows.filter((r) => r.date !== null).map((r) => ({ date: r.date!, kind: r.kind!, name: r.name! }));
  return pure.makeCalendar(days, rows.filter((r) => r.year !== null).map((r) => r.year!));
}

function warningsFor(from: CalendarDate, to: CalendarDate, calendar: WorkingCalendar): CalendarWarning[] {
  const range = pure.examinedRange(from, to);
  if (!range) return [];
  return pure.yearsWithoutData(range[0], range[1], calendar).map((year) => ({ code: 'CALENDAR_NO_DATA', year }));
}

export interface ComputeOptions {
  /** Clock stops: their working days do not count (补正, 听证, 公示...). */
  stops?: readonly ClockStop[];
}

/**
 * The `days`-th working day after `from` (day 1 is the first working day after `from`; 0 gives
 * `from`; negative counts backwards). Working days inside clock stops are skipped, so a stop
 * pushes the deadline back. `warnings` lists the years looked at that have no holiday data.
 * Throws VALIDATION_FAILED on a bad date, |days| > MAX_ADD_DAYS or a result beyond 2099.
 */
export async function addWorkingDays(db: Db, from: CalendarDate, days: number, options: ComputeOptions = {}): Promise<{ date: CalendarDate; warnings: CalendarWarning[] }> {
  const stops = options.stops ?? [];
  const errors = [...dateErrors(from, 'from'), ...stopErrors(stops)];
  if (!Number.isInteger(days) || Math.abs(days) > MAX_ADD_DAYS) errors.push(fieldError('days', 'calendar.daysOutOfRange', { max: MAX_ADD_DAYS }));
  if (errors.length) throw invalid(errors);

  const start = parseDate(from)!;
  const direction = days < 0 ? -1 : 1;
  const minDay = parseDate(MIN_DATE)!;
  const maxDay = parseDate(MAX_DATE)!;
  const stopped = stops.reduce((sum, s) => sum + parseDate(s.end)! - parseDate(s.start)! + 1, 0);
  // Long enough for the weekends, a Golden Week and the stops; widened and read again in the rare case it was not.
  let reach = Math.ceil((Math.abs(days) * 7) / 5) + 30 + stopped;
  for (;;) {
    const edge = Math.min(maxDay, Math.max(minDay, start + direction * reach));
    const [first, last] = direction > 0 ? [from, formatDay(edge)] : [formatDay(edge), from];
    const calendar = await loadCalendar(db, first, last);
    let date: CalendarDate;
    try {
      date = pure.addWorkingDays(from, days, calendar, stops);
    } catch (error) {
      if (error instanceof RangeError) throw invalid([fieldError('days', 'calendar.resultOutOfRange', { min: MIN_DATE, max: MAX_DATE })]);
      throw error;
    }
    if (date >= first && date <= last) return { date, warnings: warningsFor(from, date, calendar) };
    reach = Math.abs(parseDate(date)! - start) + 30;
  }
}

/**
 * Working days from `from` to `to`, excluding those inside clock stops: the days in (from, to],
 * or minus those in [to, from) when `to` is earlier (the inverse of addWorkingDays).
 */
export async function countWorkingDays(db: Db, from: CalendarDate, to: CalendarDate, options: ComputeOptions = {}): Promise<{ workingDays: number; warnings: CalendarWarning[] }> {
  const stops = options.stops ?? [];
  const errors = [...dateErrors(from, 'from'), ...dateErrors(to, 'to'), ...stopErrors(stops)];
  if (errors.length) throw invalid(errors);
  const [first, last] = from <= to ? [from, to] : [to, from];
  const calendar = await loadCalendar(db, first, last);
  return { workingDays: pure.countWorkingDays(from, to, calendar, stops), warnings: warningsFor(from, to, calendar) };
}

/** What the calendar says about one date. */
export async function getDay(db: Db, date: CalendarDate): Promise<DayInfo> {
  assertDate(date);
  return pure.dayInfo(date, await loadCalendar(db, date, date));
}

/** Every non-ordinary day of a year, in date order, and whether the year's official arrangement is entered. */
export async function listYear(db: Db, year: number): Promise<{ year: number; hasData: boolean; source: string | null; items: CalendarDay[] }> {
  assertYear(year);
  const [rows, marked] = await Promise.all([
    q(db).selectFrom('calendar_days').selectAll().where('date', '>=', `${year}-01-01`).where('date', '<=', `${year}-12-31`).orderBy('date').execute(),
    q(db).selectFrom('calendar_years').select('source').where('year', '=', year).executeTakeFirst(),
  ]);
  return {
    year,
    hasData: !!marked,
    source: marked?.source ?? null,
    items: rows.map((r) => ({ date: r.date, kind: r.kind, name: r.name, updatedAt: iso(r.updated_at) })),
  };
}

export async function listYears(db: Db): Promise<CalendarYear[]> {
  const rows = await q(db).selectFrom('calendar_years').selectAll().orderBy('year').execute();
  return rows.map((r) => ({ year: r.year, source: r.source, updatedAt: iso(r.updated_at) }));
}

// ---------------------------------------------------------------- editing

// Per-date and per-year transaction locks: concurrent edits of one day queue up, so each
// audit record names the value it really replaced.
const DAY_LOCK = 7_346_100;
const YEAR_LOCK = 7_346_101;

/** Makes `date` a holiday or a make-up working day (creates or replaces). An unchanged day writes nothing. */
export async function setDay(work: Work, date: CalendarDate, input: { kind: SpecialKind; name: string }, now: Date): Promise<CalendarDay> {
  const name = input.name.trim();
  const errors = dateErrors(date, 'date');
  if (!name || name.length > NAME_MAX) errors.push(fieldError('name', 'calendar.nameRequired'));
  if (!errors.length && input.kind === 'workday') {
    const weekday = pure.weekdayOf(date);
    if (weekday !== 0 && weekday !== 6) errors.push(fieldError('kind', 'calendar.workdayOnWeekday', { date }));
  }
  if (errors.length) throw invalid(errors);

  await sql`select pg_advisory_xact_lock(${DAY_LOCK}::int, ${parseDate(date)!}::int)`.execute(work.tx);
  calendarsOfTransaction.delete(work.tx);
  const previous = await q(work.tx).selectFrom('calendar_days').selectAll().where('date', '=', date).executeTakeFirst();
  if (previous && previous.kind === input.kind && previous.name === name) {
    return { date, kind: previous.kind, name: previous.name, updatedAt: iso(previous.updated_at) };
  }
  const row = await q(work.tx)
    .insertInto('calendar_days')
    .values({ date, kind: input.kind, name, updated_at: now })
    .onConflict((oc) => oc.column('date').doUpdateSet({ kind: input.kind, name, updated_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
  recordAudit(
    work,
    { action: 'calendar.day.set', objectType: 'calendar_day', objectId: date, details: { kind: row.kind, name: row.name, previous: previous ? { kind: previous.kind, name: previous.name } : null } },
    now,
  );
  return { date, kind: row.kind, name: row.name, updatedAt: iso(row.updated_at) };
}

/** Makes `date` ordinary again. Returns false (and writes nothing) when it already was. */
export async function clearDay(work: Work, date: CalendarDate, now: Date): Promise<boolean> {
  assertDate(date);
  await sql`select pg_advisory_xact_lock(${DAY_LOCK}::int, ${parseDate(date)!}::int)`.execute(work.tx);
  calendarsOfTransaction.delete(work.tx);
  const removed = await q(work.tx).deleteFrom('calendar_days').where('date', '=', date).returningAll().executeTakeFirst();
  if (!removed) return false;
  recordAudit(work, { action: 'calendar.day.clear', objectType: 'calendar_day', objectId: date, details: { previous: { kind: removed.kind, name: removed.name } } }, now);
  return true;
}

/**
 * Records that the official arrangement of `year` is fully entered (its source, e.g. the
 * notice's title): computations in that year stop warning.
 */
export async function setYear(work: Work, year: number, input: { source: string }, now: Date): Promise<CalendarYear> {
  assertYear(year);
  const source = input.source.trim();
  if (!source || source.length > SOURCE_MAX) throw invalid([fieldError('source', 'calendar.nameRequired')]);
  await sql`select pg_advisory_xact_lock(${YEAR_LOCK}::int, ${year}::int)`.execute(work.tx);
  calendarsOfTransaction.delete(work.tx);
  const previous = await q(work.tx).selectFrom('calendar_years').selectAll().where('year', '=', year).executeTakeFirst();
  if (previous && previous.source === source) return { year, source, updatedAt: iso(previous.updated_at) };
  const row = await q(work.tx)
    .insertInto('calendar_years')
    .values({ year, source, updated_at: now })
    .onConflict((oc) => oc.column('year').doUpdateSet({ source, updated_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
  recordAudit(work, { action: 'calendar.year.set', objectType: 'calendar_year', objectId: String(year), details: { source, previous: previous?.source ?? null } }, now);
  return { year, source: row.source, updatedAt: iso(row.updated_at) };
}

/** Marks `year` as not entered (its days stay). Returns false when it was not marked. */
export async function clearYear(work: Work, year: number, now: Date): Promise<boolean> {
  assertYear(year);
  await sql`select pg_advisory_xact_lock(${YEAR_LOCK}::int, ${year}::int)`.execute(work.tx);
  calendarsOfTransaction.delete(work.tx);
  const removed = await q(work.tx).deleteFrom('calendar_years').where('year', '=', year).returningAll().executeTakeFirst();
  if (!removed) return false;
  recordAudit(work, { action: 'calendar.year.clear', objectType: 'calendar_year', objectId: String(year), details: { previous: removed.source } }, now);
  return true;
}
