/**
 * The portal's StaticPageSource (manifest `staticPages`): `render` for one page (incremental
 * publishing and on-demand), `rebuild` for every page of one site or all, in large batches.
 *
 * Rebuild order and cursor: article pages first, by (article id, column id) in batches of
 * ARTICLE_BATCH (`a:<id>:<column>` after each), then each site's list pages, feeds, home and
 * sitemap (`s:<site id>` after each site). A killed rebuild resumes after the last saved batch.
 */
import type { Platform } from '../../../platform/module.ts';
import { layoutDigest, type RenderedPage, type StaticPageSource } from '../../../platform/static/index.ts';
import { fileURLToPath } from 'node:url';
import type { ColumnRow, SiteRow } from '../model.ts';
import { allSites, columnItemSlice, columnRowsOf, newestOfColumns, placementBatch, publishedArticleIn, siteArticleAddresses } from '../queries/public.ts';
import { attachmentsOf, HOME_ITEMS, homeColumns, siteContext, siteGroupOf, type SiteContext } from './views.ts';
import { articlePage, chunksOf, feedPage, homePage, listPage, renderPortalPage, singlePage, sitemapPage, SOURCE } from './pages.ts';

const ARTICLE_BATCH = 500;
const EMIT_BATCH = 500;
const FEED_ITEMS = 20;

/** `--site S`: a site's id or slug ('main' for the main site). */
function sitesInScope(sites: SiteRow[], scope: string | undefined): SiteRow[] {
  if (!scope) return sites;
  return sites.filter((s) => s.id === scope || s.slug === scope || (scope === 'main' && s.kind === 'main'));
}

async function contexts(platform: Platform, sites: SiteRow[], inScope: SiteRow[]): Promise<Map<string, SiteContext>> {
  const group = siteGroupOf(sites);
  const columns = await columnRowsOf(platform.db, inScope.map((s) => s.id));
  const bySite = new Map<string, ColumnRow[]>(inScope.map((s) => [s.id, []]));
  for (const c of columns) bySite.get(c.site_id)?.push(c);
  return new Map(inScope.map((s) => [s.id, siteContext(platform, group, s, bySite.get(s.id)!)]));
}

/** A site's list pages, feeds, home and sitemap: one read of each column's items, chunked here. */
async function sitePages(platform: Platform, ctx: SiteContext): Promise<RenderedPage[]> {
  const db = platform.db;
  const pages: RenderedPage[] = [];
  for (const column of ctx.columns) {
    if (column.kind === 'single_page') {
      const [item] = await columnItemSlice(db, column.id, { order: 'newest', limit: 1 });
      const found = item ? await publishedArticleIn(db, item.id, column.id) : null;
      pages.push(singlePage(ctx, column, found ? found.article : null));
    }
    if (column.kind !== 'article_list') continue;
    const size = Math.max(1, column.page_size);
    // Oldest first, all of them: the archive chunks are slices, the index and the feed the newest.
    const items = await columnItemSlice(db, column.id, { order: 'oldest', limit: 1_000_000 });
    const total = items.length;
    const newest = items.slice(-size).reverse();
    pages.push(listPage(ctx, column, null, total, newest)!);
    for (let k = 1; k < chunksOf(total, size); k++) pages.push(listPage(ctx, column, k, total, items.slice((k - 1) * size, k * size).reverse())!);
    pages.push(feedPage(ctx, column, items.slice(-FEED_ITEMS).reverse()));
  }
  pages.push(await homePage(platform, ctx, await newestOfColumns(db, homeColumns(ctx).map((c) => c.id), HOME_ITEMS)));
  pages.push(sitemapPage(ctx, await siteArticleAddresses(db, ctx.site.id)));
  return pages;
}

// What shapes the pages besides the data: the renderer with its styles and scripts, and the views
// and pages built from the rows. A new version that changes any of them republishes every page.
const LAYOUT = layoutDigest(fileURLToPath(new URL('../render', import.meta.url)), fileURLToPath(new URL('.', import.meta.url)));

export const portalPagesSource: StaticPageSource = {
  name: SOURCE,
  layout: LAYOUT,
  render: (platform, address) => renderPortalPage(platform, address),
  async rebuild(platform, scope, emit) {
    const sites = await allSites(platform.db);
    const inScope = sitesInScope(sites, scope.site);
    if (!inScope.length) return;
    const byId = await contexts(platform, sites, inScope);
    const siteIds = scope.site ? inScope.map((s) => s.id) : null;
    const ctxOfColumn = new Map([...byId.values()].flatMap((ctx) => ctx.columns.map((c) => [c.id, ctx] as const)));
    const after = scope.after ?? '';
    // Phase 1: article pages (home column and accepted shared copies), in batches.
    if (!after.startsWith('s:')) {
      let cursor = after.startsWith('a:') ? (() => {
        const [id, column] = after.slice(2).split('|');
        return { id, column };
      })() : null;
      for (;;) {
        const batch = await placementBatch(platform.db, { siteIds, after: cursor, limit: ARTICLE_BATCH });
        if (!batch.length) break;
        const attachments = await attachmentsOf(platform.db, batch.map((p) => p.article));
        const pages: RenderedPage[] = [];
        for (const placement of batch) {
          const ctx = ctxOfColumn.get(placement.column_id);
          const column = ctx?.byId.get(placement.column_id);
          if (ctx && column) pages.push(articlePage(ctx, column, placement.article, placement.shared, attachments.get(placement.article.id) ?? []));
        }
        const last = batch[batch.length - 1];
        cursor = { id: last.article.id, column: last.column_id };
        await emit(pages, `a:${cursor.id}|${cursor.column}`);
        if (batch.length < ARTICLE_BATCH) break;
      }
    }
    // Phase 2: each site's lists, feeds, home and sitemap.
    const doneSite = after.startsWith('s:') ? after.slice(2) : null;
    let skipping = doneSite !== null;
    for (const site of inScope) {
      if (skipping) {
        if (site.id === doneSite) skipping = false;
        continue;
      }
      const pages = await sitePages(platform, byId.get(site.id)!);
      for (let i = 0; i < pages.length; i += EMIT_BATCH) {
        const last = i + EMIT_BATCH >= pages.length;
        await emit(pages.slice(i, i + EMIT_BATCH), last ? `s:${site.id}` : undefined);
      }
    }
  },
};
