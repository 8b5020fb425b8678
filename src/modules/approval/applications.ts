/**
 * Applications (申请) and the handling of cases: submission online or at a window, acceptance,
 * one-time correction requests (一次性告知), parallel review, extensions, clock stops, withdrawal,
 * decisions and the result certificate. Every mutation is one transaction that keeps the case row
 * in step with its process instance, logs the case event, writes the audit record and the
 * notifications (outbox) together.
 */
import crypto from 'node:crypto';
import { sql, type Db } from '../../platform/db/index.ts';
import type { QueryCreator } from 'kysely';
import type { Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import type { Lang } from '../../platform/i18n/index.ts';
import { coversUnit, hasPermission, type Principal } from '../../platform/iam/principal.ts';
import { accountsHoldingRole, contactOf, staffHoldsRole } from '../../platform/iam/service.ts';
import type { Role } from '../../platform/iam/roles.ts';
import { recordAudit } from '../../platform/audit/service.ts';
import { APPROVAL_CASE_CHANGED, type ApprovalCaseChanged } from './events.ts';
import { publish } from '../../platform/events.ts';
import { AppError, conflict, fieldError, forbidden, invalid, notFound, type FieldError } from '../../platform/http/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/schemas.ts';
import { addWorkingDays, shanghaiDate, workingDays } from '../../platform/calendar/index.ts';
import { applyInstanceAction, completeTask, getInstanceView, getTask, mayHandle, startInstance, type InstanceView, type TaskRow } from '../../platform/flow/service.ts';
import { allSteps, type FlowAction } from '../../platform/flow/engine.ts';
import { attachFiles, getFiles, registerFileAccess } from '../../platform/files/index.ts';
import { enqueueMessagesAtCommit, type NewMessage, type TemplateParams } from '../../platform/notify/index.ts';
import { blindIndex, openField, sealField } from '../../platform/crypto/fields.ts';
import { isValidCreditCode, isValidIdNumber, isValidMobile, maskIdNumber, maskPhone } from '../../platform/org/codes.ts';
import { getUnits, type Unit } from '../../platform/org/service.ts';
import { caseStateOf, OPEN_CASE_STATES, type ApplicationInput, type ApplicationTable, type ApprovalTables, type CaseState, type TaskAction } from './model.ts';
import { getFiledItem, getItem, getPublishedItemByCode, type FiledItem, type Item } from './catalogue.ts';
import { canonicalJson, issueCertificate } from './certificates.ts';

// ---------------------------------------------------------------- rules and constants

/** Subject type of approval cases in the process engine. */
export const CASE_SUBJECT = 'approval_case';
/** Owner type of application materials in the files module. */
export const MATERIAL_OWNER = 'approval.application';
/** Acceptance must happen within this many working days of submission. */
export const ACCEPT_WORKING_DAYS = 5;
/** Extensions (延期) of one case add up to at most this many working days. */
export const MAX_EXTENSION_DAYS = 10;
/**
 * The same body for the same item and applicant again within this time, without an
 * Idempotency-Key, is a double submission: answered 409 DUPLICATE naming the first case.
 */
export const DUPLICATE_WINDOW_MS = 10_000;
/** Clock stops staff may start by hand; a correction stop comes with request_correction. */
export const MANUAL_STOPS = ['hearing', 'inspection', 'public_notice'] as const;
export type ManualStop = (typeof MANUAL_STOPS)[number];

const VIEW_PERMISSIONS = ['approval.handle', 'approval.intake', 'supervision.read'];
const FINISHED: CaseState[] = ['approved', 'rejected', 'withdrawn'];
const MAX_TASK_RECIPIENTS = 50;
const SUBMISSION_LOCK = 7_346_210;

type ApplicationRecord = ApplicationTable & { submission_key: string | null };
type Tables = Omit<ApprovalTables, 'approval_applications'> & { approval_applications: ApplicationRecord };
export type CaseRow = Omit<ApplicationRecord, 'correction_count' | 'version'> & { correction_count: number; version: number };

const q = (db: Db) => db.withTables<Tables>();
const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
const isOpen = (state: CaseState) => OPEN_CASE_STATES.includes(state);

// ---------------------------------------------------------------- readers

/**
 * The item version a case is filed under (getItem of the catalogue: a published version never
 * changes, so a case keeps the version, and the process, it was filed under).
 */
const loadItem = getItem;

/** Names and processes of several item versions at once, for lists (one query, not one per row). */
async function loadItems(db: Db, ids: string[]): Promise<Map<string, { id: string; name: string; process: Item['process'] }>> {
  if (!ids.length) return new Map();
  const rows = await q(db).selectFrom('approval_items').select(['id', 'name', 'process']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

// ---------------------------------------------------------------- stand-ins for other modules' readers

/** One task by id. Stand-in until the flow service exports a reader of single tasks. */
// ---------------------------------------------------------------- personal data

const normalizeId = (value: string) => value.trim().toUpperCase();
const normalizePhone = (value: string) => value.trim().replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');

/** Blind index of an applicant's ID number or credit code (exact lookups without decrypting). */
export const applicantIdIndex = (platform: Pick<Platform, 'crypto' | 'fieldKey'>, idNumberOrCreditCode: string) => blindIndex(platform, `approval.applicant:${normalizeId(idNumberOrCreditCode)}`);
/** Blind index of an applicant's phone: the public progress query compares against this. */
export const applicantPhoneIndex = (platform: Pick<Platform, 'crypto' | 'fieldKey'>, phone: string) => blindIndex(platform, `approval.phone:${normalizePhone(phone)}`);

// ---------------------------------------------------------------- visibility

function stepUnitIds(item: Pick<Item, 'process' | 'unitId'>): string[] {
  return [...new Set([item.unitId, ...allSteps(item.process).map((s) => s.unitId)])];
}

const isParty = (principal: Principal, app: Pick<CaseRow, 'applicant_user_id' | 'submitted_by'>) => app.applicant_user_id === principal.userId || app.submitted_by === principal.userId;

async function coveredUnits(db: Db, principal: Principal, item: Pick<Item, 'process' | 'unitId'>, permissions: string[]): Promise<Unit[]> {
  if (principal.kind !== 'staff' || !principal.roles.length) return [];
  const units = await getUnits(db, stepUnitIds(item));
  return units.filter((unit) => permissions.some((p) => coversUnit(principal, p, unit)));
}

/** The applicant, the submitting clerk, and staff whose scope covers a unit of one of the case's steps. */
async function mayView(db: Db, principal: Principal, app: CaseRow, item: Item): Promise<boolean> {
  if (isParty(principal, app)) return true;
  return (await coveredUnits(db, principal, item, VIEW_PERMISSIONS)).length > 0;
}

async function visibleCase(db: Db, principal: Principal, id: string, options: { lock?: Work } = {}) {
  let query = q(options.lock?.tx ?? db)
    .selectFrom('approval_applications')
    .selectAll()
    .where('id', '=', id);
  if (options.lock) query = query.forUpdate();
  const app = (await query.executeTakeFirst()) as CaseRow | undefined;
  if (!app) throw notFound();
  const item = await loadItem(options.lock?.tx ?? db, app.item_id);
  if (!item || !(await mayView(options.lock?.tx ?? db, principal, app, item))) throw notFound();
  return { app, item };
}

registerFileAccess(MATERIAL_OWNER, async (platform, principal, ownerId) => {
  if (!principal) return false;
  try {
    await visibleCase(platform.db, principal, ownerId);
    return true;
  } catch {
    return false;
  }
});

// ---------------------------------------------------------------- validation of a submission

interface Applicant {
  kind: 'person' | 'enterprise';
  name: string;
  id: string;
  phone: string;
}

function checkApplicant(input: ApplicationInput['applicant']): { applicant: Applicant; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const name = input.name.trim();
  if (!name) errors.push(fieldError('applicant.name', 'approval.app.nameRequired'));
  const id = normalizeId((input.kind === 'person' ? input.idNumber : input.creditCode) ?? '');
  if (input.kind === 'person') {
    if (input.creditCode) errors.push(fieldError('applicant.creditCode', 'approval.app.creditCodeForEnterprise'));
    if (!id) errors.push(fieldError('applicant.idNumber', 'approval.app.idNumberRequired'));
    else if (!isValidIdNumber(id)) errors.push(fieldError('applicant.idNumber', 'approval.app.idNumberInvalid'));
  } else {
    if (input.idNumber) errors.push(fieldError('applicant.idNumber', 'approval.app.idNumberForPerson'));
    if (!id) errors.push(fieldError('applicant.creditCode', 'approval.app.creditCodeRequired'));
    else if (!isValidCreditCode(id)) errors.push(fieldError('applicant.creditCode', 'approval.app.creditCodeInvalid'));
  }
  const phone = normalizePhone(input.phone);
  if (!isValidMobile(phone)) errors.push(fieldError('applicant.phone', 'approval.app.phoneInvalid'));
  return { applicant: { kind: input.kind, name, id, phone }, errors };
}

/** Form data against the item's fields: unknown keys, required fields, types, lengths, options. */
export function formErrors(fields: Item['formFields'], form: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const byKey = new Map(fields.map((f) => [f.key, f]));
  for (const key of Object.keys(form)) if (!byKey.has(key)) errors.push(fieldError(`form.${key}`, 'approval.app.formUnknownField', { key }));
  for (const field of fields) {
    const value = form[field.key];
    const path = `form.${field.key}`;
    if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
      if (field.required) errors.push(fieldError(path, 'approval.app.formRequired', { label: field.label }));
      continue;
    }
    switch (field.type) {
      case 'text':
      case 'textarea': {
        const max = field.maxLength ?? (field.type === 'text' ? 200 : 5000);
        if (typeof value !== 'string' || value.length > max) errors.push(fieldError(path, 'approval.app.formText', { label: field.label, max }));
        break;
      }
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) errors.push(fieldError(path, 'approval.app.formNumber', { label: field.label }));
        break;
      case 'date':
        if (typeof value !== 'string' || !workingDays.isValidDate(value)) errors.push(fieldError(path, 'approval.app.formDate', { label: field.label }));
        break;
      case 'select':
        if (typeof value !== 'string' || !(field.options ?? []).includes(value)) errors.push(fieldError(path, 'approval.app.formSelect', { label: field.label, options: (field.options ?? []).join('、') }));
        break;
    }
  }
  return errors;
}

/**
 * Materials against the item's list: unknown keys, files that are not the caller's fresh uploads,
 * the same file twice. Returns the accepted entries and what the caller did not hand in.
 */
async function checkMaterials(db: Db, principal: Principal, item: Item, materials: ApplicationInput['materials']) {
  const errors: FieldError[] = [];
  const known = new Map(item.materials.map((m) => [m.key, m]));
  const seenFiles = new Set<string>();
  const files = await getFiles(db, materials.map((m) => m.fileId));
  for (const [i, entry] of materials.entries()) {
    if (!known.has(entry.materialKey)) {
      errors.push(fieldError(`materials.${i}.materialKey`, 'approval.app.materialUnknown', { key: entry.materialKey }));
      continue;
    }
    if (seenFiles.has(entry.fileId)) {
      errors.push(fieldError(`materials.${i}.fileId`, 'approval.app.fileTwice'));
      continue;
    }
    seenFiles.add(entry.fileId);
    const file = files.get(entry.fileId);
    if (!file || file.uploadedBy !== principal.userId) errors.push(fieldError(`materials.${i}.fileId`, 'approval.app.fileNotFound'));
    else if (file.ownerId !== null) errors.push(fieldError(`materials.${i}.fileId`, 'approval.app.fileAttached'));
  }
  const provided = new Set(materials.map((m) => m.materialKey));
  const missing = item.materials.filter((m) => m.required && !m.allowPending && !provided.has(m.key));
  const pending = item.materials.filter((m) => m.required && m.allowPending && !provided.has(m.key));
  return { errors, missing, pending };
}

function missingMaterialsError(errors: FieldError[], missing: Array<{ key: string; name: string }>, detailKey = 'approval.app.materialsMissing') {
  return new AppError('VALIDATION_FAILED', {
    errors: [...errors, ...missing.map((m) => fieldError(`materials.${m.key}`, 'approval.app.materialMissing', { name: m.name }))],
    detail: missing.length ? { key: detailKey, params: { count: missing.length, names: missing.map((m) => m.name).join('、') } } : undefined,
    extra: missing.length ? { missingMaterials: missing.map((m) => ({ materialKey: m.key, name: m.name })) } : undefined,
  });
}

// ---------------------------------------------------------------- case events and notifications

interface CaseEvent {
  type: string;
  payload: Record<string, unknown>;
}

/**
 * Inserts a case's events with the next numbers, in order: a statement of its own, or a common
 * table expression of the statement that inserts or updates the case (one round trip for both).
 * The case's lock keeps two transactions from taking the same numbers.
 */
function eventsInsert(db: QueryCreator<Tables>, work: Work, applicationId: string, events: CaseEvent[], at: Date) {
  return db
    .insertInto('approval_events')
    .columns(['application_id', 'seq', 'type', 'payload', 'actor_id', 'actor_name', 'at'])
    .expression(
      sql`select ${applicationId}::text, (select coalesce(max(seq), -1) from approval_events where application_id = ${applicationId}::text) + e.ord::int,
                 e.value->>'type', e.value->'payload', ${work.actor.userId}::text, ${work.actor.username}::text, ${at}::timestamptz
            from jsonb_array_elements(${JSON.stringify(events)}::jsonb) with ordinality as e(value, ord)`,
    );
}

async function addEvent(work: Work, applicationId: string, type: string, payload: Record<string, unknown>, at: Date) {
  await eventsInsert(q(work.tx), work, applicationId, [{ type, payload }], at).execute();
}

const clip = (text: string, max = 100) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** SMS to the applicant's phone, and e-mail when the applicant's account has an address. */
async function notifyApplicant(work: Work, platform: Platform, app: CaseRow, template: string, params: TemplateParams, dedupe: string) {
  const account = app.applicant_user_id ? await contactOf(work.tx, app.applicant_user_id) : undefined;
  const lang: Lang = account?.lang ?? 'zh-CN';
  const phone = openField(platform, app.applicant_phone_sealed);
  const messages: NewMessage[] = [{ channel: 'sms', to: { address: phone }, template, params, lang, dedupeKey: `approval:${app.id}:${dedupe}:sms` }];
  if (account?.email) messages.push({ channel: 'email', to: { userId: account.id, address: account.email }, template, params, lang, dedupeKey: `approval:${app.id}:${dedupe}:email` });
  await enqueueMessagesAtCommit(work, platform, messages);
}

/** An in-app message to everyone who may handle each newly opened task (or to its assignee), written at commit. */
async function notifyNewTasks(work: Work, platform: Platform, app: CaseRow, item: Pick<Item, 'name' | 'process'>, tasks: TaskRow[]) {
  const names = new Map(allSteps(item.process).map((s) => [s.key, s.name]));
  const messages: NewMessage[] = [];
  for (const task of tasks) {
    const recipients = task.assignee ? [{ id: task.assignee, lang: 'zh-CN' as Lang }] : await accountsHoldingRole(work.tx, task.role as Role, { id: task.unit_id, regionCode: task.unit_region }, MAX_TASK_RECIPIENTS);
    for (const user of recipients) {
      if (user.id === app.applicant_user_id) continue;
      messages.push({
        channel: 'inapp',
        to: { userId: user.id },
        template: 'approval.case.newTask',
        params: { receiptNo: app.receipt_no, itemName: item.name, stepName: names.get(task.step_key) ?? task.step_key, dueDate: task.due_date, caseId: app.id },
        lang: task.assignee ? undefined : user.lang,
        dedupeKey: `approval:task:${task.id}:${user.id}`,
      });
    }
  }
  await enqueueMessagesAtCommit(work, platform, messages);
}

// ---------------------------------------------------------------- keeping the case in step with its process

/**
 * After every action on the process instance: derives the case state, records the acceptance,
 * recomputes the acceptance and case deadlines (clock stops and extensions included), issues the
 * certificate when the last step approved, and notifies the handlers of newly opened tasks.
 */
/**
 * Brings the case row in step with its process: state, deadlines, certificate; `events` (the
 * action's own) are recorded with it, before those the new state brings (accepted, approved).
 */
async function syncCase(work: Work, platform: Platform, app: CaseRow, item: FiledItem, options: { patch?: Partial<Pick<CaseRow, 'correction_count'>>; view?: InstanceView; events?: CaseEvent[] } = {}) {
  const { patch = {}, view: known, events = [] } = options;
  const now = platform.clock.now();
  // The process action that led here hands over the instance as it left it; otherwise read it.
  const view = known ?? (await getInstanceView(work.tx, app.flow_instance_id, shanghaiDate(now)))!;
  const flow = view.state;
  const state = caseStateOf(flow);
  const justAccepted = !app.accepted_at && (flow.stageIndex > 0 || flow.status === 'completed');
  const acceptedAt = app.accepted_at ?? (justAccepted ? now : null);
  let acceptDue = app.accept_due_date;
  let due = app.due_date;
  if (isOpen(state) || justAccepted) {
    if (!acceptedAt) {
      acceptDue = (await addWorkingDays(work.tx, shanghaiDate(new Date(app.submitted_at)), ACCEPT_WORKING_DAYS, { stops: view.stops })).date;
      due = acceptDue;
    } else {
      const from = shanghaiDate(new Date(acceptedAt));
      const stops = view.stops.filter((s) => s.end > from);
      due = (await addWorkingDays(work.tx, from, item.promisedDays + flow.extensionDays, { stops })).date;
    }
  }
  const finished = FINISHED.includes(state);
  // The certificate is issued first so that the one update below records it with the state.
  const certificate = state === 'approved' && !app.certificate_id ? await issueCertificate(work, platform, app, item) : null;
  if (justAccepted) events.push({ type: 'accepted', payload: { dueDate: due } });
  if (certificate) events.push({ type: 'approved', payload: { certificateNo: certificate.certificate_no } });
  // With no events the expression inserts nothing; one statement text either way.
  const updated = (await q(work.tx)
    .with('events', (db) => eventsInsert(db, work, app.id, events, now))
    .updateTable('approval_applications')
    .set({
      state,
      accepted_at: acceptedAt,
      accept_due_date: acceptDue,
      due_date: due,
      finished_at: finished ? (app.finished_at ?? now) : null,
      ...(certificate ? { certificate_id: certificate.id } : {}),
      ...patch,
      version: (eb) => eb('version', '+', 1),
    })
    .where('id', '=', app.id)
    .returningAll()
    .executeTakeFirstOrThrow()) as CaseRow;

  if (justAccepted) {
    await notifyApplicant(work, platform, updated, 'approval.case.accepted', { receiptNo: app.receipt_no, itemName: item.name, dueDate: due ?? '' }, 'accepted');
  }
  if (certificate) {
    await notifyApplicant(work, platform, updated, 'approval.case.approved', { receiptNo: app.receipt_no, itemName: item.name, resultName: item.resultName, certificateNo: certificate.certificate_no }, 'result');
  }
  const lastSeq = view.actions.length - 1;
  const opened = view.tasks.filter((t) => t.state === 'open' && t.round === lastSeq && view.actions[lastSeq].type !== 'resume');
  if (opened.length && isOpen(state)) await notifyNewTasks(work, platform, updated, item, opened);
  return { app: updated, view };
}

async function lockCaseOfInstance(work: Work, instanceId: string) {
  return (await q(work.tx).selectFrom('approval_applications').selectAll().where('flow_instance_id', '=', instanceId).forUpdate().executeTakeFirst()) as CaseRow | undefined;
}

// ---------------------------------------------------------------- submission

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
  const instance = await startInstance(work, platform, { definition: item.process, subjectType: CASE_SUBJECT, subjectId: id });
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

// ---------------------------------------------------------------- reading a case

export interface StepView {
  key: string;
  name: string;
  unitId: string;
  role: string;
  stage: number;
  state: string;
  dueDate: string | null;
  openedAt: string | null;
  finishedAt: string | null;
}

function actionView(action: InstanceView['actions'][number], staff: boolean) {
  const base = { seq: action.seq, type: action.type, at: action.at, ...(staff ? { actorName: action.actorName } : {}) };
  const payload = action as FlowAction;
  switch (payload.type) {
    case 'complete':
      return { ...base, stepKey: payload.stepKey, outcome: payload.outcome, opinion: payload.opinion ?? null, returnTo: payload.returnTo ?? null };
    case 'suspend':
      return { ...base, reason: payload.reason, note: payload.note ?? null };
    case 'extend':
      return { ...base, days: payload.days, reason: payload.reason };
    case 'reassign':
      return { ...base, stepKey: payload.stepKey };
    default:
      return base;
  }
}

function stepsView(item: Item, view: InstanceView): StepView[] {
  const latest = new Map<string, TaskRow>();
  for (const task of view.tasks) {
    const seen = latest.get(task.step_key);
    if (!seen || task.round >= seen.round) latest.set(task.step_key, task);
  }
  const states = new Map(view.state.steps.map((s) => [s.key, s.state]));
  return allSteps(item.process).map((step) => {
    const task = latest.get(step.key);
    return {
      key: step.key,
      name: step.name,
      unitId: step.unitId,
      role: step.role,
      stage: step.stageIndex,
      state: states.get(step.key) ?? 'waiting',
      dueDate: task?.due_date ?? null,
      openedAt: task ? iso(task.opened_at) : null,
      finishedAt: task && task.state === 'done' ? iso(task.finished_at) : null,
    };
  });
}

async function eventsOf(db: Db, id: string) {
  return q(db).selectFrom('approval_events').selectAll().where('application_id', '=', id).orderBy('seq').execute();
}

/** The correction request of a case and whether it was answered. */
function correctionOf(events: Awaited<ReturnType<typeof eventsOf>>) {
  const request = events.find((e) => e.type === 'correction_requested');
  if (!request) return null;
  const answer = events.find((e) => e.type === 'corrected' && e.seq > request.seq);
  const payload = request.payload as { missing: Array<{ materialKey: string; name: string; reason: string }>; opinion: string | null; stepKey: string; unitId: string };
  return { requestedAt: iso(request.at)!, stepKey: payload.stepKey, unitId: payload.unitId, missing: payload.missing, opinion: payload.opinion, correctedAt: answer ? iso(answer.at) : null };
}

function decisionOf(events: Awaited<ReturnType<typeof eventsOf>>) {
  const rejected = events.find((e) => e.type === 'rejected');
  if (!rejected) return null;
  const p = rejected.payload as { stepKey: string; stepName: string; unitId: string; reason: string; stage: number };
  return { outcome: 'rejected' as const, stepKey: p.stepKey, stepName: p.stepName, unitId: p.unitId, reason: p.reason, notAccepted: p.stage === 0, decidedAt: iso(rejected.at)! };
}

/** A case as the caller may see it; another department's or a stranger's case is 404. */
export async function getApplicationView(platform: Platform, principal: Principal, id: string) {
  const db = platform.db;
  const { app, item } = await visibleCase(db, principal, id);
  const today = shanghaiDate(platform.clock.now());
  const [view, events, materials, certificate] = await Promise.all([
    getInstanceView(db, app.flow_instance_id, today),
    eventsOf(db, app.id),
    q(db).selectFrom('approval_materials').selectAll().where('application_id', '=', app.id).orderBy('round').orderBy('added_at').orderBy('material_key').execute(),
    app.certificate_id ? q(db).selectFrom('approval_certificates').select(['certificate_no', 'verification_code']).where('id', '=', app.certificate_id).executeTakeFirst() : undefined,
  ]);
  const staff = principal.kind === 'staff';
  const names = new Map(item.materials.map((m) => [m.key, m.name]));
  const handed = new Set(materials.map((m) => m.material_key));
  const applicantId = openField(platform, app.applicant_id_sealed);
  return {
    id: app.id,
    receiptNo: app.receipt_no,
    itemId: app.item_id,
    itemCode: app.item_code,
    itemName: item.name,
    itemVersion: app.item_version,
    unitId: app.unit_id,
    channel: app.channel,
    state: app.state,
    submittedAt: iso(app.submitted_at)!,
    acceptDueDate: app.accept_due_date,
    acceptedAt: iso(app.accepted_at),
    dueDate: app.due_date,
    finishedAt: iso(app.finished_at),
    promisedDays: item.promisedDays,
    extensionDays: view!.state.extensionDays,
    clockStopped: view!.state.suspendedFor,
    applicant: {
      kind: app.applicant_kind,
      name: app.applicant_name,
      idNumber: app.applicant_kind === 'person' ? maskIdNumber(applicantId) : null,
      creditCode: app.applicant_kind === 'enterprise' ? applicantId : null,
      phone: maskPhone(openField(platform, app.applicant_phone_sealed)),
    },
    form: app.form,
    materials: materials.map((m) => ({ materialKey: m.material_key, name: names.get(m.material_key) ?? m.material_key, fileId: m.file_id, round: m.round, addedAt: iso(m.added_at)! })),
    pendingMaterials: item.materials.filter((m) => m.required && m.allowPending && !handed.has(m.key)).map((m) => ({ materialKey: m.key, name: m.name })),
    correction: correctionOf(events),
    decision: decisionOf(events),
    steps: stepsView(item, view!),
    actions: view!.actions.map((a) => actionView(a, staff)),
    // Who a task went to is the office's business, not the applicant's.
    events: events.filter((e) => staff || e.type !== 'reassigned').map((e) => ({ seq: e.seq, type: e.type, at: iso(e.at)!, payload: e.payload, ...(staff ? { actorName: e.actor_name } : {}) })),
    result: certificate ? { certificateNo: certificate.certificate_no, verificationCode: certificate.verification_code } : null,
  };
}
export type ApplicationView = Awaited<ReturnType<typeof getApplicationView>>;

/** The caller's own applications, newest first: a citizen's applications, or those a clerk filed. */
export async function listMyApplications(platform: Platform, principal: Principal, options: { limit: number; cursor?: string }) {
  const after = decodeCursor(options.cursor, 2);
  if (options.cursor && (!after || typeof after[0] !== 'string' || typeof after[1] !== 'string' || Number.isNaN(Date.parse(after[0])))) throw invalid([fieldError('cursor', 'approval.app.cursorInvalid')]);
  const column = principal.kind === 'public' ? 'applicant_user_id' : 'submitted_by';
  let query = q(platform.db)
    .selectFrom('approval_applications')
    .select(['id', 'receipt_no', 'item_id', 'item_code', 'item_version', 'channel', 'applicant_name', 'state', 'submitted_at', 'due_date', 'finished_at'])
    .where(column, '=', principal.userId)
    .orderBy('submitted_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1);
  if (after) {
    const [at, id] = [new Date(after[0] as string), after[1] as string];
    query = query.where((eb) => eb.or([eb('submitted_at', '<', at), eb.and([eb('submitted_at', '=', at), eb('id', '<', id)])]));
  }
  const rows = await query.execute();
  const page = rows.slice(0, options.limit);
  const items = await loadItems(platform.db, page.map((r) => r.item_id));
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id,
      receiptNo: r.receipt_no,
      itemId: r.item_id,
      itemCode: r.item_code,
      itemName: items.get(r.item_id)?.name ?? '',
      itemVersion: r.item_version,
      channel: r.channel,
      applicantName: r.applicant_name,
      state: r.state,
      submittedAt: iso(r.submitted_at)!,
      dueDate: r.due_date,
      finishedAt: iso(r.finished_at),
    })),
    nextCursor: rows.length > options.limit ? encodeCursor([iso(last.submitted_at), last.id]) : null,
  };
}

