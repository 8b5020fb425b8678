/**
 * What the public pages read: the site group (every site, one query), a site's columns, the items
 * a column shows (its own published articles and the accepted shares), articles by id. Every read
 * is by an index (site, column, status) and none is made per item: a page is a handful of queries,
 * and the bulk rebuild reads articles in large batches.
 */
import { sql, type Db } from '../../../platform/db/index.ts';
import { portalDb, type ArticleRow, type ColumnRow, type SiteRow } from '../model.ts';
import type { ColumnItemRow } from './shares.ts';

/** Every site: a site group has at most a few hundred, and any page needs several of them (itself, the main site, the sources of shared items). */
export async function allSites(db: Db): Promise<SiteRow[]> {
  return portalDb(db).selectFrom('portal_sites').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function siteColumnRows(db: Db, siteId: string): Promise<ColumnRow[]> {
  return portalDb(db).selectFrom('portal_columns').selectAll().where('site_id', '=', siteId).orderBy('depth').orderBy('position').orderBy('id').execute();
}

export async function columnRowsOf(db: Db, siteIds: string[]): Promise<ColumnRow[]> {
  if (!siteIds.length) return [];
  return portalDb(db).selectFrom('portal_columns').selectAll().where('site_id', 'in', siteIds).orderBy('depth').orderBy('position').orderBy('id').execute();
}

/** An item of a column's list (the same rows the API's column items read). */
export type ColumnItem = ColumnItemRow;

const itemsUnion = (columnId: string) => sql`
  select a.id, a.title, a.summary, a.published_at, a.site_id, false as shared from portal_articles a
   where a.column_id = ${columnId} and a.status = 'published'
  union all
  select a.id, a.title, a.summary, a.published_at, a.site_id, true as shared
    from portal_shares s join portal_articles a on a.id = s.article_id
   where s.column_id = ${columnId} and s.status = 'accepted' and a.status = 'published'`;

/** How many items a column shows. */
export async function columnItemCount(db: Db, columnId: string): Promise<number> {
  const row = (await sql<{ n: string }>`select count(*) as n from (${itemsUnion(columnId)}) items`.execute(db)).rows[0];
  return Number(row?.n ?? 0);
}

/** A slice of a column's items: `newest` first, or oldest first from `offset` (the numbered list pages). */
export async function columnItemSlice(db: Db, columnId: string, options: { order: 'newest' | 'oldest'; offset?: number; limit: number }): Promise<ColumnItem[]> {
  const dir = options.order === 'newest' ? sql`desc` : sql`asc`;
  const { rows } = await sql<ColumnItem>`
    select * from (${itemsUnion(columnId)}) items
     order by published_at ${dir}, id ${dir}
     offset ${options.offset ?? 0} limit ${options.limit}`.execute(db);
  return rows.map((r) => ({ ...r, published_at: new Date(r.published_at) }));
}

/** The newest items of several columns at once (home page blocks), `limit` each. */
export async function newestOfColumns(db: Db, columnIds: string[], limit: number): Promise<Map<string, ColumnItem[]>> {
  const result = new Map<string, ColumnItem[]>(columnIds.map((id) => [id, []]));
  if (!columnIds.length) return result;
  const { rows } = await sql<ColumnItem & { column_id: string }>`
    select c.id as column_id, i.* from unnest(${columnIds}::text[]) as c(id)
      cross join lateral (
        select * from (
          select a.id, a.title, a.summary, a.published_at, a.site_id, false as shared from portal_articles a
           where a.column_id = c.id and a.status = 'published'
          union all
          select a.id, a.title, a.summary, a.published_at, a.site_id, true as shared
            from portal_shares s join portal_articles a on a.id = s.article_id
           where s.column_id = c.id and s.status = 'accepted' and a.status = 'published'
        ) items order by published_at desc, id desc limit ${limit}) i`.execute(db);
  for (const row of rows) result.get(row.column_id)?.push({ ...row, published_at: new Date(row.published_at) });
  return result;
}

/** A published article, when it is shown in `columnId` (its home column, or a shared column that accepted it). */
export async function publishedArticleIn(db: Db, articleId: string, columnId: string): Promise<{ article: ArticleRow; shared: boolean } | null> {
  const article = await portalDb(db).selectFrom('portal_articles').selectAll().where('id', '=', articleId).where('status', '=', 'published').executeTakeFirst();
  if (!article) return null;
  if (article.column_id === columnId) return { article, shared: false };
  const share = await portalDb(db).selectFrom('portal_shares').select('id').where('article_id', '=', articleId).where('column_id', '=', columnId).where('status', '=', 'accepted').executeTakeFirst();
  return share ? { article, shared: true } : null;
}

/** Published articles and accepted shares, in batches by (article id, column id) after a cursor: the bulk rebuild's reader. */
export interface Placement {
  article: ArticleRow;
  column_id: string;
  shared: boolean;
}

export async function placementBatch(db: Db, options: { siteIds: string[] | null; after: { id: string; column: string } | null; limit: number }): Promise<Placement[]> {
  const after = options.after;
  const sites = options.siteIds;
  const { rows } = await sql<ArticleRow & { placed_column: string; shared: boolean }>`
    select * from (
      select a.*, a.column_id as placed_column, false as shared from portal_articles a
       where a.status = 'published' ${sites ? sql`and a.site_id = any(${sites}::text[])` : sql``}
      union all
      select a.*, s.column_id as placed_column, true as shared
        from portal_shares s join portal_articles a on a.id = s.article_id
       where s.status = 'accepted' and a.status = 'published' ${sites ? sql`and s.site_id = any(${sites}::text[])` : sql``}
    ) p
    ${after ? sql`where (p.id, p.placed_column) > (${after.id}, ${after.column})` : sql``}
    order by p.id, p.placed_column
    limit ${options.limit}`.execute(db);
  return rows.map(({ placed_column, shared, ...article }) => ({ article: article as ArticleRow, column_id: placed_column, shared }));
}

/** Every article address of a site (home articles and accepted shares) for its sitemap. */
export async function siteArticleAddresses(db: Db, siteId: string): Promise<Array<{ id: string; column_id: string; published_at: Date; updated_at: Date }>> {
  const { rows } = await sql<{ id: string; column_id: string; published_at: Date; updated_at: Date }>`
    select a.id, a.column_id, a.published_at, a.updated_at from portal_articles a where a.site_id = ${siteId} and a.status = 'published'
    union all
    select a.id, s.column_id, a.published_at, a.updated_at from portal_shares s join portal_articles a on a.id = s.article_id
     where s.site_id = ${siteId} and s.status = 'accepted' and a.status = 'published'
    order by published_at desc, id`.execute(db);
  return rows.map((r) => ({ ...r, published_at: new Date(r.published_at), updated_at: new Date(r.updated_at) }));
}
