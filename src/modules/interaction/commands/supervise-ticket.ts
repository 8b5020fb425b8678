/**
 * 督办: the hotline office presses a unit on a ticket it has (overdue or not). The ticket is
 * marked supervised, the case's log says so, and the unit's leader and responders are told.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, fieldError, invalid } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import { interactionDb, LIMITS } from '../model.ts';
import { ownTicket } from '../queries/hotline.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { notifyUnitRole } from '../notify.ts';

const OPEN_AT_UNIT = ['assigned', 'clarifying', 'reviewing'];

export async function superviseTicket(work: Work, platform: Platform, principal: Principal, id: string, input: { note: string }) {
  const row = await ownTicket(work.tx, principal, id, true);
  const note = input.note.trim();
  if (!note) throw invalid([fieldError('note', 'interaction.hotline.noteRequired')]);
  if (note.length > LIMITS.reason) throw invalid([fieldError('note', 'interaction.hotline.tooLong', { max: LIMITS.reason })]);
  if (!OPEN_AT_UNIT.includes(row.state) || row.handling_unit_id === row.dispatcher_unit_id) {
    throw new AppError('INTERACTION_TICKET_NOT_AT_UNIT', { detail: { key: 'interaction.hotline.notAtUnit' } });
  }
  const now = platform.clock.now();
  const overdue = shanghaiDate(now) > row.due_date;
  const updated = await interactionDb(work.tx)
    .updateTable('interaction_cases')
    .set((eb) => ({ supervised_at: now, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordCaseEvent(work, row, 'supervised', { unitId: row.handling_unit_id, details: { note, overdue }, at: now });
  const params = { title: row.title, trackingNo: row.tracking_no, dueDate: row.due_date, caseId: row.id, note };
  await notifyUnitRole(work, platform, row.handling_unit_id, 'unit_leader', 'interaction.hotline.supervised', params);
  await notifyUnitRole(work, platform, row.handling_unit_id, 'responder', 'interaction.hotline.supervised', params);
  recordAudit(work, { action: 'interaction.hotline.supervise', objectType: 'interaction_case', objectId: row.id, details: { trackingNo: row.tracking_no, unitId: row.handling_unit_id, overdue } }, now);
  return updated;
}
