/**
 * Submits an article (a draft, a rejected or a withdrawn one). In a column that needs review it
 * waits (`submitted`) for another editor of the unit or its unit_admin; in a column without review
 * the submission is the approval: published at once, or at its publish time (scheduled).
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { AppError } from '../../../platform/http/errors.ts';
import { ARTICLE_OBJECT, portalDb } from '../model.ts';
import { mayWriteInColumn } from '../queries/access.ts';
import { goLive, recordAction } from './article-state.ts';
import { articleFor } from './review-access.ts';

export async function submitArticle(work: Work, platform: Platform, principal: Principal, id: string) {
  const { article, column, unit } = await articleFor(work, principal, id, ['draft', 'rejected', 'withdrawn']);
  if (!mayWriteInColumn(principal, unit, column)) throw new AppError('PORTAL_COLUMN_NOT_YOURS', { detail: { key: 'portal.column.notYours' } });
  const now = platform.clock.now();
  // A publish time that has passed while the article was a draft: publish now rather than refuse.
  const submitted = { submitted_by: principal.userId, submitted_at: now, reviewed_by: null, reviewed_at: null };
  let row;
  if (column.needs_review) {
    row = await portalDb(work.tx).updateTable('portal_articles').set({ ...submitted, status: 'submitted', scheduled: false, updated_at: now, version: article.version + 1 }).where('id', '=', article.id).returningAll().executeTakeFirstOrThrow();
    await recordAction(work, article, 'submit', 'submitted', principal.userId, now);
  } else {
    row = await goLive(work, platform, article, now, principal.userId, 'submit', submitted);
  }
  recordAudit(work, { action: 'portal.article.submit', objectType: ARTICLE_OBJECT, objectId: article.id, details: { status: row.status, scheduled: row.scheduled, needsReview: column.needs_review } }, now);
  return { id: article.id, status: row.status, scheduled: row.scheduled, publishAt: row.publish_at };
}
