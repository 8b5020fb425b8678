/** Where the public sees an article (its home column and the shared columns that accepted it), for the events. */
import type { Db } from '../../../platform/db/index.ts';
import { portalDb, type ArticleRow } from '../model.ts';
import { articleUrlIn } from '../urls.ts';
import type { ArticleChanged, ArticlePlacement } from '../events.ts';

export async function placementsOf(db: Db, article: Pick<ArticleRow, 'id' | 'status' | 'site_id' | 'column_id'>): Promise<ArticlePlacement[]> {
  if (article.status !== 'published') return [];
  const pdb = portalDb(db);
  const home = await pdb
    .selectFrom('portal_columns as c')
    .innerJoin('portal_sites as s', 's.id', 'c.site_id')
    .select(['c.id', 'c.path', 's.id as site_id', 's.kind', 's.slug', 's.host_name'])
    .where('c.id', '=', article.column_id)
    .executeTakeFirstOrThrow();
  const shared = await pdb
    .selectFrom('portal_shares as sh')
    .innerJoin('portal_columns as c', 'c.id', 'sh.column_id')
    .innerJoin('portal_sites as s', 's.id', 'c.site_id')
    .select(['c.id', 'c.path', 's.id as site_id', 's.kind', 's.slug', 's.host_name'])
    .where('sh.article_id', '=', article.id)
    .where('sh.status', '=', 'accepted')
    .orderBy('sh.accepted_at')
    .execute();
  return [
    { siteId: home.site_id, columnId: home.id, url: articleUrlIn(home, home, article.id), home: true },
    ...shared.map((c) => ({ siteId: c.site_id, columnId: c.id, url: articleUrlIn(c, c, article.id), home: false })),
  ];
}

/** The event's description of what changed for the public: the placements before and after. */
export function placementChange(before: ArticlePlacement[], after: ArticlePlacement[], homeColumnIds: string[]): Pick<ArticleChanged, 'columnIds' | 'siteIds' | 'url' | 'previousUrl' | 'placements' | 'removedUrls' | 'visible'> {
  const all = [...before, ...after];
  const columnIds = [...new Set([...homeColumnIds, ...all.map((p) => p.columnId)])];
  const siteIds = [...new Set(all.map((p) => p.siteId))];
  const url = after.find((p) => p.home)?.url ?? null;
  const oldUrl = before.find((p) => p.home)?.url ?? null;
  const afterUrls = new Set(after.map((p) => p.url));
  return {
    visible: after.length > 0,
    columnIds,
    siteIds,
    url,
    previousUrl: oldUrl && oldUrl !== url ? oldUrl : null,
    placements: after,
    removedUrls: before.map((p) => p.url).filter((u) => !afterUrls.has(u)),
  };
}
