/**
 * The government information disclosure catalogue (政府信息公开目录) of the portal module: the
 * pieces of the portal's manifest it contributes, spread into it (`...disclosurePart`).
 *
 * Public pages: /xxgk (units), /xxgk/<unit id or credit code> (the catalogue), …/items/<id>,
 * …/guide (公开指南), …/report/<year> (年度报告). Console: /console/portal/disclosure/…
 */
import type { FastifyInstance } from 'fastify';
import type { AuditObjectResolver, Platform, ZtModule } from '../../../platform/module.ts';
import type { FileAccessPolicy } from '../../../platform/files/service.ts';
import { getUnits } from '../../../platform/org/service.ts';
import { disclosureMigrations } from './migrations.ts';
import { disclosureApi } from './routes.ts';
import { disclosureErrors, disclosureMessages } from './messages/index.ts';
import { disclosureNav, disclosurePages } from './pages/index.ts';
import { ATTACHMENT_OWNER, CATALOGUE_OBJECT, CATEGORY_OBJECT, DISCLOSURE_PERMISSION, disclosureDb, GUIDE_OBJECT, ITEM_OBJECT } from './model.ts';
import { itemView } from './queries/items.ts';
import { loadDisclosureDemo } from './demo.ts';

/** The search: disclosure items are indexed under this source, filtered by their first-level category's code. */
export { DISCLOSURE_DOCUMENTS, DEFAULT_CATALOGUE } from './search.ts';

async function disclosureRoutes(app: FastifyInstance, platform: Platform) {
  await disclosureApi(app, platform);
  await app.register(async (pages) => disclosurePages(pages, platform));
}

/** An item's attachments are as public as the item: anyone once it is published, the unit's editors before. */
const mayDownloadAttachments: FileAccessPolicy = async (platform, principal, ownerId) => {
  try {
    await itemView(platform.db, ownerId, { now: platform.clock.now(), principal });
    return true;
  } catch {
    return false;
  }
};

const unitObjects = (suffix: string): AuditObjectResolver => async (db, ids) => {
  const units = await getUnits(db, ids);
  return new Map(units.map((u) => [u.id, { name: `${u.name}${suffix}`, href: `/xxgk/${u.id}` }]));
};

export const disclosurePart = {
  migrations: disclosureMigrations,
  routes: disclosureRoutes,
  messages: disclosureMessages,
  errors: disclosureErrors,
  permissions: [{ name: DISCLOSURE_PERMISSION, roles: ['editor', 'unit_admin'] }],
  consoleNav: [disclosureNav],
  fileAccess: { [ATTACHMENT_OWNER]: mayDownloadAttachments },
  auditObjects: {
    [ITEM_OBJECT]: async (db, ids) => {
      const rows = ids.length ? await disclosureDb(db).selectFrom('portal_disclosure_items').select(['id', 'index_no', 'title']).where('id', 'in', ids).execute() : [];
      return new Map(rows.map((r) => [r.id, { name: `${r.index_no} ${r.title}`, href: `/console/portal/disclosure/items/${r.id}` }]));
    },
    [CATEGORY_OBJECT]: async (db, ids) => {
      const rows = ids.length ? await disclosureDb(db).selectFrom('portal_disclosure_categories').select(['id', 'name']).where('id', 'in', ids).execute() : [];
      return new Map(rows.map((r) => [r.id, { name: r.name, href: '/console/portal/disclosure/categories' }]));
    },
    [CATALOGUE_OBJECT]: unitObjects(''),
    [GUIDE_OBJECT]: unitObjects(''),
  },
  portal: { nav: [{ href: '/xxgk', key: 'page.portalDisclosure.public.nav' }] },
  demo: loadDisclosureDemo,
} satisfies Partial<ZtModule>;
