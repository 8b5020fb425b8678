/** The inbox of a unit, the sender's receipt matrix and the verification of a sent document. */
import type { Db } from '../../../platform/db/index.ts';
import { readCursor, writeCursor, type KeyKind } from '../../../platform/db/pagination.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { coversUnit, hasPermission } from '../../../platform/iam/principal.ts';
import type { Platform } from '../../../platform/module.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { unitPublicKey, verifyUnitSignature } from '../../../platform/crypto/signing.ts';
import { DRAFT_PERMISSION, OVERSIGHT_PERMISSION, RECEIVE_PERMISSION, SIGNOFF_PERMISSION, exchangeDb, type DocumentRow, type ReceiptState } from '../model.ts';
import { joinedDb, orgDb } from '../groups.ts';
import { contentHashOf, receiptMessage } from '../content.ts';
import { mayReadDocument } from './access.ts';

async function unitRef(db: Db, id: string) {
  const row = await orgDb(db).selectFrom('units').select(['id', 'region_code']).where('id', '=', id).executeTakeFirst();
  return row ? { id: row.id, regionCode: row.region_code } : null;
}

/** The unit whose inbox the caller reads: the one asked for or the caller's own, if the caller is its clerk; else 404. */
export async function inboxUnit(db: Db, principal: Principal, unitId: string | undefined): Promise<string> {
  const id = unitId ?? principal.unitId;
  const unit = id ? await unitRef(db, id) : null;
  if (!unit || !coversUnit(principal, RECEIVE_PERMISSION, unit)) throw notFound();
  return unit.id;
}

export interface InboxItem {
  id: string;
  documentId: string;
  title: string;
  docNumber: string;
  urgency: string;
  copyKind: 'main' | 'cc';
  fromUnitId: string;
  fromUnitName: string;
  state: ReceiptState;
  deliveredAt: Date;
  signedAt: Date | null;
  returnedAt: Date | null;
}

// Cursor: [phase (1 unsigned, 0 the rest), delivered_at, id].
const INBOX_KINDS: KeyKind[] = ['integer', 'timestamp', 'text'];

async function inboxPhase(db: Db, unitId: string, states: ReceiptState[], after: { at: Date; id: string } | null, limit: number) {
  let query = joinedDb(db)
    .selectFrom('exchange_receipts as r')
    .innerJoin('exchange_documents as d', 'd.id', 'r.document_id')
    .innerJoin('units as u', 'u.id', 'd.sending_unit_id')
    .select(['r.id', 'r.document_id', 'r.state', 'r.copy_kind', 'r.delivered_at', 'r.signed_at', 'r.returned_at', 'd.title', 'd.doc_number', 'd.urgency', 'd.sending_unit_id', 'u.name as from_name'])
    .where('r.unit_id', '=', unitId)
    .where('r.state', 'in', states);
  if (after) query = query.where((eb) => eb.or([eb('r.delivered_at', '<', after.at), eb.and([eb('r.delivered_at', '=', after.at), eb('r.id', '<', after.id)])]));
  const rows = await query.orderBy('r.delivered_at', 'desc').orderBy('r.id', 'desc').limit(limit).execute();
  return rows.map(
    (r): InboxItem => ({
      id: r.id,
      documentId: r.document_id,
      title: r.title,
      docNumber: r.doc_number,
      urgency: r.urgency,
      copyKind: r.copy_kind,
      fromUnitId: r.sending_unit_id,
      fromUnitName: r.from_name,
      state: r.state,
      deliveredAt: r.delivered_at,
      signedAt: r.signed_at,
      returnedAt: r.returned_at,
    }),
  );
}

/**
 * A page of a unit's received documents, newest first; without a state, the unsigned ones first
 * and then the rest. Each part is a range of the index exchange_receipts_inbox.
 */
export async function listInbox(db: Db, unitId: string, filter: { state?: ReceiptState; cursor?: string; limit?: number }): Promise<{ items: InboxItem[]; next: string | null }> {
  const limit = filter.limit ?? 20;
  const cursor = readCursor(filter.cursor, INBOX_KINDS);
  const phases: Array<{ phase: number; states: ReceiptState[] }> = filter.state
    ? [{ phase: 1, states: [filter.state] }]
    : [
        { phase: 1, states: ['delivered'] },
        { phase: 0, states: ['signed', 'returned', 'recalled'] },
      ];
  const items: Array<InboxItem & { phase: number }> = [];
  for (const { phase, states } of phases) {
    if (cursor && phase > Number(cursor[0])) continue;
    const after = cursor && phase === Number(cursor[0]) ? { at: cursor[1] as Date, id: cursor[2] as string } : null;
    const rows = await inboxPhase(db, unitId, states, after, limit + 1 - items.length);
    items.push(...rows.map((r) => ({ ...r, phase })));
    if (items.length > limit) break;
  }
  if (items.length <= limit) return { items: items.map(({ phase: _, ...item }) => item), next: null };
  const page = items.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(({ phase: _, ...item }) => item), next: writeCursor(INBOX_KINDS, [last.phase, last.deliveredAt, last.id]) };
}

/** One receipt as its unit's clerk sees it, with its document's title; another unit's: 404. */
export async function getReceipt(db: Db, principal: Principal, id: string) {
  const row = await joinedDb(db)
    .selectFrom('exchange_receipts as r')
    .innerJoin('exchange_documents as d', 'd.id', 'r.document_id')
    .innerJoin('units as u', 'u.id', 'r.unit_id')
    .selectAll('r')
    .select(['d.title', 'd.doc_number', 'd.sending_unit_id', 'u.region_code'])
    .where('r.id', '=', id)
    .executeTakeFirst();
  if (!row || !coversUnit(principal, RECEIVE_PERMISSION, { id: row.unit_id, regionCode: row.region_code })) throw notFound();
  return row;
}

