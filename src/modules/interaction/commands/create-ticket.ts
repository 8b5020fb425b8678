/**
 * An operator enters a 12345 ticket from a call: a case of the hotline channel, dispatched by the
 * operator's unit, with the deadline of its urgency. An efficiency complaint (效能投诉) against a
 * unit is also filed with supervision, in the same unit of work.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, fieldError, invalid, type FieldError } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { getRegion } from '../../../platform/org/service.ts';
import { isValidMobile } from '../../../platform/org/codes.ts';
import { fileComplaint } from '../../supervision/index.ts';
import { EFFICIENCY_COMPLAINT, LIMITS, URGENCIES, type Urgency } from '../model.ts';
import { receiveCase } from './receive-case.ts';
import { operatorUnit } from '../queries/hotline.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { caseSubjectSummary } from '../supervised-subject.ts';

export interface TicketInput {
  callerName: string;
  phone: string;
  regionCode: string;
  category: string;
  urgency: Urgency;
  title: string;
  body: string;
}

/** A mobile number, or a landline: 7–20 digits with an optional area code and dash (0931-8123456). */
export const PHONE_PATTERN = /^(?:\d{3,5}-)?\d{7,15}$/;
export const isValidCallerPhone = (phone: string) => phone.length <= 20 && PHONE_PATTERN.test(phone);

/** The complaint content supervision keeps (its limit is 2,000 characters). */
const COMPLAINT_CONTENT_MAX = 2000;

function checkInput(input: TicketInput): FieldError[] {
  const errors: FieldError[] = [];
  const name = input.callerName.trim();
  if (!name) errors.push(fieldError('callerName', 'interaction.hotline.callerRequired'));
  else if ([...name].length > LIMITS.name) errors.push(fieldError('callerName', 'interaction.hotline.tooLong', { max: LIMITS.name }));
  if (!isValidCallerPhone(input.phone.trim())) errors.push(fieldError('phone', 'interaction.hotline.phoneInvalid'));
  if (!input.category.trim()) errors.push(fieldError('category', 'interaction.hotline.categoryRequired'));
  else if ([...input.category.trim()].length > LIMITS.category) errors.push(fieldError('category', 'interaction.hotline.tooLong', { max: LIMITS.category }));
  if (!URGENCIES.includes(input.urgency)) errors.push(fieldError('urgency', 'interaction.hotline.urgencyInvalid'));
  if (!input.title.trim()) errors.push(fieldError('title', 'interaction.hotline.titleRequired'));
  else if ([...input.title].length > LIMITS.title) errors.push(fieldError('title', 'interaction.hotline.tooLong', { max: LIMITS.title }));
  if (!input.body.trim()) errors.push(fieldError('body', 'interaction.hotline.bodyRequired'));
  else if (input.body.length > LIMITS.body) errors.push(fieldError('body', 'interaction.hotline.tooLong', { max: LIMITS.body }));
  return errors;
}

export async function createTicket(work: Work, platform: Platform, principal: Principal, input: TicketInput): Promise<{ id: string; trackingNo: string; complaintId: string | null }> {
  const unit = await operatorUnit(work.tx, principal);
  const errors = checkInput(input);
  if (errors.length) throw invalid(errors);
  const regionCode = input.regionCode.trim();
  if (!(await getRegion(work.tx, regionCode))) {
    throw new AppError('INTERACTION_REGION_OUTSIDE', { errors: [fieldError('regionCode', 'interaction.hotline.regionOutside', { code: regionCode })], detail: { key: 'interaction.hotline.regionOutside', params: { code: regionCode } } });
  }
  const phone = input.phone.trim();
  const category = input.category.trim();
  const received = await receiveCase(work, platform, {
    channel: 'hotline',
    title: input.title.trim(),
    body: input.body,
    name: input.callerName.trim(),
    phone,
    isPublic: false,
    category,
    regionCode,
    urgency: input.urgency,
    dispatcherUnitId: unit.id,
  });
  if (received.duplicate) return { id: received.id, trackingNo: received.trackingNo, complaintId: null };
  let complaintId: string | null = null;
  if (category === EFFICIENCY_COMPLAINT) {
    const complaint = await fileComplaint(work, platform, caseSubjectSummary(received.row), {
      channel: 'phone',
      complainantName: input.callerName.trim(),
      complainantPhone: isValidMobile(phone) ? phone : null,
      complainantUserId: null,
      content: `${input.title.trim()}\n${input.body}`.slice(0, COMPLAINT_CONTENT_MAX),
    });
    complaintId = complaint.id;
    await recordCaseEvent(work, received.row, 'complaint_filed', { unitId: unit.id, details: { complaintId }, at: platform.clock.now() });
  }
  recordAudit(work, { action: 'interaction.hotline.create', objectType: 'interaction_case', objectId: received.id, details: { trackingNo: received.trackingNo, urgency: input.urgency, regionCode, category, complaintId } }, platform.clock.now());
  return { id: received.id, trackingNo: received.trackingNo, complaintId };
}
