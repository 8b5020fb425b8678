/**
 * The register of disclosure requests (依申请公开情况) that the annual report on open government
 * information (政府信息公开工作年度报告) requires, per handling unit and calendar year (Asia/Shanghai):
 *
 * - received: requests received in the year;
 * - carriedOver: received before the year and not answered when it began;
 * - answered: answered in the year, by the statutory answer type;
 * - open: received by the end of the year (or now, for the current year) and not answered by then;
 * - extended: of the year's requests (received or carried over), those whose time limit was extended.
 *
 * Every figure is counted from the cases themselves in one statement, so that
 * received + carriedOver = answeredTotal + open (answered after the year counts as open at its end).
 * Requests merged into another one are answered with it and are counted there only.
 */
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';
import { fieldError, invalid, notFound } from '../../../platform/http/errors.ts';
import { hasPermission, scopesFor, type Principal } from '../../../platform/iam/principal.ts';
import { unitIdsUnderRegions } from '../../../platform/org/service.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import { ANSWER_TYPES, OVERSIGHT_PERMISSION, STATS_PERMISSION, type AnswerType } from '../model.ts';

export const FIRST_REGISTER_YEAR = 2000;
export const LAST_REGISTER_YEAR = 2100;

export interface RegisterFigures {
  received: number;
  carriedOver: number;
  answered: Record<AnswerType, number>;
  /** Every answer of the year (an answer without a type, from before the types were required, counts here only). */
  answeredTotal: number;
  open: number;
  extended: number;
}

export interface RegisterRow extends RegisterFigures {
  unitId: string;
  unitName: string;
}

export interface DisclosureRegister {
  year: number;
  items: RegisterRow[];
  total: RegisterFigures;
}

/** The year asked for (default: the current one in Shanghai), or a 400. */
export function registerYear(value: string | number | undefined, now: Date): number {
  if (value === undefined || value === '') return Number(shanghaiDate(now).slice(0, 4));
  const year = Number(value);
  if (!Number.isInteger(year) || year < FIRST_REGISTER_YEAR || year > LAST_REGISTER_YEAR) {
    throw invalid([fieldError('year', 'interaction.register.yearInvalid', { from: FIRST_REGISTER_YEAR, to: LAST_REGISTER_YEAR })]);
  }
  return year;
}

/**
 * The units whose requests the caller may count: null for every unit (a supervisor with a
 * unit-scoped oversight assignment), else the units of their assignments.
 */
export async function registerScope(db: Db, principal: Principal): Promise<string[] | null> {
  const oversight = hasPermission(principal, OVERSIGHT_PERMISSION) ? scopesFor(principal, OVERSIGHT_PERMISSION) : [];
  if (oversight.some((s) => 'unitId' in s)) return null;
  const ids = new Set<string>();
  const regions: string[] = [];
  for (const scope of [...oversight, ...scopesFor(principal, STATS_PERMISSION)]) {
    if ('unitId' in scope) ids.add(scope.unitId);
    else regions.push(scope.regionCode);
  }
  if (regions.length) for (const row of await unitIdsUnderRegions(db, regions).execute()) ids.add(row.id);
  return [...ids];
}

const emptyFigures = (): RegisterFigures => ({ received: 0, carriedOver: 0, answered: Object.fromEntries(ANSWER_TYPES.map((t) => [t, 0])) as Record<AnswerType, number>, answeredTotal: 0, open: 0, extended: 0 });

function add(into: RegisterFigures, from: RegisterFigures) {
  into.received += from.received;
  into.carriedOver += from.carriedOver;
  for (const t of ANSWER_TYPES) into.answered[t] += from.answered[t];
  into.answeredTotal += from.answeredTotal;
  into.open += from.open;
  into.extended += from.extended;
}

/** The register of a year for the caller's units (or one of them: `unitId`, 404 when outside the caller's scope). */
export async function disclosureRegister(db: Db, principal: Principal, year: number, options: { unitId?: string } = {}): Promise<DisclosureRegister> {
  const scope = await registerScope(db, principal);
  let unitIds = scope;
  if (options.unitId) {
    if (scope && !scope.includes(options.unitId)) throw notFound();
    unitIds = [options.unitId];
  }
  return registerOf(db, year, unitIds);
}

/** The register of a year over the units given (null: all), one row per unit with any figure. */
export async function registerOf(db: Db, year: number, unitIds: string[] | null): Promise<DisclosureRegister> {
  const total = emptyFigures();
  if (unitIds && !unitIds.length) return { year, items: [], total };
  const start = new Date(`${year}-01-01T00:00:00+08:00`);
  const end = new Date(`${year + 1}-01-01T00:00:00+08:00`);
  const units = unitIds === null ? sql`` : sql` and c.handling_unit_id in (${sql.join(unitIds)})`;
  const typed = ANSWER_TYPES.map((t) => sql`count(*) filter (where c.answered_at >= ${start} and c.answered_at < ${end} and c.answer_type = ${t})::int as ${sql.ref(`answered_${t}`)}`);
  // The year's workload: received before its end and not answered before its start (interaction_cases_channel's range).
  const result = await sql<Record<string, number> & { unit_id: string; unit_name: string }>`
    select c.handling_unit_id as unit_id, min(u.name) as unit_name,
           count(*) filter (where c.received_at >= ${start})::int as received,
           count(*) filter (where c.received_at < ${start})::int as carried_over,
           ${sql.join(typed)},
           count(*) filter (where c.answered_at >= ${start} and c.answered_at < ${end})::int as answered_total,
           count(*) filter (where c.answered_at is null or c.answered_at >= ${end})::int as open,
           count(*) filter (where c.extension_days > 0)::int as extended
      from interaction_cases c
      join units u on u.id = c.handling_unit_id
     where c.channel = 'disclosure_request' and c.received_at < ${end} and c.state <> 'merged'
       and (c.answered_at is null or c.answered_at >= ${start}) ${units}
     group by c.handling_unit_id
     order by min(u.name), c.handling_unit_id`.execute(db);
  const items = result.rows.map((r) => {
    const row: RegisterRow = {
      unitId: r.unit_id,
      unitName: r.unit_name,
      received: Number(r.received),
      carriedOver: Number(r.carried_over),
      answered: Object.fromEntries(ANSWER_TYPES.map((t) => [t, Number(r[`answered_${t}`])])) as Record<AnswerType, number>,
      answeredTotal: Number(r.answered_total),
      open: Number(r.open),
      extended: Number(r.extended),
    };
    add(total, row);
    return row;
  });
  return { year, items, total };
}
