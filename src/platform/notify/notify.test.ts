import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, problem, PASSWORD, type TestContext } from '../../../test/helpers.ts';
import { sql } from 'kysely';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { createUnit, getUnit } from '../org/service.ts';
import { createStaffUser } from '../iam/index.ts';
import { silentLogger, type Logger } from '../jobs/scheduler.ts';
import { registerTemplate } from './templates.ts';
import { HttpSmsProvider, LogEmailSender, LogSmsProvider, type EmailMessage, type EmailSender, type NotifySenders, type SmsMessage, type SmsProvider } from './senders.ts';
import {
  DELIVERY_LEASE_MS,
  MAX_ATTEMPTS,
  claimDueMessages,
  deliverAllDue,
  deliverDue,
  enqueueMessage,
  enqueueMessages,
  enqueueMessagesAtCommit,
  notifySenders,
  retryDelayMs,
  type NewMessage,
} from './service.ts';
import { getOutboxMessage } from './views.ts';

// ---------------------------------------------------------------- an SMTP server in this process

interface ReceivedMail {
  rcptTo: string[];
  headers: Map<string, string>;
  subject: string;
  body: string;
}
const mailbox: ReceivedMail[] = [];

/** Decodes RFC 2047 encoded words (adjacent words join without the space between them). */
function decodeWords(value: string): string {
  const joined = value.replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1');
  return joined.replace(/(?:=\?([^?]+)\?([BbQq])\?([^?]*)\?=)+/g, (run) => {
    const bytes: Buffer[] = [];
    for (const [, , encoding, text] of run.matchAll(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g)) {
      if (encoding.toUpperCase() === 'B') bytes.push(Buffer.from(text, 'base64'));
      else bytes.push(Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1'));
    }
    return Buffer.concat(bytes).toString('utf8');
  });
}

function parseMail(raw: string, rcptTo: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  let body = raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'base64') body = Buffer.from(body, 'base64').toString('utf8');
  else if (encoding === 'quoted-printable') {
    const soft = body.replace(/=\r\n/g, '');
    body = Buffer.from(soft.replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
  }
  return { rcptTo, headers, subject: decodeWords(headers.get('subject') ?? ''), body: body.replace(/\r\n$/, '') };
}

const smtp = new SMTPServer({
  disabledCommands: ['STARTTLS', 'AUTH'],
  authOptional: true,
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      mailbox.push(parseMail(Buffer.concat(chunks).toString('latin1'), session.envelope.rcptTo.map((r) => r.address)));
      callback();
    });
  },
});

// ---------------------------------------------------------------- fixtures

