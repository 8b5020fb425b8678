import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveState, allowedActions, openSteps, validateDefinition, FlowError, type ProcessDefinition, type FlowAction } from './engine.ts';

const definition: ProcessDefinition = {
  stages: [
    { key: 'accept', name: '受理', unitId: 'U0', role: 'window_clerk', days: 1 },
    {
      parallel: [
        { key: 'planning', name: '规划审查', unitId: 'U1', role: 'approver', days: 3 },
        { key: 'fire', name: '消防审查', unitId: 'U2', role: 'approver', days: 3 },
      ],
    },
    { key: 'decide', name: '决定', unitId: 'U0', role: 'unit_leader', days: 2 },
  ],
};

const approve = (stepKey: string, by = 'u'): FlowAction => ({ type: 'complete', stepKey, outcome: 'approve', by });

test('a case runs through its stages; a parallel stage waits for every branch', () => {
  let log: FlowAction[] = [{ type: 'start' }];
  assert.deepEqual(openSteps(deriveState(definition, log)).map((s) => s.key), ['accept']);
  log = [...log, approve('accept')];
  assert.deepEqual(openSteps(deriveState(definition, log)).map((s) => s.key), ['planning', 'fire']);
  log = [...log, approve('fire')];
  assert.deepEqual(openSteps(deriveState(definition, log)).map((s) => s.key), ['planning']);
  log = [...log, approve('planning')];
  assert.deepEqual(openSteps(deriveState(definition, log)).map((s) => s.key), ['decide']);
  log = [...log, approve('decide')];
  const state = deriveState(definition, log);
  assert.equal(state.status, 'completed');
  assert.deepEqual(allowedActions(state), []);
});

test('any-one (或签) stages finish on the first approval', () => {
  const anyOne: ProcessDefinition = {
    stages: [
      {
        mode: 'any',
        parallel: [
          { key: 'planning', name: '规划审查', unitId: 'U1', role: 'approver', days: 3 },
          { key: 'fire', name: '消防审查', unitId: 'U2', role: 'approver', days: 3 },
        ],
      },
    ],
  };
  const state = deriveState(anyOne, [{ type: 'start' }, approve('planning')]);
  assert.equal(state.status, 'completed');
  assert.equal(state.steps.find((s) => s.key === 'fire')!.state, 'skipped');
});

test('a rejection at any step ends the case and closes the other branches', () => {
  const state = deriveState(definition, [{ type: 'start' }, approve('accept'), { type: 'complete', stepKey: 'fire', outcome: 'reject', by: 'u', opinion: '不符合消防规范' }]);
  assert.equal(state.status, 'rejected');
  assert.equal(state.steps.find((s) => s.key === 'planning')!.state, 'skipped');
  assert.throws(() => deriveState(definition, [{ type: 'start' }, approve('accept'), { type: 'complete', stepKey: 'fire', outcome: 'reject', by: 'u' }, approve('planning')]), FlowError);
});

test('a later step cannot be completed before its stage opens, nor a step twice', () => {
  assert.throws(() => deriveState(definition, [{ type: 'start' }, approve('decide')]), (e: unknown) => e instanceof FlowError && e.reason === 'step_not_open');
  assert.throws(() => deriveState(definition, [{ type: 'start' }, approve('accept'), approve('accept')]), (e: unknown) => e instanceof FlowError && e.reason === 'step_not_open');
  assert.throws(() => deriveState(definition, [{ type: 'start' }, approve('nope')]), (e: unknown) => e instanceof FlowError && e.reason === 'unknown_step');
});

test('return sends the case back to the previous stage and reopens every branch', () => {
  const state = deriveState(definition, [{ type: 'start' }, approve('accept'), approve('planning'), approve('fire'), { type: 'complete', stepKey: 'decide', outcome: 'return', by: 'leader' }]);
  assert.deepEqual(openSteps(state).map((s) => s.key), ['planning', 'fire']);
  assert.equal(state.steps.find((s) => s.key === 'decide')!.state, 'waiting');
  assert.throws(() => deriveState(definition, [{ type: 'start' }, { type: 'complete', stepKey: 'accept', outcome: 'return', by: 'u' }]), FlowError);
});

test('suspension for a clock stop blocks completion until resumed, and is counted', () => {
  const suspended = deriveState(definition, [{ type: 'start' }, { type: 'suspend', reason: 'correction', by: 'clerk' }]);
  assert.equal(suspended.status, 'suspended');
  assert.equal(suspended.stopCounts.correction, 1);
  assert.ok(!allowedActions(suspended).includes('complete'));
  assert.throws(() => deriveState(definition, [{ type: 'start' }, { type: 'suspend', reason: 'correction', by: 'c' }, approve('accept')]), FlowError);
  const resumed = deriveState(definition, [{ type: 'start' }, { type: 'suspend', reason: 'hearing', by: 'c' }, { type: 'resume', by: 'c' }, approve('accept')]);
  assert.equal(resumed.status, 'running');
});

test('withdrawal ends the case; nothing is allowed afterwards', () => {
  const state = deriveState(definition, [{ type: 'start' }, { type: 'withdraw', by: 'applicant' }]);
  assert.equal(state.status, 'withdrawn');
  assert.deepEqual(allowedActions(state), []);
});

test('reassignment and extension are recorded', () => {
  const state = deriveState(definition, [{ type: 'start' }, { type: 'reassign', stepKey: 'accept', to: 'clerk2', by: 'lead' }, { type: 'extend', days: 5, by: 'lead', reason: '现场核查' }]);
  assert.equal(state.steps.find((s) => s.key === 'accept')!.assignee, 'clerk2');
  assert.equal(state.extensionDays, 5);
});

test('definitions are checked: duplicate keys, empty stages, bad limits', () => {
  assert.deepEqual(validateDefinition(definition), []);
  const bad = validateDefinition({
    stages: [
      { key: 'a', name: 'A', unitId: 'U', role: 'r', days: 0 },
      { parallel: [{ key: 'a', name: 'B', unitId: 'U', role: 'r', days: 1 }] },
    ],
  });
  assert.equal(bad.length, 3);
  assert.deepEqual(validateDefinition({ stages: [] }), ['stages: at least one stage']);
});

test('a definition stored before outcomes were data is read with the three it was written with, any stop reason counted', () => {
  assert.equal(definition.outcomes, undefined);
  const state = deriveState(definition, [{ type: 'start' }, { type: 'suspend', reason: 'public_notice', by: 'c' }, { type: 'resume', by: 'c' }, approve('accept'), { type: 'complete', stepKey: 'fire', outcome: 'reject', by: 'u' }]);
  assert.equal(state.status, 'rejected');
  assert.deepEqual(state.stopCounts, { public_notice: 1 });
  assert.equal(state.steps.find((s) => s.key === 'accept')!.outcome, 'approve');
  assert.throws(() => deriveState(definition, [{ type: 'start' }, { type: 'complete', stepKey: 'accept', outcome: 'countersign', by: 'u' }]), FlowError);
});
