/**
 * Document exchange (公文交换) on PostgreSQL, against the routes of the contract (shared/API.md):
 * - exchange-fanout: one signed-off document sent to 1,000 units (POST …/documents/:id/send), budget < 1 s;
 * - exchange-inbox: over 1,100,000 receipts, a unit's inbox first page (p95 < 30 ms) and the
 *   sender's receipt matrix of a 1,000-unit document (p95 < 100 ms);
 * - exchange-signfor: 1,000 concurrent sign-fors from 1,000 units' clerks, all succeed, none lost (< 5 s);
 * - exchange-stats: the data generator's time and the statistics of a year over the 1,100,000 receipts.
 * Options: --receipts N (default 1,100,000), --units N (default 1,100), --db NAME (keep and reuse the data).
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { benchServer, machine, percentile } from '../support.ts';
import { seedExchangeDocuments, seedExchangeUnits, type ExchangeBenchData } from '../exchange-data.ts';
import { unitPublicKey } from '../../src/platform/crypto/signing.ts';
import { computeExchangeStats, statsPeriod } from '../../src/modules/exchange/queries/stats.ts';
import { receiptSubject } from '../../src/modules/exchange/supervised-subject.ts';
import { shanghaiDate, workingDays } from '../../src/platform/calendar/index.ts';

interface Options {
  receipts: number;
  units: number;
  db?: string;
}

function parse(args: string[]): Options {
  const options: Options = { receipts: 1_100_000, units: 1_100 };
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    if (name === '--receipts') options.receipts = Number(value);
    else if (name === '--units') options.units = Number(value);
    else if (name === '--db') options.db = value;
    else throw new Error(`unknown option ${name} (options: --receipts N, --units N, --db NAME)`);
  }
  if (!Number.isInteger(options.receipts) || options.receipts < 2_000) throw new Error('--receipts: a whole number of at least 2000');
  if (!Number.isInteger(options.units) || options.units < 1_001) throw new Error('--units: at least 1001 (a 1,000-unit document and its sender)');
  return options;
}

interface Request {
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
}

// A client in a worker thread (node:http, keep-alive), so the server's event loop is not shared with it.
const CLIENT = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const agent = new http.Agent({ keepAlive: true, maxSockets: workerData.connections });
function send(url, r) {
  return new Promise((resolve, reject) => {
    const headers = { authorization: 'Bearer ' + r.token };
    if (r.body !== undefined) { headers['content-type'] = 'application/json'; headers['content-length'] = Buffer.byteLength(r.body); }
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
  const { baseUrl, requests, connections } = workerData;
  const latencies = new Array(requests.length);
  const statuses = {};
  const samples = {};
  let next = 0;
  const start = performance.now();
  async function loop() {
    for (;;) {
      const i = next++;
      if (i >= requests.length) return;
      const t = performance.now();
      let status;
      try {
        const res = await send(baseUrl + requests[i].path, requests[i]);
        status = String(res.status);
        if (!status.startsWith('2') && !samples[status]) samples[status] = res.text.slice(0, 300);
      } catch (error) {
        status = 'error';
        if (!samples[status]) samples[status] = String(error);
      }
      latencies[i] = performance.now() - t;
      statuses[status] = (statuses[status] || 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: connections }, loop));
  agent.destroy();
  parentPort.postMessage({ latencies, statuses, elapsedMs: performance.now() - start, samples });
})();
`;

function load(baseUrl: string, requests: Request[], connections: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLIENT, { eval: true, workerData: { baseUrl, requests, connections } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

function report(label: string, result: LoadResult, budget: string) {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  console.log(
    `${label}: n=${sorted.length} p50=${percentile(sorted, 50).toFixed(1)} ms p95=${percentile(sorted, 95).toFixed(1)} ms p99=${percentile(sorted, 99).toFixed(1)} ms max=${sorted[sorted.length - 1].toFixed(1)} ms, statuses ${JSON.stringify(result.statuses)} (budget ${budget})`,
  );
  for (const [status, sample] of Object.entries(result.samples)) console.log(`  ${status}: ${sample}`);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function withData(options: Options, withDocuments: boolean, run: (server: Awaited<ReturnType<typeof benchServer>>, data: ExchangeBenchData) => Promise<void>) {
  const server = await benchServer({ database: options.db });
  try {
    const t = performance.now();
    const units = await seedExchangeUnits(server.platform, options.units);
    console.log(`${options.units} units with a clerk each (accounts, roles, tokens) in ${seconds(performance.now() - t)}`);
    const existing = Number((await sql<{ n: number }>`select count(*)::int as n from exchange_receipts`.execute(server.platform.db)).rows[0].n);
    let documents = { matrixDocumentId: 'xd-matrix', documents: 0, receipts: existing };
    if (withDocuments && existing === 0) {
      const t2 = performance.now();
      documents = await seedExchangeDocuments(server.platform, { units: options.units, receipts: options.receipts, matrixUnits: 1_000, perDocument: 10, log: console.log });
      console.log(`generated ${documents.documents.toLocaleString('en')} documents and ${documents.receipts.toLocaleString('en')} receipts in ${seconds(performance.now() - t2)}`);
    } else if (withDocuments) console.log(`reusing ${existing.toLocaleString('en')} receipts of database ${options.db}`);
    await run(server, { ...units, ...documents });
    console.log(`machine: ${machine()}`);
  } finally {
    await server.close();
  }
}

/** The statistics of one year (every unit, and one unit) over the generated receipts, timed. */
export async function exchangeStatsScenario(args: string[]) {
  const options = parse(args);
  await withData(options, true, async (server, data) => {
    const db = server.platform.db;
    const now = server.platform.clock.now();
    const today = shanghaiDate(now);
    const year = statsPeriod(workingDays.addCalendarDays(today, -364), today);
    for (const [label, unitIds] of [
      ['every unit', null],
      ['one unit', [data.unitIds[7]]],
    ] as const) {
      const samples: number[] = [];
      let rows = 0;
      let received = 0;
      for (let i = 0; i < 6; i++) {
        const t = performance.now();
        const items = await computeExchangeStats(db, year, unitIds as string[] | null, now);
        if (i > 0) samples.push(performance.now() - t);
        rows = items.length;
        received = items.reduce((sum, item) => sum + item.received, 0);
      }
      samples.sort((a, b) => a - b);
      console.log(`statistics of one year, ${label} (${rows} rows, ${received.toLocaleString('en')} receipts): p50=${percentile(samples, 50).toFixed(1)} ms max=${samples[samples.length - 1].toFixed(1)} ms`);
    }
    // What supervision asks the receipts subject (its statistics count the answered receipts themselves, no roll-up).
    const timed = async (label: string, fn: () => Promise<unknown[]>) => {
      const t = performance.now();
      const rows = await fn();
      console.log(`supervision, ${label}: ${(performance.now() - t).toFixed(1)} ms (${rows.length} rows)`);
    };
    await timed('finished receipts of a year per unit', () => receiptSubject.finishedStepTotals(db, { fromDay: year.from, toDay: year.to, unitIds: null }, 'unit'));
    await timed('open counts per unit', () => receiptSubject.openCounts(db, null));
    await timed('20 longest waiting', () => receiptSubject.longestWaitingSteps(db, 20, null));
    await timed('receipts at risk by tomorrow', () => receiptSubject.openStepsAtRisk(db, [{ minDays: 1, maxDays: 1, dueBy: workingDays.addCalendarDays(today, 1) }], {}));
  });
}

