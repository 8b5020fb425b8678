/**
 * The portal's subscriptions to its own events: in the unit of work of the change, they mark the
 * dependency keys and pages it touches (the static engine renders them again; the route's
 * inTransactionPublishing writes them before answering) and bring the search index in step.
 * Nothing here renders: a change that rolls back leaves no trace.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor, Work } from '../../../platform/db/work.ts';
import { idempotent } from '../../../platform/http/idempotency.ts';
import type { Platform, Subscription } from '../../../platform/module.ts';
import { markPages, markStale, publishingBatch, publishStale, type PageAddress } from '../../../platform/static/index.ts';
import { indexDocuments, removeDocuments } from '../../../platform/search/index.ts';
import { ARTICLE_CHANGED, COLUMN_CHANGED, SITE_CHANGED, type ArticleChanged, type ColumnChanged, type SiteChanged } from '../events.ts';
import { portalDb } from '../model.ts';
import { articleUrlIn } from '../urls.ts';
import { columnItemCount, columnItemSlice, siteArticleAddresses, siteColumnRows } from '../queries/public.ts';
import { chunksOf, columnAddresses, keys, siteAddresses, SOURCE } from './pages.ts';
import { sitePathOf } from './views.ts';

/** The search index's name for the portal's articles. */
export const ARTICLE_DOCUMENTS = 'portal.article';

/** An address as the engine files it: an absolute URL is a site with its own host name. */
export function addressOfUrl(url: string): PageAddress {
  if (/^https?:\/\//.test(url)) {
    const parsed = new URL(url);
    return { host: parsed.hostname.toLowerCase(), path: parsed.pathname };
  }
  return { host: null, path: url };
}

/**
 * A column that gained an item: only its newest pages (index, feed, home blocks) change when the
 * item is the newest and did not start a new archive chunk; else every list page (pages.ts).
 */
async function columnKeyForAddition(work: Work, columnId: string, articleId: string): Promise<string> {
  const column = await portalDb(work.tx).selectFrom('portal_columns').selectAll().where('id', '=', columnId).executeTakeFirst();
  if (!column) return keys.column(columnId);
  const size = Math.max(1, column.page_size);
  const total = await columnItemCount(work.tx, columnId);
  const [newest] = await columnItemSlice(work.tx, columnId, { order: 'newest', limit: 1 });
  const chunks = chunksOf(total, size);
  const grew = chunks !== chunksOf(total - 1, size);
  if (grew && chunks > 1) {
    // The chunk the index showed alone is now an archive page of its own: a new address.
    const site = await portalDb(work.tx).selectFrom('portal_sites').selectAll().where('id', '=', column.site_id).executeTakeFirstOrThrow();
    markPages(work, SOURCE, [{ host: site.host_name, path: `${sitePathOf(site)}${column.path}/index_${chunks - 1}.html` }]);
  }
  return newest?.id === articleId && !grew ? keys.columnNewest(columnId) : keys.column(columnId);
}

async function onArticleChanged(work: Work, platform: Platform, event: ArticleChanged) {
  const stale = [keys.article(event.articleId), ...event.siteIds.map(keys.sitemap)];
  const added = event.change === 'published' || event.change === 'shared';
  const moved = event.change === 'updated' && (event.previousUrl !== null || event.removedUrls.length > 0);
  for (const columnId of event.columnIds) {
    if (added && event.placements.some((p) => p.columnId === columnId)) stale.push(await columnKeyForAddition(work, columnId, event.articleId));
    else if (!added && event.change !== 'updated') stale.push(keys.column(columnId));
    else if (moved) stale.push(keys.column(columnId));
  }
  markStale(work, stale);
  // New pages have no dependency rows yet; gone ones are named so their files are removed.
  const urls = [...event.placements.map((p) => p.url), ...event.removedUrls, ...(event.previousUrl ? [event.previousUrl] : [])];
  markPages(work, SOURCE, urls.map(addressOfUrl));

  if (event.change === 'withdrawn' || event.change === 'unpublished') {
    await removeDocuments(work, ARTICLE_DOCUMENTS, [event.articleId]);
  } else if ((event.change === 'published' || event.change === 'updated') && event.visible) {
    await indexArticles(work, platform, { ids: [event.articleId] });
  }
}

