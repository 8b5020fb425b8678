import crypto from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { escapeLike, isUniqueViolation, sql, type Db } from '../db/index.ts';
import { inTransaction, type Actor, type Work } from '../db/work.ts';
import { recordAudit } from '../audit/service.ts';
import { AppError, fieldError, forbidden, invalid, notFound, type FieldError } from '../http/errors.ts';
import { blindIndex, openField, sealField } from '../crypto/fields.ts';
import { getRegion, getUnit, requireUnit, unitIdsUnderRegions, type Unit } from '../org/service.ts';
import { keysetPage } from '../db/pagination.ts';
import { isValidMobile, maskPhone, regionPrefix } from '../org/codes.ts';
import type { Platform } from '../module.ts';
import { decoyHash, hashPassword, isStrongPassword, verifyPassword } from './passwords.ts';
import { coversUnit, hasPermission, scopesFor, type Principal, type RoleAssignment, type Scope } from './principal.ts';
import { isRole, THREE_ADMINS, TOTP_REQUIRED_ROLES, type Role } from './roles.ts';
import { findUserById, findUserByUsername, iam, rolesOf, sessionWithUser, tokenWithUser, type UserRow } from './queries.ts';

export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MS = 15 * 60 * 1000;
const TOUCH_EVERY_MS = 60 * 1000;

const tokenHash = (platform: Platform, token: string) => platform.crypto.sm3(`zt-token:${token}`);

function toAssignments(rows: Array<{ role: Role; scope_unit_id: string | null; scope_region_code: string | null }>): RoleAssignment[] {
  return rows.map((r) => ({
    role: r.role,
    scope: r.scope_unit_id ? { unitId: r.scope_unit_id } : { regionCode: r.scope_region_code! },
  }));
}

function needsTotp(roles: RoleAssignment[]): boolean {
  return roles.some((r) => TOTP_REQUIRED_ROLES.includes(r.role));
}

// ---------------------------------------------------------------- authentication

export type SessionLookup = { principal: Principal } | { expired: true } | null;

/** Resolves a session cookie; ends it on the server when idle or past its absolute lifetime. */
export async function authenticateSession(platform: Platform, token: string): Promise<SessionLookup> {
  const row = await sessionWithUser(platform.db, tokenHash(platform, token));
  if (!row || row.ended_at) return row ? { expired: true } : null;
  const now = platform.clock.now();
  const idle = now.getTime() - new Date(row.last_seen_at).getTime() > SESSION_IDLE_MS;
  const absolute = now.getTime() >= new Date(row.expires_at).getTime();
  if (idle || absolute || row.disabled_at) {
    await iam(platform.db)
      .updateTable('sessions')
      .set({ ended_at: now, end_reason: row.disabled_at ? 'disabled' : idle ? 'idle' : 'expired' })
      .where('id', '=', row.session_id)
      .where('ended_at', 'is', null)
      .execute();
    return { expired: true };
  }
  if (now.getTime() - new Date(row.last_seen_at).getTime() > TOUCH_EVERY_MS) {
    await iam(platform.db).updateTable('sessions').set({ last_seen_at: now }).where('id', '=', row.session_id).execute();
  }
  const roles = toAssignments(row.roles);
  return {
    principal: {
      userId: row.id,
      username: row.username,
      displayName: row.display_name,
      kind: row.kind,
      unitId: row.unit_id,
      roles,
      sessionId: row.session_id,
      tokenId: null,
      csrfToken: row.csrf_token,
      mustChangePassword: row.must_change_password,
      totpEnrollmentRequired: needsTotp(roles) && !row.totp_enabled,
      grants: platform.modules.permissions,
    },
  };
}

export async function authenticateBearer(platform: Platform, token: string): Promise<Principal | null> {
  const row = await tokenWithUser(platform.db, tokenHash(platform, token));
  const now = platform.clock.now();
  if (!row || row.revoked_at || row.disabled_at || new Date(row.expires_at).getTime() <= now.getTime()) return null;
  if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() > TOUCH_EVERY_MS) {
    await iam(platform.db).updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.token_id).execute();
  }
  return {
    userId: row.id,
    username: row.username,
    displayName: row.display_name,
    kind: row.kind,
    unitId: row.unit_id,
    roles: toAssignments(row.roles),
    sessionId: null,
    tokenId: row.token_id,
    csrfToken: null,
    mustChangePassword: false,
    totpEnrollmentRequired: false,
    grants: platform.modules.permissions,
  };
}

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

function totpFor(platform: Platform, user: Pick<UserRow, 'username'>, secretBase32: string) {
  return new OTPAuth.TOTP({ issuer: 'Zhengtong', label: user.username, algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(secretBase32) });
}

