/**
 * Working-day arithmetic on calendar dates ('YYYY-MM-DD', Asia/Shanghai), without a database.
 *
 * A day is a working day when the calendar marks it as a make-up working day (调休上班),
 * or when it is Monday to Friday and the calendar does not mark it as a holiday.
 *
 * Conventions (shared by addWorkingDays and countWorkingDays, so that
 * `countWorkingDays(from, addWorkingDays(from, n, c, s), c, s) === n` for every n):
 * - `from` itself never counts. Day 1 is the first working day after `from`; adding 0 returns `from`.
 * - Negative n counts backwards: -1 is the last working day before `from`.
 * - Counting forwards looks at the days in (from, to]; backwards (to < from) at [to, from) and
 *   gives a negative number.
 * - Clock stops are inclusive periods [start, end]; a working day inside any of them does not count.
 */

export type CalendarDate = string;
export type SpecialKind = 'holiday' | 'workday';
export const SPECIAL_KINDS: SpecialKind[] = ['holiday', 'workday'];

export interface SpecialDay {
  date: CalendarDate;
  kind: SpecialKind;
  name: string;
}

export interface WorkingCalendar {
  /** The non-ordinary days, by date. Days absent here follow the week (Saturday and Sunday off). */
  special: ReadonlyMap<CalendarDate, SpecialDay>;
  /** Years whose official holiday arrangement is loaded; other years are computed as ordinary weeks. */
  yearsWithData: ReadonlySet<number>;
}

/** A period when the legal clock stands still (补正, 听证, 公示...), both ends included. */
export interface ClockStop {
  start: CalendarDate;
  end: CalendarDate;
}

/** The supported dates; bounds every loop, so no input can make one run away. */
export const MIN_DATE = '2000-01-01';
export const MAX_DATE = '2099-12-31';
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2099;

const DAY_MS = 86_400_000;
const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a real calendar date, or null (wrong shape, 2026-02-30, ...). */
export function parseDate(text: string): number | null {
  const match = DATE_SHAPE.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return ms / DAY_MS;
}

