import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { Id, ListQuery, Page, Strict, actorOf } from '../http/index.ts';
import { inTransaction } from '../db/work.ts';
import type { Platform } from '../module.ts';
import { completeInboxTask, listTaskInbox, reassignInboxTask } from './service.ts';

const IdParams = Strict({ id: Id });
const MineQuery = Strict({ mine: Type.Optional(Type.Literal(true, { description: 'Only the caller’s own (the only list offered here)' })), ...ListQuery });
const ReassignBody = Strict({ userId: Id });
const signedIn: Array<Record<string, string[]>> = [{ bearer: [] }, { session: [] }];

/** One schema, or any of several: what the installed modules' commands take or answer. */
function anyOf(schemas: TSchema[], empty: TObject): TSchema {
  if (!schemas.length) return empty;
  return schemas.length === 1 ? schemas[0] : Type.Union(schemas);
}

/** The platform's task inbox over every installed module's tasks (GET /api/v1/tasks, complete, reassign). */
export async function taskRoutes(app: FastifyInstance, platform: Platform) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['tasks'];
  const kinds = [...platform.modules.taskKinds.values()];
  const TaskItem = Type.Object({
    id: Type.String(),
    module: Type.String({ description: 'The module the task belongs to (approval, …)' }),
    title: Type.String({ description: 'One line naming the task, in the caller’s language' }),
    link: Type.String({ description: 'The console page where the task is handled' }),
    caseId: Type.String({ description: 'The subject of the process (an approval case, a letter, a ticket …)' }),
    stepKey: Type.String(),
    stepName: Type.String(),
    unitId: Type.String(),
    role: Type.String(),
    dueDate: Type.String({ format: 'date' }),
    openedAt: Type.String({ format: 'date-time' }),
    remainingWorkingDays: Type.Integer({ description: 'Working days from today to the due date; 0 on the due date, negative when overdue' }),
    suspended: Type.Boolean({ description: 'The clock of the task’s process is stopped' }),
    version: Type.Integer(),
    // The modules' own fields: present on their tasks only.
    ...Object.fromEntries(kinds.flatMap((kind) => Object.entries(kind.fields ?? {}).map(([name, schema]) => [name, Type.Optional(schema)]))),
  });

  api.get(
    '/api/v1/tasks',
    {
      schema: {
        operationId: 'listMyTasks',
        tags,
        summary: 'The caller’s open tasks of every module, oldest deadline first',
        description:
          'A task is the caller’s when its step’s role and unit match one of the caller’s role assignments (or it was reassigned to the caller). Each task names its module, a title and the console link. Keyset pagination with `cursor`.',
        security: signedIn,
        querystring: MineQuery,
        response: { 200: Page(TaskItem) },
      },
      config: { auth: 'user' },
    },
    async (request) => listTaskInbox(platform, request.principal!, { limit: request.query.limit ?? 20, cursor: request.query.cursor, lang: request.lang }),
  );

  api.post(
    '/api/v1/tasks/:id/complete',
    {
      schema: {
        operationId: 'completeTask',
        tags,
        summary: 'Complete a task: the owning module’s command runs with the body it takes',
        description: [
          'Another unit’s task is 404; a task already completed is 409 (two people at once: one wins).',
          ...kinds.map((kind) => `${kind.module}: ${kind.complete.summary ?? ''}`),
        ].join(' '),
        security: signedIn,
        params: IdParams,
        body: anyOf(
          kinds.map((kind) => kind.complete.body),
          Strict({}),
        ),
        response: {
          200: anyOf(
            kinds.map((kind) => kind.complete.result),
            Type.Object({}),
          ),
        },
      },
      config: { auth: 'user' },
    },
    async (request) => inTransaction(platform.db, actorOf(request), (work) => completeInboxTask(work, platform, request.principal!, request.params.id, request.body, request.lang)),
  );

  api.post(
    '/api/v1/tasks/:id/reassign',
    {
      schema: {
        operationId: 'reassignTask',
        tags,
        summary: 'Hand an open task to one person holding the step’s role in its unit (a unit leader; modules that allow it)',
        security: signedIn,
        params: IdParams,
        body: ReassignBody,
        response: { 200: Type.Object({ taskId: Type.String(), caseId: Type.String(), assignee: Type.String() }) },
      },
      config: { auth: 'user' },
    },
    async (request) => inTransaction(platform.db, actorOf(request), (work) => reassignInboxTask(work, platform, request.principal!, request.params.id, request.body)),
  );
}
