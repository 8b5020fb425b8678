/**
 * An article as its public page would show it, whatever its state: the editor's preview and the
 * reviewer's. Rendered by the same renderer and theme as the published page, with a banner that
 * says it is not published; never written to the public folder.
 */
import Html from '@kitajs/html';
import type { Platform } from '../../../platform/module.ts';
import type { ArticleRow } from '../model.ts';
import { renderArticle } from '../render/index.ts';
import { allSites, siteColumnRows } from '../queries/public.ts';
import { articleViewOf, attachmentsOf, columnViewOf, siteContext, siteGroupOf } from './views.ts';

export async function previewArticle(platform: Platform, article: ArticleRow, banner: string): Promise<string | null> {
  const sites = await allSites(platform.db);
  const site = sites.find((s) => s.id === article.site_id);
  if (!site) return null;
  const ctx = siteContext(platform, siteGroupOf(sites), site, await siteColumnRows(platform.db, site.id));
  const column = ctx.byId.get(article.column_id);
  if (!column) return null;
  const attachments = (await attachmentsOf(platform.db, [article])).get(article.id) ?? [];
  const html = renderArticle(ctx.view, columnViewOf(ctx, column), articleViewOf(ctx, article, false, attachments));
  // The banner first in the page, announced to screen readers; the escaping is the caller's text's.
  return html.replace(/<body([^>]*)>/, (open) => `${open}<div class="preview-banner" role="status">${Html.escapeHtml(banner)}</div>`);
}
