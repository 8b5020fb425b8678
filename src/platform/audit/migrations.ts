import { sql, type Kysely, type Migration } from 'kysely';

export const auditMigrations: Record<string, Migration> = {
  '20261101_0100_audit_log': {
    async up(db: Kysely<any>) {
      await sql`
        create table audit_log (
          id bigserial primary key,
          at timestamptz not null,
          actor_id text,
          actor_name text,
          unit_id text,
          ip text,
          request_id text,
          action text not null,
          object_type text,
          object_id text,
          outcome text not null check (outcome in ('success', 'failure')),
          details jsonb not null default '{}',
          prev_hash char(64) not null,
          hash char(64) not null unique
        )`.execute(db);
      await sql`create index audit_log_at on audit_log (at)`.execute(db);
      await sql`create index audit_log_actor on audit_log (actor_id, id)`.execute(db);
      await sql`create index audit_log_action on audit_log (action, id)`.execute(db);
      await sql`create index audit_log_object on audit_log (object_type, object_id)`.execute(db);
      // The log is append-only: the database itself refuses to change or remove a record.
      await sql`
        create function audit_log_refuse_change() returns trigger language plpgsql as $$
        begin
          raise exception 'audit_log is append-only: % refused', tg_op using errcode = '42501';
        end $$`.execute(db);
      await sql`create trigger audit_log_no_update before update or delete on audit_log
                for each row execute function audit_log_refuse_change()`.execute(db);
      await sql`create trigger audit_log_no_truncate before truncate on audit_log
                for each statement execute function audit_log_refuse_change()`.execute(db);
    },
  },
  '20261123_1700_audit_chain_lanes': {
    async up(db: Kysely<any>) {
      // Records chain per lane (decision 0009); every record so far is lane 0.
      await sql`alter table audit_log add column lane smallint not null default 0 check (lane >= 0)`.execute(db);
      await sql`create index audit_log_lane on audit_log (lane, id)`.execute(db);
    },
  },
  '20261124_0200_audit_hash_not_unique': {
    async up(db: Kysely<any>) {
      // Every lane starts from the genesis hash: the first records of two lanes have the same hash
      // when their fields are the same (one system job at one instant). Each lane verifies on its own.
      await sql`alter table audit_log drop constraint audit_log_hash_key`.execute(db);
    },
  },
  '20261207_0700_audit_keyed_chain': {
    async up(db: Kysely<any>) {
      // Decision 0013: records written from now on are chained with HMAC-SM3 under the audit key
      // (version 2); those already written stay keyless SM3 (version 1) and verify as they were.
      // No default afterwards: nothing can add a record without saying which chain it belongs to.
      await sql`alter table audit_log add column chain_version smallint not null default 1 check (chain_version in (1, 2))`.execute(db);
      await sql`alter table audit_log alter column chain_version drop default`.execute(db);
    },
  },
  '20261207_0701_audit_checkpoints': {
    async up(db: Kysely<any>) {
      // Signed checkpoints of every lane's head (decision 0013), append-only like the log.
      await sql`
        create table audit_checkpoints (
          seq bigint primary key check (seq > 0),
          at timestamptz not null,
          body text not null,
          signature text not null
        )`.execute(db);
      await sql`
        create function audit_refuse_change() returns trigger language plpgsql as $$
        begin
          raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = '42501';
        end $$`.execute(db);
      await sql`create trigger audit_checkpoints_no_update before update or delete on audit_checkpoints
                for each row execute function audit_refuse_change()`.execute(db);
      await sql`create trigger audit_checkpoints_no_truncate before truncate on audit_checkpoints
                for each statement execute function audit_refuse_change()`.execute(db);
    },
  },
};
