/**
 * Public addresses (the URL scheme), one place for every part of the portal:
 *
 * - a site: the main site `/`; a sub-site `/s/<slug>/`, or `https://<hostName>/` when it has its own host name;
 * - a column: the site's address + the slugs from the first level down + `/` (`/s/edu/gzdt/tzgg/`);
 *   an external link column: its target;
 * - an article: its home column's address + `<articleId>.html` (`/s/edu/gzdt/tzgg/<id>.html`);
 * - an accepted share: the shared column's address + `<articleId>.html` on the main site (the copy
 *   that shows its source site; the original keeps its own address).
 *
 * Ids never change, so an article's address changes only when its column moves or is renamed, and
 * then the events carry the address before and after.
 */
import type { ColumnRow, SiteRow } from './model.ts';

export function siteUrl(site: Pick<SiteRow, 'kind' | 'slug' | 'host_name'>): string {
  if (site.host_name) return `https://${site.host_name}/`;
  return site.kind === 'main' ? '/' : `/s/${site.slug}/`;
}

export function columnUrl(site: Pick<SiteRow, 'kind' | 'slug' | 'host_name'>, column: Pick<ColumnRow, 'path' | 'kind' | 'external_url'>): string {
  if (column.kind === 'external_link' && column.external_url) return column.external_url;
  return `${siteUrl(site)}${column.path}/`;
}

/** The page of an article under a column (its home column, or a shared column that accepted it). */
export function articleUrlIn(site: Pick<SiteRow, 'kind' | 'slug' | 'host_name'>, column: Pick<ColumnRow, 'path'>, articleId: string): string {
  return `${siteUrl(site)}${column.path}/${articleId}.html`;
}
