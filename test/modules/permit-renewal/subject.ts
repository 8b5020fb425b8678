/**
 * Permit renewals as a supervised subject (src/platform/supervision.ts): written against the
 * module's own table only, to show the contract is not approval's shape. Every step query is a
 * range of one of the table's partial indexes.
 */
import { keysetPage, type Keyset } from '../../../src/platform/db/pagination.ts';
import { sql } from 'kysely';
import type { Db } from '../../../src/platform/db/index.ts';
import * as workingDays from '../../../src/platform/calendar/working-days.ts';
import { workingOrdinals } from '../../../src/platform/flow/reports.ts';
import type { StepStatsRow, SubjectStepSkips, SubjectSummary, SupervisedSubject } from '../../../src/platform/supervision.ts';
import { phoneIndex, renewals, RENEWAL_CHANGED, type RenewalChanged, type RenewalRow } from './service.ts';

export const RENEWAL_SUBJECT = 'renewal_request';
const STEP = 'review';

const summary = (r: RenewalRow): SubjectSummary => ({
  type: RENEWAL_SUBJECT,
  id: r.id,
  trackingNo: r.tracking_no,
  title: `换证 ${r.permit_no}`,
  unitId: r.unit_id,
  state: r.state,
  finished: r.state === 'done',
  dueDate: r.due_date,
  openedAt: r.opened_at,
  ownerUserId: r.holder_user_id,
  categoryId: null,
  staffLink: `/api/v1/renewals/${r.id}`,
  publicLink: null,
});

const skips = (s: SubjectStepSkips, row: string) => sql`
  ${s.skipStep ? sql` and not coalesce((${s.skipStep({ stepId: sql.ref(`${row}.id`), dueDate: sql.ref(`${row}.due_date`) })}), false)` : sql``}
  ${s.skip ? sql` and not coalesce((${s.skip({ subjectId: sql.ref(`${row}.id`), stepKey: sql.lit(STEP), dueDate: sql.ref(`${row}.due_date`) })}), false)` : sql``}`;

const units = (unitIds: string[] | null, column = 'unit_id') => (unitIds === null ? sql`` : unitIds.length ? sql` and ${sql.ref(column)} in (${sql.join(unitIds)})` : sql` and false`);
const shanghaiDay = (column: string) => sql`((${sql.ref(column)} at time zone 'UTC') + interval '8 hours')::date`;

