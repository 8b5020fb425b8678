/**
 * A responder of the handling unit drafts the answer (拟写答复): the 'handle' step ends with
 * 'answer' and the draft waits for the unit's leader (reviewing). A disclosure request's answer
 * names its statutory type; only a public channel's case the writer made public may be offered
 * for the board (and only after the leader approves and a moderator publishes it).
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { completeTask } from '../../../platform/flow/service.ts';
import { AppError, fieldError, type FieldError } from '../../../platform/http/errors.ts';
import { ANSWER_TYPES, LIMITS, PUBLIC_CHANNELS, type AnswerType, type CaseRow } from '../model.ts';
import { notifyUnitRole } from '../notify.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { caseParams, lockCase, openStepTask, saveCase } from './case-lock.ts';
import { publishCaseChanged } from '../events.ts';

export interface AnswerInput {
  body: string;
  publish: boolean;
  answerType?: string | null;
}

/** The answer's fields as the case's channel allows them; every problem at once. */
export function checkAnswer(row: Pick<CaseRow, 'channel' | 'is_public'>, input: AnswerInput): { body: string; publish: boolean; answerType: AnswerType | null } {
  const errors: FieldError[] = [];
  const body = typeof input.body === 'string' ? input.body : '';
  if (!body.trim()) errors.push(fieldError('body', 'interaction.handling.required'));
  else if (body.length > LIMITS.answer) errors.push(fieldError('body', 'interaction.handling.tooLong', { max: LIMITS.answer }));
  let answerType: AnswerType | null = null;
  if (row.channel === 'disclosure_request') {
    if (!input.answerType) errors.push(fieldError('answerType', 'interaction.handling.answerTypeRequired'));
    else if (!(ANSWER_TYPES as readonly string[]).includes(input.answerType)) errors.push(fieldError('answerType', 'interaction.handling.answerTypeUnknown'));
    else answerType = input.answerType as AnswerType;
  } else if (input.answerType !== undefined && input.answerType !== null && input.answerType !== '') {
    errors.push(fieldError('answerType', 'interaction.handling.answerTypeRefused'));
  }
  if (input.publish === true && !(PUBLIC_CHANNELS.includes(row.channel) && row.is_public)) errors.push(fieldError('publish', 'interaction.handling.publishRefused'));
  if (errors.length) throw new AppError('INTERACTION_ANSWER_REFUSED' as never, { errors });
  return { body, publish: input.publish === true, answerType };
}

export async function draftAnswer(work: Work, platform: Platform, principal: Principal, caseId: string, input: AnswerInput): Promise<CaseRow> {
  const row = await lockCase(work, principal, caseId, { states: ['assigned'] });
  const answer = checkAnswer(row, input);
  const { task } = await openStepTask(work, caseId, 'handle');
  const now = platform.clock.now();
  await completeTask(work, platform, principal, task.id, { outcome: 'answer' });
  const updated = await saveCase(work, row, { state: 'reviewing', draft_answer_body: answer.body, draft_answer_type: answer.answerType, draft_publish: answer.publish, answered_by: principal.userId }, now);
  await recordCaseEvent(work, row, 'answer_drafted', { unitId: row.handling_unit_id, at: now, details: { publish: answer.publish, answerType: answer.answerType } });
  recordAudit(work, { action: 'interaction.case.answer.draft', objectType: 'interaction_case', objectId: row.id, details: { unitId: row.handling_unit_id, publish: answer.publish, answerType: answer.answerType } }, now);
  await notifyUnitRole(work, platform, row.handling_unit_id, 'unit_leader', 'interaction.case.review', caseParams(updated));
  await publishCaseChanged(work, platform, updated, { action: 'answer' });
  return updated;
}
