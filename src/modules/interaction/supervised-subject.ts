/**
 * Citizen interaction cases as a supervised subject (src/platform/supervision.ts): every channel
 * (mayor's and units' mailboxes, message board, disclosure requests, hotline) is one subject type,
 * `interaction.case`, read-only over the module's table and the process engine's:
 *
 * - its steps are the engine's tasks of the case's rounds (分办 dispatch, 办理 handle, 审核 review),
 *   each with its unit, time limit and due date (flowSubjectSteps);
 * - its own deadline is the case's due_date (working days from receipt, plus the extension and the
 *   days the clock stood still): a case not answered by then gets a 'case_deadline' card for the
 *   unit that has it, yellow when the date comes near and red once it has passed. While the case
 *   waits for the writer's clarification (clarifying) its clock stands still and it gets none.
 *
 * A card links to the case's console page; the public link is the writer's progress page.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import { keysetPage, type Keyset } from '../../platform/db/pagination.ts';
import { allSteps } from '../../platform/flow/engine.ts';
import { flowOfSubject, instanceStatuses } from '../../platform/flow/subject-flow.ts';
import { flowSubjectSteps } from '../../platform/flow/subject-steps.ts';
import { blindIndex } from '../../platform/crypto/fields.ts';
import type { SubjectCarded, SubjectDeadlineFinding, SubjectStepSkips, SubjectSummary, SupervisedSubject } from '../../platform/supervision.ts';
import { CASE_SUBJECT, interactionDb, type CaseRow, type CaseState } from './model.ts';
import { CASE_CHANGED, type CaseChanged } from './events.ts';

/** The states in which a case waits for someone, in the order the monitor shows them. */
export const OPEN_CASE_STATES: readonly CaseState[] = ['received', 'assigned', 'clarifying', 'reviewing'];
/** Open states whose clock runs (clarifying: waiting for the writer, the clock stands still). */
const RUNNING_CASE_STATES: readonly CaseState[] = ['received', 'assigned', 'reviewing'];
const FINISHED_CASE_STATES: readonly CaseState[] = ['answered', 'merged'];

/** The names of a round's steps, for cards and the monitor. */
export const CASE_STEP_NAMES: Record<string, string> = { dispatch: '分办', handle: '办理', review: '审核' };

const HANDLE_STEP = 'handle';
const caseLink = (id: string) => `/console/interaction/cases/${encodeURIComponent(id)}`;
const publicLink = (trackingNo: string) => `/interaction/letters/${encodeURIComponent(trackingNo)}`;
const inUnits = (unitIds: string[] | null, column: string) => (unitIds === null ? sql`` : unitIds.length ? sql` and ${sql.ref(column)} in (${sql.join(unitIds)})` : sql` and false`);

const summaryColumns = ['id', 'tracking_no', 'title', 'handling_unit_id', 'state', 'due_date', 'received_at', 'writer_user_id'] as const;
type SummaryRow = Pick<CaseRow, (typeof summaryColumns)[number]>;

/** What supervision (cards, complaints, ratings) shows of a case. */
export const caseSubjectSummary = (r: SummaryRow, stepNames: Record<string, string> = CASE_STEP_NAMES): SubjectSummary => ({
  type: CASE_SUBJECT,
  id: r.id,
  trackingNo: r.tracking_no,
  title: r.title,
  unitId: r.handling_unit_id,
  state: r.state,
  finished: FINISHED_CASE_STATES.includes(r.state),
  dueDate: String(r.due_date),
  openedAt: new Date(r.received_at),
  ownerUserId: r.writer_user_id,
  categoryId: null,
  staffLink: caseLink(r.id),
  publicLink: publicLink(r.tracking_no),
  stepNames,
});

async function casesById(db: Db, ids: string[]): Promise<SummaryRow[]> {
  const unique = [...new Set(ids)];
  if (!unique.length) return [];
  return interactionDb(db).selectFrom('interaction_cases').select(summaryColumns).where('id', 'in', unique).execute();
}

