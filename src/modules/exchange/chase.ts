/**
 * When an unsigned received document is chased (催办): a number of working minutes after it was
 * delivered, counted in the working hours (ZT_WORKING_HOURS) of the working days of the platform's
 * calendar. Urgent and extra urgent documents: ZT_EXCHANGE_CHASE_URGENT_HOURS (4) working hours;
 * the others: ZT_EXCHANGE_CHASE_DAYS (1) working days.
 */
import type { Db } from '../../platform/db/index.ts';
import type { Platform } from '../../platform/module.ts';
import { loadCalendar, minutesPerWorkingDay, shanghaiDate, type WorkingPeriod } from '../../platform/calendar/index.ts';
import { addCalendarDays, isWorkingDay } from '../../platform/calendar/working-days.ts';
import type { Urgency } from './model.ts';

const SHANGHAI_OFFSET_MINUTES = 8 * 60;
const minuteOfDay = (at: Date) => Math.floor(at.getTime() / 60_000 + SHANGHAI_OFFSET_MINUTES) % 1440;
const atShanghai = (date: string, minute: number) => new Date(Date.parse(`${date}T00:00:00Z`) + (minute - SHANGHAI_OFFSET_MINUTES) * 60_000);

/** The working minutes to wait before chasing a document of this urgency. */
export function chaseMinutes(platform: Platform, urgency: Urgency): number {
  const { urgentWorkingHours, normalWorkingDays } = platform.config.exchangeChase;
  return urgency === 'normal' ? normalWorkingDays * minutesPerWorkingDay(platform.config.workingHours) : urgentWorkingHours * 60;
}

/** `from` plus `minutes` working minutes. */
export function addWorkingMinutes(from: Date, minutes: number, isWorking: (date: string) => boolean, hours: readonly WorkingPeriod[]): Date {
  let left = minutes;
  let day = shanghaiDate(from);
  let after = minuteOfDay(from);
  for (let i = 0; i < 3660; i++) {
    if (isWorking(day)) {
      for (const [start, end] of hours) {
        const begin = Math.max(start, after);
        if (begin >= end) continue;
        if (left <= end - begin) return atShanghai(day, begin + left);
        left -= end - begin;
      }
    }
    day = addCalendarDays(day, 1);
    after = 0;
  }
  throw new RangeError('no working time in ten years');
}

/** When a receipt delivered at `deliveredAt` is chased. */
export async function chaseAt(db: Db, platform: Platform, deliveredAt: Date, urgency: Urgency): Promise<Date> {
  const first = shanghaiDate(deliveredAt);
  const calendar = await loadCalendar(db, first, addCalendarDays(first, 400));
  return addWorkingMinutes(deliveredAt, chaseMinutes(platform, urgency), (date) => isWorkingDay(date, calendar), platform.config.workingHours);
}
