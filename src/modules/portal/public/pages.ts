/**
 * The portal's public pages as the static publishing engine sees them (decision 0016): where each
 * lives, what it shows (its dependency keys), and its bytes. The same functions serve a page on
 * demand, re-render it when a key it depends on goes stale, and build it in the bulk rebuild.
 *
 * Addresses (urls.ts): a site's home `<site>/`, a column's list `<site><path>/` (and its archive
 * pages `index_<k>.html`, its feed `rss.xml`), an article `<site><path>/<id>.html`, the sitemap
 * `<site>sitemap.xml`. `<site>` is `/` for the main site, `/s/<slug>/` for a sub-site, or `/` under
 * the site's own host name.
 *
 * List pagination, chosen so that publishing one article touches few pages even in a column of
 * thousands: the column's index page shows the newest N items (N = its page size); the archive
 * pages hold fixed chunks counted from the OLDEST item (`index_<k>.html` holds items (k-1)·N …
 * k·N-1 in publication order, k = 1 … P-1, where P = ⌈total/N⌉; chunk P is the index's part). A new
 * article appends to chunk P, so it changes the index only — unless it starts a new chunk (P grows:
 * every page's numbering changes, once every N articles) or is dated before the newest (a
 * back-dated publication shifts the chunks). Withdrawing an article shifts every chunk after it,
 * so a withdrawal re-renders the column's list pages (rare next to publishing). The index and the
 * first archive page overlap by up to N-1 items; a visitor never misses one.
 */
import type { Db } from '../../../platform/db/index.ts';
import type { Platform } from '../../../platform/module.ts';
import type { PageAddress, RenderedPage } from '../../../platform/static/index.ts';
import type { ColumnRow, SiteRow } from '../model.ts';
import { articleUrlIn, columnUrl, siteUrl } from '../urls.ts';
import { renderArticle, renderColumnList, renderHome, renderRss, renderSinglePage, renderSitemap, columnFeedUrl, SITEMAP_MAX_URLS, type Pagination } from '../render/index.ts';
import { allSites, columnItemCount, columnItemSlice, newestOfColumns, publishedArticleIn, siteArticleAddresses, siteColumnRows, type ColumnItem } from '../queries/public.ts';
import { articleViewOf, attachmentsOf, columnViewOf, hasPages, HOME_ITEMS, homeColumns, homeViewOf, listItemOf, siteContext, siteGroupOf, sitePathOf, type SiteContext } from './views.ts';

export const SOURCE = 'portal.pages';
const HTML = 'text/html; charset=utf-8';
const FEED_ITEMS = 20;

/** Dependency keys: what marking stale re-renders (publishing.ts marks them). */
export const keys = {
  /** Every page of a site (its chrome: name, navigation, footer, theme; its columns' names). */
  site: (siteId: string) => `portal:site:${siteId}`,
  /** Every list page of a column, its feed, the home blocks that show it. */
  column: (columnId: string) => `portal:col:${columnId}`,
  /** The pages showing a column's newest items: its index page, its feed, the home blocks. */
  columnNewest: (columnId: string) => `portal:col:${columnId}:new`,
  /** Every page showing an article (its pages, the lists it is on). */
  article: (articleId: string) => `portal:article:${articleId}`,
  sitemap: (siteId: string) => `portal:sitemap:${siteId}`,
};

/** What an address names on a site, relative to the site's root. */
export type PageTarget =
  | { kind: 'home' }
  | { kind: 'sitemap' }
  | { kind: 'list'; column: ColumnRow; archive: number | null }
  | { kind: 'feed'; column: ColumnRow }
  | { kind: 'article'; column: ColumnRow; articleId: string };

/** The site an address belongs to, and the rest of the path after the site's root (starting with '/'). */
export function siteOfAddress(sites: SiteRow[], address: PageAddress): { site: SiteRow; rest: string } | null {
  if (address.host) {
    const site = sites.find((s) => s.host_name === address.host);
    return site ? { site, rest: address.path } : null;
  }
  const sub = /^\/s\/([a-z0-9-]+)(\/.*)$/.exec(address.path);
  if (sub) {
    const site = sites.find((s) => s.kind !== 'main' && s.slug === sub[1] && !s.host_name);
    return site ? { site, rest: sub[2] } : null;
  }
  const main = sites.find((s) => s.kind === 'main' && !s.host_name);
  return main ? { site: main, rest: address.path } : null;
}

