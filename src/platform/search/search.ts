/**
 * Searching the index (decision 0017). The asked words become a tsquery of bigrams; a query of
 * three or more characters also finds titles containing it as written (pg_trgm), which catches
 * what the terms cannot (a fragment inside a Latin word or a document number).
 *
 * Ranking: how much of the query the title holds (ts_rank_cd of the title's vector against any
 * of the asked words, weight A = 1.0), plus 0.1 for the match in the body (the weight of body
 * terms), plus 0.5 when the title contains the query as written, times a freshness factor that
 * halves every year. It is computed over a bounded set of candidates only, so a query that
 * matches 100,000 documents costs what one matching a thousand does: the newest CANDIDATES
 * matching documents plus the newest CANDIDATES whose title matches (an older title match still
 * outranks recent mentions in bodies). The body's vector (kilobytes) is read only to match, never
 * to rank: ranking by it doubled the time of a broad query (decision 0017). The freshness factor
 * is 2^((t - 2026-01-01) / 1 year): the order of two documents does not depend on when the query
 * runs, so no clock is needed.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/index.ts';
import { escapeLike } from '../db/index.ts';
import { fieldError, invalid, type FieldError } from '../http/errors.ts';
import type { SearchDocumentRow } from './documents.ts';
import { collapse, highlightTitle, snippetOf } from './snippet.ts';
import { hasWordCharacters, normalise, queryTerms, tsqueryLiteral, type QueryTerm } from './tokens.ts';

/** Longest query accepted, in characters. */
export const MAX_QUERY_CHARS = 100;
/** Most asked words: more only slow the query down without narrowing it usefully. */
export const MAX_QUERY_TERMS = 12;
/**
 * Documents ranked per query, and the deepest a page may reach; up to this many matches the total
 * is exact, beyond it is the planner's estimate (bench/RESULTS.md: what a broad query costs).
 */
export const CANDIDATES = 500;
export const MAX_LIMIT = 50;

const FRESHNESS_EPOCH = Date.UTC(2026, 0, 1) / 1000;
const FRESHNESS_HALF_LIFE = 365 * 24 * 3600;
/** The rank of a match in the body alone: the weight ts_rank_cd gives body (D) terms. */
const BODY_MATCH = 0.1;
/** Added to the rank of a title that contains the query as written. */
const TITLE_CONTAINS_BONUS = 0.5;

export interface SearchQuery {
  q: string;
  siteId?: string;
  columnId?: string;
  category?: string;
  /** Calendar dates in Asia/Shanghai, both included: 'YYYY-MM-DD'. */
  from?: string;
  to?: string;
  /** 1 to MAX_LIMIT, default 10. */
  limit?: number;
  /** 0 to CANDIDATES - limit. */
  offset?: number;
}

export interface SearchHit {
  source: string;
  id: string;
  /** Plain text. */
  title: string;
  /** HTML: the title escaped, the asked words in <mark>. */
  titleHtml: string;
  url: string;
  /** HTML: a window of the body around the first matches, escaped, the asked words in <mark>. */
  snippet: string;
  publishedAt: Date;
  siteId: string | null;
  columnId: string | null;
  category: string | null;
}

export interface SearchResult {
  items: SearchHit[];
  /** Matching documents: exact under CANDIDATES, else estimated (totalIsEstimate). */
  total: number;
  totalIsEstimate: boolean;
  /** The offset of the next page, or null on the last one (or at the candidate bound). */
  nextOffset: number | null;
}

/** A query that was checked: its terms, its tsquery and its title pattern. */
export interface ParsedQuery {
  terms: QueryTerm[];
  tsquery: string;
  /** The same words, any of them: what the title's rank counts. */
  anyTsquery: string;
  /** ILIKE pattern of the query as written, for titles; null under three characters (no trigram). */
  titlePattern: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (value: string) => DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
const dayStart = (date: string) => new Date(`${date}T00:00:00+08:00`);

/** Checks the query text: VALIDATION_FAILED (400) with a field error on `q` when it cannot be searched. */
export function parseQuery(raw: string): ParsedQuery {
  const q = collapse(raw ?? '');
  if (!q) throw invalid([fieldError('q', 'search.q.required')]);
  if ([...q].length > MAX_QUERY_CHARS) throw invalid([fieldError('q', 'search.q.tooLong', { max: MAX_QUERY_CHARS })]);
  // Punctuation and symbols alone: nothing to look for; refused like an empty query.
  if (!hasWordCharacters(q)) throw invalid([fieldError('q', 'search.q.noWords')]);
  const terms = queryTerms(q);
  if (terms.length === 0) throw invalid([fieldError('q', 'search.q.noWords')]);
  if (terms.length > MAX_QUERY_TERMS) throw invalid([fieldError('q', 'search.q.tooManyWords', { max: MAX_QUERY_TERMS })]);
  return { terms, tsquery: tsqueryLiteral(terms), anyTsquery: tsqueryLiteral(terms, ' | '), titlePattern: [...q].length >= 3 ? `%${escapeLike(normalise(q))}%` : null };
}

function checkOptions(query: SearchQuery) {
  const errors: FieldError[] = [];
  const limit = query.limit ?? 10;
  const offset = query.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) errors.push(fieldError('limit', 'search.limit.invalid', { max: MAX_LIMIT }));
  if (!Number.isInteger(offset) || offset < 0 || offset + limit > CANDIDATES) errors.push(fieldError('offset', 'search.offset.invalid', { max: CANDIDATES }));
  for (const field of ['from', 'to'] as const) if (query[field] !== undefined && !validDate(query[field])) errors.push(fieldError(field, 'search.date.invalid'));
  if (!errors.length && query.from && query.to && query.from > query.to) errors.push(fieldError('to', 'search.date.order'));
  if (errors.length) throw invalid(errors);
  return { limit, offset };
}

