import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Indexes of the statistics and of supervision over the exchange tables: every query of
 * queries/stats.ts and supervised-subject.ts is a range of one of these (or of the core ones).
 */
export const exchangeStatsMigrations: Record<string, Migration> = {
  '20261207_0500_exchange_stats_indexes': {
    async up(db: Kysely<any>) {
      // Statistics of a period over every unit: receipts by delivery time, with what the figures
      // need (a month is an index-only range; a period covering most of the table is read whole, in parallel).
      await sql`create index exchange_receipts_period on exchange_receipts (delivered_at) include (unit_id, state, chase_at, signed_at, returned_at)`.execute(db);
      // Documents sent in a period (per sending unit).
      await sql`create index exchange_documents_sent on exchange_documents (sent_at) include (sending_unit_id) where sent_at is not null`.execute(db);
      // Supervision: unsigned receipts per unit (the monitor's open counts, index-only) and by age
      // (the longest waiting: all units' few unsigned receipts sorted, or one unit's range).
      await sql`create index exchange_receipts_open on exchange_receipts (unit_id, delivered_at, id) where state = 'delivered'`.execute(db);
      // Supervision: receipts answered (signed or returned) by answer time: late answers, finished steps of a period.
      await sql`create index exchange_receipts_answered on exchange_receipts ((coalesce(signed_at, returned_at)), id) where state in ('signed', 'returned')`.execute(db);
      // Supervision: documents in sign-off per sending unit, newest first.
      await sql`create index exchange_documents_in_signoff on exchange_documents (sending_unit_id, created_at desc, id desc) where state = 'in_signoff'`.execute(db);
    },
  },
};
