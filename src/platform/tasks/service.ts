/**
 * The one task inbox: every installed module's open process-engine tasks for the caller, oldest
 * deadline first, each described by its module (title, link, the module's own fields).
 */
import type { Work } from '../db/work.ts';
import type { Lang } from '../i18n/index.ts';
import { hasPermission, type Principal } from '../iam/principal.ts';
import { forbidden, notFound } from '../http/errors.ts';
import { validateBody } from '../http/validation.ts';
import { loadCalendar, shanghaiDate, workingDays } from '../calendar/index.ts';
import { listOpenTasks, taskSubjectType, type OpenTaskRow } from '../flow/service.ts';
import type { Platform } from '../module.ts';
import type { InstalledTaskKind } from './kinds.ts';

export interface InboxItem {
  id: string;
  module: string;
  title: string;
  link: string;
  caseId: string;
  stepKey: string;
  stepName: string;
  unitId: string;
  role: string;
  dueDate: string;
  openedAt: string;
  remainingWorkingDays: number;
  suspended: boolean;
  version: number;
  [field: string]: unknown;
}

/**
 * A page of the caller's open tasks. Only tasks of installed modules are listed (of `subjectTypes`
 * when named: a module's own inbox page); keyset-paginated on (due date, id), which the partial
 * indexes on open tasks serve.
 */
export async function listTaskInbox(platform: Platform, principal: Principal, options: { limit: number; cursor?: string; lang: Lang; subjectTypes?: readonly string[] }): Promise<{ items: InboxItem[]; nextCursor: string | null }> {
  const kinds = platform.modules.taskKinds;
  const subjectTypes = [...kinds.keys()].filter((type) => !options.subjectTypes || options.subjectTypes.includes(type));
  const { items: page, nextCursor } = await listOpenTasks(platform.db, principal, { limit: options.limit, cursor: options.cursor, subjectTypes });
  if (!page.length) return { items: [], nextCursor: null };
  const descriptions = new Map<string, Awaited<ReturnType<InstalledTaskKind['describe']>>>();
  for (const [type, kind] of kinds) {
    const ofKind = page.filter((task) => task.subject_type === type);
    if (ofKind.length) descriptions.set(type, await kind.describe(platform, principal, ofKind, options.lang));
  }
  const today = shanghaiDate(platform.clock.now());
  const dates = [today, ...page.map((t) => t.due_date)].sort();
  const calendar = await loadCalendar(platform.db, dates[0], dates[dates.length - 1]);
  return {
    items: page.map((task) => {
      const description = descriptions.get(task.subject_type)?.get(task.id);
      return {
        ...description?.fields,
        ...baseFields(task),
        module: kinds.get(task.subject_type)!.module,
        title: description?.title ?? task.step_key,
        link: description?.link ?? '',
        stepName: description?.stepName ?? task.step_key,
        remainingWorkingDays: workingDays.countWorkingDays(today, task.due_date, calendar),
      };
    }),
    nextCursor,
  };
}

function baseFields(task: OpenTaskRow) {
  return {
    id: task.id,
    caseId: task.subject_id,
    stepKey: task.step_key,
    unitId: task.unit_id,
    role: task.role,
    dueDate: task.due_date,
    openedAt: new Date(task.opened_at).toISOString(),
    suspended: task.status === 'suspended',
    version: task.version,
  };
}

/** The installed kind a task belongs to; a task of a module that is not installed is not found. */
async function kindOfTask(work: Work, platform: Platform, taskId: string): Promise<InstalledTaskKind> {
  const type = await taskSubjectType(work.tx, taskId);
  const kind = type === undefined ? undefined : platform.modules.taskKinds.get(type);
  if (!kind) throw notFound();
  return kind;
}

/** Completes a task through the owning module's command, with the body that command takes. */
export async function completeInboxTask(work: Work, platform: Platform, principal: Principal, taskId: string, body: unknown, lang: Lang) {
  const kind = await kindOfTask(work, platform, taskId);
  return kind.complete.run(work, platform, principal, taskId, validateBody(kind.complete.body, body, lang));
}

/** Hands an open task to one person, through the owning module's command. */
export async function reassignInboxTask(work: Work, platform: Platform, principal: Principal, taskId: string, input: { userId: string }) {
  const kind = await kindOfTask(work, platform, taskId);
  if (!kind.reassign) throw notFound();
  if (!hasPermission(principal, kind.reassign.permission)) throw forbidden();
  return kind.reassign.run(work, platform, principal, taskId, input);
}
