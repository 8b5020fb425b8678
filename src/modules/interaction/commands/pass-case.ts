/**
 * A unit passes a case down (转办) to a unit under it: one whose parent chain leads to it, or one
 * in a region under its own. The unit's round ends with 'pass' and a round starts at the other.
 */
import { sql } from 'kysely';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { completeTask } from '../../../platform/flow/service.ts';
import { regionPrefix } from '../../../platform/org/codes.ts';
import { LIMITS, type CaseRow } from '../model.ts';
import { startRound } from '../process.ts';
import { notifyUnitRole } from '../notify.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { caseParams, liveUnit, refuse, lockCase, openStepTask, requiredText, saveCase } from './case-lock.ts';
import { publishCaseChanged } from '../events.ts';

/** Whether `target` lies under `current`: by its parent chain, or in a region strictly under the current unit's. */
export async function liesUnder(work: Work, current: { id: string; regionCode: string }, target: { id: string; regionCode: string }): Promise<boolean> {
  if (target.id === current.id) return false;
  if (target.regionCode !== current.regionCode && target.regionCode.startsWith(regionPrefix(current.regionCode))) return true;
  const { rows } = await sql<{ id: string }>`
    with recursive up (id, parent_id, depth) as (
      select id, parent_id, 0 from units where id = ${target.id}
      union all
      select u.id, u.parent_id, up.depth + 1 from units u join up on u.id = up.parent_id where up.depth < 20
    )
    select id from up where id = ${current.id} limit 1`.execute(work.tx);
  return rows.length > 0;
}

export async function passCase(work: Work, platform: Platform, principal: Principal, caseId: string, input: { unitId: string; note?: string }): Promise<CaseRow> {
  const row = await lockCase(work, principal, caseId, { states: ['assigned'] });
  const note = input.note?.trim() ? requiredText(input.note, 'note', LIMITS.reason) : null;
  const { task } = await openStepTask(work, caseId, 'handle');
  const unit = await liveUnit(work, input.unitId, 'unitId');
  if (!(await liesUnder(work, { id: row.handling_unit_id, regionCode: row.unit_region }, unit))) throw refuse('INTERACTION_UNIT_REFUSED', 'unitId', 'interaction.handling.notBelow');
  const now = platform.clock.now();
  await completeTask(work, platform, principal, task.id, { outcome: 'pass', opinion: note ?? undefined });
  const updated = await saveCase(work, row, { handling_unit_id: unit.id, draft_answer_body: null, draft_answer_type: null, draft_publish: false }, now);
  await startRound(work, platform, updated, { kind: 'handle', unitId: unit.id });
  await recordCaseEvent(work, row, 'passed', { unitId: unit.id, at: now, details: { fromUnitId: row.handling_unit_id, note } });
  recordAudit(work, { action: 'interaction.case.pass', objectType: 'interaction_case', objectId: row.id, details: { fromUnitId: row.handling_unit_id, unitId: unit.id } }, now);
  await notifyUnitRole(work, platform, unit.id, 'responder', 'interaction.case.arrived', caseParams(updated));
  await publishCaseChanged(work, platform, updated, { action: 'pass' });
  return updated;
}
