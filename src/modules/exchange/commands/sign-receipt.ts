/**
 * A recipient unit's clerk signs for a document (签收) or returns it with a reason (退回). Either
 * is one conditional update `where state = 'delivered'`: of two clerks at once exactly one wins,
 * and a receipt is never both signed and returned.
 */
import { sql } from '../../../platform/db/index.ts';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { coversUnit } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { AppError, fieldError, invalid, notFound } from '../../../platform/http/errors.ts';
import { signAsUnit } from '../../../platform/crypto/signing.ts';
import { RECEIVE_PERMISSION, exchangeDb, type ReceiptRow } from '../model.ts';
import { joinedDb } from '../groups.ts';
import { receiptMessage } from '../content.ts';
import { notifyAccount } from '../notify.ts';
import { documentChanged } from '../events.ts';

/** A receipt of a unit the caller is a clerk of (exchange.receive), with its document; anyone else: 404. */
export async function ownReceipt(db: Work['tx'], principal: Principal, id: string) {
  const row = await joinedDb(db)
    .selectFrom('exchange_receipts as r')
    .innerJoin('exchange_documents as d', 'd.id', 'r.document_id')
    .innerJoin('units as u', 'u.id', 'r.unit_id')
    .selectAll('r')
    .select(['d.title', 'd.doc_number', 'd.content_hash', 'd.sent_by', 'd.sending_unit_id', 'u.region_code', 'u.name as unit_name'])
    .where('r.id', '=', id)
    .executeTakeFirst();
  if (!row || !coversUnit(principal, RECEIVE_PERMISSION, { id: row.unit_id, regionCode: row.region_code })) throw notFound();
  return row;
}

/** Why a receipt that is no longer 'delivered' cannot be signed or returned. */
export function receiptStateError(state: ReceiptRow['state']): AppError {
  if (state === 'signed') return new AppError('EXCHANGE_RECEIPT_ALREADY_SIGNED');
  if (state === 'returned') return new AppError('EXCHANGE_RECEIPT_ALREADY_RETURNED');
  return new AppError('EXCHANGE_RECEIPT_RECALLED');
}

async function finish(work: Work, principal: Principal, id: string, changes: Record<string, unknown>) {
  const updated = await exchangeDb(work.tx)
    .updateTable('exchange_receipts')
    .set({ ...changes, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .where('state', '=', 'delivered')
    .returningAll()
    .executeTakeFirst();
  if (!updated) {
    const now = await exchangeDb(work.tx).selectFrom('exchange_receipts').select('state').where('id', '=', id).executeTakeFirstOrThrow();
    throw receiptStateError(now.state);
  }
  return updated;
}

export async function signReceipt(work: Work, platform: Platform, principal: Principal, id: string): Promise<ReceiptRow> {
  const receipt = await ownReceipt(work.tx, principal, id);
  if (receipt.state !== 'delivered') throw receiptStateError(receipt.state);
  const now = platform.clock.now();
  const { signature, publicKey } = await signAsUnit(work, platform, receipt.unit_id, receiptMessage(receipt.content_hash ?? '', receipt.unit_id, now));
  const updated = await finish(work, principal, id, { state: 'signed', signed_at: now, signed_by: principal.userId, receipt_signature: signature, receipt_public_key: publicKey });
  recordAudit(work, { action: 'exchange.receipt.sign', objectType: 'exchange_receipt', objectId: id, details: { documentId: receipt.document_id, unitId: receipt.unit_id } }, now);
  await documentChanged(work, platform, { documentId: receipt.document_id, receiptId: id, action: 'sign' });
  await notifyAccount(work, platform, receipt.sent_by, 'exchange.signed', { unit: receipt.unit_name, title: receipt.title, docNumber: receipt.doc_number, documentId: receipt.document_id });
  return updated;
}

export async function returnReceipt(work: Work, platform: Platform, principal: Principal, id: string, input: { reason: string }): Promise<ReceiptRow> {
  const reason = input.reason.trim();
  if (!reason) throw invalid([fieldError('reason', 'exchange.receipt.reasonRequired')]);
  const receipt = await ownReceipt(work.tx, principal, id);
  if (receipt.state !== 'delivered') throw receiptStateError(receipt.state);
  const now = platform.clock.now();
  const updated = await finish(work, principal, id, { state: 'returned', returned_at: now, returned_by: principal.userId, reason });
  recordAudit(work, { action: 'exchange.receipt.return', objectType: 'exchange_receipt', objectId: id, details: { documentId: receipt.document_id, unitId: receipt.unit_id, reason } }, now);
  await documentChanged(work, platform, { documentId: receipt.document_id, receiptId: id, action: 'return' });
  await notifyAccount(work, platform, receipt.sent_by, 'exchange.returned', { unit: receipt.unit_name, title: receipt.title, docNumber: receipt.doc_number, documentId: receipt.document_id, reason });
  return updated;
}
