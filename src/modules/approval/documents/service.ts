/**
 * The issued documents of a case as PDF: the certificate (许可证/批准文书) and the notices
 * 受理通知书, 不予受理通知书, 补正材料通知书, 不予许可决定书. A document is generated the first
 * time it is asked for after the case has the outcome it records, stored through the files
 * module and recorded in approval_documents; from then on the stored bytes are served, so what
 * the applicant downloads later is byte for byte what was issued.
 */
import { sql } from '../../../platform/db/index.ts';
import { inTransaction, type Actor, type Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { translate } from '../../../platform/i18n/index.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import { getUnits } from '../../../platform/org/service.ts';
import { getFile, readFileContent, storeGeneratedFile, type FileAccessPolicy } from '../../../platform/files/service.ts';
import { DOCUMENT_KINDS, type DocumentKind } from '../model.ts';
import { correctionOf, decisionOf, eventsOf, q, visibleCase, type CaseRow } from '../queries/cases.ts';
import type { Item } from '../queries/items.ts';
import { chineseDate, renderOfficialDocument, type OfficialDocument } from './pdf.ts';
import { sealImage } from './seals.ts';

/** Owner type of the stored documents in the files module. */
export const DOCUMENT_OWNER = 'approval.document';

const zh = (key: string, params?: Record<string, unknown>) => translate('zh-CN', key, params);

export const isDocumentKind = (value: string): value is DocumentKind => (DOCUMENT_KINDS as readonly string[]).includes(value);

type Events = Awaited<ReturnType<typeof eventsOf>>;

/** When and by which unit the document's outcome came about; null when the case has no such outcome. */
function outcomeOf(kind: DocumentKind, app: CaseRow, item: Item, events: Events): { at: Date; unitId: string } | null {
  const decision = decisionOf(events);
  const correction = correctionOf(events);
  switch (kind) {
    case 'certificate':
      return app.certificate_id && app.finished_at ? { at: new Date(app.finished_at), unitId: app.unit_id } : null;
    case 'acceptance':
      return app.accepted_at ? { at: new Date(app.accepted_at), unitId: item.unitId } : null;
    case 'correction':
      return correction ? { at: new Date(correction.requestedAt), unitId: correction.unitId } : null;
    case 'non_acceptance':
      return decision?.notAccepted ? { at: new Date(decision.decidedAt), unitId: decision.unitId } : null;
    case 'denial':
      return decision && !decision.notAccepted ? { at: new Date(decision.decidedAt), unitId: decision.unitId } : null;
  }
}

/** The documents a case has (for links): from what a case view shows of its outcomes. */
export function documentKindsOf(view: { acceptedAt: string | null; correction: unknown; decision: { notAccepted: boolean } | null; result: unknown }): DocumentKind[] {
  const kinds: DocumentKind[] = [];
  if (view.acceptedAt) kinds.push('acceptance');
  if (view.correction) kinds.push('correction');
  if (view.decision) kinds.push(view.decision.notAccepted ? 'non_acceptance' : 'denial');
  if (view.result) kinds.push('certificate');
  return kinds;
}

/** Where a document of a case is downloaded. */
export const documentUrl = (id: string, kind: DocumentKind) => (kind === 'certificate' ? `/api/v1/approval/applications/${id}/certificate.pdf` : `/api/v1/approval/applications/${id}/notices/${kind}.pdf`);

export interface IssuedDocument {
  name: string;
  content: Buffer;
  sm3: string;
}

/**
 * The document of a case for the caller: the applicant, the clerk who filed it, or staff who may
 * see the case (someone else: 404). A kind the case has no outcome for is 404 with a message
 * saying so. Generated and stored on first request; the stored bytes afterwards.
 */
export async function issuedDocument(platform: Platform, principal: Principal, actor: Actor, id: string, kind: string): Promise<IssuedDocument> {
  const { app, item } = await visibleCase(platform.db, principal, id);
  if (!isDocumentKind(kind)) throw notFound({ key: 'approval.document.unknownKind' });
  const events = await eventsOf(platform.db, app.id);
  if (!outcomeOf(kind, app, item, events)) throw notFound({ key: 'approval.document.notIssued', params: { name: zh(`approval.document.kind.${kind}`) } });
  const stored = await storedDocument(platform, app.id, kind);
  if (stored) return stored;
  await inTransaction(platform.db, actor, async (work) => {
    // One issuer at a time per case: whoever comes second finds the document stored.
    await q(work.tx).selectFrom('approval_applications').select('id').where('id', '=', app.id).forUpdate().executeTakeFirst();
    const existing = await q(work.tx).selectFrom('approval_documents').select('file_id').where('application_id', '=', app.id).where('kind', '=', kind).executeTakeFirst();
    if (!existing) await issueDocument(work, platform, principal, app, item, events, kind);
  });
  return (await storedDocument(platform, app.id, kind))!;
}

async function storedDocument(platform: Platform, applicationId: string, kind: DocumentKind): Promise<IssuedDocument | null> {
  const row = await q(platform.db).selectFrom('approval_documents').select('file_id').where('application_id', '=', applicationId).where('kind', '=', kind).executeTakeFirst();
  if (!row) return null;
  const file = await getFile(platform.db, row.file_id);
  if (!file) return null;
  return { name: file.name, content: await readFileContent(platform, file), sm3: file.sm3 };
}

/** Lays out, stores and records one document of a case, in the caller's unit of work. */
async function issueDocument(work: Work, platform: Platform, principal: Principal, app: CaseRow, item: Item, events: Events, kind: DocumentKind) {
  const outcome = outcomeOf(kind, app, item, events)!;
  const date = shanghaiDate(outcome.at);
  const year = date.slice(0, 4);
  const certificate =
    kind === 'certificate' ? await q(work.tx).selectFrom('approval_certificates').selectAll().where('id', '=', app.certificate_id!).executeTakeFirstOrThrow() : null;
  let serial: number;
  if (certificate) serial = Number(certificate.certificate_no.slice(4));
  else {
    const { rows } = await sql<{ n: string }>`select nextval('approval_document_seq') as n`.execute(work.tx);
    serial = Number(rows[0].n);
  }
  const documentNo = zh(`approval.document.no.${kind}`, { year, n: serial });
  const units = new Map((await getUnits(work.tx, [outcome.unitId])).map((u) => [u.id, u.name]));
  const issuer = (certificate?.content.unitName as string | undefined) || units.get(outcome.unitId) || '';
  const title = kind === 'certificate' ? item.resultName || zh('approval.document.kind.certificate') : zh(`approval.document.kind.${kind}`);
  const base: Pick<OfficialDocument, 'issuer' | 'documentNo' | 'title' | 'date' | 'seal' | 'meta'> = {
    issuer,
    documentNo,
    title,
    date: chineseDate(date),
    seal: await sealImage(work.tx, platform, outcome.unitId),
    meta: { subject: zh('approval.document.subject', { item: item.name, receiptNo: app.receipt_no }), createdAt: outcome.at },
  };
  const layout = certificate ? certificateLayout(platform, app, item, certificate) : noticeLayout(platform, app, item, events, kind as Exclude<DocumentKind, 'certificate'>);
  const pdf = await renderOfficialDocument({ ...base, ...layout });
  const now = platform.clock.now();
  const file = await storeGeneratedFile(work, platform, {
    content: pdf,
    name: zh('approval.document.fileName', { title, receiptNo: app.receipt_no }),
    mime: 'application/pdf',
    owner: { ownerType: DOCUMENT_OWNER, ownerId: app.id },
    createdBy: principal.userId,
    at: now,
  });
  await q(work.tx).insertInto('approval_documents').values({ application_id: app.id, kind, file_id: file.id, document_no: documentNo, issued_at: outcome.at, created_at: now }).execute();
  recordAudit(work, { action: 'approval.document.issue', objectType: 'approval_application', objectId: app.id, details: { kind, documentNo, fileId: file.id, sm3: file.sm3, size: file.size } }, now);
}

/** Hex in groups of eight: read and compared by eye, and broken across lines between groups. */
const groups = (hex: string) => hex.match(/.{1,8}/g)!.join(' ');

type Layout = Pick<OfficialDocument, 'to' | 'paragraphs' | 'fields' | 'table' | 'closing' | 'qr' | 'footnotes'>;

export function certificateLayout(platform: Platform, app: CaseRow, item: Item, certificate: { certificate_no: string; verification_code: string; content: Record<string, unknown>; content_sm3: string; signature: string }): Layout {
  const c = certificate.content as Record<string, string>;
  const url = `${platform.config.publicUrl}/services/certificates/${certificate.verification_code}`;
  return {
    paragraphs: [zh('approval.document.certificate.body', { name: c.applicantName, item: c.itemName, basis: item.legalBasis })],
    fields: [
      [zh('approval.document.certificate.no'), certificate.certificate_no],
      [zh('approval.document.certificate.holder'), c.applicantName],
      [zh(c.applicantKind === 'enterprise' ? 'approval.document.certificate.creditCode' : 'approval.document.certificate.idNumber'), c.applicantId],
      [zh('approval.document.certificate.item'), c.itemName],
      [zh('approval.document.certificate.itemCode'), c.itemCode],
      [zh('approval.document.certificate.receiptNo'), String(c.receiptNo ?? app.receipt_no)],
      [zh('approval.document.certificate.code'), certificate.verification_code],
    ],
    qr: { url, caption: zh('approval.document.qr.certificate', { code: certificate.verification_code }) },
    footnotes: [zh('approval.document.sm3', { digest: groups(certificate.content_sm3) }), zh('approval.document.sm2', { signature: groups(certificate.signature) }), zh('approval.document.signed')],
  };
}

function noticeLayout(platform: Platform, app: CaseRow, item: Item, events: Events, kind: Exclude<DocumentKind, 'certificate'>): Layout {
  const common = { item: item.name, submitted: chineseDate(shanghaiDate(new Date(app.submitted_at))), receiptNo: app.receipt_no };
  const phones = zh('approval.notice.phones', { consult: item.consultPhone, complaint: item.complaintPhone });
  const basis = zh('approval.document.basis', { basis: item.legalBasis });
  const qr = { url: `${platform.config.publicUrl}/services/progress`, caption: zh('approval.document.qr.notice', { receiptNo: app.receipt_no }) };
  const to = zh('approval.notice.to', { name: app.applicant_name });
  const remedy = zh('approval.notice.rejection.remedy');
  if (kind === 'acceptance') {
    const accepted = events.find((e) => e.type === 'accepted');
    const due = (accepted?.payload as { dueDate?: string } | undefined)?.dueDate ?? app.due_date;
    return {
      to,
      paragraphs: [
        `${zh('approval.notice.acceptance.body', common)}${zh('approval.document.acceptance.basis')}`,
        zh('approval.notice.acceptance.due', { days: item.promisedDays, due: due ? chineseDate(due) : '' }),
        basis,
        phones,
      ],
      qr,
    };
  }
  if (kind === 'correction') {
    const correction = correctionOf(events)!;
    return {
      to,
      paragraphs: [zh('approval.notice.correction.body', common), zh('approval.document.correction.basis')],
      table: {
        caption: zh('approval.notice.correction.caption'),
        headers: [zh('approval.notice.correction.number'), zh('approval.notice.correction.material'), zh('approval.notice.correction.reason')],
        rows: correction.missing.map((m, i) => [String(i + 1), m.name, m.reason]),
      },
      closing: [...(correction.opinion ? [`${zh('approval.notice.correction.opinion')}${correction.opinion}`] : []), zh('approval.notice.correction.clock'), basis, phones],
      qr,
    };
  }
  const decision = decisionOf(events)!;
  return {
    to,
    paragraphs: [
      zh(kind === 'non_acceptance' ? 'approval.notice.rejection.notAccepted' : 'approval.notice.rejection.rejected', common),
      zh('approval.document.reason', { reason: decision.reason }),
      zh(kind === 'non_acceptance' ? 'approval.document.nonAcceptance.basis' : 'approval.document.denial.basis'),
      basis,
      remedy,
      phones,
    ],
    qr,
  };
}

/** Who may download a stored document through the files API: whoever may see the case. */
export const mayDownloadDocuments: FileAccessPolicy = async (platform, principal, ownerId) => {
  if (!principal) return false;
  try {
    await visibleCase(platform.db, principal, ownerId);
    return true;
  } catch {
    return false;
  }
};
