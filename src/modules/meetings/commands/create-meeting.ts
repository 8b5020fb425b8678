/** A unit's clerk drafts a meeting notice (会议通知): nothing is sent until `send`. */
import crypto from 'node:crypto';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { coversUnit } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { attachFiles } from '../../../platform/files/service.ts';
import { getUnit } from '../../../platform/org/service.ts';
import { forbidden } from '../../../platform/http/errors.ts';
import { ATTACHMENT_OWNER, MEETING_OBJECT, meetingsDb, ORGANISE_PERMISSION, type MeetingInput } from '../model.ts';
import { checkInvitedUnits, checkMeetingInput, normalizePhone } from './checks.ts';

export async function createMeeting(work: Work, platform: Platform, principal: Principal, input: MeetingInput): Promise<{ id: string }> {
  const unit = principal.unitId ? await getUnit(work.tx, principal.unitId) : null;
  if (!unit || !coversUnit(principal, ORGANISE_PERMISSION, unit)) throw forbidden({ key: 'meetings.organise.noUnit' });
  const now = platform.clock.now();
  const times = checkMeetingInput(input, now, { startMustBeFuture: true });
  await checkInvitedUnits(work.tx, input.invitedUnitIds);
  const id = crypto.randomUUID();
  await meetingsDb(work.tx)
    .insertInto('meetings_meetings')
    .values({
      id,
      organiser_unit_id: unit.id,
      created_by: principal.userId,
      state: 'draft',
      title: input.title.trim(),
      starts_at: times.startsAt,
      ends_at: times.endsAt,
      place: input.place.trim(),
      agenda: input.agenda.trim(),
      contact: input.contact?.trim() || null,
      contact_phone: input.contactPhone ? normalizePhone(input.contactPhone) : null,
      registration_deadline: times.deadline,
      max_attendees_per_unit: input.maxAttendeesPerUnit,
      invited_unit_ids: JSON.stringify(input.invitedUnitIds) as never,
      created_at: now,
      updated_at: now,
    })
    .execute();
  if (input.attachments?.length) await attachFiles(work, input.attachments, { ownerType: ATTACHMENT_OWNER, ownerId: id }, principal, now);
  recordAudit(work, { action: 'meetings.meeting.create', objectType: MEETING_OBJECT, objectId: id, details: { title: input.title.trim(), invitedUnits: input.invitedUnitIds.length } }, now);
  return { id };
}
