/**
 * The applicant's personal data: normalised identifiers, the blind indexes that find a case by
 * them without decrypting, and the checks of a submitted applicant.
 */
import type { Platform } from '../../platform/module.ts';
import { blindIndex } from '../../platform/crypto/fields.ts';
import { fieldError, type FieldError } from '../../platform/http/errors.ts';
import { isValidCreditCode, isValidIdNumber, isValidMobile } from '../../platform/org/codes.ts';
import type { ApplicationInput } from './model.ts';

export const normalizeId = (value: string) => value.trim().toUpperCase();
export const normalizePhone = (value: string) => value.trim().replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');

/** Blind index of an applicant's ID number or credit code (exact lookups without decrypting). */
export const applicantIdIndex = (platform: Pick<Platform, 'crypto' | 'fieldKey'>, idNumberOrCreditCode: string) => blindIndex(platform, `approval.applicant:${normalizeId(idNumberOrCreditCode)}`);
/** Blind index of an applicant's phone: the public progress query compares against this. */
export const applicantPhoneIndex = (platform: Pick<Platform, 'crypto' | 'fieldKey'>, phone: string) => blindIndex(platform, `approval.phone:${normalizePhone(phone)}`);

export interface Applicant {
  kind: 'person' | 'enterprise';
  name: string;
  id: string;
  phone: string;
}

export function checkApplicant(input: ApplicationInput['applicant']): { applicant: Applicant; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const name = input.name.trim();
  if (!name) errors.push(fieldError('applicant.name', 'approval.app.nameRequired'));
  const id = normalizeId((input.kind === 'person' ? input.idNumber : input.creditCode) ?? '');
  if (input.kind === 'person') {
    if (input.creditCode) errors.push(fieldError('applicant.creditCode', 'approval.app.creditCodeForEnterprise'));
    if (!id) errors.push(fieldError('applicant.idNumber', 'approval.app.idNumberRequired'));
    else if (!isValidIdNumber(id)) errors.push(fieldError('applicant.idNumber', 'approval.app.idNumberInvalid'));
  } else {
    if (input.idNumber) errors.push(fieldError('applicant.idNumber', 'approval.app.idNumberForPerson'));
    if (!id) errors.push(fieldError('applicant.creditCode', 'approval.app.creditCodeRequired'));
    else if (!isValidCreditCode(id)) errors.push(fieldError('applicant.creditCode', 'approval.app.creditCodeInvalid'));
  }
  const phone = normalizePhone(input.phone);
  if (!isValidMobile(phone)) errors.push(fieldError('applicant.phone', 'approval.app.phoneInvalid'));
  return { applicant: { kind: input.kind, name, id, phone }, errors };
}
