import type { FastifyInstance } from 'fastify';
import type { Platform, ZtModule } from '../../platform/module.ts';
import { SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { subscribe } from '../../platform/events.ts';
import { declareOversightPermission, grantPermissions } from '../../platform/iam/roles.ts';
import { READ } from './access.ts';
import { supervisionMigrations } from './migrations.ts';
import { supervisionApiRoutes } from './routes.ts';
import { supervisionPages } from './pages.tsx';
import { onCaseChanged, runScan } from './scan.ts';
import './messages.ts';

// The supervision office watches departments other than its own: a unit-scoped supervision.read
// covers every unit, here and wherever another module checks it (a case page opened from a figure).
declareOversightPermission(READ);

// Auditors read what supervision saw (cards, their history, figures); they decide nothing.
grantPermissions('auditor', ['supervision.read']);

// Every approval case action is checked in its own transaction.
subscribe('approval.case.changed', onCaseChanged);

async function supervisionRoutes(app: FastifyInstance, platform: Platform) {
  await supervisionApiRoutes(app, platform);
  await app.register(async (pages) => supervisionPages(pages, platform));
}

/** Electronic supervision (电子监察): cards, the monitor, performance statistics, complaints, ratings. */
export const supervisionModule: ZtModule = {
  name: 'supervision',
  migrations: supervisionMigrations,
  routes: supervisionRoutes,
  jobs: [{ name: 'supervision.scan', everySeconds: 300, run: (platform) => runScan(platform, SYSTEM_ACTOR).then(() => undefined) }],
};

export { runScan, checkCase } from './scan.ts';
export { rateCase } from './ratings.ts';
export { rebuildStatistics } from './stats.ts';
