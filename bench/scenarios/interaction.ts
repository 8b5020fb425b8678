/**
 * Citizen interaction (政民互动) on PostgreSQL, over 2,000,000 cases of three years across the five
 * channels and 900 units:
 * - interaction-generate: the data generator's time (INSERT … SELECT generate_series);
 * - interaction-inbox: a unit's inbox first page, its open cases by due date (p95 < 30 ms);
 * - interaction-board: the public message board's first page, newest published first (p95 < 30 ms);
 * - interaction-stats: the statistics of a year per unit and per channel (< 1 s);
 * - interaction-letters: letters accepted per second (moderation, audit and outbox included) at 4
 *   concurrent writers, against pgbench TPC-B (-c 4) on a scratch database in the same run
 *   (budget: at least 0.2 × pgbench's TPS).
 * The inbox, board and letters go through their HTTP routes when the server has them, else they
 * run the routes' statement (inbox, board) or command (receiveCase in a transaction) directly, and say so.
 * Options: --cases N (default 2,000,000), --units N (default 900), --db NAME (keep and reuse the data).
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { BENCH_PG_URL, benchServer, machine, percentile, postgresCpuMs } from '../support.ts';
import { seedInteractionCases, seedInteractionUnits, type InteractionBenchData } from '../interaction-data.ts';
import { computeChannelStats, computeUnitStats, statsPeriod } from '../../src/modules/interaction/queries/stats.ts';
import { receiveCase } from '../../src/modules/interaction/commands/receive-case.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../src/platform/db/work.ts';
import { shanghaiDate, workingDays } from '../../src/platform/calendar/index.ts';

interface Options {
  cases: number;
  units: number;
  db?: string;
}

function parse(args: string[]): Options {
  const options: Options = { cases: 2_000_000, units: 900 };
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    if (name === '--cases') options.cases = Number(value);
    else if (name === '--units') options.units = Number(value);
    else if (name === '--db') options.db = value;
    else throw new Error(`unknown option ${name} (options: --cases N, --units N, --db NAME)`);
  }
  if (!Number.isInteger(options.cases) || options.cases < 1_000) throw new Error('--cases: a whole number of at least 1000');
  if (!Number.isInteger(options.units) || options.units < 2) throw new Error('--units: at least 2');
  return options;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
type Server = Awaited<ReturnType<typeof benchServer>>;

function summary(label: string, samples: number[], budget: string) {
  const sorted = [...samples].sort((a, b) => a - b);
  console.log(
    `${label}: n=${sorted.length} p50=${percentile(sorted, 50).toFixed(1)} ms p95=${percentile(sorted, 95).toFixed(1)} ms p99=${percentile(sorted, 99).toFixed(1)} ms max=${sorted[sorted.length - 1].toFixed(1)} ms (budget ${budget})`,
  );
}

async function withData(options: Options, run: (server: Server, data: InteractionBenchData) => Promise<void>) {
  // Letters come from many citizens: through a trusted proxy (this process) each from its own address,
  // as in a real installation, so the per-address limit counts each writer once.
  const server = await benchServer({ database: options.db, env: { ZT_TRUST_PROXY: '127.0.0.1' } });
  try {
    const t = performance.now();
    const units = await seedInteractionUnits(server.platform, options.units);
    console.log(`${options.units} units with a responder each (accounts, roles, tokens) in ${seconds(performance.now() - t)}`);
    let cases = Number((await sql<{ n: number }>`select count(*)::int as n from interaction_cases`.execute(server.platform.db)).rows[0].n);
    if (cases === 0) {
      const t2 = performance.now();
      cases = await seedInteractionCases(server.platform, { units: options.units, cases: options.cases, log: console.log });
      console.log(`generated ${cases.toLocaleString('en')} cases in ${seconds(performance.now() - t2)}`);
    } else console.log(`reusing ${cases.toLocaleString('en')} cases of database ${options.db}`);
    await run(server, { ...units, cases });
    console.log(`machine: ${machine()}; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await server.close();
  }
}

/** Sequential GETs over HTTP (keep-alive), or `direct` when the route answers 404 (not there yet). */
async function timeRoute(server: Server, paths: Array<{ path: string; token?: string }>, direct: (i: number) => Promise<unknown>, label: string, budget: string) {
  const probe = await fetch(server.baseUrl + paths[0].path, { headers: paths[0].token ? { authorization: `Bearer ${paths[0].token}` } : {} });
  await probe.arrayBuffer();
  const viaHttp = probe.status !== 404;
  if (viaHttp && probe.status !== 200) throw new Error(`${paths[0].path}: ${probe.status}`);
  const once = async (i: number) => {
    if (!viaHttp) return direct(i);
    const p = paths[i % paths.length];
    const res = await fetch(server.baseUrl + p.path, { headers: p.token ? { authorization: `Bearer ${p.token}` } : {} });
    if (res.status !== 200) throw new Error(`${p.path}: ${res.status}`);
    return res.json();
  };
  for (let i = 0; i < 30; i++) await once(i);
  const samples: number[] = [];
  for (let i = 0; i < 400; i++) {
    const t = performance.now();
    await once(i);
    samples.push(performance.now() - t);
  }
  summary(`${label} (${viaHttp ? `GET ${paths[0].path.split('?')[0]}` : 'the route is not there yet: its statement run directly'})`, samples, budget);
}

