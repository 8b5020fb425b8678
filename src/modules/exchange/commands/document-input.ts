/** What the create and update commands share: the elements as columns, and the units they name. */
import type { Db } from '../../../platform/db/index.ts';
import { fieldError, type FieldError } from '../../../platform/http/errors.ts';
import { getUnits } from '../../../platform/org/service.ts';
import type { DocumentRow, DocType, Secrecy, Urgency } from '../model.ts';
import { sanitizeBody } from '../../../platform/views/rich-text.ts';
import type { DocumentElementsInput } from '../elements.ts';

/** The API's body of a new document (and, all optional, of a change). */
export interface DocumentInput extends DocumentElementsInput {
  title: string;
  docNumber: string;
  issuingUnitId: string;
  secrecy: Secrecy;
  urgency: Urgency;
  body: string;
  attachments: string[];
  mainRecipients: string[];
  ccRecipients: string[];
  writtenDate: string;
  docType?: DocType;
}

const orNull = (value: string | null | undefined) => (typeof value === 'string' && value.trim() ? value.trim() : null);
export const json = (value: unknown) => JSON.stringify(value) as never;

/** The stored row's elements in the API's words (for merging a change and for the compose form). */
export function inputOfRow(row: DocumentRow): Omit<DocumentInput, 'attachments'> & { attachments?: string[] } {
  return {
    title: row.title,
    docNumber: row.doc_number,
    issuingUnitId: row.sending_unit_id,
    secrecy: row.secrecy,
    secrecyPeriod: row.secrecy_period,
    urgency: row.urgency,
    signer: row.signer,
    body: row.body,
    mainRecipients: row.main_recipient_ids,
    ccRecipients: row.cc_recipient_ids,
    writtenDate: row.written_date,
    docType: row.doc_type as DocType,
    copyNo: row.copy_no,
    issuingAuthority: row.issuing_authority,
    notes: row.notes,
    printingUnit: row.printing_unit,
    printedDate: row.printed_date,
    countersignUnitIds: row.countersign_unit_ids,
  };
}

/** The columns of the elements, checked already (elementErrors), the body sanitised. */
export function columnsOf(input: DocumentInput, issuingUnitName: string) {
  const secrecy = input.secrecy ?? 'none';
  return {
    doc_type: input.docType ?? 'notice',
    copy_no: orNull(input.copyNo),
    secrecy,
    secrecy_period: secrecy === 'none' ? null : orNull(input.secrecyPeriod),
    urgency: input.urgency ?? 'normal',
    issuing_authority: orNull(input.issuingAuthority) ?? issuingUnitName,
    doc_number: input.docNumber.trim(),
    signer: orNull(input.signer),
    title: input.title.trim(),
    body: sanitizeBody(input.body),
    main_recipient_ids: json(input.mainRecipients),
    cc_recipient_ids: json(input.ccRecipients ?? []),
    written_date: input.writtenDate.trim(),
    notes: orNull(input.notes),
    printing_unit: orNull(input.printingUnit),
    printed_date: orNull(input.printedDate),
    countersign_unit_ids: json(input.countersignUnitIds ?? []),
  };
}

/** Units named by the document that do not exist (recipients and countersigning units). */
export async function unknownUnitErrors(db: Db, input: Pick<DocumentInput, 'mainRecipients' | 'ccRecipients' | 'countersignUnitIds'>): Promise<FieldError[]> {
  const lists = { mainRecipients: input.mainRecipients ?? [], ccRecipients: input.ccRecipients ?? [], countersignUnitIds: input.countersignUnitIds ?? [] };
  const known = new Set((await getUnits(db, [...new Set(Object.values(lists).flat())])).map((u) => u.id));
  const errors: FieldError[] = [];
  for (const [path, ids] of Object.entries(lists)) {
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length) errors.push(fieldError(path, 'exchange.doc.unitUnknown', { ids: unknown.slice(0, 5).join(', ') }));
  }
  return errors;
}
