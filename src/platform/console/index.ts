import type { FastifyInstance } from 'fastify';
import { setHtmlErrorPage } from '../http/index.ts';
import type { Platform } from '../module.ts';
import { assetRoutes } from '../views/index.ts';
import '../views/messages.ts';
import './messages.ts';
import { renderErrorPage } from './shell.tsx';
import { pageScope } from './page-scope.ts';
import { portalPages } from './portal.tsx';
import { authPages } from './auth.tsx';
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
  setHtmlErrorPage(renderErrorPage);
  pageScope(app);
  await assetRoutes(app);
  await portalPages(app, platform);
  await authPages(app, platform);
  await accountPages(app, platform);
  await orgPages(app, platform);
  await userPages(app, platform);
  await calendarPages(app, platform);
  await auditPages(app, platform);
}

/** For modules that add console pages: render inside the shell, add navigation by permission. */
export { renderConsole, renderPortal, pageErrorHandler, type PageSpec } from './shell.tsx';
export { registerConsoleNav, type NavGroup, type NavItem } from '../views/nav.ts';
export { pageScope } from './page-scope.ts';
