import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveState, type FlowAction, type ProcessDefinition } from '../../platform/flow/engine.ts';
import { caseStateOf } from './model.ts';

const definition: ProcessDefinition = {
  stages: [
    { key: 'accept', name: '受理', unitId: 'U0', role: 'window_clerk', days: 1 },
    { parallel: [
      { key: 'planning', name: '规划审查', unitId: 'U1', role: 'approver', days: 3 },
      { key: 'fire', name: '消防审查', unitId: 'U2', role: 'approver', days: 3 },
    ] },
    { key: 'decide', name: '决定', unitId: 'U0', role: 'unit_leader', days: 2 },
  ],
};
const state = (...log: FlowAction[]) => caseStateOf(deriveState(definition, [{ type: 'start' }, ...log]));
const approve = (stepKey: string): FlowAction => ({ type: 'complete', stepKey, outcome: 'approve', by: 'u' });

test('case states follow the process: submitted, accepted, in review, approved', () => {
  assert.equal(state(), 'submitted');
  assert.equal(state(approve('accept')), 'accepted');
  assert.equal(state(approve('accept'), approve('fire')), 'in_review');
  assert.equal(state(approve('accept'), approve('fire'), approve('planning'), approve('decide')), 'approved');
});

test('correction, other clock stops, rejection and withdrawal', () => {
  assert.equal(state({ type: 'suspend', reason: 'correction', by: 'c' }), 'correction_requested');
  assert.equal(state(approve('accept'), { type: 'suspend', reason: 'public_notice', by: 'c' }), 'in_review');
  assert.equal(state(approve('accept'), { type: 'complete', stepKey: 'planning', outcome: 'reject', by: 'u' }), 'rejected');
  assert.equal(state({ type: 'withdraw', by: 'applicant' }), 'withdrawn');
});
