import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../platform/module.ts';
import { pageScope, type NavGroup } from '../../../platform/console/index.ts';
import { ORGANISE_PERMISSION, REGISTER_PERMISSION } from '../model.ts';

/** The console's 会议 menu. */
export const meetingsNav: NavGroup = {
  id: 'meetings',
  key: 'page.meetings.nav.group',
  items: [
    { href: '/console/meetings', key: 'page.meetings.nav.list', permission: REGISTER_PERMISSION },
    { href: '/console/meetings/new', key: 'page.meetings.nav.compose', permission: ORGANISE_PERMISSION },
  ],
};

export async function meetingsPages(app: FastifyInstance, platform: Platform) {
  pageScope(app);
  void platform;
}
