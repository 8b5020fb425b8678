import crypto from 'node:crypto';
import { sql, type Db } from '../../platform/db/index.ts';
import type { Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import { recordAudit } from '../../platform/audit/service.ts';
import { signAsUnit } from '../../platform/crypto/signing.ts';
import { canonicalJson } from '../../platform/crypto/canonical-json.ts';
import { openField } from '../../platform/crypto/fields.ts';
import { shanghaiDate } from '../../platform/calendar/index.ts';
import { maskIdNumber } from '../../platform/org/codes.ts';
import { getUnit } from '../../platform/org/service.ts';
import type { ApplicationRow, ApprovalTables, CertificateRow } from './model.ts';
import type { FiledItem } from './catalogue.ts';

const q = (db: Db) => db.withTables<ApprovalTables>();

/** The text that is hashed (SM3) and signed (SM2) for a certificate: its canonical content. */
export const certificateText = (content: Record<string, unknown>) => canonicalJson(content);

// No 0/O, 1/I/L: read aloud or typed from paper without ambiguity. 16 characters carry 80 bits.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 16;

function verificationCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[crypto.randomInt(CODE_ALPHABET.length)];
  return code;
}

/**
 * Issues the result certificate (结果) of an approved case in the caller's transaction: content
 * with the item's result name, the applicant and the date; SM3 digest and SM2 signature of its
 * canonical text with the issuing unit's key; a number from approval_certificate_seq and a random
 * verification code. Sets the application's certificate_id. Issuing twice returns the first one.
 */
export async function issueCertificate(work: Work, platform: Platform, application: ApplicationRow, item: Pick<FiledItem, 'id' | 'resultName' | 'name' | 'code' | 'version'>): Promise<CertificateRow> {
  // One certificate per case: the caller holds the case's lock and issues only when it has none
  // (a unique key on application_id stands behind that).
  if (item.id !== application.item_id) throw new Error('issueCertificate: the item is not the version the case was filed under');
  const unit = await getUnit(work.tx, application.unit_id);
  const now = platform.clock.now();
  const { rows } = await sql<{ n: number }>`select nextval('approval_certificate_seq') as n`.execute(work.tx);
  const certificateNo = `${shanghaiDate(now).slice(0, 4)}${String(Number(rows[0].n)).padStart(8, '0')}`;
  const code = verificationCode();
  const applicantId = openField(platform, application.applicant_id_sealed);
  const content: Record<string, unknown> = {
    certificateNo,
    verificationCode: code,
    resultName: item.resultName,
    itemName: item.name,
    itemCode: item.code,
    itemVersion: item.version,
    receiptNo: application.receipt_no,
    applicantKind: application.applicant_kind,
    applicantName: application.applicant_name,
    // A credit code is public; an ID number is shown masked.
    applicantId: application.applicant_kind === 'person' ? maskIdNumber(applicantId) : applicantId,
    unitId: application.unit_id,
    unitName: unit?.name ?? '',
    issuedAt: now.toISOString(),
    issuedDate: shanghaiDate(now),
  };
  const text = certificateText(content);
  const { signature, publicKey } = await signAsUnit(work, platform, application.unit_id, text);
  const row = await q(work.tx)
    .insertInto('approval_certificates')
    .values({
      id: crypto.randomUUID(),
      application_id: application.id,
      certificate_no: certificateNo,
      verification_code: code,
      unit_id: application.unit_id,
      content: JSON.stringify(content) as never,
      content_sm3: platform.crypto.sm3(text),
      signature,
      public_key: publicKey,
      issued_at: now,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  recordAudit(work, { action: 'approval.certificate.issue', objectType: 'approval_certificate', objectId: row.id, details: { applicationId: application.id, certificateNo, contentSm3: row.content_sm3 } }, now);
  return row;
}
