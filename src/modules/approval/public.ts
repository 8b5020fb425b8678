/**
 * What anyone may learn about approval cases without signing in: the progress of one case for
 * whoever holds its receipt number and the applicant's phone, the authenticity of a result
 * certificate from its verification code, and the public list of results (结果公示), which
 * names no natural person.
 */
import crypto from 'node:crypto';
import type { Db } from '../../platform/db/index.ts';
import type { Platform } from '../../platform/module.ts';
import { notFound } from '../../platform/http/errors.ts';
import { keysetPage, type Keyset } from '../../platform/db/pagination.ts';
import { shanghaiDate } from '../../platform/calendar/index.ts';
import { getInstanceView, type TaskRow } from '../../platform/flow/service.ts';
import { allSteps } from '../../platform/flow/engine.ts';
import { unitPublicKey, verifyUnitSignature } from '../../platform/crypto/signing.ts';
import { getUnits } from '../../platform/org/service.ts';
import type { ApprovalTables, CaseState } from './model.ts';
import { getItem } from './catalogue.ts';
import { applicantPhoneIndex } from './applicant.ts';
import { certificateText } from './certificates.ts';

const q = (db: Db) => db.withTables<ApprovalTables>();
const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/** Receipt numbers are the date and a sequence: digits only. */
const RECEIPT_NO = /^\d{14,24}$/;
/** Verification codes: 16 characters without 0/O and 1/I/L. */
const CODE = /^[A-HJKMNP-Z2-9]{16}$/;

export const normalizeReceiptNo = (value: string) => value.replace(/[\s-]/g, '');
export const normalizeVerificationCode = (value: string) => value.replace(/[\s-]/g, '').toUpperCase();

// ---------------------------------------------------------------- progress

export interface PublicStep {
  key: string;
  name: string;
  unitName: string;
  stage: number;
  state: string;
  dueDate: string | null;
  finishedAt: string | null;
}

export interface PublicProgress {
  receiptNo: string;
  itemId: string;
  itemCode: string;
  itemName: string;
  itemVersion: number;
  unitName: string;
  channel: 'online' | 'window';
  state: CaseState;
  submittedAt: string;
  acceptedAt: string | null;
  dueDate: string | null;
  finishedAt: string | null;
  clockStopped: string | null;
  steps: PublicStep[];
  correction: { requestedAt: string; missing: Array<{ name: string; reason: string }>; correctedAt: string | null } | null;
  decision: { stepName: string; reason: string; notAccepted: boolean; decidedAt: string } | null;
  result: { certificateNo: string; verificationCode: string } | null;
}

