/**
 * Static publishing on PostgreSQL (issue 15, budgets): a full rebuild of a synthetic site group
 * (1 main site, 100 sub-sites, 600 columns, 300,000 articles, their paginated column lists ≈
 * 315,000 files) under 3 minutes; the same rebuild again with nothing changed; publishing one
 * edited article with every page that shows it (< 300 ms).
 * Serving: one published article page through the platform's server against nginx serving the
 * same file (≥ half of nginx's rate). With --hugo, Hugo builds a site of the same shape first, in
 * the same run (our rebuild ≥ half of Hugo's pages per second).
 * Options: --articles N (default 300,000), --db NAME (keep the data and the files, reuse them), --hugo.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../src/platform/db/work.ts';
import fs from 'node:fs';
import { DEFAULT_HOST, inTransactionPublishing, markStale, pageFile, publicRoot, rebuildStatic, type RebuildResult } from '../../src/platform/static/index.ts';
import { benchServer, machine, percentile, postgresCpuMs } from '../support.ts';
import { benchStaticModule, seedGroup } from '../static-data.ts';
import { hugoReference, nginxReference, requestRate, SITE_GROUP_SHAPE } from './references.ts';

function parse(args: string[]) {
  const options: { articles: number; db?: string; hugo: boolean } = { articles: 300_000, hugo: false };
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '--articles') options.articles = Number(args[i + 1]);
    else if (args[i] === '--db') options.db = args[i + 1];
    else if (args[i] === '--hugo') {
      options.hugo = true;
      i--;
    } else throw new Error(`unknown option ${args[i]} (options: --articles N, --db NAME, --hugo)`);
  }
  if (!Number.isInteger(options.articles) || options.articles < 1000) throw new Error('--articles: a whole number of at least 1000');
  return options;
}

/** Wall time on a shared machine says little: the CPU each page cost (this process's threads, PostgreSQL's) says what two idle cores would do. */
async function measured(label: string, run: () => Promise<RebuildResult>): Promise<RebuildResult> {
  const [cpu, pgCpu] = [process.cpuUsage(), postgresCpuMs()];
  const r = await run();
  const node = process.cpuUsage(cpu);
  const nodeMs = (node.user + node.system) / 1000;
  const pgMs = pgCpu === null ? null : postgresCpuMs()! - pgCpu;
  const perPage = (nodeMs + (pgMs ?? 0)) / r.pages;
  console.log(`${label}: ${r.pages} pages in ${r.seconds.toFixed(1)} s = ${Math.round(r.pagesPerSecond)} pages/s (${r.written} files written, ${r.swept} swept)`);
  console.log(`  CPU: Node ${(nodeMs / 1000).toFixed(1)} s, PostgreSQL ${pgMs === null ? '?' : (pgMs / 1000).toFixed(1)} s = ${perPage.toFixed(2)} ms per page: two idle cores would do about ${Math.round(2000 / perPage)} pages/s`);
  return r;
}

/** One published article page: requests per second through our server, then nginx on the same file. */
async function servingAgainstNginx(platform: import('../../src/platform/module.ts').Platform, baseUrl: string) {
  const page = (await sql<{ host: string; path: string }>`select host, path from static_pages where path like '%/a/%.html' order by path limit 1`.execute(platform.db)).rows[0];
  if (!page) throw new Error('no published article page to serve');
  const file = pageFile(publicRoot(platform.config), page.host === DEFAULT_HOST ? null : page.host, page.path);
  const url = `${baseUrl}${page.path}`;
  const check = await fetch(url);
  if (!check.ok) throw new Error(`${url}: ${check.status}`);
  const connections = 20;
  const seconds = 10;
  await requestRate(url, connections, 3); // warm-up
  // Both share the two cores with the load generator: rounds alternate, and the medians are compared.
  const rounds: Array<{ ours: Awaited<ReturnType<typeof requestRate>>; nginx: Awaited<ReturnType<typeof nginxReference>> }> = [];
  for (let i = 0; i < 3; i++) rounds.push({ ours: await requestRate(url, connections, seconds), nginx: await nginxReference(file, connections, seconds) });
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const ours = median(rounds.map((r) => r.ours.rps));
  const nginx = median(rounds.map((r) => r.nginx.rps));
  console.log(`serving one article page (${fs.statSync(file).size} bytes), ${connections} keep-alive connections, 3 alternating rounds of ${seconds} s:`);
  for (const r of rounds) console.log(`  ours ${Math.round(r.ours.rps)} req/s (p50 ${r.ours.p50} ms, p99 ${r.ours.p99} ms, errors ${r.ours.errors}, non-2xx ${r.ours.non2xx}) · ${r.nginx.version} (1 worker) ${Math.round(r.nginx.rps)} req/s (p50 ${r.nginx.p50} ms, p99 ${r.nginx.p99} ms)`);
  console.log(`  medians: ours ${Math.round(ours)} req/s, nginx ${Math.round(nginx)} req/s, ratio ${(ours / nginx).toFixed(2)} × (budget ≥ 0.5 ×)`);
}