/** The time step a code belongs to, if it is valid now (±1 step); null otherwise. */
function matchTotpStep(platform: Platform, user: UserRow, secretBase32: string, code: string): number | null {
  const now = platform.clock.now().getTime();
  const delta = totpFor(platform, user, secretBase32).validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  return Math.floor(now / 30000) + delta;
}

/**
 * Signs in with username, password and (when enrolled) a one-time code. Every outcome is
 * audited; five failures in a row lock the account for fifteen minutes.
 */
export async function login(platform: Platform, input: LoginInput, actor: Actor, userAgent: string | null): Promise<LoginResult> {
  const now = platform.clock.now();
  const user = await findUserByUsername(platform.db, input.username);
  const audit = (work: Work, action: string, reason: string, userId: string | null) =>
    recordAudit(work, { action, objectType: 'user', objectId: userId, outcome: 'failure', details: { username: input.username, reason } }, now);
  const failActor = { ...actor, userId: user?.id ?? null, username: input.username, unitId: user?.unit_id ?? null };

  if (!user) {
    await verifyPassword(await decoyHash(), input.password);
    await inTransaction(platform.db, failActor, async (work) => audit(work, 'auth.login', 'unknown_user', null));
    throw new AppError('AUTH_INVALID');
  }
  if (user.locked_until && new Date(user.locked_until).getTime() > now.getTime()) {
    await inTransaction(platform.db, failActor, async (work) => audit(work, 'auth.login', 'locked', user.id));
    throw new AppError('AUTH_LOCKED', { extra: { lockedUntil: new Date(user.locked_until).toISOString() } });
  }
  const passwordOk = await verifyPassword(user.password_hash, input.password);
  if (!passwordOk) {
    const lockNow = await inTransaction(platform.db, failActor, async (work) => {
      const updated = await iam(work.tx)
        .updateTable('users')
        .set({ failed_logins: sql`failed_logins + 1` })
        .where('id', '=', user.id)
        .returning('failed_logins')
        .executeTakeFirstOrThrow();
      audit(work, 'auth.login', 'wrong_password', user.id);
      if (updated.failed_logins >= MAX_FAILED_LOGINS) {
        const until = new Date(now.getTime() + LOCK_MS);
        await iam(work.tx).updateTable('users').set({ failed_logins: 0, locked_until: until }).where('id', '=', user.id).execute();
        recordAudit(work, { action: 'auth.lock', objectType: 'user', objectId: user.id, details: { until: until.toISOString() } }, now);
        return until;
      }
      return null;
    });
    if (lockNow) throw new AppError('AUTH_LOCKED', { extra: { lockedUntil: lockNow.toISOString() } });
    throw new AppError('AUTH_INVALID');
  }
  if (user.disabled_at) {
    await inTransaction(platform.db, failActor, async (work) => audit(work, 'auth.login', 'disabled', user.id));
    throw new AppError('AUTH_DISABLED');
  }
  let totpStep: number | null = null;
  if (user.totp_enabled && user.totp_secret_sealed) {
    if (!input.totp) throw new AppError('TOTP_REQUIRED');
    totpStep = matchTotpStep(platform, user, openField(platform, user.totp_secret_sealed), input.totp);
    if (totpStep === null || totpStep <= Number(user.totp_last_step)) {
      await inTransaction(platform.db, failActor, async (work) => audit(work, 'auth.login', totpStep === null ? 'wrong_totp' : 'reused_totp', user.id));
      throw new AppError('TOTP_INVALID');
    }
  }

  const token = platform.crypto.randomToken();
  const csrfToken = platform.crypto.randomToken(24);
  const sessionId = crypto.randomUUID();
  const okActor = { ...actor, userId: user.id, username: user.username, unitId: user.unit_id };
  const roles = await inTransaction(platform.db, okActor, async (work) => {
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
    recordAudit(work, { action: 'auth.login', objectType: 'user', objectId: user.id, details: { sessionId, totp: undefined, secondFactor: totpStep !== null } }, now);
    return toAssignments(await rolesOf(work.tx, user.id));
  });
  return { token, csrfToken, sessionId, user, roles };
}

export async function logout(platform: Platform, principal: Principal, actor: Actor) {
  if (!principal.sessionId) return;
  await endSession(platform, principal, principal.sessionId, actor, 'logout');
}

export async function listSessions(platform: Platform, principal: Principal) {
  const rows = await iam(platform.db)
    .selectFrom('sessions')
    .select(['id', 'created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent'])
    .where('user_id', '=', principal.userId)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', platform.clock.now())
    .where('last_seen_at', '>', new Date(platform.clock.now().getTime() - SESSION_IDLE_MS))
    .orderBy('created_at', 'desc')
    .limit(200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    createdAt: new Date(r.created_at).toISOString(),
    lastSeenAt: new Date(r.last_seen_at).toISOString(),
    expiresAt: new Date(r.expires_at).toISOString(),
    ip: r.ip,
    userAgent: r.user_agent,
    current: r.id === principal.sessionId,
  }));
}

