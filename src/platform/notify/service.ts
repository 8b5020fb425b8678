import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import { sql, type Db } from '../db/index.ts';
import type { Work } from '../db/work.ts';
import type { Platform } from '../module.ts';
import type { Lang } from '../i18n/index.ts';
import { blindIndex, openField, sealField } from '../crypto/fields.ts';
import { isValidMobile } from '../org/codes.ts';
import { findUserById } from '../iam/queries.ts';
import { silentLogger, type Logger } from '../jobs/scheduler.ts';
import { checkTemplateParams, renderTemplate, type TemplateParams } from './templates.ts';
import { PermanentDeliveryError, createSenders, type DeliveryReceipt, type NotifySenders } from './senders.ts';

export type Channel = 'sms' | 'email' | 'inapp';
export const CHANNELS: Channel[] = ['sms', 'email', 'inapp'];
export type OutboxStatus = 'created' | 'sending' | 'delivered' | 'failed';
export const OUTBOX_STATUSES: OutboxStatus[] = ['created', 'sending', 'delivered', 'failed'];

export interface OutboxTable {
  id: string;
  channel: Channel;
  user_id: string | null;
  address_sealed: string | null;
  /** Keyed hash of channel and address (or the user for in-app): rate limits without decrypting. */
  recipient_key: string;
  template: string;
  params: TemplateParams | string;
  lang: Lang;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Date;
  lease_until: Date | null;
  /** Fencing token of the current claim: only the claimer may record the outcome. */
  claim_token: string | null;
  last_error: string | null;
  provider_ref: string | null;
  created_at: Date;
  delivered_at: Date | null;
  dedupe_key: string | null;
}
export type OutboxRow = Selectable<OutboxTable>;

export interface InboxTable {
  id: string;
  user_id: string;
  title: string;
  body: string;
  link: string | null;
  created_at: Date;
  read_at: Date | null;
}
export type InboxRow = Selectable<InboxTable>;

export type NotifyTables = { notify_outbox: OutboxTable; notify_inbox: InboxTable };
export const notifyDb = (db: Db) => db.withTables<NotifyTables>();

// ---------------------------------------------------------------- delivery policy

/** A claimed message must be finished within this time, or another worker sends it again. */
export const DELIVERY_LEASE_MS = 2 * 60_000;
/** Attempts before a message is given up as 'failed' (a claim counts, even when the worker died). */
export const MAX_ATTEMPTS = 8;
/** Delay after the n-th failed attempt: 30 s × 2^(n-1), i.e. 30 s, 1 min, 2 min ... 32 min. */
export const retryDelayMs = (attempts: number) => 30_000 * 2 ** Math.max(0, attempts - 1);
/**
 * At most this many messages per recipient and channel in any hour (delivered or being sent).
 * Excess messages are deferred until the oldest one leaves the window, never dropped.
 */
export const RATE_LIMITS: Readonly<Record<Channel, number | null>> = { sms: 5, email: 30, inapp: null };
const RATE_WINDOW_MS = 60 * 60_000;
/** Lock space for per-recipient rate checks (two-key advisory locks, apart from single-key ones). */
const RATE_LOCK_SPACE = 7_346_100;

// ---------------------------------------------------------------- writing messages

export interface Recipient {
  /** The account the message is for; required for in-app, optional otherwise. */
  userId?: string | null;
  /** Phone number (sms) or e-mail address (email); looked up from the account when absent. */
  address?: string | null;
}

export interface NewMessage {
  channel: Channel;
  to: Recipient;
  /** A key given to registerTemplate. */
  template: string;
  params?: TemplateParams;
  /** Default: the account's language, else zh-CN. */
  lang?: Lang;
  /** Writing the same key twice writes one message: the id of the first is returned. */
  dedupeKey?: string;
}

function normalizeAddress(channel: Channel, address: string): string {
  const trimmed = address.trim();
  if (channel === 'email') return trimmed.toLowerCase();
  return trimmed.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
}

function addressProblem(channel: Channel, address: string | null): string | null {
  if (!address) return 'recipient has no address for this channel';
  if (channel === 'sms' && !isValidMobile(address)) return 'not a valid mobile number';
  if (channel === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) return 'not a valid e-mail address';
  return null;
}

