/**
 * Approval cases as a supervised subject (src/platform/supervision.ts): what supervision (电子监察)
 * reads about them, read-only, through the registry. Approval owns its tables; a change of the
 * approval schema changes this file and nothing outside the module. The steps are the process
 * engine's tasks of the case; the counters (open cases per unit and state, finished cases per day)
 * are approval's tables, kept by its triggers and read here.
 */
import type { RawBuilder } from 'kysely';
import { sql, type Db } from '../../platform/db/index.ts';
import { keysetPage, type Keyset, type Page, type PageRequest } from '../../platform/db/pagination.ts';
import type { Work } from '../../platform/db/work.ts';
import { allSteps } from '../../platform/flow/engine.ts';
import { flowOfSubject, instanceStatuses } from '../../platform/flow/subject-flow.ts';
import { flowSubjectSteps } from '../../platform/flow/subject-steps.ts';
import type { SubjectCarded, SubjectDeadlineFinding, SubjectFacts, SubjectSummary, SupervisedSubject } from '../../platform/supervision.ts';
import type { Platform } from '../../platform/module.ts';
import { applicantPhoneIndex } from './applicant.ts';
import { CASE_SUBJECT } from './queries/cases.ts';
import { OPEN_CASE_STATES, type ApprovalTables, type CaseState } from './model.ts';
import { APPROVAL_CASE_CHANGED, type ApprovalCaseChanged } from './events.ts';

const q = (db: Db) => db.withTables<ApprovalTables>();

/** Subject type of approval cases in the process engine, and on supervision's cards. */
export const APPROVAL_CASE_SUBJECT = CASE_SUBJECT;
export const FINISHED_CASE_STATES: CaseState[] = ['approved', 'rejected'];

export interface CaseSummary {
  id: string;
  receiptNo: string;
  itemId: string;
  itemCode: string;
  itemName: string;
  unitId: string;
  state: CaseState;
  applicantUserId: string | null;
  submittedAt: Date;
  acceptDueDate: string;
  acceptedAt: Date | null;
  dueDate: string | null;
  finishedAt: Date | null;
  correctionCount: number;
  promisedDays: number;
  /** The names of the item's steps by key. */
  stepNames: Record<string, string>;
}

/** Cases joined with their item version, the columns of a CaseSummary selected. */
const summaryQuery = (db: Db) =>
  q(db)
    .selectFrom('approval_applications as a')
    .innerJoin('approval_items as i', 'i.id', 'a.item_id')
    .select([
      'a.id',
      'a.receipt_no',
      'a.item_id',
      'a.item_code',
      'i.name as item_name',
      'i.promised_days',
      'i.process',
      'a.unit_id',
      'a.state',
      'a.applicant_user_id',
      'a.submitted_at',
      'a.accept_due_date',
      'a.accepted_at',
      'a.due_date',
      'a.finished_at',
      'a.correction_count',
    ]);

type SummaryRow = Awaited<ReturnType<ReturnType<typeof summaryQuery>['executeTakeFirstOrThrow']>>;

const toSummary = (r: SummaryRow): CaseSummary => ({
  id: r.id,
  receiptNo: r.receipt_no,
  itemId: r.item_id,
  itemCode: r.item_code,
  itemName: r.item_name,
  unitId: r.unit_id,
  state: r.state,
  applicantUserId: r.applicant_user_id,
  submittedAt: r.submitted_at,
  acceptDueDate: r.accept_due_date,
  acceptedAt: r.accepted_at,
  dueDate: r.due_date,
  finishedAt: r.finished_at,
  correctionCount: Number(r.correction_count),
  promisedDays: r.promised_days,
  stepNames: Object.fromEntries(allSteps(r.process).map((s) => [s.key, s.name])),
});

/** Cases by id, with their item's name and promised days. Unknown ids are left out. */
export async function caseSummaries(db: Db, ids: string[]): Promise<Map<string, CaseSummary>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = await summaryQuery(db).where('a.id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, toSummary(r)]));
}

export async function caseSummary(db: Db, id: string): Promise<CaseSummary | null> {
  return (await caseSummaries(db, [id])).get(id) ?? null;
}

