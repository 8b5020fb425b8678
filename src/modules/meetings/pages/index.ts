import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../platform/module.ts';
import { pageScope, type NavGroup } from '../../../platform/console/index.ts';
import { ORGANISE_PERMISSION, REGISTER_PERMISSION } from '../model.ts';
import { listPages } from './list.tsx';
import { meetingPages } from './meeting.tsx';

/** The console's 会议 menu. */
export const meetingsNav: NavGroup = {
  id: 'meetings',
  key: 'page.meetings.nav.group',
  items: [
    { href: '/console/meetings', key: 'page.meetings.nav.list', permission: REGISTER_PERMISSION },
    { href: '/console/meetings/new', key: 'page.meetings.nav.compose', permission: ORGANISE_PERMISSION },
  ],
};

/** The console's 会议 pages: the list, the composer, a notice, the registration form, check-in. */
export async function meetingsPages(app: FastifyInstance, platform: Platform) {
  pageScope(app);
  await listPages(app, platform);
  await meetingPages(app, platform);
}