/**
 * Writes a message in the caller's transaction: it exists if and only if the change that
 * causes it commits. After commit the delivery worker of this process is woken up.
 * A recipient without a usable address gives a row already 'failed' (visible in the outbox)
 * instead of failing the caller's change. Unknown templates or missing parameters throw.
 */
export async function enqueueMessage(work: Work, platform: Platform, message: NewMessage): Promise<string> {
  return (await enqueueMessages(work, platform, [message]))[0];
}

/**
 * enqueueMessage for several messages at once (one per holder of a role, say): one INSERT for
 * all of them. Returns their ids in order (the existing row's id for a repeated dedupe key).
 */
export async function enqueueMessages(work: Work, platform: Platform, messages: NewMessage[]): Promise<string[]> {
  if (!messages.length) return [];
  const now = platform.clock.now();
  const rows = [];
  for (const message of messages) rows.push(await outboxRow(work, platform, message, now));
  const inserted = await insertOutboxRows(work, rows);
  const fresh = new Set(inserted.map((r) => r.id));
  if (rows.some((r) => fresh.has(r.id) && r.status === 'created')) work.afterCommit(() => wakeDelivery(platform));
  const repeated = rows.filter((r) => !fresh.has(r.id)).map((r) => r.dedupe_key!);
  const existing = repeated.length ? await notifyDb(work.tx).selectFrom('notify_outbox').select(['id', 'dedupe_key']).where('dedupe_key', 'in', repeated).execute() : [];
  const byKey = new Map(existing.map((r) => [r.dedupe_key, r.id]));
  return rows.map((r) => (fresh.has(r.id) ? r.id : byKey.get(r.dedupe_key)!));
}

const PENDING_MESSAGES = 'notify.pending';

/**
 * enqueueMessages for callers that need no ids: each message is checked and its row made now
 * (an unknown template throws here), and all the rows the transaction raised are written by one
 * INSERT just before it commits, instead of one INSERT per call.
 */
export async function enqueueMessagesAtCommit(work: Work, platform: Platform, messages: NewMessage[]): Promise<void> {
  if (!messages.length) return;
  const now = platform.clock.now();
  const made: NewOutboxRow[] = [];
  for (const message of messages) made.push(await outboxRow(work, platform, message, now));
  work.collectBeforeCommit(PENDING_MESSAGES, made, async (rows) => {
    await insertOutboxRows(work, rows);
    if (rows.some((r) => r.status === 'created')) work.afterCommit(() => wakeDelivery(platform));
  });
}

type NewOutboxRow = Awaited<ReturnType<typeof outboxRow>>;

const OUTBOX_INSERT_CHUNK = 1000;

/** Inserts outbox rows (a repeated dedupe key writes nothing) and returns the ids written. */
async function insertOutboxRows(work: Work, rows: NewOutboxRow[]): Promise<Array<{ id: string }>> {
  const inserted: Array<{ id: string }> = [];
  // Bounded statements (14 parameters a row): a scan may notify many people at once.
  for (let i = 0; i < rows.length; i += OUTBOX_INSERT_CHUNK) {
    inserted.push(...(await notifyDb(work.tx).insertInto('notify_outbox').values(rows.slice(i, i + OUTBOX_INSERT_CHUNK)).onConflict((oc) => oc.column('dedupe_key').doNothing()).returning('id').execute()));
  }
  return inserted;
}

