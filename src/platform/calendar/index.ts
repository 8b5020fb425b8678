import type { ZtModule } from '../module.ts';
import { calendarMigrations } from './migrations.ts';
import { calendarRoutes } from './routes.ts';
import { calendarMessages } from './messages.ts';

/**
 * The working-day calendar, as other modules use it: deadline arithmetic against the
 * platform database (addWorkingDays, countWorkingDays), the pure functions for callers that
 * already hold a loaded calendar (`workingDays.*`), and the module's migrations and routes.
 */
export {
  addWorkingDays,
  countWorkingDays,
  getDay,
  listYear,
  listYears,
  loadCalendar,
  setDay,
  clearDay,
  setYear,
  clearYear,
  MAX_ADD_DAYS,
  MAX_STOPS,
  type CalendarWarning,
  type CalendarDay,
  type CalendarYear,
  type CalendarTables,
  type ComputeOptions,
} from './service.ts';
export * as workingDays from './working-days.ts';
export { shanghaiDate, type CalendarDate, type ClockStop, type DayInfo, type SpecialDay, type SpecialKind, type WorkingCalendar } from './working-days.ts';
export { DEFAULT_WORKING_HOURS, minutesPerWorkingDay, parseWorkingHours, workingMinutesLeft, type WorkingPeriod } from './working-hours.ts';
export { calendarMigrations } from './migrations.ts';
export { calendarRoutes } from './routes.ts';

/** The working-day calendar with statutory holidays and make-up days. */
export const calendarManifest: ZtModule = {
  name: 'calendar',
  platform: true,
  migrations: calendarMigrations,
  routes: calendarRoutes,
  messages: [calendarMessages],
  errors: { CALENDAR_NO_DATA: { status: 422, zh: '该年度没有节假日数据', en: 'There is no holiday data for that year' } },
  permissions: [{ name: 'calendar.write', roles: ['sysadmin'] }],
};
