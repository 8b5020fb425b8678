import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowAction, ProcessDefinition } from '../../platform/flow/engine.ts';
import { allowanceBands, caseEventsOutOfOrder, deadlineColor, DEFAULT_SETTINGS, flowOutOfOrder, lacksReasons, yellowAllowance } from './rules.ts';

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
