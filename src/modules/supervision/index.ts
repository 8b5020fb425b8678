import type { FastifyInstance } from 'fastify';
import type { Platform, ZtModule } from '../../platform/module.ts';
import { SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { DECIDE, EXPLAIN, READ, SCAN, departmentScope, supervisorScope } from './access.ts';
import { CARD_FILE_OWNER, countCardsAwaiting, mayDownloadCardFiles } from './cards.ts';
import { supervisionMigrations } from './migrations.ts';
import { supervisionApiRoutes } from './routes.ts';
import { supervisionNav, supervisionPages } from './pages.tsx';
import { onSubjectChanged, runScan } from './scan.ts';
import { supervisionMessages, supervisionTemplates } from './messages.ts';
import { supervisionPageMessages } from './page-messages.ts';
import { supervisionDemoHooks } from './demo.ts';
import { supervisionAuditMessages, supervisionAuditObjects } from './audit-labels.ts';

async function supervisionRoutes(app: FastifyInstance, platform: Platform) {
  await supervisionApiRoutes(app, platform);
  await app.register(async (pages) => supervisionPages(pages, platform));
}

/**
 * Electronic supervision (电子监察) over the supervised subjects of every installed module (read
 * from the registry): cards, the monitor, performance statistics, complaints, ratings.
 */
export const supervisionModule: ZtModule = {
  name: 'supervision',
  migrations: supervisionMigrations,
  routes: supervisionRoutes,
  jobs: [{ name: 'supervision.scan', everySeconds: 300, run: (platform) => runScan(platform, SYSTEM_ACTOR).then(() => undefined) }],
  messages: [supervisionMessages, supervisionPageMessages, supervisionAuditMessages],
  auditObjects: supervisionAuditObjects,
  templates: supervisionTemplates,
  fileAccess: { [CARD_FILE_OWNER]: mayDownloadCardFiles },
  permissions: [
    // The supervision office watches departments other than its own: a unit-scoped read covers
    // every unit, here and wherever another module checks it (a case page opened from a figure).
    // Auditors read what supervision saw (cards, their history, figures); they decide nothing.
    { name: READ, roles: ['supervisor', 'auditor'], oversight: true },
    { name: DECIDE, roles: ['supervisor'] },
    { name: SCAN, roles: ['supervisor'] },
    // A unit's leader explains a card given to the unit.
    { name: EXPLAIN, roles: ['unit_leader'] },
  ],
  consoleNav: [supervisionNav],
  // Every change of a supervised subject is checked in the transaction that made it.
  watchesSubjects: onSubjectChanged,
  demoActivity: { hooks: supervisionDemoHooks },
  dashboard: [
    // A unit leader explains the cards given to the unit; the supervision office decides on the explained ones.
    { id: 'supervision.cardsToExplain', key: 'supervision.dashboard.cardsToExplain', permission: EXPLAIN, href: '/console/supervision/cards?status=open', count: (platform, principal) => countCardsAwaiting(platform.db, departmentScope(principal), 'open') },
    { id: 'supervision.cardsToReview', key: 'supervision.dashboard.cardsToReview', permission: DECIDE, href: '/console/supervision/cards?status=explained', count: (platform, principal) => countCardsAwaiting(platform.db, supervisorScope(principal), 'explained') },
  ],
};

export { runScan, checkSubject } from './scan.ts';
export { rateCase, ratingsBy, ratingsOfSubjects, POOR_SCORE } from './ratings.ts';
export { fileComplaint, listComplaints, getComplaint } from './complaints.ts';
export { rebuildStatistics } from './stats.ts';
