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
import { loadCalendar, workingDays } from '../../platform/calendar/index.ts';
import type { SubjectOpenStep, SubjectWaitingStep } from '../../platform/supervision.ts';
import { readScope, scopeUnitIds, supervisorScope, unitFilter, type UnitScope } from './access.ts';
import { loadSettings } from './settings.ts';
import { allowanceBands } from './rules.ts';
import { cardTotals } from './cards.ts';
import { subjectsOf, summariesOf } from './subjects.ts';

const AT_RISK_LIMIT = 5000;
const LIST_LIMIT = 20;

export interface MonitorStep {
  taskId: string;
  subjectType: string;
  caseId: string;
  receiptNo: string | null;
  itemName: string | null;
  /** The subject's staff page. */
  link: string | null;
  stepKey: string;
  /** The step's name (受理), when its subject names its steps. */
  stepName: string | null;
  unitId: string;
  unitName: string;
  dueDate: string;
  openedAt: string;
  color: 'yellow' | 'red' | null;
  suspended: boolean;
}

export interface OpenCasesRow {
  unitId: string;
  unitName: string;
  states: Record<string, number>;
  subjects: Record<string, Record<string, number>>;
  total: number;
}

export interface MonitorSnapshot {
  at: string;
  today: string;
  /** The open states of the installed subjects, in the order of the table's columns. */
  states: Array<{ subjectType: string; state: string; labelKey: string }>;
  /** Per unit: open subjects by state (all subject types together), and by subject type and state. */
  openCases: OpenCasesRow[];
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

  type Tagged<T> = T & { subjectType: string };
  const subjects = subjectsOf(platform);
  const perSubject = await Promise.all(
    subjects.map(async (subject) => {
      const tag = <T,>(rows: T[]): Tagged<T>[] => rows.map((r) => ({ ...r, subjectType: subject.type }));
      const [counts, risky, waiting] = await Promise.all([subject.openCounts(db, unitIds), subject.openStepsAtRisk(db, riskBands, { limit: AT_RISK_LIMIT }), subject.longestWaitingSteps(db, LIST_LIMIT, unitIds)]);
      return { counts: tag(counts), risky: tag(risky), waiting: tag(waiting) };
    }),
  );
  const [cardsToday, overdue] = await Promise.all([cardsIssuedOn(db, scope, today), overdueCounts(db, scope, today)]);
  const counts = perSubject.flatMap((p) => p.counts);
  const risky = perSubject.flatMap((p) => p.risky);
  const waiting = perSubject
    .flatMap((p) => p.waiting)
    .sort((a, b) => new Date(a.openedAt).getTime() - new Date(b.openedAt).getTime() || (a.stepId < b.stepId ? -1 : 1))
    .slice(0, LIST_LIMIT);
  const atRisk = risky.filter((s) => inScope(s.unitId)).sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.stepId < b.stepId ? -1 : 1));
  const shownRisk = atRisk.slice(0, LIST_LIMIT);
  const riskIds = new Set(atRisk.map((s) => `${s.subjectType}\u0000${s.stepId}`));
  const summaries = await summariesOf(platform, db, [...shownRisk, ...waiting].map((s) => ({ subject_type: s.subjectType, case_id: s.subjectId })));
  const units = new Map((await getUnits(db, [...new Set([...counts.map((c) => c.unitId), ...shownRisk.map((s) => s.unitId), ...waiting.map((s) => s.unitId)])])).map((u) => [u.id, u.name]));

  const perUnit = new Map<string, OpenCasesRow>();
  for (const c of counts) {
    const entry = perUnit.get(c.unitId) ?? { unitId: c.unitId, unitName: units.get(c.unitId) ?? c.unitId, states: {}, subjects: {}, total: 0 };
    entry.states[c.state] = (entry.states[c.state] ?? 0) + c.count;
    entry.subjects[c.subjectType] = { ...entry.subjects[c.subjectType], [c.state]: c.count };
    entry.total += c.count;
    perUnit.set(c.unitId, entry);
  }
  const step = (s: Tagged<SubjectOpenStep | SubjectWaitingStep>, suspended: boolean): MonitorStep => {
    const subject = summaries({ subject_type: s.subjectType, case_id: s.subjectId });
    return {
      taskId: s.stepId,
      subjectType: s.subjectType,
      caseId: s.subjectId,
      receiptNo: subject?.trackingNo ?? null,
      itemName: subject?.title ?? null,
      link: subject?.staffLink ?? null,
      stepKey: s.stepKey,
      stepName: subject?.stepNames?.[s.stepKey] ?? null,
      unitId: s.unitId,
      unitName: units.get(s.unitId) ?? s.unitId,
      dueDate: s.dueDate,
      openedAt: new Date(s.openedAt).toISOString(),
      color: suspended ? null : s.dueDate < today ? 'red' : riskIds.has(`${s.subjectType}\u0000${s.stepId}`) ? 'yellow' : null,
      suspended,
    };
  };
  return {
    at: now.toISOString(),
    today,
    states: subjects.flatMap((subject) => subject.openStates.map((s) => ({ subjectType: subject.type, state: s.state, labelKey: s.labelKey }))),
    openCases: [...perUnit.values()].sort((a, b) => b.total - a.total || (a.unitName < b.unitName ? -1 : 1)),
    atRisk: {
      red: atRisk.filter((s) => s.dueDate < today).length,
      yellow: atRisk.filter((s) => s.dueDate >= today).length,
      truncated: perSubject.some((p) => p.risky.length >= AT_RISK_LIMIT),
      steps: shownRisk.map((s) => step(s, false)),
    },
    cardsToday,
    longestWaiting: waiting.map((s) => step(s, s.suspended)),
    complaintsOverdue: overdue.complaints,
    rectificationsOverdue: overdue.rectifications,
  };
}
