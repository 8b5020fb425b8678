import type { ZtModule } from '../module.ts';
import type { MessageCatalogue } from '../i18n/index.ts';
import { taskRoutes } from './routes.ts';

export { listTaskInbox, completeInboxTask, reassignInboxTask, type InboxItem } from './service.ts';
export type { TaskKind, TaskDescription } from './kinds.ts';
export { countOpenTasks } from '../flow/service.ts';

const tasksMessages: MessageCatalogue = {
  'zh-CN': { 'tasks.cursorInvalid': '分页游标无效，请从第一页重新开始' },
  en: { 'tasks.cursorInvalid': 'The page cursor is not valid; start again from the first page' },
};

/** The one task inbox: every module's process-engine tasks, listed, completed and reassigned here. */
export const tasksManifest: ZtModule = {
  name: 'tasks',
  platform: true,
  requires: ['flow'],
  routes: taskRoutes,
  messages: [tasksMessages],
};
