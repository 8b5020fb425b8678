/**
 * A moderator publishes an answered case on the message board: the question and answer with
 * personal data removed (by default the redacted texts; the moderator may edit them).
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, fieldError, invalid, type FieldError } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { interactionDb, LIMITS } from '../model.ts';
import { defaultPublicText, moderatedCase } from '../queries/moderation.ts';
import { recordCaseEvent } from '../queries/events.ts';

export async function publishCase(work: Work, platform: Platform, principal: Principal, id: string, input: { publicBody?: string | null; publicAnswer?: string | null }) {
  const row = await moderatedCase(work.tx, principal, id, true);
  const errors: FieldError[] = [];
  const given = (value: string | null | undefined, field: string, max: number) => {
    if (value === undefined || value === null) return null;
    const text = value.trim();
    if (!text) errors.push(fieldError(field, 'interaction.moderation.textRequired'));
    else if (text.length > max) errors.push(fieldError(field, 'interaction.moderation.tooLong', { max }));
    return text;
  };
  const body = given(input.publicBody, 'publicBody', LIMITS.body);
  const answer = given(input.publicAnswer, 'publicAnswer', LIMITS.answer);
  if (errors.length) throw invalid(errors);
  if (row.state !== 'answered' || !row.answer_body) throw new AppError('INTERACTION_NOT_ANSWERED', { detail: { key: 'interaction.moderation.notAnswered' } });
  if (row.moderation === 'published') throw new AppError('INTERACTION_ALREADY_PUBLISHED', { detail: { key: 'interaction.moderation.alreadyPublished' } });
  const defaults = defaultPublicText(platform, row);
  const now = platform.clock.now();
  const updated = await interactionDb(work.tx)
    .updateTable('interaction_cases')
    .set((eb) => ({
      moderation: 'published',
      moderation_reason: null,
      published_at: now,
      public_body: body ?? defaults.publicBody,
      public_answer: answer ?? defaults.publicAnswer,
      updated_at: now,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordCaseEvent(work, row, 'published', { details: { edited: body !== null || answer !== null }, at: now });
  recordAudit(work, { action: 'interaction.moderation.publish', objectType: 'interaction_case', objectId: row.id, details: { trackingNo: row.tracking_no, edited: body !== null || answer !== null, was: row.moderation } }, now);
  return updated;
}
