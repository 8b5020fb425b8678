import type { ZtModule } from '../module.ts';
import { auditMigrations } from './migrations.ts';
import { auditRoutes } from './routes.ts';
import { auditLabelMessages } from './labels.ts';

/** The hash-chained audit log and the auditor's reading of it. */
export const auditManifest: ZtModule = {
  name: 'audit',
  platform: true,
  migrations: auditMigrations,
  routes: auditRoutes,
  messages: [auditLabelMessages],
  permissions: [{ name: 'audit.read', roles: ['auditor'] }],
};