// ---------------------------------------------------------------- handling tasks

export interface CompleteInput {
  action: TaskAction;
  opinion?: string;
  missing?: Array<{ materialKey: string; reason: string }>;
  returnTo?: string;
  expectedVersion?: number;
}

/**
 * Completes a task of an approval case. accept (first stage) and approve (later stages) move the
 * case on; reject ends it with the department's reasons; request_correction tells the applicant
 * once and completely what is missing and stops the clock; return sends it back to an earlier
 * step. Another unit's task is 404, a task already done 409; nobody decides on an application
 * they filed themselves (403).
 */
export async function completeApprovalTask(work: Work, platform: Platform, principal: Principal, taskId: string, input: CompleteInput) {
  const peek = await getTask(work.tx, taskId);
  if (!peek || !mayHandle(principal, peek)) throw notFound();
  const app = await lockCaseOfInstance(work, peek.instance_id);
  if (!app) throw notFound();
  // The case is locked now: completeTask reads the task again (state, version) and refuses a closed one.
  const item = (await getFiledItem(work.tx, app.item_id))!;
  const steps = allSteps(item.process);
  const step = steps.find((s) => s.key === peek.step_key)!;
  const opinion = input.opinion?.trim() || undefined;
  const now = platform.clock.now();

  const errors: FieldError[] = [];
  if (input.action === 'accept' && step.stageIndex !== 0) errors.push(fieldError('action', 'approval.app.useApprove'));
  if (input.action === 'approve' && step.stageIndex === 0) errors.push(fieldError('action', 'approval.app.useAccept'));
  if (input.missing !== undefined && input.action !== 'request_correction') errors.push(fieldError('missing', 'approval.app.missingOnlyForCorrection'));
  if (input.returnTo !== undefined && input.action !== 'return') errors.push(fieldError('returnTo', 'approval.app.returnToOnlyForReturn'));
  if ((input.action === 'reject' || input.action === 'return') && !opinion) errors.push(fieldError('opinion', 'approval.app.opinionRequired'));
  if (errors.length) throw invalid(errors);
  if ((input.action === 'accept' || input.action === 'approve') && isParty(principal, app)) throw forbidden({ key: 'approval.app.ownApplication' });

  let patch: Partial<Pick<CaseRow, 'correction_count'>> = {};
  let view: InstanceView;
  const events: CaseEvent[] = [];
  const expectedVersion = input.expectedVersion;
  switch (input.action) {
    case 'accept':
    case 'approve':
      ({ view } = await completeTask(work, platform, principal, taskId, { outcome: 'approve', opinion, expectedVersion }));
      break;
    case 'reject':
      ({ view } = await completeTask(work, platform, principal, taskId, { outcome: 'reject', opinion, expectedVersion }));
      events.push({ type: 'rejected', payload: { taskId, stepKey: step.key, stepName: step.name, unitId: step.unitId, stage: step.stageIndex, reason: opinion } });
      await notifyApplicant(work, platform, app, step.stageIndex === 0 ? 'approval.case.notAccepted' : 'approval.case.rejected', { receiptNo: app.receipt_no, itemName: item.name, reason: clip(opinion!) }, 'result');
      break;
    case 'return': {
      if (input.returnTo !== undefined) {
        const target = steps.find((s) => s.key === input.returnTo);
        if (!target || target.stageIndex >= step.stageIndex) throw invalid([fieldError('returnTo', 'approval.app.returnToInvalid')]);
      } else if (step.stageIndex === 0) {
        throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.returnFromFirst' } });
      }
      ({ view } = await completeTask(work, platform, principal, taskId, { outcome: 'return', opinion, returnTo: input.returnTo, expectedVersion }));
      events.push({ type: 'returned', payload: { taskId, stepKey: step.key, returnTo: input.returnTo ?? null, reason: opinion } });
      break;
    }
    case 'request_correction': {
      const task = (await getTask(work.tx, taskId))!;
      if (task.state !== 'open') throw new AppError('CONFLICT', { detail: { key: 'flow.taskClosed' } });
      if (expectedVersion !== undefined && expectedVersion !== task.version) throw conflict();
      if (app.correction_count > 0) throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.correctionOnce' } });
      const missing = checkMissingList(item, input.missing);
      ({ view } = await applyInstanceAction(work, platform, app.flow_instance_id, { type: 'suspend', reason: 'correction', by: principal.userId, note: opinion }));
      events.push({ type: 'correction_requested', payload: { taskId, stepKey: step.key, unitId: step.unitId, missing, opinion: opinion ?? null } });
      await notifyApplicant(work, platform, app, 'approval.case.correction', { receiptNo: app.receipt_no, itemName: item.name, missing: clip(missing.map((m) => m.name).join('、'), 200) }, 'correction');
      patch = { correction_count: app.correction_count + 1 };
      break;
    }
  }
  const { app: updated } = await syncCase(work, platform, app, item, { patch, view, events });
  recordAudit(work, { action: `approval.task.${input.action}`, objectType: 'approval_application', objectId: app.id, details: { taskId, stepKey: step.key, state: updated.state } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: input.action, stepKey: step.key });
  return { taskId, caseId: app.id, state: updated.state, dueDate: updated.due_date };
}

