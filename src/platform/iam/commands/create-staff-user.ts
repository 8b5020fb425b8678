import crypto from 'node:crypto';
import { isUniqueViolation } from '../../db/index.ts';
import type { Work } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { AppError, fieldError } from '../../http/errors.ts';
import { requireUnit } from '../../org/service.ts';
import type { Platform } from '../../module.ts';
import { hashPassword } from '../passwords.ts';
import type { Principal } from '../principal.ts';
import type { UserRow } from '../queries.ts';
import { NewUserInput, checkAccountFields, insertAccountRow, requireManagedUnit } from '../accounts.ts';

/**
 * Staff account created by an administrator (or, with no principal, by the system) inside the
 * caller's unit of work: the password must be changed at first sign-in.
 */
export async function createStaffUser(work: Work, platform: Platform, principal: Principal | null, input: NewUserInput, options: { mustChangePassword?: boolean } = {}) {
  checkAccountFields(input);
  if (principal) await requireManagedUnit(platform, principal, input.unitId, work.tx);
  else await requireUnit(work.tx, input.unitId);
  const passwordHash = await hashPassword(input.password);
  try {
    return await insertStaffUser(work, platform, { ...input, passwordHash }, options);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('DUPLICATE', { errors: [fieldError(String((error as { constraint?: string }).constraint).includes('phone') ? 'phone' : 'username', 'iam.duplicateAccount')] });
    throw error;
  }
}

/**
 * Writes a staff account inside the caller's unit of work, which has already checked the
 * fields, the unit and the password (hashed beforehand, outside any transaction).
 */
export async function insertStaffUser(
  work: Work,
  platform: Platform,
  input: Omit<NewUserInput, 'password'> & { passwordHash: string },
  options: { mustChangePassword?: boolean } = {},
): Promise<UserRow> {
  const row = await insertAccountRow(work, platform, { ...input, id: crypto.randomUUID(), kind: 'staff', mustChangePassword: options.mustChangePassword ?? true });
  recordAudit(work, { action: 'user.create', objectType: 'user', objectId: row.id, details: { username: row.username, unitId: row.unit_id } });
  return row;
}
