/**
 * The unit's leader approves the drafted answer (审核): the only way an answer is sent. The case
 * is answered with the draft, the writer gets a text message with the tracking number, a draft
 * offered for the board waits for a moderator (pending), and every case merged into this one
 * gets the same answer, its writer told too.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { completeTask } from '../../../platform/flow/service.ts';
import { openField } from '../../../platform/crypto/fields.ts';
import { sql } from 'kysely';
import { interactionDb, type CaseRow } from '../model.ts';
import { notifyWriter } from '../notify.ts';
import { recordCaseEvent } from '../queries/events.ts';
import { lockCase, openStepTask, saveCase } from './case-lock.ts';
import { publishCaseChanged } from '../events.ts';

export async function approveAnswer(work: Work, platform: Platform, principal: Principal, caseId: string): Promise<CaseRow> {
  const row = await lockCase(work, principal, caseId, { states: ['reviewing'] });
  const { task } = await openStepTask(work, caseId, 'review');
  const now = platform.clock.now();
  await completeTask(work, platform, principal, task.id, { outcome: 'approve' });
  // The answer documents go with the answer: the writer may download them from now on.
  const files: string[] = row.draft_answer_files ?? [];
  const answer = { answer_body: row.draft_answer_body, answer_type: row.draft_answer_type, answered_at: now, answer_approved_by: principal.userId, answer_files: JSON.stringify(files) as never };
  const updated = await saveCase(work, row, { ...answer, state: 'answered', moderation: row.draft_publish ? 'pending' : 'none', draft_answer_body: null, draft_answer_type: null, draft_answer_files: '[]' }, now);
  await recordCaseEvent(work, row, 'answered', { unitId: row.handling_unit_id, at: now, details: { approvedBy: principal.userId, publish: row.draft_publish } });
  recordAudit(work, { action: 'interaction.case.answer.approve', objectType: 'interaction_case', objectId: row.id, details: { unitId: row.handling_unit_id, publish: row.draft_publish } }, now);
  const params = { caseId: row.id, title: row.title, trackingNo: row.tracking_no, documents: files.length };
  const template = files.length ? 'interaction.case.answeredWithDocuments' : 'interaction.case.answered';
  await notifyWriter(work, platform, openField(platform, row.writer_phone_sealed), template, params, `interaction:${row.id}:answered:${row.reopen_count}`);

  // The duplicates merged into this case: the same answer, each writer told.
  const merged = await interactionDb(work.tx)
    .updateTable('interaction_cases')
    .set({ ...answer, answered_by: row.answered_by, state: 'answered', updated_at: now, version: sql<number>`version + 1` })
    .where('merged_into_id', '=', row.id)
    .where('state', '=', 'merged')
    .returningAll()
    .execute();
  for (const other of merged) {
    await recordCaseEvent(work, other, 'answered', { unitId: row.handling_unit_id, at: now, details: { approvedBy: principal.userId, viaCaseId: row.id } });
    recordAudit(work, { action: 'interaction.case.answer.merged', objectType: 'interaction_case', objectId: other.id, details: { viaCaseId: row.id } }, now);
    await notifyWriter(work, platform, openField(platform, other.writer_phone_sealed), template, { caseId: other.id, title: other.title, trackingNo: other.tracking_no, documents: files.length }, `interaction:${other.id}:answered:${other.reopen_count}`);
  }
  await publishCaseChanged(work, platform, updated, { action: 'approve' });
  return updated;
}