function checkMissingList(item: Pick<Item, 'materials'>, missing: CompleteInput['missing']) {
  if (!missing?.length) throw invalid([fieldError('missing', 'approval.app.missingRequired')]);
  const known = new Map(item.materials.map((m) => [m.key, m]));
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  missing.forEach((entry, i) => {
    if (!known.has(entry.materialKey)) errors.push(fieldError(`missing.${i}.materialKey`, 'approval.app.materialUnknown', { key: entry.materialKey }));
    else if (seen.has(entry.materialKey)) errors.push(fieldError(`missing.${i}.materialKey`, 'approval.app.missingTwice', { key: entry.materialKey }));
    if (!entry.reason.trim()) errors.push(fieldError(`missing.${i}.reason`, 'approval.app.reasonRequired'));
    seen.add(entry.materialKey);
  });
  if (errors.length) throw invalid(errors);
  return missing.map((m) => ({ materialKey: m.materialKey, name: known.get(m.materialKey)!.name, reason: m.reason.trim() }));
}

/**
 * The applicant hands in what the correction request listed (online, or at the window through an
 * intake clerk): every listed material must come, all at once; the clock resumes. Without a
 * correction request, an open case takes the materials accepted as pending (容缺) only.
 */
export async function submitCorrection(work: Work, platform: Platform, principal: Principal, id: string, input: { materials: ApplicationInput['materials'] }) {
  const { app, item } = await visibleCase(platform.db, principal, id, { lock: work });
  if (!isParty(principal, app) && !hasPermission(principal, 'approval.intake')) throw forbidden({ key: 'approval.app.notApplicant' });
  if (app.state !== 'correction_requested') {
    if (isOpen(app.state)) return addPendingMaterials(work, platform, principal, app, item, input.materials);
    throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.noCorrectionPending' } });
  }
  const now = platform.clock.now();
  const request = correctionOf(await eventsOf(work.tx, app.id))!;
  const checked = await checkMaterials(work.tx, principal, item, input.materials);
  const provided = new Set(input.materials.map((m) => m.materialKey));
  const still = request.missing.filter((m) => !provided.has(m.materialKey));
  if (checked.errors.length || still.length || !input.materials.length) {
    throw missingMaterialsError(checked.errors, still.map((m) => ({ key: m.materialKey, name: m.name })), 'approval.app.correctionIncomplete');
  }
  await attachFiles(work, input.materials.map((m) => m.fileId), { ownerType: MATERIAL_OWNER, ownerId: app.id }, principal, now);
  await q(work.tx)
    .insertInto('approval_materials')
    .values(input.materials.map((m) => ({ application_id: app.id, material_key: m.materialKey, file_id: m.fileId, round: app.correction_count, added_at: now })))
    .execute();
  await applyInstanceAction(work, platform, app.flow_instance_id, { type: 'resume', by: principal.userId });
  const { app: updated } = await syncCase(work, platform, app, item, { events: [{ type: 'corrected', payload: { materials: [...provided] } }] });
  const requester = (await eventsOf(work.tx, app.id)).find((e) => e.type === 'correction_requested')?.actor_id;
  if (requester) {
    await enqueueMessagesAtCommit(work, platform, [{ channel: 'inapp', to: { userId: requester }, template: 'approval.case.corrected', params: { receiptNo: app.receipt_no, itemName: item.name, caseId: app.id }, dedupeKey: `approval:${app.id}:corrected` }]);
  }
  recordAudit(work, { action: 'approval.application.correct', objectType: 'approval_application', objectId: app.id, details: { materials: [...provided] } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'correct', stepKey: null });
  return { id: app.id, receiptNo: app.receipt_no, state: updated.state, dueDate: updated.due_date };
}

