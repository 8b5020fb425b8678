/**
 * The supervision rules as pure functions: when a step is at risk (yellow) or overdue (red),
 * which bands of time limits the scan asks the database for, when a rejection has no reasons,
 * and when a case's actions are out of order. Tested without a database.
 */
import { applyAction, FlowError, initialState, type FlowAction, type InstanceState, type ProcessDefinition } from '../../platform/flow/engine.ts';
import { minutesPerWorkingDay, workingDays, workingMinutesLeft, type WorkingCalendar, type WorkingPeriod } from '../../platform/calendar/index.ts';

export const CARD_REASONS = ['deadline', 'case_deadline', 'late_acceptance', 'repeated_correction', 'rejection_without_reasons', 'fee_above_standard', 'out_of_order'] as const;
export type CardReason = (typeof CARD_REASONS)[number];
export type CardColor = 'yellow' | 'red';
export const CARD_STATUSES = ['open', 'explained', 'confirmed', 'revoked'] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

/** Every reason but the deadlines is a violation: red at once. Deadlines start yellow and turn red. */
export const VIOLATION_COLOR: Record<Exclude<CardReason, 'deadline' | 'case_deadline'>, CardColor> = {
  late_acceptance: 'red',
  repeated_correction: 'red',
  rejection_without_reasons: 'red',
  fee_above_standard: 'red',
  out_of_order: 'red',
};

export interface SupervisionSettings {
  /** Yellow when at most this many working days remain (default 1)... */
  yellowRemainingDays: number;
  /** ...or when at least this share of the time limit is used, in percent (default 80). */
  yellowUsedPercent: number;
  /** Working days a complaint may take (default 10). */
  complaintDays: number;
  /** Working days a unit has to rectify after a poor rating (default 15). */
  rectificationDays: number;
  /** A rejection whose reasons have fewer meaningful characters than this has none (default 4). */
  rejectionReasonMinChars: number;
}

export const DEFAULT_SETTINGS: SupervisionSettings = {
  yellowRemainingDays: 1,
  yellowUsedPercent: 80,
  complaintDays: 10,
  rectificationDays: 15,
  rejectionReasonMinChars: 4,
};

export const SETTING_LIMITS: Record<keyof SupervisionSettings, [number, number]> = {
  yellowRemainingDays: [0, 30],
  yellowUsedPercent: [50, 100],
  complaintDays: [1, 60],
  rectificationDays: [1, 60],
  rejectionReasonMinChars: [1, 50],
};

/** Largest time limit of a step (the catalogue allows 1..365 working days). */
export const MAX_STEP_DAYS = 365;

/** How many working days may remain on a step of `days` before it is yellow. */
export function yellowAllowance(days: number, settings: Pick<SupervisionSettings, 'yellowRemainingDays' | 'yellowUsedPercent'>): number {
  return Math.max(settings.yellowRemainingDays, Math.floor((days * (100 - settings.yellowUsedPercent)) / 100));
}

export interface AllowanceBand {
  minDays: number;
  maxDays: number;
  remaining: number;
}

/**
 * The time limits 1..maxDays grouped into contiguous bands with the same allowance: the scan asks
 * for "days in [min, max] and due by the allowance-th working day from today" once per band, each
 * one short range of the (days, due_date) index.
 */
export function allowanceBands(settings: Pick<SupervisionSettings, 'yellowRemainingDays' | 'yellowUsedPercent'>, maxDays = MAX_STEP_DAYS): AllowanceBand[] {
  const bands: AllowanceBand[] = [];
  for (let days = 1; days <= maxDays; days++) {
    const remaining = yellowAllowance(days, settings);
    const last = bands[bands.length - 1];
    if (last && last.remaining === remaining) last.maxDays = days;
    else bands.push({ minDays: days, maxDays: days, remaining });
  }
  return bands;
}

/**
 * The colour a step deserves now: red once the end of its due date (Asia/Shanghai) has passed,
 * yellow when its remaining working days are within its allowance, else none. A step with its
 * whole time limit still ahead (`days` working days remain: it has just opened) is never yellow.
 */
export function deadlineColor(today: string, dueDate: string, remainingWorkingDays: number, allowance: number, days = Infinity): CardColor | null {
  if (today > dueDate) return 'red';
  if (remainingWorkingDays >= days) return null;
  return remainingWorkingDays <= allowance ? 'yellow' : null;
}

/** Steps of at most this many working days are watched in working minutes, not in days. */
export const SHORT_STEP_DAYS = 2;

/**
 * A short step (1–2 working days) is yellow when the working minutes left until the end of its
 * due date are within the share of its time limit the settings allow (20% by default: 84 of the
 * 420 minutes of a one-day step, 8:30–12:00 and 14:00–17:30), red once its due date has passed.
 */
