/** 回访: the operator calls the caller back once the ticket is answered and records their satisfaction, once. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, fieldError, invalid } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { interactionDb, LIMITS } from '../model.ts';
import { ownTicket } from '../queries/hotline.ts';
import { recordCaseEvent } from '../queries/events.ts';

export async function visitTicket(work: Work, platform: Platform, principal: Principal, id: string, input: { satisfaction: number; note?: string | null }) {
  const row = await ownTicket(work.tx, principal, id, true);
  if (!Number.isInteger(input.satisfaction) || input.satisfaction < 1 || input.satisfaction > 5) throw invalid([fieldError('satisfaction', 'interaction.hotline.satisfactionInvalid')]);
  const note = input.note?.trim() || null;
  if (note && note.length > LIMITS.comment) throw invalid([fieldError('note', 'interaction.hotline.tooLong', { max: LIMITS.comment })]);
  if (row.state !== 'answered') throw new AppError('INTERACTION_TICKET_NOT_ANSWERED', { detail: { key: 'interaction.hotline.notAnswered' } });
  if (row.visited_at) throw new AppError('INTERACTION_TICKET_VISITED', { detail: { key: 'interaction.hotline.visited' } });
  const now = platform.clock.now();
  const updated = await interactionDb(work.tx)
    .updateTable('interaction_cases')
    .set((eb) => ({ visited_at: now, visited_by: principal.userId, visit_satisfaction: input.satisfaction, visit_note: note, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', row.id)
    .where('visited_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw new AppError('INTERACTION_TICKET_VISITED', { detail: { key: 'interaction.hotline.visited' } });
  await recordCaseEvent(work, row, 'visited', { unitId: row.dispatcher_unit_id, details: { satisfaction: input.satisfaction }, at: now });
  recordAudit(work, { action: 'interaction.hotline.visit', objectType: 'interaction_case', objectId: row.id, details: { trackingNo: row.tracking_no, satisfaction: input.satisfaction } }, now);
  return updated;
}
