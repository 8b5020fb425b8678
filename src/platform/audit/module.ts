import type { ZtModule } from '../module.ts';
import { auditMigrations } from './migrations.ts';
import { auditRoutes } from './routes.ts';

/** The hash-chained audit log and the auditor's reading of it. */
export const auditManifest: ZtModule = {
  name: 'audit',
  platform: true,
  migrations: auditMigrations,
  routes: auditRoutes,
  permissions: [{ name: 'audit.read', roles: ['auditor'] }],
};
