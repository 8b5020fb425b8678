import crypto from 'node:crypto';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { sql } from 'kysely';
import { BENCH_PG_URL, benchServer, machine, percentile, postgresCpuMs, threadCpuMs } from '../support.ts';
import { BENCH_FIELD_KEY, generateDataset, hasDataset, loadDataset, type ApprovalDataset, type BenchStaff } from '../approval-data.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../src/platform/db/work.ts';
import { createApiToken } from '../../src/platform/iam/index.ts';
import { creditCheckChar, idCheckChar } from '../../src/platform/org/codes.ts';

type Server = Awaited<ReturnType<typeof benchServer>>;
export type ApprovalPart = 'inbox' | 'case' | 'complete' | 'submit';

interface Options {
  cases: number;
  database?: string;
  signed: number;
  requests?: number;
  connections?: number;
}

function parseOptions(args: string[]): Options {
  const options: Options = { cases: 1_000_000, signed: 10_000 };
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1];
    switch (args[i]) {
      case '--cases':
        options.cases = Number(value);
        break;
      case '--db':
        options.database = value;
        break;
      case '--signed':
        options.signed = Number(value);
        break;
      case '--requests':
        options.requests = Number(value);
        break;
      case '--connections':
        options.connections = Number(value);
        break;
      default:
        throw new Error(`unknown option ${args[i]} (options: --cases N, --db NAME to keep and reuse the data, --signed N, --requests N, --connections N)`);
    }
    i += 1;
  }
  if (!Number.isInteger(options.cases) || options.cases < 1000) throw new Error('--cases: a whole number of at least 1000');
  return options;
}

// ---------------------------------------------------------------- load generator

interface RequestSpec {
  method: string;
  path: string;
  token: string;
  body?: string;
}
interface LoadResult {
  latencies: number[];
  statuses: Record<string, number>;
  elapsedMs: number;
  samples: Record<string, string>;
  bodies: string[];
}

