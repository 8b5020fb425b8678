/**
 * Finding what deserves a card: the periodic deadline scan (also `POST /supervision/scan`) and the
 * hook that runs inside every approval case action. Every decision reads the clock when it is
 * made. The scan asks only for steps whose due date has come within their allowance (one index
 * range per time limit), steps finished late since the last scan, and cases due by the allowance,
 * and leaves out, inside those same statements, whatever already holds a card of that colour: its
 * cost follows the steps at risk, not the number of open steps, and a repeated scan issues nothing.
 */
import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import { inTransaction, type Actor, type Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import { recordAudit } from '../../platform/audit/service.ts';
import { loadCalendar, shanghaiDate, workingDays, type WorkingCalendar } from '../../platform/calendar/index.ts';
import { allSteps } from '../../platform/flow/engine.ts';
import { flowOfSubject, instanceStatuses, openStepsAtRisk, stepsFinishedLate, type RiskBand, type StepSkip, type TaskSkip } from '../../platform/flow/reports.ts';
import type { ApprovalCaseChanged } from '../approval/index.ts';
import { APPROVAL_CASE_SUBJECT, caseFacts, openCasesDueBy, type CaseSkip } from '../approval/supervision-view.ts';
import { issueCards, type Finding, type IssueResult } from './cards.ts';
import { loadSettings } from './settings.ts';
import { allowanceBands, caseEventsOutOfOrder, deadlineColor, finishedLate, flowOutOfOrder, lacksReasons, yellowAllowance, type SupervisionSettings } from './rules.ts';
import type { SupervisionTables } from './model.ts';

const q = (db: Db) => db.withTables<SupervisionTables>();

/** Scans queue behind one another (any number of processes): the second sees the first's cards and issues nothing twice. */
const SCAN_LOCK = 7_346_400;
const LATE_MARK = 'late_finish';
/** How far back the first scan (or one after a clock moved back) looks for steps finished late. */
const LATE_LOOKBACK_MS = 7 * 24 * 3600_000;
/** Overlap with the previous scan, for transactions that committed a finish stamped a little earlier. */
const LATE_OVERLAP_MS = 10 * 60_000;

/** A calendar wide enough for `days` working days from `today` (weekends, a Golden Week, margin). */
async function calendarFrom(db: Db, today: string, days: number): Promise<WorkingCalendar> {
  return loadCalendar(db, workingDays.addCalendarDays(today, -10), workingDays.addCalendarDays(today, Math.ceil(days * 2) + 40));
}

function bandsWithDueDates(today: string, settings: SupervisionSettings, calendar: WorkingCalendar): RiskBand[] {
  return allowanceBands(settings).map((b) => ({ minDays: b.minDays, maxDays: b.maxDays, dueBy: workingDays.addWorkingDays(today, b.remaining, calendar) }));
}

// What a scan already told: the reports leave these out inside their own index probes (one probe
// of the cards' unique key per candidate, and first of the card recorded for that very task,
// which spares the instance lookup), so a repeated scan fetches nothing it would not issue.

/** The task's own deadline card (recorded with its task id) has the colour it would get now. */
const taskCarded =
  (today: string): TaskSkip =>
  ({ taskId, dueDate }) =>
    sql`select c.color = 'red' or ${dueDate} >= ${today}::date from supervision_cards c where c.task_id = ${taskId} and c.reason = 'deadline' limit 1`;

/** The late task's deadline card is red already. */
const lateTaskCarded: TaskSkip = ({ taskId }) => sql`select c.color = 'red' from supervision_cards c where c.task_id = ${taskId} and c.reason = 'deadline' limit 1`;

/** The step's deadline card exists with the colour it would get now (red once the due date has passed). */
const deadlineCarded =
  (today: string): StepSkip =>
  ({ subjectId, stepKey, dueDate }) =>
    sql`select c.color = 'red' or ${dueDate} >= ${today}::date from supervision_cards c where c.case_id = ${subjectId} and c.step_key = ${stepKey} and c.reason = 'deadline'`;

/** The late step's deadline card is red already. */
const lateCarded: StepSkip = ({ subjectId, stepKey }) =>
  sql`select c.color = 'red' from supervision_cards c where c.case_id = ${subjectId} and c.step_key = ${stepKey} and c.reason = 'deadline'`;

/** A case that would issue nothing new: still within its acceptance time, or carded already with that colour. */
const caseCarded =
  (today: string): CaseSkip =>
  ({ id, state, dueDate, acceptDueDate, acceptedAt }) => sql`
    case when ${state} = 'submitted'
         then ${acceptedAt} is not null or ${acceptDueDate} >= ${today}::date
              or exists (select 1 from supervision_cards c where c.case_id = ${id} and c.step_key = '' and c.reason = 'late_acceptance')
         else (select c.color = 'red' or ${dueDate} >= ${today}::date from supervision_cards c where c.case_id = ${id} and c.step_key = '' and c.reason = 'case_deadline')
    end`;

/** Open steps at risk now: red when overdue, yellow when within their allowance. */
async function deadlineFindings(db: Db, today: string, settings: SupervisionSettings, calendar: WorkingCalendar): Promise<Finding[]> {
  const steps = await openStepsAtRisk(db, APPROVAL_CASE_SUBJECT, bandsWithDueDates(today, settings, calendar), { skipTask: taskCarded(today), skip: deadlineCarded(today) });
  return steps.map((s) => ({
    caseId: s.subjectId,
    stepKey: s.stepKey,
    reason: 'deadline' as const,
    color: s.dueDate < today ? ('red' as const) : ('yellow' as const),
    unitId: s.unitId,
    personId: s.assignee,
    taskId: s.taskId,
    dueDate: s.dueDate,
    detail: { days: s.days },
  }));
}

/** Leaves out findings that would change nothing: the card exists with that colour (or is red already). */
async function withoutKnown(db: Db, findings: Finding[]): Promise<Finding[]> {
  if (!findings.length) return [];
  const existing = await sql<{ case_id: string; step_key: string; reason: string; color: string }>`
    select c.case_id, c.step_key, c.reason, c.color
      from supervision_cards c
      join unnest(${findings.map((f) => f.caseId)}::text[], ${findings.map((f) => f.stepKey)}::text[], ${findings.map((f) => f.reason)}::text[]) as k(case_id, step_key, reason)
        on c.case_id = k.case_id and c.step_key = k.step_key and c.reason = k.reason`.execute(db);
  const colors = new Map(existing.rows.map((r) => [`${r.case_id}\u0000${r.step_key}\u0000${r.reason}`, r.color]));
  return findings.filter((f) => {
    const color = colors.get(`${f.caseId}\u0000${f.stepKey}\u0000${f.reason}`);
    return color === undefined || (color === 'yellow' && f.color === 'red');
  });
}

/**
 * One scan: deadline cards for open steps, red cards for steps finished late since the last scan,
 * case-deadline and late-acceptance cards for open cases. Returns what this run issued.
 */
export async function runScan(platform: Platform, actor: Actor): Promise<{ yellow: number; red: number }> {
  return inTransaction(platform.db, actor, async (work) => {
    // Short index probes: compiling them (JIT, triggered by pessimistic estimates) costs more than
    // running them. One round trip with the lock.
    if (platform.dbKind === 'postgres') await sql`select pg_advisory_xact_lock(${SCAN_LOCK}), set_config('jit', 'off', true)`.execute(work.tx);
    else await sql`select pg_advisory_xact_lock(${SCAN_LOCK})`.execute(work.tx);
    const now = platform.clock.now();
    const today = shanghaiDate(now);
    const settings = await loadSettings(work.tx);
    const maxAllowance = Math.max(...allowanceBands(settings).map((b) => b.remaining));
    const calendar = await calendarFrom(work.tx, today, maxAllowance);
    const findings: Finding[] = [];

    findings.push(...(await deadlineFindings(work.tx, today, settings, calendar)));

    const mark = await q(work.tx).selectFrom('supervision_scan_marks').select('at').where('name', '=', LATE_MARK).executeTakeFirst();
    const markAt = mark && new Date(mark.at).getTime() <= now.getTime() ? new Date(mark.at).getTime() - LATE_OVERLAP_MS : now.getTime() - LATE_LOOKBACK_MS;
    for (const s of await stepsFinishedLate(work.tx, APPROVAL_CASE_SUBJECT, new Date(markAt), { skipTask: lateTaskCarded, skip: lateCarded })) {
      findings.push({ caseId: s.subjectId, stepKey: s.stepKey, reason: 'deadline', color: 'red', unitId: s.unitId, personId: s.finishedBy, taskId: s.taskId, dueDate: s.dueDate, detail: { days: s.days, finishedAt: s.finishedAt.toISOString() } });
    }

    findings.push(...(await caseFindings(work.tx, today, settings, calendar)));

    const result = await issueCards(work, platform, await withoutKnown(work.tx, findings), now);
    await q(work.tx)
      .insertInto('supervision_scan_marks')
      .values({ name: LATE_MARK, at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ at: now }))
      .execute();
    if (result.cards.length) recordAudit(work, { action: 'supervision.scan', objectType: 'supervision_scan', objectId: today, details: { yellow: result.yellow, red: result.red } }, now);
    return { yellow: result.yellow, red: result.red };
  });
}

