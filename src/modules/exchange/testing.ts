/**
 * A signed-off document for tests and benchmarks of distribution and receipt, written as a row:
 * what the sign-off leaves behind (state signed_off), before it is sent.
 */
import crypto from 'node:crypto';
import type { Platform } from '../../platform/module.ts';
import { exchangeDb, type Urgency } from './model.ts';

export interface SignedOffInput {
  sendingUnitId: string;
  draftedBy: string;
  mainRecipientIds: string[];
  ccRecipientIds?: string[];
  title?: string;
  docNumber?: string;
  urgency?: Urgency;
  body?: string;
}

let sequence = 0;

export async function insertSignedOffDocument(platform: Platform, input: SignedOffInput): Promise<string> {
  const id = crypto.randomUUID();
  const now = platform.clock.now();
  sequence++;
  await exchangeDb(platform.db)
    .insertInto('exchange_documents')
    .values({
      id,
      sending_unit_id: input.sendingUnitId,
      drafted_by: input.draftedBy,
      state: 'signed_off',
      doc_type: 'notice',
      copy_no: null,
      secrecy: 'none',
      secrecy_period: null,
      urgency: input.urgency ?? 'normal',
      issuing_authority: '测试市人民政府办公室',
      doc_number: input.docNumber ?? `测政办发〔2026〕${process.pid % 1000}${sequence}号`,
      signer: null,
      title: input.title ?? `关于做好第${sequence}项工作的通知`,
      body: input.body ?? '<p>各县（市、区）人民政府，市直各部门：</p><p>现将有关事项通知如下。</p>',
      main_recipient_ids: JSON.stringify(input.mainRecipientIds) as never,
      cc_recipient_ids: JSON.stringify(input.ccRecipientIds ?? []) as never,
      written_date: '2026-12-01',
      notes: null,
      printing_unit: null,
      printed_date: null,
      countersign_unit_ids: '[]' as never,
      content_hash: null,
      signature: null,
      signer_public_key: null,
      sent_at: null,
      sent_by: null,
      recalled_at: null,
      recall_reason: null,
      forwarded_from_receipt_id: null,
      created_at: now,
      updated_at: now,
      version: 1,
    })
    .execute();
  return id;
}
