import { sql, type Kysely, type Migration } from 'kysely';

export const staticMigrations: Record<string, Migration> = {
  '20261209_0200_static_pages': {
    async up(db: Kysely<any>) {
      // One row per published file. host '_' is the installation's own address. deps_digest lets a
      // re-render skip rewriting the dependency rows when the page shows the same things.
      await sql`
        create table static_pages (
          host text not null,
          path text not null,
          source text not null,
          digest text not null,
          size integer not null,
          content_type text not null,
          deps_digest text not null,
          published_at timestamptz not null,
          rebuild_id bigint,
          primary key (host, path)
        )`.execute(db);
      await sql`create index static_pages_source on static_pages (source, rebuild_id)`.execute(db);
    },
  },
  '20261209_0201_static_page_deps': {
    async up(db: Kysely<any>) {
      // "Which pages show X" is one index range: the key leads.
      await sql`
        create table static_page_deps (
          key text not null,
          host text not null,
          path text not null,
          primary key (key, host, path)
        )`.execute(db);
      await sql`create index static_page_deps_page on static_page_deps (host, path)`.execute(db);
    },
  },
  '20261209_0202_static_queue': {
    async up(db: Kysely<any>) {
      // Written in the caller's transaction: a key gone stale, or a page to render by its source.
      // batch names the unit of work that queued the row (its caller publishes exactly those);
      // a lease lets any process take the rows over once the one that claimed them is gone.
      await sql`
        create table static_queue (
          id bigserial primary key,
          batch text not null,
          key text,
          source text,
          host text,
          path text,
          queued_at timestamptz not null,
          lease_until timestamptz,
          lease_owner text,
          check ((key is not null) <> (source is not null and path is not null))
        )`.execute(db);
      await sql`create index static_queue_batch on static_queue (batch)`.execute(db);
    },
  },
  '20261209_0203_static_rebuilds': {
    async up(db: Kysely<any>) {
      // A full rebuild's progress: which source it is at and where in it, so a rebuild stopped
      // half-way (a killed process) is finished by the next one that claims it.
      await sql`
        create table static_rebuilds (
          id bigserial primary key,
          site text,
          state text not null check (state in ('running', 'done')),
          source_index integer not null default 0,
          cursor text,
          pages bigint not null default 0,
          requested_by text,
          started_at timestamptz not null,
          updated_at timestamptz not null,
          finished_at timestamptz,
          lease_until timestamptz,
          lease_owner text
        )`.execute(db);
      await sql`create index static_rebuilds_running on static_rebuilds (id) where state = 'running'`.execute(db);
    },
  },
  '20261209_0204_static_visits': {
    async up(db: Kysely<any>) {
      // Visits per day and page, and nothing about the visitor (src/platform/static/visits.ts).
      await sql`
        create table static_visits (
          day date not null,
          host text not null,
          path text not null,
          visits bigint not null,
          primary key (day, host, path)
        )`.execute(db);
    },
  },
  '20261210_0100_static_layouts': {
    async up(db: Kysely<any>) {
      // The layout each source's published pages were made with (src/platform/static/layouts.ts).
      await sql`
        create table static_layouts (
          source text primary key,
          layout text not null,
          updated_at timestamptz not null
        )`.execute(db);
    },
  },
};
