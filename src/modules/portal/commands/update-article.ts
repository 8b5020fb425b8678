/**
 * Edits an article: a draft, a rejected or a withdrawn one as it is; a published one gets a new
 * revision and stays published (the event tells the pages to follow, moved columns included). A
 * submitted article waits for its review: 409. Every content change is a new revision.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { attachFiles } from '../../../platform/files/service.ts';
import { AppError, notFound } from '../../../platform/http/errors.ts';
import { ARTICLE_OBJECT, ATTACHMENT_OWNER, portalDb } from '../model.ts';
import { accessibleSite, findArticle, findColumn, mayWriteInColumn } from '../queries/access.ts';
import { placementsOf } from '../queries/placements.ts';
import { checkArticleContent, contentColumns, contentOf, type ArticlePatch } from './article-input.ts';
import { announce } from './article-state.ts';
import { insertRevision, writableColumn } from './create-article.ts';

export async function updateArticle(work: Work, platform: Platform, principal: Principal, id: string, patch: ArticlePatch) {
  const article = await findArticle(work.tx, id, work);
  if (!article) throw notFound();
  const { site, unit } = await accessibleSite(work.tx, principal, article.site_id, 'edit', work);
  const home = (await findColumn(work.tx, article.column_id))!;
  if (!mayWriteInColumn(principal, unit, home)) throw new AppError('PORTAL_COLUMN_NOT_YOURS', { detail: { key: 'portal.column.notYours' } });
  if (article.status === 'submitted') throw new AppError('INVALID_STATE', { detail: { key: 'portal.article.inReview' } });
  const now = platform.clock.now();
  const content = checkArticleContent(patch, contentOf(article), now);
  const column = patch.columnId && patch.columnId !== article.column_id ? await writableColumn(work, principal, site, unit, patch.columnId) : home;
  const before = await placementsOf(work.tx, article);
  const revision = article.revision + 1;
  const updated = await portalDb(work.tx)
    .updateTable('portal_articles')
    .set({
      column_id: column.id,
      ...contentColumns(content),
      attachment_contact: content.attachmentContact,
      publish_at: content.publishAt,
      unpublish_at: content.unpublishAt,
      revision,
      updated_at: now,
      version: article.version + 1,
    })
    .where('id', '=', article.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const added = content.attachmentIds.filter((f) => !article.attachment_ids.includes(f));
  if (added.length) await attachFiles(work, added, { ownerType: ATTACHMENT_OWNER, ownerId: article.id }, principal, now);
  await insertRevision(work, article.id, revision, content, principal.userId, now);
  recordAudit(work, { action: 'portal.article.update', objectType: ARTICLE_OBJECT, objectId: article.id, details: { fields: Object.keys(patch), revision, status: article.status, ...(column.id !== home.id ? { columnId: column.id } : {}) } }, now);
  if (article.status === 'published') await announce(work, platform, updated, 'updated', before, [home.id]);
  return { id: article.id, status: updated.status, revision, version: updated.version };
}