export const toReceiptView = (r: { id: string; document_id: string; unit_id: string; copy_kind: 'main' | 'cc'; state: ReceiptState; delivered_at: Date; signed_at: Date | null; returned_at: Date | null; reason: string | null; receipt_signature: string | null; title?: string }) => ({
  id: r.id,
  documentId: r.document_id,
  unitId: r.unit_id,
  copyKind: r.copy_kind,
  state: r.state,
  deliveredAt: r.delivered_at,
  signedAt: r.signed_at,
  returnedAt: r.returned_at,
  reason: r.reason,
  signature: r.receipt_signature,
  ...(r.title !== undefined ? { title: r.title } : {}),
});

/** The sent document for its sending unit's staff or the supervision office; anyone else: 404. */
export async function senderDocument(db: Db, principal: Principal, id: string): Promise<DocumentRow> {
  const document = await exchangeDb(db).selectFrom('exchange_documents').selectAll().where('id', '=', id).executeTakeFirst();
  const unit = document ? await unitRef(db, document.sending_unit_id) : null;
  if (!document || !unit) throw notFound();
  const sender = coversUnit(principal, DRAFT_PERMISSION, unit) || coversUnit(principal, SIGNOFF_PERMISSION, unit);
  const overseer = hasPermission(principal, OVERSIGHT_PERMISSION) && coversUnit(principal, OVERSIGHT_PERMISSION, unit);
  if (!sender && !overseer) throw notFound();
  return document;
}

export interface ReceiptMatrix {
  items: Array<{ id: string; unitId: string; unitName: string; copyKind: 'main' | 'cc'; state: ReceiptState; deliveredAt: Date; signedAt: Date | null; returnedAt: Date | null; reason: string | null; remindedAt: Date | null; chasedAt: Date | null }>;
  counts: { total: number; delivered: number; signed: number; returned: number; recalled: number };
}

const byChineseName = new Intl.Collator('zh-CN');

/** Every recipient's state, unsigned first, then by unit name: the sender's view (one statement). */
export async function receiptMatrix(db: Db, documentId: string): Promise<ReceiptMatrix> {
  const rows = await joinedDb(db)
    .selectFrom('exchange_receipts as r')
    .innerJoin('units as u', 'u.id', 'r.unit_id')
    .select(['r.id', 'r.unit_id', 'u.name', 'r.copy_kind', 'r.state', 'r.delivered_at', 'r.signed_at', 'r.returned_at', 'r.reason', 'r.reminded_at', 'r.chased_at'])
    .where('r.document_id', '=', documentId)
    .execute();
  const order: Record<ReceiptState, number> = { delivered: 0, returned: 1, signed: 2, recalled: 3 };
  // One collator for the whole sort: localeCompare with a locale builds one per comparison (about 10,000 for 1,000 units).
  rows.sort((a, b) => order[a.state] - order[b.state] || (a.copy_kind === b.copy_kind ? 0 : a.copy_kind === 'main' ? -1 : 1) || byChineseName.compare(a.name, b.name) || (a.id < b.id ? -1 : 1));
  const counts = { total: rows.length, delivered: 0, signed: 0, returned: 0, recalled: 0 };
  for (const r of rows) counts[r.state]++;
  return {
    items: rows.map((r) => ({ id: r.id, unitId: r.unit_id, unitName: r.name, copyKind: r.copy_kind, state: r.state, deliveredAt: r.delivered_at, signedAt: r.signed_at, returnedAt: r.returned_at, reason: r.reason, remindedAt: r.reminded_at, chasedAt: r.chased_at })),
    counts,
  };
}

export interface Verification {
  ok: boolean;
  /** The stored content and attachments hash to the hash that was signed. */
  content: boolean;
  /** The sending unit's signature over the hash checks out with the unit's key. */
  signature: boolean;
  receipts: { signed: number; valid: number; invalid: Array<{ id: string; unitId: string }> };
}

/** Recomputes the hash from what is stored now and checks the sender's and every receipt's signature. */
export async function verifyDocument(db: Db, platform: Platform, principal: Principal, id: string): Promise<Verification> {
  const document = await exchangeDb(db).selectFrom('exchange_documents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!document || !(await mayReadDocument(db, principal, document))) throw notFound();
  if (!document.content_hash || !document.signature) return { ok: false, content: false, signature: false, receipts: { signed: 0, valid: 0, invalid: [] } };
  const content = (await contentHashOf(db, platform, document)) === document.content_hash;
  const senderKey = await unitPublicKey(db, platform, document.sending_unit_id);
  const signature = verifyUnitSignature(platform, senderKey, document.content_hash, document.signature);
  const signed = await exchangeDb(db).selectFrom('exchange_receipts').select(['id', 'unit_id', 'signed_at', 'receipt_signature']).where('document_id', '=', id).where('state', '=', 'signed').execute();
  const keys = new Map<string, string>();
  const invalid: Array<{ id: string; unitId: string }> = [];
  for (const r of signed) {
    if (!keys.has(r.unit_id)) keys.set(r.unit_id, await unitPublicKey(db, platform, r.unit_id));
    const good = !!r.receipt_signature && !!r.signed_at && verifyUnitSignature(platform, keys.get(r.unit_id)!, receiptMessage(document.content_hash, r.unit_id, r.signed_at), r.receipt_signature);
    if (!good) invalid.push({ id: r.id, unitId: r.unit_id });
  }
  return { ok: content && signature && invalid.length === 0, content, signature, receipts: { signed: signed.length, valid: signed.length - invalid.length, invalid } };
}
