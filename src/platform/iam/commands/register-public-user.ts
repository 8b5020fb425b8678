import crypto from 'node:crypto';
import { isUniqueViolation } from '../../db/index.ts';
import { inTransaction, type Actor, type Work } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { AppError, fieldError, invalid, type FieldError } from '../../http/errors.ts';
import { isValidCreditCode, isValidIdNumber, maskPhone } from '../../org/codes.ts';
import type { Platform } from '../../module.ts';
import { hashPassword, isStrongPassword } from '../passwords.ts';
import { insertAccountRow } from '../accounts.ts';
import { findPublicUserByPhone, type UserRow } from '../queries.ts';
import { checkMobile, checkSmsCode, consumeSmsCode, smsCodeFormatError } from './sms-codes.ts';

/** A public account's holder: a person, or an enterprise with its legal representative (name, ID number). */
export interface PublicAccountInput {
  kind: 'person' | 'enterprise';
  phone: string;
  password: string;
  name: string;
  idNumber?: string;
  creditCode?: string;
  companyName?: string;
  email?: string;
}

export interface RegisterInput extends PublicAccountInput {
  smsCode: string;
  idNumber: string;
}

const normalizeCode = (value: string | undefined) => (value === undefined ? undefined : value.trim().toUpperCase());

/** Every problem of the fields at once (the password's strength included), and the normalised input. */
export function checkPublicAccount(input: PublicAccountInput, options: { requireIdNumber: boolean }): { value: PublicAccountInput; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const { phone, error } = checkMobile(input.phone);
  if (error) errors.push(error);
  const name = input.name.trim();
  if (!name) errors.push(fieldError('name', 'iam.nameRequired'));
  else if (name.length > 100) errors.push(fieldError('name', 'iam.nameTooLong'));
  const idNumber = normalizeCode(input.idNumber);
  if (!idNumber) {
    if (options.requireIdNumber) errors.push(fieldError('idNumber', 'iam.idNumberRequired'));
  } else if (!isValidIdNumber(idNumber)) errors.push(fieldError('idNumber', 'iam.idNumberInvalid'));
  const creditCode = normalizeCode(input.creditCode);
  const companyName = input.companyName?.trim();
  if (input.kind === 'enterprise') {
    if (!creditCode) errors.push(fieldError('creditCode', 'iam.creditCodeRequired'));
    else if (!isValidCreditCode(creditCode)) errors.push(fieldError('creditCode', 'iam.creditCodeInvalid'));
    if (!companyName) errors.push(fieldError('companyName', 'iam.companyNameRequired'));
    else if (companyName.length > 200) errors.push(fieldError('companyName', 'iam.nameTooLong'));
  } else {
    if (input.creditCode) errors.push(fieldError('creditCode', 'iam.creditCodeForEnterprise'));
    if (input.companyName) errors.push(fieldError('companyName', 'iam.creditCodeForEnterprise'));
  }
  if (!isStrongPassword(input.password)) errors.push(fieldError('password', 'error.PASSWORD_WEAK'));
  return { value: { ...input, phone, name, idNumber, creditCode, companyName }, errors };
}

/** Throws the field errors: a weak password alone keeps its own code. */
export function throwFieldErrors(errors: FieldError[]) {
  if (!errors.length) return;
  if (errors.length === 1 && errors[0].path === 'password') throw new AppError('PASSWORD_WEAK', { errors });
  throw invalid(errors);
}

/**
 * Writes a public account in the caller's unit of work; its sign-in name is its mobile number.
 * The SMS code has been checked by the caller (registerPublicUser), or the system creates it.
 */
export async function createPublicAccount(work: Work, platform: Platform, input: PublicAccountInput, options: { companyUserId?: string; action?: string } = {}): Promise<UserRow> {
  const { value, errors } = checkPublicAccount(input, { requireIdNumber: false });
  throwFieldErrors(errors);
  const passwordHash = await hashPassword(value.password);
  const id = crypto.randomUUID();
  const displayName = value.kind === 'enterprise' && !options.companyUserId ? value.companyName! : value.name;
  try {
    const row = await insertAccountRow(work, platform, {
      id,
      kind: 'public',
      username: value.phone,
      displayName,
      unitId: null,
      phone: value.phone,
      ...(value.email ? { email: value.email } : {}),
      passwordHash,
      realName: { kind: value.kind, name: value.name, idNumber: value.idNumber ?? null, creditCode: value.creditCode ?? null, companyName: value.companyName ?? null, companyUserId: options.companyUserId ?? null },
    });
    recordAudit(work, { action: options.action ?? 'user.register', objectType: 'user', objectId: id, details: { phone: maskPhone(value.phone), applicantKind: value.kind, ...(options.companyUserId ? { companyUserId: options.companyUserId } : {}) } }, platform.clock.now(), {
      ...work.actor,
      ...(options.companyUserId ? {} : { userId: id, username: value.phone }),
    });
    return row;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('DUPLICATE', { errors: [fieldError('phone', 'iam.phoneTaken')] });
    throw error;
  }
}

/**
 * A citizen or an enterprise registers with a mobile number proved by an SMS code. Bad fields are
 * refused before the code is tried; the code is spent in the same transaction as the account.
 */
export async function registerPublicUser(platform: Platform, input: RegisterInput, actor: Actor): Promise<UserRow> {
  const { value, errors } = checkPublicAccount(input, { requireIdNumber: true });
  const codeError = smsCodeFormatError(input.smsCode);
  if (codeError) errors.push(codeError);
  throwFieldErrors(errors);
  if (await findPublicUserByPhone(platform, platform.db, value.phone)) throw new AppError('DUPLICATE', { errors: [fieldError('phone', 'iam.phoneTaken')] });
  const codeId = await checkSmsCode(platform, actor, value.phone, 'register', input.smsCode);
  return inTransaction(platform.db, actor, async (work) => {
    await consumeSmsCode(work, platform, codeId);
    return createPublicAccount(work, platform, value);
  });
}
