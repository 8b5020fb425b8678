/**
 * 直接办结: the operator answers the caller at once (from the knowledge base or in their own
 * words). The ticket's dispatch step ends with the outcome 'close' and the case is answered.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, fieldError, invalid } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { completeTask } from '../../../platform/flow/service.ts';
import { interactionDb, LIMITS } from '../model.ts';
import { currentRound, openTask } from '../process.ts';
import { ownTicket } from '../queries/hotline.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { publishCaseChanged } from '../events.ts';

export async function closeTicket(work: Work, platform: Platform, principal: Principal, id: string, input: { knowledgeId?: string | null; answer: string }) {
  const row = await ownTicket(work.tx, principal, id, true);
  const answer = input.answer.trim();
  if (!answer) throw invalid([fieldError('answer', 'interaction.hotline.answerRequired')]);
  if (answer.length > LIMITS.answer) throw invalid([fieldError('answer', 'interaction.hotline.tooLong', { max: LIMITS.answer })]);
  const knowledgeId = input.knowledgeId?.trim() || null;
  if (knowledgeId) {
    const known = await interactionDb(work.tx).selectFrom('interaction_knowledge').select('id').where('id', '=', knowledgeId).where('active', '=', true).executeTakeFirst();
    if (!known) throw invalid([fieldError('knowledgeId', 'interaction.hotline.knowledgeUnknown')]);
  }
  if (row.state !== 'received') throw new AppError('INTERACTION_TICKET_NOT_AT_HOTLINE', { detail: { key: 'interaction.hotline.notAtHotline' } });
  const task = openTask(await currentRound(work, row.id), 'dispatch');
  if (!task) throw new AppError('INTERACTION_TICKET_NOT_AT_HOTLINE', { detail: { key: 'interaction.hotline.notAtHotline' } });
  await completeTask(work, platform, principal, task.id, { outcome: 'close', opinion: answer.slice(0, 1000) });
  const now = platform.clock.now();
  const updated = await interactionDb(work.tx)
    .updateTable('interaction_cases')
    .set((eb) => ({ state: 'answered', answer_body: answer, answered_at: now, answered_by: principal.userId, knowledge_id: knowledgeId, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', row.id)
    .where('state', '=', 'received')
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw new AppError('CONFLICT');
  await recordCaseEvent(work, row, 'closed', { unitId: row.dispatcher_unit_id, details: { knowledgeId }, at: now });
  recordAudit(work, { action: 'interaction.hotline.close', objectType: 'interaction_case', objectId: row.id, details: { trackingNo: row.tracking_no, knowledgeId } }, now);
  await publishCaseChanged(work, platform, updated, { action: 'close', stepKey: 'dispatch' });
  return updated;
}
