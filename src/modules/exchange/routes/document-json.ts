/** A document as the API gives it to its readers. */
import type { Lang } from '../../../platform/i18n/index.ts';
import type { DocumentView } from '../queries/documents.ts';
import { formatWrittenDate } from '../elements.ts';

export function documentJson(view: DocumentView, lang: Lang) {
  const d = view.row;
  return {
    id: d.id,
    state: d.state,
    issuingUnitId: d.sending_unit_id,
    docType: d.doc_type,
    copyNo: d.copy_no,
    secrecy: d.secrecy,
    secrecyPeriod: d.secrecy_period,
    urgency: d.urgency,
    issuingAuthority: d.issuing_authority,
    docNumber: d.doc_number,
    signer: d.signer,
    title: d.title,
    body: d.body,
    mainRecipients: d.main_recipient_ids,
    ccRecipients: d.cc_recipient_ids,
    writtenDate: d.written_date,
    writtenDateShown: formatWrittenDate(d.written_date, lang),
    notes: d.notes,
    printingUnit: d.printing_unit,
    printedDate: d.printed_date,
    countersignUnitIds: d.countersign_unit_ids,
    draftedBy: d.drafted_by,
    createdAt: new Date(d.created_at).toISOString(),
    updatedAt: new Date(d.updated_at).toISOString(),
    version: d.version,
    attachments: view.attachments.map((f) => ({ id: f.id, name: f.name, size: f.size, mime: f.mime })),
    signoff: { history: view.history, open: view.open },
  };
}
