/**
 * The approval module's pages: the portal's service hall (/services, /register) and the console's
 * catalogue, intake, task inbox and case pages (/console/approval). Registered in their own
 * scope: page errors become HTML pages or sign-in redirects, multipart forms are parsed only
 * here, and the routes stay out of the OpenAPI document.
 */
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../platform/module.ts';
import { pageScope, type NavGroup } from '../../../platform/console/index.ts';
import { CATALOGUE_PERMISSION } from '../queries/items.ts';
import { registerPageUploads } from './uploads.ts';
import { hallPages } from './hall.tsx';
import { guidePages } from './guide.tsx';
import { verifyPages } from './verify.tsx';
import { citizenPages } from './citizen.tsx';
import { minePages } from './mine.tsx';
import { workPages } from './work.tsx';
import { intakePages } from './intake.tsx';
import { cataloguePages } from './catalogue.tsx';
import { catalogueFilePages } from './catalogue-files.tsx';
import { sealPages, SEAL_PATH } from './seal.tsx';
import { SEAL_PERMISSION } from '../documents/seals.ts';

/** Seeing the approval task inbox: everyone who holds a step of a case (acceptance or review). */
export const TASKS_PERMISSION = 'approval.tasks';

export const approvalNav: NavGroup = {
  id: 'approval',
  key: 'page.approval.nav.group',
  items: [
    { href: '/console/approval/tasks', key: 'page.approval.nav.tasks', permission: TASKS_PERMISSION },
    { href: '/console/approval/intake', key: 'page.approval.nav.intake', permission: 'approval.intake' },
    { href: '/console/approval/items', key: 'page.approval.nav.items', permission: CATALOGUE_PERMISSION },
    { href: SEAL_PATH, key: 'page.approval.nav.seal', permission: SEAL_PERMISSION },
  ],
};

export async function approvalPages(app: FastifyInstance, platform: Platform) {
  pageScope(app);
  await registerPageUploads(app, platform);
  await hallPages(app, platform);
  await guidePages(app, platform);
  await verifyPages(app, platform);
  await citizenPages(app, platform);
  await minePages(app, platform);
  await intakePages(app, platform);
  await workPages(app, platform);
  await cataloguePages(app, platform);
  await catalogueFilePages(app, platform);
  await sealPages(app, platform);
}