function sameIndex(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * The progress of the case with this receipt number, when the phone is the applicant's. A wrong
 * receipt number and a wrong phone give the same 404, so the query tells nothing about which.
 */
export async function progressByReceipt(platform: Platform, receiptNo: string, phone: string): Promise<PublicProgress> {
  const db = platform.db;
  const number = normalizeReceiptNo(receiptNo);
  const index = applicantPhoneIndex(platform, phone);
  const row = RECEIPT_NO.test(number) ? await q(db).selectFrom('approval_applications').selectAll().where('receipt_no', '=', number).executeTakeFirst() : undefined;
  if (!row || !sameIndex(row.applicant_phone_index, index)) throw notFound();
  const item = (await getItem(db, row.item_id))!;
  const today = shanghaiDate(platform.clock.now());
  const [view, events, certificate] = await Promise.all([
    getInstanceView(db, row.flow_instance_id, today),
    q(db).selectFrom('approval_events').selectAll().where('application_id', '=', row.id).orderBy('seq').execute(),
    row.certificate_id ? q(db).selectFrom('approval_certificates').select(['certificate_no', 'verification_code']).where('id', '=', row.certificate_id).executeTakeFirst() : undefined,
  ]);
  const steps = allSteps(item.process);
  const units = new Map((await getUnits(db, [item.unitId, ...steps.map((s) => s.unitId)])).map((u) => [u.id, u.name]));
  const states = new Map(view!.state.steps.map((s) => [s.key, s.state]));
  const latest = new Map<string, TaskRow>();
  for (const task of view!.tasks) {
    const seen = latest.get(task.step_key);
    if (!seen || task.round >= seen.round) latest.set(task.step_key, task);
  }
  const request = events.find((e) => e.type === 'correction_requested');
  const corrected = request ? events.find((e) => e.type === 'corrected' && e.seq > request.seq) : undefined;
  const rejected = events.find((e) => e.type === 'rejected');
  const rejection = rejected?.payload as { stepName: string; reason: string; stage: number } | undefined;
  return {
    receiptNo: row.receipt_no,
    itemId: row.item_id,
    itemCode: row.item_code,
    itemName: item.name,
    itemVersion: row.item_version,
    unitName: units.get(item.unitId) ?? '',
    channel: row.channel,
    state: row.state,
    submittedAt: iso(row.submitted_at)!,
    acceptedAt: iso(row.accepted_at),
    dueDate: row.due_date,
    finishedAt: iso(row.finished_at),
    clockStopped: view!.state.suspendedFor,
    steps: steps.map((step) => {
      const task = latest.get(step.key);
      return {
        key: step.key,
        name: step.name,
        unitName: units.get(step.unitId) ?? '',
        stage: step.stageIndex,
        state: states.get(step.key) ?? 'waiting',
        dueDate: task?.due_date ?? null,
        finishedAt: task && task.state === 'done' ? iso(task.finished_at) : null,
      };
    }),
    correction: request
      ? {
          requestedAt: iso(request.at)!,
          missing: ((request.payload as { missing?: Array<{ name: string; reason: string }> }).missing ?? []).map((m) => ({ name: m.name, reason: m.reason })),
          correctedAt: corrected ? iso(corrected.at) : null,
        }
      : null,
    decision: rejected && rejection ? { stepName: rejection.stepName, reason: rejection.reason, notAccepted: rejection.stage === 0, decidedAt: iso(rejected.at)! } : null,
    result: certificate ? { certificateNo: certificate.certificate_no, verificationCode: certificate.verification_code } : null,
  };
}

// ---------------------------------------------------------------- certificates

export interface CertificateCheck {
  certificateNo: string;
  verificationCode: string;
  resultName: string;
  itemName: string;
  itemCode: string;
  unitName: string;
  applicantKind: string;
  applicantName: string;
  /** A person's ID number is masked on the certificate itself; a credit code is public. */
  applicantId: string;
  issuedDate: string;
  issuedAt: string;
  contentSm3: string;
  /** The digest matches the content, the signature verifies with the issuing unit's key, and it is not revoked. */
  valid: boolean;
  checks: { digest: boolean; signature: boolean; revoked: boolean };
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * Verifies a certificate by its verification code: the SM3 digest of its canonical content must
 * match the one recorded, and the SM2 signature of that content must verify with the issuing
 * unit's public key (the unit's key, not the one stored beside the certificate). Unknown codes
 * are 404; a tampered certificate is found and answered with `valid: false`.
 */
export async function verifyCertificate(platform: Platform, code: string): Promise<CertificateCheck> {
  const normalized = normalizeVerificationCode(code);
  if (!CODE.test(normalized)) throw notFound();
  const row = await q(platform.db).selectFrom('approval_certificates').selectAll().where('verification_code', '=', normalized).executeTakeFirst();
  if (!row) throw notFound();
  const content = row.content;
  const canonical = certificateText(content);
  const digest = platform.crypto.sm3(canonical) === row.content_sm3;
  let signature: boolean;
  try {
    signature = verifyUnitSignature(platform, await unitPublicKey(platform.db, platform, row.unit_id), canonical, row.signature);
  } catch {
    signature = false;
  }
  const revoked = row.revoked_at !== null;
  return {
    certificateNo: row.certificate_no,
    verificationCode: row.verification_code,
    resultName: text(content.resultName),
    itemName: text(content.itemName),
    itemCode: text(content.itemCode),
    unitName: text(content.unitName),
    applicantKind: text(content.applicantKind),
    applicantName: text(content.applicantName),
    applicantId: text(content.applicantId),
    issuedDate: text(content.issuedDate),
    issuedAt: iso(row.issued_at)!,
    contentSm3: row.content_sm3,
    valid: digest && signature && !revoked,
    checks: { digest, signature, revoked },
  };
}

// ---------------------------------------------------------------- results list

export interface PublicResult {
  receiptNo: string;
  itemCode: string;
  itemName: string;
  unitName: string;
  outcome: 'approved' | 'rejected';
  finishedDate: string;
  certificateNo: string | null;
  /** An enterprise's name (a legal person's licence is public); null for a natural person. */
  enterpriseName: string | null;
}

/** Finished cases, latest decision first. */
const LATEST_FIRST: Keyset<{ finished_at: Date | null; id: string }> = {
  keys: [
    { by: 'a.finished_at', kind: 'timestamp', of: (r) => r.finished_at },
    { by: 'a.id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/**
 * Finished cases, newest first (结果公示): approvals and refusals, never a natural person's name,
 * ID number or phone. Keyset pagination on (finished_at, id).
 */
export async function listPublicResults(db: Db, options: { limit?: number; cursor?: string; unitId?: string } = {}): Promise<{ items: PublicResult[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(options.limit ?? 20, 1), 200);
  let query = q(db)
    .selectFrom('approval_applications as a')
    .innerJoin('approval_items as i', 'i.id', 'a.item_id')
    .leftJoin('approval_certificates as c', 'c.id', 'a.certificate_id')
    .select(['a.id', 'a.receipt_no', 'a.item_code', 'i.name as item_name', 'a.unit_id', 'a.state', 'a.finished_at', 'a.applicant_kind', 'a.applicant_name', 'c.certificate_no'])
    .where('a.finished_at', 'is not', null)
    .where('a.state', 'in', ['approved', 'rejected']);
  if (options.unitId) query = query.where('a.unit_id', '=', options.unitId);
  const { items: page, nextCursor } = await keysetPage(query, LATEST_FIRST, { limit, cursor: options.cursor });
  const units = new Map((await getUnits(db, [...new Set(page.map((r) => r.unit_id))])).map((u) => [u.id, u.name]));
  return {
    items: page.map((r) => ({
      receiptNo: r.receipt_no,
      itemCode: r.item_code,
      itemName: r.item_name,
      unitName: units.get(r.unit_id) ?? '',
      outcome: r.state as 'approved' | 'rejected',
      finishedDate: shanghaiDate(new Date(r.finished_at!)),
      certificateNo: r.state === 'approved' ? (r.certificate_no ?? null) : null,
      enterpriseName: r.applicant_kind === 'enterprise' ? r.applicant_name : null,
    })),
    nextCursor,
  };
}

