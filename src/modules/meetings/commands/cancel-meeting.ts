/** The organiser cancels a notice with a reason; every invited unit's clerks are told. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { AppError, fieldError, invalid } from '../../../platform/http/errors.ts';
import { MEETING_OBJECT, meetingsDb } from '../model.ts';
import { organisedMeeting } from '../queries/access.ts';
import { notifyUnits } from './notify.ts';

export async function cancelMeeting(work: Work, platform: Platform, principal: Principal, id: string, input: { reason: string }) {
  const reason = input.reason.trim();
  if (!reason) throw invalid([fieldError('body.reason', 'meetings.check.blank')]);
  const meeting = await organisedMeeting(work, principal, id);
  if (meeting.state === 'cancelled') throw new AppError('INVALID_STATE', { detail: { key: 'meetings.cancelled' } });
  const now = platform.clock.now();
  const cancelled = await meetingsDb(work.tx)
    .updateTable('meetings_meetings')
    .set({ state: 'cancelled', cancelled_at: now, cancel_reason: reason, updated_at: now, version: meeting.version + 1 })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (meeting.state === 'sent') await notifyUnits(work, platform, cancelled, meeting.invited_unit_ids, 'meetings.cancelled', 'cancelled', { reason });
  recordAudit(work, { action: 'meetings.meeting.cancel', objectType: MEETING_OBJECT, objectId: id, details: { title: meeting.title, reason } }, now);
  return { id, state: cancelled.state, cancelledAt: now };
}
