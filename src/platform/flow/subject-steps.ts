/**
 * The step half of a supervised subject (src/platform/supervision.ts) for subjects whose steps
 * run on the process engine: the engine's tasks of one subject type, read through the reports
 * (index-backed: open tasks by time limit and due date, finished tasks by finish time, the daily
 * roll-up). A module whose work runs on the engine spreads this into its subject.
 */
import { writeCursor } from '../db/pagination.ts';
import * as workingDays from '../calendar/working-days.ts';
import type { SubjectStepSkips, SupervisedSubject } from '../supervision.ts';
import {
  finishedStepDueRange,
  finishedStepsPage,
  finishedStepStats,
  finishedTaskTotals,
  longestWaitingSteps,
  openStepsAtRisk,
  stepsFinishedLate,
  workingOrdinals,
  type StepSkip,
  type StepStatsFilter,
  type TaskSkip,
  type WorkingOrdinals,
} from './reports.ts';

/** The ordinals reach this far around a period; a due date beyond makes the query widen and run again. */
const ORDINAL_MARGIN_DAYS = 800;

const shanghaiDayOf = (instant: Date) => new Date(instant.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

async function ordinalsAround(db: Parameters<typeof workingOrdinals>[0], from: Date, to: Date): Promise<WorkingOrdinals> {
  return workingOrdinals(db, workingDays.addCalendarDays(shanghaiDayOf(from), -ORDINAL_MARGIN_DAYS), workingDays.addCalendarDays(shanghaiDayOf(to), ORDINAL_MARGIN_DAYS));
}

/** The subject's skips as the reports take them: by the task's own id first, then by subject and step. */
const flowSkips = (options: { limit?: number } & SubjectStepSkips): { limit?: number; skip?: StepSkip; skipTask?: TaskSkip } => ({
  limit: options.limit,
  skip: options.skip,
  skipTask: options.skipStep && (({ taskId, dueDate }) => options.skipStep!({ stepId: taskId, dueDate })),
});

type FlowSteps = Pick<SupervisedSubject, 'openStepsAtRisk' | 'stepsFinishedLate' | 'longestWaitingSteps' | 'finishedStepTotals' | 'finishedStepCounts' | 'finishedStepsPage'>;

export function flowSubjectSteps(subjectType: string): FlowSteps {
  return {
    async openStepsAtRisk(db, bands, options) {
      const rows = await openStepsAtRisk(db, subjectType, bands, flowSkips(options));
      return rows.map((s) => ({ stepId: s.taskId, subjectId: s.subjectId, stepKey: s.stepKey, unitId: s.unitId, personId: s.assignee, days: s.days, dueDate: s.dueDate, openedAt: s.openedAt }));
    },

    async stepsFinishedLate(db, since, options) {
      const rows = await stepsFinishedLate(db, subjectType, since, flowSkips(options));
      return rows.map((s) => ({ stepId: s.taskId, subjectId: s.subjectId, stepKey: s.stepKey, unitId: s.unitId, personId: s.finishedBy, days: s.days, dueDate: s.dueDate, finishedAt: s.finishedAt }));
    },

    async longestWaitingSteps(db, limit, unitIds) {
      const rows = await longestWaitingSteps(db, subjectType, limit, unitIds);
      return rows.map((s) => ({ stepId: s.taskId, subjectId: s.subjectId, stepKey: s.stepKey, unitId: s.unitId, dueDate: s.dueDate, openedAt: s.openedAt, suspended: s.instanceStatus === 'suspended' }));
    },

    finishedStepTotals: (db, filter, groupBy) => finishedTaskTotals(db, { subjectType, ...filter }, groupBy),

    async finishedStepCounts(db, period, groupBy) {
      const filter: StepStatsFilter = { subjectType, from: period.from, to: period.to, unitIds: period.unitIds };
      let ordinals = await ordinalsAround(db, period.from, period.to);
      let rows = await finishedStepStats(db, filter, groupBy, ordinals);
      if (rows.some((r) => r.outsideRange > 0)) {
        const range = await finishedStepDueRange(db, filter);
        const first = [range.min ?? ordinals.first, ordinals.first].sort()[0];
        const last = [range.max ?? ordinals.last, ordinals.last].sort()[1];
        ordinals = await workingOrdinals(db, workingDays.addCalendarDays(first, -7), workingDays.addCalendarDays(last, 7));
        rows = await finishedStepStats(db, filter, groupBy, ordinals);
      }
      return rows;
    },

    async finishedStepsPage(db, filter, page) {
      const base = { subjectType, from: filter.from, to: filter.to, unitIds: filter.unitIds, unitId: filter.unitId, personId: filter.personId, outcome: filter.outcome };
      // The engine's page continues after the same (finishedAt, step id) the caller merges on.
      const request = { limit: page.limit, cursor: page.after ? writeCursor(['timestamp', 'text'], page.after) : undefined };
      let ordinals = await ordinalsAround(db, filter.from, filter.to);
      let rows = (await finishedStepsPage(db, base, ordinals, request)).items;
      if (rows.some((r) => r.workingDaysUsed === null)) {
        const dues = rows.map((r) => r.dueDate).sort();
        ordinals = await workingOrdinals(db, [dues[0], ordinals.first].sort()[0], [dues[dues.length - 1], ordinals.last].sort()[1]);
        rows = (await finishedStepsPage(db, base, ordinals, request)).items;
      }
      return rows.map((r) => ({
        stepId: r.taskId,
        subjectId: r.subjectId,
        stepKey: r.stepKey,
        unitId: r.unitId,
        personId: r.finishedBy,
        days: r.days,
        dueDate: r.dueDate,
        finishedAt: r.finishedAt,
        workingDaysUsed: r.workingDaysUsed,
        outcome: r.outcome,
      }));
    },
  };
}