export function shortStepColor(today: string, dueDate: string, days: number, minutesLeft: number, minutesPerDay: number, usedPercent: number): CardColor | null {
  if (today > dueDate) return 'red';
  const total = days * minutesPerDay;
  if (minutesLeft >= total) return null;
  return minutesLeft <= Math.floor((total * (100 - usedPercent)) / 100) ? 'yellow' : null;
}

/** The colour an open step deserves at `now`: short steps by working minutes, longer ones by working days. */
export function openStepColor(
  now: Date,
  step: { dueDate: string; days: number },
  calendar: WorkingCalendar,
  hours: readonly WorkingPeriod[],
  settings: Pick<SupervisionSettings, 'yellowRemainingDays' | 'yellowUsedPercent'>,
): CardColor | null {
  const today = workingDays.shanghaiDate(now);
  if (step.days <= SHORT_STEP_DAYS) {
    return shortStepColor(today, step.dueDate, step.days, workingMinutesLeft(now, step.dueDate, calendar, hours), minutesPerWorkingDay(hours), settings.yellowUsedPercent);
  }
  const remaining = step.dueDate < today ? -1 : workingDays.countWorkingDays(today, step.dueDate, calendar);
  return deadlineColor(today, step.dueDate, remaining, yellowAllowance(step.days, settings), step.days);
}

/** Whether a finished step was late: finished after the end of its due date. */
export const finishedLate = (finishedDay: string, dueDate: string) => finishedDay > dueDate;

const PLACEHOLDER_REASONS = new Set(['无', '没有', '暂无', '不同意', '不予受理', '不予许可', '不予批准', '不符合', '不符合条件', '不符合要求', '驳回', '不通过', '否', 'none', 'na', 'no', 'reject', 'rejected', 'denied']);

/** A rejection has no reasons when its text is empty, a placeholder or too short to say anything. */
export function lacksReasons(text: string | null | undefined, minChars: number): boolean {
  const meaningful = (text ?? '').normalize('NFKC').replace(/[\s\p{P}\p{S}]/gu, '').toLowerCase();
  if (!meaningful) return true;
  if (PLACEHOLDER_REASONS.has(meaningful)) return true;
  return [...meaningful].length < minChars;
}

export interface OrderFinding {
  /** Index in the log of the first action out of order. */
  seq: number;
  problem: 'not_allowed' | 'time_goes_back' | 'after_end' | 'duplicate_acceptance' | 'decision_before_end';
}

/**
 * Actions out of order: an action the process did not allow at that point (a later stage before
 * an earlier one, anything after the end), or an action recorded with an earlier time than the
 * one before it (backdating). The engine refuses these, so a finding means the record was written
 * around it.
 */
export function flowOutOfOrder(definition: ProcessDefinition, log: Array<{ payload: FlowAction; at: Date | string }>): OrderFinding | null {
  let state: InstanceState = initialState(definition);
  let previousAt = -Infinity;
  for (let i = 0; i < log.length; i++) {
    const at = new Date(log[i].at).getTime();
    if (at < previousAt) return { seq: i, problem: 'time_goes_back' };
    previousAt = at;
    try {
      state = applyAction(definition, state, log[i].payload, i);
    } catch (error) {
      if (error instanceof FlowError) return { seq: i, problem: 'not_allowed' };
      throw error;
    }
  }
  return null;
}

const TERMINAL_EVENTS = new Set(['approved', 'rejected', 'withdrawn']);
/** Events a case may still record after its end (a rating, a correction of the record are not case actions). */
const AFTER_END_ALLOWED = new Set(['certificate_revoked', 'rated', 'note']);

/** The same for the case's own events: acceptance once, nothing after the decision, the decision not before acceptance. */
export function caseEventsOutOfOrder(events: Array<{ seq: number; type: string; at: Date | string }>): OrderFinding | null {
  let ended = false;
  let accepted = false;
  let previousAt = -Infinity;
  for (const event of events) {
    const at = new Date(event.at).getTime();
    if (at < previousAt) return { seq: event.seq, problem: 'time_goes_back' };
    previousAt = at;
    if (ended && !AFTER_END_ALLOWED.has(event.type)) return { seq: event.seq, problem: 'after_end' };
    if (event.type === 'accepted') {
      if (accepted) return { seq: event.seq, problem: 'duplicate_acceptance' };
      accepted = true;
    }
    if (event.type === 'approved' && !accepted) return { seq: event.seq, problem: 'decision_before_end' };
    if (TERMINAL_EVENTS.has(event.type)) ended = true;
  }
  return null;
}
