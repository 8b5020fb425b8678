import crypto from 'node:crypto';
import { sql } from '../../db/index.ts';
import { inTransaction, type Actor, type Work } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { AppError, fieldError, invalid } from '../../http/errors.ts';
import { blindIndex } from '../../crypto/fields.ts';
import { isValidMobile, maskPhone } from '../../org/codes.ts';
import { enqueueMessage } from '../../notify/service.ts';
import type { Platform } from '../../module.ts';
import { findPublicUserByPhone, iam } from '../queries.ts';

/**
 * One-time codes sent by SMS to prove a mobile number: 6 digits, valid five minutes, five tries,
 * at most one a minute and ten a day per number and purpose. Only a keyed hash is stored.
 */
export type SmsPurpose = 'register' | 'login' | 'reset';
export const SMS_PURPOSES: SmsPurpose[] = ['register', 'login', 'reset'];
export const SMS_CODE_TTL_MS = 5 * 60_000;
export const SMS_CODE_MAX_TRIES = 5;
export const SMS_CODE_INTERVAL_MS = 60_000;
export const SMS_CODES_PER_DAY = 10;
const DAY_MS = 24 * 3600_000;

/** Mobile numbers as people type them: spaces, dashes and +86 dropped. */
export const normalizeMobile = (value: string) => value.trim().replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');

const phoneKey = (platform: Platform, phone: string) => blindIndex(platform, `iam.sms:${phone}`);
const codeHash = (platform: Platform, id: string, code: string) => platform.crypto.hmacSm3(platform.fieldKey, `iam.sms-code:${id}:${code}`);

/** Field errors of a mobile number under `path`, or the normalised number. */
export function checkMobile(value: string, path = 'phone'): { phone: string; error: ReturnType<typeof fieldError> | null } {
  const phone = normalizeMobile(value);
  return { phone, error: isValidMobile(phone) ? null : fieldError(path, 'iam.phoneInvalid') };
}

/** The field error of a code that cannot be one (codes are 6 digits), or null. */
export function smsCodeFormatError(value: string): ReturnType<typeof fieldError> | null {
  return /^\d{6}$/.test(value) ? null : fieldError('smsCode', 'iam.smsCodeFormat');
}

/**
 * Issues a code and writes its SMS to the outbox, in the caller's unit of work. Registration
 * needs a number not yet registered. For sign-in and reset, a number that is no account gets the
 * same answer and the same limits as one that is (a code is stored, checked and counted alike),
 * but no SMS: the answer does not tell who is registered.
 */
export async function requestSmsCode(work: Work, platform: Platform, input: { phone: string; purpose: SmsPurpose }) {
  const { phone, error } = checkMobile(input.phone);
  if (error) throw invalid([error]);
  const account = await findPublicUserByPhone(platform, work.tx, phone);
  if (input.purpose === 'register' && account) throw new AppError('DUPLICATE', { errors: [fieldError('phone', 'iam.phoneTaken')] });

  const key = phoneKey(platform, phone);
  // Two requests for one number and purpose take turns: the second sees the first's row.
  await sql`select pg_advisory_xact_lock(hashtext(${`iam.sms:${key}:${input.purpose}`}))`.execute(work.tx);
  const now = platform.clock.now();
  const recent = await iam(work.tx)
    .selectFrom('sms_codes')
    .select([sql<number>`count(*)::int`.as('count'), sql<Date | string | null>`max(created_at)`.as('last')])
    .where('phone_index', '=', key)
    .where('purpose', '=', input.purpose)
    .where('created_at', '>', new Date(now.getTime() - DAY_MS))
    .executeTakeFirstOrThrow();
  if (recent.last) {
    const wait = new Date(recent.last).getTime() + SMS_CODE_INTERVAL_MS - now.getTime();
    if (wait > 0) throw new AppError('RATE_LIMITED', { detail: { key: 'iam.smsCodeTooSoon', params: { seconds: Math.ceil(wait / 1000) } }, extra: { retryAfter: Math.ceil(wait / 1000) } });
  }
  if (recent.count >= SMS_CODES_PER_DAY) throw new AppError('RATE_LIMITED', { detail: { key: 'iam.smsCodeDailyLimit', params: { count: SMS_CODES_PER_DAY } } });

  const id = crypto.randomUUID();
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
  await iam(work.tx)
    .insertInto('sms_codes')
    .values({ id, phone_index: key, purpose: input.purpose, code_hash: codeHash(platform, id, code), created_at: now, expires_at: new Date(now.getTime() + SMS_CODE_TTL_MS) })
    .execute();
  const deliver = input.purpose === 'register' || !!account;
  if (deliver) await enqueueMessage(work, platform, { channel: 'sms', to: { address: phone, userId: account?.id ?? null }, template: `iam.smsCode.${input.purpose}`, params: { code, minutes: SMS_CODE_TTL_MS / 60_000 } });
  recordAudit(work, { action: 'auth.sms_code.request', objectType: 'user', objectId: account?.id ?? null, details: { phone: maskPhone(phone), purpose: input.purpose, ...(deliver ? {} : { sent: false, reason: 'not_registered' }) } }, now);
  return { id, expiresAt: new Date(now.getTime() + SMS_CODE_TTL_MS) };
}

/**
 * Checks a code against the latest one issued for the number and purpose. A wrong code counts a
 * try in a transaction of its own (it must stay counted while the request fails). Returns the
 * code's id, which consumeSmsCode then spends in the caller's unit of work.
 */
export async function checkSmsCode(platform: Platform, actor: Actor, phone: string, purpose: SmsPurpose, code: string, path = 'smsCode'): Promise<string> {
  const key = phoneKey(platform, phone);
  const now = platform.clock.now();
  const row = await iam(platform.db)
    .selectFrom('sms_codes')
    .selectAll()
    .where('phone_index', '=', key)
    .where('purpose', '=', purpose)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row || row.consumed_at || new Date(row.expires_at).getTime() <= now.getTime()) throw invalid([fieldError(path, 'iam.smsCodeExpired')]);
  if (row.attempts >= SMS_CODE_MAX_TRIES) throw invalid([fieldError(path, 'iam.smsCodeTooManyTries')]);
  const expected = Buffer.from(row.code_hash);
  const given = Buffer.from(codeHash(platform, row.id, code));
  if (expected.length === given.length && crypto.timingSafeEqual(expected, given)) return row.id;
  const attempts = await inTransaction(platform.db, actor, async (work) => {
    const updated = await iam(work.tx).updateTable('sms_codes').set({ attempts: sql`attempts + 1` }).where('id', '=', row.id).returning('attempts').executeTakeFirstOrThrow();
    recordAudit(work, { action: 'auth.sms_code.check', objectType: 'sms_code', objectId: row.id, outcome: 'failure', details: { phone: maskPhone(phone), purpose } }, now);
    return updated.attempts;
  });
  const left = SMS_CODE_MAX_TRIES - attempts;
  throw invalid([left > 0 ? fieldError(path, 'iam.smsCodeWrong', { left }) : fieldError(path, 'iam.smsCodeTooManyTries')]);
}

/** Spends a checked code: a code is good for one use, even when two requests race with it. */
export async function consumeSmsCode(work: Work, platform: Platform, id: string, path = 'smsCode') {
  const spent = await iam(work.tx)
    .updateTable('sms_codes')
    .set({ consumed_at: platform.clock.now() })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .where('attempts', '<', SMS_CODE_MAX_TRIES)
    .executeTakeFirst();
  if (Number(spent.numUpdatedRows) === 0) throw invalid([fieldError(path, 'iam.smsCodeExpired')]);
}