/** Materials accepted as pending (容缺受理) handed in later; the process goes on meanwhile. */
async function addPendingMaterials(work: Work, platform: Platform, principal: Principal, app: CaseRow, item: Item, materials: ApplicationInput['materials']) {
  const handed = new Set((await q(work.tx).selectFrom('approval_materials').select('material_key').where('application_id', '=', app.id).execute()).map((m) => m.material_key));
  const pending = new Set(item.materials.filter((m) => m.required && m.allowPending && !handed.has(m.key)).map((m) => m.key));
  if (!pending.size) throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.noCorrectionPending' } });
  const checked = await checkMaterials(work.tx, principal, item, materials);
  const errors = [...checked.errors];
  materials.forEach((m, i) => {
    if (!pending.has(m.materialKey) && !errors.some((e) => e.path.startsWith(`materials.${i}.`))) errors.push(fieldError(`materials.${i}.materialKey`, 'approval.app.materialNotPending', { key: m.materialKey }));
  });
  if (errors.length) throw invalid(errors);
  const now = platform.clock.now();
  await attachFiles(work, materials.map((m) => m.fileId), { ownerType: MATERIAL_OWNER, ownerId: app.id }, principal, now);
  await q(work.tx)
    .insertInto('approval_materials')
    .values(materials.map((m) => ({ application_id: app.id, material_key: m.materialKey, file_id: m.fileId, round: app.correction_count, added_at: now })))
    .execute();
  const keys = [...new Set(materials.map((m) => m.materialKey))];
  await addEvent(work, app.id, 'materials_added', { materials: keys }, now);
  recordAudit(work, { action: 'approval.application.addMaterials', objectType: 'approval_application', objectId: app.id, details: { materials: keys } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'add_materials', stepKey: null });
  return { id: app.id, receiptNo: app.receipt_no, state: app.state, dueDate: app.due_date };
}

