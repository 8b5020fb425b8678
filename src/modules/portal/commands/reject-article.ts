/** Sends a submitted (or scheduled) article back to its author with a reason. Not by its author. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { fieldError, invalid } from '../../../platform/http/errors.ts';
import { ARTICLE_OBJECT, portalDb } from '../model.ts';
import { recordAction } from './article-state.ts';
import { articleFor, checkReviewer } from './review-access.ts';

export async function rejectArticle(work: Work, platform: Platform, principal: Principal, id: string, input: { reason: string }) {
  const reason = input.reason.trim();
  if (!reason) throw invalid([fieldError('body.reason', 'portal.check.blank')]);
  const { article, column } = await articleFor(work, principal, id, ['submitted']);
  if (column.needs_review) checkReviewer(principal, article);
  const now = platform.clock.now();
  const row = await portalDb(work.tx)
    .updateTable('portal_articles')
    .set({ status: 'rejected', scheduled: false, reason, reviewed_by: principal.userId, reviewed_at: now, updated_at: now, version: article.version + 1 })
    .where('id', '=', article.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAction(work, article, 'reject', 'rejected', principal.userId, now, reason);
  recordAudit(work, { action: 'portal.article.reject', objectType: ARTICLE_OBJECT, objectId: article.id, details: { reason } }, now);
  return { id: article.id, status: row.status };
}
