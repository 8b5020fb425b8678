/**
 * A unit merges a duplicate into another case it has (合并): the duplicate's round ends, it is
 * 'merged' into the main case, and when the main case's answer is approved every merged case
 * gets the same answer and each writer is told (approve-answer).
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { applyInstanceAction, completeTask } from '../../../platform/flow/service.ts';
import { interactionDb, type CaseRow } from '../model.ts';
import { currentRound, openTask } from '../process.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { lockCase, mustHandle, refuse, saveCase } from './case-lock.ts';
import { publishCaseChanged } from '../events.ts';

const MERGEABLE = ['received', 'assigned'] as const;
const INTO_STATES = ['received', 'assigned', 'clarifying', 'reviewing'] as const;

export async function mergeCases(work: Work, platform: Platform, principal: Principal, caseId: string, input: { intoId: string }): Promise<CaseRow> {
  if (input.intoId === caseId) throw refuse('INTERACTION_MERGE_REFUSED', 'intoId', 'interaction.handling.mergeSelf');
  // Both rows locked, in id order: two merges of the same pair the other way round cannot deadlock.
  const into = await interactionDb(work.tx).selectFrom('interaction_cases').select(['id', 'state', 'handling_unit_id']).where('id', '=', input.intoId).executeTakeFirst();
  let row: Awaited<ReturnType<typeof lockCase>>;
  let target: CaseRow | undefined;
  const lockInto = () => interactionDb(work.tx).selectFrom('interaction_cases').selectAll().where('id', '=', input.intoId).forUpdate().executeTakeFirst();
  if (into && into.id < caseId) {
    target = await lockInto();
    row = await lockCase(work, principal, caseId, { states: MERGEABLE });
  } else {
    row = await lockCase(work, principal, caseId, { states: MERGEABLE });
    target = into ? await lockInto() : undefined;
  }
  if (!target || target.handling_unit_id !== row.handling_unit_id) throw refuse('INTERACTION_MERGE_REFUSED', 'intoId', 'interaction.handling.mergeOtherUnit');
  if (!(INTO_STATES as readonly string[]).includes(target.state)) throw refuse('INTERACTION_MERGE_REFUSED', 'intoId', 'interaction.handling.mergeClosed');

  const round = await currentRound(work, caseId);
  const handle = openTask(round, 'handle');
  const dispatch = openTask(round, 'dispatch');
  const now = platform.clock.now();
  if (handle) {
    await completeTask(work, platform, principal, handle.id, { outcome: 'merge', opinion: target.tracking_no });
  } else if (dispatch && round) {
    await mustHandle(work, principal, dispatch.id);
    await applyInstanceAction(work, platform, round.instanceId, { type: 'withdraw', by: principal.userId });
  } else {
    throw refuse('INTERACTION_MERGE_REFUSED', 'intoId', 'interaction.handling.mergeClosed');
  }
  const updated = await saveCase(work, row, { state: 'merged', merged_into_id: target.id }, now);
  await recordCaseEvent(work, row, 'merged', { unitId: row.handling_unit_id, at: now, details: { intoId: target.id, intoTrackingNo: target.tracking_no } });
  await recordCaseEvent(work, target, 'merged_in', { unitId: row.handling_unit_id, at: now, details: { caseId: row.id, trackingNo: row.tracking_no } });
  recordAudit(work, { action: 'interaction.case.merge', objectType: 'interaction_case', objectId: row.id, details: { intoId: target.id, unitId: row.handling_unit_id } }, now);
  await publishCaseChanged(work, platform, updated, { action: 'merge' });
  return updated;
}
