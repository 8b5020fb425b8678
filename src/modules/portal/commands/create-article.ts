/** An editor writes an article in a column of a site of its unit: a draft, revision 1. */
import crypto from 'node:crypto';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { attachFiles } from '../../../platform/files/service.ts';
import { AppError, fieldError, invalid } from '../../../platform/http/errors.ts';
import type { Unit } from '../../../platform/org/service.ts';
import { ARTICLE_OBJECT, ATTACHMENT_OWNER, portalDb, type ColumnRow, type SiteRow } from '../model.ts';
import { accessibleSite, findColumn, mayWriteInColumn } from '../queries/access.ts';
import { checkArticleContent, contentColumns, type ArticleContent, type ArticleInput } from './article-input.ts';
import { recordAction } from './article-state.ts';

/** The column an article goes into: of the site, holding articles (a list or a single page), open to the caller. */
export async function writableColumn(work: Work, principal: Principal, site: SiteRow, unit: Unit, columnId: string): Promise<ColumnRow> {
  const column = await findColumn(work.tx, columnId);
  if (!column || column.site_id !== site.id) throw invalid([fieldError('body.columnId', 'portal.check.columnUnknown')]);
  if (column.kind !== 'article_list' && column.kind !== 'single_page') throw new AppError('PORTAL_COLUMN_NO_ARTICLES', { detail: { key: 'portal.column.noArticles' } });
  if (!mayWriteInColumn(principal, unit, column)) throw new AppError('PORTAL_COLUMN_NOT_YOURS', { detail: { key: 'portal.column.notYours' } });
  return column;
}

export async function insertRevision(work: Work, articleId: string, revision: number, content: ArticleContent, userId: string, now: Date) {
  await portalDb(work.tx)
    .insertInto('portal_revisions')
    .values({
      id: crypto.randomUUID(),
      article_id: articleId,
      revision,
      ...contentColumns(content),
      created_by: userId,
      created_at: now,
    })
    .execute();
}

export async function createArticle(work: Work, platform: Platform, principal: Principal, input: ArticleInput): Promise<{ id: string; status: 'draft' }> {
  const now = platform.clock.now();
  const content = checkArticleContent(input, null, now);
  const { site, unit } = await accessibleSite(work.tx, principal, input.siteId, 'edit', work);
  const column = await writableColumn(work, principal, site, unit, input.columnId);
  const id = crypto.randomUUID();
  await portalDb(work.tx)
    .insertInto('portal_articles')
    .values({
      id,
      site_id: site.id,
      column_id: column.id,
      unit_id: site.unit_id,
      status: 'draft',
      ...contentColumns(content),
      attachment_contact: content.attachmentContact,
      publish_at: content.publishAt,
      unpublish_at: content.unpublishAt,
      published_at: null,
      first_published_at: null,
      revision: 1,
      reason: null,
      created_by: principal.userId,
      submitted_by: null,
      submitted_at: null,
      reviewed_by: null,
      reviewed_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  if (content.attachmentIds.length) await attachFiles(work, content.attachmentIds, { ownerType: ATTACHMENT_OWNER, ownerId: id }, principal, now);
  await insertRevision(work, id, 1, content, principal.userId, now);
  await recordAction(work, { id, status: null as never }, 'create', 'draft', principal.userId, now);
  recordAudit(work, { action: 'portal.article.create', objectType: ARTICLE_OBJECT, objectId: id, details: { siteId: site.id, columnId: column.id, title: content.title } }, now);
  return { id, status: 'draft' };
}
