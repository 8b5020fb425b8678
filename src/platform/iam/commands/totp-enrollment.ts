import * as OTPAuth from 'otpauth';
import type { Work } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { openField, sealField } from '../../crypto/fields.ts';
import type { Platform } from '../../module.ts';
import type { Principal } from '../principal.ts';
import { findUserById, iam } from '../queries.ts';
import { matchTotpStep, totpFor } from '../totp.ts';

/** Starts enrolment: a new secret, stored sealed but not active until a code confirms it. */
export async function beginTotpEnrollment(work: Work, platform: Platform, principal: Principal) {
  const user = await findUserById(work.tx, principal.userId);
  if (!user) throw notFound();
  if (user.totp_enabled) throw new AppError('INVALID_STATE', { detail: { key: 'iam.totpAlreadyEnabled' } });
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await iam(work.tx).updateTable('users').set({ totp_secret_sealed: sealField(platform, secret) }).where('id', '=', user.id).execute();
  recordAudit(work, { action: 'user.totp.begin', objectType: 'user', objectId: user.id });
  return { secret, uri: totpFor(platform, user, secret).toString() };
}

export async function confirmTotpEnrollment(work: Work, platform: Platform, principal: Principal, code: string) {
  const user = await findUserById(work.tx, principal.userId);
  if (!user || !user.totp_secret_sealed) throw new AppError('INVALID_STATE', { detail: { key: 'iam.totpNotStarted' } });
  if (user.totp_enabled) throw new AppError('INVALID_STATE', { detail: { key: 'iam.totpAlreadyEnabled' } });
  const step = matchTotpStep(platform, user, openField(platform, user.totp_secret_sealed), code);
  if (step === null) throw new AppError('TOTP_INVALID');
  await iam(work.tx).updateTable('users').set({ totp_enabled: true, totp_last_step: step }).where('id', '=', user.id).execute();
  recordAudit(work, { action: 'user.totp.enable', objectType: 'user', objectId: user.id });
}

/** Turns TOTP on with a known secret (command line, demo accounts). */
export async function enableTotpWithSecret(work: Work, platform: Platform, userId: string, secretBase32: string) {
  await iam(work.tx).updateTable('users').set({ totp_secret_sealed: sealField(platform, secretBase32), totp_enabled: true, totp_last_step: 0 }).where('id', '=', userId).execute();
  recordAudit(work, { action: 'user.totp.enable', objectType: 'user', objectId: userId });
}