let ctx: TestContext;
before(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  ctx = await createTestContext({ env: { ZT_SMTP_URL: `smtp://127.0.0.1:${port}`, ZT_MAIL_FROM: 'Zhengtong <noreply@zt.example>' } });
  await seedRegions(ctx.platform);
});
after(async () => {
  notifySenders(ctx.platform).email.close();
  await ctx.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

registerTemplate('test.accepted', {
  'zh-CN': { subject: '您的申请已受理：{receiptNo}', text: '{name}，您好！您的申请（受理编号 {receiptNo}）已受理，请在 {days} 个工作日后查询结果。', link: '/cases/{receiptNo}' },
  en: { subject: 'Your application was accepted: {receiptNo}', text: 'Dear {name}, your application {receiptNo} was accepted. Check the result in {days} working days.', link: '/cases/{receiptNo}' },
});
registerTemplate('test.code', {
  'zh-CN': { subject: '验证码', text: '【政通】您的验证码是 {code}，5 分钟内有效。' },
  en: { subject: 'Code', text: '[Zhengtong] Your code is {code}; valid for 5 minutes.' },
});

let phoneSeq = 1000;
/** A fresh valid mobile number per use, so rate limits of one test do not touch another. */
const newPhone = () => `1380013${String(++phoneSeq).padStart(4, '0')}`;
let mailSeq = 0;
const newEmail = (name = 'citizen') => `${name}${++mailSeq}@example.org.cn`;

function enqueue(message: NewMessage) {
  return inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => enqueueMessage(work, ctx.platform, message));
}

const outbox = async (id: string) => (await getOutboxMessage(ctx.platform, id))!;

interface LogRecord {
  obj: Record<string, unknown>;
  msg?: string;
}
function captureLog(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const push = (obj: object, msg?: string) => records.push({ obj: obj as Record<string, unknown>, msg });
  return { records, info: push, warn: push, error: push };
}

class CountingEmail implements EmailSender {
  readonly kind = 'count';
  readonly sent: EmailMessage[] = [];
  constructor(private readonly delayMs = 0) {}
  async send(mail: EmailMessage) {
    if (this.delayMs) await sleep(this.delayMs);
    this.sent.push(mail);
    return { ref: `count-${this.sent.length}` };
  }
  close() {}
}

class CountingSms implements SmsProvider {
  readonly kind = 'count';
  readonly sent: SmsMessage[] = [];
  async send(sms: SmsMessage) {
    this.sent.push(sms);
    return { ref: null };
  }
}

const sendersWith = (parts: Partial<NotifySenders>): NotifySenders => ({ email: new LogEmailSender(silentLogger), sms: new LogSmsProvider(silentLogger), ...parts });

// ---------------------------------------------------------------- tests

test('a message is written in the transaction of its change and rolled back with it', async () => {
  let messageId = '';
  let unitId = '';
  await assert.rejects(
    inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
      unitId = (await createUnit(work, { name: '回滚测试局', regionCode: '990100', kind: 'department' })).id;
      messageId = await enqueueMessage(work, ctx.platform, { channel: 'email', to: { address: newEmail() }, template: 'test.code', params: { code: '111111' } });
      throw new Error('the change fails after the message was written');
    }),
    /the change fails/,
  );
  assert.ok(messageId && unitId);
  assert.equal(await getOutboxMessage(ctx.platform, messageId), null);
  assert.equal(await getUnit(ctx.platform.db, unitId), null);

  const committed = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
    const unit = await createUnit(work, { name: '提交测试局', regionCode: '990100', kind: 'department' });
    return { unit, id: await enqueueMessage(work, ctx.platform, { channel: 'email', to: { address: newEmail() }, template: 'test.code', params: { code: '222222' } }) };
  });
  assert.ok(await getUnit(ctx.platform.db, committed.unit.id));
  const row = await outbox(committed.id);
  assert.equal(row.status, 'created');
  assert.equal(row.attempts, 0);
  await deliverAllDue(ctx.platform, { senders: sendersWith({}) });
});

test('e-mail goes through a real SMTP server, in Chinese and in English', async () => {
  const zhAddress = newEmail('zhang');
  const enAddress = newEmail('smith');
  const zh = await enqueue({ channel: 'email', to: { address: zhAddress }, template: 'test.accepted', params: { name: '张三', receiptNo: 'SL2026001', days: 5 }, lang: 'zh-CN' });
  const en = await enqueue({ channel: 'email', to: { address: ` ${enAddress.toUpperCase()} ` }, template: 'test.accepted', params: { name: 'John Smith', receiptNo: 'SL2026002', days: 3 }, lang: 'en' });
  const report = await deliverAllDue(ctx.platform);
  assert.ok(report.delivered >= 2);

  const zhMail = mailbox.find((m) => m.rcptTo.includes(zhAddress));
  assert.ok(zhMail, 'the Chinese mail arrived');
  assert.equal(zhMail.subject, '您的申请已受理：SL2026001');
  assert.equal(zhMail.body, '张三，您好！您的申请（受理编号 SL2026001）已受理，请在 5 个工作日后查询结果。');
  assert.equal(zhMail.headers.get('message-id'), `<${zh}@127.0.0.1>`);
  assert.match(zhMail.headers.get('from') ?? '', /noreply@zt\.example/);

  const enMail = mailbox.find((m) => m.rcptTo.includes(enAddress));
  assert.ok(enMail, 'the English mail arrived (address normalized)');
  assert.equal(enMail.subject, 'Your application was accepted: SL2026002');
  assert.equal(enMail.body, 'Dear John Smith, your application SL2026002 was accepted. Check the result in 3 working days.');

  for (const id of [zh, en]) {
    const row = await outbox(id);
    assert.equal(row.status, 'delivered');
    assert.equal(row.attempts, 1);
    assert.equal(row.lease_until, null);
    assert.ok(row.delivered_at);
    assert.ok(row.provider_ref);
  }
  assert.equal(mailbox.filter((m) => m.rcptTo.includes(zhAddress) || m.rcptTo.includes(enAddress)).length, 2);
});

