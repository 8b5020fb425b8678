import { sql, type Kysely, type Migration } from 'kysely';

export const searchMigrations: Record<string, Migration> = {
  '20261209_0300_search_documents': {
    async up(db: Kysely<any>) {
      // The embedded database loads pg_trgm with the package; PostgreSQL ships it in contrib.
      await sql`create extension if not exists pg_trgm`.execute(db);
      // One row per public document of any module: (source, source_id) is the module's own key.
      // body is the plain text kept for snippets; tsv holds the title's terms (weight A) and the
      // first part of the body's (weight D), title_tsv the title's alone (decision 0017).
      await sql`
        create table search_documents (
          source text not null check (source ~ '^[a-z][a-z0-9_.-]{0,39}$'),
          source_id text not null check (length(source_id) between 1 and 200),
          site_id text,
          column_id text,
          category text,
          title text not null,
          body text not null,
          url text not null,
          published_at timestamptz not null,
          tsv tsvector not null,
          title_tsv tsvector not null,
          indexed_at timestamptz not null,
          primary key (source, source_id)
        )`.execute(db);
      // A body's tsvector is a few kilobytes (bigrams with positions): kept out of line and not
      // compressed, so the filter of a walk over recent documents reads it without decompressing
      // it (measured: about a third less time per row than pglz-compressed values).
      await sql`alter table search_documents alter column tsv set storage external`.execute(db);
      // The body (kept for snippets) goes out of line too, and the title's small vector stays in
      // the row: the row a ranking reads is a few hundred bytes (300,000 rows: a 139 MB heap
      // instead of 449 MB), so the title branch and the walk touch a third of the pages.
      await sql`alter table search_documents set (toast_tuple_target = 256)`.execute(db);
      await sql`alter table search_documents alter column title_tsv set storage main`.execute(db);
      await sql`create index search_documents_tsv on search_documents using gin (tsv)`.execute(db);
      await sql`create index search_documents_title_tsv on search_documents using gin (title_tsv)`.execute(db);
      await sql`create index search_documents_title_trgm on search_documents using gin (title gin_trgm_ops)`.execute(db);
      // Candidates newest first, for the whole group or one site (broad queries walk these).
      await sql`create index search_documents_recent on search_documents (published_at desc, source, source_id)`.execute(db);
      await sql`create index search_documents_site_recent on search_documents (site_id, published_at desc)`.execute(db);
    },
  },
};
