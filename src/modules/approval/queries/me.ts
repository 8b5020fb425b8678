/**
 * The signed-in citizen's or company's own area (我的): their applications with what each has to
 * download and whether it may be rated, and the certificates issued to them. Only what the
 * account applied for itself: a case a clerk typed in for them at a window is theirs when it names
 * their account.
 */
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { keysetPage, type Keyset, type PageRequest } from '../../../platform/db/pagination.ts';
import { getUnits } from '../../../platform/org/service.ts';
import { ratingsBy, ratingsOfSubjects } from '../../supervision/index.ts';
import { APPROVAL_CASE_SUBJECT, FINISHED_CASE_STATES } from '../supervised-subject.ts';
import type { CaseState } from '../model.ts';
import { iso, loadItems, q } from './cases.ts';

/** The notices of a case as PDF files (受理通知书, 不予受理通知书, 补正材料通知书, 不予许可决定书). */
export const NOTICE_PDF_KINDS = ['acceptance', 'non_acceptance', 'correction', 'denial'] as const;
export type DocumentKind = (typeof NOTICE_PDF_KINDS)[number] | 'certificate';

export const documentUrl = (caseId: string, kind: DocumentKind) =>
  kind === 'certificate' ? `/api/v1/approval/applications/${encodeURIComponent(caseId)}/certificate.pdf` : `/api/v1/approval/applications/${encodeURIComponent(caseId)}/notices/${kind}.pdf`;

/**
 * What a case has to download, in the order it was issued: the acceptance notice once accepted,
 * the correction notice once materials were asked for, the certificate once approved, the notice
 * refusing acceptance or the decision refusing the licence once rejected.
 */
export function documentsOf(c: { id: string; acceptedAt: string | null; corrected: boolean; certificate: boolean; rejectedAtStage: number | null }) {
  const kinds: DocumentKind[] = [];
  if (c.acceptedAt) kinds.push('acceptance');
  if (c.corrected) kinds.push('correction');
  if (c.rejectedAtStage !== null) kinds.push(c.rejectedAtStage === 0 ? 'non_acceptance' : 'denial');
  if (c.certificate) kinds.push('certificate');
  return kinds.map((kind) => ({ kind, url: documentUrl(c.id, kind) }));
}

