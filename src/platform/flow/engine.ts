/**
 * The process engine's pure core: a process definition, an append-only action log, and the
 * functions that derive an instance's state and the actions allowed next. No database, no clock:
 * everything is computed from the definition and the log, so it is tested on its own.
 *
 * The engine knows no business words. A definition names its outcomes (what each does to the
 * step and the instance), its clock-stop reasons and the instance actions it offers; approval,
 * letters, hotline tickets and document sign-off each bring their own.
 */

export interface StepDefinition {
  key: string;
  name: string;
  unitId: string;
  role: string;
  /** Time limit of the step in working days. */
  days: number;
  /** Keys of the definition's outcomes this step offers (all of them when absent). */
  outcomes?: string[];
}

export interface ParallelStage {
  parallel: StepDefinition[];
  /** 'all' (会签): every branch must finish; 'any' (或签): the first branch that advances completes the stage. */
  mode?: 'all' | 'any';
}

export type StageDefinition = StepDefinition | ParallelStage;

/**
 * What an outcome does. advance: the step is done and the stage moves on when finished; return:
 * the case goes back to an earlier stage (the previous one, or the step named in `returnTo`);
 * end: the instance ends at once, as `ends` says (rejected unless it says completed).
 */
export type OutcomeEffect = 'advance' | 'return' | 'end';

export interface OutcomeDefinition {
  /** The word the owning module uses, e.g. 'approve', 'countersign', 'decline'. */
  key: string;
  effect: OutcomeEffect;
  ends?: 'rejected' | 'completed';
}

/** Instance actions a definition may offer besides starting and completing steps. */
export const INSTANCE_ACTIONS = ['reassign', 'suspend', 'resume', 'extend', 'withdraw'] as const;
export type InstanceActionType = (typeof INSTANCE_ACTIONS)[number];

export interface ProcessDefinition {
  stages: StageDefinition[];
  /** The outcomes a step can be completed with. Absent in definitions stored before outcomes were data: DEFAULT_OUTCOMES. */
  outcomes?: OutcomeDefinition[];
  /** Reasons the clock may stop for (补正, 听证, awaiting a reply …). Absent: any reason the owner gives. */
  clockStops?: string[];
  /** Instance actions offered (all of INSTANCE_ACTIONS when absent). */
  actions?: InstanceActionType[];
}

/**
 * How a definition that names no outcomes is read: the three every stored definition was written
 * with. New definitions name their own.
 */
export const DEFAULT_OUTCOMES: readonly OutcomeDefinition[] = [
  { key: 'approve', effect: 'advance' },
  { key: 'reject', effect: 'end', ends: 'rejected' },
  { key: 'return', effect: 'return' },
];

export const outcomesOf = (definition: ProcessDefinition): readonly OutcomeDefinition[] => definition.outcomes ?? DEFAULT_OUTCOMES;

/** One entry of the append-only log. `seq` orders the log; the engine never edits an entry. */
export type FlowAction =
  | { type: 'start' }
  | { type: 'complete'; stepKey: string; outcome: string; by: string; opinion?: string; returnTo?: string }
  | { type: 'reassign'; stepKey: string; to: string; by: string }
  | { type: 'suspend'; reason: string; by: string; note?: string }
  | { type: 'resume'; by: string }
  | { type: 'extend'; days: number; by: string; reason: string }
  | { type: 'withdraw'; by: string };

export type ActionType = FlowAction['type'];

export type InstanceStatus = 'not_started' | 'running' | 'suspended' | 'completed' | 'rejected' | 'withdrawn';

/** approved: finished with an outcome that advanced (or ended the instance as completed); rejected: ended it as rejected. */
export type StepState = 'waiting' | 'open' | 'approved' | 'rejected' | 'skipped';