export async function staticRebuildScenario(args: string[]) {
  const options = parse(args);
  const server = await benchServer({ database: options.db, modules: [benchStaticModule] });
  const { platform } = server;
  const config = platform.config;
  try {
    let hugoRate: number | null = null;
    if (options.hugo) {
      const hugo = await hugoReference({ ...SITE_GROUP_SHAPE, articles: options.articles });
      hugoRate = hugo.pagesPerSecond;
      console.log(`${hugo.version}\nhugo, same shape: ${hugo.pages} pages in ${hugo.seconds.toFixed(1)} s = ${Math.round(hugo.pagesPerSecond)} pages/s`);
    }
    if (server.fresh) {
      const t = performance.now();
      await seedGroup(platform, options.articles);
      console.log(`generated ${options.articles} articles in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    let last = 0;
    const progress = (p: { pages: number; seconds: number; pagesPerSecond: number; source: string }) => {
      if (p.seconds - last < 15) return;
      last = p.seconds;
      console.log(`  ${p.pages} pages, ${p.seconds.toFixed(0)} s, ${Math.round(p.pagesPerSecond)} pages/s`);
    };
    const full = await measured(!server.fresh ? 'full rebuild (files already there)' : 'full rebuild into an empty folder', () => rebuildStatic(platform, {}, { progress }));
    if (hugoRate) console.log(`  against Hugo: ${(full.pagesPerSecond / hugoRate).toFixed(2)} × (budget ≥ 0.5 ×)`);
    last = 0;
    await measured('full rebuild again, nothing changed', () => rebuildStatic(platform, {}, { progress }));

    // One article edited and published with every page that shows it: its page and its column's list pages.
    const times: number[] = [];
    let pages = 0;
    for (let i = 0; i < 10; i++) {
      const id = 1 + Math.floor(Math.random() * options.articles);
      const t = performance.now();
      const stats = await inTransactionPublishing(platform, SYSTEM_ACTOR, async (work) => {
        const row = (await sql<{ column_id: number }>`update bench_articles set title = title || '（更新）' where id = ${id} returning column_id`.execute(work.tx)).rows[0];
        markStale(work, [`article:${id}`, `column:${row.column_id}:list`]);
      });
      void stats;
      times.push(performance.now() - t);
      pages = Number((await sql<{ n: string }>`select count(*) as n from static_page_deps where key = ${`column:${1 + (id * 7919) % 600}:list`}`.execute(platform.db)).rows[0].n);
    }
    times.sort((a, b) => a - b);
    console.log(`publishing one edited article with its dependent pages (~${pages} pages): p50 ${percentile(times, 50).toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms (budget < 300 ms)`);
    await servingAgainstNginx(platform, server.baseUrl);
    const files = Number((await sql<{ n: string }>`select count(*) as n from static_pages`.execute(platform.db)).rows[0].n);
    console.log(`published files: ${files} under ${publicRoot(config)}`);
    console.log('budget: full rebuild of ~320,000 pages < 180 s');
    console.log(`machine: ${machine()}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await server.close();
  }
}