test('SMS through the log provider: delivered, phone sealed at rest, the full number and text in the log line', async () => {
  const log = captureLog();
  const phone = newPhone();
  const id = await enqueue({ channel: 'sms', to: { address: phone }, template: 'test.code', params: { code: '864209' } });
  const raw = await outbox(id);
  assert.ok(raw.address_sealed && !raw.address_sealed.includes(phone), 'the number is encrypted');
  assert.equal(raw.lang, 'zh-CN');
  const report = await deliverAllDue(ctx.platform, { senders: sendersWith({ sms: new LogSmsProvider(log) }) });
  assert.ok(report.delivered >= 1);
  const row = await outbox(id);
  assert.equal(row.status, 'delivered');
  assert.equal(row.provider_ref, 'log');
  const record = log.records.find((r) => r.obj.idempotencyKey === id);
  assert.ok(record);
  assert.equal(record.obj.text, '【政通】您的验证码是 864209，5 分钟内有效。');
  // Without a gateway the log is the only way to read a code: the full number and the text are in the line.
  assert.equal(record.obj.to, phone);
  assert.match(String(record.msg), new RegExp(`${phone}.*864209`));
});

test("an account's address and language are looked up when only the user is given", async () => {
  const unit = await makeUnit(ctx.platform);
  const phone = newPhone();
  const email = newEmail('staff');
  const user = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createStaffUser(work, ctx.platform, null, { username: `notify${phone}`, displayName: '李四', password: PASSWORD, unitId: unit.id, phone, email }, { mustChangePassword: false }));
  const sms = new CountingSms();
  const mail = new CountingEmail();
  const smsId = await enqueue({ channel: 'sms', to: { userId: user.id }, template: 'test.code', params: { code: '123456' } });
  const mailId = await enqueue({ channel: 'email', to: { userId: user.id }, template: 'test.code', params: { code: '654321' }, lang: 'en' });
  await deliverAllDue(ctx.platform, { senders: sendersWith({ sms, email: mail }) });
  assert.equal(sms.sent.find((s) => s.idempotencyKey === smsId)?.to, phone);
  const sentMail = mail.sent.find((m) => m.to === email);
  assert.ok(sentMail);
  assert.equal(sentMail.text, '[Zhengtong] Your code is 654321; valid for 5 minutes.');
  assert.equal((await outbox(mailId)).user_id, user.id);

  // No e-mail address on the account: the message is kept as failed, the change still commits.
  const bare = await makeUser(ctx.platform, unit.id);
  const orphan = await enqueue({ channel: 'email', to: { userId: bare.id }, template: 'test.code', params: { code: '0' } });
  const row = await outbox(orphan);
  assert.equal(row.status, 'failed');
  assert.match(row.last_error ?? '', /no address/);
  const badNumber = await enqueue({ channel: 'sms', to: { address: '12345' }, template: 'test.code', params: { code: '0' } });
  assert.equal((await outbox(badNumber)).status, 'failed');
});

test('programming errors are refused when the message is written, and nothing is written', async () => {
  const address = newEmail();
  await assert.rejects(enqueue({ channel: 'email', to: { address }, template: 'test.nothing', params: {} }), /unknown notification template/);
  await assert.rejects(enqueue({ channel: 'email', to: { address }, template: 'test.accepted', params: { name: 'x' } }), /needs receiptNo, days/);
  await assert.rejects(enqueue({ channel: 'inapp', to: { address }, template: 'test.code', params: { code: '1' } }), /needs to.userId/);
  assert.throws(() => registerTemplate('test.accepted', { 'zh-CN': { subject: 'x', text: 'y' }, en: { subject: 'x', text: 'y' } }), /defined twice/);
  assert.throws(() => registerTemplate('nodots', { 'zh-CN': { subject: 'x', text: 'y' }, en: { subject: 'x', text: 'y' } }));
  assert.throws(() => registerTemplate('test.half', { 'zh-CN': { subject: 'x', text: 'y' } } as never), /en/);
});

