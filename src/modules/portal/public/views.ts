/**
 * From the portal's rows to the renderers' views (render/types.ts): a site's chrome (navigation,
 * footer, theme), its columns, list items with their source site, articles with their attachments.
 * Plain functions over rows the callers read in bulk, so the bulk rebuild builds thousands of views
 * from a few queries and a single page costs the same code.
 */
import type { Db } from '../../../platform/db/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { getFiles } from '../../../platform/files/service.ts';
import { translate } from '../../../platform/i18n/index.ts';
import type { ArticleRow, ColumnRow, SiteRow } from '../model.ts';
import { PALETTE } from '../templates.ts';
import { articleUrlIn, columnUrl, siteUrl } from '../urls.ts';
import type { ArticleListItem, ArticleView, ColumnView, HomeView, Link, NavLink, PaletteId, SiteView, ThemeId } from '../render/index.ts';
import type { ColumnItem } from '../queries/public.ts';

/** The site group as a page needs it: every site by id, the main site, and one site's columns. */
export interface SiteGroup {
  sites: Map<string, SiteRow>;
  main: SiteRow | null;
}

export function siteGroupOf(sites: SiteRow[]): SiteGroup {
  return { sites: new Map(sites.map((s) => [s.id, s])), main: sites.find((s) => s.kind === 'main') ?? null };
}

/** A site with its columns and the SiteView built once (the renderers reuse its chrome per object). */
export interface SiteContext {
  site: SiteRow;
  columns: ColumnRow[];
  byId: Map<string, ColumnRow>;
  byPath: Map<string, ColumnRow>;
  view: SiteView;
  group: SiteGroup;
}

const THEME_OF: Record<string, ThemeId> = { 'government-red': 'red', 'government-blue': 'blue', 'government-green': 'green' };

/** The path part of a site's address ('/', '/s/edu/', or '/' for a site with its own host). */
export const sitePathOf = (site: SiteRow) => (site.host_name ? '/' : siteUrl(site));
/** The host a site's pages are published under (null: the installation's address). */
export const siteHostOf = (site: SiteRow) => site.host_name ?? null;

/** Where a column's link leads: its list, an external target, or the unit's disclosure catalogue. */
export function columnHref(site: SiteRow, column: ColumnRow): string {
  if (column.kind === 'disclosure') return `/xxgk/${site.unit_id}`;
  return columnUrl(site, column);
}

/** A column's pages live on the site (article lists and single pages); links and the catalogue are elsewhere. */
export const hasPages = (column: ColumnRow) => column.kind === 'article_list' || column.kind === 'single_page';

function footerOf(site: SiteRow): SiteView['footer'] {
  const f = site.footer ?? {};
  const security = f.publicSecurity ? { text: f.publicSecurity, code: f.publicSecurity.replace(/\D+/g, '') } : null;
  return {
    sponsor: f.sponsor ?? site.name,
    icp: f.icp ?? null,
    publicSecurityRecord: security && security.code ? security : null,
    accessibilityStatement: { label: '无障碍声明', href: '/accessibility' },
    contact: { address: f.contact?.address ?? '', phone: f.contact?.phone ?? '', email: f.contact?.email ?? '' },
    links: [{ label: '网站地图', href: `${sitePathOf(site)}sitemap.xml` }],
  };
}

/**
 * The navigation: the site's own setting when it has one (columns by id, or links), else its
 * first-level columns in order; 首页 first.
 */
function navigationOf(site: SiteRow, columns: ColumnRow[], byId: Map<string, ColumnRow>): NavLink[] {
  const home: NavLink = { label: '首页', href: siteUrl(site) };
  const entries = site.navigation ?? [];
  if (entries.length) {
    const links = entries.flatMap((entry): NavLink[] => {
      if ('columnId' in entry) {
        const column = byId.get(entry.columnId);
        return column ? [{ label: column.name, href: columnHref(site, column) }] : [];
      }
      return [{ label: entry.label, href: entry.href }];
    });
    return [home, ...links];
  }
  return [home, ...columns.filter((c) => c.depth === 1).map((c) => ({ label: c.name, href: columnHref(site, c) }))];
}

