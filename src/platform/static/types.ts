import type { Platform } from '../module.ts';

/** A page as a source rendered it: the bytes served for `host` + `path`, and what it shows. */
export interface RenderedPage {
  /** The site's own host name (lower case, no port), or null for the installation's address. */
  host: string | null;
  /** Absolute, '/'-separated; ending in '/' means the folder's index.html; else the last segment has an extension (.html, .xml …). */
  path: string;
  body: string | Buffer;
  /** Served as is, e.g. 'text/html; charset=utf-8'; defaults to the type of the path's extension. */
  contentType?: string;
  /**
   * Opaque keys of what the page shows ('article:<id>', 'column:<id>', 'site:<id>:home'): marking one
   * of them stale re-renders this page. Replaced each time the page is rendered.
   */
  dependsOn: string[];
}

/** Where a page is published: the pair a source renders and the engine files. */
export interface PageAddress {
  host: string | null;
  path: string;
}

/**
 * Gives the bulk producer a page batch at a time. `cursor`: where the source would start again
 * after this batch (kept with the rebuild's progress: a rebuild stopped half-way resumes there).
 */
export type EmitPages = (pages: RenderedPage[], cursor?: string) => Promise<void>;

/** What a rebuild covers: one site (the source's own notion of it) or all; `after`: the cursor to resume from. */
export interface RebuildScope {
  site?: string;
  after?: string;
}

/** A module's published pages (manifest `staticPages`). */
export interface StaticPageSource {
  /** '<module>.<what>', unique: the pages it published are re-rendered by it. */
  name: string;
  /** One page as it is now; null when the address is not published (any more): its file is removed. */
  render(platform: Platform, page: PageAddress): Promise<RenderedPage | null>;
  /**
   * Every page of the scope, read in large batches and emitted in batches (never a query per page).
   * Resumable when it passes a cursor with each batch and starts after `scope.after`.
   */
  rebuild(platform: Platform, scope: RebuildScope, emit: EmitPages): Promise<void>;
  /**
   * A digest of what shapes the pages besides the data (templates, styles, scripts). When a new
   * version's differs from the one the published pages were made with, they are all rebuilt once.
   */
  layout?: string;
}

/** What a publishing run did. */
export interface PublishStats {
  rendered: number;
  written: number;
  unchanged: number;
  removed: number;
}
