import { sql, type Kysely, type Migration } from 'kysely';

export const flowMigrations: Record<string, Migration> = {
  '20261101_0700_flow_instances': {
    async up(db: Kysely<any>) {
      await sql`
        create table flow_instances (
          id text primary key,
          subject_type text not null,
          subject_id text not null,
          definition jsonb not null,
          status text not null,
          version integer not null default 1,
          started_at timestamptz not null,
          finished_at timestamptz
        )`.execute(db);
      await sql`create index flow_instances_subject on flow_instances (subject_type, subject_id)`.execute(db);
      await sql`
        create table flow_actions (
          instance_id text not null references flow_instances (id),
          seq integer not null,
          type text not null,
          payload jsonb not null,
          actor_id text,
          actor_name text,
          at timestamptz not null,
          primary key (instance_id, seq)
        )`.execute(db);
      await sql`
        create table flow_tasks (
          id text primary key,
          instance_id text not null references flow_instances (id),
          step_key text not null,
          round integer not null,
          unit_id text not null,
          unit_region text not null,
          role text not null,
          state text not null check (state in ('open', 'done', 'cancelled')),
          assignee text,
          opened_at timestamptz not null,
          opened_date date not null,
          days integer not null,
          due_date date not null,
          finished_at timestamptz,
          outcome text,
          finished_by text,
          version integer not null default 1,
          unique (instance_id, step_key, round)
        )`.execute(db);
      // Inbox queries scan only open tasks: the index grows with the open work, not with history.
      await sql`create index flow_tasks_open_unit on flow_tasks (role, unit_id, due_date, id) where state = 'open'`.execute(db);
      await sql`create index flow_tasks_open_region on flow_tasks (role, unit_region text_pattern_ops) where state = 'open'`.execute(db);
      await sql`create index flow_tasks_open_due on flow_tasks (due_date) where state = 'open'`.execute(db);
      await sql`create index flow_tasks_instance on flow_tasks (instance_id)`.execute(db);
    },
  },
};
