import type { FastifyInstance } from 'fastify';
import type { Platform, ZtModule } from '../../platform/module.ts';
import { exchangeMigrations } from './migrations.ts';
import { documentsRoutes } from './routes/documents.ts';
import { distributionRoutes } from './routes/distribution.ts';
import { statsRoutes } from './routes/stats.ts';
import { pdfRoutes } from './routes/pdf.ts';
import { exchangeNav, exchangePages } from './pages/index.ts';
import { exchangeErrors, exchangeMessages } from './messages/index.ts';
import { distributionJobs } from './jobs.ts';
import { distributionTemplates } from './notify.ts';
import { ATTACHMENT_OWNER, DRAFT_PERMISSION, OVERSIGHT_PERMISSION, RECEIVE_PERMISSION, SIGNOFF_PERMISSION, STATS_PERMISSION } from './model.ts';
import { signoffTasks } from './tasks.ts';
import { documentTemplates } from './templates.ts';
import { SETTINGS_PERMISSION } from './commands/save-signoff-settings.ts';
import { mayDownloadAttachments } from './queries/attachments.ts';
import { exchangeStatsMigrations } from './stats-migrations.ts';
import { exchangeSubjects } from './supervised-subject.ts';
import { EXCHANGE_DOCUMENT_CHANGED } from './events.ts';
import { signoffCounter, unsignedCounter } from './pages/stats.tsx';
import { loadExchangeDemo } from './demo.ts';

async function exchangeRoutes(app: FastifyInstance, platform: Platform) {
  await documentsRoutes(app, platform);
  await distributionRoutes(app, platform);
  await statsRoutes(app, platform);
  await pdfRoutes(app, platform);
  await app.register(async (pages) => exchangePages(pages, platform));
}

/**
 * Official document exchange (电子公文交换): documents drafted and signed off inside the sending
 * unit, sent to every recipient unit at once, signed for (签收) or returned by each unit's clerk.
 */
export const exchangeModule: ZtModule = {
  name: 'exchange',
  migrations: { ...exchangeMigrations, ...exchangeStatsMigrations },
  routes: exchangeRoutes,
  messages: exchangeMessages,
  errors: exchangeErrors,
  permissions: [
    { name: DRAFT_PERMISSION, roles: ['doc_clerk'] },
    { name: RECEIVE_PERMISSION, roles: ['doc_clerk'] },
    { name: SIGNOFF_PERMISSION, roles: ['doc_clerk', 'unit_leader'] },
    { name: STATS_PERMISSION, roles: ['doc_clerk', 'unit_leader', 'supervisor'] },
    { name: OVERSIGHT_PERMISSION, roles: ['supervisor'], oversight: true },
    { name: SETTINGS_PERMISSION, roles: ['doc_clerk', 'unit_admin'] },
  ],
  tasks: [signoffTasks],
  templates: { ...documentTemplates, ...distributionTemplates },
  fileAccess: { [ATTACHMENT_OWNER]: mayDownloadAttachments },
  consoleNav: [exchangeNav],
  jobs: [...distributionJobs],
  dashboard: [unsignedCounter, signoffCounter],
  publishes: [EXCHANGE_DOCUMENT_CHANGED],
  supervisedSubjects: exchangeSubjects,
  demo: loadExchangeDemo,
};
