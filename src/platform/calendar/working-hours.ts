/**
 * The working hours of a working day (8:30–12:00 and 14:00–17:30 by default; ZT_WORKING_HOURS)
 * and how many working minutes remain until the end of a due date, in Asia/Shanghai (UTC+8, no
 * daylight saving). Short time limits (1 or 2 working days) are watched in these minutes: a step
 * of one working day is not at risk at 9:00 on its due date the way it is at 17:00.
 */
import { addCalendarDays, isWorkingDay, shanghaiDate, type CalendarDate, type WorkingCalendar } from './working-days.ts';

/** A period of the working day in minutes after midnight: [start, end). */
export type WorkingPeriod = readonly [number, number];

export const DEFAULT_WORKING_HOURS: readonly WorkingPeriod[] = [
  [8 * 60 + 30, 12 * 60],
  [14 * 60, 17 * 60 + 30],
];

const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const minutes = (text: string) => {
  const m = TIME.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

/**
 * Parses "08:30-12:00,14:00-17:30": periods in order, none empty, none overlapping. Null when the
 * text is not such a list.
 */
export function parseWorkingHours(text: string): WorkingPeriod[] | null {
  const periods: WorkingPeriod[] = [];
  for (const part of text.split(',')) {
    const [from, to, extra] = part.split('-');
    if (from === undefined || to === undefined || extra !== undefined) return null;
    const start = minutes(from);
    const end = minutes(to);
    if (start === null || end === null || end <= start) return null;
    if (periods.length && start < periods[periods.length - 1][1]) return null;
    periods.push([start, end]);
  }
  return periods.length ? periods : null;
}

export const minutesPerWorkingDay = (hours: readonly WorkingPeriod[]) => hours.reduce((sum, [start, end]) => sum + end - start, 0);

const SHANGHAI_OFFSET_MINUTES = 8 * 60;
const minuteOfDay = (at: Date) => Math.floor(at.getTime() / 60_000 + SHANGHAI_OFFSET_MINUTES) % 1440;

/**
 * Working minutes from `now` to the end of the working day `dueDate` (0 once past it): the rest of
 * today's working periods when today is a working day, and every working day after it up to the
 * due date in full.
 */
export function workingMinutesLeft(now: Date, dueDate: CalendarDate, calendar: WorkingCalendar, hours: readonly WorkingPeriod[] = DEFAULT_WORKING_HOURS): number {
  const today = shanghaiDate(now);
  if (today > dueDate) return 0;
  const nowMinute = minuteOfDay(now);
  let total = 0;
  for (let day = today; day <= dueDate; day = addCalendarDays(day, 1)) {
    if (!isWorkingDay(day, calendar)) continue;
    for (const [start, end] of hours) total += day === today ? Math.max(0, end - Math.max(start, nowMinute)) : end - start;
  }
  return total;
}
