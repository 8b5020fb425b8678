import type { ZtModule } from '../module.ts';
import { flowMigrations } from './migrations.ts';
import { flowReportMigrations } from './report-migrations.ts';
import { flowMessages } from './messages.ts';

/** The process engine: definitions, instances, tasks and their action log. */
export const flowManifest: ZtModule = {
  name: 'flow',
  platform: true,
  migrations: { ...flowMigrations, ...flowReportMigrations },
  messages: [flowMessages],
};