export async function interactionGenerateScenario(args: string[]) {
  const options = parse(args);
  await withData(options, async (server) => {
    const { rows } = await sql<{ channel: string; n: number; open: number; published: number }>`
      select channel, count(*)::int as n, count(*) filter (where state not in ('answered', 'merged'))::int as open, count(*) filter (where moderation = 'published')::int as published
        from interaction_cases group by channel order by channel`.execute(server.platform.db);
    for (const r of rows) console.log(`  ${r.channel}: ${Number(r.n).toLocaleString('en')} cases, ${Number(r.open).toLocaleString('en')} open, ${Number(r.published).toLocaleString('en')} on the board`);
    const size = await sql<{ size: string }>`select pg_size_pretty(pg_total_relation_size('interaction_cases')) as size`.execute(server.platform.db);
    console.log(`  interaction_cases with its indexes: ${size.rows[0].size}`);
  });
}

/** The inbox's statement: a unit's open cases, soonest deadline first (index interaction_cases_open). */
const inboxQuery = (server: Server, unitId: string) =>
  sql`select id, tracking_no, channel, state, title, writer_name_masked, received_at, due_date from interaction_cases
       where handling_unit_id = ${unitId} and state in ('received', 'assigned', 'clarifying', 'reviewing')
       order by due_date, id limit 20`.execute(server.platform.db);

export async function interactionInboxScenario(args: string[]) {
  const options = parse(args);
  await withData(options, async (server, data) => {
    const units = data.unitIds;
    const pick = (i: number) => units[(i * 37) % units.length];
    const plan = await sql<{ plan: string }>`explain select id from interaction_cases where handling_unit_id = ${units[5]} and state in ('received', 'assigned', 'clarifying', 'reviewing') order by due_date, id limit 20`.execute(server.platform.db);
    console.log(`  plan: ${plan.rows.map((r) => Object.values(r)[0]).join(' / ')}`);
    await timeRoute(
      server,
      Array.from({ length: 50 }, (_, i) => ({ path: '/api/v1/interaction/cases', token: data.responderTokens.get(pick(i))! })),
      (i) => inboxQuery(server, pick(i)),
      `inbox first page of a unit over ${data.cases.toLocaleString('en')} cases`,
      'p95 < 30 ms',
    );
    await timeRoute(server, [{ path: '/api/v1/interaction/cases', token: data.responderTokens.get(units[0])! }], () => inboxQuery(server, units[0]), 'inbox first page of the dispatching office', 'p95 < 30 ms');
  });
}

