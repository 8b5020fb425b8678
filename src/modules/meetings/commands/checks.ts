/** The checks every write of a notice shares: times, limits and the invited units. */
import type { Db } from '../../../platform/db/index.ts';
import { AppError, fieldError, invalid, type FieldError } from '../../../platform/http/errors.ts';
import { getUnits } from '../../../platform/org/service.ts';
import { isValidMobile } from '../../../platform/org/codes.ts';
import type { MeetingInput } from '../model.ts';

const LANDLINE = /^0\d{2,3}-?\d{7,8}(-\d{1,6})?$/;
/** A phone number to reach someone: a mobile number or a landline with its area code. */
export const normalizePhone = (phone: string) => phone.replace(/[\s()]/g, '').replace(/^(\+86|0086)/, '');
export const isPhone = (phone: string) => isValidMobile(normalizePhone(phone)) || LANDLINE.test(normalizePhone(phone));

const time = (value: string) => {
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
};

export interface CheckedTimes {
  startsAt: Date;
  endsAt: Date | null;
  deadline: Date;
}

/** The notice's times and contact: start in the future, registration closing before it, the end after it. */
export function checkMeetingInput(input: MeetingInput, now: Date, options: { startMustBeFuture: boolean }): CheckedTimes {
  const errors: FieldError[] = [];
  const startsAt = time(input.startsAt);
  const endsAt = input.endsAt ? time(input.endsAt) : null;
  const deadline = time(input.registrationDeadline);
  if (!startsAt) errors.push(fieldError('body.startsAt', 'meetings.check.time'));
  else if (options.startMustBeFuture && startsAt <= now) errors.push(fieldError('body.startsAt', 'meetings.check.startInPast'));
  if (input.endsAt && !endsAt) errors.push(fieldError('body.endsAt', 'meetings.check.time'));
  else if (endsAt && startsAt && endsAt <= startsAt) errors.push(fieldError('body.endsAt', 'meetings.check.endBeforeStart'));
  if (!deadline) errors.push(fieldError('body.registrationDeadline', 'meetings.check.time'));
  else if (startsAt && deadline >= startsAt) errors.push(fieldError('body.registrationDeadline', 'meetings.check.deadlineAfterStart'));
  for (const [name, value] of [['title', input.title], ['place', input.place], ['agenda', input.agenda]] as const) {
    if (!value.trim()) errors.push(fieldError(`body.${name}`, 'meetings.check.blank'));
  }
  if (input.contactPhone && !isPhone(input.contactPhone)) errors.push(fieldError('body.contactPhone', 'meetings.check.phone'));
  if (new Set(input.invitedUnitIds).size !== input.invitedUnitIds.length) errors.push(fieldError('body.invitedUnitIds', 'meetings.check.duplicateUnits'));
  if (errors.length) throw invalid(errors);
  return { startsAt: startsAt!, endsAt, deadline: deadline! };
}

/**
 * Every invited unit exists: one unknown unit refuses the whole notice with its id (422, never 404).
 */
export async function checkInvitedUnits(db: Db, unitIds: string[]) {
  const found = new Set((await getUnits(db, unitIds)).map((u) => u.id));
  const unknown = unitIds.filter((id) => !found.has(id));
  if (unknown.length) {
    throw new AppError('MEETINGS_UNIT_UNKNOWN', { detail: { key: 'meetings.check.unitUnknown', params: { ids: unknown.slice(0, 10).join('、') } }, extra: { unitIds: unknown } });
  }
}