/**
 * The case with this receipt number when `phone` is the applicant's phone; null otherwise (an
 * unknown number and a wrong phone look the same, as in the public progress query).
 */
export async function caseByReceiptAndPhone(db: Db, platform: Pick<Platform, 'crypto' | 'fieldKey'>, receiptNo: string, phone: string): Promise<CaseSummary | null> {
  const row = await q(db).selectFrom('approval_applications').select(['id', 'applicant_phone_index']).where('receipt_no', '=', receiptNo.trim()).executeTakeFirst();
  if (!row || row.applicant_phone_index !== applicantPhoneIndex(platform, phone)) return null;
  return caseSummary(db, row.id);
}

/** The case with this receipt number (staff recording a complaint received by phone). */
export async function caseIdByReceipt(db: Db, receiptNo: string): Promise<string | null> {
  const row = await q(db).selectFrom('approval_applications').select('id').where('receipt_no', '=', receiptNo.trim()).executeTakeFirst();
  return row?.id ?? null;
}

/** The fee standard of the item version a case was filed under, and what was charged, in fen. */
function feeOf(fee: { charged: boolean; amountFen?: number | null }, events: Array<{ type: string; payload: unknown }>) {
  const standardFen = fee.charged ? (fee.amountFen ?? 0) : 0;
  // A charge is recorded as a case event carrying `feeFen` (or type 'fee_charged' with amountFen).
  let charged: number | null = null;
  for (const e of events) {
    const payload = e.payload as { feeFen?: unknown; amountFen?: unknown };
    const value = typeof payload.feeFen === 'number' ? payload.feeFen : e.type === 'fee_charged' && typeof payload.amountFen === 'number' ? payload.amountFen : null;
    if (value !== null) charged = (charged ?? 0) + value;
  }
  return { standardFen, chargedFen: charged };
}

/** Everything the event hook checks about one case, read in one statement. */
export interface CaseFacts {
  summary: CaseSummary;
  fee: { standardFen: number; chargedFen: number | null };
  corrections: number;
  events: CaseEvent[];
}

export async function caseFacts(db: Db, caseId: string): Promise<CaseFacts | null> {
  const r = await summaryQuery(db)
    .select([
      'i.fee',
      sql<Array<{ seq: number; type: string; payload: Record<string, unknown>; actor_id: string | null; at: string }>>`
        coalesce((select json_agg(json_build_object('seq', e.seq, 'type', e.type, 'payload', e.payload, 'actor_id', e.actor_id, 'at', e.at) order by e.seq)
                    from approval_events e where e.application_id = a.id), '[]')`.as('events'),
    ])
    .where('a.id', '=', caseId)
    .executeTakeFirst();
  if (!r) return null;
  const events = r.events.map((e) => ({ seq: e.seq, type: e.type, payload: e.payload, actorId: e.actor_id, at: new Date(e.at) }));
  return {
    summary: toSummary(r),
    fee: feeOf(r.fee, events),
    corrections: Math.max(Number(r.correction_count), events.filter((e) => e.type === 'correction_requested').length),
    events,
  };
}

export interface CaseEvent {
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  actorId: string | null;
  at: Date;
}

/** The case's own event log (submitted, accepted, correction_requested, rejected, approved...). */
export interface OpenCaseDue {
  id: string;
  unitId: string;
  state: CaseState;
  dueDate: string;
  acceptDueDate: string;
  acceptedAt: Date | null;
}

/**
 * A condition under which openCasesDueBy leaves a case out, written by the caller against its own
 * tables, given the case's columns as SQL: a scalar subquery (one index probe per case), null
 * counting as false.
 */
export type CaseSkip = (c: { id: RawBuilder<unknown>; state: RawBuilder<unknown>; dueDate: RawBuilder<unknown>; acceptDueDate: RawBuilder<unknown>; acceptedAt: RawBuilder<unknown> }) => RawBuilder<unknown>;

/**
 * Open cases (not finished, and not waiting for the applicant's correction) whose case deadline is
 * on or before `date`, less those `skip` leaves out: a range of the open-cases index read in due
 * order (which keeps the planner on it however many finished cases share those dates).
 */
