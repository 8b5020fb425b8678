import { sql, type Kysely, type Migration } from 'kysely';

export const renewalMigrations: Record<string, Migration> = {
  // Sorts after every product migration: the test installs it on top of the migrated template.
  '20991231_0000_renewal_requests': {
    async up(db: Kysely<any>) {
      await sql`
        create table renewal_requests (
          id text primary key,
          tracking_no text not null unique,
          permit_no text not null,
          holder_name text not null,
          holder_phone_index text not null,
          holder_user_id text,
          unit_id text not null,
          assignee text,
          days integer not null check (days between 1 and 365),
          due_date date not null,
          state text not null check (state in ('open', 'done')),
          opened_at timestamptz not null,
          finished_at timestamptz,
          finished_by text
        )`.execute(db);
      // The deadline scan: one short range per time limit; the monitor: open ones by age and per unit.
      await sql`create index renewal_requests_open_due on renewal_requests (days, due_date) where state = 'open'`.execute(db);
      await sql`create index renewal_requests_open_age on renewal_requests (opened_at, id) where state = 'open'`.execute(db);
      await sql`create index renewal_requests_open_unit on renewal_requests (unit_id, opened_at desc, id desc) where state = 'open'`.execute(db);
      // Statistics and late finishes: the finished ones by finish time.
      await sql`create index renewal_requests_done on renewal_requests (finished_at, id) where state = 'done'`.execute(db);
    },
  },
};
