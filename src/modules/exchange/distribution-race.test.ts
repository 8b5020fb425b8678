/**
 * Distribution and receipt under load and concurrency, on PostgreSQL only (the embedded database
 * runs one statement at a time and cannot be shared with a child process): a 1,000-unit send,
 * 1,000 concurrent sign-fors, two clerks of one unit at once, recall racing a sign-for, and a
 * send killed halfway.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { createTestContext, makeUnit, makeUser, seedRegions, bearer, TEST_PG_URL, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { sql } from '../../platform/db/index.ts';
import type { Unit } from '../../platform/org/service.ts';
import { insertSignedOffDocument } from './testing.ts';

const skip = TEST_PG_URL ? false : 'needs PostgreSQL (ZT_TEST_DATABASE_URL)';
const UNITS = 1000;

let ctx: TestContext;
let office: Unit;
let sender: TestUser;
let regionClerk: TestUser;
let unitIds: string[] = [];

before(async () => {
  if (!TEST_PG_URL) return;
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
  office = await makeUnit(ctx.platform, '测试市人民政府办公室', '990100', 'government');
  sender = await makeUser(ctx.platform, office.id, ['doc_clerk']);
  unitIds = Array.from({ length: UNITS }, () => crypto.randomUUID());
  await sql`insert into units (id, name, region_code, kind) select * from unnest(${unitIds}::text[], ${unitIds.map((_, i) => `甲镇第${i}村委会`)}::text[], ${unitIds.map(() => '990102001')}::text[], ${unitIds.map(() => 'village')}::text[])`.execute(ctx.platform.db);
  // A clerk of every unit of the county (a region-scoped role): signs for each of them.
  regionClerk = await makeUser(ctx.platform, office.id, [{ role: 'doc_clerk', scope: { regionCode: '990102' } }]);
});
after(() => ctx?.close());

const count = async (table: string, where = 'true') => (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${sql.raw(where)}`.execute(ctx.platform.db)).rows[0].n;
const send = (id: string) => ctx.app.inject({ method: 'POST', url: `/api/v1/exchange/documents/${id}/send`, headers: bearer(sender), payload: {} });
const sign = (user: TestUser, receiptId: string) => ctx.app.inject({ method: 'POST', url: `/api/v1/exchange/receipts/${receiptId}/sign`, headers: bearer(user) });

test('one document to 1,000 units in one transaction, then 1,000 concurrent sign-fors, none lost', { skip }, async () => {
  const warm = await insertSignedOffDocument(ctx.platform, { sendingUnitId: office.id, draftedBy: sender.id, mainRecipientIds: unitIds.slice(0, 2) });
  assert.equal((await send(warm)).statusCode, 200);
  const id = await insertSignedOffDocument(ctx.platform, { sendingUnitId: office.id, draftedBy: sender.id, mainRecipientIds: unitIds });
  const started = performance.now();
  const res = await send(id);
  const sendMs = performance.now() - started;
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), { sentTo: UNITS });
  assert.equal(await count('exchange_receipts', `document_id = '${id}'`), UNITS);

  const matrixStarted = performance.now();
  const matrix = await ctx.app.inject({ url: `/api/v1/exchange/documents/${id}/receipts`, headers: bearer(sender) });
  const matrixMs = performance.now() - matrixStarted;
  assert.equal(matrix.json().counts.total, UNITS);

  const receipts = (await sql<{ id: string }>`select id from exchange_receipts where document_id = ${id}`.execute(ctx.platform.db)).rows;
  const signStarted = performance.now();
  const answers = await Promise.all(receipts.map((r) => sign(regionClerk, r.id)));
  const signMs = performance.now() - signStarted;
  assert.deepEqual([...new Set(answers.map((a) => a.statusCode))], [200], answers.find((a) => a.statusCode !== 200)?.body);
  assert.equal(await count('exchange_receipts', `document_id = '${id}' and state = 'signed' and receipt_signature is not null`), UNITS);
  assert.equal(await count('audit_log', `action = 'exchange.receipt.sign' and details->>'documentId' = '${id}'`), UNITS);
  const verify = (await ctx.app.inject({ url: `/api/v1/exchange/documents/${id}/verify`, headers: bearer(sender) })).json();
  assert.deepEqual([verify.ok, verify.receipts.valid], [true, UNITS]);
  // Times are printed, not asserted: the budgets are measured by bench (exchange-fanout, exchange-inbox) on a quiet machine.
  console.log(`# send to ${UNITS} units: ${sendMs.toFixed(0)} ms; receipt matrix: ${matrixMs.toFixed(0)} ms; ${UNITS} concurrent sign-fors: ${signMs.toFixed(0)} ms (each unit's signing key made on its first sign-for)`);

  // Once every unit has its key, as in a city that has exchanged documents before.
  const next = await insertSignedOffDocument(ctx.platform, { sendingUnitId: office.id, draftedBy: sender.id, mainRecipientIds: unitIds });
  assert.equal((await send(next)).statusCode, 200);
  const nextReceipts = (await sql<{ id: string }>`select id from exchange_receipts where document_id = ${next}`.execute(ctx.platform.db)).rows;
  const warmStarted = performance.now();
  const warmAnswers = await Promise.all(nextReceipts.map((r) => sign(regionClerk, r.id)));
  const warmMs = performance.now() - warmStarted;
  assert.deepEqual([...new Set(warmAnswers.map((a) => a.statusCode))], [200]);
  assert.equal(await count('exchange_receipts', `document_id = '${next}' and state = 'signed'`), UNITS);
  console.log(`# ${UNITS} concurrent sign-fors with the units' keys made: ${warmMs.toFixed(0)} ms`);
});

test('two clerks of one unit sign for the same receipt at once: exactly one wins', { skip }, async () => {
  const unit = await makeUnit(ctx.platform, '并发签收单位', '990100', 'department');
  const a = await makeUser(ctx.platform, unit.id, ['doc_clerk']);
  const b = await makeUser(ctx.platform, unit.id, ['doc_clerk']);
  for (let i = 0; i < 10; i++) {
    const id = await insertSignedOffDocument(ctx.platform, { sendingUnitId: office.id, draftedBy: sender.id, mainRecipientIds: [unit.id] });
    assert.equal((await send(id)).statusCode, 200);
    const receipt = (await sql<{ id: string }>`select id from exchange_receipts where document_id = ${id}`.execute(ctx.platform.db)).rows[0];
    const both = await Promise.all([
      sign(a, receipt.id),
      i % 2 ? sign(b, receipt.id) : ctx.app.inject({ method: 'POST', url: `/api/v1/exchange/receipts/${receipt.id}/return`, headers: bearer(b), payload: { reason: '不属于本单位' } }),
    ]);
    assert.deepEqual(both.map((r) => r.statusCode).sort(), [200, 409], both.map((r) => r.body).join('\n'));
    const row = (await sql<{ state: string; signed_at: Date | null; returned_at: Date | null }>`select state, signed_at, returned_at from exchange_receipts where id = ${receipt.id}`.execute(ctx.platform.db)).rows[0];
    assert.ok((row.signed_at === null) !== (row.returned_at === null), 'signed or returned, never both');
    assert.equal(await count('audit_log', `object_id = '${receipt.id}' and action like 'exchange.receipt.%'`), 1);
  }
});

test('a recall racing a sign-for: either the recall or the sign-for is refused, never both done', { skip }, async () => {
  const unit = await makeUnit(ctx.platform, '撤回竞争单位', '990100', 'department');
  const clerk = await makeUser(ctx.platform, unit.id, ['doc_clerk']);
  for (let i = 0; i < 10; i++) {
    const id = await insertSignedOffDocument(ctx.platform, { sendingUnitId: office.id, draftedBy: sender.id, mainRecipientIds: [unit.id] });
    assert.equal((await send(id)).statusCode, 200);
    const receipt = (await sql<{ id: string }>`select id from exchange_receipts where document_id = ${id}`.execute(ctx.platform.db)).rows[0];
    const [recall, signed] = await Promise.all([
      ctx.app.inject({ method: 'POST', url: `/api/v1/exchange/documents/${id}/recall`, headers: bearer(sender), payload: { reason: '有误' } }),
      sign(clerk, receipt.id),
    ]);
    assert.deepEqual([recall.statusCode, signed.statusCode].sort(), [200, 409], `${recall.body}\n${signed.body}`);
    const state = (await sql<{ d: string; r: string }>`select d.state as d, r.state as r from exchange_documents d join exchange_receipts r on r.document_id = d.id where d.id = ${id}`.execute(ctx.platform.db)).rows[0];
    assert.deepEqual(state, recall.statusCode === 200 ? { d: 'recalled', r: 'recalled' } : { d: 'sent', r: 'signed' });
  }
});

test('a 1,000-unit send killed halfway: after the restart every recipient has it or none does', { skip }, async () => {
  const dbName = (await sql<{ name: string }>`select current_database() as name`.execute(ctx.platform.db)).rows[0].name;
  const url = new URL(TEST_PG_URL!);
  url.pathname = `/${dbName}`;
  const id = await insertSignedOffDocument(ctx.platform, { sendingUnitId: office.id, draftedBy: sender.id, mainRecipientIds: unitIds });
  const outbox = await count('notify_outbox');
  const audit = await count('audit_log');

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'send-crash.fixture.ts'), url.toString(), id], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ZT_FIELD_KEY: ctx.config.fieldKeyHex! },
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const message = await new Promise<string>((resolve, reject) => {
    child.on('message', (m) => resolve(String(m)));
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  assert.equal(message, 'holding');

  const admin = new pg.Client({ connectionString: TEST_PG_URL! });
  await admin.connect();
  try {
    const open = await admin.query(`select count(*)::int as n from pg_stat_activity where datname = $1 and state = 'idle in transaction'`, [dbName]);
    assert.equal(open.rows[0].n, 1);
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    for (let i = 0; i < 100; i++) {
      const left = await admin.query(`select count(*)::int as n from pg_stat_activity where datname = $1 and state = 'idle in transaction'`, [dbName]);
      if (left.rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.end();
  }
  // None has it: no receipt, no notification, the document still waiting to be sent.
  assert.equal(await count('exchange_receipts', `document_id = '${id}'`), 0);
  assert.equal(await count('notify_outbox'), outbox);
  assert.equal(await count('audit_log'), audit);
  assert.equal((await sql<{ state: string }>`select state from exchange_documents where id = ${id}`.execute(ctx.platform.db)).rows[0].state, 'signed_off');

  // Sent again after the restart: every recipient has it.
  const again = await send(id);
  assert.equal(again.statusCode, 200, again.body);
  assert.equal(again.json().sentTo, UNITS);
  assert.equal(await count('exchange_receipts', `document_id = '${id}'`), UNITS);
});