// Runs in a worker thread: the server's event loop in the main thread is not shared with the client.
const CLIENT = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
// node:http with a keep-alive agent: a lighter client than fetch, which shares the server's cores.
const agent = new http.Agent({ keepAlive: true, maxSockets: workerData.connections });
function send(url, r) {
  return new Promise((resolve, reject) => {
    const headers = { authorization: 'Bearer ' + r.token };
    if (r.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(r.body);
    }
    const req = http.request(url, { method: r.method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(r.body);
  });
}
(async () => {
  const { baseUrl, requests, connections, keepBodies } = workerData;
  const latencies = new Array(requests.length);
  const statuses = {};
  const samples = {};
  const bodies = keepBodies ? new Array(requests.length) : [];
  let next = 0;
  const start = performance.now();
  async function loop() {
    for (;;) {
      const i = next++;
      if (i >= requests.length) return;
      const r = requests[i];
      const t = performance.now();
      let status;
      let text = '';
      try {
        const res = await send(baseUrl + r.path, r);
        text = res.text;
        status = String(res.status);
      } catch (error) {
        status = 'error';
        text = String(error);
      }
      latencies[i] = performance.now() - t;
      statuses[status] = (statuses[status] || 0) + 1;
      if (!status.startsWith('2') && !samples[status]) samples[status] = text.slice(0, 300);
      if (keepBodies) bodies[i] = text;
    }
  }
  await Promise.all(Array.from({ length: connections }, loop));
  agent.destroy();
  parentPort.postMessage({ latencies, statuses, elapsedMs: performance.now() - start, samples, bodies });
})();
`;

// Statements sent to PostgreSQL by this process (the server's pool): counted around each run.
let statements = 0;
const sendQuery = pg.Client.prototype.query;
// ZT_BENCH_TRACE=1 prints every statement's text (with a small --requests, to see what a request sends).
const trace = process.env.ZT_BENCH_TRACE === '1';
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements += 1;
  if (trace) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
    console.log(`SQL ${String(text).replace(/\s+/g, ' ').slice(0, 220)}`);
  }
  return (sendQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

/**
 * Runs the requests from a worker thread with `connections` at once. Also measures the server's
 * main thread: how busy its event loop was (1 = always) and the process's CPU time per request.
 */
async function runLoad(baseUrl: string, requests: RequestSpec[], connections: number, keepBodies = false): Promise<LoadResult & { busy: number; cpuMsPerRequest: number; systemMsPerRequest: number; postgresMsPerRequest: number | null; mainMsPerRequest: number | null; statementsPerRequest: number }> {
  const elu = performance.eventLoopUtilization();
  const postgresBefore = postgresCpuMs();
  const mainBefore = threadCpuMs();
  const cpu = process.cpuUsage();
  const before = statements;
  const result = await new Promise<LoadResult>((resolve, reject) => {
    const worker = new Worker(CLIENT, { eval: true, workerData: { baseUrl, requests, connections, keepBodies } });
    worker.once('message', (message: LoadResult) => {
      void worker.terminate();
      resolve(message);
    });
    worker.once('error', reject);
  });
  const used = process.cpuUsage(cpu);
  const postgresAfter = postgresCpuMs();
  const mainAfter = threadCpuMs();
  const mainMsPerRequest = mainBefore === null || mainAfter === null ? null : (mainAfter - mainBefore) / requests.length;
  const postgresMsPerRequest = postgresBefore === null || postgresAfter === null ? null : (postgresAfter - postgresBefore) / requests.length;
  return { ...result, postgresMsPerRequest, mainMsPerRequest, busy: performance.eventLoopUtilization(elu).utilization, cpuMsPerRequest: (used.user + used.system) / 1000 / requests.length, systemMsPerRequest: used.system / 1000 / requests.length, statementsPerRequest: (statements - before) / requests.length };
}

/** How loaded the server process was during a run (the client thread's CPU is included). */
const loadLine = (result: { busy: number; cpuMsPerRequest: number; systemMsPerRequest: number; postgresMsPerRequest: number | null; mainMsPerRequest: number | null; statementsPerRequest: number }) =>
  `${result.statementsPerRequest.toFixed(1)} SQL statements per request, server event loop busy ${(100 * result.busy).toFixed(0)}%, process CPU ${result.cpuMsPerRequest.toFixed(1)} ms per request (${result.systemMsPerRequest.toFixed(1)} ms of it in the kernel` +
  (result.mainMsPerRequest === null ? ')' : `; the server's main thread ${result.mainMsPerRequest.toFixed(1)} ms)`) +
  (result.postgresMsPerRequest === null ? '' : `, PostgreSQL CPU ${result.postgresMsPerRequest.toFixed(1)} ms per request`);

function latencyLine(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return `n=${sorted.length} p50=${percentile(sorted, 50).toFixed(1)} ms p95=${percentile(sorted, 95).toFixed(1)} ms p99=${percentile(sorted, 99).toFixed(1)} ms`;
}

function statusLine(result: LoadResult) {
  const parts = Object.entries(result.statuses).map(([status, n]) => `${status}: ${n}`);
  const problems = Object.entries(result.samples).map(([status, text]) => `\n    first ${status}: ${text}`);
  return `${parts.join(', ')}; load average ${os.loadavg()[0].toFixed(1)}${problems.join('')}`;
}

function shuffle<T>(list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = crypto.randomInt(i + 1);
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

// ---------------------------------------------------------------- dataset

/** A kept database without a complete dataset (an interrupted generation) is dropped first. */
async function dropIncomplete(database: string) {
  const admin = new pg.Client({ connectionString: BENCH_PG_URL });
  await admin.connect();
  try {
    if ((await admin.query('select 1 from pg_database where datname = $1', [database])).rowCount !== 1) return;
    const url = new URL(BENCH_PG_URL);
    url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const complete = (await client.query(`select 1 from information_schema.tables where table_name = 'bench_approval_info'`)).rowCount === 1;
    await client.end();
    if (!complete) {
      console.log(`database ${database} holds no complete dataset: dropping it`);
      await admin.query(`drop database ${database} with (force)`);
    }
  } finally {
    await admin.end();
  }
}

async function withDataset(options: Options, run: (server: Server, dataset: ApprovalDataset) => Promise<void>) {
  if (options.database) await dropIncomplete(options.database);
  const server = await benchServer({ database: options.database, env: { ZT_FIELD_KEY: BENCH_FIELD_KEY } });
  try {
    let dataset: ApprovalDataset;
    if (await hasDataset(server.platform)) {
      dataset = await loadDataset(server.platform);
      console.log(`using the dataset of ${dataset.cases.toLocaleString('en')} cases kept in ${options.database}`);
    } else {
      dataset = await generateDataset(server, { cases: options.cases, signed: options.signed });
    }
    const counts = await sql<{ cases: number; open: number; tasks: number }>`
      select (select count(*)::int from approval_applications) as cases,
             (select count(*)::int from approval_applications where state in ('submitted', 'accepted', 'correction_requested', 'in_review')) as open,
             (select count(*)::int from flow_tasks where state = 'open') as tasks`.execute(server.platform.db);
    const c = counts.rows[0];
    console.log(`database: ${c.cases.toLocaleString('en')} cases, ${c.open.toLocaleString('en')} open, ${c.tasks.toLocaleString('en')} open tasks; ${dataset.units.length} units, ${dataset.items.length} items, ${dataset.staff.length} staff`);
    await calibrate(server, dataset);
    await run(server, dataset);
    await calibrate(server, dataset);
    console.log(`machine: ${machine()} (load generator in a worker thread of the same process; PostgreSQL on the same machine); load average now ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await server.close();
  }
}

async function tokensFor(server: Server, members: BenchStaff[]): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const member of members) {
    if (!tokens.has(member.id)) tokens.set(member.id, (await inTransaction(server.platform.db, SYSTEM_ACTOR, (work) => createApiToken(work, server.platform, member.id, 'bench', 1))).token);
  }
  return tokens;
}

/**
 * The latency of the cheapest authenticated request (GET /api/v1/me: one indexed query) on the same
 * server, before and after the scenario: what the machine adds to every figure at the moment.
 */
async function calibrate(server: Server, dataset: ApprovalDataset) {
  const members = dataset.staff.slice(0, 20);
  const tokens = await tokensFor(server, members);
  const list = Array.from({ length: 300 }, (_, i) => ({ method: 'GET', path: '/api/v1/me', token: tokens.get(members[i % members.length].id)! }));
  await runLoad(server.baseUrl, list.slice(0, 50), 1);
  const result = await runLoad(server.baseUrl, list, 1);
  console.log(`calibration, GET /api/v1/me sequential: ${latencyLine(result.latencies)}; ${loadLine(result)} (client thread included); ${statusLine(result)}`);
}

const holders = (dataset: ApprovalDataset, role: BenchStaff['role']) => dataset.staff.filter((s) => s.role === role);

// ---------------------------------------------------------------- scenarios

/** An approver's (and a window clerk's) inbox, first page: GET /api/v1/tasks?mine=true. */
async function inbox(server: Server, dataset: ApprovalDataset, options: Options) {
  const requests = options.requests ?? 1000;
  for (const role of ['approver', 'window_clerk'] as const) {
    const members = holders(dataset, role);
    const tokens = await tokensFor(server, members);
    const list = (n: number): RequestSpec[] => Array.from({ length: n }, () => ({ method: 'GET', path: '/api/v1/tasks?mine=true', token: tokens.get(members[crypto.randomInt(members.length)].id)! }));
    await runLoad(server.baseUrl, list(200), 4);
    const sequential = await runLoad(server.baseUrl, list(requests), 1, true);
    const sizes = sequential.bodies.map((b) => (JSON.parse(b) as { items: unknown[] }).items?.length ?? 0);
    const average = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    console.log(`inbox first page (${role}, ${members.length} accounts, sequential): ${latencyLine(sequential.latencies)}; ${average.toFixed(1)} tasks per page; ${loadLine(sequential)}; ${statusLine(sequential)} (budget p95 < 30 ms)`);
    const connections = options.connections ?? 8;
    const parallel = await runLoad(server.baseUrl, list(requests * 2), connections);
    console.log(`inbox first page (${role}, ${connections} connections): ${((requests * 2) / (parallel.elapsedMs / 1000)).toFixed(0)} req/s, ${latencyLine(parallel.latencies)}; ${loadLine(parallel)}; ${statusLine(parallel)}`);
  }
}

/** A case page, GET /api/v1/approval/applications/:id, over random cases, as an approver of its unit. */
async function casePage(server: Server, dataset: ApprovalDataset, options: Options) {
  const requests = options.requests ?? 1000;
  const approvers = holders(dataset, 'approver');
  const byUnit = new Map<string, BenchStaff[]>();
  for (const a of approvers) byUnit.set(a.unitId, [...(byUnit.get(a.unitId) ?? []), a]);
  const tokens = await tokensFor(server, approvers);
  const picked = await sql<{ id: string; unit_id: string; state: string }>`
    select id, unit_id, state from approval_applications order by random() limit ${requests + 200}`.execute(server.platform.db);
  const specs = picked.rows.map((row) => {
    const candidates = byUnit.get(row.unit_id) ?? approvers;
    return { method: 'GET', path: `/api/v1/approval/applications/${row.id}`, token: tokens.get(candidates[crypto.randomInt(candidates.length)].id)!, state: row.state };
  });
  await runLoad(server.baseUrl, specs.slice(0, 200), 4);
  const measured = specs.slice(200);
  const sequential = await runLoad(server.baseUrl, measured, 1);
  const open = measured.map((s, i) => (['approved', 'rejected', 'withdrawn'].includes(s.state) ? -1 : sequential.latencies[i])).filter((x) => x >= 0);
  console.log(`case page (random cases, approver of the case's unit, sequential): ${latencyLine(sequential.latencies)}; of them open cases: ${latencyLine(open)}; ${loadLine(sequential)}; ${statusLine(sequential)} (budget p95 < 50 ms)`);
  const connections = options.connections ?? 8;
  const parallel = await runLoad(server.baseUrl, measured, connections);
  console.log(`case page (${connections} connections): ${(measured.length / (parallel.elapsedMs / 1000)).toFixed(0)} req/s, ${latencyLine(parallel.latencies)}; ${loadLine(parallel)}; ${statusLine(parallel)}`);
}

/**
 * Completing open tasks: POST /api/v1/tasks/:id/complete (accept at acceptance, approve at review
 * steps), one task per case, many in parallel connections, each by a holder of the step's role in
 * the step's unit (never the clerk who filed the case).
 */
async function completeTasks(server: Server, dataset: ApprovalDataset, options: Options) {
  const total = options.requests ?? 4000;
  const warm = options.requests !== undefined && options.requests < 200 ? 0 : 200;
  const open = await sql<{ id: string; step_key: string; role: string; unit_id: string; submitted_by: string | null }>`
    select distinct on (a.id) t.id, t.step_key, t.role, t.unit_id, a.submitted_by
      from flow_tasks t join flow_instances i on i.id = t.instance_id join approval_applications a on a.flow_instance_id = i.id
     where t.state = 'open' and t.assignee is null and i.status = 'running'
     order by a.id, t.id`.execute(server.platform.db);
  const tasks = shuffle(open.rows).slice(0, total + warm);
  if (tasks.length < total + warm) console.log(`only ${tasks.length} open tasks on running cases`);
  const byUnitRole = new Map<string, BenchStaff[]>();
  for (const s of dataset.staff) byUnitRole.set(`${s.unitId}/${s.role}`, [...(byUnitRole.get(`${s.unitId}/${s.role}`) ?? []), s]);
  const tokens = await tokensFor(server, dataset.staff);
  const specs: RequestSpec[] = tasks.map((task) => {
    const able = (byUnitRole.get(`${task.unit_id}/${task.role}`) ?? []).filter((s) => s.id !== task.submitted_by);
    const member = able[crypto.randomInt(able.length)];
    const body = task.step_key === 'accept' ? { action: 'accept' } : { action: 'approve', opinion: '同意。' };
    return { method: 'POST', path: `/api/v1/tasks/${task.id}/complete`, token: tokens.get(member.id)!, body: JSON.stringify(body) };
  });
  const connections = options.connections ?? 16;
  await runLoad(server.baseUrl, specs.slice(0, warm), connections);
  const measured = specs.slice(warm);
  const result = await runLoad(server.baseUrl, measured, connections, true);
  const ok = result.statuses['200'] ?? 0;
  const finals = result.bodies.filter((b) => b.includes('"state":"approved"')).length;
  const accepts = measured.filter((s) => s.body!.includes('"accept"')).length;
  console.log(
    `complete tasks (${connections} connections, ${measured.length} distinct tasks: ${accepts} acceptances, ${measured.length - accepts} review approvals of which ${finals} final with a certificate): ` +
      `${(ok / (result.elapsedMs / 1000)).toFixed(0)} tasks/s, ${latencyLine(result.latencies)}; ${loadLine(result)}; ${statusLine(result)} (budget > 500 tasks/s)`,
  );
}

function idNumber(n: number): string {
  const first17 = `330108${1970 + (n % 40)}${String((n % 12) + 1).padStart(2, '0')}${String((n % 28) + 1).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}
function creditCode(n: number): string {
  const first17 = `91330108${String(200000000 + n).slice(-9)}`;
  return first17 + creditCheckChar(first17);
}

/**
 * Submitting applications at a window: POST /api/v1/approval/applications through window clerks'
 * bearer tokens, every one with a distinct applicant and its own uploaded materials (file rows
 * made beforehand, as POST /api/v1/files leaves them).
 */
async function submitApplications(server: Server, dataset: ApprovalDataset, options: Options) {
  const total = options.requests ?? 3000;
  const warm = options.requests !== undefined && options.requests < 200 ? 0 : 200;
  const clerks = new Map<string, BenchStaff>();
  for (const s of holders(dataset, 'window_clerk')) if (!clerks.has(s.unitId)) clerks.set(s.unitId, s);
  const tokens = await tokensFor(server, [...clerks.values()]);
  const blob = (await sql<{ sm3: string; size: number; mime: string }>`select sm3, size, mime from files limit 1`.execute(server.platform.db)).rows[0];
  const base = 500_000 + crypto.randomInt(400_000);
  const files: Array<[string, string]> = [];
  const specs: RequestSpec[] = [];
  for (let i = 0; i < total + warm; i++) {
    const item = dataset.items[i % dataset.items.length];
    const clerk = clerks.get(item.unitId)!;
    const materials = item.materials
      .filter((m) => m.required)
      .map((m) => {
        const fileId = crypto.randomUUID();
        files.push([fileId, clerk.id]);
        return { materialKey: m.key, fileId };
      });
    const n = base + i;
    const applicant = i % 10 === 9 ? { kind: 'enterprise', name: `基准${n}有限公司`, creditCode: creditCode(n), phone: `137${String(n).padStart(8, '0')}` } : { kind: 'person', name: `申请人${n}`, idNumber: idNumber(n), phone: `137${String(n).padStart(8, '0')}` };
    const body = { itemId: item.id, channel: 'window', applicant, form: { projectName: `基准项目${n}`, area: 100 + (n % 900), category: '新办' }, materials };
    specs.push({ method: 'POST', path: '/api/v1/approval/applications', token: tokens.get(clerk.id)!, body: JSON.stringify(body) });
  }
  const now = server.platform.clock.now();
  for (let start = 0; start < files.length; start += 5000) {
    const part = files.slice(start, start + 5000);
    await sql`
      insert into files (id, sm3, size, mime, name, uploaded_by, uploaded_at)
      select f.id, ${blob.sm3}, ${blob.size}, ${blob.mime}, '材料.pdf', f.uploaded_by, ${now}
        from unnest(${part.map((f) => f[0])}::text[], ${part.map((f) => f[1])}::text[]) as f(id, uploaded_by)`.execute(server.platform.db);
  }
  const connections = options.connections ?? 16;
  await runLoad(server.baseUrl, specs.slice(0, warm), connections);
  const measured = specs.slice(warm);
  const result = await runLoad(server.baseUrl, measured, connections);
  const ok = result.statuses['201'] ?? 0;
  console.log(`submit applications (window clerks of ${clerks.size} units, ${connections} connections, ${measured.length} distinct applicants over ${dataset.items.length} items): ${(ok / (result.elapsedMs / 1000)).toFixed(0)} submissions/s, ${latencyLine(result.latencies)}; ${loadLine(result)}; ${statusLine(result)} (budget > 300/s)`);
}

const PARTS: Record<ApprovalPart, (server: Server, dataset: ApprovalDataset, options: Options) => Promise<void>> = {
  inbox,
  case: casePage,
  complete: completeTasks,
  submit: submitApplications,
};

/** Runs the named parts in order on one dataset (generated first unless kept with --db). */
export async function approvalScenario(parts: ApprovalPart[], args: string[]) {
  const options = parseOptions(args);
  await withDataset(options, async (server, dataset) => {
    for (const part of parts) await PARTS[part](server, dataset, options);
  });
}
