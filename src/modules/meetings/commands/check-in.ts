/** Check-in at the door (签到): the organiser enters an attendee's code; each code arrives once. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { getUnit } from '../../../platform/org/service.ts';
import { AppError, notFound } from '../../../platform/http/errors.ts';
import { MEETING_OBJECT, meetingsDb } from '../model.ts';
import { organisedMeeting } from '../queries/access.ts';
import { normalizeCode } from './register.ts';

export async function checkIn(work: Work, platform: Platform, principal: Principal, id: string, input: { code: string }) {
  const meeting = await organisedMeeting(work, principal, id);
  if (meeting.state !== 'sent') throw new AppError('INVALID_STATE', { detail: { key: meeting.state === 'draft' ? 'meetings.notSent' : 'meetings.cancelled' } });
  const code = normalizeCode(input.code);
  const now = platform.clock.now();
  const db = meetingsDb(work.tx);
  const arrived = await db
    .updateTable('meetings_attendees')
    .set({ checked_in_at: now, checked_in_by: principal.userId })
    .where('meeting_id', '=', id)
    .where('check_in_code', '=', code)
    .where('checked_in_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!arrived) {
    const known = await db.selectFrom('meetings_attendees').select(['name', 'checked_in_at']).where('meeting_id', '=', id).where('check_in_code', '=', code).executeTakeFirst();
    if (!known) throw notFound({ key: 'meetings.checkIn.unknownCode' });
    throw new AppError('MEETINGS_ALREADY_CHECKED_IN', { detail: { key: 'meetings.checkIn.twice', params: { name: known.name } }, extra: { checkedInAt: known.checked_in_at!.toISOString() } });
  }
  const unit = await getUnit(work.tx, arrived.unit_id);
  recordAudit(work, { action: 'meetings.attendee.checkIn', objectType: MEETING_OBJECT, objectId: id, details: { attendeeId: arrived.id, unitId: arrived.unit_id } }, now);
  return { attendeeId: arrived.id, name: arrived.name, position: arrived.position, unitId: arrived.unit_id, unitName: unit?.name ?? '', checkInCode: arrived.check_in_code, checkedInAt: now };
}
