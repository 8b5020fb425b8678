import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../../platform/module.ts';
import { pageScope, type NavGroup } from '../../../../platform/console/index.ts';
import { DISCLOSURE_PERMISSION } from '../model.ts';
import { publicCataloguePages } from './public.tsx';
import { publicGuidePages } from './public-guide.tsx';
import { consoleItemPages } from './console-items.tsx';
import { consoleCataloguePages } from './console-catalogue.tsx';
import { CONSOLE_BASE } from './parts.tsx';

/** The console's 信息公开 menu: the items, the catalogue's categories, the guide. */
export const disclosureNav: NavGroup = {
  id: 'portalDisclosure',
  key: 'page.portalDisclosure.nav.group',
  items: [
    { href: CONSOLE_BASE, key: 'page.portalDisclosure.nav.items', permission: DISCLOSURE_PERMISSION },
    { href: `${CONSOLE_BASE}/items/new`, key: 'page.portalDisclosure.nav.new', permission: DISCLOSURE_PERMISSION },
    { href: `${CONSOLE_BASE}/categories`, key: 'page.portalDisclosure.nav.categories', permission: DISCLOSURE_PERMISSION },
    { href: `${CONSOLE_BASE}/guide`, key: 'page.portalDisclosure.nav.guide', permission: DISCLOSURE_PERMISSION },
  ],
};

/** The public pages under /xxgk and the console's pages under /console/portal/disclosure, in one page scope. */
export async function disclosurePages(app: FastifyInstance, platform: Platform) {
  pageScope(app);
  await publicCataloguePages(app, platform);
  await publicGuidePages(app, platform);
  await consoleItemPages(app, platform);
  await consoleCataloguePages(app, platform);
}
