import type { ZtModule } from '../module.ts';
import { orgMigrations } from './migrations.ts';
import { orgRoutes } from './routes.ts';
import { orgMessages } from './messages.ts';
import { getUnits } from './service.ts';

/** Regions (GB/T 2260) and units (GB 32100 credit codes). */
export const orgManifest: ZtModule = {
  name: 'org',
  platform: true,
  migrations: orgMigrations,
  routes: orgRoutes,
  messages: [orgMessages],
  auditObjects: {
    unit: async (db, ids) => new Map((await getUnits(db, ids)).map((u) => [u.id, { name: u.name, href: null }])),
  },
  permissions: [
    { name: 'region.write', roles: ['sysadmin'] },
    { name: 'unit.write', roles: ['sysadmin'] },
    { name: 'unit.import', roles: ['sysadmin'] },
  ],
};
