/** Reading articles: one in full, the editors' lists, revisions and their differences. */
import type { Db } from '../../../platform/db/index.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { getFiles } from '../../../platform/files/service.ts';
import { keysetPage, type Keyset } from '../../../platform/db/pagination.ts';
import { fieldError, invalid, notFound } from '../../../platform/http/errors.ts';
import { bodyAsText } from '../../../platform/views/rich-text.ts';
import { portalDb, type ArticleRow, type ArticleStatus } from '../model.ts';
import { lineDiff } from '../line-diff.ts';
import { accessibleSite, findArticle, visibleSites } from './access.ts';
import { placementsOf } from './placements.ts';

/** An article the caller may read (its site's editors and managers); else 404. */
export async function readableArticle(db: Db, principal: Principal, id: string): Promise<ArticleRow> {
  const article = await findArticle(db, id);
  if (!article) throw notFound();
  await accessibleSite(db, principal, article.site_id, 'configure');
  return article;
}

export function articleSummary(a: ArticleRow) {
  return {
    id: a.id,
    siteId: a.site_id,
    columnId: a.column_id,
    status: a.status,
    scheduled: a.scheduled,
    title: a.title,
    revision: a.revision,
    createdBy: a.created_by,
    publishAt: a.publish_at,
    publishedAt: a.published_at,
    updatedAt: a.updated_at,
  };
}

export async function articleView(db: Db, principal: Principal, id: string) {
  const a = await readableArticle(db, principal, id);
  const pdb = portalDb(db);
  const placements = await placementsOf(db, a);
  const revisions = await pdb.selectFrom('portal_revisions').select((eb) => eb.fn.countAll<number>().as('n')).where('article_id', '=', a.id).executeTakeFirstOrThrow();
  const files = await getFiles(db, a.attachment_ids);
  const shares = await pdb
    .selectFrom('portal_shares as s')
    .innerJoin('portal_columns as c', 'c.id', 's.column_id')
    .select(['s.id', 's.column_id', 'c.name', 's.status', 's.reason', 's.pushed_at', 's.decided_at'])
    .where('s.article_id', '=', a.id)
    .orderBy('s.pushed_at')
    .execute();
  const actions = await pdb.selectFrom('portal_article_actions').selectAll().where('article_id', '=', a.id).orderBy('id').execute();
  return {
    ...articleSummary(a),
    unitId: a.unit_id,
    subtitle: a.subtitle,
    summary: a.summary,
    body: a.body,
    source: a.source,
    author: a.author,
    keywords: a.keywords,
    attachments: a.attachment_ids.flatMap((fid) => {
      const f = files.get(fid);
      return f ? [{ id: f.id, name: f.name, size: f.size, mime: f.mime }] : [];
    }),
    attachmentContact: a.attachment_contact,
    unpublishAt: a.unpublish_at,
    firstPublishedAt: a.first_published_at,
    reason: a.reason,
    submittedBy: a.submitted_by,
    submittedAt: a.submitted_at,
    reviewedBy: a.reviewed_by,
    reviewedAt: a.reviewed_at,
    createdAt: a.created_at,
    version: a.version,
    /** The public address once published; null before and after. */
    url: placements.find((p) => p.home)?.url ?? null,
    placements,
    revisions: Number(revisions.n),
    shares: shares.map((s) => ({ id: s.id, columnId: s.column_id, columnName: s.name, status: s.status, reason: s.reason, pushedAt: s.pushed_at, decidedAt: s.decided_at })),
    history: actions.map((h) => ({ action: h.action, from: h.from_status, to: h.to_status, reason: h.reason, actorId: h.actor_id, at: h.at })),
  };
}

const NEWEST_CHANGE: Keyset<ArticleRow> = {
  keys: [
    { by: 'updated_at', kind: 'timestamp', of: (r) => r.updated_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

export interface ArticleFilter {
  siteId?: string;
  columnId?: string;
  status?: ArticleStatus;
  limit: number;
  cursor?: string;
}

/** The articles of the sites the caller may see, newest change first. */
export async function listArticles(db: Db, principal: Principal, filter: ArticleFilter) {
  let siteIds = (await visibleSites(db, principal)).map(({ site }) => site.id);
  if (filter.siteId) {
    if (!siteIds.includes(filter.siteId)) throw notFound();
    siteIds = [filter.siteId];
  }
  if (!siteIds.length) return { items: [], nextCursor: null };
  let query = portalDb(db).selectFrom('portal_articles').selectAll().where('site_id', 'in', siteIds);
  if (filter.columnId) query = query.where('column_id', '=', filter.columnId);
  if (filter.status) query = query.where('status', '=', filter.status);
  const page = await keysetPage(query, NEWEST_CHANGE, { limit: filter.limit, cursor: filter.cursor });
  return { items: page.items.map(articleSummary), nextCursor: page.nextCursor };
}

export async function listRevisions(db: Db, principal: Principal, id: string) {
  const a = await readableArticle(db, principal, id);
  const rows = await portalDb(db).selectFrom('portal_revisions').select(['revision', 'title', 'created_by', 'created_at']).where('article_id', '=', a.id).orderBy('revision', 'desc').execute();
  return { items: rows.map((r) => ({ revision: r.revision, title: r.title, createdBy: r.created_by, createdAt: r.created_at, current: r.revision === a.revision })) };
}

const COMPARED = ['title', 'subtitle', 'summary', 'source', 'author'] as const;

/** What changed from one revision to another: the one-line fields side by side, the body line by line. */
export async function diffRevisions(db: Db, principal: Principal, id: string, from: number, to: number) {
  const a = await readableArticle(db, principal, id);
  const rows = await portalDb(db).selectFrom('portal_revisions').selectAll().where('article_id', '=', a.id).where('revision', 'in', [from, to]).execute();
  const before = rows.find((r) => r.revision === from);
  const after = rows.find((r) => r.revision === to);
  const errors = [...(before ? [] : [fieldError('from', 'portal.revision.unknown')]), ...(after ? [] : [fieldError('to', 'portal.revision.unknown')])];
  if (errors.length || !before || !after) throw invalid(errors);
  return {
    from,
    to,
    fields: COMPARED.filter((f) => before[f] !== after[f]).map((f) => ({ field: f, before: before[f], after: after[f] })),
    keywords: { before: before.keywords, after: after.keywords, changed: JSON.stringify(before.keywords) !== JSON.stringify(after.keywords) },
    attachments: { before: before.attachment_ids, after: after.attachment_ids, changed: JSON.stringify(before.attachment_ids) !== JSON.stringify(after.attachment_ids) },
    body: lineDiff(bodyAsText(before.body), bodyAsText(after.body)),
  };
}
