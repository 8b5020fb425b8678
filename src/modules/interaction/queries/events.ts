import type { Work } from '../../../platform/db/work.ts';
import type { Db } from '../../../platform/db/index.ts';
import { interactionDb, type CaseRow } from '../model.ts';

/** Appends to the case's own log (who did what, in which unit), in the caller's unit of work. */
/** `at`: the platform clock's now, as every command reads it (the demo's past, tests' moved clocks). */
export async function recordCaseEvent(work: Work, row: Pick<CaseRow, 'id'>, type: string, options: { unitId?: string | null; details?: Record<string, unknown>; at: Date }) {
  await interactionDb(work.tx)
    .insertInto('interaction_case_events')
    .values({ case_id: row.id, type, actor_id: work.actor.userId, unit_id: options.unitId ?? null, at: options.at, details: JSON.stringify(options.details ?? {}) as never })
    .execute();
}

/** The case's log, oldest first. */
export async function caseEvents(db: Db, caseId: string) {
  return interactionDb(db).selectFrom('interaction_case_events').selectAll().where('case_id', '=', caseId).orderBy('id').execute();
}