/** A unit's inbox first page and the sender's receipt matrix of the 1,000-unit document. */
export async function exchangeInboxScenario(args: string[]) {
  const options = parse(args);
  await withData(options, true, async (server, data) => {
    const units = data.unitIds;
    const inbox: Request[] = Array.from({ length: 400 }, (_, i) => ({ method: 'GET', path: '/api/v1/exchange/inbox', token: data.clerkTokens.get(units[(i * 37) % units.length])! }));
    await load(server.baseUrl, inbox.slice(0, 50), 1);
    report(`inbox first page of a unit's clerk over ${data.receipts.toLocaleString('en')} receipts, one connection`, await load(server.baseUrl, inbox, 1), 'p95 < 30 ms');
    report('  the same at 8 connections', await load(server.baseUrl, inbox, 8), 'p95 < 30 ms');
    const matrix: Request[] = Array.from({ length: 100 }, () => ({ method: 'GET', path: `/api/v1/exchange/documents/${data.matrixDocumentId}/receipts`, token: data.clerkTokens.get(units[0])! }));
    await load(server.baseUrl, matrix.slice(0, 10), 1);
    report('receipt matrix of a 1,000-unit document (sender)', await load(server.baseUrl, matrix, 1), 'p95 < 100 ms');
  });
}

/** Sends signed-off documents to 1,000 units each, one at a time, and checks every recipient has it. */
export async function exchangeFanoutScenario(args: string[]) {
  const options = parse(args);
  await withData(options, false, async (server, data) => {
    const db = server.platform.db;
    const recipients = data.unitIds.slice(1, 1_001);
    const now = server.platform.clock.now();
    const runs: number[] = [];
    for (let run = 0; run < 6; run++) {
      const id = `xf-${Date.now().toString(36)}-${run}`;
      await sql`
        insert into exchange_documents (id, sending_unit_id, drafted_by, state, issuing_authority, doc_number, title, body, main_recipient_ids, written_date, created_at, updated_at)
        values (${id}, ${data.unitIds[0]}, 'bench', 'signed_off', '基准单位0', ${`基准发〔2026〕${id}号`}, '关于全市工作的通知', '<p>正文</p>', ${JSON.stringify(recipients)}::jsonb,
                ${shanghaiDate(now)}::date, ${now}, ${now})`.execute(db);
      const result = await load(server.baseUrl, [{ method: 'POST', path: `/api/v1/exchange/documents/${id}/send`, token: data.clerkTokens.get(data.unitIds[0])!, body: '{}' }], 1);
      const delivered = Number((await sql<{ n: number }>`select count(*)::int as n from exchange_receipts where document_id = ${id}`.execute(db)).rows[0].n);
      console.log(`send ${run + 1} to ${recipients.length} units: ${result.latencies[0].toFixed(1)} ms, status ${Object.keys(result.statuses).join()}, receipts written ${delivered}${Object.keys(result.samples).length ? ` ${JSON.stringify(result.samples)}` : ''}`);
      if (run > 0) runs.push(result.latencies[0]);
    }
    runs.sort((a, b) => a - b);
    console.log(`send to 1,000 units (runs 2–6): p50=${percentile(runs, 50).toFixed(1)} ms max=${runs[runs.length - 1].toFixed(1)} ms (budget < 1 s)`);
  });
}

