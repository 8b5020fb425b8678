import type { FastifyInstance, RouteOptions } from 'fastify';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { Config } from '../../config/index.ts';
import { Problem, problemResponse, type ProblemStatus } from './schemas.ts';

/** The routes the OpenAPI document describes: the JSON API and the two probes. */
export const isApiRoute = (url: string) => (url.startsWith('/api/') && !url.startsWith('/api/docs')) || url === '/healthz' || url === '/readyz';

/** @fastify/swagger options: the document served at /api/docs/json. */
export function apiDocumentOptions(config: Config): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Zhengtong (政通) API',
        version: '1',
        description: [
          'Unified e-government platform for a city, its counties, towns and villages.',
          '',
          '- JSON bodies with camelCase fields; lists take `limit` and `cursor` and answer `{ items, nextCursor }`.',
          '- Every refusal is `application/problem+json` (the `Problem` schema) with a stable `code` to match on.',
          '- Programs authenticate with `Authorization: Bearer <token>`; browsers with the session cookie plus `X-CSRF-Token` on writes.',
          '- Operations marked with an empty security list are public.',
        ].join('\n'),
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
        contact: { name: 'Zhengtong maintainers', url: 'https://zhengtong.org.cn' },
      },
      servers: [{ url: config.publicUrl, description: 'this installation' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'an API token (POST /api/v1/tokens or `zt admin token`)' },
          session: { type: 'apiKey', in: 'cookie', name: 'zt_session', description: 'the browser session; writes also need X-CSRF-Token' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    // Shared schemas keep their $id as their name under components/schemas.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    // The document describes the API; HTML pages and assets stay out of it.
    transform: ({ schema, url }) => ({ schema: isApiRoute(url) ? schema : { ...schema, hide: true }, url }),
  };
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Completes every API route's description from what the route already declares, so a module
 * cannot forget it: public routes get `security: []`; the refusals every route of that shape can
 * answer (see `problems` in schemas.ts) get the shared Problem schema. The route itself declares
 * its operationId, its success answers and the refusals of its own logic (404, 409, 422 ...).
 */
export function installApiConventions(app: FastifyInstance) {
  app.addSchema(Problem);
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!isApiRoute(route.url) || route.method === 'HEAD') return;
    const schema = (route.schema ??= {}) as Record<string, unknown> & { hide?: boolean };
    if (schema.hide) return;
    const auth = route.config?.auth;
    const isPublic = !auth || auth === 'public';
    if (isPublic) schema.security ??= [];
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const hasBody = !!schema.body || (methods.some((m) => BODY_METHODS.has(m)) && schema.consumes !== undefined);
    const statuses = new Set<ProblemStatus>();
    if (schema.body || schema.querystring || schema.params) statuses.add(400);
    // Any call may carry a bearer token; a wrong one is refused even on a public route.
    statuses.add(401);
    if (!isPublic) statuses.add(403);
    if (schema.params) statuses.add(404);
    if (hasBody) {
      statuses.add(413);
      statuses.add(415);
    }
    if (route.config && 'rateLimit' in route.config && route.config.rateLimit) statuses.add(429);
    const response = (schema.response ??= {}) as Record<string, unknown>;
    // A route that does not describe its success yet is documented as an undescribed answer
    // (the empty schema serialises every field); describing it is the route's job.
    if (!Object.keys(response).some((status) => status.startsWith('2'))) {
      response[200] = { description: 'Success (shape not described yet)', content: { 'application/json': { schema: {} } } };
    }
    for (const status of statuses) response[status] ??= status === 401 && isPublic ? problemResponse(401, 'A bearer token was sent and is not valid: AUTH_INVALID') : problemResponse(status);
  });
}
