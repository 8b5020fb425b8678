import { sql, type Kysely, type Migration } from 'kysely';

const OPEN_STATES_SQL = `('submitted', 'accepted', 'correction_requested', 'in_review')`;
const shanghaiDay = (column: string) => `((${column} at time zone 'UTC') + interval '8 hours')::date`;

interface CounterSpec {
  table: string;
  keys: Record<string, string>;
  counts: Record<string, string>;
  where: string;
}

/** The statements of a counter table: the rows a set of cases counts for, and the upsert adding them. */
function counterSql(spec: CounterSpec) {
  const keyNames = Object.keys(spec.keys);
  const countNames = Object.keys(spec.counts);
  const rows = (source: string, sign: 1 | -1) =>
    `select ${keyNames.map((k) => `${spec.keys[k]} as ${k}`).join(', ')}, ${countNames.map((c) => `${sign === 1 ? '' : '-'}(${spec.counts[c]}) as ${c}`).join(', ')} from ${source} where ${spec.where}`;
  const upsert = (sources: string) => `
      insert into ${spec.table} as c (${[...keyNames, ...countNames].join(', ')})
      select ${keyNames.join(', ')}, ${countNames.map((c) => `sum(${c})`).join(', ')} from (${sources}) x
       group by ${keyNames.join(', ')}
      having ${countNames.map((c) => `sum(${c}) <> 0`).join(' or ')}
       order by ${keyNames.join(', ')}
      on conflict (${keyNames.join(', ')}) do update set ${countNames.map((c) => `${c} = c.${c} + excluded.${c}`).join(', ')};`;
  return { rows, upsert };
}

/** The trigger function applying a counter spec to the rows a statement inserted, updated or deleted. */
function counterFunction(spec: CounterSpec) {
  const { rows, upsert } = counterSql(spec);
  return sql`
    create or replace function ${sql.raw(`${spec.table}_apply`)}() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then ${sql.raw(upsert(rows('new_rows', 1)))}
      elsif tg_op = 'DELETE' then ${sql.raw(upsert(rows('old_rows', -1)))}
      else ${sql.raw(upsert(`${rows('new_rows', 1)} union all ${rows('old_rows', -1)}`))}
      end if;
      return null;
    end $$`;
}

/**
 * Counters kept by the database from the rows of approval_applications: statement-level triggers
 * add what the inserted and updated rows count for and take away what the old and deleted ones
 * counted for, in one upsert per statement, in key order (concurrent cases queue, never deadlock).
 * `keys` and `counts` are SQL over a row of the table; `where` says which rows count at all.
 */
async function countersOfApplications(db: Kysely<any>, spec: CounterSpec) {
  const { rows, upsert } = counterSql(spec);
  await counterFunction(spec).execute(db);
  const fn = sql.raw(`${spec.table}_apply()`);
  await sql`create trigger ${sql.raw(`${spec.table}_on_insert`)} after insert on approval_applications referencing new table as new_rows for each statement execute function ${fn}`.execute(db);
  await sql`create trigger ${sql.raw(`${spec.table}_on_update`)} after update on approval_applications referencing old table as old_rows new table as new_rows for each statement execute function ${fn}`.execute(db);
  await sql`create trigger ${sql.raw(`${spec.table}_on_delete`)} after delete on approval_applications referencing old table as old_rows for each statement execute function ${fn}`.execute(db);
  // What the cases already there count for.
  await sql.raw(upsert(rows('approval_applications', 1))).execute(db);
}

const FINISHED_DAYS: CounterSpec = {
  table: 'approval_finished_days',
  keys: { day: shanghaiDay('finished_at'), unit_id: 'unit_id' },
  counts: { finished: '1', corrected: 'case when correction_count > 0 then 1 else 0 end' },
  where: `state in ('approved', 'rejected') and finished_at is not null`,
};

