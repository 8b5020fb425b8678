/**
 * A unit transfers a case back (退回) with a reason: to the dispatching office, or, for a case
 * that went straight to units, to the unit that passed it down; failing both, to the
 * installation's dispatching office. A new dispatch round starts there.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { completeTask } from '../../../platform/flow/service.ts';
import { AppError } from '../../../platform/http/errors.ts';
import { dispatcherOffice } from '../queries/settings.ts';
import { interactionDb, LIMITS, type CaseRow } from '../model.ts';
import { startRound } from '../process.ts';
import { notifyUnitRole } from '../notify.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { caseParams, lockCase, openStepTask, requiredText, saveCase } from './case-lock.ts';
import { publishCaseChanged } from '../events.ts';

/** Where a case goes back to from the unit that has it. */
async function backTo(work: Work, platform: Platform, row: CaseRow): Promise<string> {
  if (row.dispatcher_unit_id && row.dispatcher_unit_id !== row.handling_unit_id) return row.dispatcher_unit_id;
  const passed = await interactionDb(work.tx)
    .selectFrom('interaction_case_events')
    .select('details')
    .where('case_id', '=', row.id)
    .where('type', '=', 'passed')
    .where('unit_id', '=', row.handling_unit_id)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const from = passed?.details?.fromUnitId;
  if (typeof from === 'string') return from;
  const office = await dispatcherOffice(platform, work.tx);
  if (!office || office.id === row.handling_unit_id) throw new AppError('INVALID_STATE', { detail: { key: 'interaction.handling.nowhereBack' } });
  return office.id;
}

export async function transferBack(work: Work, platform: Platform, principal: Principal, caseId: string, input: { reason: string }): Promise<CaseRow> {
  const reason = requiredText(input.reason, 'reason', LIMITS.reason);
  const row = await lockCase(work, principal, caseId, { states: ['assigned'] });
  const { task } = await openStepTask(work, caseId, 'handle');
  const target = await backTo(work, platform, row);
  const now = platform.clock.now();
  await completeTask(work, platform, principal, task.id, { outcome: 'transfer_back', opinion: reason });
  const updated = await saveCase(work, row, { state: 'received', handling_unit_id: target, dispatcher_unit_id: row.dispatcher_unit_id ?? target, draft_answer_body: null, draft_answer_type: null, draft_publish: false }, now);
  await startRound(work, platform, updated, { kind: 'dispatch', unitId: target });
  await recordCaseEvent(work, row, 'transferred_back', { unitId: target, at: now, details: { fromUnitId: row.handling_unit_id, reason } });
  recordAudit(work, { action: 'interaction.case.transfer_back', objectType: 'interaction_case', objectId: row.id, details: { fromUnitId: row.handling_unit_id, unitId: target, reason } }, now);
  await notifyUnitRole(work, platform, target, updated.channel === 'hotline' ? 'hotline_operator' : 'responder', 'interaction.case.transferredBack', { ...caseParams(updated), reason });
  await publishCaseChanged(work, platform, updated, { action: 'transfer_back' });
  return updated;
}