/** Open cases near or past their case deadline, and cases not accepted within 5 working days. */
async function caseFindings(db: Db, today: string, settings: SupervisionSettings, calendar: WorkingCalendar): Promise<Finding[]> {
  const dueBy = workingDays.addWorkingDays(today, settings.yellowRemainingDays, calendar);
  const cases = await openCasesDueBy(db, dueBy, { skip: caseCarded(today) });
  if (!cases.length) return [];
  const statuses = await instanceStatuses(db, APPROVAL_CASE_SUBJECT, cases.map((c) => c.id));
  const findings: Finding[] = [];
  for (const c of cases) {
    if (statuses.get(c.id) !== 'running') continue;
    if (c.state === 'submitted') {
      if (!c.acceptedAt && today > c.acceptDueDate) {
        findings.push({ caseId: c.id, stepKey: '', reason: 'late_acceptance', color: 'red', unitId: c.unitId, personId: null, taskId: null, dueDate: c.acceptDueDate });
      }
      continue;
    }
    findings.push({ caseId: c.id, stepKey: '', reason: 'case_deadline', color: today > c.dueDate ? 'red' : 'yellow', unitId: c.unitId, personId: null, taskId: null, dueDate: c.dueDate });
  }
  return findings;
}

// ---------------------------------------------------------------- the hook on case actions