test('the same dedupe key writes one message', async () => {
  const address = newEmail();
  const key = `test-dedupe-${address}`;
  const first = await enqueue({ channel: 'email', to: { address }, template: 'test.code', params: { code: '1' }, dedupeKey: key });
  const second = await enqueue({ channel: 'email', to: { address }, template: 'test.code', params: { code: '1' }, dedupeKey: key });
  assert.equal(first, second);
  const mail = new CountingEmail();
  await deliverAllDue(ctx.platform, { senders: sendersWith({ email: mail }) });
  assert.equal(mail.sent.filter((m) => m.to === address).length, 1);
});

test('several messages in one INSERT: ids in order, a known key and a key twice in the batch give the existing message', async () => {
  const [a, b, c] = [newEmail(), newEmail(), newEmail()];
  const known = await enqueue({ channel: 'email', to: { address: a }, template: 'test.code', params: { code: '1' }, dedupeKey: `test-batch-${a}` });
  const ids = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) =>
    enqueueMessages(work, ctx.platform, [
      { channel: 'email', to: { address: a }, template: 'test.code', params: { code: '1' }, dedupeKey: `test-batch-${a}` },
      { channel: 'email', to: { address: b }, template: 'test.code', params: { code: '2' }, dedupeKey: `test-batch-${b}` },
      { channel: 'email', to: { address: b }, template: 'test.code', params: { code: '2' }, dedupeKey: `test-batch-${b}` },
      { channel: 'email', to: { address: c }, template: 'test.code', params: { code: '3' } },
    ]),
  );
  assert.equal(ids.length, 4);
  assert.equal(ids[0], known);
  assert.equal(ids[1], ids[2], 'the same key twice in one batch is one message');
  assert.equal(new Set(ids).size, 3);
  for (const [id, code] of [[ids[1], '2'], [ids[3], '3']]) {
    const row = await getOutboxMessage(ctx.platform, id);
    assert.equal((typeof row?.params === 'string' ? JSON.parse(row.params) : row?.params)?.code, code);
  }
  await assert.rejects(inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => enqueueMessages(work, ctx.platform, [{ channel: 'email', to: { address: c }, template: 'test.code', params: {} }])), /code/, 'a bad message refuses the whole batch');
  assert.deepEqual(await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => enqueueMessages(work, ctx.platform, [])), []);
});

