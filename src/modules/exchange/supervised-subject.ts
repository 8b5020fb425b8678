/**
 * Document exchange as supervised subjects (src/platform/supervision.ts), read-only, over the
 * module's own tables and the process engine's:
 *
 * - `exchange_receipt`: a receipt is one step (签收, 'signfor') of the receiving unit, due on the
 *   day of its chase time (chase_at, Asia/Shanghai): the contract counts deadlines in days, so an
 *   unsigned receipt turns yellow in the last working minutes of its chase day and red once that
 *   day is over, like a one-day approval step. Signing or returning it finishes the step.
 * - `exchange_document`: a document in sign-off; its steps are the engine's tasks of subject type
 *   SIGNOFF_SUBJECT (拟稿, 核稿, 会签, 签发), each with its due date.
 *
 * Both link a card to the document's console page. Every step query is a range of one index
 * (stats-migrations.ts, migrations.ts, the engine's report indexes).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import { keysetPage, type Keyset } from '../../platform/db/pagination.ts';
import * as workingDays from '../../platform/calendar/working-days.ts';
import { allSteps, type ProcessDefinition } from '../../platform/flow/engine.ts';
import { flowOfSubject } from '../../platform/flow/subject-flow.ts';
import { flowSubjectSteps } from '../../platform/flow/subject-steps.ts';
import { workingOrdinals } from '../../platform/flow/reports.ts';
import type { StepStatsRow, SubjectStepSkips, SubjectSummary, SupervisedSubject } from '../../platform/supervision.ts';
import { exchangeDb, SIGNOFF_SUBJECT, type DocumentRow } from './model.ts';
import { EXCHANGE_DOCUMENT_CHANGED, type ExchangeDocumentChanged } from './events.ts';

export const RECEIPT_SUBJECT = 'exchange_receipt';
export const DOCUMENT_SUBJECT = SIGNOFF_SUBJECT;
/** The one step of a receipt. */
export const SIGNFOR_STEP = 'signfor';
/** A receipt's time limit, in working days: it is chased within one (four working hours when urgent). */
const RECEIPT_DAYS = 1;

const documentLink = (documentId: string) => `/console/exchange/documents/${encodeURIComponent(documentId)}`;
const shanghaiDay = (expression: RawBuilder<unknown>) => sql`((${expression} at time zone 'UTC') + interval '8 hours')::date`;
const chaseDay = (alias: string) => shanghaiDay(sql.ref(`${alias}.chase_at`));
const answeredAt = (alias: string) => sql`coalesce(${sql.ref(`${alias}.signed_at`)}, ${sql.ref(`${alias}.returned_at`)})`;
const inUnits = (unitIds: string[] | null, column: string) => (unitIds === null ? sql`` : unitIds.length ? sql` and ${sql.ref(column)} in (${sql.join(unitIds)})` : sql` and false`);
const startOfDay = (day: string) => new Date(`${day}T00:00:00+08:00`);

// ---------------------------------------------------------------- receipts

/** A receipt with what its summary and steps need. */
interface ReceiptFacts {
  id: string;
  document_id: string;
  unit_id: string;
  state: string;
  delivered_at: Date;
  chase_at: Date;
  signed_at: Date | null;
  signed_by: string | null;
  returned_at: Date | null;
  returned_by: string | null;
  due_date: string;
  title: string;
  doc_number: string;
}

const receiptColumns = sql`r.id, r.document_id, r.unit_id, r.state, r.delivered_at, r.chase_at, r.signed_at, r.signed_by, r.returned_at, r.returned_by,
  ${chaseDay('r')}::text as due_date, d.title, d.doc_number`;

async function receiptsById(db: Db, ids: string[]): Promise<ReceiptFacts[]> {
  const unique = [...new Set(ids)];
  if (!unique.length) return [];
  const result = await sql<ReceiptFacts>`
    select ${receiptColumns} from exchange_receipts r join exchange_documents d on d.id = r.document_id where r.id in (${sql.join(unique)})`.execute(db);
  return result.rows;
}

