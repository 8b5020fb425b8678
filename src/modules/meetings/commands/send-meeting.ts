/**
 * The organiser sends a notice: one registration per invited unit ('pending'), written by one
 * statement in the same transaction as the notice's state, and a message to each unit's clerks.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { sql } from '../../../platform/db/index.ts';
import { AppError, fieldError, invalid } from '../../../platform/http/errors.ts';
import { MEETING_OBJECT, meetingsDb } from '../model.ts';
import { organisedMeeting } from '../queries/access.ts';
import { checkInvitedUnits } from './checks.ts';
import { notifyUnits } from './notify.ts';

export async function sendMeeting(work: Work, platform: Platform, principal: Principal, id: string) {
  const meeting = await organisedMeeting(work, principal, id);
  if (meeting.state !== 'draft') throw new AppError('INVALID_STATE', { detail: { key: meeting.state === 'sent' ? 'meetings.alreadySent' : 'meetings.cancelled' } });
  const now = platform.clock.now();
  // Registration must still be possible when the units receive it.
  if (meeting.registration_deadline <= now) throw invalid([fieldError('body.registrationDeadline', 'meetings.check.deadlinePassed')]);
  await checkInvitedUnits(work.tx, meeting.invited_unit_ids);
  await sql`
    insert into meetings_registrations (id, meeting_id, unit_id, state)
    select gen_random_uuid()::text, ${id}, u.unit_id, 'pending'
      from jsonb_array_elements_text(${JSON.stringify(meeting.invited_unit_ids)}::jsonb) as u (unit_id)
    on conflict (meeting_id, unit_id) do nothing`.execute(work.tx);
  const sent = await meetingsDb(work.tx)
    .updateTable('meetings_meetings')
    .set({ state: 'sent', sent_at: now, sent_by: principal.userId, updated_at: now, version: meeting.version + 1 })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await notifyUnits(work, platform, sent, meeting.invited_unit_ids, 'meetings.notice', 'notice');
  recordAudit(work, { action: 'meetings.meeting.send', objectType: MEETING_OBJECT, objectId: id, details: { title: meeting.title, invitedUnits: meeting.invited_unit_ids.length } }, now);
  return { id, state: sent.state, sentAt: now, invitedUnits: meeting.invited_unit_ids.length };
}
