import { escapeLike, sql, type Db } from '../db/index.ts';
import type { Work } from '../db/work.ts';
import { AppError, fieldError, invalid, notFound, type FieldError } from '../http/errors.ts';
import { blindIndex, openField, sealField } from '../crypto/fields.ts';
import { getUnit, unitIdsUnderRegions, type Unit } from '../org/service.ts';
import { keysetPage } from '../db/pagination.ts';
import { isValidMobile, maskPhone } from '../org/codes.ts';
import type { Platform } from '../module.ts';
import { isStrongPassword } from './passwords.ts';
import { coversUnit, hasPermission, scopesFor, type Principal, type RoleAssignment, type Scope } from './principal.ts';
import { THREE_ADMINS, type Role } from './roles.ts';
import { findUserById, iam, rolesOf, type UserRow, toAssignments } from './queries.ts';

/** Accounts as others see them, and the checks every account command shares. */

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

export function checkAccountFields(input: AccountFields) {
  const errors = accountFieldErrors(input);
  if (errors.length) throw invalid(errors);
  if (input.password !== undefined && !isStrongPassword(input.password)) {
    throw new AppError('PASSWORD_WEAK', { errors: [fieldError('password', 'error.PASSWORD_WEAK')] });
  }
}

/** The unit must be inside the caller's `user.write` scope; outside it the unit does not exist. */
export async function requireManagedUnit(platform: Platform, principal: Principal, unitId: string, db: Db = platform.db): Promise<Unit> {
  const unit = await getUnit(db, unitId);
  if (!unit || !coversUnit(principal, 'user.write', unit)) {
    throw invalid([fieldError('unitId', 'iam.unitNotFound')]);
  }
  return unit;
}

/** Who a public account belongs to: the person, or an enterprise and its legal representative or agent. */
export interface RealName {
  kind: 'person' | 'enterprise';
  name: string;
  idNumber?: string | null;
  creditCode?: string | null;
  companyName?: string | null;
  companyUserId?: string | null;
}

/** The users row of a new account; the mobile number is sealed, and indexed per kind of account. */
export function insertAccountRow(
  work: Work,
  platform: Platform,
  input: { id: string; kind: 'staff' | 'public'; username: string; displayName: string; unitId: string | null; phone?: string; email?: string; passwordHash: string; mustChangePassword?: boolean; realName?: RealName },
): Promise<UserRow> {
  const real = input.realName;
  return iam(work.tx)
    .insertInto('users')
    .values({
      id: input.id,
      username: input.username,
      display_name: input.displayName.trim(),
      kind: input.kind,
      unit_id: input.unitId,
      phone_sealed: input.phone ? sealField(platform, input.phone) : null,
      phone_index: input.phone ? blindIndex(platform, `${input.kind}:${input.phone}`) : null,
      email: input.email ?? null,
      password_hash: input.passwordHash,
      ...(input.mustChangePassword !== undefined ? { must_change_password: input.mustChangePassword } : {}),
      ...(real
        ? {
            applicant_kind: real.kind,
            real_name: real.name,
            id_number_sealed: real.idNumber ? sealField(platform, real.idNumber) : null,
            id_number_index: real.idNumber ? blindIndex(platform, `iam.id:${real.idNumber}`) : null,
            credit_code: real.creditCode ?? null,
            company_name: real.companyName ?? null,
            company_user_id: real.companyUserId ?? null,
          }
        : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
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

/**
 * An account the caller may see: themselves, any account for user.read holders whose scope
 * covers the account's unit. Anything else is 404.
 */
export async function getVisibleUser(platform: Platform, principal: Principal, id: string, db: Db = platform.db) {
  const user = await findUserById(db, id);
  if (!user) throw notFound();
  if (user.id !== principal.userId) {
    if (!user.unit_id) {
      if (!hasPermission(principal, 'user.read') || !principal.roles.some((r) => THREE_ADMINS.includes(r.role))) throw notFound();
    } else {
      const unit = await getUnit(db, user.unit_id);
      if (!unit || !coversUnit(principal, 'user.read', unit)) throw notFound();
    }
  }
  return { user, roles: toAssignments(await rolesOf(db, user.id)) };
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
