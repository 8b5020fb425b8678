/**
 * A case on the platform's process engine: one instance per handling round. A round at the
 * dispatching office (分办) ends when the case is assigned; a round at a unit (办理 → 审核) ends
 * when the leader approves the answer, or when the unit passes the case down, transfers it back
 * or it is merged. The next round is a new instance of the same subject, so the engine's log of
 * every round stays as it was, and supervision reads the latest one (flowOfSubject).
 */
import type { Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import type { ProcessDefinition } from '../../platform/flow/engine.ts';
import { startInstance, applyInstanceAction } from '../../platform/flow/service.ts';
import { flowOfSubject, type SubjectFlow } from '../../platform/flow/subject-flow.ts';
import { countWorkingDays, shanghaiDate } from '../../platform/calendar/index.ts';
import { CASE_SUBJECT, type CaseRow } from './model.ts';

/** Outcomes of the steps: what each does to the round. */
export const DISPATCH_OUTCOMES = ['assign', 'close'] as const;
export const HANDLE_OUTCOMES = ['answer', 'pass', 'transfer_back', 'merge'] as const;
export const REVIEW_OUTCOMES = ['approve', 'return'] as const;
export const CLARIFICATION_STOP = 'clarification';

/** Days the dispatching office has to assign a case (分办时限). */
export const DISPATCH_DAYS = 1;
/** Days the leader has to approve an answer. */
export const REVIEW_DAYS = 1;

/** The round at the dispatching office (the mayor's mailbox) or the hotline: assign it, or (hotline) close it at once. */
export function dispatchDefinition(unitId: string, role: 'responder' | 'hotline_operator'): ProcessDefinition {
  return {
    outcomes: [
      { key: 'assign', effect: 'end', ends: 'completed' },
      { key: 'close', effect: 'end', ends: 'completed' },
    ],
    clockStops: [CLARIFICATION_STOP],
    actions: ['suspend', 'resume', 'extend', 'withdraw'],
    stages: [{ key: 'dispatch', name: '分办', unitId, role, days: DISPATCH_DAYS, outcomes: role === 'hotline_operator' ? ['assign', 'close'] : ['assign'] }],
  };
}

/** The round at a handling unit: a responder drafts the answer (or passes the case on), the unit's leader approves it. */
export function handlingDefinition(unitId: string, days: number): ProcessDefinition {
  return {
    outcomes: [
      { key: 'answer', effect: 'advance' },
      { key: 'pass', effect: 'end', ends: 'completed' },
      { key: 'transfer_back', effect: 'end', ends: 'completed' },
      { key: 'merge', effect: 'end', ends: 'completed' },
      { key: 'approve', effect: 'advance' },
      { key: 'return', effect: 'return' },
    ],
    clockStops: [CLARIFICATION_STOP],
    actions: ['suspend', 'resume', 'extend', 'withdraw'],
    stages: [
      { key: 'handle', name: '办理', unitId, role: 'responder', days: Math.max(1, days), outcomes: [...HANDLE_OUTCOMES] },
      { key: 'review', name: '审核', unitId, role: 'unit_leader', days: REVIEW_DAYS, outcomes: [...REVIEW_OUTCOMES] },
    ],
  };
}

/** The working days left until the case's deadline (at least 1: a late case still gets a step). */
export async function daysLeft(work: Work, platform: Platform, row: Pick<CaseRow, 'due_date'>): Promise<number> {
  const today = shanghaiDate(platform.clock.now());
  if (row.due_date <= today) return 1;
  return Math.max(1, (await countWorkingDays(work.tx, today, row.due_date)).workingDays);
}

/** The case's current round (the latest instance) with its log and tasks. */
export const currentRound = (work: Work, caseId: string): Promise<SubjectFlow | null> => flowOfSubject(work, CASE_SUBJECT, caseId);

/** The open task of a step in the round, if any. */
export function openTask(round: SubjectFlow | null, stepKey: string) {
  return round?.tasks.find((t) => t.stepKey === stepKey && t.state === 'open') ?? null;
}

/**
 * Starts the next round: at the dispatching office, or at a handling unit with the days left.
 * A round still running (a case merged or reassigned by the dispatcher) is withdrawn first.
 */
export async function startRound(work: Work, platform: Platform, row: Pick<CaseRow, 'id' | 'due_date' | 'channel'>, at: { kind: 'dispatch'; unitId: string } | { kind: 'handle'; unitId: string }, options: { first?: boolean } = {}) {
  // A case just received has no round yet: nothing to look up.
  const running = options.first ? null : await currentRound(work, row.id);
  if (running && (running.status === 'running' || running.status === 'suspended')) {
    await applyInstanceAction(work, platform, running.instanceId, { type: 'withdraw', by: work.actor.userId ?? 'system' });
  }
  const definition = at.kind === 'dispatch' ? dispatchDefinition(at.unitId, row.channel === 'hotline' ? 'hotline_operator' : 'responder') : handlingDefinition(at.unitId, await daysLeft(work, platform, row));
  return startInstance(work, platform, { definition, subjectType: CASE_SUBJECT, subjectId: row.id });
}