/** 1,000 concurrent sign-fors of one document's receipts, each by its own unit's clerk. */
export async function exchangeSignforScenario(args: string[]) {
  const options = parse(args);
  await withData(options, false, async (server, data) => {
    const db = server.platform.db;
    const recipients = data.unitIds.slice(1, 1_001);
    // The units' signing keys are made beforehand, as they are for a unit that has signed before.
    const t = performance.now();
    for (const unit of recipients) await unitPublicKey(db, server.platform, unit);
    console.log(`signing keys of ${recipients.length} units in ${seconds(performance.now() - t)}`);
    const id = `xs-${Date.now().toString(36)}`;
    const now = server.platform.clock.now();
    // Sent by the first unit's clerk: each sign-for tells the sender (an account, as in real use).
    const sender = (await sql<{ id: string }>`select id from users where unit_id = ${data.unitIds[0]} order by username limit 1`.execute(db)).rows[0]!.id;
    await sql`
      insert into exchange_documents (id, sending_unit_id, drafted_by, state, issuing_authority, doc_number, title, body, main_recipient_ids, written_date, content_hash, sent_at, sent_by, created_at, updated_at)
      values (${id}, ${data.unitIds[0]}, ${sender}, 'sent', '基准单位0', ${`基准发〔2026〕${id}号`}, '关于全市工作的通知', '<p>正文</p>', ${JSON.stringify(recipients)}::jsonb,
              ${shanghaiDate(now)}::date, md5(${id}), ${now}, ${sender}, ${now}, ${now})`.execute(db);
    await sql`
      insert into exchange_receipts (id, document_id, unit_id, copy_kind, state, delivered_at, chase_at)
      select ${id} || '-' || u, ${id}, u, 'main', 'delivered', ${now}, ${now}::timestamptz + interval '1 day' from unnest(${recipients}::text[]) u`.execute(db);
    const requests: Request[] = recipients.map((unit) => ({ method: 'POST', path: `/api/v1/exchange/receipts/${id}-${unit}/sign`, token: data.clerkTokens.get(unit)!, body: '{}' }));
    const result = await load(server.baseUrl, requests, 1_000);
    report('1,000 concurrent sign-fors from 1,000 units', result, 'all within 5 s');
    const signed = Number((await sql<{ n: number }>`select count(*)::int as n from exchange_receipts where document_id = ${id} and state = 'signed' and signed_at is not null`.execute(db)).rows[0].n);
    console.log(`total ${seconds(result.elapsedMs)}; receipts signed in the database: ${signed} of ${recipients.length} (none may be lost)`);
  });
}
