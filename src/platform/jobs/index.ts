import type { ZtModule } from '../module.ts';
import { jobsMigrations } from './migrations.ts';
import { jobsRoutes } from './routes.ts';

export { jobsMigrations } from './migrations.ts';
export { jobsRoutes } from './routes.ts';
export { startBackgroundWork } from './background.ts';
export {
  startJobs,
  runDueJobs,
  claimDueJob,
  registerJobs,
  listJobSchedule,
  requestJobRun,
  silentLogger,
  JOB_LEASE_MS,
  TICK_MS,
  type Logger,
  type StopJobs,
  type JobsTables,
} from './scheduler.ts';

/** Periodic work claimed through the database. */
export const jobsManifest: ZtModule = {
  name: 'jobs',
  platform: true,
  migrations: jobsMigrations,
  routes: jobsRoutes,
  permissions: [{ name: 'job.run', roles: ['sysadmin'] }],
};
