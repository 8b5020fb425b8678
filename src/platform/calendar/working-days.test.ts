import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addWorkingDays,
  countWorkingDays,
  dayInfo,
  examinedRange,
  isValidDate,
  isWorkingDay,
  makeCalendar,
  parseDate,
  shanghaiDate,
  weekdayOf,
  yearsWithoutData,
  addCalendarDays,
} from './working-days.ts';
import { OFFICIAL_ARRANGEMENTS, arrangementDays } from './migrations.ts';

const official = makeCalendar(OFFICIAL_ARRANGEMENTS.flatMap(arrangementDays), [2025, 2026]);
const weeksOnly = makeCalendar([], []);

test('the official data: make-up days fall on the weekday the notices say, holidays total as announced', () => {
  const expectedWorkdays: Record<string, number> = {
    '2025-01-26': 0,
    '2025-02-08': 6,
    '2025-04-27': 0,
    '2025-09-28': 0,
    '2025-10-11': 6,
    '2026-01-04': 0,
    '2026-02-14': 6,
    '2026-02-28': 6,
    '2026-05-09': 6,
    '2026-09-20': 0,
    '2026-10-10': 6,
  };
  const days = OFFICIAL_ARRANGEMENTS.flatMap(arrangementDays);
  const workdays = days.filter((d) => d.kind === 'workday');
  assert.deepEqual(Object.fromEntries(workdays.map((d) => [d.date, weekdayOf(d.date)])), expectedWorkdays);
  const holidays = (year: number) => days.filter((d) => d.kind === 'holiday' && d.date.startsWith(String(year))).length;
  // 2025: 1 + 8 + 3 + 5 + 3 + 8; 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7.
  assert.equal(holidays(2025), 28);
  assert.equal(holidays(2026), 33);
  assert.equal(new Set(days.map((d) => d.date)).size, days.length, 'no date twice');
  // The notices' own weekdays of some first and last holidays.
  assert.equal(weekdayOf('2025-01-28'), 2);
  assert.equal(weekdayOf('2026-02-15'), 0);
  assert.equal(weekdayOf('2026-02-23'), 1);
  assert.equal(weekdayOf('2026-10-07'), 3);
});

test('isWorkingDay: weekdays, weekends, holidays and make-up Saturdays', () => {
  assert.equal(isWorkingDay('2026-03-02', official), true); // Monday
  assert.equal(isWorkingDay('2026-03-07', official), false); // Saturday
  assert.equal(isWorkingDay('2026-10-01', official), false); // National Day, Thursday
  assert.equal(isWorkingDay('2026-10-10', official), true); // make-up Saturday
  assert.equal(isWorkingDay('2026-09-20', official), true); // make-up Sunday
  assert.equal(isWorkingDay('2026-10-10', weeksOnly), false);
  assert.deepEqual(dayInfo('2026-10-10', official), { date: '2026-10-10', working: true, weekend: true, kind: 'workday', name: '国庆节调休上班', hasData: true });
  assert.deepEqual(dayInfo('2027-10-01', official), { date: '2027-10-01', working: true, weekend: false, kind: null, name: null, hasData: false });
});

test('a deadline across National Day 2026 lands after the holiday and counts the make-up Saturday', () => {
  // Wednesday 30 September: 1-7 October off, Thursday 8 and Friday 9 work, Saturday 10 is a make-up day.
  assert.equal(addWorkingDays('2026-09-30', 1, official), '2026-10-08');
  assert.equal(addWorkingDays('2026-09-30', 2, official), '2026-10-09');
  assert.equal(addWorkingDays('2026-09-30', 3, official), '2026-10-10');
  assert.equal(addWorkingDays('2026-09-30', 4, official), '2026-10-12');
  // Mid-Autumn (25-27 September) and the make-up Sunday 20 September.
  assert.equal(addWorkingDays('2026-09-18', 1, official), '2026-09-20');
  assert.equal(addWorkingDays('2026-09-24', 1, official), '2026-09-28');
  // A 20-working-day time limit from Friday 18 September 2026.
  assert.equal(addWorkingDays('2026-09-18', 20, official), '2026-10-22');
  assert.equal(countWorkingDays('2026-09-18', '2026-10-22', official), 20);
  // Without the holiday data the same sum is ordinary weeks.
  assert.equal(addWorkingDays('2026-09-30', 1, weeksOnly), '2026-10-01');
});

test('Spring Festival 2026: 15-23 February off, Saturdays 14 and 28 February worked', () => {
  assert.equal(addWorkingDays('2026-02-13', 1, official), '2026-02-14');
  assert.equal(addWorkingDays('2026-02-13', 2, official), '2026-02-24');
  assert.equal(addWorkingDays('2026-02-12', 5, official), '2026-02-26');
  assert.equal(countWorkingDays('2026-02-13', '2026-02-28', official), 6);
  assert.equal(countWorkingDays('2026-02-14', '2026-02-23', official), 0);
  // 2025's Spring Festival with its make-up Sunday 26 January.
  assert.equal(addWorkingDays('2025-01-24', 1, official), '2025-01-26');
  assert.equal(addWorkingDays('2025-01-26', 1, official), '2025-01-27');
  assert.equal(addWorkingDays('2025-01-27', 1, official), '2025-02-05');
});

