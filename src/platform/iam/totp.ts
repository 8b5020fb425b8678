import * as OTPAuth from 'otpauth';
import type { Platform } from '../module.ts';
import type { UserRow } from './queries.ts';

export function totpFor(platform: Platform, user: Pick<UserRow, 'username'>, secretBase32: string) {
  return new OTPAuth.TOTP({ issuer: 'Zhengtong', label: user.username, algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(secretBase32) });
}

/** The time step a code belongs to, if it is valid now (±1 step); null otherwise. */
export function matchTotpStep(platform: Platform, user: UserRow, secretBase32: string, code: string): number | null {
  const now = platform.clock.now().getTime();
  const delta = totpFor(platform, user, secretBase32).validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  return Math.floor(now / 30000) + delta;
}