export async function interactionBoardScenario(args: string[]) {
  const options = parse(args);
  await withData(options, async (server, data) => {
    const board = (channel: string | null) =>
      sql`select id, tracking_no, channel, title, public_body, public_answer, handling_unit_id, received_at, answered_at, published_at from interaction_cases
           where moderation = 'published' ${channel ? sql`and channel = ${channel}` : sql``} order by published_at desc, id desc limit 20`.execute(server.platform.db);
    const plan = await sql<{ plan: string }>`explain select id from interaction_cases where moderation = 'published' order by published_at desc, id desc limit 20`.execute(server.platform.db);
    console.log(`  plan: ${plan.rows.map((r) => Object.values(r)[0]).join(' / ')}`);
    await timeRoute(server, [{ path: '/api/v1/public/letters' }], () => board(null), `message board first page over ${data.cases.toLocaleString('en')} cases`, 'p95 < 30 ms');
    await timeRoute(server, [{ path: '/api/v1/public/letters?channel=message_board' }], () => board('message_board'), 'message board first page, one channel', 'p95 < 30 ms');
  });
}

export async function interactionStatsScenario(args: string[]) {
  const options = parse(args);
  await withData(options, async (server, data) => {
    const db = server.platform.db;
    const now = server.platform.clock.now();
    const today = shanghaiDate(now);
    const year = statsPeriod(workingDays.addCalendarDays(today, -364), today);
    const timeIt = async (label: string, fn: () => Promise<Array<{ received: number }>>) => {
      const samples: number[] = [];
      let rows = 0;
      let received = 0;
      for (let i = 0; i < 6; i++) {
        const t = performance.now();
        const items = await fn();
        if (i > 0) samples.push(performance.now() - t);
        rows = items.length;
        received = items.reduce((s, item) => s + item.received, 0);
      }
      samples.sort((a, b) => a - b);
      console.log(`${label} (${rows} rows, ${received.toLocaleString('en')} cases): p50=${percentile(samples, 50).toFixed(1)} ms max=${samples[samples.length - 1].toFixed(1)} ms (budget < 1 s)`);
    };
    const all = async (suffix: string) => {
      await timeIt(`statistics of one year per unit, every unit${suffix}`, () => computeUnitStats(db, year, { units: null, listed: [], now }));
      await timeIt(`statistics of one year per unit, one channel${suffix}`, () => computeUnitStats(db, year, { units: null, listed: [], channel: 'hotline', now }));
      await timeIt(`statistics of one year per channel, every unit${suffix}`, () => computeChannelStats(db, year, { units: null, now }));
      await timeIt(`statistics of one year, one unit${suffix}`, () => computeUnitStats(db, year, { units: [data.unitIds[7]], listed: [data.unitIds[7]], now }));
    };
    await all('');
    // The same without the statistics' covering index (interaction_cases_stats): what it is for.
    await sql`drop index interaction_cases_stats`.execute(db);
    try {
      await all(', without interaction_cases_stats');
    } finally {
      const t = performance.now();
      await sql`create index interaction_cases_stats on interaction_cases (received_at) include (handling_unit_id, channel, answered_at, due_date, rating_score, visit_satisfaction, reopen_count)`.execute(db);
      await sql`vacuum analyze interaction_cases`.execute(db);
      console.log(`  (index rebuilt in ${seconds(performance.now() - t)})`);
    }
  });
}

/** pgbench TPC-B (scale 1, 4 clients, 20 s) on a scratch database: its TPS. */
function pgbenchTps(): number {
  const name = `zt_bench_pgb_${crypto.randomBytes(4).toString('hex')}`;
  const url = new URL(BENCH_PG_URL);
  const env = { ...process.env, PGHOST: url.hostname, PGPORT: url.port || '5432', PGUSER: decodeURIComponent(url.username) || 'postgres' };
  if (url.password) Object.assign(env, { PGPASSWORD: decodeURIComponent(url.password) });
  execFileSync('createdb', [name], { env });
  try {
    execFileSync('pgbench', ['-i', '-q', name], { env, stdio: 'ignore' });
    const out = execFileSync('pgbench', ['-T', '20', '-c', '4', '-j', '2', name], { env, encoding: 'utf8' });
    const match = /tps = ([\d.]+)/.exec(out);
    if (!match) throw new Error(`pgbench said: ${out}`);
    return Number(match[1]);
  } finally {
    execFileSync('dropdb', ['--if-exists', '--force', name], { env });
  }
}

