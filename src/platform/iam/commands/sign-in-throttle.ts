import { escapeLike, sql } from '../../db/index.ts';
import { inTransaction, type Actor } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { AppError, fieldError } from '../../http/errors.ts';
import { clearLimit, hitLimit, holdLimit, peekLimit } from '../../limits/index.ts';
import { enqueueMessages, type NewMessage } from '../../notify/service.ts';
import type { Platform } from '../../module.ts';
import type { iam, UserRow } from '../queries.ts';

/**
 * Sign-in throttling (等保: at most five failures before an account is throttled) that neither
 * tells a caller which accounts exist nor lets a caller lock an account out:
 *
 * - failures are counted per account name as typed (normalised) and client address, whether or
 *   not such an account exists, so a known and an unknown name answer alike at every step;
 * - after the third failure the caller waits before the next try (2, 4 s …), and after the fifth
 *   the name is locked for that address only: 15 minutes, doubling each time it is locked again
 *   within a day, up to a day. Tries while waiting are refused without looking at the password;
 * - from any other address the holder can still sign in, but while the name is locked somewhere
 *   the password alone is not enough: a second factor (TOTP; for the public, the SMS code) is asked;
 * - a lock is audited, and the account's holder and the security administrators are notified.
 */
export const FAILURES_BEFORE_LOCK = 5;
const FAILURES_BEFORE_DELAY = 3;
const FAILURE_WINDOW_MS = 15 * 60_000;
const FIRST_LOCK_MS = 15 * 60_000;
const MAX_LOCK_MS = 24 * 3600_000;
const LOCK_MEMORY_MS = 24 * 3600_000;

/** The name as the account's look-up sees it: case and surrounding spaces make no second counter. */
const nameKey = (name: string) => name.trim().toLowerCase();
const keys = (name: string, address: string | null) => {
  const pair = `${nameKey(name)}|${address ?? 'unknown'}`;
  return { failures: `signin:failures:${pair}`, wait: `signin:wait:${pair}`, lock: `signin:lock:${pair}`, locks: `signin:locks:${pair}`, anyLock: `signin:locked-somewhere:${nameKey(name)}` };
};

const throttled = (resetInMs: number, now: Date) =>
  new AppError('AUTH_THROTTLED', { extra: { retryAfter: Math.max(1, Math.ceil(resetInMs / 1000)), lockedUntil: new Date(now.getTime() + resetInMs).toISOString() } });

/** The answer to a wrong name or password: the same words whether or not the name is an account. */
const wrongCredentials = (left: number, waitMs = 0) =>
  new AppError('AUTH_INVALID', {
    detail: { key: 'iam.wrongCredentials', params: { left } },
    errors: [fieldError('password', 'iam.wrongCredentials', { left })],
    ...(waitMs ? { extra: { retryAfter: waitMs / 1000 } } : {}),
  });

/** Refuses the try at once when this name is locked or must wait for this address. */
export async function refuseWhileThrottled(platform: Platform, name: string, address: string | null): Promise<void> {
  const now = platform.clock.now();
  const k = keys(name, address);
  for (const key of [k.lock, k.wait]) {
    const held = await peekLimit(platform.db, key, now);
    if (held.hits > 0) throw throttled(held.resetInMs, now);
  }
}

/** Whether the name is locked against some address now: the password alone then does not suffice. */
export async function lockedSomewhere(platform: Platform, name: string): Promise<boolean> {
  return (await peekLimit(platform.db, keys(name, null).anyLock, platform.clock.now())).hits > 0;
}

/**
 * Counts a failed try of `name` from `address`; answers the error the caller gets: 401 with a wait
 * once a delay starts, 429 once the name is locked for this address. `user` is the account when
 * the name is one (its holder is told of a lock); the answer does not depend on it.
 */
export async function countFailure(platform: Platform, name: string, address: string | null, user: UserRow | null, actor: Actor): Promise<AppError> {
  const now = platform.clock.now();
  const k = keys(name, address);
  const { hits } = await hitLimit(platform.db, k.failures, FAILURE_WINDOW_MS, now);
  if (hits < FAILURES_BEFORE_DELAY) return wrongCredentials(FAILURES_BEFORE_LOCK - hits);
  if (hits < FAILURES_BEFORE_LOCK) {
    const waitMs = 1000 * 2 ** (hits - FAILURES_BEFORE_DELAY + 1);
    await holdLimit(platform.db, k.wait, 1, waitMs, now);
    return wrongCredentials(FAILURES_BEFORE_LOCK - hits, waitMs);
  }
  // The fifth failure: lock the name for this address, longer each time within a day.
  const { hits: lockCount } = await hitLimit(platform.db, k.locks, LOCK_MEMORY_MS, now);
  const lockMs = Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** (lockCount - 1));
  await holdLimit(platform.db, k.lock, 1, lockMs, now);
  await holdLimit(platform.db, k.anyLock, 1, lockMs, now);
  await clearLimit(platform.db, k.failures);
  const until = new Date(now.getTime() + lockMs);
  await inTransaction(platform.db, { ...actor, userId: user?.id ?? null, username: name.slice(0, 100), unitId: user?.unit_id ?? null }, async (work) => {
    recordAudit(work, { action: 'auth.lock', objectType: 'user', objectId: user?.id ?? null, outcome: 'failure', details: { username: name.slice(0, 100), address, until: until.toISOString(), lockCount } }, now);
    await enqueueMessages(work, platform, await lockNotices(work.tx, user, address, until));
  });
  return throttled(lockMs, now);
}

/** A successful sign-in forgets the failures of this name and address. */
export async function clearFailures(platform: Platform, name: string, address: string | null): Promise<void> {
  const k = keys(name, address);
  await clearLimit(platform.db, k.failures);
}

/** The holder proved who they are (a password reset by SMS): every lock and failure of the name goes. */
export async function liftThrottle(platform: Platform, name: string): Promise<void> {
  const key = nameKey(name);
  await sql`delete from rate_limit_counters where key like ${`signin:%:${escapeLike(key)}|%`} or key = ${keys(name, null).anyLock}`.execute(platform.db);
}

/** In-app notices of a lock: to the account's holder (when the name is an account) and every security administrator. */
async function lockNotices(db: Parameters<typeof iam>[0], user: UserRow | null, address: string | null, until: Date): Promise<NewMessage[]> {
  // A name that is no account has nobody to tell; its lock is in the audit log.
  if (!user) return [];
  const secadmins = await sql<{ user_id: string }>`select distinct user_id from user_roles where role = 'secadmin'`.execute(db);
  // Shown in Beijing time, as everything else on the console.
  const params = { username: user.username, address: address ?? '-', until: new Date(until.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') };
  const notices: NewMessage[] = secadmins.rows.map((r) => ({ channel: 'inapp', to: { userId: r.user_id }, template: 'iam.signInLocked.secadmin', params }));
  notices.push({ channel: 'inapp', to: { userId: user.id }, template: 'iam.signInLocked.holder', params });
  return notices;
}
