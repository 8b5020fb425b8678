import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGliteDialect } from './pglite-dialect.ts';

export { sql };
/** Every module widens this with its own tables through `db.withTables<T>()`. */
export type Db = Kysely<object>;

/** `text` for a LIKE pattern, matched literally (its %, _ and \ escaped). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** The embedded database itself (dumps, backups); absent on PostgreSQL. */
  pglite?: PGlite;
  close(): Promise<void>;
}

const INT8 = 20;
const DATE = 1082;

// Counts and big ids come back as numbers; calendar dates stay 'YYYY-MM-DD' strings, never
// Date objects shifted by the process's time zone.
pg.types.setTypeParser(INT8, (value) => Number(value));
pg.types.setTypeParser(DATE, (value) => value);

export interface OpenOptions {
  databaseUrl: string | null;
  /** Folder of the embedded database; null for an in-memory one (tests). */
  pgliteDir: string | null;
  /** A dumped data folder to start from (tests load a migrated template). */
  pgliteTemplate?: Blob;
  poolSize?: number;
  /** Named statements on PostgreSQL (default on): see PreparingClient. */
  preparedStatements?: boolean;
}

/**
 * Bumped when this process changes the schema (migrations): statement names carry it, so a
 * statement prepared before a table changed (a `select *` of it, say) is never executed again
 * (PostgreSQL would refuse it: "cached plan must not change result type").
 */
let schemaGeneration = 0;
export function schemaChanged() {
  schemaGeneration += 1;
}

/** Statements a connection keeps prepared at most; later new texts run unnamed. */
const MAX_PREPARED_PER_CONNECTION = 2000;
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * A pg client that sends every parameterised query as a named statement, one name per text:
 * PostgreSQL parses and plans it once per connection and then reuses the plan (measured on a case
 * action's typical join: 250 µs of server CPU per execution unnamed, 70 µs prepared). Generic
 * plans are PostgreSQL's choice (plan_cache_mode auto): it keeps planning each execution when a
 * generic plan would cost more. Off (ZT_DB_PREPARED_STATEMENTS=0) behind a pooler in transaction
 * mode, which cannot keep a connection's statements.
 */
class PreparingClient extends pg.Client {
  readonly #prepared = new Set<string>();

  override query(...args: any[]): any {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values) && args.length === 2 && PREPARABLE.test(text)) {
      const name = `zt${schemaGeneration}_${crypto.createHash('sha1').update(text).digest('base64url').slice(0, 22)}`;
      if (this.#prepared.has(name) || this.#prepared.size < MAX_PREPARED_PER_CONNECTION) {
        this.#prepared.add(name);
        return super.query({ name, text, values });
      }
    }
    return (super.query as (...a: any[]) => any)(...args);
  }
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 20, ...(options.preparedStatements === false ? {} : { Client: PreparingClient }) });
    pool.on('error', () => {
      /* an idle client lost its server; the pool replaces it */
    });
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  if (options.pgliteDir) fs.mkdirSync(path.dirname(options.pgliteDir), { recursive: true });
  const pglite = await PGlite.create({
    dataDir: options.pgliteDir ?? undefined,
    loadDataDir: options.pgliteTemplate,
    extensions: { pg_trgm },
    parsers: { [INT8]: (value: string) => Number(value), [DATE]: (value: string) => value },
    postgresqlconf: ['shared_buffers = 16MB', 'work_mem = 4MB'],
  });
  const db = new Kysely<any>({ dialect: new PGliteDialect(pglite) });
  return { db, kind: 'pglite', pglite, close: () => db.destroy() };
}

/** True when the error is PostgreSQL's unique-violation. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return !!e && e.code === '23505' && (!constraint || e.constraint === constraint);
}

export function isSerializationFailure(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '40001' || code === '40P01';
}
