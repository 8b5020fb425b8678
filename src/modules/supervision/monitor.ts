/**
 * The real-time monitor (实时监控): what is open where, what is at risk now, what was carded
 * today, what has waited longest. Every figure comes from counters kept with the rows (open cases
 * per unit and state, cards per day) or from a short range of an index over open work, so the
 * board stays fast however many cases are open and however long the history grows.
 */
import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type { Platform } from '../../platform/module.ts';
import { forbidden } from '../../platform/http/errors.ts';
import { shanghaiDate } from '../../platform/calendar/index.ts';
import type { Principal } from '../../platform/iam/principal.ts';
import { getUnits } from '../../platform/org/service.ts';
import { longestWaitingSteps, openStepsAtRisk } from '../../platform/flow/reports.ts';
import { loadCalendar, workingDays } from '../../platform/calendar/index.ts';
import { APPROVAL_CASE_SUBJECT, caseSummaries, openCaseCounts } from '../approval/supervision-view.ts';
import { readScope, scopeUnitIds, supervisorScope, unitFilter, type UnitScope } from './access.ts';
import { loadSettings } from './settings.ts';
import { allowanceBands } from './rules.ts';
import { cardTotals } from './cards.ts';

const AT_RISK_LIMIT = 5000;
const LIST_LIMIT = 20;

export interface MonitorStep {
  taskId: string;
  caseId: string;
  receiptNo: string | null;
  itemName: string | null;
  stepKey: string;
  unitId: string;
  unitName: string;
  dueDate: string;
  openedAt: string;
  color: 'yellow' | 'red' | null;
  suspended: boolean;
}

export interface MonitorSnapshot {
  at: string;
  today: string;
  openCases: Array<{ unitId: string; unitName: string; states: Record<string, number>; total: number }>;
  atRisk: { yellow: number; red: number; truncated: boolean; steps: MonitorStep[] };
  cardsToday: { yellow: number; red: number };
  longestWaiting: MonitorStep[];
  complaintsOverdue: number;
  rectificationsOverdue: number;
}

/** Cards issued today by colour, from the per-day counters of the cards. */
async function cardsIssuedOn(db: Db, scope: UnitScope, day: string) {
  const counts = { yellow: 0, red: 0 };
  for (const row of await cardTotals(db, scope, day, day, 'unit')) {
    counts.yellow += row.yellow;
    counts.red += row.red;
  }
  return counts;
}

async function overdueCounts(db: Db, scope: UnitScope, today: string) {
  const result = await sql<{ complaints: number; rectifications: number }>`
    select (select count(*)::int from supervision_complaints where state <> 'replied' and due_date < ${today} and ${unitFilter(db, scope, 'unit_id')}) as complaints,
           (select count(*)::int from supervision_rectifications where state = 'open' and due_date < ${today} and ${unitFilter(db, scope, 'unit_id')}) as rectifications`.execute(db);
  return { complaints: Number(result.rows[0]?.complaints ?? 0), rectifications: Number(result.rows[0]?.rectifications ?? 0) };
}

export async function monitorSnapshot(platform: Platform, principal: Principal): Promise<MonitorSnapshot> {
  const db = platform.db;
  const scope = supervisorScope(principal) ?? readScope(principal);
  if (!scope) throw forbidden();
  const now = platform.clock.now();
  const today = shanghaiDate(now);
  const unitIds = await scopeUnitIds(db, scope);
  const inScope = (unitId: string) => unitIds === null || unitIds.includes(unitId);
  const settings = await loadSettings(db);
  const bands = allowanceBands(settings);
  const maxAllowance = Math.max(...bands.map((b) => b.remaining));
  const calendar = await loadCalendar(db, today, workingDays.addCalendarDays(today, maxAllowance * 2 + 40));
  const riskBands = bands.map((b) => ({ minDays: b.minDays, maxDays: b.maxDays, dueBy: workingDays.addWorkingDays(today, b.remaining, calendar) }));

  const [counts, risky, waiting, cardsToday, overdue] = await Promise.all([
    openCaseCounts(db, unitIds),
    openStepsAtRisk(db, APPROVAL_CASE_SUBJECT, riskBands, { limit: AT_RISK_LIMIT }),
    longestWaitingSteps(db, APPROVAL_CASE_SUBJECT, LIST_LIMIT, unitIds),
    cardsIssuedOn(db, scope, today),
    overdueCounts(db, scope, today),
  ]);
  const atRisk = risky.filter((s) => inScope(s.unitId)).sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.taskId < b.taskId ? -1 : 1));
  const shownRisk = atRisk.slice(0, LIST_LIMIT);
  const riskIds = new Set(atRisk.map((s) => s.taskId));
  const cases = await caseSummaries(db, [...shownRisk.map((s) => s.subjectId), ...waiting.map((s) => s.subjectId)]);
  const units = new Map((await getUnits(db, [...new Set([...counts.map((c) => c.unitId), ...shownRisk.map((s) => s.unitId), ...waiting.map((s) => s.unitId)])])).map((u) => [u.id, u.name]));

  const perUnit = new Map<string, { unitId: string; unitName: string; states: Record<string, number>; total: number }>();
  for (const c of counts) {
    const entry = perUnit.get(c.unitId) ?? { unitId: c.unitId, unitName: units.get(c.unitId) ?? c.unitId, states: {}, total: 0 };
    entry.states[c.state] = c.count;
    entry.total += c.count;
    perUnit.set(c.unitId, entry);
  }
  const step = (s: { taskId: string; subjectId: string; stepKey: string; unitId: string; dueDate: string; openedAt: Date }, suspended: boolean): MonitorStep => ({
    taskId: s.taskId,
    caseId: s.subjectId,
    receiptNo: cases.get(s.subjectId)?.receiptNo ?? null,
    itemName: cases.get(s.subjectId)?.itemName ?? null,
    stepKey: s.stepKey,
    unitId: s.unitId,
    unitName: units.get(s.unitId) ?? s.unitId,
    dueDate: s.dueDate,
    openedAt: new Date(s.openedAt).toISOString(),
    color: suspended ? null : s.dueDate < today ? 'red' : riskIds.has(s.taskId) ? 'yellow' : null,
    suspended,
  });
  return {
    at: now.toISOString(),
    today,
    openCases: [...perUnit.values()].sort((a, b) => b.total - a.total || (a.unitName < b.unitName ? -1 : 1)),
    atRisk: {
      red: atRisk.filter((s) => s.dueDate < today).length,
      yellow: atRisk.filter((s) => s.dueDate >= today).length,
      truncated: risky.length >= AT_RISK_LIMIT,
      steps: shownRisk.map((s) => step(s, false)),
    },
    cardsToday,
    longestWaiting: waiting.map((s) => step(s, s.instanceStatus === 'suspended')),
    complaintsOverdue: overdue.complaints,
    rectificationsOverdue: overdue.rectifications,
  };
}
