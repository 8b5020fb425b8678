/**
 * Complaints (投诉) about a case: filed online by the applicant (their account, or the receipt
 * number and their phone), or recorded by a supervisor from a phone call. They are routed to
 * supervision, not to the department complained about; each has its own deadline in working days,
 * an append-only handling record and a reply to the complainant.
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type { Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import { recordAudit } from '../../platform/audit/service.ts';
import { AppError, fieldError, forbidden, invalid, notFound } from '../../platform/http/errors.ts';
import { keysetPage, type Keyset } from '../../platform/db/pagination.ts';
import { addWorkingDays, shanghaiDate } from '../../platform/calendar/index.ts';
import { hasPermission, type Principal } from '../../platform/iam/principal.ts';
import { isValidMobile, maskPhone } from '../../platform/org/codes.ts';
import { getUnit } from '../../platform/org/service.ts';
import { openField, sealField } from '../../platform/crypto/fields.ts';
import { enqueueMessage } from '../../platform/notify/index.ts';
import type { CaseSummary } from '../approval/supervision-view.ts';
import { DECIDE, scopeCovers, supervisorScope, unitFilter } from './access.ts';
import { supervisorsOf } from './recipients.ts';
import { loadSettings } from './settings.ts';
import type { ComplaintRow, ComplaintState, SupervisionTables } from './model.ts';

const q = (db: Db) => db.withTables<SupervisionTables>();
const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

export const CONTENT_MAX = 2000;

function text(value: string | undefined, field: string, max = CONTENT_MAX): string {
  const trimmed = (value ?? '').trim();
  if (!trimmed) throw invalid([fieldError(field, 'supervision.textRequired')]);
  if (trimmed.length > max) throw invalid([fieldError(field, 'supervision.textTooLong', { max })]);
  return trimmed;
}

export interface ComplaintInput {
  channel: 'online' | 'phone';
  complainantName: string;
  complainantPhone: string | null;
  complainantUserId: string | null;
  content: string;
}

/** Files a complaint about a case the caller was allowed to name (the route checked who may). */
export async function fileComplaint(work: Work, platform: Platform, found: CaseSummary, input: ComplaintInput) {
  const content = text(input.content, 'content');
  const name = text(input.complainantName, 'complainantName', 100);
  const phone = input.complainantPhone?.trim().replace(/[\s-]/g, '') || null;
  if (phone && !isValidMobile(phone)) throw invalid([fieldError('complainantPhone', 'supervision.phoneInvalid')]);
  const now = platform.clock.now();
  const settings = await loadSettings(work.tx);
  const { date: due } = await addWorkingDays(work.tx, shanghaiDate(now), settings.complaintDays);
  const id = crypto.randomUUID();
  const row = await q(work.tx)
    .insertInto('supervision_complaints')
    .values({
      id,
      case_id: found.id,
      unit_id: found.unitId,
      receipt_no: found.receiptNo,
      channel: input.channel,
      complainant_user_id: input.complainantUserId,
      complainant_name: name,
      complainant_phone_sealed: phone ? sealField(platform, phone) : null,
      content,
      state: 'open',
      due_date: due,
      filed_at: now,
      filed_by: work.actor.userId,
      reply: null,
      replied_at: null,
      replied_by: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await addNote(work, id, 'filed', content, now);
  const unit = await getUnit(work.tx, found.unitId);
  if (unit) {
    for (const supervisor of await supervisorsOf(work.tx, unit)) {
      await enqueueMessage(work, platform, {
        channel: 'inapp',
        to: { userId: supervisor.userId },
        template: 'supervision.complaintFiled',
        params: { receiptNo: found.receiptNo, dueDate: due, complaintId: id },
        lang: supervisor.lang,
        dedupeKey: `supervision:complaint:${id}:${supervisor.userId}`,
      });
    }
  }
  recordAudit(work, { action: 'supervision.complaint.file', objectType: 'supervision_complaint', objectId: id, details: { caseId: found.id, channel: input.channel } }, now);
  return { id, caseId: row.case_id, receiptNo: row.receipt_no, state: row.state, dueDate: row.due_date, filedAt: iso(row.filed_at)! };
}

async function addNote(work: Work, complaintId: string, type: 'filed' | 'note' | 'replied', body: string, now: Date) {
  await sql`
    insert into supervision_complaint_notes (complaint_id, seq, type, text, actor_id, actor_name, at)
    values (${complaintId}, coalesce((select max(seq) + 1 from supervision_complaint_notes where complaint_id = ${complaintId}), 0), ${type}, ${body}, ${work.actor.userId}, ${work.actor.username ?? 'public'}, ${now})`.execute(work.tx);
}

function complaintView(platform: Platform, row: ComplaintRow, today: string, forSupervisor: boolean) {
  return {
    id: row.id,
    caseId: row.case_id,
    receiptNo: row.receipt_no,
    unitId: row.unit_id,
    channel: row.channel,
    complainantName: row.complainant_name,
    complainantPhone: forSupervisor && row.complainant_phone_sealed ? maskPhone(openField(platform, row.complainant_phone_sealed)) : null,
    content: row.content,
    state: row.state,
    dueDate: row.due_date,
    overdue: row.state !== 'replied' && today > row.due_date,
    filedAt: iso(row.filed_at)!,
    reply: row.reply,
    repliedAt: iso(row.replied_at),
    version: row.version,
  };
}

/** Newest first, by filed_at (id breaks ties). */
const NEWEST_FIRST: Keyset<{ filed_at: Date | string; id: string }> = {
  keys: [
    { by: 'filed_at', kind: 'timestamp', of: (r) => r.filed_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/** Supervisors see the complaints about units in their scope; a citizen sees the complaints they filed. */
export async function listComplaints(platform: Platform, principal: Principal | null, filter: { state?: ComplaintState; overdue?: boolean; limit: number; cursor?: string }) {
  if (!principal) throw forbidden();
  const db = platform.db;
  const scope = supervisorScope(principal);
  const today = shanghaiDate(platform.clock.now());
  let query = q(db).selectFrom('supervision_complaints').selectAll();
  if (scope) query = query.where(unitFilter(db, scope, 'unit_id'));
  else if (principal.kind === 'public') query = query.where('complainant_user_id', '=', principal.userId);
  else throw forbidden();
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.overdue) query = query.where('state', '<>', 'replied').where('due_date', '<', today);
  const page = await keysetPage(query, NEWEST_FIRST, filter);
  return { items: page.items.map((r) => complaintView(platform, r, today, !!scope)), nextCursor: page.nextCursor };
}

async function visibleComplaint(db: Db, principal: Principal, id: string, lock = false) {
  let query = q(db).selectFrom('supervision_complaints').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw notFound();
  const scope = supervisorScope(principal);
  if (scope) {
    const unit = await getUnit(db, row.unit_id);
    if (unit && scopeCovers(scope, unit)) return { row, supervisor: true };
  }
  if (principal.kind === 'public' && row.complainant_user_id === principal.userId) return { row, supervisor: false };
  throw notFound();
}

export async function getComplaint(platform: Platform, principal: Principal, id: string) {
  const { row, supervisor } = await visibleComplaint(platform.db, principal, id);
  const notes = await q(platform.db).selectFrom('supervision_complaint_notes').selectAll().where('complaint_id', '=', id).orderBy('seq').execute();
  return {
    ...complaintView(platform, row, shanghaiDate(platform.clock.now()), supervisor),
    record: supervisor ? notes.map((n) => ({ seq: n.seq, type: n.type, text: n.text, actorName: n.actor_name, at: iso(n.at)! })) : [],
  };
}

/** A supervisor adds to the handling record (办理记录); the complaint is then being handled. */
export async function addComplaintNote(work: Work, platform: Platform, principal: Principal, id: string, input: { note: string }) {
  if (!hasPermission(principal, DECIDE)) throw forbidden();
  const { row, supervisor } = await visibleComplaint(work.tx, principal, id, true);
  if (!supervisor) throw forbidden();
  const note = text(input.note, 'note');
  if (row.state === 'replied') throw new AppError('INVALID_STATE', { detail: { key: 'supervision.complaint.replied' } });
  const now = platform.clock.now();
  await addNote(work, id, 'note', note, now);
  await q(work.tx).updateTable('supervision_complaints').set((eb) => ({ state: 'handling' as const, version: eb('version', '+', 1) })).where('id', '=', id).execute();
  recordAudit(work, { action: 'supervision.complaint.note', objectType: 'supervision_complaint', objectId: id }, now);
  return getComplaintIn(work, platform, id);
}

/** A supervisor replies to the complainant (SMS to the phone given, in-app to the account): the complaint is closed. */
export async function replyComplaint(work: Work, platform: Platform, principal: Principal, id: string, input: { reply: string }) {
  if (!hasPermission(principal, DECIDE)) throw forbidden();
  const { row, supervisor } = await visibleComplaint(work.tx, principal, id, true);
  if (!supervisor) throw forbidden();
  const reply = text(input.reply, 'reply');
  if (row.state === 'replied') throw new AppError('INVALID_STATE', { detail: { key: 'supervision.complaint.replied' } });
  const now = platform.clock.now();
  await q(work.tx)
    .updateTable('supervision_complaints')
    .set((eb) => ({ state: 'replied' as const, reply, replied_at: now, replied_by: principal.userId, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .execute();
  await addNote(work, id, 'replied', reply, now);
  const params = { receiptNo: row.receipt_no, complaintId: id };
  if (row.complainant_phone_sealed) {
    await enqueueMessage(work, platform, { channel: 'sms', to: { address: openField(platform, row.complainant_phone_sealed) }, template: 'supervision.complaintReplied', params, dedupeKey: `supervision:complaint-reply:${id}:sms` });
  }
  if (row.complainant_user_id) {
    await enqueueMessage(work, platform, { channel: 'inapp', to: { userId: row.complainant_user_id }, template: 'supervision.complaintReplied', params, dedupeKey: `supervision:complaint-reply:${id}:inapp` });
  }
  recordAudit(work, { action: 'supervision.complaint.reply', objectType: 'supervision_complaint', objectId: id }, now);
  return getComplaintIn(work, platform, id);
}

async function getComplaintIn(work: Work, platform: Platform, id: string) {
  const row = await q(work.tx).selectFrom('supervision_complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const notes = await q(work.tx).selectFrom('supervision_complaint_notes').selectAll().where('complaint_id', '=', id).orderBy('seq').execute();
  return { ...complaintView(platform, row, shanghaiDate(platform.clock.now()), true), record: notes.map((n) => ({ seq: n.seq, type: n.type, text: n.text, actorName: n.actor_name, at: iso(n.at)! })) };
}
