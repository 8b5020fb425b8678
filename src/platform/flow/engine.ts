/**
 * The process engine's pure core: a process definition, an append-only action log, and the
 * functions that derive an instance's state and the actions allowed next. No database, no clock:
 * everything is computed from the definition and the log, so it is tested on its own.
 */

export interface StepDefinition {
  key: string;
  name: string;
  unitId: string;
  role: string;
  /** Time limit of the step in working days. */
  days: number;
}

export interface ParallelStage {
  parallel: StepDefinition[];
  /** 'all' (会签): every branch must finish; 'any' (或签): the first approval completes the stage. */
  mode?: 'all' | 'any';
}

export type StageDefinition = StepDefinition | ParallelStage;

export interface ProcessDefinition {
  stages: StageDefinition[];
}

export const CLOCK_STOP_REASONS = ['correction', 'hearing', 'inspection', 'public_notice'] as const;
export type ClockStopReason = (typeof CLOCK_STOP_REASONS)[number];

export type StepOutcome = 'approve' | 'reject' | 'return';

/** One entry of the append-only log. `seq` orders the log; the engine never edits an entry. */
export type FlowAction =
  | { type: 'start' }
  | { type: 'complete'; stepKey: string; outcome: StepOutcome; by: string; opinion?: string; returnTo?: string }
  | { type: 'reassign'; stepKey: string; to: string; by: string }
  | { type: 'suspend'; reason: ClockStopReason; by: string; note?: string }
  | { type: 'resume'; by: string }
  | { type: 'extend'; days: number; by: string; reason: string }
  | { type: 'withdraw'; by: string };

export type ActionType = FlowAction['type'];

export type InstanceStatus = 'not_started' | 'running' | 'suspended' | 'completed' | 'rejected' | 'withdrawn';

export type StepState = 'waiting' | 'open' | 'approved' | 'rejected' | 'skipped';

export interface StepStatus {
  key: string;
  stageIndex: number;
  state: StepState;
  /** Account the step was reassigned to, if any. */
  assignee: string | null;
  /** Index in the log of the action that opened the step's current round. */
  openedAt: number | null;
  finishedAt: number | null;
}

export interface InstanceState {
  status: InstanceStatus;
  stageIndex: number;
  steps: StepStatus[];
  /** Extra working days granted by approved extensions. */
  extensionDays: number;
  /** The clock stop in force, if suspended. */
  suspendedFor: ClockStopReason | null;
  /** How many times each stop reason was used (a second correction request is refused). */
  stopCounts: Record<ClockStopReason, number>;
}

export class FlowError extends Error {
  constructor(
    readonly reason: 'unknown_step' | 'not_allowed' | 'step_not_open' | 'invalid_definition',
    message: string,
  ) {
    super(message);
  }
}

export function stageSteps(stage: StageDefinition): StepDefinition[] {
  return 'parallel' in stage ? stage.parallel : [stage];
}

export function allSteps(definition: ProcessDefinition): Array<StepDefinition & { stageIndex: number }> {
  return definition.stages.flatMap((stage, stageIndex) => stageSteps(stage).map((step) => ({ ...step, stageIndex })));
}

/** Checks a definition's shape: unique keys, non-empty stages, positive limits. Returns the problems. */
export function validateDefinition(definition: ProcessDefinition): string[] {
  const problems: string[] = [];
  if (!definition.stages.length) problems.push('stages: at least one stage');
  const seen = new Set<string>();
  definition.stages.forEach((stage, i) => {
    const steps = stageSteps(stage);
    if ('parallel' in stage && steps.length < 2) problems.push(`stages.${i}.parallel: at least two steps`);
    steps.forEach((step, j) => {
      const path = 'parallel' in stage ? `stages.${i}.parallel.${j}` : `stages.${i}`;
      if (!/^[a-z][a-z0-9_]{0,39}$/.test(step.key)) problems.push(`${path}.key: lower-case letters, digits and _`);
      if (seen.has(step.key)) problems.push(`${path}.key: "${step.key}" is used twice`);
      seen.add(step.key);
      if (!Number.isInteger(step.days) || step.days < 1 || step.days > 365) problems.push(`${path}.days: a whole number from 1 to 365`);
    });
  });
  return problems;
}

/** Which actions each status allows at all (step-level checks come on top). */
export const ALLOWED_ACTIONS: Readonly<Record<InstanceStatus, readonly ActionType[]>> = {
  not_started: ['start', 'withdraw'],
  running: ['complete', 'reassign', 'suspend', 'extend', 'withdraw'],
  suspended: ['resume', 'withdraw', 'extend'],
  completed: [],
  rejected: [],
  withdrawn: [],
};

