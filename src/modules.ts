import type { ZtModule } from './platform/module.ts';
import { auditMigrations } from './platform/audit/migrations.ts';
import { auditRoutes } from './platform/audit/routes.ts';
import { orgMigrations } from './platform/org/migrations.ts';
import { orgRoutes } from './platform/org/routes.ts';
import { iamMigrations } from './platform/iam/migrations.ts';
import { iamRoutes } from './platform/iam/routes.ts';
import { calendarMigrations, calendarRoutes } from './platform/calendar/index.ts';
import { flowMigrations } from './platform/flow/migrations.ts';
import { flowReportMigrations } from './platform/flow/reports.ts';
import { idempotencyJobs, idempotencyMigrations } from './platform/http/idempotency.ts';
import { signingMigrations } from './platform/crypto/signing.ts';
import './platform/flow/messages.ts';
import { notifyMigrations, notifyRoutes, notifyJobs } from './platform/notify/index.ts';
import { jobsMigrations, jobsRoutes } from './platform/jobs/index.ts';
import { filesMigrations, filesRoutes, filesJobs } from './platform/files/index.ts';
import { consoleRoutes } from './platform/console/index.ts';
import { backupRoutes } from './platform/backup/routes.ts';
import { approvalModule } from './modules/approval/index.ts';
import { supervisionModule } from './modules/supervision/index.ts';
import './platform/iam/messages.ts';
import './platform/org/messages.ts';

/** Every module of the installation, platform first; migrations run in key order across all. */
export const modules: ZtModule[] = [
  { name: 'audit', migrations: auditMigrations, routes: auditRoutes },
  { name: 'org', migrations: orgMigrations, routes: orgRoutes },
  { name: 'iam', migrations: iamMigrations, routes: iamRoutes },
  { name: 'calendar', migrations: calendarMigrations, routes: calendarRoutes },
  { name: 'flow', migrations: { ...flowMigrations, ...flowReportMigrations } },
  { name: 'idempotency', migrations: idempotencyMigrations, jobs: idempotencyJobs },
  { name: 'signing', migrations: signingMigrations },
  { name: 'notify', migrations: notifyMigrations, routes: notifyRoutes, jobs: notifyJobs },
  { name: 'jobs', migrations: jobsMigrations, routes: jobsRoutes },
  { name: 'files', migrations: filesMigrations, routes: filesRoutes, jobs: filesJobs },
  { name: 'console', routes: consoleRoutes },
  { name: 'backup', routes: backupRoutes },
  approvalModule,
  supervisionModule,
];
