/**
 * The main site's editors accept a pushed article into the shared column (it shows there with its
 * source site, in step with the original) or decline it with a reason.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { AppError, fieldError, invalid, notFound } from '../../../platform/http/errors.ts';
import { portalDb, SHARE_OBJECT } from '../model.ts';
import { accessibleSite, findArticle } from '../queries/access.ts';
import { placementsOf } from '../queries/placements.ts';
import { announce } from './article-state.ts';

async function pendingShare(work: Work, principal: Principal, id: string) {
  const share = await portalDb(work.tx).selectFrom('portal_shares').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!share) throw notFound();
  await accessibleSite(work.tx, principal, share.site_id, 'edit');
  if (share.status !== 'pending') throw new AppError('INVALID_STATE', { detail: { key: 'portal.share.decided', params: { status: share.status } } });
  return share;
}

export async function acceptShare(work: Work, platform: Platform, principal: Principal, id: string) {
  const share = await pendingShare(work, principal, id);
  const article = (await findArticle(work.tx, share.article_id, work))!;
  // A share waits only while its article is published (a withdrawal removes it), so this holds.
  const before = await placementsOf(work.tx, article);
  const now = platform.clock.now();
  await portalDb(work.tx).updateTable('portal_shares').set({ status: 'accepted', decided_by: principal.userId, decided_at: now, accepted_at: now, version: share.version + 1 }).where('id', '=', share.id).execute();
  recordAudit(work, { action: 'portal.share.accept', objectType: SHARE_OBJECT, objectId: share.id, details: { articleId: article.id, columnId: share.column_id, title: article.title } }, now);
  await announce(work, platform, article, 'shared', before);
  return { id: share.id, status: 'accepted' as const };
}

export async function declineShare(work: Work, platform: Platform, principal: Principal, id: string, input: { reason: string }) {
  const reason = input.reason.trim();
  if (!reason) throw invalid([fieldError('body.reason', 'portal.check.blank')]);
  const share = await pendingShare(work, principal, id);
  const now = platform.clock.now();
  await portalDb(work.tx).updateTable('portal_shares').set({ status: 'declined', reason, decided_by: principal.userId, decided_at: now, version: share.version + 1 }).where('id', '=', share.id).execute();
  recordAudit(work, { action: 'portal.share.decline', objectType: SHARE_OBJECT, objectId: share.id, details: { articleId: share.article_id, columnId: share.column_id, reason } }, now);
  return { id: share.id, status: 'declined' as const };
}

/** A main-site editor takes an accepted item off the shared column (the original stays where it is). */
export async function removeShare(work: Work, platform: Platform, principal: Principal, id: string, input: { reason: string }) {
  const reason = input.reason.trim();
  if (!reason) throw invalid([fieldError('body.reason', 'portal.check.blank')]);
  const share = await portalDb(work.tx).selectFrom('portal_shares').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!share) throw notFound();
  await accessibleSite(work.tx, principal, share.site_id, 'edit');
  if (share.status !== 'accepted') throw new AppError('INVALID_STATE', { detail: { key: 'portal.share.decided', params: { status: share.status } } });
  const article = (await findArticle(work.tx, share.article_id, work))!;
  const before = await placementsOf(work.tx, article);
  const now = platform.clock.now();
  await portalDb(work.tx).updateTable('portal_shares').set({ status: 'removed', reason, removed_at: now, version: share.version + 1 }).where('id', '=', share.id).execute();
  recordAudit(work, { action: 'portal.share.remove', objectType: SHARE_OBJECT, objectId: share.id, details: { articleId: article.id, columnId: share.column_id, reason } }, now);
  await announce(work, platform, article, 'share_removed', before);
  return { id: share.id, status: 'removed' as const };
}
