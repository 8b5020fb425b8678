import type { FastifyInstance } from 'fastify';
import { AppError, setHtmlErrorPage } from '../http/index.ts';
import type { Platform } from '../module.ts';
import { assetRoutes, rememberPreferences } from '../views/index.ts';
import '../views/messages.ts';
import './messages.ts';
import { pageErrorHandler, renderErrorPage } from './shell.tsx';
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
  // Pages are not part of the API contract: they stay out of the OpenAPI document.
  app.addHook('onRoute', (route) => {
    route.schema = { ...(route.schema ?? {}), hide: true } as typeof route.schema;
  });
  app.setErrorHandler(pageErrorHandler);
  app.addHook('onRequest', async (request, reply) => rememberPreferences(request, reply));
  // The console is for staff; citizens' and enterprises' accounts have the portal.
  app.addHook('preHandler', async (request) => {
    if (request.principal && request.principal.kind !== 'staff' && request.url.startsWith('/console')) throw new AppError('FORBIDDEN');
  });
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