/** Ends one of the caller's own sessions; another user's session id is 404. */
export async function endSession(platform: Platform, principal: Principal, sessionId: string, actor: Actor, reason = 'ended_by_user') {
  await inTransaction(platform.db, actor, async (work) => {
    const ended = await iam(work.tx)
      .updateTable('sessions')
      .set({ ended_at: platform.clock.now(), end_reason: reason })
      .where('id', '=', sessionId)
      .where('user_id', '=', principal.userId)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    if (Number(ended.numUpdatedRows) === 0) throw notFound();
    recordAudit(work, { action: reason === 'logout' ? 'auth.logout' : 'session.end', objectType: 'session', objectId: sessionId });
  });
}

// ---------------------------------------------------------------- tokens

export async function createApiToken(platform: Platform, userId: string, name: string, days: number, actor: Actor) {
  const token = `zt_${platform.crypto.randomToken()}`;
  const id = crypto.randomUUID();
  const expiresAt = new Date(platform.clock.now().getTime() + days * 86400_000);
  await inTransaction(platform.db, actor, async (work) => {
    await iam(work.tx).insertInto('api_tokens').values({ id, token_hash: tokenHash(platform, token), user_id: userId, name, expires_at: expiresAt }).execute();
    recordAudit(work, { action: 'token.create', objectType: 'api_token', objectId: id, details: { name, userId, expiresAt: expiresAt.toISOString() } });
  });
  return { id, token, name, expiresAt: expiresAt.toISOString() };
}

export async function listApiTokens(platform: Platform, principal: Principal) {
  const rows = await iam(platform.db)
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'])
    .where('user_id', '=', principal.userId)
    .orderBy('created_at', 'desc')
    .limit(200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: new Date(r.created_at).toISOString(),
    expiresAt: new Date(r.expires_at).toISOString(),
    revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
  }));
}

export async function revokeApiToken(platform: Platform, principal: Principal, id: string, actor: Actor) {
  await inTransaction(platform.db, actor, async (work) => {
    const res = await iam(work.tx)
      .updateTable('api_tokens')
      .set({ revoked_at: platform.clock.now() })
      .where('id', '=', id)
      .where('user_id', '=', principal.userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw notFound();
    recordAudit(work, { action: 'token.revoke', objectType: 'api_token', objectId: id });
  });
}

// ---------------------------------------------------------------- accounts

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  kind: 'staff' | 'public';
  unitId: string | null;
  phone: string | null;
  email: string | null;
  roles: Array<{ role: Role; scope: Scope }>;
  disabled: boolean;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  createdAt: string;
  version: number;
}

export function toUserView(platform: Platform, user: UserRow, roles: RoleAssignment[], revealPhone = false): UserView {
  let phone: string | null = null;
  if (user.phone_sealed) {
    const plain = openField(platform, user.phone_sealed);
    phone = revealPhone ? plain : maskPhone(plain);
  }
  return {
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    kind: user.kind,
    unitId: user.unit_id,
    phone,
    email: user.email,
    roles,
    disabled: !!user.disabled_at,
    mustChangePassword: user.must_change_password,
    totpEnabled: user.totp_enabled,
    createdAt: new Date(user.created_at).toISOString(),
    version: user.version,
  };
}

export interface NewUserInput {
  username: string;
  displayName: string;
  password: string;
  unitId: string;
  phone?: string;
  email?: string;
}

const USERNAME = /^[A-Za-z0-9_.@-]{3,64}$/;

type AccountFields = { username?: string; password?: string; phone?: string; email?: string; displayName?: string };

/** What is wrong with an account's fields (password strength aside), as field errors under `pathPrefix`. */
export function accountFieldErrors(input: AccountFields, pathPrefix = ''): FieldError[] {
  const errors = [];
  if (input.username !== undefined && !USERNAME.test(input.username)) errors.push(fieldError(`${pathPrefix}username`, 'iam.usernameInvalid'));
  if (input.displayName !== undefined && !input.displayName.trim()) errors.push(fieldError(`${pathPrefix}displayName`, 'iam.displayNameRequired'));
  if (input.phone !== undefined && !isValidMobile(input.phone)) errors.push(fieldError(`${pathPrefix}phone`, 'iam.phoneInvalid'));
  if (input.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email)) errors.push(fieldError(`${pathPrefix}email`, 'iam.emailInvalid'));
  return errors;
}

function checkAccountFields(input: AccountFields) {
  const errors = accountFieldErrors(input);
  if (errors.length) throw invalid(errors);
  if (input.password !== undefined && !isStrongPassword(input.password)) {
    throw new AppError('PASSWORD_WEAK', { errors: [fieldError('password', 'error.PASSWORD_WEAK')] });
  }
}