const receiptSummary = (r: ReceiptFacts): SubjectSummary => ({
  type: RECEIPT_SUBJECT,
  id: r.id,
  trackingNo: r.doc_number,
  title: r.title,
  unitId: r.unit_id,
  state: r.state,
  finished: r.state !== 'delivered',
  dueDate: r.due_date,
  openedAt: new Date(r.delivered_at),
  ownerUserId: null,
  categoryId: null,
  staffLink: documentLink(r.document_id),
  publicLink: null,
  stepNames: { [SIGNFOR_STEP]: '签收' },
});

const receiptSkips = (s: SubjectStepSkips) => sql`
  ${s.skipStep ? sql` and not coalesce((${s.skipStep({ stepId: sql.ref('r.id'), dueDate: chaseDay('r') })}), false)` : sql``}
  ${s.skip ? sql` and not coalesce((${s.skip({ subjectId: sql.ref('r.id'), stepKey: sql.lit(SIGNFOR_STEP), dueDate: chaseDay('r') })}), false)` : sql``}`;

type StepRow = { id: string; unit_id: string; delivered_at: Date; due_date: string; finished_at: Date | null; finished_by: string | null; finished_day: string | null };

/** Answered receipts of [from, to) per receiving unit (or person), working days used counted by the calendar's ordinals. */
async function answeredCounts(db: Db, filter: { from: Date; to: Date; unitIds: string[] | null }, groupBy: 'unit' | 'person'): Promise<StepStatsRow[]> {
  const day = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  const ordinals = await workingOrdinals(db, workingDays.addCalendarDays(day(filter.from), -60), workingDays.addCalendarDays(day(filter.to), 60));
  const person = groupBy === 'person';
  // The ordinals are one per calendar day from ordinals.first: a day's is the array's element at (day - first + 1),
  // looked up per receipt (no join), so the aggregate keeps one group per unit (or person).
  const ord = (day: RawBuilder<unknown>) => sql`(${ordinals.ordinals}::int[])[(${day}) - ${ordinals.first}::date + 1]`;
  const result = await sql<{ unit_id: string; person_id: string | null; finished: number; on_time: number; early: number; used: number; promised: number; outside: number }>`
    select s.unit_id, s.person_id, count(*)::int as finished,
           count(*) filter (where s.finished_day <= s.due_date)::int as on_time,
           count(*) filter (where s.finished_day < s.due_date)::int as early,
           coalesce(sum(${RECEIPT_DAYS} - (${ord(sql.ref('s.due_date'))} - ${ord(sql.ref('s.finished_day'))})), 0)::bigint as used,
           (count(*) * ${RECEIPT_DAYS})::bigint as promised,
           count(*) filter (where ${ord(sql.ref('s.due_date'))} is null or ${ord(sql.ref('s.finished_day'))} is null)::int as outside
      from (select r.unit_id, ${person ? sql`coalesce(r.signed_by, r.returned_by)` : sql`null::text`} as person_id,
                   ${chaseDay('r')} as due_date, ${shanghaiDay(answeredAt('r'))} as finished_day
              from exchange_receipts r
             where r.state in ('signed', 'returned') and ${answeredAt('r')} >= ${filter.from} and ${answeredAt('r')} < ${filter.to} ${inUnits(filter.unitIds, 'r.unit_id')}) s
     group by 1, 2 order by 1, 2`.execute(db);
  return result.rows.map((r) => ({
    unitId: r.unit_id,
    personId: r.person_id,
    finished: Number(r.finished),
    onTime: Number(r.on_time),
    early: Number(r.early),
    overdue: Number(r.finished) - Number(r.on_time),
    workingDaysUsed: Number(r.used),
    daysPromised: Number(r.promised),
    outsideRange: Number(r.outside),
  }));
}

