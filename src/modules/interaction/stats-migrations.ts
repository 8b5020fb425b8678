import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The statistics' index: the cases received in a period with every column the figures need, so
 * that a year of statistics is an index-only range instead of reading the cases' wide rows.
 */
export const interactionStatsMigrations: Record<string, Migration> = {
  '20261208_0600_interaction_stats_index': {
    async up(db: Kysely<any>) {
      await sql`create index interaction_cases_stats on interaction_cases (received_at) include (handling_unit_id, channel, answered_at, due_date, rating_score, visit_satisfaction, reopen_count)`.execute(db);
    },
  },
};
