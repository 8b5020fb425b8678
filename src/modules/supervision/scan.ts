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
import type { RiskBand, SubjectCarded, SubjectChange, SubjectStepSkips, SupervisedSubject } from '../../platform/supervision.ts';
import { issueCards, type Finding, type IssueResult } from './cards.ts';
import { loadSettings } from './settings.ts';
import { allowanceBands, caseEventsOutOfOrder, finishedLate, flowOutOfOrder, lacksReasons, openStepColor, yellowAllowance, type SupervisionSettings } from './rules.ts';
import type { SupervisionTables } from './model.ts';
import { subjectsOf } from './subjects.ts';

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

// What a scan already told: the subjects' step queries leave these out inside their own index
// probes (one probe of the cards' unique key per candidate, and first of the card recorded for
// that very step, which spares the subject lookup), so a repeated scan fetches nothing it would not issue.

/** Steps whose deadline card has the colour they would get now (red once the due date has passed). */
const stepsCarded = (type: string, today: string): SubjectStepSkips => ({
  skipStep: ({ stepId, dueDate }) =>
    sql`select c.color = 'red' or ${dueDate} >= ${today}::date from supervision_cards c where c.task_id = ${stepId} and c.reason = 'deadline' and c.subject_type = ${type} limit 1`,
  skip: ({ subjectId, stepKey, dueDate }) =>
    sql`select c.color = 'red' or ${dueDate} >= ${today}::date from supervision_cards c where c.subject_type = ${type} and c.case_id = ${subjectId} and c.step_key = ${stepKey} and c.reason = 'deadline'`,
});

/** Late steps whose deadline card is red already. */
const lateStepsCarded = (type: string): SubjectStepSkips => ({
  skipStep: ({ stepId }) => sql`select c.color = 'red' from supervision_cards c where c.task_id = ${stepId} and c.reason = 'deadline' and c.subject_type = ${type} limit 1`,
  skip: ({ subjectId, stepKey }) => sql`select c.color = 'red' from supervision_cards c where c.subject_type = ${type} and c.case_id = ${subjectId} and c.step_key = ${stepKey} and c.reason = 'deadline'`,
});

/** The subject holds a card of that reason with the colour it would get now. */
const subjectCarded =
  (type: string, today: string): SubjectCarded =>
  ({ id, reason, dueDate }) =>
    sql`select c.color = 'red' or ${dueDate} >= ${today}::date from supervision_cards c where c.subject_type = ${type} and c.case_id = ${id} and c.step_key = '' and c.reason = ${reason}`;

/**
 * Open steps at risk now: red when overdue, yellow when within their allowance. The bands are
 * wide for short steps (due by the next working day); those are then looked at in working minutes.
 */
async function deadlineFindings(db: Db, subject: SupervisedSubject, bands: RiskBand[], now: Date, settings: SupervisionSettings, calendar: WorkingCalendar, hours: Platform['config']['workingHours']): Promise<Finding[]> {
  const today = shanghaiDate(now);
  const candidates = await subject.openStepsAtRisk(db, bands, stepsCarded(subject.type, today));
  const steps = candidates.filter((s) => s.dueDate < today || openStepColor(now, s, calendar, hours, settings) !== null);
  return steps.map((s) => ({
    subjectType: subject.type,
    caseId: s.subjectId,
    stepKey: s.stepKey,
    reason: 'deadline' as const,
    color: s.dueDate < today ? ('red' as const) : ('yellow' as const),
    unitId: s.unitId,
    personId: s.personId,
    taskId: s.stepId,
    dueDate: s.dueDate,
    detail: { days: s.days },
  }));
}

