import type { Generated, Selectable } from 'kysely';
import { sql, type Db } from '../db/index.ts';
import type { Role } from './roles.ts';
import { blindIndex } from '../crypto/fields.ts';
import type { Platform } from '../module.ts';
import type { RoleAssignment } from './principal.ts';

export interface UserTable {
  id: string;
  username: string;
  display_name: string;
  kind: 'staff' | 'public';
  unit_id: string | null;
  phone_sealed: string | null;
  phone_index: string | null;
  email: string | null;
  password_hash: string;
  must_change_password: Generated<boolean>;
  failed_logins: Generated<number>;
  locked_until: Date | null;
  totp_secret_sealed: string | null;
  totp_enabled: Generated<boolean>;
  totp_last_step: Generated<number>;
  lang: string | null;
  disabled_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  password_changed_at: Date | null;
  version: Generated<number>;
  applicant_kind: 'person' | 'enterprise' | null;
  real_name: string | null;
  id_number_sealed: string | null;
  id_number_index: string | null;
  credit_code: string | null;
  company_name: string | null;
  company_user_id: string | null;
}
export type UserRow = Selectable<UserTable>;
export interface UserRoleTable {
  id: string;
  user_id: string;
  role: Role;
  scope_unit_id: string | null;
  scope_region_code: string | null;
  granted_by: string | null;
  granted_at: Generated<Date>;
}
export type UserRoleRow = Selectable<UserRoleTable>;
export interface SessionRow {
  id: string;
  token_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
  ip: string | null;
  user_agent: string | null;
}
export interface ApiTokenTable {
  id: string;
  token_hash: string;
  user_id: string;
  name: string;
  created_at: Generated<Date>;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}
export type ApiTokenRow = Selectable<ApiTokenTable>;
export interface SmsCodeTable {
  id: string;
  phone_index: string;
  purpose: 'register' | 'login' | 'reset';
  code_hash: string;
  created_at: Date;
  expires_at: Date;
  attempts: Generated<number>;
  consumed_at: Date | null;
}
export type IamTables = {
  sms_codes: SmsCodeTable;
  users: UserTable;
  user_roles: UserRoleTable;
  sessions: SessionRow;
  api_tokens: ApiTokenTable;
};

export const iam = (db: Db) => db.withTables<IamTables>();

export function findUserByUsername(db: Db, username: string) {
  return iam(db)
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
}

/** The public account (citizen, enterprise or agent) whose sign-in name is this mobile number. */
export function findPublicUserByPhone(platform: Platform, db: Db, phone: string) {
  return iam(db).selectFrom('users').selectAll().where('phone_index', '=', blindIndex(platform, `public:${phone}`)).where('kind', '=', 'public').executeTakeFirst();
}

export function findUserById(db: Db, id: string) {
  return iam(db).selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function rolesOf(db: Db, userId: string) {
  return iam(db).selectFrom('user_roles').selectAll().where('user_id', '=', userId).orderBy('granted_at').execute();
}

/** The session and its account in one round trip: this runs on every authenticated request. */
export function sessionWithUser(db: Db, tokenHash: string) {
  return iam(db)
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id as session_id',
      's.csrf_token',
      's.last_seen_at',
      's.expires_at',
      's.ended_at',
      'u.id',
      'u.username',
      'u.display_name',
      'u.kind',
      'u.unit_id',
      'u.must_change_password',
      'u.totp_enabled',
      'u.disabled_at',
      sql<Array<{ role: Role; scope_unit_id: string | null; scope_region_code: string | null }>>`coalesce((
        select json_agg(json_build_object('role', r.role, 'scope_unit_id', r.scope_unit_id, 'scope_region_code', r.scope_region_code))
        from user_roles r where r.user_id = u.id), '[]'::json)`.as('roles'),
    ])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export function tokenWithUser(db: Db, tokenHash: string) {
  return iam(db)
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.id as token_id',
      't.expires_at',
      't.revoked_at',
      't.last_used_at',
      'u.id',
      'u.username',
      'u.display_name',
      'u.kind',
      'u.unit_id',
      'u.disabled_at',
      sql<Array<{ role: Role; scope_unit_id: string | null; scope_region_code: string | null }>>`coalesce((
        select json_agg(json_build_object('role', r.role, 'scope_unit_id', r.scope_unit_id, 'scope_region_code', r.scope_region_code))
        from user_roles r where r.user_id = u.id), '[]'::json)`.as('roles'),
    ])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Role rows as the assignments a principal carries. */
export function toAssignments(rows: Array<{ role: Role; scope_unit_id: string | null; scope_region_code: string | null }>): RoleAssignment[] {
  return rows.map((r) => ({
    role: r.role,
    scope: r.scope_unit_id ? { unitId: r.scope_unit_id } : { regionCode: r.scope_region_code! },
  }));
}
