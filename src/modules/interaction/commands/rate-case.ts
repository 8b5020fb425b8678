/**
 * The writer rates the answer (1..5 and a comment): only an answered case, and only once. The
 * tracking number and the query code identify the writer; a wrong code is the same 404 as an
 * unknown number.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { AppError, notFound } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { interactionDb, type CaseRow } from '../model.ts';
import { caseOfWriter } from '../queries/public.ts';
import { recordCaseEvent } from '../queries/events.ts';

export interface RatingInput {
  code: string;
  score: number;
  comment?: string | null;
}

/** Rates the case found by number and code (the signed-in writer's own case may be passed as `row`). */
export async function rateCase(work: Work, platform: Platform, trackingNo: string, input: RatingInput, own?: CaseRow | null): Promise<{ trackingNo: string; score: number; ratedAt: string }> {
  const row = own ? await lockCase(work, own.id) : await caseOfWriter(work.tx, platform, trackingNo, input.code, { forUpdate: true });
  if (!row) throw notFound();
  if (row.state !== 'answered') throw new AppError('CONFLICT', { detail: { key: 'interaction.public.rateNotAnswered' } });
  if (row.rating_score !== null) throw new AppError('CONFLICT', { detail: { key: 'interaction.public.alreadyRated' } });
  const now = platform.clock.now();
  const comment = input.comment?.trim() || null;
  await interactionDb(work.tx)
    .updateTable('interaction_cases')
    .set((eb) => ({ rating_score: input.score, rating_comment: comment, rated_at: now, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', row.id)
    .execute();
  await recordCaseEvent(work, row, 'rated', { unitId: row.handling_unit_id, details: { score: input.score }, at: now });
  recordAudit(work, { action: 'interaction.case.rate', objectType: 'interaction_case', objectId: row.id, details: { trackingNo: row.tracking_no, score: input.score } }, now);
  return { trackingNo: row.tracking_no, score: input.score, ratedAt: now.toISOString() };
}

export async function lockCase(work: Work, id: string): Promise<CaseRow | null> {
  return (await interactionDb(work.tx).selectFrom('interaction_cases').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()) ?? null;
}