export function siteContext(platform: Platform, group: SiteGroup, site: SiteRow, columns: ColumnRow[]): SiteContext {
  const byId = new Map(columns.map((c) => [c.id, c]));
  const byPath = new Map(columns.map((c) => [c.path, c]));
  const base = site.host_name ? siteUrl(site) : `${platform.config.publicUrl}${siteUrl(site)}`;
  const main = group.main && group.main.id !== site.id ? group.main : null;
  const view: SiteView = {
    id: site.id,
    name: site.name,
    kind: site.kind,
    baseUrl: base,
    theme: THEME_OF[site.theme] ?? 'red',
    palette: (PALETTE[site.primary_color as keyof typeof PALETTE] ?? 'red') as PaletteId,
    logoUrl: site.logo_file_id ? `/api/v1/files/${site.logo_file_id}` : null,
    tagline: site.kind === 'main' ? `${site.name}门户网站` : null,
    navigation: navigationOf(site, columns, byId),
    footer: footerOf(site),
    lang: 'zh-CN',
    searchUrl: `${siteUrl(site)}search`,
    parentSite: main ? { label: main.name, href: siteUrl(main) } : null,
  };
  return { site, columns, byId, byPath, view, group };
}

/** From the site's home down to the column. */
function breadcrumbsOf(ctx: SiteContext, column: ColumnRow): Link[] {
  const chain: ColumnRow[] = [];
  for (let c: ColumnRow | undefined = column; c; c = c.parent_id ? ctx.byId.get(c.parent_id) : undefined) chain.unshift(c);
  return [{ label: '首页', href: siteUrl(ctx.site) }, ...chain.map((c) => ({ label: c.name, href: columnHref(ctx.site, c) }))];
}

export function columnViewOf(ctx: SiteContext, column: ColumnRow): ColumnView {
  return {
    id: column.id,
    name: column.name,
    url: columnUrl(ctx.site, column),
    kind: column.kind,
    breadcrumbs: breadcrumbsOf(ctx, column),
    children: ctx.columns.filter((c) => c.parent_id === column.id).map((c) => ({ label: c.name, href: columnHref(ctx.site, c) })),
  };
}

/** A list item: the copy's address in this column, and the sub-site it comes from when shared. */
export function listItemOf(ctx: SiteContext, column: ColumnRow, item: ColumnItem): ArticleListItem {
  const source = item.shared ? ctx.group.sites.get(item.site_id) : undefined;
  return {
    title: item.title,
    url: articleUrlIn(ctx.site, column, item.id),
    publishedAt: item.published_at.toISOString(),
    sourceSite: source ? { name: source.name, url: siteUrl(source) } : null,
    summary: item.summary,
  };
}

const extensionOf = (name: string) => (/\.([a-z0-9]{1,5})$/i.exec(name)?.[1] ?? '').toLowerCase();

/** The attachments of many articles in one read: name, size and kind, downloaded through the files API. */
export async function attachmentsOf(db: Db, articles: ArticleRow[]): Promise<Map<string, ArticleView['attachments']>> {
  const ids = [...new Set(articles.flatMap((a) => a.attachment_ids ?? []))];
  const files = ids.length ? await getFiles(db, ids) : new Map();
  return new Map(
    articles.map((a) => [
      a.id,
      (a.attachment_ids ?? []).flatMap((id) => {
        const file = files.get(id);
        return file ? [{ name: file.name, url: `/api/v1/files/${id}`, size: file.size, kind: extensionOf(file.name) }] : [];
      }),
    ]),
  );
}