/** Newest first. */
const NEWEST_FIRST: Keyset<{ submitted_at: Date | string; id: string }> = {
  keys: [
    { by: 'submitted_at', kind: 'timestamp', of: (r) => r.submitted_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/** Whether decided cases may be rated here (supervision keeps the ratings). */
const ratingsOn = (platform: Platform) => platform.modules.has('supervision');

/** The account's own applications, newest first, each with its documents and rating. */
export async function myCases(platform: Platform, principal: Principal, page: PageRequest) {
  const db = platform.db;
  const query = q(db)
    .selectFrom('approval_applications')
    .select(['id', 'receipt_no', 'item_id', 'item_code', 'unit_id', 'channel', 'state', 'submitted_at', 'accepted_at', 'due_date', 'finished_at', 'certificate_id'])
    .where('applicant_user_id', '=', principal.userId);
  const { items: rows, nextCursor } = await keysetPage(query, NEWEST_FIRST, page);
  const ids = rows.map((r) => r.id);
  const [items, events, ratings, units] = await Promise.all([
    loadItems(db, rows.map((r) => r.item_id)),
    ids.length ? q(db).selectFrom('approval_events').select(['application_id', 'type', 'payload']).where('application_id', 'in', ids).where('type', 'in', ['correction_requested', 'rejected']).execute() : [],
    ratingsOn(platform) ? ratingsOfSubjects(db, APPROVAL_CASE_SUBJECT, ids) : new Map<string, { score: number; ratedAt: string; comment: string | null }>(),
    getUnits(db, [...new Set(rows.map((r) => r.unit_id))]),
  ]);
  const unitNames = new Map(units.map((u) => [u.id, u.name]));
  return {
    items: rows.map((r) => {
      const own = events.filter((e) => e.application_id === r.id);
      const rejected = own.find((e) => e.type === 'rejected');
      const rating = ratings.get(r.id);
      const acceptedAt = iso(r.accepted_at);
      return {
        id: r.id,
        receiptNo: r.receipt_no,
        itemId: r.item_id,
        itemCode: r.item_code,
        itemName: items.get(r.item_id)?.name ?? '',
        unitId: r.unit_id,
        unitName: unitNames.get(r.unit_id) ?? '',
        channel: r.channel,
        state: r.state,
        submittedAt: iso(r.submitted_at)!,
        acceptedAt,
        dueDate: r.due_date,
        finishedAt: iso(r.finished_at),
        canRate: ratingsOn(platform) && FINISHED_CASE_STATES.includes(r.state as CaseState) && !rating,
        rating: rating ? { score: rating.score, comment: rating.comment, ratedAt: rating.ratedAt } : null,
        documents: documentsOf({
          id: r.id,
          acceptedAt,
          corrected: own.some((e) => e.type === 'correction_requested'),
          certificate: !!r.certificate_id,
          rejectedAtStage: rejected ? Number((rejected.payload as { stage?: number }).stage ?? 1) : null,
        }),
      };
    }),
    nextCursor,
  };
}

/** Newest first. */
const LATEST_ISSUED: Keyset<{ issued_at: Date | string; id: string }> = {
  keys: [
    { by: 'c.issued_at', kind: 'timestamp', of: (r) => r.issued_at },
    { by: 'c.id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/** Certificates issued on the account's applications, newest first, with where to verify and download them. */
export async function myCertificates(platform: Platform, principal: Principal, page: PageRequest) {
  const db = platform.db;
  const query = q(db)
    .selectFrom('approval_certificates as c')
    .innerJoin('approval_applications as a', 'a.id', 'c.application_id')
    .select(['c.id', 'c.certificate_no', 'c.verification_code', 'c.unit_id', 'c.content', 'c.issued_at', 'c.revoked_at', 'a.id as application_id', 'a.receipt_no'])
    .where('a.applicant_user_id', '=', principal.userId);
  const { items: rows, nextCursor } = await keysetPage(query, LATEST_ISSUED, page);
  const units = new Map((await getUnits(db, [...new Set(rows.map((r) => r.unit_id))])).map((u) => [u.id, u.name]));
  return {
    items: rows.map((r) => {
      const content = r.content as { resultName?: string; itemName?: string; unitName?: string };
      return {
        id: r.id,
        certificateNo: r.certificate_no,
        name: content.resultName ?? '',
        itemName: content.itemName ?? '',
        issuingUnit: units.get(r.unit_id) ?? content.unitName ?? '',
        issuedAt: iso(r.issued_at)!,
        revoked: r.revoked_at !== null,
        caseId: r.application_id,
        receiptNo: r.receipt_no,
        verificationUrl: `${platform.config.publicUrl}/services/certificates/${r.verification_code}`,
        downloadUrl: documentUrl(r.application_id, 'certificate'),
      };
    }),
    nextCursor,
  };
}

/** The account's ratings (好差评), newest first, with the case each is about. */
export async function myRatings(platform: Platform, principal: Principal, page: PageRequest) {
  const found = await ratingsBy(platform.db, principal.userId, page);
  const ids = found.items.filter((r) => r.subjectType === APPROVAL_CASE_SUBJECT).map((r) => r.caseId);
  const cases = ids.length ? await q(platform.db).selectFrom('approval_applications').select(['id', 'receipt_no', 'item_id']).where('id', 'in', ids).execute() : [];
  const items = await loadItems(platform.db, cases.map((c) => c.item_id));
  const byId = new Map(cases.map((c) => [c.id, { receiptNo: c.receipt_no, itemName: items.get(c.item_id)?.name ?? '' }]));
  return {
    items: found.items.map((r) => ({ id: r.id, caseId: r.caseId, receiptNo: byId.get(r.caseId)?.receiptNo ?? '', itemName: byId.get(r.caseId)?.itemName ?? '', score: r.score, comment: r.comment, ratedAt: r.ratedAt })),
    nextCursor: found.nextCursor,
  };
}

/** The account's recent cases, for the complaint form's choice. */
export async function myRecentCases(platform: Platform, principal: Principal, limit = 50) {
  return (await myCases(platform, principal, { limit })).items.map((c) => ({ id: c.id, receiptNo: c.receiptNo, itemName: c.itemName }));
}

/** Whether the case was filed for this account (its applicant), not merely typed in by it. */
export async function isApplicantAccount(platform: Platform, userId: string, caseId: string) {
  const row = await q(platform.db).selectFrom('approval_applications').select('applicant_user_id').where('id', '=', caseId).executeTakeFirst();
  return !!row && row.applicant_user_id === userId;
}
