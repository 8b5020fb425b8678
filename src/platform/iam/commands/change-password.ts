import { inTransaction, type Actor } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { AppError, fieldError, invalid, notFound } from '../../http/errors.ts';
import type { Platform } from '../../module.ts';
import { hashPassword, isStrongPassword, verifyPassword } from '../passwords.ts';
import type { Principal } from '../principal.ts';
import { findUserById, iam } from '../queries.ts';

/**
 * The account holder changes their own password. Like sign-in it opens its own transactions: a
 * wrong current password is recorded even though the change is refused (a caller's unit of work
 * would roll that record back with the refusal).
 */
export async function changePassword(platform: Platform, principal: Principal, current: string, next: string, actor: Actor) {
  const user = await findUserById(platform.db, principal.userId);
  if (!user) throw notFound();
  if (!(await verifyPassword(user.password_hash, current))) {
    await inTransaction(platform.db, actor, async (work) =>
      recordAudit(work, { action: 'user.password.change', objectType: 'user', objectId: user.id, outcome: 'failure', details: { reason: 'wrong_current' } }),
    );
    throw new AppError('AUTH_INVALID', { errors: [fieldError('currentPassword', 'iam.currentPasswordWrong')] });
  }
  if (!isStrongPassword(next)) throw new AppError('PASSWORD_WEAK', { errors: [fieldError('newPassword', 'error.PASSWORD_WEAK')] });
  if (current === next) throw invalid([fieldError('newPassword', 'iam.passwordUnchanged')]);
  const passwordHash = await hashPassword(next);
  await inTransaction(platform.db, actor, async (work) => {
    const now = platform.clock.now();
    await iam(work.tx).updateTable('users').set({ password_hash: passwordHash, must_change_password: false, password_changed_at: now, updated_at: now }).where('id', '=', user.id).execute();
    // Other sessions end: whoever knew the old password is signed out.
    await iam(work.tx)
      .updateTable('sessions')
      .set({ ended_at: now, end_reason: 'password_changed' })
      .where('user_id', '=', user.id)
      .where('ended_at', 'is', null)
      .$if(!!principal.sessionId, (qb) => qb.where('id', '<>', principal.sessionId!))
      .execute();
    recordAudit(work, { action: 'user.password.change', objectType: 'user', objectId: user.id });
  });
}
