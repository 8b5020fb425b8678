/**
 * The sign-off steps of documents in the platform's task inbox (GET /api/v1/tasks?mine=true):
 * described by number, title and step, completed with { action: approve | return, opinion }.
 */
import { Type } from '@sinclair/typebox';
import type { TaskDescription, TaskKind } from '../../platform/tasks/index.ts';
import { Strict } from '../../platform/http/schemas.ts';
import { SIGNOFF_SUBJECT, exchangeDb } from './model.ts';
import { SIGNOFF_ACTIONS, stepName } from './signoff.ts';
import { completeSignoffTask } from './commands/complete-signoff.ts';
import { MAX_OPINION, type Decision } from './commands/decide-step.ts';

export const SignoffDecisionBody = Strict({
  action: Type.Union(
    SIGNOFF_ACTIONS.map((a) => Type.Literal(a)),
    { description: 'approve (拟稿: submit; 核稿, 会签, 签发: agree) or return (to the drafter, with an opinion)' },
  ),
  opinion: Type.Optional(Type.String({ maxLength: MAX_OPINION, description: 'Required to return' })),
});

export const signoffTasks: TaskKind = {
  subjectType: SIGNOFF_SUBJECT,
  fields: {
    documentTitle: Type.String({ description: 'exchange: the document’s title' }),
    docNumber: Type.String({ description: 'exchange: the document number (发文字号)' }),
    documentState: Type.String({ description: 'exchange: draft, in_signoff, signed_off, sent, recalled' }),
  },
  async describe(platform, _principal, tasks, lang) {
    const ids = [...new Set(tasks.map((t) => t.subject_id))];
    const docs = ids.length ? await exchangeDb(platform.db).selectFrom('exchange_documents').select(['id', 'title', 'doc_number', 'state']).where('id', 'in', ids).execute() : [];
    const byId = new Map(docs.map((d) => [d.id, d]));
    return new Map(
      tasks.map((task) => {
        const doc = byId.get(task.subject_id);
        const name = stepName(lang, task.step_key);
        const description: TaskDescription = {
          title: [doc?.doc_number, doc?.title, name].filter(Boolean).join(' · '),
          link: `/console/exchange/documents/${task.subject_id}`,
          stepName: name,
          fields: { documentTitle: doc?.title ?? '', docNumber: doc?.doc_number ?? '', documentState: doc?.state ?? '' },
        };
        return [task.id, description];
      }),
    );
  },
  complete: {
    body: SignoffDecisionBody,
    result: Type.Object({ taskId: Type.String(), documentId: Type.String(), state: Type.String({ description: 'draft (returned), in_signoff, signed_off' }) }),
    summary: 'A document’s sign-off step: approve, or return to the drafter with an opinion (required).',
    run: (work, platform, principal, taskId, body) => completeSignoffTask(work, platform, principal, taskId, body as unknown as Decision),
  },
};
