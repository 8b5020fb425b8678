import type { ZtModule } from '../module.ts';
import { limitJobs, limitMigrations } from './counters.ts';

export { enforceLimit, hitLimit, peekLimit, holdLimit, clearLimit, rateLimited } from './counters.ts';
export { databaseStore } from './store.ts';

/** Rate limits shared by every process of the installation, kept in the database. */
export const limitsManifest: ZtModule = {
  name: 'limits',
  platform: true,
  migrations: limitMigrations,
  jobs: limitJobs,
};
