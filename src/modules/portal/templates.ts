/**
 * The site templates (网站模板): a small fixed list in code. A template gives a site its theme and,
 * when the site is created, its standard column structure in one step — the structure Chinese city
 * portals and their department and county sub-sites share (要闻动态, 政府信息公开, 政务服务,
 * 互动交流 …). Colours come from a fixed palette whose every colour has at least 4.5:1 contrast with
 * white text (WCAG 2.1 AA), so no site can pick an unreadable one.
 */
import type { ColumnKind, SiteKind } from './model.ts';

/** Themes the public page renderers implement. */
export const THEMES = ['government-red', 'government-blue', 'government-green'] as const;
export type Theme = (typeof THEMES)[number];

/** Primary colours a site may choose (contrast with white ≥ 4.5:1). */
export const PALETTE = {
  '#b71c1c': 'red',
  '#9b1b30': 'crimson',
  '#0d47a1': 'blue',
  '#1a4f8b': 'navy',
  '#1b5e20': 'green',
  '#00695c': 'teal',
  '#4a148c': 'purple',
  '#37474f': 'slate',
} as const;
export const PALETTE_COLOURS = Object.keys(PALETTE) as Array<keyof typeof PALETTE>;
const THEME_COLOUR: Record<Theme, keyof typeof PALETTE> = { 'government-red': '#b71c1c', 'government-blue': '#0d47a1', 'government-green': '#1b5e20' };
export const themeColour = (theme: Theme) => THEME_COLOUR[theme];

/** A column of a template's structure, with its children. */
export interface TemplateColumn {
  name: string;
  slug: string;
  kind: ColumnKind;
  shared?: boolean;
  needsReview?: boolean;
  /** An external link: a platform page ('/services/' …), fixed here. */
  externalUrl?: string;
  children?: TemplateColumn[];
}

export interface SiteTemplate {
  id: string;
  theme: Theme;
  /** The kinds of site the template is made for. */
  kinds: SiteKind[];
  columns: TemplateColumn[];
}

const list = (name: string, slug: string, extra: Partial<TemplateColumn> = {}): TemplateColumn => ({ name, slug, kind: 'article_list', ...extra });
const page = (name: string, slug: string): TemplateColumn => ({ name, slug, kind: 'single_page' });
const link = (name: string, slug: string, externalUrl: string): TemplateColumn => ({ name, slug, kind: 'external_link', externalUrl });
const disclosure = (): TemplateColumn => ({ name: '政府信息公开', slug: 'xxgk', kind: 'disclosure' });

/** The main site: news with the shared columns the sub-sites feed, disclosure, the service hall, interaction, topics. */
const MAIN_COLUMNS: TemplateColumn[] = [
  list('要闻动态', 'news', {
    children: [
      list('新闻', 'xinwen', { shared: true }),
      list('通知公告', 'tzgg'),
      list('部门动态', 'bmdt', { shared: true }),
      list('县区动态', 'xqdt', { shared: true }),
    ],
  }),
  disclosure(),
  link('政务服务', 'zwfw', '/services'),
  link('政民互动', 'zmhd', '/interaction'),
  list('专题专栏', 'ztzl'),
  list('走进云川', 'zjyc', { children: [page('城市概况', 'csgk'), page('历史文化', 'lswh')] }),
];

/** A department's sub-site (委办局子站). */
const DEPARTMENT_COLUMNS: TemplateColumn[] = [
  list('机构概况', 'jggk', { children: [page('机构职能', 'jgzn'), page('领导信息', 'ldxx'), page('内设机构', 'nsjg')] }),
  list('工作动态', 'gzdt', { children: [list('部门动态', 'bmdt'), list('通知公告', 'tzgg')] }),
  disclosure(),
  link('政务服务', 'zwfw', '/services'),
  link('互动交流', 'hdjl', '/interaction'),
];

/** A county's sub-site (县区子站): a department's plus the towns' news. */
const COUNTY_COLUMNS: TemplateColumn[] = [
  list('走进县区', 'zjxq', { children: [page('县区概况', 'xqgk'), page('领导信息', 'ldxx')] }),
  list('工作动态', 'gzdt', { children: [list('县区要闻', 'xqyw'), list('通知公告', 'tzgg'), list('乡镇动态', 'xzdt')] }),
  disclosure(),
  link('政务服务', 'zwfw', '/services'),
  link('互动交流', 'hdjl', '/interaction'),
];

/** A topic site (专题网站): a few article lists. */
const TOPIC_COLUMNS: TemplateColumn[] = [list('工作动态', 'gzdt'), list('政策文件', 'zcwj'), list('政策解读', 'zcjd'), page('专题介绍', 'ztjs')];

const COLUMNS_BY_KIND: Record<SiteKind, TemplateColumn[]> = { main: MAIN_COLUMNS, department: DEPARTMENT_COLUMNS, county: COUNTY_COLUMNS, topic: TOPIC_COLUMNS };

/** One template per theme; each gives the standard structure of the site's kind. */
export const TEMPLATES = THEMES;
export type TemplateId = Theme;

/** The template's theme and the column structure for a site of `kind`. */
export function siteTemplate(id: TemplateId, kind: SiteKind): SiteTemplate {
  return { id, theme: id, kinds: [kind], columns: COLUMNS_BY_KIND[kind] };
}

/** The default template of a kind of site. */
export const DEFAULT_TEMPLATE: Record<SiteKind, TemplateId> = { main: 'government-red', department: 'government-blue', county: 'government-green', topic: 'government-blue' };

/**
 * First-level addresses of the platform (its own pages and the installed modules'): a main-site
 * column may not take them, or its pages would hide the platform's. Sub-sites live under /s/.
 */
export const RESERVED_SLUGS = new Set([
  'api', 'console', 's', 'assets', 'static', 'services', 'directory', 'letters', 'interaction', 'account', 'login', 'logout', 'register',
  'password-reset', 'search', 'accessibility', 'healthz', 'readyz', 'probe', 'cases', 'approval', 'exchange', 'meetings', 'supervision',
  'portal', 'files', 'public', 'docs', 'feeds', 'rss', 'sitemap', 'robots', 'favicon', 'disclosure', 'admin', 'www',
]);
