import type { Generated, Selectable } from 'kysely';
import type { Db } from '../../platform/db/index.ts';

/** The portal module's tables (typed private tables: `db.withTables<PortalTables>()`). */
export interface SiteTable {
  id: string;
  kind: SiteKind;
  name: string;
  unit_id: string;
  slug: string;
  host_name: string | null;
  template: string;
  theme: string;
  primary_color: string;
  logo_file_id: string | null;
  navigation: NavEntry[];
  footer: SiteFooter;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  version: Generated<number>;
}

export interface ColumnTable {
  id: string;
  site_id: string;
  parent_id: string | null;
  depth: number;
  path: string;
  name: string;
  slug: string;
  kind: ColumnKind;
  shared: boolean;
  needs_review: boolean;
  page_size: number;
  external_url: string | null;
  editor_ids: string[];
  position: number;
  created_at: Date;
  updated_at: Date;
  version: Generated<number>;
}

export interface ArticleTable {
  id: string;
  site_id: string;
  column_id: string;
  unit_id: string;
  status: ArticleStatus;
  title: string;
  subtitle: string | null;
  summary: string | null;
  body: string;
  source: string | null;
  author: string | null;
  keywords: string[];
  attachment_ids: string[];
  attachment_contact: string | null;
  publish_at: Date | null;
  unpublish_at: Date | null;
  scheduled: Generated<boolean>;
  published_at: Date | null;
  first_published_at: Date | null;
  revision: number;
  reason: string | null;
  created_by: string;
  submitted_by: string | null;
  submitted_at: Date | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  created_at: Date;
  updated_at: Date;
  version: Generated<number>;
}

export interface RevisionTable {
  id: string;
  article_id: string;
  revision: number;
  title: string;
  subtitle: string | null;
  summary: string | null;
  body: string;
  source: string | null;
  author: string | null;
  keywords: string[];
  attachment_ids: string[];
  created_by: string;
  created_at: Date;
}

export interface ArticleActionTable {
  id: Generated<number>;
  article_id: string;
  action: string;
  from_status: string | null;
  to_status: string;
  reason: string | null;
  actor_id: string | null;
  at: Date;
}

export interface ShareTable {
  id: string;
  article_id: string;
  source_site_id: string;
  source_unit_id: string;
  column_id: string;
  site_id: string;
  status: ShareStatus;
  reason: string | null;
  pushed_by: string;
  pushed_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  accepted_at: Date | null;
  removed_at: Date | null;
  version: Generated<number>;
}

export type PortalTables = {
  portal_sites: SiteTable;
  portal_columns: ColumnTable;
  portal_articles: ArticleTable;
  portal_revisions: RevisionTable;
  portal_article_actions: ArticleActionTable;
  portal_shares: ShareTable;
};

export type SiteRow = Selectable<SiteTable>;
export type ColumnRow = Selectable<ColumnTable>;
export type ArticleRow = Selectable<ArticleTable>;
export type RevisionRow = Selectable<RevisionTable>;
export type ShareRow = Selectable<ShareTable>;

export const SITE_KINDS = ['main', 'department', 'county', 'topic'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];
export const COLUMN_KINDS = ['article_list', 'single_page', 'external_link', 'disclosure'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];
export const ARTICLE_STATUSES = ['draft', 'submitted', 'published', 'rejected', 'withdrawn'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];
export const SHARE_STATUSES = ['pending', 'accepted', 'declined', 'removed'] as const;
export type ShareStatus = (typeof SHARE_STATUSES)[number];

/** A navigation entry of a site: one of its columns, or a link with its label. */
export type NavEntry = { columnId: string } | { label: string; href: string };

/** The footer of a site (页脚). */
export interface SiteFooter {
  /** 主办单位 */
  sponsor?: string;
  /** ICP备案号, e.g. 湘ICP备12345678号(-1) */
  icp?: string;
  /** 公安机关备案号, e.g. 湘公网安备 43040002000123号 */
  publicSecurity?: string;
  /** 网站无障碍声明 */
  accessibility?: string;
  contact?: { address?: string; phone?: string; email?: string };
}

/** Limits. */
export const MAX_DEPTH = 3;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_ATTACHMENTS = 20;
export const MAX_KEYWORDS = 10;
export const LIMITS = { title: 200, subtitle: 200, summary: 1000, source: 100, author: 100, keyword: 30, reason: 500, contact: 300, name: 100, slug: 40, url: 500 } as const;

/** Owner type of an article's attachments in the files module. */
export const ATTACHMENT_OWNER = 'portal.article';
/** Object types of the audit log. */
export const SITE_OBJECT = 'portal_site';
export const COLUMN_OBJECT = 'portal_column';
export const ARTICLE_OBJECT = 'portal_article';
export const SHARE_OBJECT = 'portal_share';

/**
 * Permissions. `portal.edit` (editor, unit_admin): the content of the sites the unit in scope
 * owns — columns, articles, review, shares. `portal.manage` (sysadmin for every unit, unit_admin in
 * its scope): creating sites and changing their address.
 */
export const EDIT_PERMISSION = 'portal.edit';
export const MANAGE_PERMISSION = 'portal.manage';

/** The module's tables on a connection or a unit of work's transaction (`work.tx`). */
export const portalDb = (db: Db) => db.withTables<PortalTables>();

/** Lower-case letters, digits and single hyphens between them. */
export const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
