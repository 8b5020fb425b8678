/**
 * The handling unit asks the writer for clarification (补充说明): a text message with the
 * question goes to the writer, the round is suspended with reason 'clarification' and the
 * case's clock stops until the writer answers (reply-clarification).
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { applyInstanceAction } from '../../../platform/flow/service.ts';
import { openField } from '../../../platform/crypto/fields.ts';
import { LIMITS, type CaseRow } from '../model.ts';
import { CLARIFICATION_STOP } from '../process.ts';
import { notifyWriter } from '../notify.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { lockCase, mustHandle, openStepTask, requiredText, saveCase } from './case-lock.ts';
import { publishCaseChanged } from '../events.ts';

export async function askClarification(work: Work, platform: Platform, principal: Principal, caseId: string, input: { question: string }): Promise<CaseRow> {
  const question = requiredText(input.question, 'question', LIMITS.reason);
  const row = await lockCase(work, principal, caseId, { states: ['assigned'] });
  const { round, task } = await openStepTask(work, caseId, 'handle');
  await mustHandle(work, principal, task.id);
  const now = platform.clock.now();
  await applyInstanceAction(work, platform, round.instanceId, { type: 'suspend', reason: CLARIFICATION_STOP, by: principal.userId, note: question });
  const updated = await saveCase(work, row, { state: 'clarifying' }, now);
  await recordCaseEvent(work, row, 'clarification_asked', { unitId: row.handling_unit_id, at: now, details: { question } });
  recordAudit(work, { action: 'interaction.case.clarification.ask', objectType: 'interaction_case', objectId: row.id, details: { unitId: row.handling_unit_id } }, now);
  const params = { caseId: row.id, title: row.title, trackingNo: row.tracking_no, question };
  await notifyWriter(work, platform, openField(platform, row.writer_phone_sealed), 'interaction.case.clarification', params, `interaction:${row.id}:clarification:${row.version}`);
  await publishCaseChanged(work, platform, updated, { action: 'clarify' });
  return updated;
}