export function formatDay(dayNumber: number): CalendarDate {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

const MIN_DAY = parseDate(MIN_DATE)!;
const MAX_DAY = parseDate(MAX_DATE)!;

/** True for a real date inside the supported range. */
export function isValidDate(text: string): boolean {
  const day = parseDate(text);
  return day !== null && day >= MIN_DAY && day <= MAX_DAY;
}

function toDay(text: string, what: string): number {
  const day = parseDate(text);
  if (day === null) throw new RangeError(`${what}: ${JSON.stringify(text)} is not a calendar date`);
  if (day < MIN_DAY || day > MAX_DAY) throw new RangeError(`${what}: ${text} is outside ${MIN_DATE}..${MAX_DATE}`);
  return day;
}

export const yearOf = (date: CalendarDate) => Number(date.slice(0, 4));

/** 0 = Sunday ... 6 = Saturday. */
export function weekdayOf(date: CalendarDate): number {
  return new Date(toDay(date, 'date') * DAY_MS).getUTCDay();
}

export function addCalendarDays(date: CalendarDate, days: number): CalendarDate {
  return formatDay(toDay(date, 'date') + days);
}

/** The calendar date in Asia/Shanghai (UTC+8 all year: China has no daylight saving time) at an instant. */
export function shanghaiDate(at: Date): CalendarDate {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** A calendar built from a list of special days (tests, callers holding the data already). */
export function makeCalendar(days: Iterable<SpecialDay>, yearsWithData: Iterable<number>): WorkingCalendar {
  const special = new Map<CalendarDate, SpecialDay>();
  for (const day of days) special.set(day.date, day);
  return { special, yearsWithData: new Set(yearsWithData) };
}

function isWorkingDayNumber(day: number, calendar: WorkingCalendar): boolean {
  const special = calendar.special.get(formatDay(day));
  if (special) return special.kind === 'workday';
  const weekday = new Date(day * DAY_MS).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

export function isWorkingDay(date: CalendarDate, calendar: WorkingCalendar): boolean {
  return isWorkingDayNumber(toDay(date, 'date'), calendar);
}

export interface DayInfo {
  date: CalendarDate;
  working: boolean;
  weekend: boolean;
  /** Set for a non-ordinary day only. */
  kind: SpecialKind | null;
  name: string | null;
  /** Whether the official arrangement for this date's year is loaded. */
  hasData: boolean;
}

export function dayInfo(date: CalendarDate, calendar: WorkingCalendar): DayInfo {
  const day = toDay(date, 'date');
  const weekday = new Date(day * DAY_MS).getUTCDay();
  const special = calendar.special.get(date) ?? null;
  return {
    date,
    working: isWorkingDayNumber(day, calendar),
    weekend: weekday === 0 || weekday === 6,
    kind: special?.kind ?? null,
    name: special?.name ?? null,
    hasData: calendar.yearsWithData.has(yearOf(date)),
  };
}

type Interval = [number, number];

function stopIntervals(stops: readonly ClockStop[]): Interval[] {
  return stops.map((stop, i) => {
    const start = toDay(stop.start, `stops[${i}].start`);
    const end = toDay(stop.end, `stops[${i}].end`);
    if (end < start) throw new RangeError(`stops[${i}]: end ${stop.end} is before start ${stop.start}`);
    return [start, end];
  });
}

const stopped = (day: number, intervals: Interval[]) => intervals.some(([start, end]) => day >= start && day <= end);

function counts(day: number, calendar: WorkingCalendar, intervals: Interval[]): boolean {
  return isWorkingDayNumber(day, calendar) && !stopped(day, intervals);
}

/**
 * The n-th working day after `from` (day 1 is the first working day after `from`; 0 gives
 * `from`; negative n counts backwards). Working days inside a clock stop are skipped, which
 * pushes a deadline back by the stopped time. Throws RangeError when a date is malformed or
 * the walk leaves the supported range.
 */
export function addWorkingDays(from: CalendarDate, n: number, calendar: WorkingCalendar, stops: readonly ClockStop[] = []): CalendarDate {
  if (!Number.isSafeInteger(n)) throw new RangeError(`n must be an integer, got ${n}`);
  let day = toDay(from, 'from');
  const intervals = stopIntervals(stops);
  const step = n < 0 ? -1 : 1;
  let left = Math.abs(n);
  while (left > 0) {
    day += step;
    if (day < MIN_DAY || day > MAX_DAY) throw new RangeError(`the result lies outside ${MIN_DATE}..${MAX_DATE}`);
    if (counts(day, calendar, intervals)) left--;
  }
  return formatDay(day);
}

/**
 * Working days from `from` to `to`: those in (from, to], or minus those in [to, from) when
 * `to` is earlier. Working days inside a clock stop are not counted.
 */
export function countWorkingDays(from: CalendarDate, to: CalendarDate, calendar: WorkingCalendar, stops: readonly ClockStop[] = []): number {
  const start = toDay(from, 'from');
  const end = toDay(to, 'to');
  const intervals = stopIntervals(stops);
  const [first, last, sign] = end >= start ? [start + 1, end, 1] : [end, start - 1, -1];
  let total = 0;
  for (let day = first; day <= last; day++) if (counts(day, calendar, intervals)) total++;
  return total === 0 ? 0 : sign * total;
}

/**
 * The days a computation from `from` to `to` looks at (see the conventions above), as an
 * inclusive [first, last], or null when it looks at none (from === to).
 */
export function examinedRange(from: CalendarDate, to: CalendarDate): [CalendarDate, CalendarDate] | null {
  const start = toDay(from, 'from');
  const end = toDay(to, 'to');
  if (start === end) return null;
  return end > start ? [formatDay(start + 1), formatDay(end)] : [formatDay(end), formatDay(start - 1)];
}

/** Years in [first, last] (inclusive dates) with no official holiday data: a result there may be wrong. */
export function yearsWithoutData(first: CalendarDate, last: CalendarDate, calendar: WorkingCalendar): number[] {
  const missing: number[] = [];
  for (let year = yearOf(first); year <= yearOf(last); year++) if (!calendar.yearsWithData.has(year)) missing.push(year);
  return missing;
}
