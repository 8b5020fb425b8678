/** The numbered log of a case (approval_events), written in the statement that changes the case where it can. */
import { sql } from '../../platform/db/index.ts';
import type { QueryCreator } from 'kysely';
import type { Work } from '../../platform/db/work.ts';
import { q, type Tables } from './queries/cases.ts';

export interface CaseEvent {
  type: string;
  payload: Record<string, unknown>;
}

/**
 * Inserts a case's events with the next numbers, in order: a statement of its own, or a common
 * table expression of the statement that inserts or updates the case (one round trip for both).
 * The case's lock keeps two transactions from taking the same numbers.
 */
export function eventsInsert(db: QueryCreator<Tables>, work: Work, applicationId: string, events: CaseEvent[], at: Date) {
  return db
    .insertInto('approval_events')
    .columns(['application_id', 'seq', 'type', 'payload', 'actor_id', 'actor_name', 'at'])
    .expression(
      sql`select ${applicationId}::text, (select coalesce(max(seq), -1) from approval_events where application_id = ${applicationId}::text) + e.ord::int,
                 e.value->>'type', e.value->'payload', ${work.actor.userId}::text, ${work.actor.username}::text, ${at}::timestamptz
            from jsonb_array_elements(${JSON.stringify(events)}::jsonb) with ordinality as e(value, ord)`,
    );
}

export async function addEvent(work: Work, applicationId: string, type: string, payload: Record<string, unknown>, at: Date) {
  await eventsInsert(q(work.tx), work, applicationId, [{ type, payload }], at).execute();
}
