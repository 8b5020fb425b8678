import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../../platform/module.ts';
import { pageScope, type NavGroup } from '../../../../platform/console/index.ts';
import { DISCLOSURE_PERMISSION } from '../model.ts';

/** The console's 政务公开 menu: the items, the catalogue's categories, the guide. */
export const disclosureNav: NavGroup = {
  id: 'portalDisclosure',
  key: 'page.portalDisclosure.nav.group',
  items: [],
};
void DISCLOSURE_PERMISSION;

export async function disclosurePages(app: FastifyInstance, platform: Platform) {
  pageScope(app);
  void platform;
}
