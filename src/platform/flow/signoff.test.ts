import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedActions, deriveState, FlowError, openSteps, validateDefinition, type FlowAction, type ProcessDefinition } from './engine.ts';

/**
 * A document sign-off, in its own words: drafted, reviewed, countersigned by any one of two
 * offices, then signed. The engine knows none of these words; the definition brings them.
 */
const signOff: ProcessDefinition = {
  outcomes: [
    { key: 'pass', effect: 'advance' },
    { key: 'send_back', effect: 'return' },
    { key: 'withdraw_draft', effect: 'end', ends: 'rejected' },
    { key: 'sign', effect: 'advance' },
    { key: 'sign_off_early', effect: 'end', ends: 'completed' },
  ],
  clockStops: ['awaiting_reply'],
  actions: ['suspend', 'reassign'],
  stages: [
    { key: 'draft', name: '拟稿', unitId: 'U0', role: 'clerk', days: 2, outcomes: ['pass', 'withdraw_draft'] },
    { key: 'review', name: '核稿', unitId: 'U0', role: 'reviewer', days: 1, outcomes: ['pass', 'send_back', 'sign_off_early'] },
    {
      mode: 'any',
      parallel: [
        { key: 'legal', name: '法制会签', unitId: 'U1', role: 'reviewer', days: 2, outcomes: ['pass', 'send_back'] },
        { key: 'finance', name: '财务会签', unitId: 'U2', role: 'reviewer', days: 2, outcomes: ['pass', 'send_back'] },
      ],
    },
    { key: 'sign', name: '签发', unitId: 'U0', role: 'leader', days: 1, outcomes: ['sign', 'send_back'] },
  ],
};

const done = (stepKey: string, outcome: string, extra: Partial<Extract<FlowAction, { type: 'complete' }>> = {}): FlowAction => ({ type: 'complete', stepKey, outcome, by: 'u', ...extra });
const openKeys = (log: FlowAction[]) => openSteps(deriveState(signOff, log)).map((s) => s.key);

test('the sign-off definition is valid; unknown words in it are reported', () => {
  assert.deepEqual(validateDefinition(signOff), []);
  const bad = validateDefinition({
    outcomes: [{ key: 'pass', effect: 'return' }],
    clockStops: ['Awaiting'],
    actions: ['fly' as never],
    stages: [{ key: 'draft', name: '拟稿', unitId: 'U', role: 'r', days: 1, outcomes: ['approve'] }],
  });
  assert.deepEqual(bad.sort(), ['actions.0: one of reassign, suspend, resume, extend, withdraw', 'clockStops.0: a distinct key of lower-case letters, digits and _', 'outcomes: at least one that advances', 'stages.0.outcomes: "approve" is not an outcome of the process'].sort());
});

test('draft, review, any one countersignature, signature: the document is signed with its own words', () => {
  const log: FlowAction[] = [{ type: 'start' }, done('draft', 'pass'), done('review', 'pass')];
  assert.deepEqual(openKeys(log), ['legal', 'finance']);
  log.push(done('finance', 'pass'));
  assert.deepEqual(openKeys(log), ['sign'], 'one countersignature is enough');
  log.push(done('sign', 'sign'));
  const state = deriveState(signOff, log);
  assert.equal(state.status, 'completed');
  assert.equal(state.steps.find((s) => s.key === 'legal')!.state, 'skipped');
  assert.equal(state.steps.find((s) => s.key === 'sign')!.outcome, 'sign');
  assert.equal(state.steps.find((s) => s.key === 'finance')!.outcome, 'pass');
});

test('a step offers only its own outcomes; words of other processes are refused', () => {
  const notAllowed = (e: unknown) => e instanceof FlowError && e.reason === 'not_allowed';
  assert.throws(() => deriveState(signOff, [{ type: 'start' }, done('draft', 'sign')]), notAllowed, 'sign is not an outcome of the draft');
  assert.throws(() => deriveState(signOff, [{ type: 'start' }, done('draft', 'approve')]), notAllowed, 'approval words mean nothing here');
  assert.throws(() => deriveState(signOff, [{ type: 'start' }, done('draft', 'send_back')]), notAllowed);
});

test('send back returns to the previous stage; ending outcomes end as the definition says', () => {
  const back = deriveState(signOff, [{ type: 'start' }, done('draft', 'pass'), done('review', 'pass'), done('legal', 'pass'), done('sign', 'send_back', { returnTo: 'review' })]);
  assert.deepEqual(openSteps(back).map((s) => s.key), ['review']);
  const early = deriveState(signOff, [{ type: 'start' }, done('draft', 'pass'), done('review', 'sign_off_early')]);
  assert.equal(early.status, 'completed');
  assert.deepEqual(openSteps(early), []);
  const dropped = deriveState(signOff, [{ type: 'start' }, done('draft', 'withdraw_draft')]);
  assert.equal(dropped.status, 'rejected');
  assert.equal(dropped.steps[0].state, 'rejected');
});

test('the clock stops only for the reasons the definition names; actions it does not offer are refused', () => {
  const waiting = deriveState(signOff, [{ type: 'start' }, { type: 'suspend', reason: 'awaiting_reply', by: 'u' }]);
  assert.equal(waiting.status, 'suspended');
  assert.equal(waiting.suspendedFor, 'awaiting_reply');
  assert.deepEqual(waiting.stopCounts, { awaiting_reply: 1 });
  assert.deepEqual(allowedActions(waiting, signOff), ['resume'], 'no extension or withdrawal in this process');
  assert.equal(deriveState(signOff, [{ type: 'start' }, { type: 'suspend', reason: 'awaiting_reply', by: 'u' }, { type: 'resume', by: 'u' }]).status, 'running');
  assert.throws(() => deriveState(signOff, [{ type: 'start' }, { type: 'suspend', reason: 'correction', by: 'u' }]), FlowError);
  assert.throws(() => deriveState(signOff, [{ type: 'start' }, { type: 'extend', days: 2, by: 'u', reason: 'x' }]), FlowError);
  assert.throws(() => deriveState(signOff, [{ type: 'start' }, { type: 'withdraw', by: 'u' }]), FlowError);
});
