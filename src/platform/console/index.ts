import type { FastifyInstance } from 'fastify';
import type { Platform, ZtModule } from '../module.ts';
import type { NavGroup } from '../views/nav.ts';
import { viewMessages } from '../views/messages.ts';
import { consoleMessages } from './messages.ts';
import { assetRoutes } from '../views/index.ts';
import { renderErrorPage } from './shell.tsx';
import { pageScope } from './page-scope.ts';
import { portalPages } from './portal.tsx';
import { authPages } from './auth.tsx';
import { publicAuthPages } from './public-auth.tsx';
import { publicAccountPages } from './public-account.tsx';
import { accountPages } from './account.tsx';
import { orgPages } from './org.tsx';
import { userPages } from './users.tsx';
import { calendarPages } from './calendar.tsx';
import { auditPages } from './audit.tsx';

/**
 * The server-rendered pages: the public portal shell (/), sign-in (/login) and the staff
 * console (/console). Forms post to these routes, never to the JSON API, and carry the
 * session's CSRF token in `_csrf`. Errors become redirects (sign in, change password,
 * enrol TOTP) or HTML error pages; /api keeps its problem+json answers.
 */
export async function consoleRoutes(app: FastifyInstance, platform: Platform) {
  pageScope(app);
  await assetRoutes(app);
  await portalPages(app, platform);
  await authPages(app, platform);
  await publicAuthPages(app, platform);
  await publicAccountPages(app, platform);
  await accountPages(app, platform);
  await orgPages(app, platform);
  await userPages(app, platform);
  await calendarPages(app, platform);
  await auditPages(app, platform);
}

/** The console's own pages: the account's pages for everyone, administration by permission. */
const consoleNav: NavGroup[] = [
  {
    id: 'mine',
    key: 'console.nav.mine',
    items: [
      { href: '/console', key: 'console.nav.overview', allowRestricted: true },
      { href: '/console/profile', key: 'console.nav.profile', allowRestricted: true },
      { href: '/console/sessions', key: 'console.nav.sessions', allowRestricted: true },
    ],
  },
  {
    id: 'admin',
    key: 'console.nav.admin',
    items: [
      { href: '/console/regions', key: 'console.nav.regions', permission: 'region.write' },
      { href: '/console/units', key: 'console.nav.units', permission: 'unit.write' },
      { href: '/console/users', key: 'console.nav.users', permission: 'user.read' },
      { href: '/console/calendar', key: 'console.nav.calendar', permission: 'calendar.write' },
      { href: '/console/audit', key: 'console.nav.audit', permission: 'audit.read' },
    ],
  },
];

/** The portal shell, sign-in and the staff console; its error page serves every non-API path. */
export const consoleManifest: ZtModule = {
  name: 'console',
  platform: true,
  routes: consoleRoutes,
  messages: [viewMessages, consoleMessages],
  consoleNav,
  htmlErrorPage: renderErrorPage,
};

/** For modules that add console pages: render inside the shell, add navigation by permission. */
export { renderConsole, renderPortal, pageErrorHandler, type PageSpec } from './shell.tsx';
export type { NavGroup, NavItem } from '../views/nav.ts';
export { pageScope } from './page-scope.ts';
