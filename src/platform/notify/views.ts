/** Reading the outbox (operators) and an account's in-app inbox. */
import type { Db } from '../db/index.ts';
import type { Work } from '../db/work.ts';
import { keysetPage, type Keyset } from '../db/pagination.ts';
import type { Platform } from '../module.ts';
import type { Lang } from '../i18n/index.ts';
import { openField } from '../crypto/fields.ts';
import { maskPhone } from '../org/codes.ts';
import { notFound } from '../http/errors.ts';
import { maskEmail } from './senders.ts';
import { notifyDb, toDate, type Channel, type InboxRow, type OutboxRow, type OutboxStatus } from './service.ts';

// ---------------------------------------------------------------- reading

export interface OutboxView {
  id: string;
  channel: Channel;
  userId: string | null;
  address: string | null;
  template: string;
  lang: Lang;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string | null;
  leaseUntil: string | null;
  lastError: string | null;
  providerRef: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

function maskedAddress(platform: Platform, row: OutboxRow): string | null {
  if (!row.address_sealed) return null;
  try {
    const plain = openField(platform, row.address_sealed);
    return row.channel === 'sms' ? maskPhone(plain) : maskEmail(plain);
  } catch {
    return '***';
  }
}

export function toOutboxView(platform: Platform, row: OutboxRow): OutboxView {
  const pending = row.status === 'created' || row.status === 'sending';
  return {
    id: row.id,
    channel: row.channel,
    userId: row.user_id,
    address: maskedAddress(platform, row),
    template: row.template,
    lang: row.lang,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: pending ? toDate(row.next_attempt_at).toISOString() : null,
    leaseUntil: row.lease_until ? toDate(row.lease_until).toISOString() : null,
    lastError: row.last_error,
    providerRef: row.provider_ref,
    createdAt: toDate(row.created_at).toISOString(),
    deliveredAt: row.delivered_at ? toDate(row.delivered_at).toISOString() : null,
  };
}

/** Outbox and inbox are read newest first. */
const NEWEST_FIRST: Keyset<{ created_at: Date | string; id: string }> = {
  keys: [
    { by: 'created_at', kind: 'timestamp', of: (r) => r.created_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/** The outbox, newest first (operators watch delivery); addresses masked. */
export async function listOutbox(platform: Platform, filter: { status?: OutboxStatus; limit: number; cursor?: string }) {
  let query = notifyDb(platform.db).selectFrom('notify_outbox').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  const page = await keysetPage(query, NEWEST_FIRST, filter);
  return { items: page.items.map((row) => toOutboxView(platform, row)), nextCursor: page.nextCursor };
}

export async function getOutboxMessage(platform: Platform, id: string): Promise<OutboxRow | null> {
  return (await notifyDb(platform.db).selectFrom('notify_outbox').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

export interface InboxView {
  id: string;
  title: string;
  body: string;
  link: string | null;
  createdAt: string;
  readAt: string | null;
}

export const toInboxView = (row: InboxRow): InboxView => ({
  id: row.id,
  title: row.title,
  body: row.body,
  link: row.link,
  createdAt: toDate(row.created_at).toISOString(),
  readAt: row.read_at ? toDate(row.read_at).toISOString() : null,
});

/** A user's in-app messages, newest first. */
export async function listInbox(db: Db, userId: string, filter: { unread?: boolean; limit: number; cursor?: string }) {
  let query = notifyDb(db).selectFrom('notify_inbox').selectAll().where('user_id', '=', userId);
  if (filter.unread) query = query.where('read_at', 'is', null);
  const page = await keysetPage(query, NEWEST_FIRST, filter);
  return { items: page.items.map(toInboxView), nextCursor: page.nextCursor };
}

export async function countUnread(db: Db, userId: string): Promise<number> {
  const row = await notifyDb(db).selectFrom('notify_inbox').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Marks one of the user's own messages read (the first time counts); another user's message is 404. */
export async function markInboxRead(work: Work, platform: Platform, userId: string, id: string): Promise<InboxView> {
  const now = platform.clock.now();
  const updated = await notifyDb(work.tx)
    .updateTable('notify_inbox')
    .set({ read_at: now })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (updated) return toInboxView(updated);
  const existing = await notifyDb(work.tx).selectFrom('notify_inbox').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  if (!existing) throw notFound();
  return toInboxView(existing);
}