export async function openCasesDueBy(db: Db, date: string, options: { limit?: number; skip?: CaseSkip } = {}): Promise<OpenCaseDue[]> {
  const limit = options.limit ?? 100_000;
  const skip = options.skip
    ? sql` and not coalesce((${options.skip({ id: sql.ref('a.id'), state: sql.ref('a.state'), dueDate: sql.ref('a.due_date'), acceptDueDate: sql.ref('a.accept_due_date'), acceptedAt: sql.ref('a.accepted_at') })}), false)`
    : sql``;
  const result = await sql<{ id: string; unit_id: string; state: CaseState; due_date: string; accept_due_date: string; accepted_at: Date | null }>`
    select a.id, a.unit_id, a.state, a.due_date, a.accept_due_date, a.accepted_at
      from approval_applications a
     where a.state in (${sql.join(OPEN_CASE_STATES)}) and a.due_date <= ${date}::date and a.state <> 'correction_requested' ${skip}
     order by a.due_date
     limit ${limit}`.execute(db);
  return result.rows.map((r) => ({ id: r.id, unitId: r.unit_id, state: r.state, dueDate: r.due_date, acceptDueDate: r.accept_due_date, acceptedAt: r.accepted_at }));
}

/**
 * Open cases per unit and state (the monitor's first table), from the counters the database keeps
 * with every case (approval_open_counts): a few rows per unit and state (slots), however many cases are open.
 * `unitIds` null: every unit.
 */
export async function openCaseCounts(db: Db, unitIds: string[] | null): Promise<Array<{ unitId: string; state: CaseState; count: number }>> {
  if (unitIds && !unitIds.length) return [];
  const units = unitIds ? sql` and unit_id in (${sql.join(unitIds)})` : sql``;
  const result = await sql<{ unit_id: string; state: CaseState; cases: number }>`
    select unit_id, state, sum(cases)::bigint as cases from approval_open_counts where true ${units}
     group by unit_id, state having sum(cases) <> 0 order by unit_id, state`.execute(db);
  return result.rows.map((r) => ({ unitId: r.unit_id, state: r.state, count: Number(r.cases) }));
}

