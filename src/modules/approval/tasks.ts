/**
 * Approval's tasks in the platform's inbox: how an open step of a case is described (receipt
 * number, item, applicant, the case's state and deadline) and which commands complete and
 * reassign it. The body of completion and its answer are approval's, as the API contract says.
 */
import { Type } from '@sinclair/typebox';
import type { Db } from '../../platform/db/index.ts';
import type { Lang } from '../../platform/i18n/index.ts';
import type { Principal } from '../../platform/iam/principal.ts';
import type { Platform } from '../../platform/module.ts';
import { Strict } from '../../platform/http/schemas.ts';
import { allSteps } from '../../platform/flow/engine.ts';
import { listTaskInbox, type InboxItem, type TaskDescription, type TaskKind } from '../../platform/tasks/index.ts';
import type { OpenTaskRow } from '../../platform/flow/service.ts';
import { TASK_ACTIONS, type ApprovalTables, type CaseState } from './model.ts';
import { CASE_SUBJECT } from './queries/cases.ts';
import { completeApprovalTask, type CompleteInput } from './commands/complete-task.ts';
import { reassignTask } from './commands/reassign-task.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const CompleteBody = Strict({
  action: Type.Union(
    TASK_ACTIONS.map((a) => Type.Literal(a)),
    { description: 'accept (acceptance step), approve (later steps), reject, request_correction, return' },
  ),
  opinion: Type.Optional(Type.String({ maxLength: 2000, description: 'Required for reject and return' })),
  missing: Type.Optional(
    Type.Array(Strict({ materialKey: Type.String({ maxLength: 40 }), reason: Type.String({ minLength: 1, maxLength: 500 }) }), {
      minItems: 1,
      maxItems: 100,
      description: 'request_correction only: every missing material with its reason, all at once (一次性告知)',
    }),
  ),
  returnTo: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' })),
  expectedVersion: Type.Optional(Type.Integer({ minimum: 1, description: 'The task version the caller saw; 409 when it changed' })),
});
const CaseState = Type.String({ description: 'submitted, accepted, correction_requested, in_review, approved, rejected, withdrawn' });
const Completed = Type.Object({ taskId: Type.String(), caseId: Type.String(), state: CaseState, dueDate: Nullable(Type.String()) });

/** What approval adds to each of its tasks in the inbox. */
const fields = {
  itemName: Type.String({ description: 'approval: the service item' }),
  receiptNo: Type.String({ description: 'approval: the case’s receipt number' }),
  applicantName: Type.String({ description: 'approval: the applicant' }),
  caseState: Nullable(Type.String({ description: 'approval: the case’s state' })),
  caseDueDate: Nullable(Type.String({ description: 'approval: the case’s deadline' })),
};

export type ApprovalTaskItem = InboxItem & { itemName: string; receiptNo: string; applicantName: string; caseState: CaseState | null; caseDueDate: string | null };

async function describeTasks(platform: Platform, _principal: Principal, tasks: readonly OpenTaskRow[], _lang: Lang): Promise<Map<string, TaskDescription>> {
  const db: Db = platform.db;
  const tables = db.withTables<ApprovalTables>();
  const cases = await tables
    .selectFrom('approval_applications')
    .select(['id', 'receipt_no', 'item_id', 'applicant_name', 'state', 'due_date'])
    .where('id', 'in', [...new Set(tasks.map((t) => t.subject_id))])
    .execute();
  const byId = new Map(cases.map((c) => [c.id, c]));
  const itemIds = [...new Set(cases.map((c) => c.item_id))];
  const items = new Map(itemIds.length ? (await tables.selectFrom('approval_items').select(['id', 'name', 'process']).where('id', 'in', itemIds).execute()).map((i) => [i.id, i]) : []);
  return new Map(
    tasks.map((task) => {
      const app = byId.get(task.subject_id);
      const item = app ? items.get(app.item_id) : undefined;
      const stepName = (item && allSteps(item.process).find((s) => s.key === task.step_key)?.name) ?? task.step_key;
      const description: TaskDescription = {
        title: [app?.receipt_no, item?.name, stepName].filter(Boolean).join(' · '),
        link: `/console/approval/cases/${task.subject_id}`,
        stepName,
        fields: { itemName: item?.name ?? '', receiptNo: app?.receipt_no ?? '', applicantName: app?.applicant_name ?? '', caseState: app?.state ?? null, caseDueDate: app?.due_date ?? null },
      };
      return [task.id, description];
    }),
  );
}

/** Open steps of approval cases: accepted, reviewed, decided, reassigned by a unit leader. */
export const approvalTasks: TaskKind = {
  subjectType: CASE_SUBJECT,
  fields,
  describe: describeTasks,
  complete: {
    body: CompleteBody,
    result: Completed,
    summary: 'accept, approve, reject (ends the case), request_correction (once per case, stops the clock) or return; nobody accepts or approves an application they made or filed (403).',
    run: (work, platform, principal, taskId, body) => completeApprovalTask(work, platform, principal, taskId, body as unknown as CompleteInput),
  },
  reassign: { permission: 'approval.lead', run: reassignTask },
};

/** The caller's open tasks on approval cases (the console's approval inbox), through the platform's inbox. */
export async function listMyTasks(platform: Platform, principal: Principal, options: { limit: number; cursor?: string; lang: Lang }) {
  const page = await listTaskInbox(platform, principal, { ...options, subjectTypes: [CASE_SUBJECT] });
  return page as { items: ApprovalTaskItem[]; nextCursor: string | null };
}
