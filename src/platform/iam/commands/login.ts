import crypto from 'node:crypto';
import { inTransaction, type Actor, type Work } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { AppError, fieldError, invalid } from '../../http/errors.ts';
import { openField } from '../../crypto/fields.ts';
import type { Platform } from '../../module.ts';
import { decoyHash, verifyPassword } from '../passwords.ts';
import type { RoleAssignment } from '../principal.ts';
import { findPublicUserByPhone, findUserById, findUserByUsername, iam, rolesOf, type UserRow, toAssignments } from '../queries.ts';
import { SESSION_ABSOLUTE_MS, tokenHash } from '../authenticate.ts';
import { matchTotpStep } from '../totp.ts';
import { checkMobile, checkSmsCode, consumeSmsCode, smsCodeFormatError } from './sms-codes.ts';
import { clearFailures, countFailure, FAILURES_BEFORE_LOCK, lockedSomewhere, refuseWhileThrottled } from './sign-in-throttle.ts';

export const MAX_FAILED_LOGINS = FAILURES_BEFORE_LOCK;

export interface LoginInput {
  username: string;
  password: string;
  totp?: string;
}

export interface LoginResult {
  token: string;
  csrfToken: string;
  sessionId: string;
  user: UserRow;
  roles: RoleAssignment[];
}

/**
 * Signs in with username, password and (when enrolled) a one-time code. Every outcome is audited.
 * A name that is no account answers exactly as a wrong password does, after the same work (one
 * password check); failures are throttled per name and address (sign-in-throttle.ts).
 *
 * Unlike the other commands, sign-in opens its own transactions: a refused attempt must still
 * commit its failure count and audit record while the call throws, which a caller's unit of work
 * would roll back. Nobody signs in as part of another change.
 */
export async function login(platform: Platform, input: LoginInput, actor: Actor, userAgent: string | null): Promise<LoginResult> {
  const now = platform.clock.now();
  await refuseWhileThrottled(platform, input.username, actor.ip);
  const user = await findUserByUsername(platform.db, input.username);
  const audit = (work: Work, action: string, reason: string, userId: string | null) =>
    recordAudit(work, { action, objectType: 'user', objectId: userId, outcome: 'failure', details: { username: input.username.slice(0, 100), reason } }, now);
  const failActor = { ...actor, userId: user?.id ?? null, username: input.username.slice(0, 100), unitId: user?.unit_id ?? null };

  const passwordOk = (await verifyPassword(user?.password_hash ?? (await decoyHash()), input.password)) && !!user;
  if (!user || !passwordOk) {
    const refusal = await countFailure(platform, input.username, actor.ip, user ?? null, actor);
    await inTransaction(platform.db, failActor, async (work) => audit(work, 'auth.login', user ? 'wrong_password' : 'unknown_user', user?.id ?? null));
    throw refusal;
  }
  // From here on the caller knows the password: the answers may be specific.
  if (user.locked_until && new Date(user.locked_until).getTime() > now.getTime()) {
    await inTransaction(platform.db, failActor, async (work) => audit(work, 'auth.login', 'locked', user.id));
    throw new AppError('AUTH_LOCKED', { extra: { lockedUntil: new Date(user.locked_until).toISOString() } });
  }
  if (user.disabled_at) {
    await inTransaction(platform.db, failActor, async (work) => audit(work, 'auth.login', 'disabled', user.id));
    throw new AppError('AUTH_DISABLED');
  }
  const hasTotp = user.totp_enabled && !!user.totp_secret_sealed;
  // The name is locked against another address: only the password and a second factor open it here.
  if (!hasTotp && (await lockedSomewhere(platform, input.username))) {
    await inTransaction(platform.db, failActor, async (work) => audit(work, 'auth.login', 'second_factor_required', user.id));
    throw new AppError('AUTH_SECOND_FACTOR_REQUIRED', { detail: { key: user.kind === 'public' ? 'iam.secondFactorPublic' : 'iam.secondFactorStaff' } });
  }
  let totpStep: number | null = null;
  if (hasTotp) {
    if (!input.totp) throw new AppError('TOTP_REQUIRED');
    totpStep = matchTotpStep(platform, user, openField(platform, user.totp_secret_sealed!), input.totp);
    if (totpStep === null || totpStep <= Number(user.totp_last_step)) {
      await inTransaction(platform.db, failActor, async (work) => audit(work, 'auth.login', totpStep === null ? 'wrong_totp' : 'reused_totp', user.id));
      throw new AppError('TOTP_INVALID');
    }
  }

  await clearFailures(platform, input.username, actor.ip);
  return openSession(platform, user, actor, userAgent, now, totpStep);
}

