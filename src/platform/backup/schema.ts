import { sql, type Db } from '../db/index.ts';
import type { Kysely } from 'kysely';

/** What a backup knows about one table; the same query describes the target on restore. */
export interface TableShape {
  name: string;
  /** Columns that take values on insert (generated columns are left out). */
  columns: string[];
  /** Primary key columns, for a stable row order in the archive. */
  primaryKey: string[];
}

type Conn = Db | Kysely<any>;

/** Every base table of the application's schema, by name. None is left out. */
export async function describeTables(db: Conn): Promise<TableShape[]> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'
    order by table_name`.execute(db);
  const columns = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and is_generated = 'NEVER'
    order by table_name, ordinal_position`.execute(db);
  const keys = await sql<{ table_name: string; column_name: string }>`
    select c.relname as table_name, a.attname as column_name
    from pg_index i
    join pg_class c on c.oid = i.indrelid
    join pg_namespace n on n.oid = c.relnamespace
    join lateral unnest(i.indkey) with ordinality as k(attnum, position) on true
    join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
    where i.indisprimary and n.nspname = current_schema()
    order by c.relname, k.position`.execute(db);
  return tables.rows.map(({ name }) => ({
    name,
    columns: columns.rows.filter((c) => c.table_name === name).map((c) => c.column_name),
    primaryKey: keys.rows.filter((k) => k.table_name === name).map((k) => k.column_name),
  }));
}

export async function listSequences(db: Conn): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    select sequence_name as name from information_schema.sequences
    where sequence_schema = current_schema() order by sequence_name`.execute(db);
  return rows.rows.map((r) => r.name);
}

export interface ForeignKey {
  table: string;
  name: string;
  definition: string;
}

export async function listForeignKeys(db: Conn): Promise<ForeignKey[]> {
  const rows = await sql<ForeignKey>`
    select t.relname as "table", c.conname as name, pg_get_constraintdef(c.oid) as definition
    from pg_constraint c
    join pg_class t on t.oid = c.conrelid
    join pg_namespace n on n.oid = c.connamespace
    where c.contype = 'f' and n.nspname = current_schema()
    order by t.relname, c.conname`.execute(db);
  return rows.rows;
}

export async function tableExists(db: Conn, name: string): Promise<boolean> {
  const rows = await sql<{ found: boolean }>`
    select exists (select 1 from information_schema.tables where table_schema = current_schema() and table_name = ${name}) as found`.execute(db);
  return !!rows.rows[0]?.found;
}

export async function countRows(db: Conn, table: string): Promise<number> {
  const rows = await sql<{ n: number }>`select count(*)::int as n from ${sql.id(table)}`.execute(db);
  return Number(rows.rows[0].n);
}
