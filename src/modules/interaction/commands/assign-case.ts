/**
 * The dispatcher assigns a case (分办): a responder of the dispatching office, or for hotline
 * tickets an operator (the open 'dispatch' task's role decides). The dispatch round ends with
 * 'assign' and a handling round starts at the unit, whose responders are told.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { completeTask } from '../../../platform/flow/service.ts';
import { LIMITS, type CaseRow } from '../model.ts';
import { startRound } from '../process.ts';
import { notifyUnitRole } from '../notify.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { caseParams, liveUnit, lockCase, openStepTask, requiredText, saveCase } from './case-lock.ts';
import { publishCaseChanged } from '../events.ts';

export interface AssignInput {
  unitId: string;
  note?: string;
}

export async function assignCase(work: Work, platform: Platform, principal: Principal, caseId: string, input: AssignInput): Promise<CaseRow> {
  const row = await lockCase(work, principal, caseId, { states: ['received'] });
  const note = input.note?.trim() ? requiredText(input.note, 'note', LIMITS.reason) : null;
  const { task } = await openStepTask(work, caseId, 'dispatch');
  const unit = await liveUnit(work, input.unitId, 'unitId');
  const now = platform.clock.now();
  await completeTask(work, platform, principal, task.id, { outcome: 'assign', opinion: note ?? undefined });
  const updated = await saveCase(work, row, { state: 'assigned', handling_unit_id: unit.id }, now);
  await startRound(work, platform, updated, { kind: 'handle', unitId: unit.id });
  await recordCaseEvent(work, row, 'assigned', { unitId: unit.id, at: now, details: { fromUnitId: row.handling_unit_id, note } });
  recordAudit(work, { action: 'interaction.case.assign', objectType: 'interaction_case', objectId: row.id, details: { fromUnitId: row.handling_unit_id, unitId: unit.id } }, now);
  await notifyUnitRole(work, platform, unit.id, 'responder', 'interaction.case.arrived', caseParams(updated));
  await publishCaseChanged(work, platform, updated, { action: 'assign' });
  return updated;
}
