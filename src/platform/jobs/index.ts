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
