import type { Db } from '../db/index.ts';

export interface StaticPagesTable {
  host: string;
  path: string;
  source: string;
  digest: string;
  size: number;
  content_type: string;
  deps_digest: string;
  published_at: Date;
  rebuild_id: string | null;
}
export interface StaticPageDepsTable {
  key: string;
  host: string;
  path: string;
}
export interface StaticQueueTable {
  id: string;
  batch: string;
  key: string | null;
  source: string | null;
  host: string | null;
  path: string | null;
  queued_at: Date;
  lease_until: Date | null;
  lease_owner: string | null;
}
export interface StaticRebuildsTable {
  id: string;
  site: string | null;
  state: 'running' | 'done';
  source_index: number;
  cursor: string | null;
  pages: string;
  requested_by: string | null;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  lease_until: Date | null;
  lease_owner: string | null;
}
export type StaticTables = {
  static_pages: StaticPagesTable;
  static_page_deps: StaticPageDepsTable;
  static_queue: StaticQueueTable;
  static_rebuilds: StaticRebuildsTable;
};

// Generated columns (bigserial ids) are given by the database; Kysely's insert types need not know.
export const staticDb = (db: Db) => db.withTables<StaticTables>();

/** A claimed queue row or rebuild must be finished or renewed within this time, or another process takes it over. */
export const LEASE_MS = 60_000;
