import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The government information disclosure catalogue (政府信息公开目录) of every unit: its categories
 * (two levels, made from the standard 8 categories and 23 sub-categories on first use), the items
 * with their index numbers, the serial counter behind automatic index numbers, and the unit's
 * disclosure guide (公开指南) text.
 */
export const disclosureMigrations: Record<string, Migration> = {
  '20261209_0400_portal_disclosure_tables': {
    async up(db: Kysely<any>) {
      // A unit's catalogue exists once this row does: the first use creates it and the default
      // categories in one transaction, and a second first use at the same moment waits and adds nothing.
      await sql`
        create table portal_disclosure_catalogues (
          unit_id text primary key references units (id),
          created_at timestamptz not null
        )`.execute(db);

      await sql`
        create table portal_disclosure_categories (
          id text primary key,
          unit_id text not null references portal_disclosure_catalogues (unit_id),
          parent_id text references portal_disclosure_categories (id),
          code text,
          name text not null,
          position integer not null,
          hidden boolean not null default false,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          version integer not null default 1
        )`.execute(db);
      // One name per level of a unit's tree (a top category has no parent: coalesce makes it a key).
      await sql`create unique index portal_disclosure_categories_name on portal_disclosure_categories (unit_id, coalesce(parent_id, ''), name)`.execute(db);
      await sql`create index portal_disclosure_categories_tree on portal_disclosure_categories (unit_id, parent_id, position)`.execute(db);

      await sql`
        create table portal_disclosure_serials (
          unit_id text not null references units (id),
          year integer not null,
          last_serial integer not null,
          primary key (unit_id, year)
        )`.execute(db);

      await sql`
        create table portal_disclosure_items (
          id text primary key,
          unit_id text not null references units (id),
          category_id text not null references portal_disclosure_categories (id),
          -- The top category (the item's category itself or its parent): a filter on a category covers its sub-categories.
          root_category_id text not null references portal_disclosure_categories (id),
          index_no text not null,
          title text not null,
          doc_number text,
          issuing_unit text not null,
          written_date date not null,
          published_at timestamptz not null,
          validity text not null default 'valid' check (validity in ('valid', 'invalid', 'repealed')),
          validity_changed_at timestamptz,
          validity_reason text,
          subject_terms text,
          body text not null default '',
          created_by text,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          version integer not null default 1,
          constraint portal_disclosure_items_index_no unique (unit_id, index_no)
        )`.execute(db);
      // The catalogue's pages, newest first: the whole unit, a top category, a sub-category.
      await sql`create index portal_disclosure_items_unit on portal_disclosure_items (unit_id, published_at desc, id desc)`.execute(db);
      await sql`create index portal_disclosure_items_root on portal_disclosure_items (root_category_id, published_at desc, id desc)`.execute(db);
      await sql`create index portal_disclosure_items_category on portal_disclosure_items (category_id, published_at desc, id desc)`.execute(db);
      // "Title contains" and "document number contains": trigram indexes (pg_trgm is loaded by the approval migrations; created here too if missing).
      await sql`create extension if not exists pg_trgm`.execute(db);
      await sql`create index portal_disclosure_items_title_trgm on portal_disclosure_items using gin (title gin_trgm_ops)`.execute(db);
      await sql`create index portal_disclosure_items_doc_trgm on portal_disclosure_items using gin (doc_number gin_trgm_ops)`.execute(db);

      await sql`
        create table portal_disclosure_guides (
          unit_id text primary key references units (id),
          body text not null,
          updated_at timestamptz not null,
          updated_by text,
          version integer not null default 1
        )`.execute(db);
    },
  },
};
