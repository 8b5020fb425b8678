/**
 * Writing the index: modules upsert their public documents in their own unit of work (the
 * document and its index entry commit together) and remove them when they stop being public.
 */
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Work } from '../db/work.ts';
import { fieldError, invalid, type FieldError } from '../http/errors.ts';
import { collapse, htmlToText } from './snippet.ts';
import { indexTerms, tsvectorLiteral } from './tokens.ts';

/** Plain text kept per document for snippets. */
export const STORED_BODY_CHARS = 20_000;
/** The part of the body that is indexed: the start of a long document says what it is about. */
export const INDEXED_BODY_CHARS = 8_000;

export interface SearchDocumentRow {
  source: string;
  source_id: string;
  site_id: string | null;
  column_id: string | null;
  category: string | null;
  title: string;
  body: string;
  url: string;
  published_at: Date;
  tsv: string;
  title_tsv: string;
  indexed_at: Date;
}
export type SearchTables = { search_documents: SearchDocumentRow };
export const searchTables = (db: Db) => db.withTables<SearchTables>();

/** A public document of a module, as it is indexed. */
export interface IndexedDocument {
  /** The module's kind of document ('portal.article', 'portal.disclosure'): lower case. */
  source: string;
  /** The document's id in its module. */
  id: string;
  siteId?: string | null;
  columnId?: string | null;
  /** A further filter, e.g. a disclosure category id. */
  category?: string | null;
  title: string;
  /** The body as plain text, or `html` (scripts and tags are dropped, entities decoded). */
  body?: string;
  html?: string;
  /** Where a visitor reads it. */
  url: string;
  publishedAt: Date;
}

const SOURCE = /^[a-z][a-z0-9_.-]{0,39}$/;
const BATCH = 200;

function check(docs: IndexedDocument[]) {
  const errors: FieldError[] = [];
  docs.forEach((d, i) => {
    if (!SOURCE.test(d.source)) errors.push(fieldError(`documents.${i}.source`, 'search.source.invalid'));
    if (!d.id || d.id.length > 200) errors.push(fieldError(`documents.${i}.id`, 'search.id.invalid'));
    if (!d.title?.trim()) errors.push(fieldError(`documents.${i}.title`, 'search.title.required'));
    if (!d.url) errors.push(fieldError(`documents.${i}.url`, 'search.url.required'));
    if (!(d.publishedAt instanceof Date) || Number.isNaN(d.publishedAt.getTime())) errors.push(fieldError(`documents.${i}.publishedAt`, 'search.publishedAt.invalid'));
  });
  if (errors.length) throw invalid(errors);
}

/** The row of a document: its plain text and its terms. */
export function documentRow(d: IndexedDocument, now: Date) {
  const title = collapse(d.title);
  const body = (d.html !== undefined ? htmlToText(d.html) : collapse(d.body ?? '')).slice(0, STORED_BODY_CHARS);
  const titleTerms = indexTerms(title);
  return {
    source: d.source,
    source_id: d.id,
    site_id: d.siteId ?? null,
    column_id: d.columnId ?? null,
    category: d.category ?? null,
    title,
    body,
    url: d.url,
    published_at: d.publishedAt,
    tsv: tsvectorLiteral([
      { terms: titleTerms, weight: 'A' },
      { terms: indexTerms(body.slice(0, INDEXED_BODY_CHARS)), weight: 'D' },
    ]),
    title_tsv: tsvectorLiteral([{ terms: titleTerms, weight: 'A' }]),
    indexed_at: now,
  };
}

/**
 * Adds or replaces documents (by source and id), in the caller's transaction. A document indexed
 * again is updated in place: what it says now is what is found.
 */
export async function indexDocuments(work: Work, docs: IndexedDocument[], now: Date = new Date()): Promise<void> {
  if (docs.length === 0) return;
  check(docs);
  // The last of two entries for one document wins (one statement may not update a row twice).
  const unique = [...new Map(docs.map((d) => [`${d.source}\u0000${d.id}`, d])).values()];
  for (let i = 0; i < unique.length; i += BATCH) {
    const rows = unique.slice(i, i + BATCH).map((d) => documentRow(d, now));
    await searchTables(work.tx)
      .insertInto('search_documents')
      .values(rows.map((r) => ({ ...r, tsv: sql`${r.tsv}::tsvector`, title_tsv: sql`${r.title_tsv}::tsvector` })) as never)
      .onConflict((oc) =>
        oc.columns(['source', 'source_id']).doUpdateSet((eb) => ({
          site_id: eb.ref('excluded.site_id'),
          column_id: eb.ref('excluded.column_id'),
          category: eb.ref('excluded.category'),
          title: eb.ref('excluded.title'),
          body: eb.ref('excluded.body'),
          url: eb.ref('excluded.url'),
          published_at: eb.ref('excluded.published_at'),
          tsv: eb.ref('excluded.tsv'),
          title_tsv: eb.ref('excluded.title_tsv'),
          indexed_at: eb.ref('excluded.indexed_at'),
        })),
      )
      .execute();
  }
}

/** Removes documents of a source (withdrawn, unpublished); unknown ids are ignored. Returns how many went. */
export async function removeDocuments(work: Work, source: string, ids: string[]): Promise<number> {
  let removed = 0;
  for (let i = 0; i < ids.length; i += 1000) {
    const result = await searchTables(work.tx)
      .deleteFrom('search_documents')
      .where('source', '=', source)
      .where('source_id', 'in', ids.slice(i, i + 1000))
      .executeTakeFirst();
    removed += Number(result.numDeletedRows);
  }
  return removed;
}