/** The unit must be inside the caller's `user.write` scope; outside it the unit does not exist. */
async function requireManagedUnit(platform: Platform, principal: Principal, unitId: string, db: Db = platform.db): Promise<Unit> {
  const unit = await getUnit(db, unitId);
  if (!unit || !coversUnit(principal, 'user.write', unit)) {
    throw invalid([fieldError('unitId', 'iam.unitNotFound')]);
  }
  return unit;
}

/** Staff account created by an administrator: the password must be changed at first sign-in. */
export async function createStaffUser(platform: Platform, principal: Principal | null, input: NewUserInput, actor: Actor, options: { mustChangePassword?: boolean } = {}) {
  checkAccountFields(input);
  if (principal) await requireManagedUnit(platform, principal, input.unitId);
  else await requireUnit(platform.db, input.unitId);
  const passwordHash = await hashPassword(input.password);
  try {
    return await inTransaction(platform.db, actor, (work) => insertStaffUser(work, platform, { ...input, passwordHash }, options));
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
  const id = crypto.randomUUID();
  const row = await iam(work.tx)
    .insertInto('users')
    .values({
      id,
      username: input.username,
      display_name: input.displayName.trim(),
      kind: 'staff',
      unit_id: input.unitId,
      phone_sealed: input.phone ? sealField(platform, input.phone) : null,
      phone_index: input.phone ? blindIndex(platform, `staff:${input.phone}`) : null,
      email: input.email ?? null,
      password_hash: input.passwordHash,
      must_change_password: options.mustChangePassword ?? true,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  recordAudit(work, { action: 'user.create', objectType: 'user', objectId: id, details: { username: row.username, unitId: row.unit_id } });
  return row;
}

/** Which of these usernames (any case) and staff mobile numbers an account already holds. */
export async function findTakenAccountKeys(platform: Platform, usernames: string[], phones: string[]): Promise<{ usernames: Set<string>; phones: Set<string> }> {
  const taken = { usernames: new Set<string>(), phones: new Set<string>() };
  const lowered = [...new Set(usernames.map((u) => u.toLowerCase()))];
  for (let i = 0; i < lowered.length; i += 1000) {
    const rows = await iam(platform.db).selectFrom('users').select('username').where(sql<string>`lower(username)`, 'in', lowered.slice(i, i + 1000)).execute();
    for (const r of rows) taken.usernames.add(r.username.toLowerCase());
  }
  const byIndex = new Map([...new Set(phones)].map((p) => [blindIndex(platform, `staff:${p}`), p]));
  const indexes = [...byIndex.keys()];
  for (let i = 0; i < indexes.length; i += 1000) {
    const rows = await iam(platform.db).selectFrom('users').select('phone_index').where('phone_index', 'in', indexes.slice(i, i + 1000)).execute();
    for (const r of rows) taken.phones.add(byIndex.get(r.phone_index!)!);
  }
  return taken;
}

export interface RegisterInput {
  username: string;
  displayName: string;
  password: string;
  kind: 'person' | 'enterprise';
  phone?: string;
  email?: string;
}

/** Citizens and enterprises register themselves with a phone number or an e-mail address. */
export async function registerPublicUser(platform: Platform, input: RegisterInput, actor: Actor) {
  checkAccountFields(input);
  if (!input.phone && !input.email) throw invalid([fieldError('phone', 'iam.phoneOrEmailRequired')]);
  const passwordHash = await hashPassword(input.password);
  const id = crypto.randomUUID();
  try {
    return await inTransaction(platform.db, { ...actor, userId: id, username: input.username }, async (work) => {
      const row = await iam(work.tx)
        .insertInto('users')
        .values({
          id,
          username: input.username,
          display_name: input.displayName.trim(),
          kind: 'public',
          unit_id: null,
          phone_sealed: input.phone ? sealField(platform, input.phone) : null,
          phone_index: input.phone ? blindIndex(platform, `public:${input.phone}`) : null,
          email: input.email ?? null,
          password_hash: passwordHash,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      recordAudit(work, { action: 'user.register', objectType: 'user', objectId: id, details: { username: row.username, applicantKind: input.kind } });
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('DUPLICATE', { errors: [fieldError('username', 'iam.duplicateAccount')] });
    throw error;
  }
}

/**
 * An account the caller may see: themselves, any account for user.read holders whose scope
 * covers the account's unit. Anything else is 404.
 */
export async function getVisibleUser(platform: Platform, principal: Principal, id: string) {
  const user = await findUserById(platform.db, id);
  if (!user) throw notFound();
  if (user.id !== principal.userId) {
    if (!user.unit_id) {
      if (!hasPermission(principal, 'user.read') || !principal.roles.some((r) => THREE_ADMINS.includes(r.role))) throw notFound();
    } else {
      const unit = await getUnit(platform.db, user.unit_id);
      if (!unit || !coversUnit(principal, 'user.read', unit)) throw notFound();
    }
  }
  return { user, roles: toAssignments(await rolesOf(platform.db, user.id)) };
}

export interface UserListFilter {
  unitId?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

/**
 * Staff accounts inside the caller's `user.read` scope, ordered by username (keyset pages).
 * A `unitId` outside that scope is 404, like any object the caller may not see.
 */
export async function listUsers(platform: Platform, principal: Principal, filter: UserListFilter): Promise<{ items: UserView[]; nextCursor: string | null }> {
  const lowerName = sql<string>`lower(username)`;
  let query = iam(platform.db).selectFrom('users').selectAll().where('kind', '=', 'staff');
  if (filter.unitId) {
    const unit = await getUnit(platform.db, filter.unitId);
    if (!unit || !coversUnit(principal, 'user.read', unit)) throw notFound();
    query = query.where('unit_id', '=', unit.id);
  } else {
    const scopes = scopesFor(principal, 'user.read');
    const unitIds = scopes.flatMap((s) => ('unitId' in s ? [s.unitId] : []));
    const regionCodes = scopes.flatMap((s) => ('regionCode' in s ? [s.regionCode] : []));
    if (unitIds.length === 0 && regionCodes.length === 0) return { items: [], nextCursor: null };
    query = query.where((eb) =>
      eb.or([
        ...(unitIds.length ? [eb('unit_id', 'in', unitIds)] : []),
        ...(regionCodes.length ? [eb('unit_id', 'in', unitIdsUnderRegions(platform.db, regionCodes))] : []),
      ]),
    );
  }
  if (filter.q) {
    const pattern = `%${escapeLike(filter.q)}%`;
    query = query.where((eb) => eb.or([eb(lowerName, 'like', pattern.toLowerCase()), eb('display_name', 'like', pattern)]));
  }
  const { items: page, nextCursor } = await keysetPage(query, { keys: [{ by: lowerName, kind: 'text', of: (u) => u.username.toLowerCase() }], order: 'asc' }, { limit: filter.limit ?? 20, cursor: filter.cursor });
  const roles = new Map<string, Array<{ role: Role; scope_unit_id: string | null; scope_region_code: string | null }>>();
  if (page.length) {
    const roleRows = await iam(platform.db).selectFrom('user_roles').selectAll().where('user_id', 'in', page.map((u) => u.id)).orderBy('granted_at').execute();
    for (const r of roleRows) roles.set(r.user_id, [...(roles.get(r.user_id) ?? []), r]);
  }
  return { items: page.map((u) => toUserView(platform, u, toAssignments(roles.get(u.id) ?? []))), nextCursor };
}

export interface UserPatch {
  displayName?: string;
  phone?: string | null;
  email?: string | null;
  unitId?: string;
  version?: number;
}

export async function updateUser(platform: Platform, principal: Principal, id: string, patch: UserPatch, actor: Actor) {
  const { user } = await getVisibleUser(platform, principal, id);
  const self = user.id === principal.userId;
  if (!self && !(user.unit_id && coversUnit(principal, 'user.write', (await getUnit(platform.db, user.unit_id))!))) throw forbidden();
  checkAccountFields({ displayName: patch.displayName, phone: patch.phone ?? undefined, email: patch.email ?? undefined });
  if (patch.unitId !== undefined) {
    if (self || user.kind !== 'staff') throw forbidden();
    await requireManagedUnit(platform, principal, patch.unitId);
  }
  return inTransaction(platform.db, actor, async (work) => {
    const values: Record<string, unknown> = { updated_at: platform.clock.now(), version: sql`version + 1` };
    const changed: string[] = [];
    if (patch.displayName !== undefined) {
      values.display_name = patch.displayName.trim();
      changed.push('displayName');
    }
    if (patch.email !== undefined) {
      values.email = patch.email;
      changed.push('email');
    }
    if (patch.unitId !== undefined) {
      values.unit_id = patch.unitId;
      changed.push('unitId');
    }
    if (patch.phone !== undefined) {
      values.phone_sealed = patch.phone ? sealField(platform, patch.phone) : null;
      values.phone_index = patch.phone ? blindIndex(platform, `${user.kind}:${patch.phone}`) : null;
      changed.push('phone');
    }
    let update = iam(work.tx).updateTable('users').set(values).where('id', '=', id);
    if (patch.version !== undefined) update = update.where('version', '=', patch.version);
    const row = await update.returningAll().executeTakeFirst();
    if (!row) throw new AppError('CONFLICT');
    recordAudit(work, { action: 'user.update', objectType: 'user', objectId: id, details: { fields: changed, unitId: patch.unitId } });
    return row;
  });
}

export async function setUserDisabled(platform: Platform, principal: Principal, id: string, disabled: boolean, actor: Actor) {
  const { user } = await getVisibleUser(platform, principal, id);
  if (user.id === principal.userId) throw forbidden({ key: 'iam.cannotDisableSelf' });
  const unit = user.unit_id ? await getUnit(platform.db, user.unit_id) : null;
  const mayWrite = unit ? coversUnit(principal, 'user.write', unit) : hasPermission(principal, 'user.write') && principal.roles.some((r) => r.role === 'sysadmin');
  if (!mayWrite) throw forbidden();
  return inTransaction(platform.db, actor, async (work) => {
    const now = platform.clock.now();
    await iam(work.tx).updateTable('users').set({ disabled_at: disabled ? now : null, updated_at: now, version: sql`version + 1` }).where('id', '=', id).execute();
    if (disabled) {
      await iam(work.tx).updateTable('sessions').set({ ended_at: now, end_reason: 'disabled' }).where('user_id', '=', id).where('ended_at', 'is', null).execute();
      await iam(work.tx).updateTable('api_tokens').set({ revoked_at: now }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
    }
    recordAudit(work, { action: disabled ? 'user.disable' : 'user.enable', objectType: 'user', objectId: id });
  });
}

export interface RoleInput {
  role: string;
  scope?: { unitId?: string; regionCode?: string };
}

/** Replaces an account's roles. Only the security administrator does this, never for themselves. */
export async function setUserRoles(platform: Platform, principal: Principal, id: string, input: RoleInput[], actor: Actor) {
  const user = await findUserById(platform.db, id);
  if (!user) throw notFound();
  if (user.id === principal.userId) throw forbidden({ key: 'iam.cannotGrantSelf' });
  const errors = [];
  const assignments: Array<{ role: Role; scope_unit_id: string | null; scope_region_code: string | null }> = [];
  for (const [i, entry] of input.entries()) {
    if (!isRole(entry.role)) {
      errors.push(fieldError(`roles.${i}.role`, 'iam.roleUnknown', { role: entry.role }));
      continue;
    }
    const scope = entry.scope ?? {};
    if (scope.unitId && scope.regionCode) {
      errors.push(fieldError(`roles.${i}.scope`, 'iam.scopeOneOf'));
      continue;
    }
    if (scope.regionCode) {
      if (!(await getRegion(platform.db, scope.regionCode))) errors.push(fieldError(`roles.${i}.scope.regionCode`, 'org.unit.regionMissing', { code: scope.regionCode }));
      assignments.push({ role: entry.role, scope_unit_id: null, scope_region_code: scope.regionCode });
    } else {
      const unitId = scope.unitId ?? user.unit_id;
      if (!unitId) {
        errors.push(fieldError(`roles.${i}.scope`, 'iam.scopeRequired'));
        continue;
      }
      if (!(await getUnit(platform.db, unitId))) errors.push(fieldError(`roles.${i}.scope.unitId`, 'iam.unitNotFound'));
      assignments.push({ role: entry.role, scope_unit_id: unitId, scope_region_code: null });
    }
  }
  if (errors.length) throw invalid(errors);
  if (user.kind === 'public' && assignments.length > 0) throw invalid([fieldError('roles', 'iam.publicNoRoles')]);
  const admins = new Set(assignments.map((a) => a.role).filter((r) => THREE_ADMINS.includes(r)));
  if (admins.size > 1) throw new AppError('ROLE_CONFLICT');
  const unique = new Map(assignments.map((a) => [`${a.role}|${a.scope_unit_id}|${a.scope_region_code}`, a]));

  return inTransaction(platform.db, actor, async (work) => {
    // Serialise concurrent role changes of one account.
    await iam(work.tx).selectFrom('users').select('id').where('id', '=', id).forUpdate().execute();
    const before = await rolesOf(work.tx, id);
    await iam(work.tx).deleteFrom('user_roles').where('user_id', '=', id).execute();
    if (unique.size) {
      await iam(work.tx)
        .insertInto('user_roles')
        .values([...unique.values()].map((a) => ({ id: crypto.randomUUID(), user_id: id, ...a, granted_by: principal.userId })))
        .execute();
    }
    recordAudit(work, {
      action: 'user.roles.set',
      objectType: 'user',
      objectId: id,
      details: {
        before: before.map((r) => ({ role: r.role, unitId: r.scope_unit_id, regionCode: r.scope_region_code })),
        after: [...unique.values()].map((r) => ({ role: r.role, unitId: r.scope_unit_id, regionCode: r.scope_region_code })),
      },
    });
    return toAssignments(await rolesOf(work.tx, id));
  });
}

/** Grants roles without a caller (command line and demo data); checks the same rules. */
export async function grantRolesBySystem(work: Work, userId: string, roles: Array<{ role: Role; scope: Scope }>) {
  const admins = new Set(roles.map((a) => a.role).filter((r) => THREE_ADMINS.includes(r)));
  const existing = await rolesOf(work.tx, userId);
  for (const r of existing) if (THREE_ADMINS.includes(r.role)) admins.add(r.role);
  if (admins.size > 1) throw new AppError('ROLE_CONFLICT');
  for (const r of roles) {
    await iam(work.tx)
      .insertInto('user_roles')
      .values({
        id: crypto.randomUUID(),
        user_id: userId,
        role: r.role,
        scope_unit_id: 'unitId' in r.scope ? r.scope.unitId : null,
        scope_region_code: 'regionCode' in r.scope ? r.scope.regionCode : null,
        granted_by: null,
      })
      .execute();
  }
  recordAudit(work, { action: 'user.roles.grant', objectType: 'user', objectId: userId, details: { roles: roles.map((r) => ({ role: r.role, ...r.scope })) } });
}

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

/** Administrator reset: sets a new password that must be changed at next sign-in. */
export async function resetPassword(platform: Platform, principal: Principal, id: string, password: string, actor: Actor) {
  const { user } = await getVisibleUser(platform, principal, id);
  const unit = user.unit_id ? await getUnit(platform.db, user.unit_id) : null;
  if (!unit || !coversUnit(principal, 'user.write', unit) || user.id === principal.userId) throw forbidden();
  if (!isStrongPassword(password)) throw new AppError('PASSWORD_WEAK', { errors: [fieldError('password', 'error.PASSWORD_WEAK')] });
  const passwordHash = await hashPassword(password);
  await inTransaction(platform.db, actor, async (work) => {
    const now = platform.clock.now();
    await iam(work.tx).updateTable('users').set({ password_hash: passwordHash, must_change_password: true, failed_logins: 0, locked_until: null, updated_at: now }).where('id', '=', id).execute();
    await iam(work.tx).updateTable('sessions').set({ ended_at: now, end_reason: 'password_reset' }).where('user_id', '=', id).where('ended_at', 'is', null).execute();
    recordAudit(work, { action: 'user.password.reset', objectType: 'user', objectId: id });
  });
}

// ---------------------------------------------------------------- TOTP

/** Starts enrolment: a new secret, stored sealed but not active until a code confirms it. */
export async function beginTotpEnrollment(platform: Platform, principal: Principal, actor: Actor) {
  const user = await findUserById(platform.db, principal.userId);
  if (!user) throw notFound();
  if (user.totp_enabled) throw new AppError('INVALID_STATE', { detail: { key: 'iam.totpAlreadyEnabled' } });
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await inTransaction(platform.db, actor, async (work) => {
    await iam(work.tx).updateTable('users').set({ totp_secret_sealed: sealField(platform, secret) }).where('id', '=', user.id).execute();
    recordAudit(work, { action: 'user.totp.begin', objectType: 'user', objectId: user.id });
  });
  return { secret, uri: totpFor(platform, user, secret).toString() };
}

export async function confirmTotpEnrollment(platform: Platform, principal: Principal, code: string, actor: Actor) {
  const user = await findUserById(platform.db, principal.userId);
  if (!user || !user.totp_secret_sealed) throw new AppError('INVALID_STATE', { detail: { key: 'iam.totpNotStarted' } });
  if (user.totp_enabled) throw new AppError('INVALID_STATE', { detail: { key: 'iam.totpAlreadyEnabled' } });
  const step = matchTotpStep(platform, user, openField(platform, user.totp_secret_sealed), code);
  if (step === null) throw new AppError('TOTP_INVALID');
  await inTransaction(platform.db, actor, async (work) => {
    await iam(work.tx).updateTable('users').set({ totp_enabled: true, totp_last_step: step }).where('id', '=', user.id).execute();
    recordAudit(work, { action: 'user.totp.enable', objectType: 'user', objectId: user.id });
  });
}

/** Turns TOTP on with a known secret (command line, demo accounts). */
export async function enableTotpWithSecret(work: Work, platform: Platform, userId: string, secretBase32: string) {
  await iam(work.tx).updateTable('users').set({ totp_secret_sealed: sealField(platform, secretBase32), totp_enabled: true, totp_last_step: 0 }).where('id', '=', userId).execute();
  recordAudit(work, { action: 'user.totp.enable', objectType: 'user', objectId: userId });
}

type UnitRef = { id: string; regionCode: string };

/**
 * Active accounts holding `role` with a scope covering each of `units`, each once per unit, in id
 * order. With `unitScopeCoversAll` (oversight roles such as the supervisor), a unit-scoped holder
 * covers every unit, as `coversUnit` does for oversight permissions.
 */
async function holdersOfRoleByUnit(db: Db, role: Role, units: UnitRef[], unitScopeCoversAll = false) {
  const out = new Map<string, HolderRow[]>();
  if (!units.length) return out;
  let query = iam(db)
    .selectFrom('user_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['u.id', 'u.lang', 'u.display_name', 'u.kind', 'r.scope_unit_id', 'r.scope_region_code'])
    .where('r.role', '=', role)
    .where('u.disabled_at', 'is', null);
  if (!unitScopeCoversAll) {
    query = query.where((eb) => eb.or([eb('r.scope_unit_id', 'in', units.map((u) => u.id)), eb('r.scope_region_code', 'is not', null)]));
  }
  const rows = await query.orderBy('u.id').limit(5000).execute();
  for (const unit of units) {
    const seen = new Map<string, HolderRow>();
    for (const row of rows) {
      const byUnit = row.scope_unit_id !== null && (unitScopeCoversAll || row.scope_unit_id === unit.id);
      const byRegion = row.scope_region_code !== null && unit.regionCode.startsWith(regionPrefix(row.scope_region_code));
      if ((byUnit || byRegion) && !seen.has(row.id)) seen.set(row.id, row);
    }
    out.set(unit.id, [...seen.values()]);
  }
  return out;
}

interface HolderRow {
  id: string;
  lang: string | null;
  display_name: string;
  kind: string;
  scope_unit_id: string | null;
  scope_region_code: string | null;
}

async function holdersOfRole(db: Db, role: Role, unit: UnitRef) {
  return (await holdersOfRoleByUnit(db, role, [unit])).get(unit.id) ?? [];
}

/**
 * For each unit, the active accounts holding `role` that cover it, with their language (whom to
 * tell of a unit's affairs); `unitScopeCoversAll` for oversight roles, see `holdersOfRoleByUnit`.
 */
export async function accountsCoveringUnits(
  db: Db,
  role: Role,
  units: UnitRef[],
  options: { unitScopeCoversAll?: boolean } = {},
): Promise<Map<string, Array<{ id: string; lang: 'zh-CN' | 'en' }>>> {
  const byUnit = await holdersOfRoleByUnit(db, role, units, options.unitScopeCoversAll);
  return new Map([...byUnit].map(([unitId, rows]) => [unitId, rows.map((row) => ({ id: row.id, lang: row.lang === 'en' ? ('en' as const) : ('zh-CN' as const) }))]));
}

/**
 * Active accounts holding `role` with a scope covering `unit` (for notifying who may handle a
 * task), with their preferred language; at most `limit`.
 */
export async function accountsHoldingRole(db: Db, role: Role, unit: { id: string; regionCode: string }, limit = 50): Promise<Array<{ id: string; lang: 'zh-CN' | 'en' }>> {
  return (await holdersOfRole(db, role, unit)).slice(0, limit).map((row) => ({ id: row.id, lang: row.lang === 'en' ? 'en' : 'zh-CN' }));
}

/** Active staff holding `role` with a scope covering `unit`, with their names (choosing whom to hand a task to). */
export async function staffHoldingRole(db: Db, role: Role, unit: { id: string; regionCode: string }, limit = 200): Promise<Array<{ id: string; name: string }>> {
  return (await holdersOfRole(db, role, unit))
    .filter((row) => row.kind === 'staff')
    .slice(0, limit)
    .map((row) => ({ id: row.id, name: row.display_name }));
}

/** How to reach an account: its language and e-mail address (for notifications), if it exists. */
export async function contactOf(db: Db, userId: string): Promise<{ id: string; lang: 'zh-CN' | 'en'; email: string | null } | undefined> {
  const row = await iam(db).selectFrom('users').select(['id', 'lang', 'email']).where('id', '=', userId).executeTakeFirst();
  return row && { id: row.id, lang: row.lang === 'en' ? 'en' : 'zh-CN', email: row.email };
}

/** Whether an active staff account holds `role` with a scope covering `unit` (before handing it a task). */
export async function staffHoldsRole(db: Db, userId: string, role: Role, unit: { id: string; regionCode: string }): Promise<boolean> {
  const rows = await iam(db)
    .selectFrom('user_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.scope_unit_id', 'r.scope_region_code'])
    .where('u.id', '=', userId)
    .where('u.kind', '=', 'staff')
    .where('u.disabled_at', 'is', null)
    .where('r.role', '=', role)
    .execute();
  return rows.some((r) => r.scope_unit_id === unit.id || (r.scope_region_code !== null && unit.regionCode.startsWith(regionPrefix(r.scope_region_code))));
}

/** Display names of accounts by id (who did something, shown to staff). */
export async function displayNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter(Boolean))];
  if (!unique.length) return new Map();
  const rows = await iam(db).selectFrom('users').select(['id', 'display_name']).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}
