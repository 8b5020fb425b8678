import type { ZtModule } from '../module.ts';
import { auditMigrations } from './migrations.ts';
import { auditRoutes } from './routes.ts';
import { auditChainMessages, auditLabelMessages } from './labels.ts';
import { checkpointNow } from './anchor.ts';

/** The hash-chained audit log and the auditor's reading of it. */
export const auditManifest: ZtModule = {
  name: 'audit',
  platform: true,
  migrations: auditMigrations,
  routes: auditRoutes,
  messages: [auditLabelMessages, auditChainMessages],
  permissions: [{ name: 'audit.read', roles: ['auditor'] }],
  // A signed checkpoint of every lane's head each minute in which anything was written (decision 0013).
  jobs: [{ name: 'audit.checkpoint', everySeconds: 60, run: (platform, log) => checkpointNow(platform, { log }).then(() => undefined) }],
};
