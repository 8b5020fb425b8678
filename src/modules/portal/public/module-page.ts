/**
 * Another module's public page (the service hall, letters, 我的 …) inside the main site's chrome:
 * its masthead, navigation (the site's editors decide it; the templates link 政务服务 and 政民互动)
 * and footer, with the visitor's own account tools. Rendered per request, never published.
 */
import type { ModuleSitePage, Platform } from '../../../platform/module.ts';
import { renderSitePage } from '../render/index.ts';
import { allSites, siteColumnRows } from '../queries/public.ts';
import { siteContext, siteGroupOf } from './views.ts';

export async function renderModulePage(platform: Platform, page: ModuleSitePage): Promise<string | null> {
  const sites = await allSites(platform.db);
  const group = siteGroupOf(sites);
  if (!group.main) return null;
  const ctx = siteContext(platform, group, group.main, await siteColumnRows(platform.db, group.main.id));
  return renderSitePage(ctx.view, {
    title: page.title,
    crumbs: page.crumbs,
    mainHtml: page.mainHtml,
    pageClass: 'page-module',
    perRequest: { accountToolsHtml: page.accountToolsHtml, displayLarge: page.displayLarge, headHtml: page.headHtml },
  });
}
