import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../http/errors.ts';
import { rememberPreferences } from '../views/context.ts';
import { pageErrorHandler } from './shell.tsx';

/** The console is for staff; citizens' and enterprises' accounts have the portal. */
async function staffOnlyConsole(request: FastifyRequest) {
  if (request.principal && request.principal.kind !== 'staff' && request.url.startsWith('/console')) throw new AppError('FORBIDDEN');
}

/**
 * What every plugin of server-rendered pages (the platform's and each module's) sets up in its own
 * scope, before its routes: the pages stay out of the OpenAPI document, errors become HTML pages
 * or sign-in redirects, the ?lang= / ?display= choices and the one-time flash are read, and
 * /console refuses any account that is not a staff account.
 */
export function pageScope(app: FastifyInstance): void {
  // Pages are not part of the API contract.
  app.addHook('onRoute', (route) => {
    route.schema = { ...(route.schema ?? {}), hide: true } as typeof route.schema;
  });
  app.setErrorHandler(pageErrorHandler);
  app.addHook('onRequest', async (request, reply) => rememberPreferences(request, reply));
  app.addHook('preHandler', staffOnlyConsole);
}
