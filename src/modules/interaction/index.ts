import type { FastifyInstance } from 'fastify';
import type { Platform, ZtModule } from '../../platform/module.ts';
import { interactionMigrations } from './migrations.ts';
import { caseTemplates } from './notify.ts';
import { loadInteractionDemo } from './demo.ts';
import { publicLetterRoutes } from './routes/public.ts';
import { interactionPortal, interactionPublicPages } from './pages/public-index.ts';
import { reopenTemplates } from './commands/reopen-case.ts';
import { hotlineRoutes } from './routes/hotline.ts';
import { moderationRoutes } from './routes/moderation.ts';
import { hotlinePages } from './pages/hotline-screen.tsx';
import { moderationPages } from './pages/moderation-queue.tsx';
import { hotlineTemplates } from './messages/hotline.ts';
import { statsRoutes } from './routes/stats.ts';
import { statsNav, statsPages } from './pages/stats.tsx';
import { interactionStatsMigrations } from './stats-migrations.ts';
import { casesRoutes } from './routes/cases.ts';
import { handlingTemplates } from './messages/handling.ts';
import { handlingCounters, handlingNav, handlingPages } from './pages/console-cases.tsx';
import { caseTasks } from './handling-tasks.ts';
import { interactionErrors, interactionMessages } from './messages/index.ts';
import { disclosureRoutes } from './routes/disclosure.ts';
import { disclosureRegisterPages } from './pages/disclosure-register.tsx';
import { disclosureTemplates } from './messages/disclosure.ts';
import { interactionSubjects } from './supervised-subject.ts';
import { CASE_CHANGED } from './events.ts';
import { pageScope, type NavGroup } from '../../platform/console/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { registerOf, type RegisterFigures } from './queries/disclosure.ts';
import { APPROVE_PERMISSION, DISPATCH_PERMISSION, HANDLE_PERMISSION, HOTLINE_PERMISSION, MODERATE_PERMISSION, OVERSIGHT_PERMISSION, SETTINGS_PERMISSION, STATS_PERMISSION } from './model.ts';

async function interactionRoutes(app: FastifyInstance, platform: Platform) {
  await publicLetterRoutes(app, platform);
  await app.register(async (pages) => interactionPublicPages(pages, platform));
  await casesRoutes(app, platform);
  await disclosureRoutes(app, platform);
  await app.register(async (pages) => handlingPages(pages, platform));
  await app.register(async (pages) => {
    pageScope(pages);
    await disclosureRegisterPages(pages, platform);
  });
  await statsRoutes(app, platform);
  await app.register(async (pages) => statsPages(pages, platform));
  await hotlineRoutes(app, platform);
  await moderationRoutes(app, platform);
  await app.register(async (pages) => hotlinePages(pages, platform));
  await app.register(async (pages) => moderationPages(pages, platform));
}

/** The console's 政民互动 menu: dispatching and handling first, then the hotline, moderation and the figures. */
export const interactionNav: NavGroup = {
  id: 'interaction',
  key: 'page.interaction.nav.group',
  items: [
    ...handlingNav.items,
    { href: '/console/hotline', key: 'page.interaction.nav.hotline', permission: HOTLINE_PERMISSION },
    { href: '/console/interaction/moderation', key: 'page.interaction.nav.moderation', permission: MODERATE_PERMISSION },
    { href: '/console/interaction/sensitive-words', key: 'page.interaction.nav.sensitiveWords', permission: MODERATE_PERMISSION },
    { href: '/console/interaction/disclosure', key: 'page.interaction.nav.disclosure', permission: STATS_PERMISSION },
    ...statsNav.items,
  ],
};

/**
 * Citizen interaction (政民互动): the mayor's and the units' mailboxes, the message board,
 * disclosure requests and the 12345 hotline as one kind of case with one clock.
 */
export const interactionModule: ZtModule = {
  name: 'interaction',
  migrations: { ...interactionMigrations, ...interactionStatsMigrations },
  routes: interactionRoutes,
  messages: interactionMessages,
  errors: interactionErrors,
  templates: { ...caseTemplates, ...handlingTemplates, ...disclosureTemplates, ...hotlineTemplates, ...reopenTemplates },
  portal: interactionPortal,
  tasks: [caseTasks],
  consoleNav: [interactionNav],
  dashboard: [...handlingCounters],
  publishes: [CASE_CHANGED],
  supervisedSubjects: interactionSubjects,
  demo: loadInteractionDemo,
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

export { ANSWER_TYPES, type AnswerType } from './model.ts';
export type { RegisterFigures as DisclosureRequestFigures } from './queries/disclosure.ts';

/**
 * One unit's register of disclosure requests (依申请公开) for a calendar year, as the annual report
 * on open government information publishes it: received, carried over, answered by answer type,
 * open, extended. No scope check: the figures are public once the report is (the portal shows them).
 */
export async function disclosureRequestFigures(db: Db, unitId: string, year: number): Promise<RegisterFigures> {
  return (await registerOf(db, year, [unitId])).total;
}
