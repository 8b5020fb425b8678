import type { Lang } from '../i18n/index.ts';
import type { Actor } from '../db/work.ts';
import type { Principal } from '../iam/principal.ts';

/**
 * What a route requires of the caller:
 * - 'public': anyone;
 * - 'user': any signed-in account;
 * - a permission name: an account holding a role with that permission (scope is checked by the service).
 */
export type RouteAuth = 'public' | 'user' | `${string}.${string}`;

declare module 'fastify' {
  interface FastifyRequest {
    lang: Lang;
    principal: Principal | null;
    /** Set when the caller authenticated with the session cookie (CSRF applies). */
    viaCookie: boolean;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** Allowed while the account must still change its password or enrol TOTP. */
    allowRestricted?: boolean;
  }
}

export function actorOf(request: { principal: Principal | null; ip: string; id: string }): Actor {
  return {
    userId: request.principal?.userId ?? null,
    username: request.principal?.username ?? null,
    unitId: request.principal?.unitId ?? null,
    ip: request.ip,
    requestId: String(request.id),
  };
}
