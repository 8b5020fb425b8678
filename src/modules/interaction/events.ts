import { publish, type DomainEvent } from '../../platform/events.ts';
import type { Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import type { CaseRow } from './model.ts';

export const CASE_CHANGED = 'interaction.case.changed';

/**
 * Something happened to a case (received, assigned, answered, extended, clarification asked …):
 * published inside the unit of work that did it, so that supervision checks the case
 * (`interaction.case`) in the same transaction.
 */
export interface CaseChanged extends DomainEvent {
  type: typeof CASE_CHANGED;
  caseId: string;
  channel: CaseRow['channel'];
  state: CaseRow['state'];
  /** The unit that has the case now. */
  unitId: string;
  /** receive, assign, answer, approve, extend, clarify, merge … */
  action: string;
  /** The round's step acted on (dispatch, handle, review), when the action was a step's. */
  stepKey: string | null;
}

/**
 * Publishes that a case changed, in the caller's unit of work: call it after the row and the round
 * were written (supervision then reads both). The platform is needed for its subscriptions; the
 * action defaults to the case's new state.
 */
export async function publishCaseChanged(
  work: Work,
  platform: Platform,
  row: Pick<CaseRow, 'id' | 'channel' | 'state' | 'handling_unit_id'>,
  change: { action?: string; stepKey?: string | null } = {},
) {
  await publish<CaseChanged>(work, platform, {
    type: CASE_CHANGED,
    caseId: row.id,
    channel: row.channel,
    state: row.state,
    unitId: row.handling_unit_id,
    action: change.action ?? row.state,
    stepKey: change.stepKey ?? null,
  });
}
