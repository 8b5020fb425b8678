/** The hotline's tickets as an operator sees them: the ones dispatched by a hotline unit the operator covers. */
import type { Db } from '../../../platform/db/index.ts';
import { AppError, notFound } from '../../../platform/http/errors.ts';
import { coversUnit, type Principal } from '../../../platform/iam/principal.ts';
import { getUnit, type OrgTables, type Unit } from '../../../platform/org/service.ts';
import { HOTLINE_PERMISSION, type CaseRow, type InteractionTables, type Urgency } from '../model.ts';

/** The cases with the units they are at. */
export const withUnits = (db: Db) => db.withTables<InteractionTables & OrgTables>();

/** The operator's own unit, which dispatches the tickets the operator enters; 403 when the operator holds no hotline role there. */
export async function operatorUnit(db: Db, principal: Principal): Promise<Unit> {
  const unit = principal.unitId ? await getUnit(db, principal.unitId) : null;
  if (!unit || unit.disabledAt || !coversUnit(principal, HOTLINE_PERMISSION, unit)) throw new AppError('FORBIDDEN');
  return unit;
}

/** A hotline ticket dispatched by a unit the caller covers as an operator; anything else is 404. `lock`: for update. */
export async function ownTicket(db: Db, principal: Principal, id: string, lock = false): Promise<CaseRow> {
  let query = withUnits(db)
    .selectFrom('interaction_cases as c')
    .innerJoin('units as u', 'u.id', 'c.dispatcher_unit_id')
    .selectAll('c')
    .select('u.region_code as dispatcher_region')
    .where('c.id', '=', id)
    .where('c.channel', '=', 'hotline');
  if (lock) query = query.forUpdate('c');
  const row = await query.executeTakeFirst();
  if (!row || !row.dispatcher_unit_id || !coversUnit(principal, HOTLINE_PERMISSION, { id: row.dispatcher_unit_id, regionCode: row.dispatcher_region })) throw notFound();
  const { dispatcher_region: _, ...ticket } = row;
  return ticket;
}

export interface TicketView {
  id: string;
  trackingNo: string;
  title: string;
  category: string | null;
  urgency: Urgency | null;
  regionCode: string | null;
  state: string;
  handlingUnitId: string;
  handlingUnitName: string;
  dispatcherUnitId: string | null;
  callerName: string;
  receivedAt: string;
  dueDate: string;
  overdue: boolean;
  answeredAt: string | null;
  answer: string | null;
  knowledgeId: string | null;
  supervisedAt: string | null;
  visitedAt: string | null;
  visitSatisfaction: number | null;
  visitNote: string | null;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
const OPEN_STATES = new Set(['received', 'assigned', 'clarifying', 'reviewing']);

export function toTicketView(row: CaseRow & { handling_unit_name?: string }, today: string): TicketView {
  return {
    id: row.id,
    trackingNo: row.tracking_no,
    title: row.title,
    category: row.category,
    urgency: row.urgency,
    regionCode: row.region_code,
    state: row.state,
    handlingUnitId: row.handling_unit_id,
    handlingUnitName: row.handling_unit_name ?? '',
    dispatcherUnitId: row.dispatcher_unit_id,
    callerName: row.writer_name_masked,
    receivedAt: iso(row.received_at)!,
    dueDate: row.due_date,
    overdue: OPEN_STATES.has(row.state) && today > row.due_date,
    answeredAt: iso(row.answered_at),
    answer: row.answer_body,
    knowledgeId: row.knowledge_id,
    supervisedAt: iso(row.supervised_at),
    visitedAt: iso(row.visited_at),
    visitSatisfaction: row.visit_satisfaction,
    visitNote: row.visit_note,
  };
}

/** The tickets of the operator's hotline unit, newest first (a screenful; the unit's inbox lists the rest). */
export async function recentTickets(db: Db, unitId: string, today: string, options: { state?: string; limit?: number } = {}): Promise<TicketView[]> {
  let query = withUnits(db)
    .selectFrom('interaction_cases as c')
    .innerJoin('units as u', 'u.id', 'c.handling_unit_id')
    .selectAll('c')
    .select('u.name as handling_unit_name')
    .where('c.channel', '=', 'hotline')
    .where('c.dispatcher_unit_id', '=', unitId);
  if (options.state) query = query.where('c.state', '=', options.state as CaseRow['state']);
  const rows = await query
    .orderBy('c.received_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(options.limit ?? 20)
    .execute();
  return rows.map((r) => toTicketView(r, today));
}

/** One ticket with the name of the unit that has it. */
export async function ticketView(db: Db, principal: Principal, id: string, today: string): Promise<TicketView> {
  const row = await ownTicket(db, principal, id);
  const unit = await getUnit(db, row.handling_unit_id);
  return toTicketView({ ...row, handling_unit_name: unit?.name ?? '' }, today);
}