/** Indexes published articles (by id, or a site's, or some columns') at their current addresses. */
async function indexArticles(work: Work, platform: Platform, which: { ids?: string[]; siteId?: string; columnIds?: string[] }) {
  let query = portalDb(work.tx).selectFrom('portal_articles').selectAll().where('status', '=', 'published');
  if (which.ids) query = query.where('id', 'in', which.ids);
  if (which.siteId) query = query.where('site_id', '=', which.siteId);
  if (which.columnIds) query = query.where('column_id', 'in', which.columnIds);
  const articles = await query.execute();
  if (!articles.length) return;
  const sites = new Map((await portalDb(work.tx).selectFrom('portal_sites').selectAll().where('id', 'in', [...new Set(articles.map((a) => a.site_id))]).execute()).map((r) => [r.id, r]));
  const columns = new Map((await portalDb(work.tx).selectFrom('portal_columns').selectAll().where('id', 'in', [...new Set(articles.map((a) => a.column_id))]).execute()).map((r) => [r.id, r]));
  const escape = (t: string) => t.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'));
  await indexDocuments(
    work,
    articles.map((article) => ({
      source: ARTICLE_DOCUMENTS,
      id: article.id,
      siteId: article.site_id,
      columnId: article.column_id,
      title: article.title,
      html: [article.subtitle, article.summary].filter(Boolean).map((t) => `<p>${escape(t!)}</p>`).join('') + article.body,
      url: articleUrlIn(sites.get(article.site_id)!, columns.get(article.column_id)!, article.id),
      publishedAt: article.published_at ?? platform.clock.now(),
    })),
    platform.clock.now(),
  );
}

/** Article pages of some columns at their (new) addresses: a moved column or site. */
async function placementAddresses(work: Work, siteId: string, columnIds: string[] | null): Promise<PageAddress[]> {
  const site = await portalDb(work.tx).selectFrom('portal_sites').selectAll().where('id', '=', siteId).executeTakeFirst();
  if (!site) return [];
  const columns = new Map((await siteColumnRows(work.tx, siteId)).map((c) => [c.id, c]));
  const wanted = columnIds ? new Set(columnIds) : null;
  return (await siteArticleAddresses(work.tx, siteId))
    .filter((a) => !wanted || wanted.has(a.column_id))
    .flatMap((a) => {
      const column = columns.get(a.column_id);
      return column ? [addressOfUrl(articleUrlIn(site, column, a.id))] : [];
    });
}

async function onSiteChanged(work: Work, platform: Platform, event: SiteChanged) {
  markStale(work, [keys.site(event.siteId)]);
  const site = await portalDb(work.tx).selectFrom('portal_sites').selectAll().where('id', '=', event.siteId).executeTakeFirst();
  if (!site) return;
  markPages(work, SOURCE, siteAddresses(site, await siteColumnRows(work.tx, site.id)));
  if (event.change === 'updated' && (event.previousUrl !== null || event.fields.some((f) => f === 'hostName' || f === 'slug'))) {
    markPages(work, SOURCE, await placementAddresses(work, site.id, null));
    await indexArticles(work, platform, { siteId: site.id });
  }
}

/** Column fields the public sees in every page of the site (navigation, breadcrumbs, sub-column links). */
const CHROME_FIELDS = new Set(['name', 'slug', 'parentId', 'position', 'kind', 'externalUrl']);

async function onColumnChanged(work: Work, platform: Platform, event: ColumnChanged) {
  const stale: string[] = [keys.column(event.columnId), keys.sitemap(event.siteId)];
  if (event.change === 'created' || event.fields.some((f) => CHROME_FIELDS.has(f))) stale.push(keys.site(event.siteId));
  markStale(work, stale);
  const site = await portalDb(work.tx).selectFrom('portal_sites').selectAll().where('id', '=', event.siteId).executeTakeFirst();
  if (!site) return;
  const columns = await siteColumnRows(work.tx, site.id);
  const touched = new Set([event.columnId, ...event.movedColumnIds]);
  markPages(work, SOURCE, columns.filter((c) => touched.has(c.id)).flatMap((c) => columnAddresses(site, c)));
  if (event.previousUrl) markPages(work, SOURCE, [addressOfUrl(event.previousUrl)]);
  if (event.movedColumnIds.length) {
    markPages(work, SOURCE, await placementAddresses(work, site.id, event.movedColumnIds));
    await indexArticles(work, platform, { columnIds: event.movedColumnIds });
  }
}

export const portalSubscriptions: Subscription[] = [
  { event: ARTICLE_CHANGED, handle: (work, platform, event) => onArticleChanged(work, platform, event as ArticleChanged) },
  { event: SITE_CHANGED, handle: (work, platform, event) => onSiteChanged(work, platform, event as SiteChanged) },
  { event: COLUMN_CHANGED, handle: (work, platform, event) => onColumnChanged(work, platform, event as ColumnChanged) },
];

/**
 * `idempotent` (Idempotency-Key) with the route-await guarantee of inTransactionPublishing: the
 * pages the unit of work marked are written before the route answers (a replayed answer wrote
 * nothing, so waits for nothing).
 */
export async function idempotentPublishing<T>(platform: Platform, request: FastifyRequest, actor: Actor, fn: (work: Work) => Promise<{ status: number; body: T }>) {
  let batch: string | null = null;
  const result = await idempotent(platform, request, actor, async (work) => {
    const value = await fn(work);
    batch = publishingBatch(work);
    return value;
  });
  if (batch) await publishStale(platform, { batch });
  return result;
}
