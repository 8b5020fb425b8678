/**
 * A document as the view page and the PDF show it: the row, checked with mayReadDocument (404 for
 * anyone else), and its GB/T 9704 elements in the words printed on it: secrecy and urgency in
 * Chinese, the authority's mark, unit names for the recipients, the attachments' names, the seal.
 */
import type { Db } from '../../../platform/db/index.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { translate } from '../../../platform/i18n/index.ts';
import { getUnits } from '../../../platform/org/service.ts';
import { listAttachedFiles, type FileInfo } from '../../../platform/files/service.ts';
import type { OfficialLayout } from '../../../platform/documents/index.ts';
import { unitSealImage } from '../../approval/index.ts';
import { ATTACHMENT_OWNER, exchangeDb, type DocumentRow } from '../model.ts';
import { mayReadDocument } from './access.ts';

const zh = (key: string, params?: Record<string, unknown>) => translate('zh-CN', key, params);

/** Upward documents (上行文): the number on the left and the signer on the right. */
export const UPWARD_TYPES: readonly string[] = ['report', 'request'];
/** Documents that carry the seal: signed off (签发) and after. */
const ISSUED_STATES: readonly string[] = ['signed_off', 'sent', 'recalled'];

/** The document if the caller may read it; otherwise 404, the same as for a document that does not exist. */
export async function readableDocument(db: Db, principal: Principal, id: string): Promise<DocumentRow> {
  const row = await exchangeDb(db).selectFrom('exchange_documents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !(await mayReadDocument(db, principal, row))) throw notFound();
  return row;
}

/** 密级和保密期限 as printed: 机密★1年; null for a document that is not classified. */
export function secrecyText(row: Pick<DocumentRow, 'secrecy' | 'secrecy_period'>): string | null {
  if (row.secrecy === 'none') return null;
  const level = zh(`exchange.view.secrecy.${row.secrecy}`);
  return row.secrecy_period ? `${level}★${row.secrecy_period}` : level;
}

/** 紧急程度 as printed: 特急, 加急; null for a normal one. */
export const urgencyText = (row: Pick<DocumentRow, 'urgency'>): string | null => (row.urgency === 'normal' ? null : zh(`exchange.view.urgency.${row.urgency}`));

/** 发文机关标志: the authority followed by 文件; a letter (函) carries the authority's name alone. */
export function authorityMark(row: Pick<DocumentRow, 'issuing_authority' | 'doc_type'>): string {
  const name = row.issuing_authority.trim();
  if (row.doc_type === 'letter' || name.endsWith('文件')) return name;
  return `${name}文件`;
}

const dateOnly = (value: string | Date | null): string | null => {
  if (!value) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).slice(0, 10);
};

export interface DocumentElements {
  row: DocumentRow;
  layout: Omit<OfficialLayout, 'seal' | 'meta'>;
  /** The unit whose seal the document carries once it is signed off: null before. */
  sealUnit: { id: string; name: string } | null;
  attachments: FileInfo[];
  sendingUnitName: string;
}

/** The elements of a readable document, in the words printed on it. */
export async function documentElements(db: Db, row: DocumentRow): Promise<DocumentElements> {
  const main = row.main_recipient_ids ?? [];
  const cc = row.cc_recipient_ids ?? [];
  const names = new Map((await getUnits(db, [...new Set([row.sending_unit_id, ...main, ...cc])])).map((u) => [u.id, u.name]));
  const attachments = await listAttachedFiles(db, { ownerType: ATTACHMENT_OWNER, ownerId: row.id });
  const sendingUnitName = names.get(row.sending_unit_id) ?? row.issuing_authority;
  return {
    row,
    sendingUnitName,
    sealUnit: ISSUED_STATES.includes(row.state) ? { id: row.sending_unit_id, name: sendingUnitName } : null,
    attachments,
    layout: {
      copyNo: row.copy_no,
      secrecy: secrecyText(row),
      urgency: urgencyText(row),
      authorityMark: authorityMark(row),
      docNumber: row.doc_number,
      upward: UPWARD_TYPES.includes(row.doc_type),
      signer: row.signer,
      title: row.title,
      mainRecipients: main.map((id) => names.get(id) ?? id),
      body: row.body,
      attachments: attachments.map((f) => f.name.replace(/\.[a-z0-9]{1,5}$/i, '')),
      signature: row.issuing_authority,
      writtenDate: dateOnly(row.written_date)!,
      notes: row.notes,
      cc: cc.map((id) => names.get(id) ?? id),
      printingUnit: row.printing_unit,
      printedDate: dateOnly(row.printed_date),
    },
  };
}

/** The seal printed on an issued document: the unit's seal image when it has one, else one drawn with its name. */
export async function sealOf(db: Db, platform: Platform, elements: DocumentElements): Promise<OfficialLayout['seal']> {
  if (!elements.sealUnit) return null;
  const image = await unitSealImage(db, platform, elements.sealUnit.id);
  return image ? { image } : { name: elements.sealUnit.name };
}

/** The whole layout of a readable document for the PDF renderer. */
export async function officialLayout(db: Db, platform: Platform, row: DocumentRow): Promise<OfficialLayout> {
  const elements = await documentElements(db, row);
  return {
    ...elements.layout,
    seal: await sealOf(db, platform, elements),
    meta: { subject: zh('exchange.view.pdfSubject', { number: row.doc_number }), createdAt: new Date(row.sent_at ?? row.updated_at) },
  };
}
