import type { ZtModule } from '../module.ts';
import { backupRoutes } from './routes.ts';

/** Backups of the database and the files, restored by the command line. */
export const backupManifest: ZtModule = {
  name: 'backup',
  platform: true,
  routes: backupRoutes,
  permissions: [{ name: 'system.backup', roles: ['sysadmin'] }],
};
