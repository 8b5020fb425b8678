import { sql, type Kysely, type Migration } from 'kysely';

export const jobsMigrations: Record<string, Migration> = {
  '20261101_0700_jobs_schedule': {
    async up(db: Kysely<any>) {
      await sql`
        create table job_schedule (
          name text primary key,
          next_run_at timestamptz not null,
          lease_until timestamptz,
          lease_owner text,
          last_started_at timestamptz,
          last_finished_at timestamptz,
          last_error text,
          runs integer not null default 0
        )`.execute(db);
    },
  },
};