/** The outbox row of a message: template checked, recipient's language and address resolved and sealed. */
async function outboxRow(work: Work, platform: Platform, message: NewMessage, now: Date) {
  const params = message.params ?? {};
  checkTemplateParams(message.template, params);
  const userId = message.to.userId ?? null;
  if (message.channel === 'inapp' && !userId) throw new Error('an in-app message needs to.userId');
  if (!CHANNELS.includes(message.channel)) throw new Error(`unknown channel ${message.channel}`);

  let lang = message.lang ?? null;
  let address = message.to.address ? normalizeAddress(message.channel, message.to.address) : null;
  if (userId && (!lang || (!address && message.channel !== 'inapp'))) {
    const user = await findUserById(work.tx, userId);
    if (!user) throw new Error(`no account ${userId} to notify`);
    if (!lang && (user.lang === 'en' || user.lang === 'zh-CN')) lang = user.lang;
    if (!address && message.channel === 'email' && user.email) address = normalizeAddress('email', user.email);
    if (!address && message.channel === 'sms' && user.phone_sealed) address = normalizeAddress('sms', openField(platform, user.phone_sealed));
  }
  const problem = message.channel === 'inapp' ? null : addressProblem(message.channel, address);
  return {
    id: crypto.randomUUID(),
    channel: message.channel,
    user_id: userId,
    address_sealed: address && message.channel !== 'inapp' ? sealField(platform, address) : null,
    recipient_key: message.channel === 'inapp' ? `user:${userId}` : blindIndex(platform, `notify:${message.channel}:${address ?? `user:${userId}`}`),
    template: message.template,
    params: JSON.stringify(params),
    lang: lang ?? 'zh-CN',
    status: problem ? ('failed' as const) : ('created' as const),
    attempts: 0,
    next_attempt_at: now,
    last_error: problem,
    created_at: now,
    dedupe_key: message.dedupeKey ?? null,
  };
}

// ---------------------------------------------------------------- senders and wake-up

const installedSenders = new WeakMap<Platform, NotifySenders>();
const wakers = new WeakMap<Platform, () => void>();

/** Chooses the senders of this process (startBackgroundWork installs the configured ones). */
export function useNotifySenders(platform: Platform, senders: NotifySenders) {
  installedSenders.set(platform, senders);
}

export function notifySenders(platform: Platform): NotifySenders {
  let senders = installedSenders.get(platform);
  if (!senders) {
    senders = createSenders(platform.config, silentLogger);
    installedSenders.set(platform, senders);
  }
  return senders;
}

/** Asks this process's delivery loop (if it runs one) to look for due messages now. */
export function wakeDelivery(platform: Platform) {
  wakers.get(platform)?.();
}

/**
 * Delivers right after a commit instead of waiting for the next job tick. Wake-ups while a
 * delivery is running are folded into one more round. Returns stop(), which waits for it.
 */
export function startDeliveryWaker(platform: Platform, log: Logger): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await deliverAllDue(platform, { log });
        } catch (err) {
          log.error({ err }, 'outbox delivery failed');
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  };
  wakers.set(platform, () => setImmediate(run));
  return async () => {
    stopped = true;
    wakers.delete(platform);
    await running;
  };
}

/**
 * Makes messages left 'sending' by a previous life of this process due at once. Only correct
 * when no other process can be sending: the embedded database, which one process holds.
 */
export async function releaseOrphanedClaims(platform: Platform): Promise<number> {
  const result = await notifyDb(platform.db)
    .updateTable('notify_outbox')
    .set({ next_attempt_at: platform.clock.now(), lease_until: null, claim_token: null })
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// ---------------------------------------------------------------- the worker

export const toDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));
const paramsOf = (row: OutboxRow): TemplateParams => (typeof row.params === 'string' ? JSON.parse(row.params) : row.params);

export interface DeliveryReport {
  claimed: number;
  delivered: number;
  retried: number;
  failed: number;
  /** Held back by the per-recipient rate limit. */
  deferred: number;
}

/**
 * Claims up to `batch` due messages in one short transaction: rows another worker is claiming
 * are skipped (SKIP LOCKED), rows over their recipient's rate limit are deferred, the rest
 * become 'sending' with a lease and a fresh claim token. A 'sending' row whose lease has run
 * out is due again: that is how messages of a crashed worker are retried.
 */
