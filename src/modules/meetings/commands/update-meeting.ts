/**
 * The organiser changes a notice. Before it is sent, anything; after, the change reaches every
 * invited unit (a message to their clerks), units added get a registration to answer and units
 * taken off lose theirs. A cancelled notice does not change.
 */
import crypto from 'node:crypto';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { attachFiles } from '../../../platform/files/service.ts';
import { AppError } from '../../../platform/http/errors.ts';
import { ATTACHMENT_OWNER, MEETING_OBJECT, meetingsDb, type MeetingInput, type MeetingPatch } from '../model.ts';
import { organisedMeeting } from '../queries/access.ts';
import { checkInvitedUnits, checkMeetingInput, normalizePhone } from './checks.ts';
import { notifyUnits } from './notify.ts';

export async function updateMeeting(work: Work, platform: Platform, principal: Principal, id: string, patch: MeetingPatch): Promise<{ id: string; version: number }> {
  const meeting = await organisedMeeting(work, principal, id);
  if (meeting.state === 'cancelled') throw new AppError('INVALID_STATE', { detail: { key: 'meetings.cancelled' } });
  const now = platform.clock.now();
  const merged: MeetingInput = {
    title: patch.title ?? meeting.title,
    startsAt: patch.startsAt ?? meeting.starts_at.toISOString(),
    endsAt: patch.endsAt === undefined ? (meeting.ends_at?.toISOString() ?? null) : patch.endsAt,
    place: patch.place ?? meeting.place,
    agenda: patch.agenda ?? meeting.agenda,
    invitedUnitIds: patch.invitedUnitIds ?? meeting.invited_unit_ids,
    registrationDeadline: patch.registrationDeadline ?? meeting.registration_deadline.toISOString(),
    maxAttendeesPerUnit: patch.maxAttendeesPerUnit ?? meeting.max_attendees_per_unit,
    contact: patch.contact === undefined ? meeting.contact : patch.contact,
    contactPhone: patch.contactPhone === undefined ? meeting.contact_phone : patch.contactPhone,
  };
  // A meeting already under way keeps its start; a new start must lie ahead.
  const times = checkMeetingInput(merged, now, { startMustBeFuture: patch.startsAt !== undefined });
  if (patch.invitedUnitIds) await checkInvitedUnits(work.tx, patch.invitedUnitIds);
  const db = meetingsDb(work.tx);
  const updated = await db
    .updateTable('meetings_meetings')
    .set({
      title: merged.title.trim(),
      starts_at: times.startsAt,
      ends_at: times.endsAt,
      place: merged.place.trim(),
      agenda: merged.agenda.trim(),
      contact: merged.contact?.trim() || null,
      contact_phone: merged.contactPhone ? normalizePhone(merged.contactPhone) : null,
      registration_deadline: times.deadline,
      max_attendees_per_unit: merged.maxAttendeesPerUnit,
      invited_unit_ids: JSON.stringify(merged.invitedUnitIds) as never,
      updated_at: now,
      version: meeting.version + 1,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (patch.attachments?.length) await attachFiles(work, patch.attachments, { ownerType: ATTACHMENT_OWNER, ownerId: id }, principal, now);

  let added: string[] = [];
  let removed: string[] = [];
  if (meeting.state === 'sent') {
    if (patch.invitedUnitIds) {
      const before = new Set(meeting.invited_unit_ids);
      const after = new Set(patch.invitedUnitIds);
      added = patch.invitedUnitIds.filter((u) => !before.has(u));
      removed = meeting.invited_unit_ids.filter((u) => !after.has(u));
      if (removed.length) {
        await db.deleteFrom('meetings_attendees').where('meeting_id', '=', id).where('unit_id', 'in', removed).execute();
        await db.deleteFrom('meetings_registrations').where('meeting_id', '=', id).where('unit_id', 'in', removed).execute();
      }
      if (added.length) {
        await db
          .insertInto('meetings_registrations')
          .values(added.map((unitId) => ({ id: crypto.randomUUID(), meeting_id: id, unit_id: unitId, state: 'pending' as const })))
          .onConflict((oc) => oc.columns(['meeting_id', 'unit_id']).doNothing())
          .execute();
      }
    }
    const told = new Set(added);
    await notifyUnits(work, platform, updated, added, 'meetings.notice', 'notice');
    await notifyUnits(work, platform, updated, merged.invitedUnitIds.filter((u) => !told.has(u)), 'meetings.changed', `changed:${updated.version}`);
    await notifyUnits(work, platform, updated, removed, 'meetings.uninvited', `uninvited:${updated.version}`);
  }
  recordAudit(work, { action: 'meetings.meeting.update', objectType: MEETING_OBJECT, objectId: id, details: { fields: Object.keys(patch), added: added.length, removed: removed.length } }, now);
  return { id, version: updated.version };
}