test('messages raised at several places of a transaction are written together at its commit, and not at all when it rolls back', async () => {
  const [a, b] = [newEmail(), newEmail()];
  const countOf = async (...addresses: string[]) => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from notify_outbox where template = 'test.code' and params->>'code' = any(${addresses})`.execute(ctx.platform.db);
    return rows[0].n;
  };
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
    await enqueueMessagesAtCommit(work, ctx.platform, [{ channel: 'email', to: { address: a }, template: 'test.code', params: { code: a }, dedupeKey: `test-at-commit-${a}` }]);
    await enqueueMessagesAtCommit(work, ctx.platform, [
      { channel: 'email', to: { address: b }, template: 'test.code', params: { code: b }, dedupeKey: `test-at-commit-${b}` },
      { channel: 'email', to: { address: b }, template: 'test.code', params: { code: b }, dedupeKey: `test-at-commit-${b}` },
    ]);
    assert.equal((await sql<{ n: number }>`select count(*)::int as n from notify_outbox where dedupe_key in (${`test-at-commit-${a}`}, ${`test-at-commit-${b}`})`.execute(work.tx)).rows[0].n, 0, 'nothing written before commit');
  });
  assert.equal(await countOf(a, b), 2, 'one message per dedupe key');
  await assert.rejects(
    inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
      await enqueueMessagesAtCommit(work, ctx.platform, [{ channel: 'email', to: { address: a }, template: 'test.code', params: { code: 'rolled-back' } }]);
      throw new Error('the change failed');
    }),
    /the change failed/,
  );
  assert.equal(await countOf('rolled-back'), 0);
  await assert.rejects(
    inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => enqueueMessagesAtCommit(work, ctx.platform, [{ channel: 'email', to: { address: a }, template: 'test.code', params: {} }])),
    /code/,
    'a bad message is refused where it is raised',
  );
});

test('a failing sender is retried with exponential backoff and the message fails after the last attempt', async () => {
  const phone = newPhone();
  const id = await enqueue({ channel: 'sms', to: { address: phone }, template: 'test.code', params: { code: '1' } });
  let calls = 0;
  const broken: SmsProvider = {
    kind: 'broken',
    async send() {
      calls += 1;
      throw new Error('gateway unreachable');
    },
  };
  const senders = sendersWith({ sms: broken });
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const attemptedAt = ctx.clock.now().getTime();
    await deliverAllDue(ctx.platform, { senders });
    const row = await outbox(id);
    assert.equal(row.attempts, attempt);
    assert.equal(row.last_error, 'gateway unreachable');
    if (attempt < MAX_ATTEMPTS) {
      assert.equal(row.status, 'created');
      const delay = new Date(row.next_attempt_at).getTime() - attemptedAt;
      assert.ok(delay >= retryDelayMs(attempt) && delay < retryDelayMs(attempt) + 5000, `attempt ${attempt}: delay ${delay}`);
      // Not retried before its time.
      ctx.clock.advance(retryDelayMs(attempt) - 5000);
      await deliverAllDue(ctx.platform, { senders });
      assert.equal((await outbox(id)).attempts, attempt);
      ctx.clock.advance(5000);
    } else {
      assert.equal(row.status, 'failed');
    }
  }
  assert.equal(calls, MAX_ATTEMPTS);
  assert.deepEqual([1, 2, 3, 8].map(retryDelayMs), [30_000, 60_000, 120_000, 3_840_000]);
  // A failed message stays failed.
  ctx.clock.advance(24 * 3600_000);
  await deliverAllDue(ctx.platform, { senders });
  assert.equal(calls, MAX_ATTEMPTS);
});

test('SMS through the HTTP gateway: bearer token, idempotency key; a 4xx answer fails at once', async () => {
  const requests: Array<{ headers: http.IncomingHttpHeaders; body: Record<string, unknown> }> = [];
  let answer = 200;
  const gateway = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(answer, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer === 200 ? { id: 'gw-42' } : { error: 'bad number' }));
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms`;
    const senders = sendersWith({ sms: new HttpSmsProvider(url, 'secret-token') });
    const phone = newPhone();
    const id = await enqueue({ channel: 'sms', to: { address: phone }, template: 'test.code', params: { code: '777777' }, lang: 'en' });
    await deliverAllDue(ctx.platform, { senders });
    const row = await outbox(id);
    assert.equal(row.status, 'delivered');
    assert.equal(row.provider_ref, 'gw-42');
    const request = requests.find((r) => r.body.idempotencyKey === id)!;
    assert.equal(request.headers.authorization, 'Bearer secret-token');
    assert.equal(request.headers['idempotency-key'], id);
    assert.deepEqual(request.body, { to: phone, text: '[Zhengtong] Your code is 777777; valid for 5 minutes.', template: 'test.code', lang: 'en', idempotencyKey: id });

    answer = 400;
    const refused = await enqueue({ channel: 'sms', to: { address: newPhone() }, template: 'test.code', params: { code: '1' } });
    await deliverAllDue(ctx.platform, { senders });
    const failed = await outbox(refused);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.attempts, 1);
    assert.match(failed.last_error ?? '', /400/);

    answer = 503;
    const later = await enqueue({ channel: 'sms', to: { address: newPhone() }, template: 'test.code', params: { code: '1' } });
    await deliverAllDue(ctx.platform, { senders });
    assert.equal((await outbox(later)).status, 'created');
  } finally {
    await new Promise<void>((resolve) => gateway.close(() => resolve()));
  }
});

