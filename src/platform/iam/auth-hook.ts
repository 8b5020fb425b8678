import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../http/errors.ts';
import { authenticateBearer, authenticateSession } from './authenticate.ts';
import { hasPermission } from './principal.ts';
import type { Platform } from '../module.ts';

export const SESSION_COOKIE = 'zt_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the caller on every request and enforces what the route declares in
 * `config.auth`. Every /api route must declare it: a route that forgets fails at start-up.
 */
export function installAuth(app: FastifyInstance, platform: Platform) {
  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    if (url.startsWith('/api/v1') && !route.config?.auth) throw new Error(`route ${route.method} ${url} declares no auth`);
  });

  app.addHook('preHandler', async (request, reply) => {
    const auth = request.routeOptions.config?.auth;
    await resolvePrincipal(platform, request, (expired) => {
      if (expired && auth && auth !== 'public') throw new AppError('SESSION_EXPIRED');
      if (expired) reply.clearCookie(SESSION_COOKIE, { path: '/' });
    });
    if (!auth || auth === 'public') return;
    const principal = request.principal;
    if (!principal) throw new AppError('AUTH_REQUIRED');
    if (request.viaCookie && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers['x-csrf-token'] ?? (request.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof sent !== 'string' || sent !== principal.csrfToken) throw new AppError('CSRF_INVALID');
    }
    if ((principal.mustChangePassword || principal.totpEnrollmentRequired) && !request.routeOptions.config?.allowRestricted) {
      throw new AppError(principal.mustChangePassword ? 'PASSWORD_CHANGE_REQUIRED' : 'FORBIDDEN', principal.mustChangePassword ? {} : { detail: { key: 'iam.totpEnrollmentRequired' } });
    }
    if (auth !== 'user' && !hasPermission(principal, auth)) throw new AppError('FORBIDDEN');
  });
}

export async function resolvePrincipal(platform: Platform, request: FastifyRequest, onExpired: (expired: boolean) => void) {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const principal = await authenticateBearer(platform, header.slice(7).trim());
    if (!principal) throw new AppError('AUTH_INVALID');
    request.principal = principal;
    return;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return;
  const found = await authenticateSession(platform, cookie);
  if (found && 'principal' in found) {
    request.principal = found.principal;
    request.viaCookie = true;
  } else {
    onExpired(true);
  }
}
