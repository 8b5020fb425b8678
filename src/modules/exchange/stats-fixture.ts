/**
 * Test fixture of the statistics and supervision tests: documents and receipts written straight
 * into the exchange tables in the states a test needs (sent, signed, returned, late …), and a
 * draft's sign-off started on the process engine. Never used by the product.
 */
import crypto from 'node:crypto';
import type { Db } from '../../platform/db/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import { startInstance } from '../../platform/flow/service.ts';
import { exchangeDb, SIGNOFF_SUBJECT, type DocumentState, type ReceiptState } from './model.ts';
import { signoffDefinition } from './signoff.ts';

let seq = 0;

export async function insertDocument(
  db: Db,
  input: { sendingUnitId: string; state?: DocumentState; title?: string; sentAt?: Date | null; createdAt: Date; urgency?: 'normal' | 'urgent' | 'extra_urgent'; mainRecipientIds?: string[] },
): Promise<string> {
  const id = crypto.randomUUID();
  seq += 1;
  await exchangeDb(db)
    .insertInto('exchange_documents')
    .values({
      id,
      sending_unit_id: input.sendingUnitId,
      drafted_by: 'fixture',
      state: input.state ?? 'sent',
      issuing_authority: '测试市人民政府办公室',
      doc_number: `测府办发〔2026〕${seq}号`,
      title: input.title ?? `关于做好第${seq}项工作的通知`,
      body: '<p>正文</p>',
      urgency: input.urgency ?? 'normal',
      main_recipient_ids: JSON.stringify(input.mainRecipientIds ?? []),
      written_date: '2026-12-01',
      sent_at: input.sentAt === undefined ? (input.state === undefined || input.state === 'sent' ? input.createdAt : null) : input.sentAt,
      created_at: input.createdAt,
      updated_at: input.createdAt,
    } as never)
    .execute();
  return id;
}

export interface ReceiptFixture {
  documentId: string;
  unitId: string;
  state?: ReceiptState;
  deliveredAt: Date;
  chaseAt: Date;
  signedAt?: Date | null;
  returnedAt?: Date | null;
  by?: string | null;
}

export async function insertReceipt(db: Db, input: ReceiptFixture): Promise<string> {
  const id = crypto.randomUUID();
  const state = input.state ?? 'delivered';
  await exchangeDb(db)
    .insertInto('exchange_receipts')
    .values({
      id,
      document_id: input.documentId,
      unit_id: input.unitId,
      copy_kind: 'main',
      state,
      delivered_at: input.deliveredAt,
      chase_at: input.chaseAt,
      signed_at: state === 'signed' ? (input.signedAt ?? input.deliveredAt) : null,
      signed_by: state === 'signed' ? (input.by ?? 'fixture-clerk') : null,
      returned_at: state === 'returned' ? (input.returnedAt ?? input.deliveredAt) : null,
      returned_by: state === 'returned' ? (input.by ?? 'fixture-clerk') : null,
      reason: state === 'returned' ? '不属于本单位办理' : null,
    } as never)
    .execute();
  return id;
}

/** Signs a delivered receipt for at `at` (the row only, as the signing command leaves it). */
export async function signReceipt(db: Db, receiptId: string, at: Date, by = 'fixture-clerk') {
  await exchangeDb(db).updateTable('exchange_receipts').set({ state: 'signed', signed_at: at, signed_by: by }).where('id', '=', receiptId).where('state', '=', 'delivered').execute();
}

/**
 * A draft handed to sign-off's process as submitDocument starts it (the unit's default settings:
 * 拟稿 → 签发): the row is a draft and its 拟稿 step is open; the clerk completes that step through
 * the task inbox (`POST /api/v1/tasks/:id/complete`) to put it in sign-off.
 */
export async function draftWithSignoff(platform: Platform, sendingUnitId: string, mainRecipientIds: string[]): Promise<string> {
  const id = await insertDocument(platform.db, { sendingUnitId, state: 'draft', sentAt: null, createdAt: platform.clock.now(), mainRecipientIds });
  const definition = signoffDefinition({ sending_unit_id: sendingUnitId, countersign_unit_ids: [] }, false);
  await inTransaction(platform.db, SYSTEM_ACTOR, (work) => startInstance(work, platform, { definition, subjectType: SIGNOFF_SUBJECT, subjectId: id }));
  return id;
}
