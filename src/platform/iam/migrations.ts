import { sql, type Kysely, type Migration } from 'kysely';

export const iamMigrations: Record<string, Migration> = {
  '20261101_0300_iam_accounts': {
    async up(db: Kysely<any>) {
      await sql`
        create table users (
          id text primary key,
          username text not null,
          display_name text not null,
          kind text not null check (kind in ('staff', 'public')),
          unit_id text references units (id),
          phone_sealed text,
          phone_index text,
          email text,
          password_hash text not null,
          must_change_password boolean not null default false,
          failed_logins integer not null default 0,
          locked_until timestamptz,
          totp_secret_sealed text,
          totp_enabled boolean not null default false,
          totp_last_step bigint not null default 0,
          lang text,
          disabled_at timestamptz,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          password_changed_at timestamptz,
          version integer not null default 1,
          check (kind = 'public' or unit_id is not null)
        )`.execute(db);
      await sql`create unique index users_username on users (lower(username))`.execute(db);
      await sql`create unique index users_phone on users (phone_index) where phone_index is not null`.execute(db);
      await sql`create unique index users_email on users (lower(email)) where email is not null and kind = 'public'`.execute(db);
      await sql`create index users_unit on users (unit_id, username)`.execute(db);
      await sql`
        create table user_roles (
          id text primary key,
          user_id text not null references users (id),
          role text not null,
          scope_unit_id text references units (id),
          scope_region_code text references regions (code),
          granted_by text,
          granted_at timestamptz not null default now(),
          check ((scope_unit_id is null) <> (scope_region_code is null))
        )`.execute(db);
      await sql`create unique index user_roles_unique on user_roles (user_id, role, coalesce(scope_unit_id, ''), coalesce(scope_region_code, ''))`.execute(db);
      await sql`create index user_roles_role_unit on user_roles (role, scope_unit_id)`.execute(db);
      await sql`
        create table sessions (
          id text primary key,
          token_hash text not null unique,
          user_id text not null references users (id),
          csrf_token text not null,
          created_at timestamptz not null,
          last_seen_at timestamptz not null,
          expires_at timestamptz not null,
          ended_at timestamptz,
          end_reason text,
          ip text,
          user_agent text
        )`.execute(db);
      await sql`create index sessions_user_open on sessions (user_id, created_at) where ended_at is null`.execute(db);
      await sql`
        create table api_tokens (
          id text primary key,
          token_hash text not null unique,
          user_id text not null references users (id),
          name text not null,
          created_at timestamptz not null default now(),
          expires_at timestamptz not null,
          revoked_at timestamptz,
          last_used_at timestamptz
        )`.execute(db);
      await sql`create index api_tokens_user on api_tokens (user_id, created_at)`.execute(db);
    },
  },
  '20261207_0100_iam_identity': {
    async up(db: Kysely<any>) {
      // Real-name data of public accounts: the person, or an enterprise's legal representative.
      await sql`alter table users add column applicant_kind text check (applicant_kind in ('person', 'enterprise'))`.execute(db);
      await sql`alter table users add column real_name text`.execute(db);
      await sql`alter table users add column id_number_sealed text`.execute(db);
      await sql`alter table users add column id_number_index text`.execute(db);
      await sql`alter table users add column credit_code text`.execute(db);
      await sql`alter table users add column company_name text`.execute(db);
      // An agent (经办人) acts for the enterprise account that added it.
      await sql`alter table users add column company_user_id text references users (id)`.execute(db);
      await sql`create index users_id_number on users (id_number_index) where id_number_index is not null`.execute(db);
      await sql`create index users_company on users (company_user_id) where company_user_id is not null`.execute(db);
      await sql`
        create table sms_codes (
          id text primary key,
          phone_index text not null,
          purpose text not null check (purpose in ('register', 'login', 'reset')),
          code_hash text not null,
          created_at timestamptz not null,
          expires_at timestamptz not null,
          attempts integer not null default 0,
          consumed_at timestamptz
        )`.execute(db);
      await sql`create index sms_codes_recent on sms_codes (phone_index, purpose, created_at)`.execute(db);
    },
  },
};
