/**
 * What every handling command starts with: the case row locked FOR UPDATE (two staff acting on one
 * case at once: the second waits, then finds the state changed and gets 409), the caller's access
 * to the unit that has it (another unit's case is 404, as if it did not exist) and the state the
 * action needs; and what it ends with: the row written back with its version bumped.
 */
import { sql } from 'kysely';
import type { Work } from '../../../platform/db/work.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { coversUnit } from '../../../platform/iam/principal.ts';
import { AppError, fieldError, notFound } from '../../../platform/http/errors.ts';
import { getUnit, type Unit } from '../../../platform/org/service.ts';
import { currentRound, openTask } from '../process.ts';
import { getTask, mayHandle } from '../../../platform/flow/service.ts';
import { DISPATCH_PERMISSION, HANDLE_PERMISSION, APPROVE_PERMISSION, HOTLINE_PERMISSION, interactionDb, type CaseRow, type CaseState, type CaseTable } from '../model.ts';

/** The permissions of the staff of the unit that has a case (they may act on it). */
export const STAFF_PERMISSIONS = [DISPATCH_PERMISSION, HANDLE_PERMISSION, APPROVE_PERMISSION, HOTLINE_PERMISSION] as const;

export type LockedCase = CaseRow & { unit_region: string; unit_name: string };

/**
 * Whether the caller is staff of the unit for a case of the channel: a responder, leader or
 * dispatcher covering the unit; the hotline's operators only for hotline tickets.
 */
export function isStaffOf(principal: Principal, unit: { id: string; regionCode: string }, channel: string): boolean {
  return STAFF_PERMISSIONS.some((p) => (p !== HOTLINE_PERMISSION || channel === 'hotline') && coversUnit(principal, p, unit));
}

/**
 * Locks the case and checks it: unknown or another unit's → 404; not in one of `states` → 409;
 * `expectedVersion` given and different → 409.
 */
export async function lockCase(work: Work, principal: Principal, caseId: string, options: { states: readonly CaseState[]; expectedVersion?: number }): Promise<LockedCase> {
  // Who may act is decided on the case as the caller saw it; the lock then waits for anyone
  // acting at the same moment, and a case changed meanwhile (another version) is 409.
  const seen = await sql<{ version: number; handling_unit_id: string; channel: string; region_code: string; name: string }>`
    select c.version, c.handling_unit_id, c.channel, u.region_code, u.name from interaction_cases c join units u on u.id = c.handling_unit_id where c.id = ${caseId}`.execute(work.tx);
  const before = seen.rows[0];
  if (!before) throw notFound();
  if (!isStaffOf(principal, { id: before.handling_unit_id, regionCode: before.region_code }, before.channel)) {
    // Staff of a unit that had the case a moment ago (a colleague assigned or passed it first)
    // are told it moved on; anyone else is told nothing about it.
    if (await heldBefore(work, principal, caseId, before.channel)) throw new AppError('CONFLICT', { detail: { key: 'interaction.case.movedOn' } });
    throw notFound();
  }
  const row = await interactionDb(work.tx).selectFrom('interaction_cases').selectAll().where('id', '=', caseId).forUpdate().executeTakeFirstOrThrow();
  if (row.version !== before.version) throw new AppError('CONFLICT', { detail: { key: 'interaction.case.stateChanged', params: { state: row.state } } });
  if (!options.states.includes(row.state)) throw new AppError('CONFLICT', { detail: { key: 'interaction.case.stateChanged', params: { state: row.state } } });
  if (options.expectedVersion !== undefined && options.expectedVersion !== row.version) throw new AppError('CONFLICT');
  return { ...row, unit_region: before.region_code, unit_name: before.name };
}

/** Whether the caller is staff of a unit that held the case before the one that has it now. */
async function heldBefore(work: Work, principal: Principal, caseId: string, channel: string): Promise<boolean> {
  const held = await sql<{ id: string; region_code: string }>`
    select u.id, u.region_code from units u
    where u.id in (
      select c.dispatcher_unit_id from interaction_cases c where c.id = ${caseId}
      union select c.target_unit_id from interaction_cases c where c.id = ${caseId}
      union select e.unit_id from interaction_case_events e where e.case_id = ${caseId}
      union select e.details ->> 'fromUnitId' from interaction_case_events e where e.case_id = ${caseId}
    )`.execute(work.tx);
  return held.rows.some((unit) => isStaffOf(principal, { id: unit.id, regionCode: unit.region_code }, channel));
}

/** Writes the changes with the version bumped, on the version that was locked. */
export async function saveCase(work: Work, row: Pick<CaseRow, 'id' | 'version'>, changes: Partial<{ [K in keyof CaseTable]: unknown }>, now: Date): Promise<CaseRow> {
  const updated = await interactionDb(work.tx)
    .updateTable('interaction_cases')
    .set({ ...(changes as object), updated_at: now, version: sql<number>`version + 1` } as never)
    .where('id', '=', row.id)
    .where('version', '=', row.version)
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw new AppError('CONFLICT');
  return updated;
}

/** The case's open task of a step in its current round; none open → 409 (someone acted first, or the case moved on). */
export async function openStepTask(work: Work, caseId: string, stepKey: string) {
  const round = await currentRound(work, caseId);
  const task = openTask(round, stepKey);
  if (!round || !task) throw new AppError('CONFLICT', { detail: { key: 'interaction.case.stepNotOpen' } });
  return { round, task };
}

/** A unit a case may go to: known and not disabled, else 422 naming the field. */
export async function liveUnit(work: Work, unitId: string, field: string): Promise<Unit> {
  const unit = await getUnit(work.tx, unitId);
  if (!unit || unit.disabledAt) throw refuse('INTERACTION_UNIT_REFUSED', field, 'interaction.case.unitUnknown');
  return unit;
}

/** The text of a required field, trimmed; empty → 422 naming it. */
export function requiredText(value: string | undefined | null, field: string, max: number): string {
  const text = (value ?? '').trim();
  if (!text) throw refuse('INTERACTION_TEXT_REQUIRED', field, 'interaction.handling.required');
  if (text.length > max) throw refuse('INTERACTION_TEXT_REQUIRED', field, 'interaction.handling.tooLong', { max });
  return text;
}

/** The params of the case's notifications. */
export const caseParams = (row: Pick<CaseRow, 'id' | 'title' | 'tracking_no' | 'due_date' | 'channel'>) => ({ caseId: row.id, title: row.title, trackingNo: row.tracking_no, dueDate: row.due_date, channel: row.channel });

/** The caller must be able to handle the task (its role in a scope covering its unit), else 404. */
export async function mustHandle(work: Work, principal: Principal, taskId: string): Promise<void> {
  const task = await getTask(work.tx, taskId);
  if (!task || !mayHandle(principal, task)) throw notFound();
}

/** A refusal naming the field: 422 with the module's code. */
export const refuse = (code: `INTERACTION_${string}`, field: string, key: string, params?: Record<string, unknown>) => new AppError(code as never, { errors: [fieldError(field, key, params)] });