test('two workers delivering at once send every message exactly once', async () => {
  const mail = new CountingEmail(5);
  const senders = sendersWith({ email: mail });
  const ids: string[] = [];
  for (let i = 0; i < 40; i++) ids.push(await enqueue({ channel: 'email', to: { address: newEmail('many') }, template: 'test.code', params: { code: String(i) } }));
  const [a, b] = await Promise.all([deliverAllDue(ctx.platform, { senders, batch: 7 }), deliverAllDue(ctx.platform, { senders, batch: 7 })]);
  const ours = mail.sent.filter((m) => ids.some((id) => m.messageId.startsWith(`<${id}@`)));
  assert.equal(ours.length, 40);
  assert.equal(new Set(ours.map((m) => m.messageId)).size, 40);
  assert.ok(a.delivered + b.delivered >= 40);
  if (ctx.platform.dbKind === 'postgres') assert.ok(a.delivered > 0 && b.delivered > 0, 'both workers took a share');
  for (const id of ids) assert.equal((await outbox(id)).status, 'delivered');
});

test('a message claimed by a worker that died is delivered once after the lease expires', async () => {
  const address = newEmail('crash');
  const id = await enqueue({ channel: 'email', to: { address }, template: 'test.accepted', params: { name: '王五', receiptNo: 'SL-CRASH', days: 2 } });
  // The worker claims and dies before sending: the row stays 'sending' with a lease.
  const crashed = await claimDueMessages(ctx.platform, 100);
  assert.ok(crashed.claimed.some((r) => r.id === id));
  const claimedRow = await outbox(id);
  assert.equal(claimedRow.status, 'sending');
  assert.ok(claimedRow.lease_until);

  await deliverAllDue(ctx.platform);
  assert.equal((await outbox(id)).status, 'sending', 'nobody takes a message with a live lease');
  ctx.clock.advance(DELIVERY_LEASE_MS + 1000);
  await deliverAllDue(ctx.platform);
  const row = await outbox(id);
  assert.equal(row.status, 'delivered');
  assert.equal(row.attempts, 2);
  const received = mailbox.filter((m) => m.rcptTo.includes(address));
  assert.equal(received.length, 1);
  assert.equal(received[0].subject, '您的申请已受理：SL-CRASH');
});

test('a worker that outlives its lease cannot overwrite the outcome of the worker that took over', async () => {
  const address = newEmail('slow');
  const id = await enqueue({ channel: 'email', to: { address }, template: 'test.code', params: { code: '5' } });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const stuck: EmailSender = {
    kind: 'stuck',
    async send() {
      await gate;
      throw new Error('connection reset');
    },
    close() {},
  };
  const slow = deliverDue(ctx.platform, { senders: sendersWith({ email: stuck }), batch: 100 });
  let status = '';
  for (let i = 0; i < 200 && status !== 'sending'; i++) {
    status = (await outbox(id)).status;
    if (status !== 'sending') await sleep(5);
  }
  ctx.clock.advance(DELIVERY_LEASE_MS + 1000);
  const takeover = new CountingEmail();
  await deliverAllDue(ctx.platform, { senders: sendersWith({ email: takeover }) });
  assert.equal(takeover.sent.filter((m) => m.to === address).length, 1);
  release();
  await slow;
  const row = await outbox(id);
  assert.equal(row.status, 'delivered', "the late failure does not undo the second worker's delivery");
  assert.equal(row.last_error, null);
  // Both sends carried the same Message-ID, so a receiver can drop a duplicate.
  assert.equal(takeover.sent.find((m) => m.to === address)!.messageId, `<${id}@127.0.0.1>`);
});

