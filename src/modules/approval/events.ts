import type { DomainEvent } from '../../platform/events.ts';

export const APPROVAL_CASE_CHANGED = 'approval.case.changed';

/** Something happened to an approval case; published inside the unit of work that did it. */
export interface ApprovalCaseChanged extends DomainEvent {
  type: typeof APPROVAL_CASE_CHANGED;
  caseId: string;
  /** What was done: submit, a step's outcome, correct, withdraw, fee, extend, clock_stop … */
  action: string;
  /** The step acted on, when the action was a step's. */
  stepKey: string | null;
}
