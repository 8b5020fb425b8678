/** Approves a submitted article: published now, or at its publish time (scheduled). Not by its author. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { AppError } from '../../../platform/http/errors.ts';
import { ARTICLE_OBJECT } from '../model.ts';
import { goLive } from './article-state.ts';
import { articleFor, checkReviewer } from './review-access.ts';

export async function approveArticle(work: Work, platform: Platform, principal: Principal, id: string) {
  const { article, column } = await articleFor(work, principal, id, ['submitted']);
  if (article.scheduled) throw new AppError('INVALID_STATE', { detail: { key: 'portal.article.alreadyScheduled' } });
  if (column.needs_review) checkReviewer(principal, article);
  const now = platform.clock.now();
  const row = await goLive(work, platform, article, now, principal.userId, 'approve', { reviewed_by: principal.userId, reviewed_at: now });
  recordAudit(work, { action: 'portal.article.approve', objectType: ARTICLE_OBJECT, objectId: article.id, details: { status: row.status, scheduled: row.scheduled } }, now);
  return { id: article.id, status: row.status, scheduled: row.scheduled, publishAt: row.publish_at };
}
