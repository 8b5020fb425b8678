import type { FastifyInstance } from 'fastify';
import type { Platform, ZtModule } from '../../platform/module.ts';
import { interactionMigrations } from './migrations.ts';
import { caseTemplates } from './notify.ts';
import { interactionErrors, interactionMessages } from './messages/index.ts';
import { publicLetterRoutes } from './routes/public.ts';
import { interactionPortal, interactionPublicPages } from './pages/public-index.ts';
import { reopenTemplates } from './commands/reopen-case.ts';
import { APPROVE_PERMISSION, DISPATCH_PERMISSION, HANDLE_PERMISSION, HOTLINE_PERMISSION, MODERATE_PERMISSION, OVERSIGHT_PERMISSION, SETTINGS_PERMISSION, STATS_PERMISSION } from './model.ts';

async function interactionRoutes(app: FastifyInstance, platform: Platform) {
  await publicLetterRoutes(app, platform);
  await app.register(async (pages) => interactionPublicPages(pages, platform));
}

/**
 * Citizen interaction (政民互动): the mayor's and the units' mailboxes, the message board,
 * disclosure requests and the 12345 hotline as one kind of case with one clock.
 */
export const interactionModule: ZtModule = {
  name: 'interaction',
  migrations: interactionMigrations,
  routes: interactionRoutes,
  messages: interactionMessages,
  errors: interactionErrors,
  templates: { ...caseTemplates, ...reopenTemplates },
  portal: interactionPortal,
  permissions: [
    { name: DISPATCH_PERMISSION, roles: ['responder'] },
    { name: HANDLE_PERMISSION, roles: ['responder', 'village_officer'] },
    { name: APPROVE_PERMISSION, roles: ['unit_leader'] },
    { name: MODERATE_PERMISSION, roles: ['editor', 'responder'] },
    { name: HOTLINE_PERMISSION, roles: ['hotline_operator'] },
    { name: STATS_PERMISSION, roles: ['responder', 'unit_leader', 'supervisor', 'hotline_operator'] },
    { name: OVERSIGHT_PERMISSION, roles: ['supervisor'], oversight: true },
    { name: SETTINGS_PERMISSION, roles: ['unit_admin', 'hotline_operator'] },
  ],
};
