/** The organiser reminds (催报) the invited units that have not answered yet. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { AppError } from '../../../platform/http/errors.ts';
import { MEETING_OBJECT, meetingsDb } from '../model.ts';
import { organisedMeeting } from '../queries/access.ts';
import { notifyUnits } from './notify.ts';

export async function remindPending(work: Work, platform: Platform, principal: Principal, id: string) {
  const meeting = await organisedMeeting(work, principal, id);
  if (meeting.state !== 'sent') throw new AppError('INVALID_STATE', { detail: { key: meeting.state === 'draft' ? 'meetings.notSent' : 'meetings.cancelled' } });
  const now = platform.clock.now();
  if (now > meeting.registration_deadline) throw new AppError('MEETINGS_REGISTRATION_CLOSED', { extra: { registrationDeadline: meeting.registration_deadline.toISOString() } });
  const pending = await meetingsDb(work.tx)
    .updateTable('meetings_registrations')
    .set({ reminded_at: now })
    .where('meeting_id', '=', id)
    .where('state', '=', 'pending')
    .returning('unit_id')
    .execute();
  const unitIds = pending.map((r) => r.unit_id);
  await notifyUnits(work, platform, meeting, unitIds, 'meetings.reminder', `remind:${now.getTime()}`);
  recordAudit(work, { action: 'meetings.meeting.remind', objectType: MEETING_OBJECT, objectId: id, details: { units: unitIds.length } }, now);
  return { reminded: unitIds.length, unitIds };
}