export interface StepStatus {
  key: string;
  stageIndex: number;
  state: StepState;
  /** The outcome the step was last finished with (the definition's word), null while not finished. */
  outcome: string | null;
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
  suspendedFor: string | null;
  /** How many times each stop reason was used (a second correction request is refused). */
  stopCounts: Record<string, number>;
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

const KEY = /^[a-z][a-z0-9_]{0,39}$/;

/** Checks a definition's shape: unique keys, non-empty stages, positive limits, known words. Returns the problems. */
export function validateDefinition(definition: ProcessDefinition): string[] {
  const problems: string[] = [];
  if (!definition.stages.length) problems.push('stages: at least one stage');
  const outcomeKeys = new Set<string>();
  (definition.outcomes ?? []).forEach((outcome, i) => {
    if (!KEY.test(outcome.key)) problems.push(`outcomes.${i}.key: lower-case letters, digits and _`);
    if (outcomeKeys.has(outcome.key)) problems.push(`outcomes.${i}.key: "${outcome.key}" is used twice`);
    outcomeKeys.add(outcome.key);
    if (!['advance', 'return', 'end'].includes(outcome.effect)) problems.push(`outcomes.${i}.effect: advance, return or end`);
  });
  if (definition.outcomes && !definition.outcomes.some((o) => o.effect === 'advance')) problems.push('outcomes: at least one that advances');
  (definition.clockStops ?? []).forEach((reason, i) => {
    if (!KEY.test(reason) || definition.clockStops!.indexOf(reason) !== i) problems.push(`clockStops.${i}: a distinct key of lower-case letters, digits and _`);
  });
  (definition.actions ?? []).forEach((action, i) => {
    if (!INSTANCE_ACTIONS.includes(action)) problems.push(`actions.${i}: one of ${INSTANCE_ACTIONS.join(', ')}`);
  });
  const known = new Set(outcomesOf(definition).map((o) => o.key));
  const seen = new Set<string>();
  definition.stages.forEach((stage, i) => {
    const steps = stageSteps(stage);
    if ('parallel' in stage && steps.length < 2) problems.push(`stages.${i}.parallel: at least two steps`);
    steps.forEach((step, j) => {
      const path = 'parallel' in stage ? `stages.${i}.parallel.${j}` : `stages.${i}`;
      if (!KEY.test(step.key)) problems.push(`${path}.key: lower-case letters, digits and _`);
      if (seen.has(step.key)) problems.push(`${path}.key: "${step.key}" is used twice`);
      seen.add(step.key);
      if (!Number.isInteger(step.days) || step.days < 1 || step.days > 365) problems.push(`${path}.days: a whole number from 1 to 365`);
      for (const outcome of step.outcomes ?? []) if (!known.has(outcome)) problems.push(`${path}.outcomes: "${outcome}" is not an outcome of the process`);
    });
  });
  return problems;
}

/** Which actions each status allows at all (the definition's offer and step-level checks come on top). */
export const ALLOWED_ACTIONS: Readonly<Record<InstanceStatus, readonly ActionType[]>> = {
  not_started: ['start', 'withdraw'],
  running: ['complete', 'reassign', 'suspend', 'extend', 'withdraw'],
  suspended: ['resume', 'withdraw', 'extend'],
  completed: [],
  rejected: [],
  withdrawn: [],
};

/** Whether the definition offers an action at all: start and complete always, the others as listed. */
function offers(definition: ProcessDefinition, type: ActionType): boolean {
  if (type === 'start' || type === 'complete' || !definition.actions) return true;
  // A process that can stop its clock can always start it again.
  if (type === 'resume') return definition.actions.includes('suspend');
  return definition.actions.includes(type);
}

function openStage(state: InstanceState, stageIndex: number, logIndex: number) {
  state.stageIndex = stageIndex;
  for (const step of state.steps) {
    if (step.stageIndex === stageIndex) {
      step.state = 'open';
      step.outcome = null;
      step.openedAt = logIndex;
      step.finishedAt = null;
    } else if (step.stageIndex > stageIndex) {
      step.state = 'waiting';
      step.outcome = null;
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

/** The outcome a step may be completed with now, or a FlowError. */
function outcomeFor(definition: ProcessDefinition, stepKey: string, key: string): OutcomeDefinition {
  const outcome = outcomesOf(definition).find((o) => o.key === key);
  const step = allSteps(definition).find((s) => s.key === stepKey);
  if (!outcome || (step?.outcomes && !step.outcomes.includes(key))) throw new FlowError('not_allowed', `step ${stepKey} cannot end with ${key}`);
  return outcome;
}

/** Applies one action to a state, or throws FlowError when the action is not allowed now. */
export function applyAction(definition: ProcessDefinition, state: InstanceState, action: FlowAction, logIndex: number): InstanceState {
  if (!ALLOWED_ACTIONS[state.status].includes(action.type) || !offers(definition, action.type)) {
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
      const outcome = outcomeFor(definition, action.stepKey, action.outcome);
      if (outcome.effect === 'end') {
        const completed = outcome.ends === 'completed';
        step.state = completed ? 'approved' : 'rejected';
        step.outcome = outcome.key;
        step.finishedAt = logIndex;
        next.status = completed ? 'completed' : 'rejected';
        for (const other of next.steps) if (other.state === 'open') other.state = 'skipped';
        break;
      }
      if (outcome.effect === 'return') {
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
      step.outcome = outcome.key;
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
      if (definition.clockStops && !definition.clockStops.includes(action.reason)) throw new FlowError('not_allowed', `the clock cannot stop for ${action.reason}`);
      next.status = 'suspended';
      next.suspendedFor = action.reason;
      next.stopCounts[action.reason] = (next.stopCounts[action.reason] ?? 0) + 1;
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
    steps: allSteps(definition).map((s) => ({ key: s.key, stageIndex: s.stageIndex, state: 'waiting', outcome: null, assignee: null, openedAt: null, finishedAt: null })),
    extensionDays: 0,
    suspendedFor: null,
    stopCounts: Object.fromEntries((definition.clockStops ?? []).map((reason) => [reason, 0])),
  };
}

/** The state of an instance: a fold of its log over the definition. */
export function deriveState(definition: ProcessDefinition, log: readonly FlowAction[]): InstanceState {
  return log.reduce((state, action, index) => applyAction(definition, state, action, index), initialState(definition));
}

/** What may happen next, for screens and for checking a request before writing it. */
export function allowedActions(state: InstanceState, definition?: ProcessDefinition): ActionType[] {
  const allowed = ALLOWED_ACTIONS[state.status].filter((type) => !definition || offers(definition, type));
  if (!state.steps.some((s) => s.state === 'open')) return allowed.filter((a) => a !== 'complete' && a !== 'reassign');
  return allowed;
}

export function openSteps(state: InstanceState): StepStatus[] {
  return state.status === 'running' || state.status === 'suspended' ? state.steps.filter((s) => s.state === 'open') : [];
}
