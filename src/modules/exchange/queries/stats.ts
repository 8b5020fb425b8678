/**
 * Exchange statistics (收发统计) per unit and period: documents sent (by sent_at), receipts
 * received (by delivered_at; recalled ones left out) and of those how many were signed, returned
 * and answered late or not at all by their chase time. Days are Asia/Shanghai days. Every figure is
 * counted from the rows themselves in one statement over the period's index range
 * (exchange_receipts_period, exchange_documents_sent), so the figures reconcile with the records.
 */
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';
import { fieldError, invalid, notFound } from '../../../platform/http/errors.ts';
import * as workingDays from '../../../platform/calendar/working-days.ts';
import { hasPermission, scopesFor, type Principal } from '../../../platform/iam/principal.ts';
import { unitIdsUnderRegions } from '../../../platform/org/service.ts';
import { OVERSIGHT_PERMISSION, STATS_PERMISSION } from '../model.ts';

/** At most five years (five years of 366 days). */
export const MAX_PERIOD_DAYS = 5 * 366;

export interface StatsPeriod {
  from: string;
  to: string;
  /** [fromInstant, toInstant): Shanghai midnight of `from` to Shanghai midnight after `to`. */
  fromInstant: Date;
  toInstant: Date;
}

export interface UnitStats {
  unitId: string;
  unitName: string;
  sent: number;
  received: number;
  signed: number;
  returned: number;
  /** signed / received, 0 when nothing was received. */
  signRate: number;
  /** Mean hours from delivery to signature over the signed receipts; null when none was signed. */
  avgHoursToSign: number | null;
  /** Answered after their chase time, or still unanswered past it. */
  overdue: number;
}

/** The period of two 'YYYY-MM-DD' days (both included), or a 400 naming what is wrong. */
export function statsPeriod(from: string | undefined, to: string | undefined): StatsPeriod {
  const errors = [];
  if (!from || !workingDays.isValidDate(from)) errors.push(fieldError('from', 'exchange.stats.dateInvalid', { value: from ?? '' }));
  if (!to || !workingDays.isValidDate(to)) errors.push(fieldError('to', 'exchange.stats.dateInvalid', { value: to ?? '' }));
  if (!errors.length && from! > to!) errors.push(fieldError('to', 'exchange.stats.periodReversed'));
  if (!errors.length && workingDays.parseDate(to!)! - workingDays.parseDate(from!)! + 1 > MAX_PERIOD_DAYS) errors.push(fieldError('to', 'exchange.stats.periodTooLong', { years: 5 }));
  if (errors.length) throw invalid(errors);
  return { from: from!, to: to!, fromInstant: new Date(`${from}T00:00:00+08:00`), toInstant: new Date(`${workingDays.addCalendarDays(to!, 1)}T00:00:00+08:00`) };
}

/**
 * The units whose rows the caller may read: null for every unit (a supervisor with a unit-scoped
 * oversight assignment), else the units of their assignments (a clerk's or leader's own unit, the
 * units under a region-scoped assignment).
 */
export async function statsScope(db: Db, principal: Principal): Promise<string[] | null> {
  const oversight = hasPermission(principal, OVERSIGHT_PERMISSION) ? scopesFor(principal, OVERSIGHT_PERMISSION) : [];
  if (oversight.some((s) => 'unitId' in s)) return null;
  const scopes = [...oversight, ...scopesFor(principal, STATS_PERMISSION)];
  const ids = new Set<string>();
  const regions: string[] = [];
  for (const scope of scopes) {
    if ('unitId' in scope) ids.add(scope.unitId);
    else regions.push(scope.regionCode);
  }
  if (regions.length) for (const row of await unitIdsUnderRegions(db, regions).execute()) ids.add(row.id);
  return [...ids];
}

/**
 * The caller's rows of a period: with `unitId`, that unit's row (404 when outside the caller's
 * scope); else a supervisor's every unit with any figure, a unit's staff their own unit(s).
 */