test('day 0 is from itself; negative days count backwards', () => {
  assert.equal(addWorkingDays('2026-03-07', 0, official), '2026-03-07');
  assert.equal(addWorkingDays('2026-10-08', -1, official), '2026-09-30');
  assert.equal(addWorkingDays('2026-10-12', -1, official), '2026-10-10');
  assert.equal(addWorkingDays('2026-03-07', -1, official), '2026-03-06'); // from a Saturday
  assert.equal(countWorkingDays('2026-10-08', '2026-09-30', official), -1);
  assert.equal(countWorkingDays('2026-03-07', '2026-03-06', official), -1);
  assert.equal(countWorkingDays('2026-03-07', '2026-03-07', official), 0);
});

test('clock stops: their working days are skipped when adding and excluded when counting', () => {
  const stops = [{ start: '2026-03-04', end: '2026-03-05' }];
  assert.equal(addWorkingDays('2026-03-02', 5, official), '2026-03-09');
  assert.equal(addWorkingDays('2026-03-02', 5, official, stops), '2026-03-11');
  assert.equal(countWorkingDays('2026-03-02', '2026-03-11', official), 7);
  assert.equal(countWorkingDays('2026-03-02', '2026-03-11', official, stops), 5);
  // Overlapping stops count once; a stop over a weekend removes nothing extra.
  const overlapping = [...stops, { start: '2026-03-05', end: '2026-03-08' }];
  assert.equal(countWorkingDays('2026-03-02', '2026-03-11', official, overlapping), 4);
  // A stop across National Day only removes the working days inside it.
  assert.equal(countWorkingDays('2026-09-30', '2026-10-12', official, [{ start: '2026-10-05', end: '2026-10-09' }]), 2);
  assert.throws(() => countWorkingDays('2026-03-02', '2026-03-11', official, [{ start: '2026-03-05', end: '2026-03-04' }]), RangeError);
});

test('adding then counting gives back the same number, with and without stops', () => {
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 400; i++) {
    const from = addCalendarDays('2025-01-01', Math.floor(random() * 700));
    const n = Math.floor(random() * 241) - 120;
    const stopStart = addCalendarDays(from, Math.floor(random() * 60) - 30);
    const stops = i % 2 ? [{ start: stopStart, end: addCalendarDays(stopStart, Math.floor(random() * 15)) }] : [];
    const to = addWorkingDays(from, n, official, stops);
    assert.equal(countWorkingDays(from, to, official, stops), n, `${from} ${n} ${JSON.stringify(stops)}`);
    if (n !== 0) assert.equal(isWorkingDay(to, official), true);
  }
});

test('dates are checked: shape, real days, supported range', () => {
  assert.equal(parseDate('2026-02-30'), null);
  assert.equal(parseDate('2026-2-3'), null);
  assert.equal(parseDate('2026-13-01'), null);
  assert.equal(parseDate('2028-02-29') !== null, true);
  assert.equal(parseDate('2026-02-29'), null);
  assert.equal(isValidDate('1999-12-31'), false);
  assert.equal(isValidDate('2100-01-01'), false);
  assert.throws(() => addWorkingDays('2026-02-30', 1, official), RangeError);
  assert.throws(() => addWorkingDays('2026-02-03', 1.5, official), RangeError);
  assert.throws(() => addWorkingDays('2099-12-30', 5, official), RangeError);
  assert.throws(() => countWorkingDays('2026-01-01', 'tomorrow', official), RangeError);
});

test('years without data are reported for the days actually looked at', () => {
  assert.deepEqual(examinedRange('2024-12-31', '2025-01-02'), ['2025-01-01', '2025-01-02']);
  assert.deepEqual(examinedRange('2025-01-02', '2024-12-31'), ['2024-12-31', '2025-01-01']);
  assert.equal(examinedRange('2025-01-02', '2025-01-02'), null);
  assert.equal(addWorkingDays('2024-12-31', 1, official), '2025-01-02');
  assert.deepEqual(yearsWithoutData('2025-01-01', '2025-01-02', official), []);
  assert.deepEqual(yearsWithoutData('2026-12-01', '2028-01-10', official), [2027, 2028]);
});

test('shanghaiDate: the date in China at an instant', () => {
  assert.equal(shanghaiDate(new Date('2026-09-30T16:30:00Z')), '2026-10-01');
  assert.equal(shanghaiDate(new Date('2026-09-30T15:59:59Z')), '2026-09-30');
});