/** Open cases of a unit, newest first (interaction_cases_unit). */
const NEWEST_RECEIVED: Keyset<{ received_at: Date; id: string }> = {
  keys: [
    { by: 'received_at', kind: 'timestamp', of: (r) => r.received_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/**
 * Open cases whose clock runs, due by `dueBy`, not carded already with the colour they would get
 * now: the partial index of open cases (interaction_cases_open), the carded check a scalar
 * subquery per case. A case whose current round is suspended (the clock stopped) is left out too.
 */
async function caseDeadlines(db: Db, query: { today: string; dueBy: string; carded: SubjectCarded }): Promise<SubjectDeadlineFinding[]> {
  const carded = (id: RawBuilder<unknown>, dueDate: RawBuilder<unknown>) => query.carded({ id, reason: 'case_deadline', dueDate });
  const result = await sql<{ id: string; handling_unit_id: string; due_date: string }>`
    select c.id, c.handling_unit_id, c.due_date::text as due_date
      from interaction_cases c
     where c.state in (${sql.join(RUNNING_CASE_STATES.map((s) => sql.lit(s)))}) and c.due_date <= ${query.dueBy}::date
       and not coalesce((${carded(sql.ref('c.id'), sql.ref('c.due_date'))}), false)
     order by c.due_date, c.id
     limit 100000`.execute(db);
  if (!result.rows.length) return [];
  const statuses = await instanceStatuses(db, CASE_SUBJECT, result.rows.map((r) => r.id));
  return result.rows
    .filter((r) => statuses.get(r.id) !== 'suspended')
    .map((r) => ({ subjectId: r.id, unitId: r.handling_unit_id, reason: 'case_deadline' as const, color: query.today > r.due_date ? ('red' as const) : ('yellow' as const), dueDate: r.due_date }));
}

const flowSteps = flowSubjectSteps(CASE_SUBJECT);

/**
 * A round's 办理 step is given the days left to the case's deadline when the round starts. When
 * the case's deadline moved later since (a disclosure request extended, the clock stopped for a
 * clarification), the case's own deadline is the one that counts: the step is left to the
 * 'case_deadline' finding. One primary-key probe per step, inside the step query.
 */
const withCaseDeadline = (options: { limit?: number } & SubjectStepSkips): { limit?: number } & SubjectStepSkips => ({
  ...options,
  skip: ({ subjectId, stepKey, dueDate }) => sql`
    coalesce((${options.skip ? options.skip({ subjectId, stepKey, dueDate }) : sql`false`}), false)
    or coalesce((select ${stepKey} = ${HANDLE_STEP} and c.due_date > ${dueDate}::date from interaction_cases c where c.id = ${subjectId}), false)`,
});

const fromCaseEvent = (e: CaseChanged) => ({ subjectId: e.caseId, action: e.action, stepKey: e.stepKey });

/** Cases of every channel, as supervision sees them. */
export const interactionCaseSubject: SupervisedSubject = {
  type: CASE_SUBJECT,
  labelKey: 'interaction.subject.case',
  changedBy: [{ event: CASE_CHANGED, change: fromCaseEvent }],
  ...flowSteps,
  openStepsAtRisk: (db, bands, options) => flowSteps.openStepsAtRisk(db, bands, withCaseDeadline(options)),
  stepsFinishedLate: (db, since, options) => flowSteps.stepsFinishedLate(db, since, withCaseDeadline(options)),
  deadlines: caseDeadlines,

  async facts(work, id) {
    const [[row], flow] = await Promise.all([casesById(work.tx, [id]), flowOfSubject(work, CASE_SUBJECT, id)]);
    if (!row || !flow) return null;
    const names = { ...CASE_STEP_NAMES, ...Object.fromEntries(allSteps(flow.definition).map((s) => [s.key, s.name])) };
    return {
      summary: caseSubjectSummary(row, names),
      steps: flow.tasks.map((t) => ({ stepId: t.id, stepKey: t.stepKey, unitId: t.unitId, state: t.state, personId: t.assignee, finishedBy: t.finishedBy, days: t.days, dueDate: t.dueDate, finishedAt: t.finishedAt })),
      running: flow.status === 'running' && row.state !== 'clarifying',
      process: { definition: flow.definition, actions: flow.actions },
    };
  },

  openStates: OPEN_CASE_STATES.map((state) => ({ state, labelKey: `interaction.subject.state.${state}` })),
  async openCounts(db, unitIds) {
    if (unitIds && !unitIds.length) return [];
    const result = await sql<{ unit_id: string; state: string; n: number }>`
      select c.handling_unit_id as unit_id, c.state, count(*)::int as n
        from interaction_cases c
       where c.state in (${sql.join(OPEN_CASE_STATES.map((s) => sql.lit(s)))}) ${inUnits(unitIds, 'c.handling_unit_id')}
       group by 1, 2 order by 1, 2`.execute(db);
    return result.rows.map((r) => ({ unitId: r.unit_id, state: r.state, count: Number(r.n) }));
  },
  async openSubjects(db, unitId, state, page) {
    if (!OPEN_CASE_STATES.includes(state as CaseState)) return { items: [], nextCursor: null };
    const query = interactionDb(db).selectFrom('interaction_cases').select(summaryColumns).where('handling_unit_id', '=', unitId).where('state', '=', state as CaseState);
    const { items, nextCursor } = await keysetPage(query, NEWEST_RECEIVED, page);
    return { items: items.map((r) => caseSubjectSummary(r)), nextCursor };
  },

  async summaries(db, ids) {
    return new Map((await casesById(db, ids)).map((r) => [r.id, caseSubjectSummary(r)]));
  },
  // The writer quoting the tracking number and the phone the case was written with: compared by the phone's blind index.
  async byTrackingNoAndPhone(db, platform, trackingNo, phone) {
    const row = await interactionDb(db)
      .selectFrom('interaction_cases')
      .select(summaryColumns)
      .where('tracking_no', '=', trackingNo.trim())
      .where('writer_phone_hash', '=', blindIndex(platform, phone.trim()))
      .executeTakeFirst();
    return row ? caseSubjectSummary(row) : null;
  },
  async byTrackingNo(db, trackingNo) {
    const row = await interactionDb(db).selectFrom('interaction_cases').select(summaryColumns).where('tracking_no', '=', trackingNo.trim()).executeTakeFirst();
    return row ? caseSubjectSummary(row) : null;
  },
};

export const interactionSubjects: SupervisedSubject[] = [interactionCaseSubject];
