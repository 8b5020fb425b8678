/**
 * The cases' open steps in the platform's task inbox (待办): dispatch (分办), handle (办理) and
 * review (审核答复), described by tracking number and title. The leader's review can be
 * completed from the inbox ({ action: approve | return, opinion }); the other steps need the
 * case page (a unit to choose, an answer to write).
 */
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { TaskDescription, TaskKind } from '../../platform/tasks/index.ts';
import { Strict } from '../../platform/http/schemas.ts';
import { AppError, notFound } from '../../platform/http/errors.ts';
import { translate } from '../../platform/i18n/index.ts';
import { getTask } from '../../platform/flow/service.ts';
import { CASE_SUBJECT, interactionDb, LIMITS } from './model.ts';
import { approveAnswer } from './commands/approve-answer.ts';
import { returnAnswer } from './commands/return-answer.ts';

export const CaseTaskBody = Strict({
  action: Type.Union([Type.Literal('approve'), Type.Literal('return')], { description: "interaction: the leader's review of an answer: approve (the answer is sent) or return (with an opinion)" }),
  opinion: Type.Optional(Type.String({ maxLength: LIMITS.reason, description: 'Required to return' })),
});

export const caseTasks: TaskKind = {
  subjectType: CASE_SUBJECT,
  fields: {
    trackingNo: Type.String({ description: 'interaction: the case’s tracking number' }),
    caseTitle: Type.String({ description: 'interaction: the letter’s title' }),
    caseState: Type.String({ description: 'interaction: received, assigned, clarifying, reviewing, answered, merged' }),
  },
  async describe(platform, _principal, tasks, lang) {
    const ids = [...new Set(tasks.map((t) => t.subject_id))];
    const cases = ids.length ? await interactionDb(platform.db).selectFrom('interaction_cases').select(['id', 'tracking_no', 'title', 'state']).where('id', 'in', ids).execute() : [];
    const byId = new Map(cases.map((c) => [c.id, c]));
    return new Map(
      tasks.map((task) => {
        const c = byId.get(task.subject_id);
        const stepName = translate(lang, `page.interaction.task.${task.step_key}`);
        const description: TaskDescription = {
          title: [c?.tracking_no, c?.title, stepName].filter(Boolean).join(' · '),
          link: `/console/interaction/cases/${task.subject_id}`,
          stepName,
          fields: { trackingNo: c?.tracking_no ?? '', caseTitle: c?.title ?? '', caseState: c?.state ?? '' },
        };
        return [task.id, description];
      }),
    );
  },
  complete: {
    body: CaseTaskBody,
    result: Type.Object({ taskId: Type.String(), caseId: Type.String(), state: Type.String({ description: 'answered (approved) or assigned (returned)' }) }),
    summary: "A case's review step: approve the drafted answer, or return it with an opinion (required). Dispatch and handling are done on the case.",
    async run(work, platform, principal, taskId, body) {
      const task = await getTask(work.tx, taskId);
      if (!task) throw notFound();
      const { rows } = await sql<{ subject_id: string }>`select subject_id from flow_instances where id = ${task.instance_id}`.execute(work.tx);
      const caseId = rows[0]?.subject_id;
      if (!caseId) throw notFound();
      if (task.step_key !== 'review') throw new AppError('INVALID_STATE', { detail: { key: 'interaction.handling.useCasePage' } });
      const input = body as { action: 'approve' | 'return'; opinion?: string };
      const row = input.action === 'approve' ? await approveAnswer(work, platform, principal, caseId) : await returnAnswer(work, platform, principal, caseId, { reason: input.opinion ?? '' });
      return { taskId, caseId, state: row.state };
    },
  },
};
