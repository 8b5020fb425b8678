/**
 * Extends a disclosure request's time limit (延期答复), as the Regulations on Open Government
 * Information allow: once, by at most MAX_EXTENSION_DAYS working days, with a reason, by the
 * unit handling it. The new due date counts the extra working days from the current one; the
 * round on the engine is extended by the same days, the requester learns the new date by SMS.
 */
import { sql } from 'kysely';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { hasPermission, coversUnit, type Principal } from '../../../platform/iam/principal.ts';
import { AppError, fieldError, forbidden, invalid, notFound, type FieldError } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { addWorkingDays } from '../../../platform/calendar/index.ts';
import { applyInstanceAction } from '../../../platform/flow/service.ts';
import { openField } from '../../../platform/crypto/fields.ts';
import { getUnit } from '../../../platform/org/service.ts';
import { APPROVE_PERMISSION, HANDLE_PERMISSION, LIMITS, MAX_EXTENSION_DAYS, interactionDb, type CaseRow } from '../model.ts';
import { currentRound } from '../process.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { notifyWriter } from '../notify.ts';
import { publishCaseChanged } from '../events.ts';

/** States in which a disclosure request may still be extended: with the unit, not answered yet. */
const EXTENDABLE = ['assigned', 'clarifying', 'reviewing'] as const;

export interface ExtendInput {
  reason: string;
  days: number;
}

/** Whether the caller handles (responder) or approves (unit leader) the unit's cases. */
export async function handlesUnit(work: Work, principal: Principal, unitId: string): Promise<boolean> {
  const unit = await getUnit(work.tx, unitId);
  if (!unit) return false;
  return [HANDLE_PERMISSION, APPROVE_PERMISSION].some((p) => hasPermission(principal, p) && coversUnit(principal, p, { id: unit.id, regionCode: unit.regionCode }));
}

export async function extendCase(work: Work, platform: Platform, principal: Principal, id: string, input: ExtendInput): Promise<CaseRow> {
  if (![HANDLE_PERMISSION, APPROVE_PERMISSION].some((p) => hasPermission(principal, p))) throw forbidden();
  const db = interactionDb(work.tx);
  // The row is locked: of two extensions at once, the second sees the first.
  const row = await db.selectFrom('interaction_cases').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row || !(await handlesUnit(work, principal, row.handling_unit_id))) throw notFound();

  const reason = input.reason.trim();
  const errors: FieldError[] = [];
  if (!reason) errors.push(fieldError('reason', 'interaction.extend.reasonRequired'));
  else if ([...reason].length > LIMITS.reason) errors.push(fieldError('reason', 'interaction.extend.reasonTooLong', { max: LIMITS.reason }));
  if (!Number.isInteger(input.days) || input.days < 1 || input.days > MAX_EXTENSION_DAYS) errors.push(fieldError('days', 'interaction.extend.daysRange', { max: MAX_EXTENSION_DAYS }));
  if (errors.length) throw invalid(errors);

  if (row.channel !== 'disclosure_request') throw new AppError('INTERACTION_EXTEND_NOT_DISCLOSURE');
  if (row.extension_days > 0) throw new AppError('INTERACTION_ALREADY_EXTENDED');
  if (!(EXTENDABLE as readonly string[]).includes(row.state)) throw new AppError('INTERACTION_EXTEND_CLOSED');

  const now = platform.clock.now();
  const dueDate = (await addWorkingDays(work.tx, String(row.due_date), input.days)).date;
  const updated = await db
    .updateTable('interaction_cases')
    .set({ extension_days: input.days, extension_reason: reason, due_date: dueDate, updated_at: now, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .where('extension_days', '=', 0)
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw new AppError('INTERACTION_ALREADY_EXTENDED');

  const round = await currentRound(work, id);
  if (round && (round.status === 'running' || round.status === 'suspended')) {
    await applyInstanceAction(work, platform, round.instanceId, { type: 'extend', days: input.days, by: principal.userId, reason });
  }
  await recordCaseEvent(work, updated, 'extended', { unitId: updated.handling_unit_id, details: { days: input.days, reason, previousDueDate: String(row.due_date), dueDate }, at: now });
  recordAudit(work, { action: 'interaction.case.extend', objectType: 'interaction_case', objectId: id, details: { days: input.days, dueDate, unitId: updated.handling_unit_id } }, now);
  await publishCaseChanged(work, platform, updated, { action: 'extend' });
  const params = { title: updated.title, trackingNo: updated.tracking_no, dueDate, days: input.days, reason };
  await notifyWriter(work, platform, openField(platform, updated.writer_phone_sealed), 'interaction.case.extended', params, `interaction:${id}:extended`);
  return updated;
}
