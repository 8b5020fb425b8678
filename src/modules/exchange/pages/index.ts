import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../platform/module.ts';
import { pageScope, type NavGroup } from '../../../platform/console/index.ts';
import { DRAFT_PERMISSION, RECEIVE_PERMISSION, SIGNOFF_PERMISSION, STATS_PERMISSION } from '../model.ts';

/** The console's 公文交换 menu; each page's owner adds its link here. */
export const exchangeNav: NavGroup = {
  id: 'exchange',
  key: 'page.exchange.nav.group',
  items: [
    { href: '/console/exchange/inbox', key: 'page.exchange.nav.inbox', permission: RECEIVE_PERMISSION },
    { href: '/console/exchange/documents', key: 'page.exchange.nav.documents', permission: SIGNOFF_PERMISSION },
    { href: '/console/exchange/documents/new', key: 'page.exchange.nav.compose', permission: DRAFT_PERMISSION },
    { href: '/console/exchange/stats', key: 'page.exchange.nav.stats', permission: STATS_PERMISSION },
  ],
};
import { documentsPages } from './documents.tsx';
import { distributionPages } from './distribution.tsx';
import { statsPages } from './stats.tsx';
import { documentViewPages } from './document-view.tsx';

/** The console's 公文交换 pages: compose and sign-off, send and receipts, inbox, statistics. */
export async function exchangePages(app: FastifyInstance, platform: Platform) {
  pageScope(app);
  await documentsPages(app, platform);
  await distributionPages(app, platform);
  await statsPages(app, platform);
  await documentViewPages(app, platform);
}