/** The applicant (or the clerk who filed it) withdraws an application not yet accepted. */
export async function withdrawApplication(work: Work, platform: Platform, principal: Principal, id: string, input: { reason?: string }) {
  const { app, item } = await visibleCase(platform.db, principal, id, { lock: work });
  if (!isParty(principal, app)) throw forbidden({ key: 'approval.app.notApplicant' });
  if (!isOpen(app.state)) throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.finished' } });
  if (app.accepted_at) throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.withdrawAfterAcceptance' } });
  const now = platform.clock.now();
  await applyInstanceAction(work, platform, app.flow_instance_id, { type: 'withdraw', by: principal.userId });
  const { app: updated } = await syncCase(work, platform, app, item, { events: [{ type: 'withdrawn', payload: { reason: input.reason?.trim() || null } }] });
  recordAudit(work, { action: 'approval.application.withdraw', objectType: 'approval_application', objectId: app.id, details: { receiptNo: app.receipt_no } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'withdraw', stepKey: null });
  return { id: app.id, receiptNo: app.receipt_no, state: updated.state };
}

/** An open, accepted case the caller holds `permission` for (scope over one of its step units); else 404. */
async function caseForStaff(work: Work, principal: Principal, id: string, permission: string) {
  const found = await visibleCase(work.tx, principal, id, { lock: work });
  if (!(await coveredUnits(work.tx, principal, found.item, [permission])).length) throw notFound();
  if (!isOpen(found.app.state)) throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.finished' } });
  if (!found.app.accepted_at) throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.notAccepted' } });
  return found;
}