export function targetOf(ctx: SiteContext, rest: string): PageTarget | null {
  if (rest === '/') return { kind: 'home' };
  if (rest === '/sitemap.xml') return { kind: 'sitemap' };
  const match = /^\/((?:[a-z0-9-]+\/){0,2}[a-z0-9-]+)\/(?:(index_(\d{1,6})\.html)|(rss\.xml)|([A-Za-z0-9-]{1,64})\.html)?$/.exec(rest);
  if (!match) return null;
  const column = ctx.byPath.get(match[1]);
  if (!column || !hasPages(column)) return null;
  if (match[2]) return column.kind === 'article_list' ? { kind: 'list', column, archive: Number(match[3]) } : null;
  if (match[4]) return column.kind === 'article_list' ? { kind: 'feed', column } : null;
  if (match[5]) return { kind: 'article', column, articleId: match[5] };
  return { kind: 'list', column, archive: null };
}

/** Reads the site group and the address's site: two queries. */
export async function contextFor(platform: Platform, db: Db, address: PageAddress): Promise<{ ctx: SiteContext; rest: string } | null> {
  const sites = await allSites(db);
  const found = siteOfAddress(sites, address);
  if (!found) return null;
  return { ctx: siteContext(platform, siteGroupOf(sites), found.site, await siteColumnRows(db, found.site.id)), rest: found.rest };
}

const page = (ctx: SiteContext, path: string, body: string, dependsOn: string[], contentType = HTML): RenderedPage => ({
  host: ctx.site.host_name ?? null,
  path: `${sitePathOf(ctx.site)}${path}`,
  body,
  contentType,
  dependsOn: [...new Set([keys.site(ctx.site.id), ...dependsOn])],
});

/** The chunk count P of a column of `total` items (at least one: an empty column has its index). */
export const chunksOf = (total: number, size: number) => Math.max(1, Math.ceil(total / size));

/** Index (`archive` null) or archive page k of a column, from its items (oldest-first chunk or newest N). */
export function listPage(ctx: SiteContext, column: ColumnRow, archive: number | null, total: number, items: ColumnItem[]): RenderedPage | null {
  const size = Math.max(1, column.page_size);
  const pages = chunksOf(total, size);
  if (archive !== null && (archive < 1 || archive >= pages)) return null;
  const view = columnViewOf(ctx, column);
  // Display page d: 1 is the index (newest), d ≥ 2 is archive chunk P − d + 1.
  const hrefFor = (d: number) => (d <= 1 ? view.url : `${view.url}index_${pages - d + 1}.html`);
  const pagination: Pagination = { page: archive === null ? 1 : pages - archive + 1, pages, hrefFor };
  const body = renderColumnList(ctx.view, view, { items: items.map((i) => listItemOf(ctx, column, i)), pagination }, { feedUrl: columnFeedUrl(view) });
  const deps = [keys.column(column.id), ...(archive === null ? [keys.columnNewest(column.id)] : []), ...items.map((i) => keys.article(i.id))];
  return page(ctx, archive === null ? `${column.path}/` : `${column.path}/index_${archive}.html`, body, deps);
}

export function feedPage(ctx: SiteContext, column: ColumnRow, newest: ColumnItem[]): RenderedPage {
  const view = columnViewOf(ctx, column);
  const selfUrl = columnFeedUrl(view);
  const body = renderRss(ctx.view, view, { selfUrl, items: newest.map((i) => listItemOf(ctx, column, i)) });
  return page(ctx, `${column.path}/rss.xml`, body, [keys.column(column.id), keys.columnNewest(column.id), ...newest.map((i) => keys.article(i.id))], 'application/rss+xml; charset=utf-8');
}

/** A single-page column shows its newest article's body (an empty page before the first). */
export function singlePage(ctx: SiteContext, column: ColumnRow, newest: { title: string; body: string; updated_at: Date; id: string } | null): RenderedPage {
  const body = renderSinglePage(ctx.view, columnViewOf(ctx, column), { title: newest?.title ?? column.name, bodyHtml: newest?.body ?? '', updatedAt: newest?.updated_at.toISOString() ?? null });
  return page(ctx, `${column.path}/`, body, [keys.column(column.id), keys.columnNewest(column.id), ...(newest ? [keys.article(newest.id)] : [])]);
}