export async function exchangeStats(db: Db, principal: Principal, period: StatsPeriod, options: { unitId?: string; now: Date }): Promise<UnitStats[]> {
  const scope = await statsScope(db, principal);
  let unitIds: string[] | null = scope;
  if (options.unitId) {
    if (scope && !scope.includes(options.unitId)) throw notFound();
    unitIds = [options.unitId];
  }
  if (unitIds && !unitIds.length) return [];
  return computeExchangeStats(db, period, unitIds, options.now);
}

/** The figures of `unitIds` (each gets a row, zeros included), or of every unit with any figure (null). */
export async function computeExchangeStats(db: Db, period: StatsPeriod, unitIds: string[] | null, now: Date): Promise<UnitStats[]> {
  const receiptUnits = unitIds ? sql` and r.unit_id in (${sql.join(unitIds)})` : sql``;
  const senderUnits = unitIds ? sql` and d.sending_unit_id in (${sql.join(unitIds)})` : sql``;
  const wanted = unitIds ? sql`select unnest(${unitIds}::text[]) as unit_id` : sql`select unit_id from received union select unit_id from sent`;
  const result = await sql<{ unit_id: string; unit_name: string | null; sent: number; received: number; signed: number; returned: number; sign_seconds: number | null; overdue: number }>`
    with received as (
      select r.unit_id,
             count(*)::int as received,
             count(*) filter (where r.state = 'signed')::int as signed,
             count(*) filter (where r.state = 'returned')::int as returned,
             sum(extract(epoch from (r.signed_at - r.delivered_at))) filter (where r.state = 'signed')::float8 as sign_seconds,
             count(*) filter (where (r.state = 'signed' and r.signed_at > r.chase_at)
                                 or (r.state = 'returned' and r.returned_at > r.chase_at)
                                 or (r.state = 'delivered' and r.chase_at < ${now}))::int as overdue
        from exchange_receipts r
       where r.delivered_at >= ${period.fromInstant} and r.delivered_at < ${period.toInstant} and r.state <> 'recalled' ${receiptUnits}
       group by r.unit_id),
    sent as (
      select d.sending_unit_id as unit_id, count(*)::int as sent
        from exchange_documents d
       where d.sent_at >= ${period.fromInstant} and d.sent_at < ${period.toInstant} ${senderUnits}
       group by d.sending_unit_id),
    wanted as (${wanted})
    select w.unit_id, u.name as unit_name, coalesce(s.sent, 0) as sent, coalesce(r.received, 0) as received, coalesce(r.signed, 0) as signed,
           coalesce(r.returned, 0) as returned, r.sign_seconds, coalesce(r.overdue, 0) as overdue
      from wanted w
      left join received r on r.unit_id = w.unit_id
      left join sent s on s.unit_id = w.unit_id
      left join units u on u.id = w.unit_id
     order by u.name, w.unit_id`.execute(db);
  return result.rows.map((r) => {
    const received = Number(r.received);
    const signed = Number(r.signed);
    return {
      unitId: r.unit_id,
      unitName: r.unit_name ?? r.unit_id,
      sent: Number(r.sent),
      received,
      signed,
      returned: Number(r.returned),
      signRate: received ? Math.round((signed / received) * 10_000) / 10_000 : 0,
      avgHoursToSign: signed && r.sign_seconds !== null ? Math.round((Number(r.sign_seconds) / signed / 3600) * 100) / 100 : null,
      overdue: Number(r.overdue),
    };
  });
}

/** 待签收: the unsigned receipts of the units where the caller signs for documents (the inbox index). */
export async function countUnsigned(db: Db, unitIds: string[]): Promise<number> {
  if (!unitIds.length) return 0;
  const row = await sql<{ n: number }>`select count(*)::int as n from exchange_receipts where unit_id in (${sql.join(unitIds)}) and state = 'delivered'`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}
