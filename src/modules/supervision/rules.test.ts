import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowAction, ProcessDefinition } from '../../platform/flow/engine.ts';
import { allowanceBands, caseEventsOutOfOrder, deadlineColor, DEFAULT_SETTINGS, flowOutOfOrder, lacksReasons, openStepColor, yellowAllowance } from './rules.ts';
import { DEFAULT_WORKING_HOURS, parseWorkingHours, workingMinutesLeft } from '../../platform/calendar/working-hours.ts';
import { makeCalendar } from '../../platform/calendar/working-days.ts';
import { loadConfig, ConfigError } from '../../config/index.ts';

test('the yellow allowance: at most 1 working day left, or 80% of the time used', () => {
  assert.equal(yellowAllowance(1, DEFAULT_SETTINGS), 1);
  assert.equal(yellowAllowance(9, DEFAULT_SETTINGS), 1);
  assert.equal(yellowAllowance(10, DEFAULT_SETTINGS), 2);
  assert.equal(yellowAllowance(20, DEFAULT_SETTINGS), 4);
  assert.equal(yellowAllowance(365, DEFAULT_SETTINGS), 73);
  assert.equal(yellowAllowance(20, { yellowRemainingDays: 3, yellowUsedPercent: 100 }), 3);
});

test('the bands cover every time limit once, contiguously, each with its allowance', () => {
  const bands = allowanceBands(DEFAULT_SETTINGS);
  assert.equal(bands[0].minDays, 1);
  assert.equal(bands[bands.length - 1].maxDays, 365);
  for (let i = 1; i < bands.length; i++) assert.equal(bands[i].minDays, bands[i - 1].maxDays + 1);
  for (const band of bands) for (let d = band.minDays; d <= band.maxDays; d++) assert.equal(yellowAllowance(d, DEFAULT_SETTINGS), band.remaining);
  assert.equal(bands.length, 73);
});

test('deadline colour: red once the due date is past, yellow within the allowance', () => {
  assert.equal(deadlineColor('2026-11-04', '2026-11-03', -1, 1), 'red');
  assert.equal(deadlineColor('2026-11-03', '2026-11-03', 0, 1), 'yellow');
  assert.equal(deadlineColor('2026-11-02', '2026-11-03', 1, 1), 'yellow');
  assert.equal(deadlineColor('2026-11-02', '2026-11-05', 3, 1), null);
  // Never yellow with the whole time limit ahead, whatever the settings.
  assert.equal(deadlineColor('2026-11-02', '2026-11-05', 3, 5, 3), null);
  assert.equal(deadlineColor('2026-11-03', '2026-11-05', 2, 5, 3), 'yellow');
});

const inShanghai = (text: string) => new Date(`${text}+08:00`);
// 2026-11-02 is a Monday; no holiday that week. The year has data, so weekends are rest days.
const calendar = makeCalendar([{ date: '2026-11-07', kind: 'workday', name: '调休上班' }], [2026]);

test('working minutes left until the end of a due date, in the working day’s hours', () => {
  assert.equal(workingMinutesLeft(inShanghai('2026-11-02T10:00:00'), '2026-11-03', calendar), 120 + 210 + 420);
  assert.equal(workingMinutesLeft(inShanghai('2026-11-03T12:30:00'), '2026-11-03', calendar), 210);
  assert.equal(workingMinutesLeft(inShanghai('2026-11-03T17:45:00'), '2026-11-03', calendar), 0);
  assert.equal(workingMinutesLeft(inShanghai('2026-11-04T00:00:01'), '2026-11-03', calendar), 0);
  assert.equal(workingMinutesLeft(inShanghai('2026-11-06T20:00:00'), '2026-11-09', calendar), 420 + 420, 'the working Saturday counts, Sunday does not');
  assert.equal(workingMinutesLeft(inShanghai('2026-11-03T09:00:00'), '2026-11-03', calendar, [[540, 600]]), 60, 'other hours');
});

