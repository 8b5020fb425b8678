import crypto from 'node:crypto';
import { isUniqueViolation } from '../../db/index.ts';
import type { Work } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { AppError, fieldError, invalid } from '../../http/errors.ts';
import type { Platform } from '../../module.ts';
import { hashPassword } from '../passwords.ts';
import { checkAccountFields, insertAccountRow } from '../accounts.ts';

export interface RegisterInput {
  username: string;
  displayName: string;
  password: string;
  kind: 'person' | 'enterprise';
  phone?: string;
  email?: string;
}

/**
 * Citizens and enterprises register themselves with a phone number or an e-mail address; the
 * audit record names the new account as the one acting.
 */
export async function registerPublicUser(work: Work, platform: Platform, input: RegisterInput) {
  checkAccountFields(input);
  if (!input.phone && !input.email) throw invalid([fieldError('phone', 'iam.phoneOrEmailRequired')]);
  const passwordHash = await hashPassword(input.password);
  const id = crypto.randomUUID();
  try {
    const row = await insertAccountRow(work, platform, { ...input, id, kind: 'public', unitId: null, passwordHash });
    recordAudit(work, { action: 'user.register', objectType: 'user', objectId: id, details: { username: row.username, applicantKind: input.kind } }, new Date(), {
      ...work.actor,
      userId: id,
      username: input.username,
    });
    return row;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('DUPLICATE', { errors: [fieldError('username', 'iam.duplicateAccount')] });
    throw error;
  }
}
