import type { ZtModule } from '../module.ts';
import { orgMigrations } from './migrations.ts';
import { orgRoutes } from './routes.ts';
import { orgMessages } from './messages.ts';

/** Regions (GB/T 2260) and units (GB 32100 credit codes). */
export const orgManifest: ZtModule = {
  name: 'org',
  platform: true,
  migrations: orgMigrations,
  routes: orgRoutes,
  messages: [orgMessages],
  permissions: [
    { name: 'region.write', roles: ['sysadmin'] },
    { name: 'unit.write', roles: ['sysadmin'] },
    { name: 'unit.import', roles: ['sysadmin'] },
  ],
};