test('short steps in working minutes: a one-day step is not yellow when it opens, only in its last 84 minutes', () => {
  const step = { dueDate: '2026-11-03', days: 1 };
  const color = (text: string) => openStepColor(inShanghai(text), step, calendar, DEFAULT_WORKING_HOURS, DEFAULT_SETTINGS);
  assert.equal(color('2026-11-02T10:00:00'), null, 'opened on Monday');
  assert.equal(color('2026-11-02T17:20:00'), null, 'opened late on Monday: a full day ahead');
  assert.equal(color('2026-11-03T09:00:00'), null);
  assert.equal(color('2026-11-03T16:05:00'), null);
  assert.equal(color('2026-11-03T16:06:00'), 'yellow');
  assert.equal(color('2026-11-03T23:59:59'), 'yellow');
  assert.equal(color('2026-11-04T00:00:00'), 'red');
  const two = { dueDate: '2026-11-04', days: 2 };
  assert.equal(openStepColor(inShanghai('2026-11-04T14:00:00'), two, calendar, DEFAULT_WORKING_HOURS, DEFAULT_SETTINGS), null, '210 of 840 minutes left');
  assert.equal(openStepColor(inShanghai('2026-11-04T15:12:00'), two, calendar, DEFAULT_WORKING_HOURS, DEFAULT_SETTINGS), 'yellow', '138 ≤ 168 minutes left');
  // Longer steps in working days, never yellow when they open.
  assert.equal(openStepColor(inShanghai('2026-11-02T10:00:00'), { dueDate: '2026-11-05', days: 3 }, calendar, DEFAULT_WORKING_HOURS, { yellowRemainingDays: 5, yellowUsedPercent: 80 }), null);
  assert.equal(openStepColor(inShanghai('2026-11-04T10:00:00'), { dueDate: '2026-11-05', days: 3 }, calendar, DEFAULT_WORKING_HOURS, DEFAULT_SETTINGS), 'yellow');
});

test('the working hours are configurable (ZT_WORKING_HOURS) and checked', () => {
  assert.deepEqual(parseWorkingHours('08:30-12:00,14:00-17:30'), DEFAULT_WORKING_HOURS);
  assert.deepEqual(parseWorkingHours('9:00-17:00'), [[540, 1020]]);
  for (const bad of ['', '8-12', '12:00-08:30', '08:00-12:00,11:00-13:00', '08:00-12:00-13:00', '25:00-26:00']) assert.equal(parseWorkingHours(bad), null, bad);
  assert.deepEqual(loadConfig({ ZT_WORKING_HOURS: '09:00-12:00,13:00-18:00' }).workingHours, [[540, 720], [780, 1080]]);
  assert.deepEqual(loadConfig({}).workingHours, DEFAULT_WORKING_HOURS);
  assert.throws(() => loadConfig({ ZT_WORKING_HOURS: 'all day' }), ConfigError);
});

test('a rejection without reasons', () => {
  for (const text of [null, '', '   ', '无', '不符合。', 'No', '驳回！', '不行']) assert.equal(lacksReasons(text, 4), true, String(text));
  for (const text of ['材料不全：缺少营业执照', '经营场所与申请不符', 'The site plan is missing']) assert.equal(lacksReasons(text, 4), false, text);
});

const definition: ProcessDefinition = {
  stages: [
    { key: 'accept', name: '受理', unitId: 'U0', role: 'window_clerk', days: 1 },
    { key: 'review', name: '审查', unitId: 'U1', role: 'approver', days: 3 },
  ],
};
const at = (minute: number) => new Date(Date.UTC(2026, 10, 2, 2, minute));
const log = (...entries: Array<[FlowAction, number]>) => entries.map(([payload, minute]) => ({ payload, at: at(minute) }));

test('actions out of order: a later stage first, anything after the end, time going back', () => {
  assert.equal(flowOutOfOrder(definition, log([{ type: 'start' }, 0], [{ type: 'complete', stepKey: 'accept', outcome: 'approve', by: 'a' }, 1], [{ type: 'complete', stepKey: 'review', outcome: 'approve', by: 'b' }, 2])), null);
  assert.deepEqual(flowOutOfOrder(definition, log([{ type: 'start' }, 0], [{ type: 'complete', stepKey: 'review', outcome: 'approve', by: 'b' }, 1])), { seq: 1, problem: 'not_allowed' });
  assert.deepEqual(flowOutOfOrder(definition, log([{ type: 'start' }, 5], [{ type: 'complete', stepKey: 'accept', outcome: 'approve', by: 'a' }, 1])), { seq: 1, problem: 'time_goes_back' });
  assert.deepEqual(
    flowOutOfOrder(definition, log([{ type: 'start' }, 0], [{ type: 'complete', stepKey: 'accept', outcome: 'reject', by: 'a', opinion: '材料不全' }, 1], [{ type: 'complete', stepKey: 'review', outcome: 'approve', by: 'b' }, 2])),
    { seq: 2, problem: 'not_allowed' },
  );
  const events = (...types: string[]) => types.map((type, seq) => ({ seq, type, at: at(seq) }));
  assert.equal(caseEventsOutOfOrder(events('submitted', 'accepted', 'approved')), null);
  assert.deepEqual(caseEventsOutOfOrder(events('submitted', 'approved')), { seq: 1, problem: 'decision_before_end' });
  assert.deepEqual(caseEventsOutOfOrder(events('submitted', 'accepted', 'accepted')), { seq: 2, problem: 'duplicate_acceptance' });
  assert.deepEqual(caseEventsOutOfOrder(events('submitted', 'rejected', 'accepted')), { seq: 2, problem: 'after_end' });
});
