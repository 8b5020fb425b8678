/** The unit's leader returns the draft to the responders with a reason (退回修改): they draft again. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { completeTask } from '../../../platform/flow/service.ts';
import { LIMITS, type CaseRow } from '../model.ts';
import { notifyUnitRole } from '../notify.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { caseParams, lockCase, openStepTask, requiredText, saveCase } from './case-lock.ts';
import { publishCaseChanged } from '../events.ts';

export async function returnAnswer(work: Work, platform: Platform, principal: Principal, caseId: string, input: { reason: string }): Promise<CaseRow> {
  const reason = requiredText(input.reason, 'reason', LIMITS.reason);
  const row = await lockCase(work, principal, caseId, { states: ['reviewing'] });
  const { task } = await openStepTask(work, caseId, 'review');
  const now = platform.clock.now();
  await completeTask(work, platform, principal, task.id, { outcome: 'return', opinion: reason, returnTo: 'handle' });
  const updated = await saveCase(work, row, { state: 'assigned' }, now);
  await recordCaseEvent(work, row, 'answer_returned', { unitId: row.handling_unit_id, at: now, details: { reason } });
  recordAudit(work, { action: 'interaction.case.answer.return', objectType: 'interaction_case', objectId: row.id, details: { unitId: row.handling_unit_id, reason } }, now);
  await notifyUnitRole(work, platform, row.handling_unit_id, 'responder', 'interaction.case.returned', { ...caseParams(updated), reason });
  await publishCaseChanged(work, platform, updated, { action: 'return' });
  return updated;
}