test('per-recipient SMS limit: the excess is deferred, not dropped', async () => {
  const phone = newPhone();
  const sms = new CountingSms();
  const senders = sendersWith({ sms });
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) ids.push(await enqueue({ channel: 'sms', to: { address: phone }, template: 'test.code', params: { code: String(i) } }));
  const start = ctx.clock.now().getTime();
  const first = await deliverAllDue(ctx.platform, { senders });
  assert.equal(first.deferred, 2);
  assert.equal(sms.sent.filter((s) => s.to === phone).length, 5);
  const waiting = (await Promise.all(ids.map(outbox))).filter((r) => r.status === 'created');
  assert.equal(waiting.length, 2);
  for (const row of waiting) {
    const at = new Date(row.next_attempt_at).getTime();
    // Held back until the messages being sent settle, then until the oldest leaves the hour.
    assert.ok(at > start && at <= start + 3600_000 + 5000, `deferred, not dropped: ${at - start}`);
    assert.equal(row.attempts, 0, 'a deferral is not an attempt');
  }
  // Someone else's messages are not held back.
  const other = await enqueue({ channel: 'sms', to: { address: newPhone() }, template: 'test.code', params: { code: 'x' } });
  await deliverAllDue(ctx.platform, { senders });
  assert.equal((await outbox(other)).status, 'delivered');

  ctx.clock.advance(DELIVERY_LEASE_MS + 1000);
  await deliverAllDue(ctx.platform, { senders });
  assert.equal(sms.sent.filter((s) => s.to === phone).length, 5);
  for (const row of (await Promise.all(ids.map(outbox))).filter((r) => r.status === 'created')) {
    const at = new Date(row.next_attempt_at).getTime();
    assert.ok(at >= start + 3600_000 - 1000 && at <= start + 3600_000 + 5000, `deferred until the oldest leaves the hour: ${at - start}`);
  }
  ctx.clock.advance(30 * 60_000);
  await deliverAllDue(ctx.platform, { senders });
  assert.equal(sms.sent.filter((s) => s.to === phone).length, 5);
  ctx.clock.advance(29 * 60_000);
  await deliverAllDue(ctx.platform, { senders });
  assert.equal(sms.sent.filter((s) => s.to === phone).length, 7);
  for (const id of ids) assert.equal((await outbox(id)).status, 'delivered');
});

