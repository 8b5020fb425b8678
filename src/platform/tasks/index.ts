import type { ZtModule } from '../module.ts';
import { taskRoutes } from './routes.ts';

export { listTaskInbox, completeInboxTask, reassignInboxTask, type InboxItem } from './service.ts';
export type { TaskKind, TaskDescription } from './kinds.ts';
export { countOpenTasks } from '../flow/service.ts';

/** The one task inbox: every module's process-engine tasks, listed, completed and reassigned here. */
export const tasksManifest: ZtModule = {
  name: 'tasks',
  platform: true,
  requires: ['flow'],
  routes: taskRoutes,
};
