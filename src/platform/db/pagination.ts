import { sql, type Expression, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { fieldError, invalid } from '../http/errors.ts';

/**
 * Keyset pagination: a page is the rows after the last one shown, in a fixed order whose last key
 * is unique (an id), so a row written between two requests neither repeats nor hides another.
 * The cursor is opaque to clients: base64url of the JSON array of the last row's key values.
 */

/** What a key holds, which says how its cursor value is checked and bound. */
export type KeyKind = 'text' | 'integer' | 'timestamp' | 'date';
export type KeyValue = string | number | Date;

export interface KeysetKey<Row> {
  /** The ordering column ('filed_at', 't.id') or expression (sql`lower(username)`). */
  by: string | Expression<unknown>;
  kind: KeyKind;
  /** The key's value in a result row. */
  of: (row: Row) => unknown;
}

export interface Keyset<Row> {
  /** Most significant first; all in one direction, the last one unique. */
  keys: ReadonlyArray<KeysetKey<Row>>;
  order: 'asc' | 'desc';
}

export interface PageRequest {
  limit: number;
  cursor?: string | null;
}

export interface Page<Row> {
  items: Row[];
  nextCursor: string | null;
}

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** A cursor that was not made here: VALIDATION_FAILED on the `cursor` parameter, never a 500. */
const cursorInvalid = () => invalid([fieldError('cursor', 'http.cursorInvalid')]);

function readValue(kind: KeyKind, value: unknown): KeyValue | undefined {
  switch (kind) {
    case 'text':
      return typeof value === 'string' ? value : undefined;
    case 'integer': {
      // Integers (bigint ids included) may have been written as text by an older cursor.
      const n = typeof value === 'number' || (typeof value === 'string' && /^-?\d{1,16}$/.test(value)) ? Number(value) : NaN;
      return Number.isSafeInteger(n) ? n : undefined;
    }
    case 'timestamp': {
      const at = typeof value === 'string' ? new Date(value) : null;
      return at && !Number.isNaN(at.getTime()) ? at : undefined;
    }
    case 'date': {
      if (typeof value !== 'string' || !DATE_SHAPE.test(value)) return undefined;
      const day = new Date(`${value}T00:00:00Z`);
      return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(value) ? value : undefined;
    }
  }
}

function writeValue(kind: KeyKind, value: unknown): string | number {
  switch (kind) {
    case 'integer':
      return Number(value);
    case 'timestamp':
      return (value instanceof Date ? value : new Date(value as string)).toISOString();
    default:
      return String(value);
  }
}

/** The key values a cursor carries, checked against the keys' kinds; null without a cursor. */
export function readCursor(cursor: string | null | undefined, kinds: readonly KeyKind[]): KeyValue[] | null {
  if (!cursor) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw cursorInvalid();
  }
  if (!Array.isArray(raw) || raw.length !== kinds.length) throw cursorInvalid();
  const values = kinds.map((kind, i) => readValue(kind, raw[i]));
  if (values.some((v) => v === undefined)) throw cursorInvalid();
  return values as KeyValue[];
}

/** The cursor that continues after a row with these key values. */
export function writeCursor(kinds: readonly KeyKind[], values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(kinds.map((kind, i) => writeValue(kind, values[i])))).toString('base64url');
}

const kindsOf = <Row>(keyset: Keyset<Row>) => keyset.keys.map((k) => k.kind);
const refOf = (by: string | Expression<unknown>) => (typeof by === 'string' ? sql.ref(by) : by);

/** `(a, b) > (x, y)` (or `<` newest first): the rows after the cursor's row, for where(). */
export function keysetAfter<Row>(keyset: Keyset<Row>, values: readonly KeyValue[]): RawBuilder<SqlBool> {
  const columns = sql.join(keyset.keys.map((k) => refOf(k.by)));
  const bound = sql.join(values.map((v) => sql.val(v)));
  return keyset.order === 'asc' ? sql<SqlBool>`(${columns}) > (${bound})` : sql<SqlBool>`(${columns}) < (${bound})`;
}

/** ORDER BY the keys, in the keyset's direction, for a query written in SQL. */
export function keysetOrder<Row>(keyset: Keyset<Row>): RawBuilder<unknown> {
  return sql.join(keyset.keys.map((k) => sql`${refOf(k.by)} ${sql.raw(keyset.order)}`));
}

/** Splits up to limit + 1 fetched rows into the page and the cursor to the next page (null on the last). */
export function pageOf<Row>(rows: Row[], limit: number, keyset: Keyset<Row>): Page<Row> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: last === undefined ? null : writeCursor(kindsOf(keyset), keyset.keys.map((k) => k.of(last))) };
}

/**
 * Runs one page of a Kysely query: orders it by the keys, keeps the rows after the cursor, fetches
 * limit + 1 rows to know whether another page follows. The query must not be ordered or limited yet.
 */
export async function keysetPage<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, keyset: Keyset<O>, page: PageRequest): Promise<Page<O>> {
  const after = readCursor(page.cursor, kindsOf(keyset));
  let ordered = query;
  for (const key of keyset.keys) ordered = ordered.orderBy(refOf(key.by), keyset.order);
  if (after) ordered = ordered.where(keysetAfter(keyset, after));
  return pageOf(await ordered.limit(page.limit + 1).execute(), page.limit, keyset);
}