/** Largest single fee recorded on a case, in fen (one million yuan): beyond it is a typing error. */
export const MAX_FEE_FEN = 100_000_000;

/**
 * Records a fee charged on a case (收费), by the window or a handler of one of the case's units,
 * once the case is accepted. The total charged is compared with the item's standard by
 * supervision (a fee above the standard is a red card), so it is recorded as it was charged, never
 * edited: a refund is a record of its own (a negative amount) with a note.
 */
export async function recordFee(work: Work, platform: Platform, principal: Principal, id: string, input: { amountFen: number; note?: string }) {
  const { app, item } = await visibleCase(work.tx, principal, id, { lock: work });
  if (!(await coveredUnits(work.tx, principal, item, ['approval.intake', 'approval.handle'])).length) throw notFound();
  if (!app.accepted_at || app.state === 'withdrawn' || app.state === 'rejected') throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.feeNotNow' } });
  const note = input.note?.trim() || null;
  if (input.amountFen === 0) throw invalid([fieldError('amountFen', 'approval.app.feeZero')]);
  if (input.amountFen < 0 && !note) throw invalid([fieldError('note', 'approval.app.refundNoteRequired')]);
  const previous = (await eventsOf(work.tx, app.id)).filter((e) => e.type === 'fee_charged').reduce((sum, e) => sum + Number((e.payload as { amountFen?: number }).amountFen ?? 0), 0);
  const totalFen = previous + input.amountFen;
  if (totalFen < 0) throw invalid([fieldError('amountFen', 'approval.app.refundTooLarge', { totalFen: previous })]);
  const now = platform.clock.now();
  await addEvent(work, app.id, 'fee_charged', { amountFen: input.amountFen, totalFen, note }, now);
  recordAudit(work, { action: 'approval.application.fee', objectType: 'approval_application', objectId: app.id, details: { amountFen: input.amountFen, totalFen, note } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'fee', stepKey: null });
  const standardFen = item.fee.charged ? (item.fee.amountFen ?? 0) : 0;
  return { id: app.id, state: app.state, dueDate: app.due_date, amountFen: input.amountFen, totalFen, standardFen };
}

