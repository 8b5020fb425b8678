/**
 * The writer, unsatisfied with the answer, reopens the case: once, within REOPEN_WITHIN_DAYS
 * calendar days of the answer. The case goes back to the unit that answered it, with a new
 * handling round and a fresh time limit, and the unit's responders are told.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { AppError, notFound } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { addWorkingDays, shanghaiDate } from '../../../platform/calendar/index.ts';
import { interactionDb, REOPEN_WITHIN_DAYS, type CaseRow } from '../model.ts';
import { startRound } from '../process.ts';
import { notifyUnitRole } from '../notify.ts';
import { caseOfWriter } from '../queries/public.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { lockCase } from './rate-case.ts';
import { publishCaseChanged } from '../events.ts';

export interface ReopenInput {
  code: string;
  reason: string;
}

const DAY_MS = 24 * 3600_000;

export async function reopenCase(work: Work, platform: Platform, trackingNo: string, input: ReopenInput, own?: CaseRow | null): Promise<{ trackingNo: string; state: 'assigned'; dueDate: string }> {
  const row = own ? await lockCase(work, own.id) : await caseOfWriter(work.tx, platform, trackingNo, input.code, { forUpdate: true });
  if (!row) throw notFound();
  const now = platform.clock.now();
  if (row.reopen_count > 0) throw new AppError('CONFLICT', { detail: { key: 'interaction.public.reopenedOnce' } });
  if (row.state !== 'answered' || !row.answered_at) throw new AppError('CONFLICT', { detail: { key: 'interaction.public.reopenNotAnswered' } });
  if (now.getTime() - new Date(row.answered_at).getTime() > REOPEN_WITHIN_DAYS * DAY_MS) {
    throw new AppError('CONFLICT', { detail: { key: 'interaction.public.reopenTooLate', params: { days: REOPEN_WITHIN_DAYS } } });
  }
  const unitId = row.handling_unit_id;
  const dueDate = (await addWorkingDays(work.tx, shanghaiDate(now), row.deadline_days)).date;
  const updated = await interactionDb(work.tx)
    .updateTable('interaction_cases')
    .set((eb) => ({ state: 'assigned', reopen_count: eb('reopen_count', '+', 1), reopened_at: now, due_date: dueDate, draft_answer_body: null, draft_answer_type: null, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const reason = input.reason.trim();
  await recordCaseEvent(work, row, 'reopened', { unitId, details: { reason }, at: now });
  await startRound(work, platform, updated, { kind: 'handle', unitId });
  recordAudit(work, { action: 'interaction.case.reopen', objectType: 'interaction_case', objectId: row.id, details: { trackingNo: row.tracking_no, unitId } }, now);
  await notifyUnitRole(work, platform, unitId, 'responder', 'interaction.case.reopened', { title: row.title, trackingNo: row.tracking_no, dueDate, caseId: row.id, channel: row.channel, reason });
  await publishCaseChanged(work, platform, updated, { action: 'reopen' });
  return { trackingNo: row.tracking_no, state: 'assigned', dueDate };
}

/** The responders' message when a writer reopens a case. */
export const reopenTemplates = {
  'interaction.case.reopened': {
    'zh-CN': { subject: '来信被重新办理：{title}', text: '写信人对《{title}》（{trackingNo}）的答复不满意，申请重新办理：{reason}。请在{dueDate}前重新答复。', link: '/console/interaction/cases/{caseId}' },
    en: { subject: 'Letter reopened: {title}', text: 'The writer of "{title}" ({trackingNo}) was not satisfied with the answer and reopened it: {reason}. Please answer again by {dueDate}.', link: '/console/interaction/cases/{caseId}' },
  },
};