/** An article's page view; `shared`: the main site's copy, which shows the sub-site it comes from. */
export function articleViewOf(ctx: SiteContext, article: ArticleRow, shared: boolean, attachments: ArticleView['attachments']): ArticleView {
  const source = shared ? ctx.group.sites.get(article.site_id) : undefined;
  const contact = ctx.site.footer?.contact;
  const fallback = [ctx.site.footer?.sponsor ?? ctx.site.name, contact?.phone ? `电话 ${contact.phone}` : '', contact?.email ? `邮箱 ${contact.email}` : ''].filter(Boolean).join('，');
  return {
    title: article.title,
    subtitle: article.subtitle,
    summary: article.summary,
    bodyHtml: article.body,
    source: article.source,
    author: article.author,
    publishedAt: (article.published_at ?? article.updated_at).toISOString(),
    updatedAt: article.revision > 1 ? article.updated_at.toISOString() : null,
    keywords: article.keywords ?? [],
    attachments,
    attachmentContact: attachments.length ? (article.attachment_contact ?? fallback) : null,
    sourceSite: source ? { name: source.name, url: siteUrl(source) } : null,
    // Previous/next are left out: they would make every article page depend on its neighbours,
    // and publishing one article would re-render the one before it too.
    previous: null,
    next: null,
  };
}

/** Columns whose newest items the home page shows: the site's article lists without sub-columns, in tree order, four at most. */
export function homeColumns(ctx: SiteContext): ColumnRow[] {
  const parents = new Set(ctx.columns.map((c) => c.parent_id).filter(Boolean));
  const ordered: ColumnRow[] = [];
  const visit = (parent: string | null) => {
    for (const c of ctx.columns.filter((x) => x.parent_id === parent).sort((a, b) => a.position - b.position)) {
      if (c.kind === 'article_list' && !parents.has(c.id)) ordered.push(c);
      visit(c.id);
    }
  };
  visit(null);
  return ordered.slice(0, 4);
}

export const HOME_ITEMS = 8;

/**
 * The home page: blocks of the newest items of its columns; the main site adds the service hall
 * (the registry's search and its first list of hot items) and the 政民互动 entries (the modules'
 * public sections), read when the page is rendered.
 */
export async function homeViewOf(platform: Platform, ctx: SiteContext, newest: Map<string, ColumnItem[]>): Promise<HomeView> {
  const blocks = homeColumns(ctx).map((column) => ({
    id: column.slug,
    title: column.name,
    items: (newest.get(column.id) ?? []).map((item) => listItemOf(ctx, column, item)),
    more: { label: '更多', href: columnUrl(ctx.site, column) },
  }));
  // The headline (头条) is the newest article of the first block that has one: the home page
  // already depends on those columns, so it is as fresh as the blocks.
  const headline = blocks.find((block) => block.items.length)?.items[0] ?? null;
  if (ctx.site.kind !== 'main') return { headline, blocks, serviceHall: null, interaction: null };
  const t = (key: string, params?: Record<string, unknown>) => translate('zh-CN', key, params);
  const search = platform.modules.portalSearch;
  let hotItems: Link[] = [];
  if (search) {
    const parts = (await Promise.all(platform.modules.portalHome.map((home) => home(platform).catch(() => [])))).flat();
    const hot = parts.find((b) => b.layout === 'list' && b.links.length) ?? parts.find((b) => b.links.length);
    hotItems = (hot?.links ?? []).slice(0, 8).map((l) => ({ label: l.key ? t(l.key) : (l.text ?? ''), href: l.href }));
  }
  const sections = platform.modules.portalSections.filter((s) => s.href !== search?.action);
  return {
    headline,
    blocks,
    serviceHall: search ? { title: '网上办事大厅', searchAction: search.action, hotItems, more: { label: '更多', href: search.action } } : null,
    interaction: sections.length ? { title: '政民互动', entries: sections.map((s) => ({ label: t(s.key), href: s.href, description: t(s.textKey) })), more: null } : null,
  };
}
