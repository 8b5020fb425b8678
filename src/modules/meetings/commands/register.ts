/**
 * An invited unit's clerk answers a notice for the unit: its attendees (each gets a check-in code)
 * or a refusal with a reason. Until the deadline the unit may change its answer, which replaces
 * the one before. The registration row is locked first: two answers at once give one answer.
 */
import crypto from 'node:crypto';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { sealField } from '../../../platform/crypto/fields.ts';
import { AppError, fieldError, invalid, notFound, type FieldError } from '../../../platform/http/errors.ts';
import { MEETING_OBJECT, meetingsDb, type RegistrationInput } from '../model.ts';
import { findMeeting, ownRegistration } from '../queries/access.ts';
import { isPhone, normalizePhone } from './checks.ts';

/** Check-in codes: no 0/O, 1/I/L, read aloud at the door without doubt. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 6;

export const normalizeCode = (code: string) => code.replace(/[\s-]/g, '').toUpperCase();

function newCode(): string {
  const bytes = crypto.randomBytes(CODE_LENGTH);
  let code = '';
  for (const byte of bytes) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
  return code;
}

/** Codes not yet used in the meeting (a collision among a billion is redrawn). */
async function freshCodes(work: Work, meetingId: string, count: number): Promise<string[]> {
  const codes = new Set<string>();
  for (let round = 0; codes.size < count && round < 10; round += 1) {
    const drawn = Array.from({ length: count - codes.size }, newCode).filter((c) => !codes.has(c));
    const taken = drawn.length
      ? new Set((await meetingsDb(work.tx).selectFrom('meetings_attendees').select('check_in_code').where('meeting_id', '=', meetingId).where('check_in_code', 'in', drawn).execute()).map((r) => r.check_in_code))
      : new Set<string>();
    for (const code of drawn) if (!taken.has(code)) codes.add(code);
  }
  return [...codes];
}

function checkShape(input: RegistrationInput): FieldError[] {
  const errors: FieldError[] = [];
  if (input.attendees && input.decline) errors.push(fieldError('body', 'meetings.register.eitherOr'));
  else if (!input.attendees && !input.decline) errors.push(fieldError('body', 'meetings.register.eitherOr'));
  if (input.decline && !input.reason?.trim()) errors.push(fieldError('body.reason', 'meetings.register.reasonRequired'));
  if (input.attendees && input.reason !== undefined) errors.push(fieldError('body.reason', 'meetings.register.reasonOnlyDecline'));
  (input.attendees ?? []).forEach((a, i) => {
    if (!a.name.trim()) errors.push(fieldError(`body.attendees.${i}.name`, 'meetings.check.blank'));
    if (!a.position.trim()) errors.push(fieldError(`body.attendees.${i}.position`, 'meetings.check.blank'));
    if (!isPhone(a.phone)) errors.push(fieldError(`body.attendees.${i}.phone`, 'meetings.check.phone'));
  });
  return errors;
}

export async function registerForMeeting(work: Work, platform: Platform, principal: Principal, id: string, input: RegistrationInput) {
  const errors = checkShape(input);
  if (errors.length) throw invalid(errors);
  const meeting = await findMeeting(work.tx, id);
  if (!meeting) throw notFound();
  const registration = await ownRegistration(work.tx, principal, meeting, { lock: work });
  if (!registration) throw notFound();
  if (meeting.state === 'cancelled') throw new AppError('INVALID_STATE', { detail: { key: 'meetings.cancelled' } });
  const now = platform.clock.now();
  if (now > meeting.registration_deadline) throw new AppError('MEETINGS_REGISTRATION_CLOSED', { extra: { registrationDeadline: meeting.registration_deadline.toISOString() } });
  const attendees = input.attendees ?? [];
  if (attendees.length > meeting.max_attendees_per_unit) {
    throw new AppError('MEETINGS_TOO_MANY_ATTENDEES', { detail: { key: 'meetings.register.tooMany', params: { max: meeting.max_attendees_per_unit } }, extra: { maxAttendeesPerUnit: meeting.max_attendees_per_unit } });
  }
  const db = meetingsDb(work.tx);
  await db.deleteFrom('meetings_attendees').where('registration_id', '=', registration.id).execute();
  const codes = await freshCodes(work, id, attendees.length);
  const rows = attendees.map((a, i) => ({
    id: crypto.randomUUID(),
    registration_id: registration.id,
    meeting_id: id,
    unit_id: registration.unit_id,
    seq: i + 1,
    name: a.name.trim(),
    position: a.position.trim(),
    phone_sealed: sealField(platform, normalizePhone(a.phone)),
    check_in_code: codes[i],
  }));
  if (rows.length) await db.insertInto('meetings_attendees').values(rows).execute();
  const state = input.decline ? ('declined' as const) : ('registered' as const);
  const reason = input.decline ? input.reason!.trim() : null;
  await db
    .updateTable('meetings_registrations')
    .set({ state, reason, answered_at: now, answered_by: principal.userId, version: registration.version + 1 })
    .where('id', '=', registration.id)
    .execute();
  recordAudit(
    work,
    { action: input.decline ? 'meetings.registration.decline' : 'meetings.registration.register', objectType: MEETING_OBJECT, objectId: id, details: { unitId: registration.unit_id, attendees: rows.length, replaced: registration.state !== 'pending' } },
    now,
  );
  return {
    unitId: registration.unit_id,
    state,
    reason,
    answeredAt: now,
    attendees: rows.map((r, i) => ({ id: r.id, name: r.name, position: r.position, phone: normalizePhone(attendees[i].phone), checkInCode: r.check_in_code, checkedInAt: null })),
  };
}
