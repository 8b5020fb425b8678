/** A moderator keeps a case off the message board, or takes a published one down, with a reason. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, fieldError, invalid } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { interactionDb, LIMITS } from '../model.ts';
import { moderatedCase } from '../queries/moderation.ts';
import { recordCaseEvent } from '../queries/events.ts';

export async function hideCase(work: Work, platform: Platform, principal: Principal, id: string, input: { reason: string }) {
  const row = await moderatedCase(work.tx, principal, id, true);
  const reason = input.reason.trim();
  if (!reason) throw invalid([fieldError('reason', 'interaction.moderation.reasonRequired')]);
  if (reason.length > LIMITS.reason) throw invalid([fieldError('reason', 'interaction.moderation.tooLong', { max: LIMITS.reason })]);
  if (row.moderation === 'hidden') throw new AppError('INTERACTION_ALREADY_HIDDEN', { detail: { key: 'interaction.moderation.alreadyHidden' } });
  const now = platform.clock.now();
  const updated = await interactionDb(work.tx)
    .updateTable('interaction_cases')
    .set((eb) => ({ moderation: 'hidden', moderation_reason: reason, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordCaseEvent(work, row, 'hidden', { details: { reason, was: row.moderation }, at: now });
  recordAudit(work, { action: 'interaction.moderation.hide', objectType: 'interaction_case', objectId: row.id, details: { trackingNo: row.tracking_no, was: row.moderation } }, now);
  return updated;
}