function openStage(state: InstanceState, stageIndex: number, logIndex: number) {
  state.stageIndex = stageIndex;
  for (const step of state.steps) {
    if (step.stageIndex === stageIndex) {
      step.state = 'open';
      step.openedAt = logIndex;
      step.finishedAt = null;
    } else if (step.stageIndex > stageIndex) {
      step.state = 'waiting';
      step.openedAt = null;
      step.finishedAt = null;
    }
  }
}

function stageFinished(state: InstanceState, definition: ProcessDefinition, stageIndex: number): boolean {
  const stage = definition.stages[stageIndex];
  const steps = state.steps.filter((s) => s.stageIndex === stageIndex);
  if ('parallel' in stage && stage.mode === 'any') return steps.some((s) => s.state === 'approved');
  return steps.every((s) => s.state === 'approved');
}

/** Applies one action to a state, or throws FlowError when the action is not allowed now. */
export function applyAction(definition: ProcessDefinition, state: InstanceState, action: FlowAction, logIndex: number): InstanceState {
  if (!ALLOWED_ACTIONS[state.status].includes(action.type)) {
    throw new FlowError('not_allowed', `${action.type} is not allowed while ${state.status}`);
  }
  const next: InstanceState = { ...state, steps: state.steps.map((s) => ({ ...s })), stopCounts: { ...state.stopCounts } };
  const stepOf = (key: string) => {
    const step = next.steps.find((s) => s.key === key);
    if (!step) throw new FlowError('unknown_step', `no step ${key}`);
    return step;
  };
  switch (action.type) {
    case 'start':
      next.status = 'running';
      openStage(next, 0, logIndex);
      break;
    case 'complete': {
      const step = stepOf(action.stepKey);
      if (step.state !== 'open') throw new FlowError('step_not_open', `step ${action.stepKey} is ${step.state}`);
      if (action.outcome === 'reject') {
        step.state = 'rejected';
        step.finishedAt = logIndex;
        next.status = 'rejected';
        for (const other of next.steps) if (other.state === 'open') other.state = 'skipped';
        break;
      }
      if (action.outcome === 'return') {
        const target = action.returnTo ? stepOf(action.returnTo) : null;
        const targetStage = target ? target.stageIndex : step.stageIndex - 1;
        if (targetStage < 0 || targetStage >= step.stageIndex) throw new FlowError('not_allowed', 'a step can only return to an earlier stage');
        openStage(next, targetStage, logIndex);
        if (target) {
          // Only the named step is handled again; its siblings keep their approval.
          for (const s of next.steps) {
            if (s.stageIndex === targetStage && s.key !== target.key) {
              s.state = 'approved';
              s.finishedAt = logIndex;
            }
          }
        }
        break;
      }
      step.state = 'approved';
      step.finishedAt = logIndex;
      if (stageFinished(next, definition, step.stageIndex)) {
        for (const other of next.steps) if (other.stageIndex === step.stageIndex && other.state === 'open') other.state = 'skipped';
        if (step.stageIndex + 1 < definition.stages.length) openStage(next, step.stageIndex + 1, logIndex);
        else next.status = 'completed';
      }
      break;
    }
    case 'reassign': {
      const step = stepOf(action.stepKey);
      if (step.state !== 'open') throw new FlowError('step_not_open', `step ${action.stepKey} is ${step.state}`);
      step.assignee = action.to;
      break;
    }
    case 'suspend':
      next.status = 'suspended';
      next.suspendedFor = action.reason;
      next.stopCounts[action.reason] += 1;
      break;
    case 'resume':
      next.status = 'running';
      next.suspendedFor = null;
      break;
    case 'extend':
      next.extensionDays += action.days;
      break;
    case 'withdraw':
      next.status = 'withdrawn';
      for (const s of next.steps) if (s.state === 'open') s.state = 'skipped';
      break;
  }
  return next;
}

export function initialState(definition: ProcessDefinition): InstanceState {
  return {
    status: 'not_started',
    stageIndex: -1,
    steps: allSteps(definition).map((s) => ({ key: s.key, stageIndex: s.stageIndex, state: 'waiting', assignee: null, openedAt: null, finishedAt: null })),
    extensionDays: 0,
    suspendedFor: null,
    stopCounts: { correction: 0, hearing: 0, inspection: 0, public_notice: 0 },
  };
}

/** The state of an instance: a fold of its log over the definition. */
export function deriveState(definition: ProcessDefinition, log: readonly FlowAction[]): InstanceState {
  return log.reduce((state, action, index) => applyAction(definition, state, action, index), initialState(definition));
}

/** What may happen next, for screens and for checking a request before writing it. */
export function allowedActions(state: InstanceState): ActionType[] {
  const allowed = [...ALLOWED_ACTIONS[state.status]];
  if (!state.steps.some((s) => s.state === 'open')) return allowed.filter((a) => a !== 'complete' && a !== 'reassign');
  return allowed;
}

export function openSteps(state: InstanceState): StepStatus[] {
  return state.status === 'running' || state.status === 'suspended' ? state.steps.filter((s) => s.state === 'open') : [];
}