/**
 * Runs inside the transaction of every approval case action (`approval.case.changed`). Looks at
 * that case only: the step just finished (late?), the steps now open (at risk?), the acceptance
 * (later than allowed?), a second correction request, a rejection without reasons, a fee above
 * the standard, actions out of order. A failure here is contained in a savepoint and logged
 * through the audit trail: supervision never blocks a department's work, and the periodic scan
 * catches the deadlines again.
 */
export async function onCaseChanged(work: Work, platform: Platform, event: ApprovalCaseChanged): Promise<void> {
  const caseId = event.caseId;
  await sql`savepoint supervision_hook`.execute(work.tx);
  try {
    await checkCase(work, platform, caseId, { action: event.action, stepKey: event.stepKey });
    await sql`release savepoint supervision_hook`.execute(work.tx);
  } catch (error) {
    await sql`rollback to savepoint supervision_hook`.execute(work.tx);
    recordAudit(work, { action: 'supervision.hook', objectType: 'approval_application', objectId: caseId, outcome: 'failure', details: { error: error instanceof Error ? error.message.slice(0, 500) : String(error) } }, platform.clock.now());
  }
}

export async function checkCase(work: Work, platform: Platform, caseId: string, event: { action?: unknown; stepKey?: unknown } = {}): Promise<IssueResult> {
  const db = work.tx;
  const now = platform.clock.now();
  const today = shanghaiDate(now);
  const [flow, facts, settings] = await Promise.all([flowOfSubject(work, APPROVAL_CASE_SUBJECT, caseId), caseFacts(db, caseId), loadSettings(db)]);
  if (!flow || !facts) return { yellow: 0, red: 0, cards: [] };
  const summary = facts.summary;
  const findings: Finding[] = [];
  const action = typeof event.action === 'string' ? event.action : '';

  // Finished steps: late ones are red (the step just finished, and any other the scan has not seen yet).
  for (const task of flow.tasks) {
    if (task.state !== 'done' || !task.finishedAt) continue;
    if (finishedLate(shanghaiDate(new Date(task.finishedAt)), task.dueDate)) {
      findings.push({ caseId, stepKey: task.stepKey, reason: 'deadline', color: 'red', unitId: task.unitId, personId: task.finishedBy, taskId: task.id, dueDate: task.dueDate, detail: { days: task.days, finishedAt: new Date(task.finishedAt).toISOString() } });
    }
  }
  // Open steps of a running process (a stopped clock issues nothing).
  const open = flow.status === 'running' ? flow.tasks.filter((t) => t.state === 'open') : [];
  if (open.length) {
    const calendar = await calendarFrom(db, today, Math.max(...open.map((t) => yellowAllowance(t.days, settings))) + 400);
    for (const task of open) {
      const remaining = task.dueDate < today ? -1 : workingDays.countWorkingDays(today, task.dueDate, calendar);
      const color = deadlineColor(today, task.dueDate, remaining, yellowAllowance(task.days, settings));
      if (color) findings.push({ caseId, stepKey: task.stepKey, reason: 'deadline', color, unitId: task.unitId, personId: task.assignee, taskId: task.id, dueDate: task.dueDate, detail: { days: task.days } });
    }
  }

  const firstStep = allSteps(flow.definition)[0]?.key ?? '';
  if (summary.acceptedAt && shanghaiDate(new Date(summary.acceptedAt)) > summary.acceptDueDate) {
    const accept = flow.tasks.find((t) => t.state === 'done' && allSteps(flow.definition).some((s) => s.key === t.stepKey && s.stageIndex === 0));
    findings.push({ caseId, stepKey: '', reason: 'late_acceptance', color: 'red', unitId: summary.unitId, personId: accept?.finishedBy ?? null, taskId: accept?.id ?? null, dueDate: summary.acceptDueDate, detail: { acceptedAt: new Date(summary.acceptedAt).toISOString(), firstStep } });
  }

  const corrections = flow.actions.filter((a) => a.payload.type === 'suspend' && a.payload.reason === 'correction');
  if (Math.max(corrections.length, facts.corrections) >= 2) {
    const second = corrections[1];
    findings.push({ caseId, stepKey: typeof event.stepKey === 'string' ? event.stepKey : '', reason: 'repeated_correction', color: 'red', unitId: summary.unitId, personId: second?.actorId ?? null, taskId: null, dueDate: null, detail: { count: corrections.length } });
  }

  for (const entry of flow.actions) {
    const payload = entry.payload;
    if (payload.type !== 'complete' || payload.outcome !== 'reject') continue;
    const task = [...flow.tasks].reverse().find((t) => t.stepKey === payload.stepKey && t.outcome === 'rejected');
    if (lacksReasons(payload.opinion, settings.rejectionReasonMinChars)) {
      findings.push({ caseId, stepKey: payload.stepKey, reason: 'rejection_without_reasons', color: 'red', unitId: task?.unitId ?? summary.unitId, personId: payload.by, taskId: task?.id ?? null, dueDate: null, detail: { opinion: payload.opinion ?? null } });
    }
  }

  const fee = facts.fee;
  if (fee.chargedFen !== null && fee.chargedFen > fee.standardFen) {
    findings.push({ caseId, stepKey: '', reason: 'fee_above_standard', color: 'red', unitId: summary.unitId, personId: null, taskId: null, dueDate: null, detail: { standardFen: fee.standardFen, chargedFen: fee.chargedFen } });
  }

  const order = flowOutOfOrder(flow.definition, flow.actions) ?? caseEventsOutOfOrder(facts.events);
  if (order) {
    findings.push({ caseId, stepKey: '', reason: 'out_of_order', color: 'red', unitId: summary.unitId, personId: null, taskId: null, dueDate: null, detail: { ...order, action } });
  }

  return issueCards(work, platform, await withoutKnown(db, findings), now);
}
