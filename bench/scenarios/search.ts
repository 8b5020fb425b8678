/**
 * Chinese full-text search on PostgreSQL (budget: p95 under 50 ms for two-word Chinese queries
 * over 300,000 documents). The documents are generated in Node from a vocabulary of real
 * government words and phrases (bench/search-data.ts) and cut by the indexer's own code
 * (documentRow), then inserted in batches with unnest; 1 main site and 100 sub-sites, 600
 * columns, five years of publication dates. Then searchDocuments (ranking, total, snippets) is
 * timed for two-word queries with common and with rare words, single characters, and two-word
 * queries within one site.
 * Options: --docs N (default 300,000), --db NAME (keep and reuse the data).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { benchServer, machine, percentile } from '../support.ts';
import { generateDocument } from '../search-data.ts';
import { documentRow } from '../../src/platform/search/documents.ts';
import { parseQuery, searchDocuments, type SearchQuery } from '../../src/platform/search/index.ts';
import { rankingStatement } from '../../src/platform/search/search.ts';
import type { Db } from '../../src/platform/db/index.ts';

interface Options {
  docs: number;
  db?: string;
}

function parse(args: string[]): Options {
  const options: Options = { docs: 300_000 };
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    if (name === '--docs') options.docs = Number(value);
    else if (name === '--db') options.db = value;
    else throw new Error(`unknown option ${name} (options: --docs N, --db NAME)`);
  }
  if (!Number.isInteger(options.docs) || options.docs < 1000) throw new Error('--docs: a whole number of at least 1000');
  return options;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const FIVE_YEARS_MS = 5 * 365 * 86_400_000;

async function generate(db: Db, count: number, now: Date) {
  const batch = 2000;
  let segmentMs = 0;
  const t = performance.now();
  for (let first = 0; first < count; first += batch) {
    const t1 = performance.now();
    const rows: Array<ReturnType<typeof documentRow>> = [];
    for (let n = first; n < Math.min(count, first + batch); n++) {
      const publishedAt = new Date(now.getTime() - Math.floor((n / count) * FIVE_YEARS_MS) - (n % 997) * 60_000);
      const doc = generateDocument(n, publishedAt.getUTCFullYear());
      // One in five on the main site, the rest over 100 sub-sites; 600 columns; a disclosure category for one in four.
      const site = n % 5 === 0 ? 'main' : `site-${n % 100}`;
      rows.push(
        documentRow(
          { source: 'bench.article', id: String(n), siteId: site, columnId: `col-${n % 600}`, category: n % 4 === 0 ? `cat-${n % 23}` : null, title: doc.title, body: doc.body, url: `/a/${n}.html`, publishedAt },
          now,
        ),
      );
    }
    segmentMs += performance.now() - t1;
    const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
    await sql`
      insert into search_documents (source, source_id, site_id, column_id, category, title, body, url, published_at, tsv, title_tsv, indexed_at)
      select s, i, si, co, ca, ti, bo, ur, pa::timestamptz, tv::tsvector, tt::tsvector, ${now}
        from unnest(${col('source')}::text[], ${col('source_id')}::text[], ${col('site_id')}::text[], ${col('column_id')}::text[], ${col('category')}::text[],
                    ${col('title')}::text[], ${col('body')}::text[], ${col('url')}::text[], ${rows.map((r) => r.published_at.toISOString())}::text[],
                    ${col('tsv')}::text[], ${col('title_tsv')}::text[]) as u(s, i, si, co, ca, ti, bo, ur, pa, tv, tt)`.execute(db);
    if ((first / batch) % 25 === 0) console.log(`  documents ${first.toLocaleString('en')}… (${seconds(performance.now() - t)})`);
  }
  const t2 = performance.now();
  await sql`vacuum analyze search_documents`.execute(db);
  console.log(`generated ${count.toLocaleString('en')} documents in ${seconds(performance.now() - t)} (segmentation and terms in Node ${seconds(segmentMs)}, ${((segmentMs / count) * 1000).toFixed(0)} µs per document); vacuum analyze ${seconds(performance.now() - t2)}`);
}

async function exactCount(db: Db, query: SearchQuery) {
  const parsed = parseQuery(query.q);
  const site = query.siteId ? sql`and site_id = ${query.siteId}` : sql``;
  const title = parsed.titlePattern ? sql`or title ilike ${parsed.titlePattern}` : sql``;
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from search_documents where (tsv @@ ${parsed.tsquery}::tsquery ${title}) ${site}`.execute(db);
  return Number(rows[0].n);
}

async function timeQueries(db: Db, label: string, queries: SearchQuery[], rounds = 200) {
  const counts = [];
  for (const q of queries) counts.push(`${q.q}${q.siteId ? ` @${q.siteId}` : ''}: ${(await exactCount(db, q)).toLocaleString('en')}`);
  for (let i = 0; i < 20; i++) await searchDocuments(db, queries[i % queries.length]);
  const samples: number[] = [];
  const perQuery = queries.map(() => [] as number[]);
  let estimated = 0;
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const r = await searchDocuments(db, queries[i % queries.length]);
    samples.push(performance.now() - t);
    perQuery[i % queries.length].push(performance.now() - t);
    if (r.totalIsEstimate) estimated++;
  }
  const sorted = samples.sort((a, b) => a - b);
  console.log(
    `${label}: n=${rounds} p50=${percentile(sorted, 50).toFixed(1)} ms p95=${percentile(sorted, 95).toFixed(1)} ms p99=${percentile(sorted, 99).toFixed(1)} ms max=${sorted[sorted.length - 1].toFixed(1)} ms; totals estimated in ${estimated} of ${rounds}`,
  );
  console.log(`  matching documents: ${counts.join('; ')}`);
  console.log(`  per query, p50: ${queries.map((q, i) => `${q.q} ${percentile(perQuery[i].sort((a, b) => a - b), 50).toFixed(1)} ms`).join('; ')}`);
}

export async function searchScenario(args: string[]) {
  const options = parse(args);
  const server = await benchServer({ database: options.db });
  const db = server.platform.db;
  try {
    const existing = Number((await sql<{ n: number }>`select count(*)::int as n from search_documents`.execute(db)).rows[0].n);
    if (existing === 0) await generate(db, options.docs, server.platform.clock.now());
    else console.log(`reusing ${existing.toLocaleString('en')} documents of database ${options.db}`);
    const size = await sql<{ table: string; tsv: string; title_tsv: string; trgm: string }>`
      select pg_size_pretty(pg_total_relation_size('search_documents')) as table, pg_size_pretty(pg_relation_size('search_documents_tsv')) as tsv,
             pg_size_pretty(pg_relation_size('search_documents_title_tsv')) as title_tsv, pg_size_pretty(pg_relation_size('search_documents_title_trgm')) as trgm`.execute(db);
    const s = size.rows[0];
    console.log(`search_documents with indexes ${s.table} (GIN tsv ${s.tsv}, GIN title_tsv ${s.title_tsv}, GIN title trigrams ${s.trgm})`);
    console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

    const common = ['安全生产 通知', '政务服务 办理', '人民政府 工作', '财政 资金', '营业执照 申请'].map((q) => ({ q, limit: 10 }));
    const rare = ['双拥工作 公示', '生猪生产 应急预案', '秸秆禁烧 实施细则', '停车管理 批复', '人口普查 工作要点'].map((q) => ({ q, limit: 10 }));
    const single = ['税', '汛', '林', '医', '市'].map((q) => ({ q, limit: 10 }));
    const site = ['安全生产 通知', '双拥工作 公示', '政务服务 办理', '医疗保险 报销'].map((q, i) => ({ q, limit: 10, siteId: i % 2 ? 'main' : `site-${17 + i}` }));
    await timeQueries(db, 'two words, common', common);
    await timeQueries(db, 'two words, rare', rare);
    await timeQueries(db, 'one character', single);
    await timeQueries(db, 'two words within one site', site);
    await timeQueries(db, 'second page (offset 10), common', common.map((q) => ({ ...q, offset: 10 })), 100);

    for (const q of [{ q: '安全生产 通知', limit: 10 }, { q: '停车管理 批复', limit: 10 }, { q: '税', limit: 10 }, { q: '政务服务 办理', limit: 10, siteId: 'site-19' }]) {
      const plan = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers, costs off) ${rankingStatement(parseQuery(q.q), q, 10, 0).statement}`.execute(db);
      console.log(`plan of ${q.q}${q.siteId ? ` @${q.siteId}` : ''}:`);
      for (const r of plan.rows) console.log(`  ${r['QUERY PLAN']}`);
    }
    console.log(`machine: ${machine()}; nproc ${os.cpus().length}; load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await server.close();
  }
}
