/**
 * What the portal's public pages are rendered from: plain data, no request. The same view gives
 * the same bytes whether a route renders it on demand or the publisher writes it to a file, so
 * nothing here may depend on who is asking or when (no session, no CSRF token, no nonce, no
 * clock). Text fields are plain text and are escaped when rendered; fields named `…Html` are
 * HTML that the caller has already sanitised.
 */
import type { PaletteId, ThemeId } from './themes.ts';

export type { PaletteId, ThemeId } from './themes.ts';

export type SiteKind = 'main' | 'department' | 'county' | 'topic';
export type ColumnKind = 'article_list' | 'single_page' | 'external_link' | 'disclosure';

export interface Link {
  label: string;
  href: string;
}

/** A navigation entry; `current` marks the section the page belongs to (aria-current). */
export interface NavLink extends Link {
  current?: boolean;
}

export interface SiteFooter {
  /** 主办单位 */
  sponsor: string;
  /** 承办单位, when another unit runs the site. */
  organizer?: string | null;
  /** ICP备案号, e.g. 云ICP备12345678号-1; linked to beian.miit.gov.cn. */
  icp: string | null;
  /** 公安机关备案号 as shown (云公网安备 53010202000123号) and the number its link queries. */
  publicSecurityRecord: { text: string; code: string } | null;
  /** 网站标识码 (政府网站标识码, 10 characters). */
  identCode?: string | null;
  /** The accessibility statement (无障碍声明); also where the display toggle leads without script. */
  accessibilityStatement: Link;
  contact: { address: string; phone: string; email: string };
  /** Further footer links (网站地图, 联系我们 …). */
  links?: Link[];
}

/**
 * A site as its pages show it. Treat it as immutable once rendered: the chrome (masthead, navigation,
 * footer) is rendered once per SiteView object and reused for every page of the site; a changed site
 * is a new object.
 */
export interface SiteView {
  id: string;
  name: string;
  kind: SiteKind;
  /** The site's absolute address, ending in '/': https://www.example.gov.cn/ or …/s/<slug>/. Feeds and sitemaps resolve page addresses against it. */
  baseUrl: string;
  theme: ThemeId;
  /** The site's colour, from the fixed palette (every entry meets WCAG 2.1 AA in every theme). */
  palette: PaletteId;
  /** The site's logo (an image that carries the site's name as its alternative text), or null for the emblem. */
  logoUrl: string | null;
  /** The line under the name in the masthead (e.g. 云川市人民政府门户网站). */
  tagline?: string | null;
  navigation: NavLink[];
  footer: SiteFooter;
  lang: 'zh-CN';
  /** Where the site's search form sends `q` (GET), or null for no search box. */
  searchUrl: string | null;
  /** A sub-site's way back to the main site. */
  parentSite?: Link | null;
  /** Plain links to the public's sign-in and 我的 pages (no signed-in state on a published page). */
  accountLinks?: { login: string; mine: string } | null;
}

export interface ColumnView {
  id: string;
  name: string;
  url: string;
  kind: ColumnKind;
  /** From the site's home page down to this column, both included. */
  breadcrumbs: Link[];
  /** The column's sub-columns, shown beside its list. */
  children: Link[];
  description?: string | null;
}

export interface SourceSite {
  name: string;
  url: string;
}

export interface ArticleListItem {
  title: string;
  url: string;
  /** ISO 8601 instant (2026-12-07T02:30:00Z); shown as the date in Asia/Shanghai. */
  publishedAt: string;
  /** The sub-site a shared (报送) item comes from. */
  sourceSite?: SourceSite | null;
  summary?: string | null;
}

export interface Attachment {
  name: string;
  url: string;
  /** Bytes. */
  size: number;
  /** The file's type by extension: pdf, ofd, doc, docx, xls, xlsx, wps, zip, jpg, png … */
  kind: string;
}

export interface ArticleView {
  title: string;
  subtitle?: string | null;
  summary?: string | null;
  /** Already sanitised by the caller; written as is. */
  bodyHtml: string;
  source?: string | null;
  author?: string | null;
  publishedAt: string;
  /** ISO instant of the last change worth showing (更新时间), if any. */
  updatedAt?: string | null;
  keywords: string[];
  attachments: Attachment[];
  /** How to get an attachment in another format (替代格式): required when there are attachments. */
  attachmentContact: string | null;
  /** For a shared copy on the main site: the sub-site it comes from. */
  sourceSite?: SourceSite | null;
  /** Further facts shown with the metadata, e.g. 索引号, 发文字号 for disclosure items. */
  facts?: Array<{ label: string; value: string }>;
  previous: Link | null;
  next: Link | null;
}

export interface SinglePageView {
  title: string;
  bodyHtml: string;
  updatedAt?: string | null;
}

export interface Pagination {
  /** 1-based. */
  page: number;
  pages: number;
  hrefFor: (page: number) => string;
}

export interface ColumnListView {
  items: ArticleListItem[];
  pagination: Pagination;
}

export interface HomeBlock {
  /** A stable id for the block's anchor (news, notices, disclosure …): [a-z0-9-]. */
  id: string;
  title: string;
  items: ArticleListItem[];
  more: Link | null;
}

export interface HomeView {
  /** The headline article above the blocks, if the site has one. */
  headline?: ArticleListItem | null;
  /** Article blocks in order: news, notices, disclosure … */
  blocks: HomeBlock[];
  /** The service hall: a GET form (`q`) and its hot items. */
  serviceHall: { title: string; searchAction: string; hotItems: Link[]; more: Link | null } | null;
  /** 政民互动 entries: mayor's mailbox, message board, consultations … */
  interaction: { title: string; entries: Array<Link & { description?: string | null }>; more: Link | null } | null;
}

export interface SearchItem {
  title: string;
  url: string;
  /** Escaped text with <mark> around the matches; any other tag is shown as text. */
  snippetHtml: string;
  publishedAt: string;
  sourceSite?: SourceSite | null;
}

export interface SearchFilter {
  label: string;
  options: NavLink[];
}

export interface SearchView {
  q: string;
  items: SearchItem[];
  total: number;
  filters: SearchFilter[];
  pagination: Pagination | null;
}

export interface FeedView {
  /** The feed's own absolute address (atom:link rel="self"). */
  selfUrl: string;
  items: ArticleListItem[];
}

export interface SitemapEntry {
  url: string;
  /** ISO 8601 instant or date. */
  lastmod?: string | null;
}
