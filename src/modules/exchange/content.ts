/**
 * What is hashed and signed when a document is sent: its frozen content and its attachments'
 * SM3 digests in one canonical form (canonical JSON), and what a receiving unit signs for.
 */
import type { Db } from '../../platform/db/index.ts';
import type { Platform } from '../../platform/module.ts';
import { canonicalJson } from '../../platform/crypto/canonical-json.ts';
import { listAttachedFiles } from '../../platform/files/service.ts';
import { ATTACHMENT_OWNER, exchangeDb, type DocumentRow } from './model.ts';

/** The document whose attachments a document carries: a forwarded document carries its source's. */
export async function attachmentOwnerId(db: Db, document: Pick<DocumentRow, 'id' | 'forwarded_from_receipt_id'>): Promise<string> {
  let id = document.id;
  let from = document.forwarded_from_receipt_id;
  for (let depth = 0; from && depth < 20; depth++) {
    const row = await exchangeDb(db)
      .selectFrom('exchange_receipts as r')
      .innerJoin('exchange_documents as d', 'd.id', 'r.document_id')
      .select(['d.id', 'd.forwarded_from_receipt_id'])
      .where('r.id', '=', from)
      .executeTakeFirst();
    if (!row) break;
    id = row.id;
    from = row.forwarded_from_receipt_id;
  }
  return id;
}

/** The canonical text of a document's frozen content and its attachments' digests. */
export async function canonicalContent(db: Db, document: DocumentRow): Promise<string> {
  const files = await listAttachedFiles(db, { ownerType: ATTACHMENT_OWNER, ownerId: await attachmentOwnerId(db, document) });
  return canonicalJson({
    id: document.id,
    sendingUnitId: document.sending_unit_id,
    docType: document.doc_type,
    copyNo: document.copy_no,
    secrecy: document.secrecy,
    secrecyPeriod: document.secrecy_period,
    urgency: document.urgency,
    issuingAuthority: document.issuing_authority,
    docNumber: document.doc_number,
    signer: document.signer,
    title: document.title,
    body: document.body,
    mainRecipientIds: document.main_recipient_ids,
    ccRecipientIds: document.cc_recipient_ids,
    writtenDate: document.written_date,
    notes: document.notes,
    printingUnit: document.printing_unit,
    printedDate: document.printed_date,
    forwardedFromReceiptId: document.forwarded_from_receipt_id,
    attachments: files.map((f) => ({ id: f.id, name: f.name, size: f.size, sm3: f.sm3 })),
  });
}

/** SM3 of the canonical content. */
export async function contentHashOf(db: Db, platform: Platform, document: DocumentRow): Promise<string> {
  return platform.crypto.sm3(await canonicalContent(db, document));
}

/** What a receiving unit signs when its clerk signs for a document: (document hash, unit, time). */
export const receiptMessage = (contentHash: string, unitId: string, signedAt: Date) => canonicalJson({ contentHash, unitId, signedAt: signedAt.toISOString() });
