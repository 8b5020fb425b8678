/** Indexes and roll-up tables the reports over the process tables read (flow/reports.ts). */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Db } from '../db/index.ts';
import { rebuildFinishedTaskDays } from './reports.ts';

export const flowReportMigrations: Record<string, Migration> = {
  '20261120_0050_flow_supervision_indexes': {
    async up(db: Kysely<any>) {
      // Deadline scan: one short range per band of time limits ("days between a and b and due by T").
      await sql`create index flow_tasks_open_days_due on flow_tasks (days, due_date) where state = 'open'`.execute(db);
      // Statistics and late finishes: index-only scans over the finished steps of a period.
      await sql`
        create index flow_tasks_done_finished on flow_tasks (finished_at)
          include (unit_id, finished_by, due_date, days, instance_id, step_key)
          where state = 'done'`.execute(db);
      // The monitor's longest-waiting steps.
      await sql`create index flow_tasks_open_opened on flow_tasks (opened_at) where state = 'open'`.execute(db);
      // Statistics filter steps by subject type without reading the instance rows.
      await sql`create index flow_instances_subject_id on flow_instances (subject_type, id)`.execute(db);
    },
  },
  '20261123_0100_flow_task_days': {
    async up(db: Kysely<any>) {
      // Finished tasks per day and unit (and per day, unit and person): kept by the engine in the
      // transaction that finishes a task, so statistics of a period add up a few rows per day.
      for (const [table, person] of [['flow_task_days', false], ['flow_task_person_days', true]] as const) {
        await sql`
          create table ${sql.raw(table)} (
            subject_type text not null,
            day date not null,
            unit_id text not null,
            ${sql.raw(person ? "person_id text not null, -- '' when nobody is recorded" : '')}
            finished integer not null,
            on_time integer not null,
            early integer not null,
            used_days bigint not null,
            promised_days bigint not null,
            primary key (subject_type, day, unit_id${sql.raw(person ? ', person_id' : '')})
          )`.execute(db);
      }
      await rebuildFinishedTaskDays(db as Db, null);
    },
  },
  '20261123_0400_flow_open_by_age': {
    async up(db: Kysely<any>) {
      // The monitor's longest-waiting steps in (opened_at, id) order straight from the index: with
      // opened_at alone, steps opened at the same instant had to be read and sorted all together.
      await sql`create index flow_tasks_open_by_age on flow_tasks (opened_at, id) where state = 'open'`.execute(db);
      await sql`drop index flow_tasks_open_opened`.execute(db);
    },
  },
  '20261123_1710_flow_task_days_slots': {
    async up(db: Kysely<any>) {
      // A unit's row of the day is updated by every task it finishes that day and stays locked
      // until each commit: spread over slots, the unit's approvers no longer queue on one row.
      await sql`alter table flow_task_days add column slot smallint not null default 0`.execute(db);
      await sql`alter table flow_task_days drop constraint flow_task_days_pkey`.execute(db);
      await sql`alter table flow_task_days add primary key (subject_type, day, unit_id, slot)`.execute(db);
    },
  },
};