/** Leaves out findings that would change nothing: the card exists with that colour (or is red already). */
async function withoutKnown(db: Db, findings: Finding[]): Promise<Finding[]> {
  if (!findings.length) return [];
  const existing = await sql<{ subject_type: string; case_id: string; step_key: string; reason: string; color: string }>`
    select c.subject_type, c.case_id, c.step_key, c.reason, c.color
      from supervision_cards c
      join unnest(${findings.map((f) => f.subjectType)}::text[], ${findings.map((f) => f.caseId)}::text[], ${findings.map((f) => f.stepKey)}::text[], ${findings.map((f) => f.reason)}::text[]) as k(subject_type, case_id, step_key, reason)
        on c.subject_type = k.subject_type and c.case_id = k.case_id and c.step_key = k.step_key and c.reason = k.reason`.execute(db);
  const key = (r: { subjectType: string; caseId: string; stepKey: string; reason: string }) => `${r.subjectType}\u0000${r.caseId}\u0000${r.stepKey}\u0000${r.reason}`;
  const colors = new Map(existing.rows.map((r) => [key({ subjectType: r.subject_type, caseId: r.case_id, stepKey: r.step_key, reason: r.reason }), r.color]));
  return findings.filter((f) => {
    const color = colors.get(key(f));
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
    const bands = bandsWithDueDates(today, settings, calendar);
    const caseDueBy = workingDays.addWorkingDays(today, settings.yellowRemainingDays, calendar);

    const mark = await q(work.tx).selectFrom('supervision_scan_marks').select('at').where('name', '=', LATE_MARK).executeTakeFirst();
    const markAt = mark && new Date(mark.at).getTime() <= now.getTime() ? new Date(mark.at).getTime() - LATE_OVERLAP_MS : now.getTime() - LATE_LOOKBACK_MS;
    for (const subject of subjectsOf(platform)) {
      findings.push(...(await deadlineFindings(work.tx, subject, bands, now, settings, calendar, platform.config.workingHours)));
      for (const s of await subject.stepsFinishedLate(work.tx, new Date(markAt), lateStepsCarded(subject.type))) {
        findings.push({ subjectType: subject.type, caseId: s.subjectId, stepKey: s.stepKey, reason: 'deadline', color: 'red', unitId: s.unitId, personId: s.personId, taskId: s.stepId, dueDate: s.dueDate, detail: { days: s.days, finishedAt: s.finishedAt.toISOString() } });
      }
      for (const f of (await subject.deadlines?.(work.tx, { today, dueBy: caseDueBy, carded: subjectCarded(subject.type, today) })) ?? []) {
        findings.push({ subjectType: subject.type, caseId: f.subjectId, stepKey: '', reason: f.reason, color: f.color, unitId: f.unitId, personId: null, taskId: null, dueDate: f.dueDate });
      }
    }

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

// ---------------------------------------------------------------- the hook on subject changes

/**
 * Runs inside the transaction of every change of a supervised subject (the events its module
 * declares in the subject's `changedBy`, an approval case action for one). Looks at that subject
 * only: the step just finished (late?), the steps now open (at risk?), the acceptance (later than
 * allowed?), a second correction request, a rejection without reasons, a fee above the standard,
 * actions out of order. A failure here is contained in a savepoint and logged through the audit
 * trail: supervision never blocks a department's work, and the periodic scan catches the
 * deadlines again.
 */
export async function onSubjectChanged(work: Work, platform: Platform, subject: SupervisedSubject, change: SubjectChange): Promise<void> {
  await sql`savepoint supervision_hook`.execute(work.tx);
  try {
    await checkSubject(work, platform, subject.type, change.subjectId, change);
    await sql`release savepoint supervision_hook`.execute(work.tx);
  } catch (error) {
    await sql`rollback to savepoint supervision_hook`.execute(work.tx);
    recordAudit(work, { action: 'supervision.hook', objectType: subject.type, objectId: change.subjectId, outcome: 'failure', details: { error: error instanceof Error ? error.message.slice(0, 500) : String(error) } }, platform.clock.now());
  }
}

/** Checks one subject now (the hook, and tests): the cards it deserves and has not got yet are issued. */
export async function checkSubject(work: Work, platform: Platform, subjectType: string, subjectId: string, change: { action?: string | null; stepKey?: string | null } = {}): Promise<IssueResult> {
  const subject = platform.modules.subject(subjectType);
  if (!subject) return { yellow: 0, red: 0, cards: [] };
  const db = work.tx;
  const now = platform.clock.now();
  const today = shanghaiDate(now);
  const [facts, settings] = await Promise.all([subject.facts(work, subjectId), loadSettings(db)]);
  if (!facts) return { yellow: 0, red: 0, cards: [] };
  const summary = facts.summary;
  const findings: Finding[] = [];
  const found = (f: Omit<Finding, 'subjectType' | 'caseId'>) => findings.push({ subjectType, caseId: subjectId, ...f });
  const action = change.action ?? '';

  // Finished steps: late ones are red (the step just finished, and any other the scan has not seen yet).
  for (const step of facts.steps) {
    if (step.state !== 'done' || !step.finishedAt) continue;
    if (finishedLate(shanghaiDate(new Date(step.finishedAt)), step.dueDate)) {
      found({ stepKey: step.stepKey, reason: 'deadline', color: 'red', unitId: step.unitId, personId: step.finishedBy, taskId: step.stepId, dueDate: step.dueDate, detail: { days: step.days, finishedAt: new Date(step.finishedAt).toISOString() } });
    }
  }
  // Open steps of a running subject (a stopped clock issues nothing).
  const open = facts.running ? facts.steps.filter((t) => t.state === 'open') : [];
  if (open.length) {
    const calendar = await calendarFrom(db, today, Math.max(...open.map((t) => yellowAllowance(t.days, settings))) + 400);
    for (const step of open) {
      const color = openStepColor(now, step, calendar, platform.config.workingHours, settings);
      if (color) found({ stepKey: step.stepKey, reason: 'deadline', color, unitId: step.unitId, personId: step.personId, taskId: step.stepId, dueDate: step.dueDate, detail: { days: step.days } });
    }
  }

  const acceptance = facts.acceptance;
  if (acceptance?.acceptedAt && shanghaiDate(new Date(acceptance.acceptedAt)) > acceptance.dueDate) {
    found({ stepKey: '', reason: 'late_acceptance', color: 'red', unitId: summary.unitId, personId: acceptance.acceptedBy, taskId: acceptance.stepId, dueDate: acceptance.dueDate, detail: { acceptedAt: new Date(acceptance.acceptedAt).toISOString(), firstStep: acceptance.firstStep } });
  }

  if (facts.corrections && facts.corrections.count >= 2) {
    found({ stepKey: change.stepKey ?? '', reason: 'repeated_correction', color: 'red', unitId: summary.unitId, personId: facts.corrections.secondBy, taskId: null, dueDate: null, detail: { count: facts.corrections.count } });
  }

  for (const rejection of facts.rejections ?? []) {
    if (lacksReasons(rejection.opinion, settings.rejectionReasonMinChars)) {
      found({ stepKey: rejection.stepKey, reason: 'rejection_without_reasons', color: 'red', unitId: rejection.unitId ?? summary.unitId, personId: rejection.by, taskId: rejection.stepId, dueDate: null, detail: { opinion: rejection.opinion } });
    }
  }

  const fee = facts.fee;
  if (fee && fee.chargedFen !== null && fee.chargedFen > fee.standardFen) {
    found({ stepKey: '', reason: 'fee_above_standard', color: 'red', unitId: summary.unitId, personId: null, taskId: null, dueDate: null, detail: { standardFen: fee.standardFen, chargedFen: fee.chargedFen } });
  }

  const order = (facts.process ? flowOutOfOrder(facts.process.definition, facts.process.actions) : null) ?? (facts.events ? caseEventsOutOfOrder(facts.events) : null);
  if (order) {
    found({ stepKey: '', reason: 'out_of_order', color: 'red', unitId: summary.unitId, personId: null, taskId: null, dueDate: null, detail: { ...order, action } });
  }

  return issueCards(work, platform, await withoutKnown(db, findings), now);
}