function filters(query: SearchQuery): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (query.siteId !== undefined) parts.push(sql`site_id = ${query.siteId}`);
  if (query.columnId !== undefined) parts.push(sql`column_id = ${query.columnId}`);
  if (query.category !== undefined) parts.push(sql`category = ${query.category}`);
  if (query.from) parts.push(sql`published_at >= ${dayStart(query.from)}`);
  if (query.to) parts.push(sql`published_at < ${new Date(dayStart(query.to).getTime() + 86_400_000)}`);
  return parts.length ? sql`and ${sql.join(parts, sql` and `)}` : sql``;
}

type RankedRow = Omit<SearchDocumentRow, 'tsv' | 'title_tsv' | 'indexed_at'>;

/**
 * The statement that ranks: the candidates (each branch computes the rank of the rows it keeps,
 * while it has them), their order, the page, and how many the first branch found (the total when
 * under the bound: the title branch's rows are among them). Exported for the benchmark's plan.
 */
export function rankingStatement(parsed: ParsedQuery, query: SearchQuery, limit: number, offset: number) {
  const where = filters(query);
  const tsq = sql`${parsed.tsquery}::tsquery`;
  const matches = parsed.titlePattern ? sql`(tsv @@ ${tsq} or title ilike ${parsed.titlePattern})` : sql`tsv @@ ${tsq}`;
  const bonus = parsed.titlePattern ? sql`case when title ilike ${parsed.titlePattern} then ${TITLE_CONTAINS_BONUS}::float8 else 0 end` : sql`0`;
  // Relevance from the title's small vector only (any asked word counts); a body match is the flat
  // weight of body terms. The body's vector is read once per row, by the match, never to rank.
  const rank = sql`ts_rank_cd(title_tsv, ${parsed.anyTsquery}::tsquery) + ${BODY_MATCH}::float8 + ${bonus}`;
  return {
    matches,
    where,
    statement: sql<RankedRow & { matched: number }>`
    with matching as (
      select source, source_id, published_at, ${rank} as rank from search_documents where ${matches} ${where} order by published_at desc limit ${CANDIDATES}
    ),
    candidates as (
      select * from matching
      union
      (select source, source_id, published_at, ${rank} as rank from search_documents where title_tsv @@ ${tsq} ${where} order by published_at desc limit ${CANDIDATES})
    ),
    page as (
      select source, source_id, published_at,
             rank * power(2::float8, (extract(epoch from published_at)::float8 - ${FRESHNESS_EPOCH}) / ${FRESHNESS_HALF_LIFE}) as score
        from candidates
       order by score desc, published_at desc, source, source_id
       limit ${limit} offset ${offset}
    )
    select d.source, d.source_id, d.site_id, d.column_id, d.category, d.title, d.body, d.url, d.published_at, (select count(*)::int from matching) as matched
      from page p join search_documents d on d.source = p.source and d.source_id = p.source_id
     order by p.score desc, p.published_at desc, p.source, p.source_id`,
  };
}

/** Searches the index: VALIDATION_FAILED for a query or option that cannot be searched. */
export async function searchDocuments(db: Db, query: SearchQuery): Promise<SearchResult> {
  const parsed = parseQuery(query.q);
  const { limit, offset } = checkOptions(query);
  const { matches, where, statement } = rankingStatement(parsed, query, limit, offset);
  const ranked = await statement.execute(db);

  let total: number;
  if (ranked.rows.length > 0) total = Number(ranked.rows[0].matched);
  else if (offset === 0) total = 0;
  else total = Number((await sql<{ n: number }>`select count(*)::int as n from (select 1 from search_documents where ${matches} ${where} limit ${CANDIDATES}) m`.execute(db)).rows[0].n);
  let totalIsEstimate = false;
  if (total >= CANDIDATES) {
    // Counting every match of a broad query would cost what ranking them all does: the planner's
    // estimate (from the tsvector statistics) says how many there are, never fewer than found.
    const plan = await sql<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>`explain (format json) select 1 from search_documents where ${matches} ${where}`.execute(db);
    const estimate = Math.round(Number(plan.rows[0]?.['QUERY PLAN']?.[0]?.Plan?.['Plan Rows'] ?? 0));
    total = Math.max(CANDIDATES, estimate);
    totalIsEstimate = true;
  }
  const items = ranked.rows.map((r) => ({
    source: r.source,
    id: r.source_id,
    title: r.title,
    titleHtml: highlightTitle(r.title, parsed.terms),
    url: r.url,
    snippet: snippetOf(r.body, parsed.terms),
    publishedAt: new Date(r.published_at),
    siteId: r.site_id,
    columnId: r.column_id,
    category: r.category,
  }));
  const reached = offset + items.length;
  const more = items.length === limit && reached < Math.min(total, CANDIDATES);
  return { items, total, totalIsEstimate, nextOffset: more ? reached : null };
}