/** Unsigned receipts of a unit, newest first. */
const NEWEST_DELIVERED: Keyset<{ delivered_at: Date; id: string }> = {
  keys: [
    { by: 'r.delivered_at', kind: 'timestamp', of: (r) => r.delivered_at },
    { by: 'r.id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

const fromReceiptEvent = (e: ExchangeDocumentChanged) => ({ subjectId: e.receiptId ?? '', action: e.action, stepKey: e.receiptId ? SIGNFOR_STEP : null });

/** Receipts not signed for by their chase time: the receiving unit answers for them. */
export const receiptSubject: SupervisedSubject = {
  type: RECEIPT_SUBJECT,
  labelKey: 'exchange.subject.receipt',
  changedBy: [{ event: EXCHANGE_DOCUMENT_CHANGED, change: fromReceiptEvent }],

  async openStepsAtRisk(db, bands, options) {
    const band = bands.find((b) => b.minDays <= RECEIPT_DAYS && RECEIPT_DAYS <= b.maxDays);
    if (!band) return [];
    // Unsigned receipts chased before the end of the band's day: a range of exchange_receipts_unsigned.
    const result = await sql<StepRow>`
      select r.id, r.unit_id, r.delivered_at, ${chaseDay('r')}::text as due_date
        from exchange_receipts r
       where r.state = 'delivered' and r.chase_at < ${startOfDay(workingDays.addCalendarDays(band.dueBy, 1))} ${receiptSkips(options)}
       order by r.chase_at
       limit ${options.limit ?? 100_000}`.execute(db);
    return result.rows.map((r) => ({ stepId: r.id, subjectId: r.id, stepKey: SIGNFOR_STEP, unitId: r.unit_id, personId: null, days: RECEIPT_DAYS, dueDate: r.due_date, openedAt: new Date(r.delivered_at) }));
  },

  async stepsFinishedLate(db, since, options) {
    const result = await sql<StepRow>`
      select r.id, r.unit_id, r.delivered_at, ${chaseDay('r')}::text as due_date, ${answeredAt('r')} as finished_at, coalesce(r.signed_by, r.returned_by) as finished_by
        from exchange_receipts r
       where r.state in ('signed', 'returned') and ${answeredAt('r')} >= ${since} and ${shanghaiDay(answeredAt('r'))} > ${chaseDay('r')} ${receiptSkips(options)}
       limit ${options.limit ?? 100_000}`.execute(db);
    return result.rows.map((r) => ({ stepId: r.id, subjectId: r.id, stepKey: SIGNFOR_STEP, unitId: r.unit_id, personId: r.finished_by, days: RECEIPT_DAYS, dueDate: r.due_date, finishedAt: new Date(r.finished_at!) }));
  },

  async longestWaitingSteps(db, limit, unitIds) {
    const result = await sql<StepRow>`
      select r.id, r.unit_id, r.delivered_at, ${chaseDay('r')}::text as due_date
        from exchange_receipts r where r.state = 'delivered' ${inUnits(unitIds, 'r.unit_id')}
       order by r.delivered_at, r.id limit ${limit}`.execute(db);
    return result.rows.map((r) => ({ stepId: r.id, subjectId: r.id, stepKey: SIGNFOR_STEP, unitId: r.unit_id, dueDate: r.due_date, openedAt: new Date(r.delivered_at), suspended: false }));
  },

  async facts(work, id) {
    const [r] = await receiptsById(work.tx, [id]);
    if (!r) return null;
    const finishedAt = r.signed_at ?? r.returned_at;
    return {
      summary: receiptSummary(r),
      steps: [
        {
          stepId: r.id,
          stepKey: SIGNFOR_STEP,
          unitId: r.unit_id,
          state: r.state === 'delivered' ? 'open' : r.state === 'recalled' ? 'cancelled' : 'done',
          personId: null,
          finishedBy: r.signed_by ?? r.returned_by,
          days: RECEIPT_DAYS,
          dueDate: r.due_date,
          finishedAt: finishedAt && new Date(finishedAt),
        },
      ],
      running: r.state === 'delivered',
    };
  },

  openStates: [{ state: 'delivered', labelKey: 'exchange.subject.state.delivered' }],
  async openCounts(db, unitIds) {
    if (unitIds && !unitIds.length) return [];
    const result = await sql<{ unit_id: string; n: number }>`
      select r.unit_id, count(*)::int as n from exchange_receipts r where r.state = 'delivered' ${inUnits(unitIds, 'r.unit_id')} group by r.unit_id order by r.unit_id`.execute(db);
    return result.rows.map((r) => ({ unitId: r.unit_id, state: 'delivered', count: Number(r.n) }));
  },
  async openSubjects(db, unitId, state, page) {
    if (state !== 'delivered') return { items: [], nextCursor: null };
    const query = exchangeDb(db).selectFrom('exchange_receipts as r').select(['r.id', 'r.delivered_at']).where('r.unit_id', '=', unitId).where('r.state', '=', 'delivered');
    const { items, nextCursor } = await keysetPage(query, NEWEST_DELIVERED, page);
    const byId = new Map((await receiptsById(db, items.map((i) => i.id))).map((r) => [r.id, receiptSummary(r)]));
    return { items: items.map((i) => byId.get(i.id)!).filter(Boolean), nextCursor };
  },

  async summaries(db, ids) {
    return new Map((await receiptsById(db, ids)).map((r) => [r.id, receiptSummary(r)]));
  },
  // Receipts are no citizen's: nobody complains about one by phone.
  byTrackingNoAndPhone: async () => null,
  byTrackingNo: async () => null,

  finishedStepTotals: (db, filter, groupBy) => answeredCounts(db, { from: startOfDay(filter.fromDay), to: startOfDay(workingDays.addCalendarDays(filter.toDay, 1)), unitIds: filter.unitIds }, groupBy),
  finishedStepCounts: answeredCounts,
  async finishedStepsPage(db, filter, page) {
    const after = page.after ? sql` and (${answeredAt('r')}, r.id) > (${new Date(page.after[0])}, ${page.after[1]})` : sql``;
    const outcome = filter.outcome ? sql` and ${shanghaiDay(answeredAt('r'))} ${sql.raw(filter.outcome === 'early' ? '<' : filter.outcome === 'onTime' ? '<=' : '>')} ${chaseDay('r')}` : sql``;
    const result = await sql<StepRow>`
      select r.id, r.unit_id, r.delivered_at, ${chaseDay('r')}::text as due_date, ${answeredAt('r')} as finished_at,
             coalesce(r.signed_by, r.returned_by) as finished_by, ${shanghaiDay(answeredAt('r'))}::text as finished_day
        from exchange_receipts r
       where r.state in ('signed', 'returned') and ${answeredAt('r')} >= ${filter.from} and ${answeredAt('r')} < ${filter.to} ${inUnits(filter.unitIds, 'r.unit_id')}
         ${filter.unitId ? sql` and r.unit_id = ${filter.unitId}` : sql``} ${filter.personId ? sql` and coalesce(r.signed_by, r.returned_by) = ${filter.personId}` : sql``} ${outcome} ${after}
       order by ${answeredAt('r')}, r.id limit ${page.limit}`.execute(db);
    return result.rows.map((r) => ({
      stepId: r.id,
      subjectId: r.id,
      stepKey: SIGNFOR_STEP,
      unitId: r.unit_id,
      personId: r.finished_by,
      days: RECEIPT_DAYS,
      dueDate: r.due_date,
      finishedAt: new Date(r.finished_at!),
      workingDaysUsed: null,
      outcome: r.finished_day! < r.due_date ? ('early' as const) : r.finished_day! <= r.due_date ? ('onTime' as const) : ('overdue' as const),
    }));
  },
};

// ---------------------------------------------------------------- documents in sign-off

type DocumentFacts = Pick<DocumentRow, 'id' | 'sending_unit_id' | 'state' | 'title' | 'doc_number' | 'created_at'>;

const SIGNOFF_STEP_NAMES: Record<string, string> = { draft: '拟稿', review: '核稿', sign: '签发' };

/** The step names of each document's latest sign-off process (会签 steps are numbered per unit). */
async function stepNamesOf(db: Db, ids: string[]): Promise<Map<string, Record<string, string>>> {
  if (!ids.length) return new Map();
  const result = await sql<{ subject_id: string; definition: ProcessDefinition }>`
    select distinct on (subject_id) subject_id, definition from flow_instances
     where subject_type = ${DOCUMENT_SUBJECT} and subject_id in (${sql.join(ids)}) order by subject_id, started_at desc`.execute(db);
  return new Map(result.rows.map((r) => [r.subject_id, { ...SIGNOFF_STEP_NAMES, ...Object.fromEntries(allSteps(r.definition).map((step) => [step.key, step.name])) }]));
}

const documentSummary = (d: DocumentFacts, stepNames: Record<string, string> = SIGNOFF_STEP_NAMES): SubjectSummary => ({
  type: DOCUMENT_SUBJECT,
  id: d.id,
  trackingNo: d.doc_number,
  title: d.title,
  unitId: d.sending_unit_id,
  state: d.state,
  finished: d.state !== 'draft' && d.state !== 'in_signoff',
  dueDate: null,
  openedAt: new Date(d.created_at),
  ownerUserId: null,
  categoryId: null,
  staffLink: documentLink(d.id),
  publicLink: null,
  stepNames,
});

const documentColumns = ['id', 'sending_unit_id', 'state', 'title', 'doc_number', 'created_at'] as const;

async function documentsById(db: Db, ids: string[]): Promise<DocumentFacts[]> {
  const unique = [...new Set(ids)];
  if (!unique.length) return [];
  return exchangeDb(db).selectFrom('exchange_documents').select(documentColumns).where('id', 'in', unique).execute();
}

const NEWEST_CREATED: Keyset<{ created_at: Date; id: string }> = {
  keys: [
    { by: 'created_at', kind: 'timestamp', of: (r) => r.created_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/** Documents waiting for sign-off: the open steps of their process (拟稿 → 核稿 → 会签 → 签发) and their due dates. */
export const documentSubject: SupervisedSubject = {
  type: DOCUMENT_SUBJECT,
  labelKey: 'exchange.subject.document',
  changedBy: [{ event: EXCHANGE_DOCUMENT_CHANGED, change: (e: ExchangeDocumentChanged) => ({ subjectId: e.documentId, action: e.action, stepKey: e.stepKey }) }],
  ...flowSubjectSteps(DOCUMENT_SUBJECT),

  async facts(work, id) {
    const [[document], flow] = await Promise.all([documentsById(work.tx, [id]), flowOfSubject(work, DOCUMENT_SUBJECT, id)]);
    if (!document || !flow) return null;
    const names = { ...SIGNOFF_STEP_NAMES, ...Object.fromEntries(allSteps(flow.definition).map((s) => [s.key, s.name])) };
    return {
      summary: documentSummary(document, names),
      steps: flow.tasks.map((t) => ({ stepId: t.id, stepKey: t.stepKey, unitId: t.unitId, state: t.state, personId: t.assignee, finishedBy: t.finishedBy, days: t.days, dueDate: t.dueDate, finishedAt: t.finishedAt })),
      running: flow.status === 'running',
      process: { definition: flow.definition, actions: flow.actions },
    };
  },

  openStates: [{ state: 'in_signoff', labelKey: 'exchange.subject.state.in_signoff' }],
  async openCounts(db, unitIds) {
    if (unitIds && !unitIds.length) return [];
    const result = await sql<{ unit_id: string; n: number }>`
      select d.sending_unit_id as unit_id, count(*)::int as n from exchange_documents d where d.state = 'in_signoff' ${inUnits(unitIds, 'd.sending_unit_id')}
       group by d.sending_unit_id order by d.sending_unit_id`.execute(db);
    return result.rows.map((r) => ({ unitId: r.unit_id, state: 'in_signoff', count: Number(r.n) }));
  },
  async openSubjects(db, unitId, state, page) {
    if (state !== 'in_signoff') return { items: [], nextCursor: null };
    const query = exchangeDb(db).selectFrom('exchange_documents').select(documentColumns).where('sending_unit_id', '=', unitId).where('state', '=', 'in_signoff');
    const { items, nextCursor } = await keysetPage(query, NEWEST_CREATED, page);
    return { items: items.map((d) => documentSummary(d)), nextCursor };
  },

  async summaries(db, ids) {
    const [documents, names] = await Promise.all([documentsById(db, ids), stepNamesOf(db, [...new Set(ids)])]);
    return new Map(documents.map((d) => [d.id, documentSummary(d, names.get(d.id))]));
  },
  byTrackingNoAndPhone: async () => null,
  // A document number (代字〔2026〕12号) names one document of a sending unit; only a number that names one document at all is found.
  async byTrackingNo(db, trackingNo) {
    const rows = await exchangeDb(db).selectFrom('exchange_documents').select(documentColumns).where('doc_number', '=', trackingNo.trim()).where('state', '<>', 'draft').limit(2).execute();
    return rows.length === 1 ? documentSummary(rows[0]) : null;
  },
};

export const exchangeSubjects: SupervisedSubject[] = [documentSubject, receiptSubject];