export const approvalMigrations: Record<string, Migration> = {
  '20261110_0100_approval_catalogue': {
    async up(db: Kysely<any>) {
      await sql`create extension if not exists pg_trgm`.execute(db);
      await sql`
        create table approval_items (
          id text primary key,
          code text not null,
          version integer not null,
          status text not null check (status in ('draft', 'published', 'superseded', 'withdrawn')),
          name text not null,
          kind text not null check (kind in ('licensing', 'non_licensing', 'public_service')),
          unit_id text not null,
          legal_basis text not null,
          conditions text not null,
          materials jsonb not null,
          statutory_days integer not null check (statutory_days between 1 and 365),
          promised_days integer not null check (promised_days between 1 and 365),
          fee jsonb not null,
          result_name text not null,
          max_visits integer not null check (max_visits between 0 and 10),
          consult_phone text not null,
          complaint_phone text not null,
          process jsonb not null,
          form_fields jsonb not null default '[]',
          themes jsonb not null default '[]',
          life_events jsonb not null default '[]',
          created_by text,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          published_at timestamptz,
          edit_version integer not null default 1,
          check (promised_days <= statutory_days),
          unique (code, version)
        )`.execute(db);
      await sql`create unique index approval_items_one_published on approval_items (code) where status = 'published'`.execute(db);
      await sql`create unique index approval_items_one_draft on approval_items (code) where status = 'draft'`.execute(db);
      await sql`create index approval_items_unit on approval_items (unit_id, status, code)`.execute(db);
      await sql`create index approval_items_name_trgm on approval_items using gin (name gin_trgm_ops)`.execute(db);
    },
  },
  '20261110_0200_approval_applications': {
    async up(db: Kysely<any>) {
      await sql`create sequence approval_receipt_seq`.execute(db);
      await sql`create sequence approval_certificate_seq`.execute(db);
      await sql`
        create table approval_applications (
          id text primary key,
          receipt_no text not null unique,
          item_id text not null references approval_items (id),
          item_code text not null,
          item_version integer not null,
          unit_id text not null,
          channel text not null check (channel in ('online', 'window')),
          applicant_kind text not null check (applicant_kind in ('person', 'enterprise')),
          applicant_name text not null,
          applicant_id_sealed text not null,
          applicant_id_index text not null,
          applicant_phone_sealed text not null,
          applicant_phone_index text not null,
          applicant_user_id text,
          submitted_by text,
          form jsonb not null,
          state text not null check (state in ('submitted', 'accepted', 'correction_requested', 'in_review', 'approved', 'rejected', 'withdrawn')),
          flow_instance_id text not null,
          submitted_at timestamptz not null,
          accept_due_date date not null,
          accepted_at timestamptz,
          due_date date,
          finished_at timestamptz,
          correction_count integer not null default 0,
          certificate_id text,
          version integer not null default 1
        )`.execute(db);
      await sql`create index approval_applications_user on approval_applications (applicant_user_id, submitted_at desc) where applicant_user_id is not null`.execute(db);
      await sql`create index approval_applications_unit_state on approval_applications (unit_id, state, submitted_at)`.execute(db);
      await sql`create index approval_applications_open on approval_applications (due_date) where state in ('submitted', 'accepted', 'correction_requested', 'in_review')`.execute(db);
      await sql`create index approval_applications_finished on approval_applications (finished_at) where finished_at is not null`.execute(db);
      await sql`create index approval_applications_flow on approval_applications (flow_instance_id)`.execute(db);
      await sql`
        create table approval_materials (
          application_id text not null references approval_applications (id),
          material_key text not null,
          file_id text not null,
          round integer not null default 0,
          added_at timestamptz not null,
          primary key (application_id, material_key, file_id)
        )`.execute(db);
      await sql`
        create table approval_events (
          application_id text not null references approval_applications (id),
          seq integer not null,
          type text not null,
          payload jsonb not null default '{}',
          actor_id text,
          actor_name text,
          at timestamptz not null,
          primary key (application_id, seq)
        )`.execute(db);
      await sql`
        create table approval_certificates (
          id text primary key,
          application_id text not null unique references approval_applications (id),
          certificate_no text not null unique,
          verification_code text not null unique,
          unit_id text not null,
          content jsonb not null,
          content_sm3 text not null,
          signature text not null,
          public_key text not null,
          issued_at timestamptz not null,
          revoked_at timestamptz
        )`.execute(db);
    },
  },
  '20261110_0300_approval_applications_dedupe': {
    async up(db: Kysely<any>) {
      // Keyed fingerprint of a submission's body: the same application sent twice within seconds
      // without an Idempotency-Key is recognised as a duplicate.
      await sql`alter table approval_applications add column submission_key text`.execute(db);
      await sql`create index approval_applications_submission on approval_applications (submission_key, submitted_at) where submission_key is not null`.execute(db);
      await sql`create index approval_applications_submitter on approval_applications (submitted_by, submitted_at desc) where submitted_by is not null`.execute(db);
    },
  },
  '20261123_0200_approval_open_by_unit': {
    async up(db: Kysely<any>) {
      // Open cases per unit and state, for the supervision monitor: a million open cases are 60 rows here.
      await sql`
        create table approval_open_counts (
          unit_id text not null,
          state text not null,
          cases integer not null,
          primary key (unit_id, state)
        )`.execute(db);
      await countersOfApplications(db, { table: 'approval_open_counts', keys: { unit_id: 'unit_id', state: 'state' }, counts: { cases: '1' }, where: `state in ${OPEN_STATES_SQL}` });
    },
  },
  '20261123_0210_approval_finished_by_day': {
    async up(db: Kysely<any>) {
      // Cases finished per unit and day (Asia/Shanghai), and how many of them had a correction
      // request: the correction rate of the supervision statistics over a period.
      await sql`
        create table approval_finished_days (
          day date not null,
          unit_id text not null,
          finished integer not null,
          corrected integer not null,
          primary key (day, unit_id)
        )`.execute(db);
      await countersOfApplications(db, FINISHED_DAYS);
    },
  },
  '20261123_1720_approval_counter_slots': {
    async up(db: Kysely<any>) {
      // Every case action updates its unit's counter rows, and they stay locked until its commit:
      // spread over eight slots (readers add them up), a unit's cases no longer queue on one row.
      // The slot is the connection's: a statement's old and new rows land in the same slot, so an
      // update that changes nothing counted still writes nothing. A slot may go below zero (a case
      // counted in one slot and taken away in another); the sums are exact.
      const slot = '(pg_backend_pid() % 8)::smallint';
      for (const table of ['approval_open_counts', 'approval_finished_days']) {
        await sql`alter table ${sql.raw(table)} add column slot smallint not null default 0`.execute(db);
        await sql`alter table ${sql.raw(table)} drop constraint ${sql.raw(`${table}_pkey`)}`.execute(db);
      }
      await sql`alter table approval_open_counts add primary key (unit_id, state, slot)`.execute(db);
      await sql`alter table approval_finished_days add primary key (day, unit_id, slot)`.execute(db);
      await counterFunction({ table: 'approval_open_counts', keys: { unit_id: 'unit_id', state: 'state', slot }, counts: { cases: '1' }, where: `state in ${OPEN_STATES_SQL}` }).execute(db);
      await counterFunction({ ...FINISHED_DAYS, keys: { ...FINISHED_DAYS.keys, slot } }).execute(db);
    },
  },
  '20261207_0200_approval_documents': {
    async up(db: Kysely<any>) {
      // The issued documents of a case (the certificate and the notices as PDF): generated once,
      // stored by the files module and served as stored from then on.
      await sql`
        create table approval_documents (
          application_id text not null references approval_applications (id),
          kind text not null check (kind in ('certificate', 'acceptance', 'non_acceptance', 'correction', 'denial')),
          file_id text not null references files (id),
          document_no text not null,
          issued_at timestamptz not null,
          created_at timestamptz not null,
          primary key (application_id, kind)
        )`.execute(db);
      await sql`create sequence approval_document_seq`.execute(db);
      // A unit's seal image (PNG), printed in the seal area of the documents it issues.
      await sql`
        create table approval_unit_seals (
          unit_id text primary key references units (id),
          file_id text not null references files (id),
          set_by text not null references users (id),
          set_at timestamptz not null
        )`.execute(db);
    },
  },
  '20261207_0300_approval_item_guide': {
    async up(db: Kysely<any>) {
      // The guide's elements the first catalogue lacked: 申请对象, 办理地点, 办理时间, 即办件/承诺件, 常见问题.
      await sql`
        alter table approval_items
          add column targets jsonb not null default '["person", "enterprise"]',
          add column place text not null default '',
          add column hours text not null default '',
          add column handling_type text not null default 'promised' check (handling_type in ('instant', 'promised')),
          add column faq jsonb not null default '[]'`.execute(db);
      // The hall's 个人办事 / 法人办事 filter.
      await sql`create index approval_items_published_targets on approval_items using gin (targets) where status = 'published'`.execute(db);
    },
  },
  '20261207_0500_approval_rating_invitations': {
    async up(db: Kysely<any>) {
      // The link sent by SMS when a case ends: whoever holds it rates the case once without signing
      // in. Only the token's hash is kept; the row says until when it works and when it was used.
      await sql`
        create table approval_rating_invitations (
          application_id text primary key references approval_applications (id),
          token_hash text not null unique,
          created_at timestamptz not null,
          expires_at timestamptz not null,
          used_at timestamptz
        )`.execute(db);
    },
  },
};

