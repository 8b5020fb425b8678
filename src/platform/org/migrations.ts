import { sql, type Kysely, type Migration } from 'kysely';

export const orgMigrations: Record<string, Migration> = {
  '20261101_0200_org_regions_units': {
    async up(db: Kysely<any>) {
      await sql`
        create table regions (
          code text primary key,
          name text not null,
          level text not null check (level in ('province', 'city', 'county', 'town', 'village')),
          parent_code text references regions (code),
          prefix text not null,
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index regions_parent on regions (parent_code, code)`.execute(db);
      await sql`create index regions_prefix on regions (prefix text_pattern_ops)`.execute(db);
      await sql`
        create table units (
          id text primary key,
          name text not null,
          region_code text not null references regions (code),
          kind text not null check (kind in ('government', 'department', 'service_center', 'town', 'village', 'other')),
          parent_id text references units (id),
          credit_code text unique,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          version integer not null default 1
        )`.execute(db);
      await sql`create unique index units_region_name on units (region_code, name)`.execute(db);
      await sql`create index units_region on units (region_code, id)`.execute(db);
      await sql`create index units_region_pattern on units (region_code text_pattern_ops)`.execute(db);
      await sql`create index units_parent on units (parent_id)`.execute(db);
    },
  },
  // A key from the system the units come from: CSV imports refer to parents and staff units by it.
  '20261101_0310_org_unit_external_key': {
    async up(db: Kysely<any>) {
      await sql`alter table units add column external_key text`.execute(db);
      await sql`create unique index units_external_key on units (external_key) where external_key is not null`.execute(db);
    },
  },
  // A unit disabled by the system administrator (merged, dissolved): it stays in history and in
  // every record that names it, and receives nothing new (document exchange refuses it).
  '20261207_0310_org_unit_disabled': {
    async up(db: Kysely<any>) {
      await sql`alter table units add column disabled_at timestamptz`.execute(db);
    },
  },
};
