/**
 * The portal's events: what static publishing and search need to bring every public page and the
 * index in step, in the same transaction as the change. Each says which pages are concerned, by
 * column (list pages, feeds) and site (home page, sitemap), and the addresses before and after.
 */
import { publish, type DomainEvent } from '../../platform/events.ts';
import type { Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import type { ArticleStatus, ColumnKind, SiteKind } from './model.ts';

export const ARTICLE_CHANGED = 'portal.article.changed';
export const SITE_CHANGED = 'portal.site.changed';
export const COLUMN_CHANGED = 'portal.column.changed';

/** Where the public sees an article: its home column or a shared column that accepted it. */
export interface ArticlePlacement {
  siteId: string;
  columnId: string;
  /** The article's page there. */
  url: string;
  /** Its home column (false: a shared column on the main site, showing the source site). */
  home: boolean;
}

/**
 * What the public sees of an article changed. Published only for changes visible to the public
 * (a draft's edits publish nothing).
 *
 * - `published`: it became visible (submit without review, approve, or the schedule job);
 * - `updated`: a published article was edited (a new revision) or moved to another column;
 * - `withdrawn`: 撤稿 with a reason; `unpublished`: taken down by its unpublish time;
 *   both remove it from every page, shared columns included;
 * - `shared`: a shared column accepted it; `share_removed`: a shared column no longer shows it.
 */
export interface ArticleChanged extends DomainEvent {
  type: typeof ARTICLE_CHANGED;
  articleId: string;
  /** The article's own site and unit. */
  siteId: string;
  unitId: string;
  change: 'published' | 'updated' | 'withdrawn' | 'unpublished' | 'shared' | 'share_removed';
  status: ArticleStatus;
  /** Whether the public sees it after the change. */
  visible: boolean;
  /** Every column whose pages show it now or showed it before the change (home column before and after a move, and shared columns). */
  columnIds: string[];
  /** The sites of those columns (their home pages, sitemaps). */
  siteIds: string[];
  /** Its canonical address now (null once it is not visible). */
  url: string | null;
  /** Its canonical address before the change, when that page must go (a move, a withdrawal); else null. */
  previousUrl: string | null;
  /** Where it is shown after the change (empty when not visible). */
  placements: ArticlePlacement[];
  /** Pages that showed it before and must go now (a shared copy declined or removed, an old address). */
  removedUrls: string[];
  revision: number;
  publishedAt: Date | null;
}

/** A site was created or its settings (name, address, theme, colours, navigation, footer) changed: every page of it re-renders. */
export interface SiteChanged extends DomainEvent {
  type: typeof SITE_CHANGED;
  siteId: string;
  unitId: string;
  kind: SiteKind;
  change: 'created' | 'updated';
  /** Fields changed (camelCase as in the API); on creation every field. */
  fields: string[];
  url: string;
  /** The address before, when it changed (hostName); else null. */
  previousUrl: string | null;
}

/** A column was created or changed; a changed slug moves it and every column and article under it. */
export interface ColumnChanged extends DomainEvent {
  type: typeof COLUMN_CHANGED;
  columnId: string;
  siteId: string;
  parentId: string | null;
  kind: ColumnKind;
  change: 'created' | 'updated';
  fields: string[];
  url: string;
  previousUrl: string | null;
  /** The column and every column under it whose address changed (a slug or parent changed); else empty. */
  movedColumnIds: string[];
}

export const publishArticleChanged = (work: Work, platform: Platform, event: Omit<ArticleChanged, 'type'>) => publish<ArticleChanged>(work, platform, { type: ARTICLE_CHANGED, ...event });
export const publishSiteChanged = (work: Work, platform: Platform, event: Omit<SiteChanged, 'type'>) => publish<SiteChanged>(work, platform, { type: SITE_CHANGED, ...event });
export const publishColumnChanged = (work: Work, platform: Platform, event: Omit<ColumnChanged, 'type'>) => publish<ColumnChanged>(work, platform, { type: COLUMN_CHANGED, ...event });
