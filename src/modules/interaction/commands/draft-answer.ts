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
import { ANSWER_FILES_OWNER, ANSWER_TYPES, LIMITS, MAX_ANSWER_FILES, PUBLIC_CHANNELS, type AnswerType, type CaseRow } from '../model.ts';
import { attachFiles, getFiles } from '../../../platform/files/index.ts';
import { notifyUnitRole } from '../notify.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { caseParams, lockCase, openStepTask, saveCase } from './case-lock.ts';
import { publishCaseChanged } from '../events.ts';

export interface AnswerInput {
  body: string;
  publish: boolean;
  answerType?: string | null;
  /** The answer documents (答复书, the disclosed documents): the caller's uploads, or documents of an earlier draft of this case. */
  attachments?: string[];
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

/**
 * Attaches the answer documents to the case's answer: the caller's own uploads, or documents an
 * earlier draft of this case already carried (a draft returned by the leader and written again,
 * perhaps by another responder). Another's upload or a file attached elsewhere: 422, nothing written.
 */
async function attachAnswerFiles(work: Work, principal: Principal, caseId: string, ids: string[], at: Date): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length > MAX_ANSWER_FILES) throw new AppError('INTERACTION_ANSWER_REFUSED' as never, { errors: [fieldError('attachments', 'interaction.attachments.tooMany', { max: MAX_ANSWER_FILES })] });
  const owner = { ownerType: ANSWER_FILES_OWNER, ownerId: caseId };
  const files = await getFiles(work.tx, unique);
  const errors: FieldError[] = [];
  const fresh: string[] = [];
  for (const [i, id] of unique.entries()) {
    const file = files.get(id);
    if (file && file.ownerType === owner.ownerType && file.ownerId === caseId) continue;
    if (!file || file.uploadedBy !== principal.userId) errors.push(fieldError(`attachments.${i}`, 'interaction.attachments.notYours'));
    else if (file.ownerType !== null) errors.push(fieldError(`attachments.${i}`, 'interaction.attachments.alreadyAttached'));
    else fresh.push(id);
  }
  if (errors.length) throw new AppError('INTERACTION_ANSWER_REFUSED' as never, { errors });
  await attachFiles(work, fresh, owner, principal, at);
  return unique;
}

export async function draftAnswer(work: Work, platform: Platform, principal: Principal, caseId: string, input: AnswerInput): Promise<CaseRow> {
  const row = await lockCase(work, principal, caseId, { states: ['assigned'] });
  const answer = checkAnswer(row, input);
  const { task } = await openStepTask(work, caseId, 'handle');
  const now = platform.clock.now();
  const files = await attachAnswerFiles(work, principal, row.id, input.attachments ?? [], now);
  await completeTask(work, platform, principal, task.id, { outcome: 'answer' });
  const updated = await saveCase(work, row, { state: 'reviewing', draft_answer_body: answer.body, draft_answer_type: answer.answerType, draft_publish: answer.publish, draft_answer_files: JSON.stringify(files), answered_by: principal.userId }, now);
  await recordCaseEvent(work, row, 'answer_drafted', { unitId: row.handling_unit_id, at: now, details: { publish: answer.publish, answerType: answer.answerType, files: files.length } });
  recordAudit(work, { action: 'interaction.case.answer.draft', objectType: 'interaction_case', objectId: row.id, details: { unitId: row.handling_unit_id, publish: answer.publish, answerType: answer.answerType, files } }, now);
  await notifyUnitRole(work, platform, row.handling_unit_id, 'unit_leader', 'interaction.case.review', caseParams(updated));
  await publishCaseChanged(work, platform, updated, { action: 'answer' });
  return updated;
}
