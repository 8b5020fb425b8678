/** Who may see and act on a meeting: the organising unit's clerks, the invited units' clerks, the supervision office. */
import type { Db } from '../../../platform/db/index.ts';
import type { Work } from '../../../platform/db/work.ts';
import { coversUnit, hasPermission, type Principal } from '../../../platform/iam/principal.ts';
import { getUnit, getUnits, type Unit } from '../../../platform/org/service.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { meetingsDb, ORGANISE_PERMISSION, OVERSIGHT_PERMISSION, REGISTER_PERMISSION, type MeetingRow, type RegistrationRow } from '../model.ts';

export async function findMeeting(db: Db, id: string, options: { lock?: Work } = {}): Promise<MeetingRow | null> {
  let query = meetingsDb(options.lock ? options.lock.tx : db).selectFrom('meetings_meetings').selectAll().where('id', '=', id);
  if (options.lock) query = query.forUpdate();
  return (await query.executeTakeFirst()) ?? null;
}

/** Whether the caller organises meetings for the meeting's unit. */
export async function isOrganiser(db: Db, principal: Principal, meeting: Pick<MeetingRow, 'organiser_unit_id'>): Promise<boolean> {
  const unit = await getUnit(db, meeting.organiser_unit_id);
  return !!unit && coversUnit(principal, ORGANISE_PERMISSION, unit);
}

/** Whether the caller watches every unit's meetings (the supervision office). */
export async function oversees(db: Db, principal: Principal, meeting: Pick<MeetingRow, 'organiser_unit_id'>): Promise<boolean> {
  if (!hasPermission(principal, OVERSIGHT_PERMISSION)) return false;
  const unit = await getUnit(db, meeting.organiser_unit_id);
  return !!unit && coversUnit(principal, OVERSIGHT_PERMISSION, unit);
}

/** The unit the caller registers for: its own unit, when it holds the register permission there. */
export async function callerUnit(db: Db, principal: Principal): Promise<Unit | null> {
  if (!principal.unitId) return null;
  const unit = await getUnit(db, principal.unitId);
  return unit && coversUnit(principal, REGISTER_PERMISSION, unit) ? unit : null;
}

/** The caller's unit's registration for a sent (or cancelled) meeting, if the unit was invited. */
export async function ownRegistration(db: Db, principal: Principal, meeting: Pick<MeetingRow, 'id' | 'state'>, options: { lock?: Work } = {}): Promise<RegistrationRow | null> {
  if (meeting.state === 'draft') return null;
  const unit = await callerUnit(options.lock ? options.lock.tx : db, principal);
  if (!unit) return null;
  let query = meetingsDb(options.lock ? options.lock.tx : db).selectFrom('meetings_registrations').selectAll().where('meeting_id', '=', meeting.id).where('unit_id', '=', unit.id);
  if (options.lock) query = query.forUpdate();
  return (await query.executeTakeFirst()) ?? null;
}

export type MeetingAccess = { meeting: MeetingRow; organiser: boolean; registration: RegistrationRow | null; oversight: boolean };

/** A meeting the caller may read, with how it relates to it; anyone else gets 404. */
export async function visibleMeeting(db: Db, principal: Principal, id: string): Promise<MeetingAccess> {
  const meeting = await findMeeting(db, id);
  if (!meeting) throw notFound();
  const organiser = await isOrganiser(db, principal, meeting);
  const registration = await ownRegistration(db, principal, meeting);
  const oversight = !organiser && !registration && (await oversees(db, principal, meeting));
  if (!organiser && !registration && !oversight) throw notFound();
  return { meeting, organiser, registration, oversight };
}

/** A meeting the caller organises, locked for the change; else 404. */
export async function organisedMeeting(work: Work, principal: Principal, id: string): Promise<MeetingRow> {
  const meeting = await findMeeting(work.tx, id, { lock: work });
  if (!meeting || !(await isOrganiser(work.tx, principal, meeting))) throw notFound();
  return meeting;
}

/** The organiser's or the supervision office's reading of a meeting's registrations; else 404. */
export async function meetingForOrganiserView(db: Db, principal: Principal, id: string): Promise<MeetingRow> {
  const meeting = await findMeeting(db, id);
  if (!meeting) throw notFound();
  if (!(await isOrganiser(db, principal, meeting)) && !(await oversees(db, principal, meeting))) throw notFound();
  return meeting;
}

/** Units by id, for names. */
export async function unitNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  const units = await getUnits(db, [...new Set(ids)]);
  return new Map(units.map((u) => [u.id, u.name]));
}
