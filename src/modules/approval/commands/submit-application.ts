/** Filing an application, online by its applicant or at a window by an intake clerk. */
import crypto from 'node:crypto';
import { sql } from '../../../platform/db/index.ts';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { publish } from '../../../platform/events.ts';
import { APPROVAL_CASE_CHANGED, type ApprovalCaseChanged } from '../events.ts';
import { hasPermission, type Principal } from '../../../platform/iam/principal.ts';
import { AppError, fieldError, forbidden, invalid } from '../../../platform/http/errors.ts';
import { addWorkingDays, shanghaiDate } from '../../../platform/calendar/index.ts';
import { startInstance } from '../../../platform/flow/service.ts';
import { attachFiles } from '../../../platform/files/index.ts';
import { blindIndex, sealField } from '../../../platform/crypto/fields.ts';
import { approvalProcess, caseStateOf, type ApplicationInput, type CaseState } from '../model.ts';
import { getPublishedItemByCode } from '../queries/items.ts';
import { canonicalJson } from '../../../platform/crypto/canonical-json.ts';
import { applicantIdIndex, applicantPhoneIndex, checkApplicant } from '../applicant.ts';
import { checkMaterials, formErrors, missingMaterialsError } from '../submission-checks.ts';
import { eventsInsert } from '../case-events.ts';
import { ACCEPT_WORKING_DAYS } from '../case-sync.ts';
import { notifyNewTasks } from '../notifications.ts';
import { CASE_SUBJECT, loadItem, MATERIAL_OWNER, q, type CaseRow } from '../queries/cases.ts';

/**
 * The same body for the same item and applicant again within this time, without an
 * Idempotency-Key, is a double submission: answered 409 DUPLICATE naming the first case.
 */
export const DUPLICATE_WINDOW_MS = 10_000;
const SUBMISSION_LOCK = 7_346_210;

export interface SubmitResult {
  id: string;
  receiptNo: string;
  state: CaseState;
}

/**
 * Files an application. Citizens and enterprises apply online with their own account; staff with
 * 'approval.intake' (window clerks, village officers acting on a villager's behalf) file at the
 * window. Everything wrong is reported at once; missing required materials are listed together
 * (those the item accepts later, 容缺, are recorded as pending).
 */
export async function submitApplication(work: Work, platform: Platform, principal: Principal, input: ApplicationInput): Promise<SubmitResult> {
  const now = platform.clock.now();
  if (principal.kind === 'public') {
    if (input.channel !== 'online') throw invalid([fieldError('channel', 'approval.app.channelOnline')]);
  } else {
    if (!hasPermission(principal, 'approval.intake')) throw forbidden({ key: 'approval.app.intakeRequired' });
    if (input.channel !== 'window') throw invalid([fieldError('channel', 'approval.app.channelWindow')]);
  }

  // The same body again within seconds is a double click, not a second application.
  const submissionKey = blindIndex(platform, `approval.submission:${canonicalJson(input)}`);
  await sql`select pg_advisory_xact_lock(${SUBMISSION_LOCK}::int, hashtext(${submissionKey}))`.execute(work.tx);
  const earlier = await q(work.tx)
    .selectFrom('approval_applications')
    .select(['id', 'receipt_no', 'state'])
    .where('submission_key', '=', submissionKey)
    .where('submitted_at', '>', new Date(now.getTime() - DUPLICATE_WINDOW_MS))
    .orderBy('submitted_at')
    .executeTakeFirst();
  if (earlier) {
    throw new AppError('DUPLICATE', {
      detail: { key: 'approval.app.duplicateSubmission', params: { receiptNo: earlier.receipt_no } },
      extra: { existing: { id: earlier.id, receiptNo: earlier.receipt_no, state: earlier.state } },
    });
  }

  const item = await loadItem(work.tx, input.itemId);
  if (!item) throw invalid([fieldError('itemId', 'approval.app.itemNotFound')]);
  if (item.status === 'superseded') {
    throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.itemSuperseded' }, extra: { currentItemId: (await getPublishedItemByCode(work.tx, item.code))?.id ?? null } });
  }
  if (item.status !== 'published') throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.itemNotPublished' } });

  const { applicant, errors } = checkApplicant(input.applicant);
  errors.push(...formErrors(item.formFields, input.form));
  const materials = await checkMaterials(work.tx, principal, item, input.materials);
  errors.push(...materials.errors);
  if (errors.length || materials.missing.length) throw missingMaterialsError(errors, materials.missing);

  const id = crypto.randomUUID();
  const { rows } = await sql<{ n: number }>`select nextval('approval_receipt_seq') as n`.execute(work.tx);
  const today = shanghaiDate(now);
  const receiptNo = `${today.replace(/-/g, '')}${String(Number(rows[0].n)).padStart(6, '0')}`;
  const instance = await startInstance(work, platform, { definition: approvalProcess(item.process), subjectType: CASE_SUBJECT, subjectId: id });
  const { date: acceptDue } = await addWorkingDays(work.tx, today, ACCEPT_WORKING_DAYS);
  const state = caseStateOf(instance.state);
  // The case, its first event and its materials in one statement (keys are checked at its end).
  const submitted = { type: 'submitted', payload: { channel: input.channel, itemVersion: item.version, pendingMaterials: materials.pending.map((m) => m.key) } };
  const handedIn = JSON.stringify(input.materials.map((m) => ({ material_key: m.materialKey, file_id: m.fileId })));
  const app = (await q(work.tx)
    .with('events', (db) => eventsInsert(db, work, id, [submitted], now))
    .with('materials', (db) =>
      db
        .insertInto('approval_materials')
        .columns(['application_id', 'material_key', 'file_id', 'round', 'added_at'])
        .expression(sql`select ${id}::text, m.material_key, m.file_id, 0, ${now}::timestamptz from jsonb_to_recordset(${handedIn}::jsonb) as m(material_key text, file_id text)`),
    )
    .insertInto('approval_applications')
    .values({
      id,
      receipt_no: receiptNo,
      item_id: item.id,
      item_code: item.code,
      item_version: item.version,
      unit_id: item.unitId,
      channel: input.channel,
      applicant_kind: applicant.kind,
      applicant_name: applicant.name,
      applicant_id_sealed: sealField(platform, applicant.id),
      applicant_id_index: applicantIdIndex(platform, applicant.id),
      applicant_phone_sealed: sealField(platform, applicant.phone),
      applicant_phone_index: applicantPhoneIndex(platform, applicant.phone),
      applicant_user_id: principal.kind === 'public' ? principal.userId : null,
      submitted_by: principal.userId,
      form: JSON.stringify(input.form) as never,
      state,
      flow_instance_id: instance.id,
      submitted_at: now,
      accept_due_date: acceptDue,
      accepted_at: null,
      due_date: acceptDue,
      finished_at: null,
      certificate_id: null,
      submission_key: submissionKey,
    })
    .returningAll()
    .executeTakeFirstOrThrow()) as CaseRow;
  await attachFiles(work, input.materials.map((m) => m.fileId), { ownerType: MATERIAL_OWNER, ownerId: id }, principal, now);
  recordAudit(work, { action: 'approval.application.submit', objectType: 'approval_application', objectId: id, details: { receiptNo, itemId: item.id, itemVersion: item.version, channel: input.channel } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: id, action: 'submit', stepKey: null });
  await notifyNewTasks(work, platform, app, item, instance.view.tasks.filter((t) => t.state === 'open'));
  return { id, receiptNo, state };
}