test('in-app messages: delivered to the inbox once, read by their owner only', async () => {
  const unit = await makeUnit(ctx.platform);
  const owner = await makeUser(ctx.platform, unit.id);
  const other = await makeUser(ctx.platform, unit.id);
  const zh = await enqueue({ channel: 'inapp', to: { userId: owner.id }, template: 'test.accepted', params: { name: '赵六', receiptNo: 'SL-IN-1', days: 1 } });
  ctx.clock.advance(1000);
  const en = await enqueue({ channel: 'inapp', to: { userId: owner.id }, template: 'test.accepted', params: { name: 'Zhao', receiptNo: 'SL-IN-2', days: 1 }, lang: 'en' });
  await deliverAllDue(ctx.platform);
  await deliverAllDue(ctx.platform);

  const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/me/messages', headers: bearer(owner) });
  assert.equal(list.statusCode, 200);
  const body = list.json();
  assert.equal(body.items.length, 2);
  assert.equal(body.unreadCount, 2);
  assert.deepEqual(
    body.items.map((m: { id: string }) => m.id),
    [en, zh],
  );
  assert.equal(body.items[1].title, '您的申请已受理：SL-IN-1');
  assert.equal(body.items[1].link, '/cases/SL-IN-1');
  assert.equal(body.items[0].body, 'Dear Zhao, your application SL-IN-2 was accepted. Check the result in 1 working days.');
  assert.equal(body.items[0].readAt, null);

  const page1 = await ctx.app.inject({ method: 'GET', url: '/api/v1/me/messages?limit=1', headers: bearer(owner) });
  assert.equal(page1.json().items[0].id, en);
  const page2 = await ctx.app.inject({ method: 'GET', url: `/api/v1/me/messages?limit=1&cursor=${page1.json().nextCursor}`, headers: bearer(owner) });
  assert.equal(page2.json().items[0].id, zh);
  assert.equal(page2.json().nextCursor, null);

  const theirs = await ctx.app.inject({ method: 'GET', url: '/api/v1/me/messages', headers: bearer(other) });
  assert.deepEqual(theirs.json().items, []);
  const stolen = await ctx.app.inject({ method: 'POST', url: `/api/v1/me/messages/${zh}/read`, headers: bearer(other) });
  assert.equal(problem(stolen).status, 404);
  assert.equal(problem(stolen).body.code, 'NOT_FOUND');
  assert.match(String(problem(stolen).type), /problem\+json/);

  const read = await ctx.app.inject({ method: 'POST', url: `/api/v1/me/messages/${zh}/read`, headers: bearer(owner) });
  assert.equal(read.statusCode, 200);
  const readAt = read.json().readAt;
  assert.ok(readAt);
  ctx.clock.advance(5000);
  const again = await ctx.app.inject({ method: 'POST', url: `/api/v1/me/messages/${zh}/read`, headers: bearer(owner) });
  assert.equal(again.json().readAt, readAt, 'the first reading counts');
  const unread = await ctx.app.inject({ method: 'GET', url: '/api/v1/me/messages?unread=true', headers: bearer(owner) });
  assert.deepEqual(
    unread.json().items.map((m: { id: string }) => m.id),
    [en],
  );
  assert.equal(unread.json().unreadCount, 1);

  // Bad input.
  const missing = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/messages/no-such-message/read', headers: bearer(owner) });
  assert.equal(missing.statusCode, 404);
  const tooLong = await ctx.app.inject({ method: 'POST', url: `/api/v1/me/messages/${'x'.repeat(65)}/read`, headers: bearer(owner) });
  assert.equal(problem(tooLong).body.code, 'VALIDATION_FAILED');
  for (const query of ['limit=0', 'limit=500', 'limit=abc', 'unread=maybe', 'colour=red', 'cursor=notacursor', `cursor=${Buffer.from('[1,2]').toString('base64url')}`]) {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/me/messages?${query}`, headers: bearer(owner) });
    assert.equal(res.statusCode, 400, query);
    assert.equal(res.json().code, 'VALIDATION_FAILED', query);
  }
  const anonymous = await ctx.app.inject({ method: 'GET', url: '/api/v1/me/messages' });
  assert.equal(anonymous.statusCode, 401);
  // Each message reached the inbox once, however often the worker ran.
  const all = await ctx.app.inject({ method: 'GET', url: '/api/v1/me/messages?limit=200', headers: bearer(owner) });
  assert.equal(all.json().items.length, 2);
});

test('the outbox is visible to the system administrator, addresses masked', async () => {
  const unit = await makeUnit(ctx.platform);
  const admin = await makeUser(ctx.platform, unit.id, ['sysadmin']);
  const clerk = await makeUser(ctx.platform, unit.id, ['window_clerk']);
  const phone = newPhone();
  const id = await enqueue({ channel: 'sms', to: { address: phone }, template: 'test.code', params: { code: '9' } });

  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/notify/outbox?status=created&limit=200', headers: bearer(admin) });
  assert.equal(res.statusCode, 200);
  const item = res.json().items.find((m: { id: string }) => m.id === id);
  assert.ok(item);
  assert.equal(item.channel, 'sms');
  assert.equal(item.status, 'created');
  assert.equal(item.template, 'test.code');
  assert.notEqual(item.address, phone);
  assert.ok(item.address.includes('*'));
  assert.ok(!JSON.stringify(res.json()).includes(phone), 'no full number anywhere');
  assert.ok(res.json().items.every((m: { status: string }) => m.status === 'created'));

  await deliverAllDue(ctx.platform, { senders: sendersWith({}) });
  const delivered = await ctx.app.inject({ method: 'GET', url: '/api/v1/notify/outbox?status=delivered&limit=1', headers: bearer(admin) });
  assert.equal(delivered.json().items.length, 1);
  assert.ok(delivered.json().nextCursor);
  const next = await ctx.app.inject({ method: 'GET', url: `/api/v1/notify/outbox?status=delivered&limit=1&cursor=${delivered.json().nextCursor}`, headers: bearer(admin) });
  assert.equal(next.statusCode, 200);
  assert.notEqual(next.json().items[0].id, delivered.json().items[0].id);

  const bogus = await ctx.app.inject({ method: 'GET', url: '/api/v1/notify/outbox?status=lost', headers: bearer(admin) });
  assert.equal(problem(bogus).status, 400);
  assert.equal(problem(bogus).body.code, 'VALIDATION_FAILED');
  const refused = await ctx.app.inject({ method: 'GET', url: '/api/v1/notify/outbox', headers: bearer(clerk) });
  assert.equal(problem(refused).status, 403);
});
