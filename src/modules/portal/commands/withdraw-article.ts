/** 撤稿: a published article comes down with a reason, from its column and every shared column that showed it. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { fieldError, invalid } from '../../../platform/http/errors.ts';
import { ARTICLE_OBJECT } from '../model.ts';
import { takeDown } from './article-state.ts';
import { articleFor } from './review-access.ts';

export async function withdrawArticle(work: Work, platform: Platform, principal: Principal, id: string, input: { reason: string }) {
  const reason = input.reason.trim();
  if (!reason) throw invalid([fieldError('body.reason', 'portal.check.blank')]);
  const { article } = await articleFor(work, principal, id, ['published']);
  const now = platform.clock.now();
  const row = await takeDown(work, platform, article, now, principal.userId, 'withdrawn', reason);
  recordAudit(work, { action: 'portal.article.withdraw', objectType: ARTICLE_OBJECT, objectId: article.id, details: { reason } }, now);
  return { id: article.id, status: row.status };
}