/** Finished renewals of [from, to) per unit (or person), with working days used counted by the calendar's ordinals. */
async function finishedCounts(db: Db, filter: { from: Date; to: Date; unitIds: string[] | null }, groupBy: 'unit' | 'person'): Promise<StepStatsRow[]> {
  const day = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  const ordinals = await workingOrdinals(db, workingDays.addCalendarDays(day(filter.from), -400), workingDays.addCalendarDays(day(filter.to), 400));
  const person = groupBy === 'person';
  const result = await sql<{ unit_id: string; person_id: string | null; finished: number; on_time: number; early: number; used: number; promised: number }>`
    with cal as (select * from unnest(${ordinals.dates}::date[], ${ordinals.ordinals}::int[]) as c(d, ord)),
    steps as (
      select r.unit_id, ${person ? sql`r.finished_by` : sql`null::text`} as person_id, r.days, r.due_date, ${shanghaiDay('r.finished_at')} as finished_day
        from renewal_requests r
       where r.state = 'done' and r.finished_at >= ${filter.from} and r.finished_at < ${filter.to} ${units(filter.unitIds, 'r.unit_id')})
    select s.unit_id, s.person_id, count(*)::int as finished,
           count(*) filter (where s.finished_day <= s.due_date)::int as on_time,
           count(*) filter (where s.finished_day < s.due_date)::int as early,
           coalesce(sum(s.days - (cd.ord - cf.ord)), 0)::bigint as used, sum(s.days)::bigint as promised
      from steps s left join cal cd on cd.d = s.due_date left join cal cf on cf.d = s.finished_day
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
    outsideRange: 0,
  }));
}

/** Open renewals newest first, (opened_at, id). */
const NEWEST_OPENED: Keyset<{ opened_at: Date | string; id: string }> = {
  keys: [
    { by: 'opened_at', kind: 'timestamp', of: (r) => r.opened_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

export const renewalSubject: SupervisedSubject = {
  type: RENEWAL_SUBJECT,
  labelKey: 'renewal.subject',
  changedBy: [{ event: RENEWAL_CHANGED, change: (e: RenewalChanged) => ({ subjectId: e.renewalId, action: e.what, stepKey: STEP }) }],

  async openStepsAtRisk(db, bands, options) {
    const limit = options.limit ?? 100_000;
    const days: number[] = [];
    const dueBy: string[] = [];
    for (const band of bands) {
      for (let d = band.minDays; d <= band.maxDays; d++) {
        days.push(d);
        dueBy.push(band.dueBy);
      }
    }
    if (!days.length) return [];
    const result = await sql<RenewalRow>`
      select r.* from unnest(${days}::int[], ${dueBy}::date[]) as b(days, due_by)
       cross join lateral (
         select x.* from renewal_requests x
          where x.state = 'open' and x.days = b.days and x.due_date <= b.due_by ${skips(options, 'x')}
          order by x.due_date limit ${limit}) r
       limit ${limit}`.execute(db);
    return result.rows.map((r) => ({ stepId: r.id, subjectId: r.id, stepKey: STEP, unitId: r.unit_id, personId: r.assignee, days: r.days, dueDate: r.due_date, openedAt: r.opened_at }));
  },

  async stepsFinishedLate(db, since, options) {
    const result = await sql<RenewalRow>`
      select x.* from renewal_requests x
       where x.state = 'done' and x.finished_at >= ${since} and ${shanghaiDay('x.finished_at')} > x.due_date ${skips(options, 'x')}
       limit ${options.limit ?? 100_000}`.execute(db);
    return result.rows.map((r) => ({ stepId: r.id, subjectId: r.id, stepKey: STEP, unitId: r.unit_id, personId: r.finished_by, days: r.days, dueDate: r.due_date, finishedAt: r.finished_at! }));
  },

  async longestWaitingSteps(db, limit, unitIds) {
    const result = await sql<RenewalRow>`select * from renewal_requests where state = 'open' ${units(unitIds)} order by opened_at, id limit ${limit}`.execute(db);
    return result.rows.map((r) => ({ stepId: r.id, subjectId: r.id, stepKey: STEP, unitId: r.unit_id, dueDate: r.due_date, openedAt: r.opened_at, suspended: false }));
  },

  async facts(work, id) {
    const r = await renewals(work.tx).selectFrom('renewal_requests').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return null;
    return {
      summary: summary(r),
      steps: [{ stepId: r.id, stepKey: STEP, unitId: r.unit_id, state: r.state, personId: r.assignee, finishedBy: r.finished_by, days: r.days, dueDate: r.due_date, finishedAt: r.finished_at }],
      running: r.state === 'open',
    };
  },

  openStates: [{ state: 'open', labelKey: 'renewal.state.open' }],
  async openCounts(db, unitIds) {
    const result = await sql<{ unit_id: string; n: number }>`select unit_id, count(*)::int as n from renewal_requests where state = 'open' ${units(unitIds)} group by unit_id order by unit_id`.execute(db);
    return result.rows.map((r) => ({ unitId: r.unit_id, state: 'open', count: Number(r.n) }));
  },
  async openSubjects(db, unitId, state, page) {
    if (state !== 'open') return { items: [], nextCursor: null };
    const query = renewals(db).selectFrom('renewal_requests').selectAll().where('state', '=', 'open').where('unit_id', '=', unitId);
    const { items, nextCursor } = await keysetPage(query, NEWEST_OPENED, page);
    return { items: items.map(summary), nextCursor };
  },

  async summaries(db, ids) {
    if (!ids.length) return new Map();
    const rows = await renewals(db).selectFrom('renewal_requests').selectAll().where('id', 'in', [...new Set(ids)]).execute();
    return new Map(rows.map((r) => [r.id, summary(r)]));
  },
  async byTrackingNoAndPhone(db, platform, trackingNo, phone) {
    const r = await renewals(db).selectFrom('renewal_requests').selectAll().where('tracking_no', '=', trackingNo.trim()).executeTakeFirst();
    return r && r.holder_phone_index === phoneIndex(platform, phone) ? summary(r) : null;
  },
  async byTrackingNo(db, trackingNo) {
    const r = await renewals(db).selectFrom('renewal_requests').selectAll().where('tracking_no', '=', trackingNo.trim()).executeTakeFirst();
    return r ? summary(r) : null;
  },

  finishedStepTotals: (db, filter, groupBy) =>
    finishedCounts(db, { from: new Date(`${filter.fromDay}T00:00:00+08:00`), to: new Date(`${workingDays.addCalendarDays(filter.toDay, 1)}T00:00:00+08:00`), unitIds: filter.unitIds }, groupBy),
  finishedStepCounts: finishedCounts,
  async finishedStepsPage(db, filter, page) {
    const after = page.after ? sql` and (finished_at, id) > (${new Date(page.after[0])}, ${page.after[1]})` : sql``;
    const result = await sql<RenewalRow & { finished_day: string }>`
      select *, ${shanghaiDay('finished_at')}::text as finished_day from renewal_requests
       where state = 'done' and finished_at >= ${filter.from} and finished_at < ${filter.to} ${units(filter.unitIds)}
         ${filter.unitId ? sql` and unit_id = ${filter.unitId}` : sql``} ${filter.personId ? sql` and finished_by = ${filter.personId}` : sql``} ${after}
         ${filter.outcome ? sql` and ${shanghaiDay('finished_at')} ${sql.raw(filter.outcome === 'early' ? '<' : filter.outcome === 'onTime' ? '<=' : '>')} due_date` : sql``}
       order by finished_at, id limit ${page.limit}`.execute(db);
    return result.rows.map((r) => ({
        stepId: r.id,
        subjectId: r.id,
        stepKey: STEP,
        unitId: r.unit_id,
        personId: r.finished_by,
        days: r.days,
        dueDate: r.due_date,
        finishedAt: r.finished_at!,
        workingDaysUsed: null,
        outcome: r.finished_day < r.due_date ? ('early' as const) : r.finished_day <= r.due_date ? ('onTime' as const) : ('overdue' as const),
      }));
  },
};
