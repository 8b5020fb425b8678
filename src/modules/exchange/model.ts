import type { Selectable } from 'kysely';
import type { Db } from '../../platform/db/index.ts';

/** The exchange module's tables (typed private tables: `db.withTables<ExchangeTables>()`). */
export interface DocumentTable {
  id: string;
  sending_unit_id: string;
  drafted_by: string;
  state: DocumentState;
  doc_type: string;
  copy_no: string | null;
  secrecy: Secrecy;
  secrecy_period: string | null;
  urgency: Urgency;
  issuing_authority: string;
  doc_number: string;
  signer: string | null;
  title: string;
  body: string;
  main_recipient_ids: string[];
  cc_recipient_ids: string[];
  /** 'YYYY-MM-DD'. */
  written_date: string;
  notes: string | null;
  printing_unit: string | null;
  printed_date: string | null;
  countersign_unit_ids: string[];
  content_hash: string | null;
  signature: string | null;
  signer_public_key: string | null;
  sent_at: Date | null;
  sent_by: string | null;
  recalled_at: Date | null;
  recall_reason: string | null;
  forwarded_from_receipt_id: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

export interface ReceiptTable {
  id: string;
  document_id: string;
  unit_id: string;
  copy_kind: 'main' | 'cc';
  state: ReceiptState;
  delivered_at: Date;
  chase_at: Date;
  chased_at: Date | null;
  reminded_at: Date | null;
  signed_at: Date | null;
  signed_by: string | null;
  returned_at: Date | null;
  returned_by: string | null;
  reason: string | null;
  receipt_signature: string | null;
  receipt_public_key: string | null;
  version: number;
}

export interface UnitGroupTable {
  id: string;
  owner_unit_id: string | null;
  name: string;
  unit_ids: string[];
  created_at: Date;
  updated_at: Date;
}

export interface SignoffSettingsTable {
  unit_id: string;
  review_step: boolean;
  updated_at: Date;
}

export type ExchangeTables = {
  exchange_documents: DocumentTable;
  exchange_receipts: ReceiptTable;
  exchange_unit_groups: UnitGroupTable;
  exchange_signoff_settings: SignoffSettingsTable;
};

export type DocumentRow = Selectable<DocumentTable>;
export type ReceiptRow = Selectable<ReceiptTable>;

export const DOCUMENT_STATES = ['draft', 'in_signoff', 'signed_off', 'sent', 'recalled'] as const;
export type DocumentState = (typeof DOCUMENT_STATES)[number];
export const RECEIPT_STATES = ['delivered', 'signed', 'returned', 'recalled'] as const;
export type ReceiptState = (typeof RECEIPT_STATES)[number];
export const SECRECY = ['none', 'secret', 'confidential'] as const;
export type Secrecy = (typeof SECRECY)[number];
export const URGENCY = ['normal', 'urgent', 'extra_urgent'] as const;
export type Urgency = (typeof URGENCY)[number];

/** The 15 types of document of the Regulations on the Handling of Official Documents (党政机关公文处理工作条例, art. 8). */
export const DOC_TYPES = [
  'resolution', // 决议
  'decision', // 决定
  'order', // 命令（令）
  'communique', // 公报
  'announcement', // 公告
  'public_notice', // 通告
  'opinion', // 意见
  'notice', // 通知
  'circular', // 通报
  'report', // 报告
  'request', // 请示
  'reply', // 批复
  'proposal', // 议案
  'letter', // 函
  'minutes', // 纪要
] as const;
export type DocType = (typeof DOC_TYPES)[number];

/** Subject type of the sign-off process instances (the platform's process engine). */
export const SIGNOFF_SUBJECT = 'exchange_document';
/** Owner type of a document's attachments in the files module. */
export const ATTACHMENT_OWNER = 'exchange.document';

/** Permissions. */
export const DRAFT_PERMISSION = 'exchange.draft';
export const RECEIVE_PERMISSION = 'exchange.receive';
export const SIGNOFF_PERMISSION = 'exchange.signoff';
export const STATS_PERMISSION = 'exchange.stats';
export const OVERSIGHT_PERMISSION = 'exchange.oversee';

/** The module's tables on a connection or a unit of work's transaction (`work.db`). */
export const exchangeDb = (db: Db) => db.withTables<ExchangeTables>();
