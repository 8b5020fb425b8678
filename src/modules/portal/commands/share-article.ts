/**
 * 信息报送: an editor of a sub-site pushes one of its published articles to a shared column of the
 * main site; the share waits for the main site's editors. A column that is not shared: 422.
 */
import crypto from 'node:crypto';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { AppError } from '../../../platform/http/errors.ts';
import { portalDb, SHARE_OBJECT } from '../model.ts';
import { findColumn, findSite } from '../queries/access.ts';
import { articleFor } from './review-access.ts';

export async function shareArticle(work: Work, platform: Platform, principal: Principal, id: string, input: { columnId: string }): Promise<{ id: string; status: 'pending' }> {
  const { article, site } = await articleFor(work, principal, id, ['draft', 'submitted', 'published', 'rejected', 'withdrawn']);
  const column = await findColumn(work.tx, input.columnId);
  const target = column ? await findSite(work.tx, column.site_id) : null;
  if (!column || !target || target.kind !== 'main' || !column.shared) throw new AppError('PORTAL_COLUMN_NOT_SHARED', { detail: { key: 'portal.share.notShared' } });
  if (target.id === site.id) throw new AppError('PORTAL_COLUMN_NOT_SHARED', { detail: { key: 'portal.share.ownSite' } });
  if (article.status !== 'published') throw new AppError('INVALID_STATE', { detail: { key: 'portal.share.notPublished' } });
  const now = platform.clock.now();
  const shareId = crypto.randomUUID();
  const made = await portalDb(work.tx)
    .insertInto('portal_shares')
    .values({ id: shareId, article_id: article.id, source_site_id: site.id, source_unit_id: site.unit_id, column_id: column.id, site_id: target.id, status: 'pending', reason: null, pushed_by: principal.userId, pushed_at: now, decided_by: null, decided_at: null, accepted_at: null, removed_at: null })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!made) throw new AppError('PORTAL_ALREADY_SHARED', { detail: { key: 'portal.share.already' } });
  recordAudit(work, { action: 'portal.share.push', objectType: SHARE_OBJECT, objectId: shareId, details: { articleId: article.id, columnId: column.id, title: article.title } }, now);
  return { id: shareId, status: 'pending' };
}
