import type { FastifyInstance } from 'fastify';
import type { Platform, ZtModule } from '../../platform/module.ts';
import { interactionMigrations } from './migrations.ts';
import { caseTemplates } from './notify.ts';
import { interactionErrors, interactionMessages } from './messages/index.ts';
import { hotlineRoutes } from './routes/hotline.ts';
import { moderationRoutes } from './routes/moderation.ts';
import { hotlinePages } from './pages/hotline-screen.tsx';
import { moderationPages } from './pages/moderation-queue.tsx';
import type { NavGroup } from '../../platform/console/index.ts';
import { hotlineTemplates } from './messages/hotline.ts';
import { APPROVE_PERMISSION, DISPATCH_PERMISSION, HANDLE_PERMISSION, HOTLINE_PERMISSION, MODERATE_PERMISSION, OVERSIGHT_PERMISSION, SETTINGS_PERMISSION, STATS_PERMISSION } from './model.ts';

async function interactionRoutes(app: FastifyInstance, platform: Platform) {
  await hotlineRoutes(app, platform);
  await moderationRoutes(app, platform);
  await app.register(async (pages) => hotlinePages(pages, platform));
  await app.register(async (pages) => moderationPages(pages, platform));
}

/** The console's 政民互动 menu; each page's owner adds its link here. */
export const interactionNav: NavGroup = {
  id: 'interaction',
  key: 'page.interaction.nav.group',
  items: [
    { href: '/console/hotline', key: 'page.interaction.nav.hotline', permission: HOTLINE_PERMISSION },
    { href: '/console/interaction/moderation', key: 'page.interaction.nav.moderation', permission: MODERATE_PERMISSION },
    { href: '/console/interaction/sensitive-words', key: 'page.interaction.nav.sensitiveWords', permission: MODERATE_PERMISSION },
  ],
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
  templates: { ...caseTemplates, ...hotlineTemplates },
  consoleNav: [interactionNav],
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