/** A unit leader extends the case's time limit (延期) with a reason; at most MAX_EXTENSION_DAYS in all. */
export async function extendApplication(work: Work, platform: Platform, principal: Principal, id: string, input: { days: number; reason: string }) {
  const { app, item } = await caseForStaff(work, principal, id, 'approval.lead');
  const reason = input.reason.trim();
  if (!reason) throw invalid([fieldError('reason', 'approval.app.reasonRequired')]);
  const now = platform.clock.now();
  const view = (await getInstanceView(work.tx, app.flow_instance_id, shanghaiDate(now)))!;
  const left = MAX_EXTENSION_DAYS - view.state.extensionDays;
  if (input.days > left) throw invalid([fieldError('days', 'approval.app.extensionTooLong', { max: MAX_EXTENSION_DAYS, left })]);
  await applyInstanceAction(work, platform, app.flow_instance_id, { type: 'extend', days: input.days, by: principal.userId, reason });
  const { app: updated } = await syncCase(work, platform, app, item);
  await addEvent(work, app.id, 'extended', { days: input.days, reason, dueDate: updated.due_date }, now);
  await notifyApplicant(work, platform, updated, 'approval.case.extended', { receiptNo: app.receipt_no, itemName: item.name, days: input.days, dueDate: updated.due_date ?? '', reason: clip(reason) }, `extended:${view.actions.length}`);
  recordAudit(work, { action: 'approval.application.extend', objectType: 'approval_application', objectId: app.id, details: { days: input.days, reason, dueDate: updated.due_date } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'extend', stepKey: null });
  return { id: app.id, state: updated.state, dueDate: updated.due_date, extensionDays: view.state.extensionDays + input.days };
}