export async function claimDueMessages(platform: Platform, batch: number): Promise<{ claimed: OutboxRow[]; deferred: number; failed: number }> {
  return platform.db.transaction().execute(async (tx) => {
    const now = platform.clock.now();
    const candidates = (
      await sql<OutboxRow>`
        select * from notify_outbox
         where status in ('created', 'sending') and next_attempt_at <= ${now}
         order by next_attempt_at
         limit ${batch}
         for update skip locked`.execute(tx)
    ).rows;
    if (!candidates.length) return { claimed: [], deferred: 0, failed: 0 };

    // Their last attempt died with its worker: give up rather than loop on a message that kills workers.
    const exhausted = candidates.filter((row) => row.attempts >= MAX_ATTEMPTS);
    if (exhausted.length) {
      await notifyDb(tx)
        .updateTable('notify_outbox')
        .set({ status: 'failed', lease_until: null, claim_token: null, last_error: 'the last attempt did not finish (worker stopped)' })
        .where('id', 'in', exhausted.map((r) => r.id))
        .execute();
    }
    const live = candidates.filter((row) => row.attempts < MAX_ATTEMPTS);

    const limitedKeys = [...new Set(live.filter((r) => RATE_LIMITS[r.channel] !== null).map((r) => r.recipient_key))].sort();
    const usage = new Map<string, { used: number; oldest: Date | null }>();
    if (limitedKeys.length) {
      // One worker at a time counts a recipient's window, so parallel workers cannot both use its last slot.
      for (const key of limitedKeys) await sql`select pg_advisory_xact_lock(${RATE_LOCK_SPACE}, hashtext(${key}))`.execute(tx);
      const since = new Date(now.getTime() - RATE_WINDOW_MS);
      const counted = await sql<{ recipient_key: string; used: number; oldest: Date | string | null }>`
        select recipient_key, count(*)::int as used, min(delivered_at) as oldest
          from notify_outbox
         where recipient_key in (${sql.join(limitedKeys)})
           and (delivered_at >= ${since} or (status = 'sending' and next_attempt_at > ${now}))
         group by recipient_key`.execute(tx);
      for (const row of counted.rows) usage.set(row.recipient_key, { used: Number(row.used), oldest: row.oldest === null ? null : toDate(row.oldest) });
    }

    const claimIds: string[] = [];
    const deferrals = new Map<number, string[]>();
    for (const row of live) {
      const limit = RATE_LIMITS[row.channel];
      if (limit === null) {
        claimIds.push(row.id);
        continue;
      }
      const entry = usage.get(row.recipient_key) ?? { used: 0, oldest: null };
      usage.set(row.recipient_key, entry);
      if (entry.used < limit) {
        entry.used += 1;
        claimIds.push(row.id);
        continue;
      }
      // A slot frees when the oldest delivered message leaves the window; in-flight ones settle within a lease.
      const freeAt = entry.oldest ? entry.oldest.getTime() + RATE_WINDOW_MS : now.getTime() + DELIVERY_LEASE_MS;
      const at = Math.max(freeAt, now.getTime() + 1000);
      deferrals.set(at, [...(deferrals.get(at) ?? []), row.id]);
    }
    for (const [at, ids] of deferrals) {
      await notifyDb(tx)
        .updateTable('notify_outbox')
        .set({ status: 'created', next_attempt_at: new Date(at), lease_until: null, claim_token: null })
        .where('id', 'in', ids)
        .execute();
    }

    let claimed: OutboxRow[] = [];
    if (claimIds.length) {
      const leaseUntil = new Date(now.getTime() + DELIVERY_LEASE_MS);
      claimed = await notifyDb(tx)
        .updateTable('notify_outbox')
        .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), lease_until: leaseUntil, next_attempt_at: leaseUntil, claim_token: crypto.randomUUID() }))
        .where('id', 'in', claimIds)
        .returningAll()
        .execute();
      claimed.sort((a, b) => toDate(a.created_at).getTime() - toDate(b.created_at).getTime() || a.id.localeCompare(b.id));
    }
    return { claimed, deferred: [...deferrals.values()].reduce((n, ids) => n + ids.length, 0), failed: exhausted.length };
  });
}

class LeaseLost extends Error {}

function messageIdFor(platform: Platform, id: string): string {
  let host = 'localhost';
  try {
    host = new URL(platform.config.publicUrl).hostname || host;
  } catch {
    /* the default stays */
  }
  return `<${id}@${host}>`;
}

