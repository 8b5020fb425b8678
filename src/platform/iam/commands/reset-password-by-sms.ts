import { inTransaction, type Actor } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { AppError, fieldError, invalid } from '../../http/errors.ts';
import type { Platform } from '../../module.ts';
import { hashPassword, isStrongPassword } from '../passwords.ts';
import { findPublicUserByPhone, iam } from '../queries.ts';
import { liftThrottle } from './sign-in-throttle.ts';
import { checkMobile, checkSmsCode, consumeSmsCode, smsCodeFormatError } from './sms-codes.ts';

/**
 * A public account holder who forgot the password sets a new one with an SMS code (purpose
 * 'reset'). Every session of the account ends and a lock from failed sign-ins is lifted.
 */
export async function resetPasswordBySms(platform: Platform, input: { phone: string; smsCode: string; password: string }, actor: Actor) {
  const { phone, error } = checkMobile(input.phone);
  const errors = error ? [error] : [];
  const codeError = smsCodeFormatError(input.smsCode);
  if (codeError) errors.push(codeError);
  if (!isStrongPassword(input.password)) errors.push(fieldError('password', 'error.PASSWORD_WEAK'));
  if (errors.length === 1 && errors[0].path === 'password') throw new AppError('PASSWORD_WEAK', { errors });
  if (errors.length) throw invalid(errors);
  const user = await findPublicUserByPhone(platform, platform.db, phone);
  // The code first: a number that is no account fails here like a wrong code (codes for it are never sent).
  const codeId = await checkSmsCode(platform, { ...actor, userId: user?.id ?? null, username: user?.username ?? phone }, phone, 'reset', input.smsCode);
  if (!user) throw invalid([fieldError('smsCode', 'iam.smsCodeExpired')]);
  const passwordHash = await hashPassword(input.password);
  await inTransaction(platform.db, { ...actor, userId: user.id, username: user.username, unitId: null }, async (work) => {
    await consumeSmsCode(work, platform, codeId);
    const now = platform.clock.now();
    await iam(work.tx)
      .updateTable('users')
      .set({ password_hash: passwordHash, must_change_password: false, password_changed_at: now, updated_at: now, failed_logins: 0, locked_until: null })
      .where('id', '=', user.id)
      .execute();
    await iam(work.tx).updateTable('sessions').set({ ended_at: now, end_reason: 'password_reset' }).where('user_id', '=', user.id).where('ended_at', 'is', null).execute();
    recordAudit(work, { action: 'user.password.reset_by_sms', objectType: 'user', objectId: user.id }, now);
  });
  await liftThrottle(platform, user.username);
}