export async function homePage(platform: Platform, ctx: SiteContext, newest: Map<string, ColumnItem[]>): Promise<RenderedPage> {
  const columns = homeColumns(ctx);
  const shown = columns.flatMap((c) => newest.get(c.id) ?? []);
  const deps = [...columns.flatMap((c) => [keys.column(c.id), keys.columnNewest(c.id)]), ...shown.map((i) => keys.article(i.id))];
  return page(ctx, '', renderHome(ctx.view, await homeViewOf(platform, ctx, newest)), deps);
}

export function sitemapPage(ctx: SiteContext, articles: Array<{ id: string; column_id: string; updated_at: Date }>): RenderedPage {
  const entries = [
    { url: siteUrl(ctx.site) },
    ...ctx.columns.filter(hasPages).map((c) => ({ url: columnUrl(ctx.site, c) })),
    ...articles.flatMap((a) => {
      const column = ctx.byId.get(a.column_id);
      return column ? [{ url: articleUrlIn(ctx.site, column, a.id), lastmod: a.updated_at.toISOString() }] : [];
    }),
  ].slice(0, SITEMAP_MAX_URLS);
  return page(ctx, 'sitemap.xml', renderSitemap(ctx.view, entries), [keys.sitemap(ctx.site.id)], 'application/xml; charset=utf-8');
}

/** One page as it is now, or null when the address is not (any more) a published page. */
export async function renderPortalPage(platform: Platform, address: PageAddress, db: Db = platform.db): Promise<RenderedPage | null> {
  const found = await contextFor(platform, db, address);
  if (!found) return null;
  const { ctx, rest } = found;
  const target = targetOf(ctx, rest);
  if (!target) return null;
  switch (target.kind) {
    case 'home':
      return homePage(platform, ctx, await newestOfColumns(db, homeColumns(ctx).map((c) => c.id), HOME_ITEMS));
    case 'sitemap':
      return sitemapPage(ctx, await siteArticleAddresses(db, ctx.site.id));
    case 'feed':
      return feedPage(ctx, target.column, await columnItemSlice(db, target.column.id, { order: 'newest', limit: FEED_ITEMS }));
    case 'list': {
      const column = target.column;
      if (column.kind === 'single_page') {
        const [item] = await columnItemSlice(db, column.id, { order: 'newest', limit: 1 });
        const found = item ? await publishedArticleIn(db, item.id, column.id) : null;
        return singlePage(ctx, column, found ? found.article : null);
      }
      const size = Math.max(1, column.page_size);
      const total = await columnItemCount(db, column.id);
      if (target.archive === null) return listPage(ctx, column, null, total, await columnItemSlice(db, column.id, { order: 'newest', limit: size }));
      if (target.archive < 1 || target.archive >= chunksOf(total, size)) return null;
      const chunk = await columnItemSlice(db, column.id, { order: 'oldest', offset: (target.archive - 1) * size, limit: size });
      return listPage(ctx, column, target.archive, total, chunk.reverse());
    }
    case 'article': {
      const found = await publishedArticleIn(db, target.articleId, target.column.id);
      if (!found) return null;
      const attachments = (await attachmentsOf(db, [found.article])).get(found.article.id) ?? [];
      return articlePage(ctx, target.column, found.article, found.shared, attachments);
    }
  }
}

export function articlePage(ctx: SiteContext, column: ColumnRow, article: Parameters<typeof articleViewOf>[1], shared: boolean, attachments: Parameters<typeof articleViewOf>[3]): RenderedPage {
  const body = renderArticle(ctx.view, columnViewOf(ctx, column), articleViewOf(ctx, article, shared, attachments));
  return page(ctx, `${column.path}/${article.id}.html`, body, [keys.article(article.id), ...(shared ? [keys.site(article.site_id)] : [])]);
}

/** The addresses of a column's pages that exist whatever its items: its index and (lists) its feed. */
export function columnAddresses(site: SiteRow, column: ColumnRow): PageAddress[] {
  if (!hasPages(column)) return [];
  const base = `${sitePathOf(site)}${column.path}/`;
  return column.kind === 'article_list' ? [{ host: site.host_name, path: base }, { host: site.host_name, path: `${base}rss.xml` }] : [{ host: site.host_name, path: base }];
}

/** A site's fixed pages: home, sitemap, its columns' indexes and feeds. */
export function siteAddresses(site: SiteRow, columns: ColumnRow[]): PageAddress[] {
  return [{ host: site.host_name, path: sitePathOf(site) }, { host: site.host_name, path: `${sitePathOf(site)}sitemap.xml` }, ...columns.flatMap((c) => columnAddresses(site, c))];
}
