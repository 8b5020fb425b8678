/**
 * The writer answers a question of the handling unit, with the case's tracking number and query
 * code (checked in constant time; a wrong code is 404, as an unknown number). The round resumes,
 * the case goes back to the unit and its deadline moves by the working days the clock stood.
 */
import crypto from 'node:crypto';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { applyInstanceAction } from '../../../platform/flow/service.ts';
import { AppError, notFound } from '../../../platform/http/errors.ts';
import { openField } from '../../../platform/crypto/fields.ts';
import { sm3 } from '../../../platform/crypto/index.ts';
import { addWorkingDays, countWorkingDays, shanghaiDate } from '../../../platform/calendar/index.ts';
import { interactionDb, LIMITS, type CaseRow } from '../model.ts';
import { currentRound } from '../process.ts';
import { notifyUnitRole } from '../notify.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { caseParams, requiredText, saveCase } from './case-lock.ts';
import { publishCaseChanged } from '../events.ts';

/** Whether the code given matches the case's query code, in constant time. */
export function codeMatches(platform: Platform, sealed: string, given: string): boolean {
  const a = Buffer.from(sm3(openField(platform, sealed)), 'utf8');
  const b = Buffer.from(sm3(given.trim().toUpperCase()), 'utf8');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

const dayBefore = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

export async function replyClarification(work: Work, platform: Platform, trackingNo: string, input: { code: string; text: string }): Promise<CaseRow> {
  const row = await interactionDb(work.tx).selectFrom('interaction_cases').selectAll().where('tracking_no', '=', trackingNo).forUpdate().executeTakeFirst();
  if (!row || !codeMatches(platform, row.query_code_sealed, input.code ?? '')) throw notFound();
  const text = requiredText(input.text, 'text', LIMITS.body);
  if (row.state !== 'clarifying') throw new AppError('INVALID_STATE', { detail: { key: 'interaction.handling.noQuestion' } });
  const round = await currentRound(work, row.id);
  if (!round || round.status !== 'suspended') throw new AppError('INVALID_STATE', { detail: { key: 'interaction.handling.noQuestion' } });
  const now = platform.clock.now();
  const today = shanghaiDate(now);
  const suspended = [...round.actions].reverse().find((a) => a.payload.type === 'suspend');
  const from = suspended ? shanghaiDate(suspended.at) : today;
  // The stop is inclusive: from the day it was asked to the day it was answered.
  const stopped = (await countWorkingDays(work.tx, dayBefore(from), today)).workingDays;
  const dueDate = stopped > 0 ? (await addWorkingDays(work.tx, row.due_date, stopped)).date : row.due_date;
  await applyInstanceAction(work, platform, round.instanceId, { type: 'resume', by: 'writer' });
  const updated = await saveCase(work, row, { state: 'assigned', due_date: dueDate, stopped_days: row.stopped_days + stopped }, now);
  await recordCaseEvent(work, row, 'clarification_replied', { unitId: row.handling_unit_id, at: now, details: { text, stoppedDays: stopped } });
  recordAudit(work, { action: 'interaction.case.clarification.reply', objectType: 'interaction_case', objectId: row.id, details: { stoppedDays: stopped, dueDate } }, now);
  await notifyUnitRole(work, platform, row.handling_unit_id, 'responder', 'interaction.case.clarified', caseParams(updated));
  await publishCaseChanged(work, platform, updated, { action: 'resume' });
  return updated;
}
