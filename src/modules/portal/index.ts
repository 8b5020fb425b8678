/**
 * The portal site group (门户网站群), its core: sites and sub-sites from templates, column trees,
 * articles with their editorial workflow, revisions, scheduled publishing and shared columns. The
 * public pages, static publishing, search and the disclosure catalogue are other parts that join
 * this manifest (their migrations, routes and messages spread beside these) and follow the events.
 */
import type { FastifyInstance } from 'fastify';
import type { Platform, ZtModule } from '../../platform/module.ts';
import type { FileAccessPolicy } from '../../platform/files/service.ts';
import { portalMigrations } from './migrations.ts';
import { portalErrors, portalMessages } from './messages/index.ts';
import { ARTICLE_OBJECT, ATTACHMENT_OWNER, EDIT_PERMISSION, MANAGE_PERMISSION, SITE_OBJECT, portalDb } from './model.ts';
import { siteRoutes } from './routes/sites.ts';
import { articleRoutes } from './routes/articles.ts';
import { shareRoutes } from './routes/shares.ts';
import { portalJobs } from './jobs.ts';
import { ARTICLE_CHANGED, COLUMN_CHANGED, SITE_CHANGED } from './events.ts';
import { readableArticle } from './queries/articles.ts';
import { LOGO_OWNER } from './commands/update-site.ts';
import { loadPortalDemo } from './demo.ts';
import { portalNav, portalPages } from './pages/console.tsx';
import { articlePages } from './pages/articles.tsx';
import { renderModulePage } from './public/module-page.ts';
import { portalArticleMessages } from './messages/articles.ts';
import { visitPages } from './pages/visits.tsx';
import { portalPageMessages } from './messages/pages.ts';
import { disclosurePart } from './disclosure/index.ts';
import { portalPublicRoutes } from './public/routes.ts';
import { portalSubscriptions } from './public/publishing.ts';
import { portalPagesSource } from './public/source.ts';
import { renderPortalPage } from './public/pages.ts';

export type { ArticleChanged, ArticlePlacement, ColumnChanged, SiteChanged } from './events.ts';
export { ARTICLE_CHANGED, COLUMN_CHANGED, SITE_CHANGED } from './events.ts';
export { siteUrl, columnUrl, articleUrlIn } from './urls.ts';
export { columnItems } from './queries/shares.ts';
export { columnTree } from './queries/sites.ts';
export { portalDb, type PortalTables, type SiteRow, type ColumnRow, type ArticleRow } from './model.ts';
export { THEMES, PALETTE, TEMPLATES, RESERVED_SLUGS } from './templates.ts';
export { runPortalSchedule } from './jobs.ts';

/** The core's routes, to be registered beside the other parts' inside the module's plugin. */
export async function portalCoreRoutes(app: FastifyInstance, platform: Platform) {
  await siteRoutes(app, platform);
  await articleRoutes(app, platform);
  await shareRoutes(app, platform);
  await app.register(async (pages) => portalPages(pages, platform));
  await app.register(async (pages) => visitPages(pages, platform));
  await app.register(async (pages) => articlePages(pages, platform));
}

/** Every part's routes inside the module's plugin. */
async function portalRoutes(app: FastifyInstance, platform: Platform) {
  await portalCoreRoutes(app, platform);
  await disclosurePart.routes(app, platform);
  await portalPublicRoutes(app, platform);
}

/** An article's attachments: public once it is published, else its site's editors only. */
const mayDownloadAttachments: FileAccessPolicy = async (platform, principal, ownerId) => {
  const article = await portalDb(platform.db).selectFrom('portal_articles').select(['status']).where('id', '=', ownerId).executeTakeFirst();
  if (!article) return false;
  if (article.status === 'published') return true;
  if (!principal) return false;
  try {
    await readableArticle(platform.db, principal, ownerId);
    return true;
  } catch {
    return false;
  }
};

/** A site's logo is shown on every public page. */
const logoIsPublic: FileAccessPolicy = async () => true;

export const portalModule: ZtModule = {
  name: 'portal',
  migrations: { ...portalMigrations, ...disclosurePart.migrations },
  routes: portalRoutes,
  jobs: [...portalJobs],
  messages: [portalMessages, portalPageMessages, portalArticleMessages, ...disclosurePart.messages],
  consoleNav: [portalNav, ...disclosurePart.consoleNav],
  errors: { ...portalErrors, ...disclosurePart.errors },
  permissions: [
    { name: EDIT_PERMISSION, roles: ['editor', 'unit_admin'] },
    { name: MANAGE_PERMISSION, roles: ['sysadmin', 'unit_admin'] },
    ...disclosurePart.permissions,
  ],
  publishes: [ARTICLE_CHANGED, SITE_CHANGED, COLUMN_CHANGED],
  // Its own events: the pages they touch are marked stale and the search index follows, in the change's transaction.
  subscriptions: portalSubscriptions,
  staticPages: [portalPagesSource],
  fileAccess: { [ATTACHMENT_OWNER]: mayDownloadAttachments, [LOGO_OWNER]: logoIsPublic, ...disclosurePart.fileAccess },
  portal: {
    ...disclosurePart.portal,
    // The main site is the portal: its home replaces the platform's at / once a main site exists.
    homePage: async (platform) => (await renderPortalPage(platform, { host: null, path: '/' }))?.body.toString() ?? null,
    // The other modules' public pages inside the main site's chrome, so a visitor never leaves the site.
    sitePage: renderModulePage,
  },
  auditObjects: {
    [SITE_OBJECT]: async (db, ids) => {
      const rows = ids.length ? await portalDb(db).selectFrom('portal_sites').select(['id', 'name']).where('id', 'in', ids).execute() : [];
      return new Map(rows.map((r) => [r.id, { name: r.name, href: null }]));
    },
    [ARTICLE_OBJECT]: async (db, ids) => {
      const rows = ids.length ? await portalDb(db).selectFrom('portal_articles').select(['id', 'title']).where('id', 'in', ids).execute() : [];
      return new Map(rows.map((r) => [r.id, { name: r.title, href: null }]));
    },
    ...disclosurePart.auditObjects,
  },
  demo: async (work, platform, city) => {
    await loadPortalDemo(work, platform, city);
    await disclosurePart.demo(work, platform, city);
  },
};
