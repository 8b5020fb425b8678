import type { Work } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { AppError, fieldError, forbidden } from '../../http/errors.ts';
import { getUnit } from '../../org/service.ts';
import type { Platform } from '../../module.ts';
import { hashPassword, isStrongPassword } from '../passwords.ts';
import { coversUnit, type Principal } from '../principal.ts';
import { iam } from '../queries.ts';
import { getVisibleUser } from '../accounts.ts';

/** Administrator reset: sets a new password that must be changed at next sign-in. */
export async function resetPassword(work: Work, platform: Platform, principal: Principal, id: string, password: string) {
  const { user } = await getVisibleUser(platform, principal, id, work.tx);
  const unit = user.unit_id ? await getUnit(work.tx, user.unit_id) : null;
  if (!unit || !coversUnit(principal, 'user.write', unit) || user.id === principal.userId) throw forbidden();
  if (!isStrongPassword(password)) throw new AppError('PASSWORD_WEAK', { errors: [fieldError('password', 'error.PASSWORD_WEAK')] });
  const passwordHash = await hashPassword(password);
  const now = platform.clock.now();
  await iam(work.tx).updateTable('users').set({ password_hash: passwordHash, must_change_password: true, failed_logins: 0, locked_until: null, updated_at: now }).where('id', '=', id).execute();
  await iam(work.tx).updateTable('sessions').set({ ended_at: now, end_reason: 'password_reset' }).where('user_id', '=', id).where('ended_at', 'is', null).execute();
  recordAudit(work, { action: 'user.password.reset', objectType: 'user', objectId: id });
}