/** Stops the clock for a hearing (听证), inspection/testing/expert review or public notice (公示). */
export async function startClockStop(work: Work, platform: Platform, principal: Principal, id: string, input: { reason: ManualStop; note: string }) {
  const { app, item } = await caseForStaff(work, principal, id, 'approval.handle');
  const note = input.note.trim();
  if (!note) throw invalid([fieldError('note', 'approval.app.reasonRequired')]);
  const now = platform.clock.now();
  await applyInstanceAction(work, platform, app.flow_instance_id, { type: 'suspend', reason: input.reason, by: principal.userId, note });
  const { app: updated } = await syncCase(work, platform, app, item, { events: [{ type: 'clock_stopped', payload: { reason: input.reason, note } }] });
  recordAudit(work, { action: 'approval.application.clockStop', objectType: 'approval_application', objectId: app.id, details: { reason: input.reason } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'clock_stop', stepKey: null });
  return { id: app.id, state: updated.state, dueDate: updated.due_date, clockStopped: input.reason };
}

/** Ends a hearing, inspection or public-notice stop; a correction stop ends with the applicant's materials. */
export async function endClockStop(work: Work, platform: Platform, principal: Principal, id: string, input: { note?: string }) {
  const { app, item } = await caseForStaff(work, principal, id, 'approval.handle');
  const now = platform.clock.now();
  const view = (await getInstanceView(work.tx, app.flow_instance_id, shanghaiDate(now)))!;
  const stopped = view.state.status === 'suspended' ? view.state.suspendedFor : null;
  if (!stopped || stopped === 'correction') throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.notStopped' } });
  await applyInstanceAction(work, platform, app.flow_instance_id, { type: 'resume', by: principal.userId });
  const { app: updated } = await syncCase(work, platform, app, item, { events: [{ type: 'clock_resumed', payload: { reason: stopped, note: input.note?.trim() || null } }] });
  recordAudit(work, { action: 'approval.application.clockResume', objectType: 'approval_application', objectId: app.id, details: { reason: stopped } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'clock_resume', stepKey: null });
  return { id: app.id, state: updated.state, dueDate: updated.due_date, clockStopped: null };
}

/** A unit leader hands an open task to one person who holds the step's role in the step's unit. */
export async function reassignTask(work: Work, platform: Platform, principal: Principal, taskId: string, input: { userId: string }) {
  const peek = await getTask(work.tx, taskId);
  if (!peek || !coversUnit(principal, 'approval.lead', { id: peek.unit_id, regionCode: peek.unit_region })) throw notFound();
  const app = await lockCaseOfInstance(work, peek.instance_id);
  if (!app) throw notFound();
  const task = (await getTask(work.tx, taskId))!;
  if (task.state !== 'open') throw new AppError('CONFLICT', { detail: { key: 'flow.taskClosed' } });
  const party = input.userId === app.applicant_user_id || input.userId === app.submitted_by;
  if (party || !(await staffHoldsRole(work.tx, input.userId, task.role as Role, { id: task.unit_id, regionCode: task.unit_region }))) {
    throw invalid([fieldError('userId', 'approval.app.assigneeCannotHandle')]);
  }
  const item = (await loadItem(work.tx, app.item_id))!;
  const now = platform.clock.now();
  await applyInstanceAction(work, platform, app.flow_instance_id, { type: 'reassign', stepKey: task.step_key, to: input.userId, by: principal.userId });
  await syncCase(work, platform, app, item, { events: [{ type: 'reassigned', payload: { taskId, stepKey: task.step_key, to: input.userId } }] });
  await notifyNewTasks(work, platform, app, item, [{ ...task, assignee: input.userId }]);
  recordAudit(work, { action: 'approval.task.reassign', objectType: 'approval_application', objectId: app.id, details: { taskId, stepKey: task.step_key, to: input.userId } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'reassign', stepKey: task.step_key });
  return { taskId, caseId: app.id, assignee: input.userId };
}

// ---------------------------------------------------------------- notices

export const NOTICE_KINDS = ['acceptance', 'correction', 'rejection'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/**
 * What a printable notice shows: the acceptance notice (受理通知书) once accepted, the one-time
 * notice of missing materials (一次性告知书) once a correction was requested, the decision not to
 * accept or not to grant (不予受理/不予许可决定书) once rejected. Otherwise 404.
 */
export async function getNoticeData(platform: Platform, principal: Principal, id: string, kind: NoticeKind) {
  const { app, item } = await visibleCase(platform.db, principal, id);
  const events = await eventsOf(platform.db, app.id);
  const correction = correctionOf(events);
  const decision = decisionOf(events);
  if (kind === 'acceptance' && !app.accepted_at) throw notFound();
  if (kind === 'correction' && !correction) throw notFound();
  if (kind === 'rejection' && !decision) throw notFound();
  const unitIds = [item.unitId, correction?.unitId, decision?.unitId].filter((u): u is string => !!u);
  const units = new Map((await getUnits(platform.db, unitIds)).map((u) => [u.id, u.name]));
  const accepted = events.find((e) => e.type === 'accepted');
  return {
    kind,
    receiptNo: app.receipt_no,
    itemName: item.name,
    itemCode: item.code,
    resultName: item.resultName,
    legalBasis: item.legalBasis,
    consultPhone: item.consultPhone,
    complaintPhone: item.complaintPhone,
    promisedDays: item.promisedDays,
    unitName: units.get(item.unitId) ?? '',
    applicantName: app.applicant_name,
    submittedDate: shanghaiDate(new Date(app.submitted_at)),
    acceptedDate: app.accepted_at ? shanghaiDate(new Date(app.accepted_at)) : null,
    dueDate: (accepted?.payload as { dueDate?: string } | undefined)?.dueDate ?? app.due_date,
    correction: correction ? { ...correction, date: shanghaiDate(new Date(correction.requestedAt)), unitName: units.get(correction.unitId) ?? '' } : null,
    decision: decision ? { ...decision, date: shanghaiDate(new Date(decision.decidedAt)), unitName: units.get(decision.unitId) ?? '' } : null,
  };
}
export type NoticeData = Awaited<ReturnType<typeof getNoticeData>>;