/** Starts the session of an account that has proved who it is; clears the failure count. */
async function openSession(platform: Platform, user: UserRow, actor: Actor, userAgent: string | null, now: Date, totpStep: number | null, method: 'password' | 'sms' = 'password', smsCodeId?: string): Promise<LoginResult> {
  const token = platform.crypto.randomToken();
  const csrfToken = platform.crypto.randomToken(24);
  const sessionId = crypto.randomUUID();
  const okActor = { ...actor, userId: user.id, username: user.username, unitId: user.unit_id };
  const roles = await inTransaction(platform.db, okActor, async (work) => {
    if (smsCodeId) await consumeSmsCode(work, platform, smsCodeId);
    const update = iam(work.tx).updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id);
    if (totpStep !== null) {
      // The step is consumed atomically: a code used by a concurrent login no longer matches.
      const consumed = await update.set({ totp_last_step: totpStep }).where('totp_last_step', '<', totpStep).executeTakeFirst();
      if (Number(consumed.numUpdatedRows) === 0) throw new AppError('TOTP_INVALID');
    } else {
      await update.execute();
    }
    await iam(work.tx)
      .insertInto('sessions')
      .values({
        id: sessionId,
        token_hash: tokenHash(platform, token),
        user_id: user.id,
        csrf_token: csrfToken,
        created_at: now,
        last_seen_at: now,
        expires_at: new Date(now.getTime() + SESSION_ABSOLUTE_MS),
        ip: actor.ip,
        user_agent: userAgent?.slice(0, 300) ?? null,
      })
      .execute();
    recordAudit(work, { action: 'auth.login', objectType: 'user', objectId: user.id, details: { sessionId, method, secondFactor: totpStep !== null } }, now);
    return toAssignments(await rolesOf(work.tx, user.id));
  });
  return { token, csrfToken, sessionId, user, roles };
}

/**
 * Signs a public account in with its mobile number and an SMS code (purpose 'login'). A locked or
 * disabled account stays shut; the code is spent with the session.
 */
export async function loginWithSmsCode(platform: Platform, input: { phone: string; smsCode: string }, actor: Actor, userAgent: string | null): Promise<LoginResult> {
  const now = platform.clock.now();
  const { phone, error } = checkMobile(input.phone);
  // Both fields' errors at once, before the number is looked up.
  const errors = [error, smsCodeFormatError(input.smsCode)].filter((e) => e !== null);
  if (errors.length) throw invalid(errors);
  const user = await findPublicUserByPhone(platform, platform.db, phone);
  const failActor = { ...actor, userId: user?.id ?? null, username: phone, unitId: null };
  const audit = (work: Work, reason: string) => recordAudit(work, { action: 'auth.login', objectType: 'user', objectId: user?.id ?? null, outcome: 'failure', details: { method: 'sms', reason } }, now);
  // The code first: a number that is no account fails here like a wrong code (codes for it are never sent).
  const codeId = await checkSmsCode(platform, failActor, phone, 'login', input.smsCode);
  if (!user) {
    await inTransaction(platform.db, failActor, async (work) => audit(work, 'unknown_user'));
    throw invalid([fieldError('smsCode', 'iam.smsCodeExpired')]);
  }
  if (user.locked_until && new Date(user.locked_until).getTime() > now.getTime()) {
    await inTransaction(platform.db, failActor, async (work) => audit(work, 'locked'));
    throw new AppError('AUTH_LOCKED', { extra: { lockedUntil: new Date(user.locked_until).toISOString() } });
  }
  if (user.disabled_at) {
    await inTransaction(platform.db, failActor, async (work) => audit(work, 'disabled'));
    throw new AppError('AUTH_DISABLED');
  }
  return openSession(platform, user, actor, userAgent, now, null, 'sms', codeId);
}

/**
 * The second step of a staff sign-in: the password was right (the caller holds proof of that,
 * see the staff sign-in page) and the one-time code completes it.
 */
export async function loginWithTotp(platform: Platform, userId: string, totp: string, actor: Actor, userAgent: string | null): Promise<LoginResult> {
  const now = platform.clock.now();
  const user = await findUserById(platform.db, userId);
  if (!user || !user.totp_enabled || !user.totp_secret_sealed) throw new AppError('SESSION_EXPIRED');
  const failActor = { ...actor, userId: user.id, username: user.username, unitId: user.unit_id };
  const audit = (work: Work, reason: string) => recordAudit(work, { action: 'auth.login', objectType: 'user', objectId: user.id, outcome: 'failure', details: { username: user.username, reason } }, now);
  if (user.locked_until && new Date(user.locked_until).getTime() > now.getTime()) {
    await inTransaction(platform.db, failActor, async (work) => audit(work, 'locked'));
    throw new AppError('AUTH_LOCKED', { extra: { lockedUntil: new Date(user.locked_until).toISOString() } });
  }
  if (user.disabled_at) throw new AppError('AUTH_DISABLED');
  const step = matchTotpStep(platform, user, openField(platform, user.totp_secret_sealed), totp);
  if (step === null || step <= Number(user.totp_last_step)) {
    await inTransaction(platform.db, failActor, async (work) => audit(work, step === null ? 'wrong_totp' : 'reused_totp'));
    throw new AppError('TOTP_INVALID', { errors: [fieldError('totp', 'error.TOTP_INVALID')] });
  }
  return openSession(platform, user, actor, userAgent, now, step);
}
