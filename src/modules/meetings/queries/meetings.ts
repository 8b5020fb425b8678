/** Reading notices: the caller's list, one notice, its registrations and attendees. */
import type { Db } from '../../../platform/db/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { coversUnit, hasPermission, type Principal } from '../../../platform/iam/principal.ts';
import { getUnit } from '../../../platform/org/service.ts';
import { openField } from '../../../platform/crypto/fields.ts';
import { listAttachedFiles } from '../../../platform/files/service.ts';
import { keysetPage, type Keyset } from '../../../platform/db/pagination.ts';
import { ATTACHMENT_OWNER, meetingsDb, ORGANISE_PERMISSION, OVERSIGHT_PERMISSION, type AttendeeRow, type MeetingRow, type RegistrationRow, type RegistrationState } from '../model.ts';
import { callerUnit, unitNames, type MeetingAccess } from './access.ts';

type ListRow = MeetingRow & { registration_state: RegistrationState | null };
const NEWEST_FIRST: Keyset<ListRow> = {
  keys: [
    { by: 'm.starts_at', kind: 'timestamp', of: (r) => r.starts_at },
    { by: 'm.id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

export interface ListFilter {
  view: 'mine' | 'organised' | 'invited' | 'all';
  limit: number;
  cursor?: string;
}

/**
 * The notices the caller's unit organises and those it is invited to (sent ones), newest meeting
 * first, with the unit's answer; `all` (the supervision office) every notice.
 */
export async function listMeetings(db: Db, principal: Principal, filter: ListFilter) {
  const own = principal.unitId ? await getUnit(db, principal.unitId) : null;
  const organiserUnit = own && coversUnit(principal, ORGANISE_PERMISSION, own) ? own.id : null;
  const invitedUnit = (await callerUnit(db, principal))?.id ?? null;
  const all = filter.view === 'all' && hasPermission(principal, OVERSIGHT_PERMISSION);
  let query = meetingsDb(db)
    .selectFrom('meetings_meetings as m')
    .leftJoin('meetings_registrations as r', (join) => join.onRef('r.meeting_id', '=', 'm.id').on('r.unit_id', '=', invitedUnit ?? ''))
    .selectAll('m')
    .select('r.state as registration_state');
  if (!all) {
    const organised = filter.view !== 'invited' && organiserUnit;
    const invited = filter.view !== 'organised' && invitedUnit;
    if (!organised && !invited) return { items: [], nextCursor: null };
    query = query.where((eb) => eb.or([...(organised ? [eb('m.organiser_unit_id', '=', organiserUnit)] : []), ...(invited ? [eb('r.id', 'is not', null)] : [])]));
  }
  const page = await keysetPage(query, NEWEST_FIRST, { limit: filter.limit, cursor: filter.cursor });
  const names = await unitNames(db, page.items.map((m) => m.organiser_unit_id));
  return {
    items: page.items.map((m) => ({
      ...summary(m, names),
      organised: m.organiser_unit_id === organiserUnit,
      registrationState: m.registration_state,
    })),
    nextCursor: page.nextCursor,
  };
}

function summary(m: MeetingRow, names: Map<string, string>) {
  return {
    id: m.id,
    title: m.title,
    state: m.state,
    organiserUnitId: m.organiser_unit_id,
    organiserUnitName: names.get(m.organiser_unit_id) ?? '',
    startsAt: m.starts_at,
    endsAt: m.ends_at,
    place: m.place,
    registrationDeadline: m.registration_deadline,
    maxAttendeesPerUnit: m.max_attendees_per_unit,
  };
}

export type AttendeeView = { id: string; name: string; position: string; phone: string; checkInCode: string; checkedInAt: Date | null };

export function attendeeView(platform: Platform, a: AttendeeRow): AttendeeView {
  return { id: a.id, name: a.name, position: a.position, phone: openField(platform, a.phone_sealed), checkInCode: a.check_in_code, checkedInAt: a.checked_in_at };
}

async function attendeesOf(db: Db, meetingId: string, registrationId?: string): Promise<AttendeeRow[]> {
  let query = meetingsDb(db).selectFrom('meetings_attendees').selectAll().where('meeting_id', '=', meetingId);
  if (registrationId) query = query.where('registration_id', '=', registrationId);
  return query.orderBy('unit_id').orderBy('seq').execute();
}

function registrationView(platform: Platform, r: RegistrationRow, attendees: AttendeeRow[]) {
  return { unitId: r.unit_id, state: r.state, reason: r.reason, answeredAt: r.answered_at, remindedAt: r.reminded_at, attendees: attendees.map((a) => attendeeView(platform, a)) };
}

/** One notice as the caller sees it: the organiser with its figures, an invited unit with its own answer. */
export async function meetingView(platform: Platform, access: MeetingAccess) {
  const { meeting } = access;
  const db = platform.db;
  const names = await unitNames(db, [meeting.organiser_unit_id, ...meeting.invited_unit_ids]);
  const files = await listAttachedFiles(db, { ownerType: ATTACHMENT_OWNER, ownerId: meeting.id });
  const mine = access.registration ? registrationView(platform, access.registration, await attendeesOf(db, meeting.id, access.registration.id)) : null;
  return {
    ...summary(meeting, names),
    agenda: meeting.agenda,
    contact: meeting.contact,
    contactPhone: meeting.contact_phone,
    invitedUnits: meeting.invited_unit_ids.map((id) => ({ id, name: names.get(id) ?? '' })),
    invitedUnitIds: meeting.invited_unit_ids,
    attachments: files.map((f) => ({ id: f.id, name: f.name, size: f.size, mime: f.mime })),
    sentAt: meeting.sent_at,
    cancelledAt: meeting.cancelled_at,
    cancelReason: meeting.cancel_reason,
    version: meeting.version,
    organiser: access.organiser,
    registrationOpen: meeting.state === 'sent' && platform.clock.now() <= meeting.registration_deadline,
    myRegistration: mine ? { ...mine, unitName: names.get(mine.unitId) ?? '' } : null,
  };
}

/** Every invited unit's answer with its attendees (phones opened for the organiser), registered first. */
export async function registrationsOf(platform: Platform, meeting: MeetingRow) {
  const db = platform.db;
  const rows = await meetingsDb(db).selectFrom('meetings_registrations').selectAll().where('meeting_id', '=', meeting.id).execute();
  const attendees = await attendeesOf(db, meeting.id);
  const byRegistration = new Map<string, AttendeeRow[]>();
  for (const a of attendees) byRegistration.set(a.registration_id, [...(byRegistration.get(a.registration_id) ?? []), a]);
  const names = await unitNames(db, rows.map((r) => r.unit_id));
  // Units in the order the organiser invited them.
  const order = new Map(meeting.invited_unit_ids.map((id, i) => [id, i]));
  rows.sort((a, b) => (order.get(a.unit_id) ?? 0) - (order.get(b.unit_id) ?? 0));
  const items = rows.map((r) => ({ ...registrationView(platform, r, byRegistration.get(r.id) ?? []), unitName: names.get(r.unit_id) ?? '' }));
  const count = (state: RegistrationState) => items.filter((i) => i.state === state).length;
  return {
    items,
    counts: {
      invited: items.length,
      registered: count('registered'),
      declined: count('declined'),
      pending: count('pending'),
      attendees: attendees.length,
      arrived: attendees.filter((a) => a.checked_in_at).length,
    },
  };
}