/** The same figures counted from the cases themselves (reconciliation of the counters). */
export async function openCaseCountsFromCases(db: Db, unitIds: string[] | null): Promise<Array<{ unitId: string; state: CaseState; count: number }>> {
  if (unitIds && !unitIds.length) return [];
  let query = q(db)
    .selectFrom('approval_applications')
    .select(['unit_id', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('state', 'in', OPEN_CASE_STATES)
    .groupBy(['unit_id', 'state'])
    .orderBy('unit_id')
    .orderBy('state');
  if (unitIds) query = query.where('unit_id', 'in', unitIds);
  const rows = await query.execute();
  return rows.map((r) => ({ unitId: r.unit_id, state: r.state, count: Number(r.n) }));
}

/** Cases newest first, by submission (id breaks ties). */
const NEWEST_FIRST: Keyset<{ submitted_at: Date; id: string }> = {
  keys: [
    { by: 'submitted_at', kind: 'timestamp', of: (r) => r.submitted_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/** The cases behind one cell of openCaseCounts, newest first, one page of them. */
export async function openCasesOf(db: Db, unitId: string, state: CaseState, page: PageRequest): Promise<Page<CaseSummary>> {
  const query = q(db).selectFrom('approval_applications').select(['id', 'submitted_at']).where('unit_id', '=', unitId).where('state', '=', state);
  const { items, nextCursor } = await keysetPage(query, NEWEST_FIRST, page);
  const summaries = await caseSummaries(db, items.map((r) => r.id));
  return { items: items.map((r) => summaries.get(r.id)!).filter(Boolean), nextCursor };
}

/**
 * Cases finished in [from, to) per unit, and how many of them had a correction request, counted
 * from the cases themselves: the reference the daily counters (finishedCaseTotals) reconcile with.
 */
export async function correctionsByUnit(db: Db, from: Date, to: Date, unitIds: string[] | null): Promise<Map<string, { finishedCases: number; correctedCases: number }>> {
  if (unitIds && !unitIds.length) return new Map();
  const scope = unitIds ? sql` and unit_id in (${sql.join(unitIds)})` : sql``;
  const result = await sql<{ unit_id: string; finished: number; corrected: number }>`
    select unit_id, count(*)::int as finished, count(*) filter (where correction_count > 0)::int as corrected
      from approval_applications
     where finished_at is not null and finished_at >= ${from} and finished_at < ${to}
       and state in ('approved', 'rejected') ${scope}
     group by unit_id`.execute(db);
  return new Map(result.rows.map((r) => [r.unit_id, { finishedCases: Number(r.finished), correctedCases: Number(r.corrected) }]));
}

/**
 * Cases finished on the days [fromDay, toDay] (Asia/Shanghai, both included) per unit, and how many
 * of them had a correction request (the correction rate, 补正率), from the per-day counters the
 * database keeps with every case (approval_finished_days): at most one row per unit and day.
 */
export async function finishedCaseTotals(db: Db, fromDay: string, toDay: string, unitIds: string[] | null): Promise<Map<string, { finishedCases: number; correctedCases: number }>> {
  if (unitIds && !unitIds.length) return new Map();
  const units = unitIds ? sql` and unit_id in (${sql.join(unitIds)})` : sql``;
  const result = await sql<{ unit_id: string; finished: number; corrected: number }>`
    select unit_id, sum(finished)::bigint as finished, sum(corrected)::bigint as corrected
      from approval_finished_days
     where day between ${fromDay}::date and ${toDay}::date ${units}
     group by unit_id
    having sum(finished) <> 0`.execute(db);
  return new Map(result.rows.map((r) => [r.unit_id, { finishedCases: Number(r.finished), correctedCases: Number(r.corrected) }]));
}

/** Item names by id (any version), for statistics per item. */
export async function itemNames(db: Db, ids: string[]): Promise<Map<string, { code: string; name: string; version: number }>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = await q(db).selectFrom('approval_items').select(['id', 'code', 'name', 'version']).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, { code: r.code, name: r.name, version: r.version }]));
}

// ---------------------------------------------------------------- the subject

const asSubject = (c: CaseSummary): SubjectSummary => ({
  type: APPROVAL_CASE_SUBJECT,
  id: c.id,
  trackingNo: c.receiptNo,
  title: c.itemName,
  unitId: c.unitId,
  state: c.state,
  finished: FINISHED_CASE_STATES.includes(c.state),
  dueDate: c.dueDate,
  openedAt: c.submittedAt,
  ownerUserId: c.applicantUserId,
  categoryId: c.itemId,
  staffLink: `/console/approval/cases/${encodeURIComponent(c.id)}`,
  publicLink: `/services/mine/${encodeURIComponent(c.id)}`,
  stepNames: c.stepNames,
});

const subjectMap = (cases: Map<string, CaseSummary>) => new Map([...cases].map(([id, c]) => [id, asSubject(c)]));

/** Within its acceptance time, accepted, or carded already with the colour it would get now. */
const casesCarded =
  (today: string, carded: SubjectCarded): CaseSkip =>
  ({ id, state, dueDate, acceptDueDate, acceptedAt }) => sql`
    case when ${state} = 'submitted'
         then ${acceptedAt} is not null or ${acceptDueDate} >= ${today}::date
              or coalesce((${carded({ id, reason: 'late_acceptance', dueDate: acceptDueDate })}), false)
         else (${carded({ id, reason: 'case_deadline', dueDate })})
    end`;

/** Open cases near or past their case deadline, and cases not accepted within their acceptance time. */
async function caseDeadlines(db: Db, query: { today: string; dueBy: string; carded: SubjectCarded }): Promise<SubjectDeadlineFinding[]> {
  const { today } = query;
  const cases = await openCasesDueBy(db, query.dueBy, { skip: casesCarded(today, query.carded) });
  if (!cases.length) return [];
  const statuses = await instanceStatuses(db, APPROVAL_CASE_SUBJECT, cases.map((c) => c.id));
  const findings: SubjectDeadlineFinding[] = [];
  for (const c of cases) {
    if (statuses.get(c.id) !== 'running') continue;
    if (c.state === 'submitted') {
      if (!c.acceptedAt && today > c.acceptDueDate) findings.push({ subjectId: c.id, unitId: c.unitId, reason: 'late_acceptance', color: 'red', dueDate: c.acceptDueDate });
      continue;
    }
    findings.push({ subjectId: c.id, unitId: c.unitId, reason: 'case_deadline', color: today > c.dueDate ? 'red' : 'yellow', dueDate: c.dueDate });
  }
  return findings;
}

/** The case and its process, as supervision's rules read them. */
async function caseSubjectFacts(work: Work, caseId: string): Promise<SubjectFacts | null> {
  const [flow, facts] = await Promise.all([flowOfSubject(work, APPROVAL_CASE_SUBJECT, caseId), caseFacts(work.tx, caseId)]);
  if (!flow || !facts) return null;
  const summary = facts.summary;
  const steps = allSteps(flow.definition);
  const accept = flow.tasks.find((t) => t.state === 'done' && steps.some((s) => s.key === t.stepKey && s.stageIndex === 0));
  const corrections = flow.actions.filter((a) => a.payload.type === 'suspend' && a.payload.reason === 'correction');
  const rejections: NonNullable<SubjectFacts['rejections']> = [];
  for (const entry of flow.actions) {
    const payload = entry.payload;
    if (payload.type !== 'complete' || payload.outcome !== 'reject') continue;
    const task = [...flow.tasks].reverse().find((t) => t.stepKey === payload.stepKey && t.outcome === 'rejected');
    rejections.push({ stepKey: payload.stepKey, opinion: payload.opinion ?? null, by: payload.by ?? null, unitId: task?.unitId ?? null, stepId: task?.id ?? null });
  }
  return {
    summary: asSubject(summary),
    steps: flow.tasks.map((t) => ({ stepId: t.id, stepKey: t.stepKey, unitId: t.unitId, state: t.state, personId: t.assignee, finishedBy: t.finishedBy, days: t.days, dueDate: t.dueDate, finishedAt: t.finishedAt })),
    running: flow.status === 'running',
    process: { definition: flow.definition, actions: flow.actions },
    acceptance: { acceptedAt: summary.acceptedAt, dueDate: summary.acceptDueDate, acceptedBy: accept?.finishedBy ?? null, stepId: accept?.id ?? null, firstStep: steps[0]?.key ?? '' },
    corrections: { count: Math.max(corrections.length, facts.corrections), secondBy: corrections[1]?.actorId ?? null },
    rejections,
    fee: facts.fee,
    events: facts.events,
  };
}

/** Approval cases, as supervision sees them. */
export const approvalCaseSubject: SupervisedSubject = {
  type: APPROVAL_CASE_SUBJECT,
  labelKey: 'approval.subject.case',
  changedBy: [{ event: APPROVAL_CASE_CHANGED, change: (e: ApprovalCaseChanged) => ({ subjectId: e.caseId, action: e.action, stepKey: e.stepKey }) }],
  ...flowSubjectSteps(APPROVAL_CASE_SUBJECT),
  deadlines: caseDeadlines,
  facts: caseSubjectFacts,
  openStates: OPEN_CASE_STATES.map((state) => ({ state, labelKey: `page.approval.state.${state}` })),
  openCounts: openCaseCounts,
  openCountsFromSubjects: openCaseCountsFromCases,
  openSubjects: async (db, unitId, state, page) => {
    const { items, nextCursor } = await openCasesOf(db, unitId, state as CaseState, page);
    return { items: items.map(asSubject), nextCursor };
  },
  summaries: async (db, ids) => subjectMap(await caseSummaries(db, ids)),
  async byTrackingNoAndPhone(db, platform, trackingNo, phone) {
    const found = await caseByReceiptAndPhone(db, platform, trackingNo, phone);
    return found && asSubject(found);
  },
  async byTrackingNo(db, trackingNo) {
    const id = await caseIdByReceipt(db, trackingNo);
    const found = id ? await caseSummary(db, id) : null;
    return found && asSubject(found);
  },
  categoryNames: itemNames,
  finishedSubjectTotals: finishedCaseTotals,
  finishedSubjectCounts: correctionsByUnit,
};