async function markDelivered(db: Db, row: OutboxRow, receipt: DeliveryReceipt, now: Date): Promise<boolean> {
  const result = await notifyDb(db)
    .updateTable('notify_outbox')
    .set({ status: 'delivered', delivered_at: now, lease_until: null, claim_token: null, last_error: null, provider_ref: receipt.ref })
    .where('id', '=', row.id)
    .where('claim_token', '=', row.claim_token)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Sends one claimed message outside any transaction, then records the outcome under its claim token. */
async function deliverClaimed(platform: Platform, senders: NotifySenders, row: OutboxRow, log: Logger): Promise<'delivered' | 'retried' | 'failed' | 'lost'> {
  try {
    const rendered = renderTemplate(row.template, row.lang, paramsOf(row));
    if (!rendered) throw new PermanentDeliveryError(`unknown template ${row.template}`);
    if (row.channel === 'inapp') {
      // The inbox row and the status change commit together: in-app delivery happens exactly once.
      try {
        await platform.db.transaction().execute(async (tx) => {
          const now = platform.clock.now();
          await notifyDb(tx)
            .insertInto('notify_inbox')
            // Dated when the event happened, so the inbox reads in the order things occurred.
            .values({ id: row.id, user_id: row.user_id!, title: rendered.subject, body: rendered.text, link: rendered.link, created_at: toDate(row.created_at) })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
          if (!(await markDelivered(tx, row, { ref: null }, now))) throw new LeaseLost();
        });
      } catch (error) {
        if (error instanceof LeaseLost) return 'lost';
        throw error;
      }
      return 'delivered';
    }
    if (!row.address_sealed) throw new PermanentDeliveryError('no address');
    const address = openField(platform, row.address_sealed);
    const receipt =
      row.channel === 'email'
        ? await senders.email.send({ messageId: messageIdFor(platform, row.id), to: address, subject: rendered.subject, text: rendered.text, lang: row.lang })
        : await senders.sms.send({ idempotencyKey: row.id, to: address, text: rendered.text, template: row.template, lang: row.lang });
    if (!(await markDelivered(platform.db, row, receipt, platform.clock.now()))) {
      log.warn({ messageId: row.id }, 'message sent after its lease was taken over; it may arrive twice');
      return 'lost';
    }
    return 'delivered';
  } catch (error) {
    const permanent = error instanceof PermanentDeliveryError;
    const giveUp = permanent || row.attempts >= MAX_ATTEMPTS;
    const now = platform.clock.now();
    const lastError = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    const result = await notifyDb(platform.db)
      .updateTable('notify_outbox')
      .set({
        status: giveUp ? 'failed' : 'created',
        next_attempt_at: giveUp ? now : new Date(now.getTime() + retryDelayMs(row.attempts)),
        lease_until: null,
        claim_token: null,
        last_error: lastError,
      })
      .where('id', '=', row.id)
      .where('claim_token', '=', row.claim_token)
      .executeTakeFirst();
    log.warn({ messageId: row.id, channel: row.channel, attempts: row.attempts, err: lastError }, giveUp ? 'message failed for good' : 'message will be retried');
    if (Number(result.numUpdatedRows) === 0) return 'lost';
    return giveUp ? 'failed' : 'retried';
  }
}

export interface DeliverOptions {
  batch?: number;
  senders?: NotifySenders;
  log?: Logger;
}

/** One worker step: claim due messages, send them (in parallel, outside the transaction), record each outcome. */
export async function deliverDue(platform: Platform, options: DeliverOptions = {}): Promise<DeliveryReport> {
  const batch = options.batch ?? 20;
  const senders = options.senders ?? notifySenders(platform);
  const log = options.log ?? silentLogger;
  const { claimed, deferred, failed } = await claimDueMessages(platform, batch);
  const report: DeliveryReport = { claimed: claimed.length, delivered: 0, retried: 0, failed, deferred };
  const outcomes = await Promise.all(claimed.map((row) => deliverClaimed(platform, senders, row, log)));
  for (const outcome of outcomes) if (outcome !== 'lost') report[outcome] += 1;
  return report;
}

/** Runs worker steps until nothing is due (bounded, so one call never runs forever). */
export async function deliverAllDue(platform: Platform, options: DeliverOptions & { maxRounds?: number } = {}): Promise<DeliveryReport> {
  const total: DeliveryReport = { claimed: 0, delivered: 0, retried: 0, failed: 0, deferred: 0 };
  const batch = options.batch ?? 20;
  for (let round = 0; round < (options.maxRounds ?? 50); round++) {
    const report = await deliverDue(platform, { ...options, batch });
    for (const key of Object.keys(total) as Array<keyof DeliveryReport>) total[key] += report[key];
    if (report.claimed + report.deferred + report.failed < batch) break;
  }
  return total;
}