export async function interactionLettersScenario(args: string[]) {
  const options = parse(args);
  await withData(options, async (server) => {
    const tps = pgbenchTps();
    console.log(`pgbench TPC-B, scale 1, 4 clients, 20 s, on a scratch database: ${tps.toFixed(0)} TPS`);
    const platform = server.platform;
    const connections = 4;
    const durationMs = 20_000;
    const runId = crypto.randomBytes(3).toString('hex');
    const letter = (n: number) => ({
      channel: 'mayor_mailbox' as const,
      title: `关于${runId}号第${n}封来信`,
      body: `尊敬的市长：我家附近的道路在第${n}号路段有坑洼，雨天积水严重，希望尽快修复。`.repeat(3),
      name: '王小明',
      phone: `139${String(n).padStart(8, '0')}`,
      isPublic: n % 2 === 0,
    });
    const probe = await fetch(`${server.baseUrl}/api/v1/public/letters`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(letter(0)) });
    await probe.arrayBuffer();
    const viaHttp = probe.status !== 404 && probe.status !== 405;
    if (viaHttp && probe.status !== 201 && probe.status !== 200) throw new Error(`POST /api/v1/public/letters: ${probe.status}`);
    let next = 1;
    const latencies: number[] = [];
    const failures: Record<string, number> = {};
    const end = performance.now() + durationMs;
    const [pgCpu0, nodeCpu0] = [postgresCpuMs(), process.cpuUsage()];
    const start = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < end) {
          const n = next++;
          const t = performance.now();
          try {
            if (viaHttp) {
              const from = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
              const res = await fetch(`${server.baseUrl}/api/v1/public/letters`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify(letter(n)) });
              await res.arrayBuffer();
              if (res.status !== 201) throw new Error(String(res.status));
            } else {
              await inTransaction(platform.db, SYSTEM_ACTOR, (work) => receiveCase(work, platform, letter(n)));
            }
            latencies.push(performance.now() - t);
          } catch (error) {
            const key = String((error as Error).message).slice(0, 80);
            failures[key] = (failures[key] ?? 0) + 1;
          }
        }
      }),
    );
    const elapsed = performance.now() - start;
    const pgCpu = postgresCpuMs();
    const nodeCpu = process.cpuUsage(nodeCpu0);
    const rate = latencies.length / (elapsed / 1000);
    const outbox = await sql<{ n: number }>`select count(*)::int as n from interaction_cases where title like ${`关于${runId}号%`}`.execute(platform.db);
    summary(`letters accepted (${viaHttp ? 'POST /api/v1/public/letters' : 'the route is not there yet: receiveCase in a transaction, as the route will run it'}), ${connections} concurrent`, latencies, '—');
    const perLetter = (ms: number) => (ms / Math.max(1, latencies.length)).toFixed(1);
    console.log(
      `  CPU per letter: Node ${perLetter((nodeCpu.user + nodeCpu.system) / 1000)} ms${pgCpu !== null && pgCpu0 !== null ? `, PostgreSQL ${perLetter(pgCpu - pgCpu0)} ms (all of the server's processes, other work on it included)` : ''}`,
    );
    console.log(`letters: ${latencies.length} in ${seconds(elapsed)} = ${rate.toFixed(0)}/s, ${Number(outbox.rows[0].n)} cases written, failures ${JSON.stringify(failures)}; ${(rate / tps).toFixed(2)} × pgbench (budget ≥ 0.2 × ${tps.toFixed(0)} = ${(0.2 * tps).toFixed(0)}/s)`);
  });
}
