import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from '@fastify/helmet';
import helmetMiddleware from 'helmet';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { pickLang } from '../i18n/index.ts';
import { AppError } from './errors.ts';
import { installValidators, validationFieldErrors } from './validation.ts';
import type { Config } from '../../config/index.ts';

export * from './errors.ts';
export * from './context.ts';
export * from './schemas.ts';

const PROBLEM = 'application/problem+json; charset=utf-8';

/** No page uses these browser features; denying them keeps injected or third-party code away from them. */
export const PERMISSIONS_POLICY = [
  'accelerometer', 'camera', 'display-capture', 'geolocation', 'gyroscope', 'hid', 'magnetometer',
  'microphone', 'midi', 'payment', 'serial', 'usb', 'xr-spatial-tracking',
].map((feature) => `${feature}=()`).join(', ');

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  if (error.code === 'AUTH_REQUIRED' || error.code === 'SESSION_EXPIRED') reply.header('WWW-Authenticate', 'Bearer');
  // A refusal that ends at a known time says when (429 of the shared limits, sign-in throttling).
  const retryAfter = error.extra?.retryAfter;
  if (typeof retryAfter === 'number' && !reply.hasHeader('retry-after')) reply.header('Retry-After', String(retryAfter));
  return reply.status(error.status).type(PROBLEM).send(error.toProblem(request.lang, request.url.split('?')[0]));
}

/** Maps what Fastify and its plugins throw onto the catalogue, so bad input is never a 500. */
export function toAppError(error: FastifyError & { validation?: unknown[]; validationContext?: string }, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) {
    return new AppError('VALIDATION_FAILED', {
      errors: validationFieldErrors(error.validation as never, error.validationContext ?? 'body', request.lang),
    });
  }
  switch (error.code) {
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('URI_TOO_LONG');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_PROTO_VIOLATION':
    case 'FST_CONSTRUCTOR_VIOLATION':
      return new AppError('MALFORMED_REQUEST');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE');
  }
  if (error.statusCode === 429) return new AppError('RATE_LIMITED');
  if (error.statusCode === 413) return new AppError('PAYLOAD_TOO_LARGE');
  if (error.statusCode === 414) return new AppError('URI_TOO_LONG');
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return new AppError('MALFORMED_REQUEST');
  return new AppError('INTERNAL');
}

/**
 * Errors the router raises before any hook runs (a path segment longer than maxParamLength, a
 * URL that does not decode): problem+json in the caller's language like every other 4xx.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  // The query string is not parsed yet at this point.
  const queryLang = /[?&]lang=([^&#]*)/.exec(request.raw.url ?? '')?.[1];
  const cookieLang = /(?:^|;\s*)zt_lang=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
  request.lang = pickLang(queryLang ?? cookieLang, request.headers['accept-language']);
  reply.header('Content-Language', request.lang);
  reply.header('Cache-Control', 'no-store');
  const appError = toAppError(error, request);
  request.log.info({ code: appError.code }, 'request refused by the router');
  return sendProblem(request, reply, appError);
}

const STATUS_OF_CLIENT_ERROR: Record<string, AppError['code']> = {
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
  HPE_URI_TOO_LONG: 'URI_TOO_LONG',
};

/**
 * What Node's HTTP parser refuses (a URL or headers beyond its limit, broken syntax) never reaches
 * Fastify: the answer is written to the socket here, as problem+json (in Chinese, the language of
 * the platform: the request's own headers could not be read).
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: import('node:net').Socket) {
  if (!socket.writable) return void socket.destroy(error);
  const appError = new AppError(STATUS_OF_CLIENT_ERROR[error.code ?? ''] ?? 'MALFORMED_REQUEST');
  const body = JSON.stringify(appError.toProblem('zh-CN'));
  socket.end(
    `HTTP/1.1 ${appError.status} ${appError.code}\r\nConnection: close\r\nContent-Type: ${PROBLEM}\r\nContent-Language: zh-CN\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * A body refused before it was read (too large, wrong type): Fastify closes the connection, and a
 * client still sending then gets a reset instead of the answer. Up to this size the rest of the
 * body is read and discarded after the answer instead (Node's HTTP server does that on a kept-alive
 * connection), so the 413 reaches the client; beyond it the connection is closed as before.
 */
const DRAIN_REFUSED_BODY_BYTES = 256 * 1024 * 1024;

function drainRefusedBodies(app: FastifyInstance, config: Config) {
  const draining = new WeakSet<object>();
  const limit = Math.max(DRAIN_REFUSED_BODY_BYTES, 2 * config.uploadLimitBytes);
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode < 400 || request.raw.complete) return;
    if (String(reply.getHeader('connection') ?? '').toLowerCase() !== 'close') return;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > 0 && declared <= limit) {
      reply.removeHeader('connection');
      draining.add(request.raw);
    }
  });
  // The body parser stopped reading when it refused the body: read the rest now that the answer is out.
  // Only bodies of a known, bounded size: anything else still ends with the connection.
  app.addHook('onResponse', async (request) => {
    if (draining.delete(request.raw) && !request.raw.complete && !request.raw.destroyed) request.raw.resume();
  });
}

/** The security headers of every answer (helmet): one strict policy, no inline script or style. */
export function helmetOptions(config: Config) {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
      },
    },
    hsts: config.behindTls ? { maxAge: 31536000, includeSubDomains: true } : (false as const),
    crossOriginEmbedderPolicy: false,
  };
}

/**
 * The headers helmet and the platform put on every answer, as one object: for answers written
 * without Fastify (published pages in memory, static/serve.ts), so they carry the same policy.
 */
export function securityHeaders(config: Config): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = { setHeader: (name: string, value: string) => void (headers[name] = String(value)), removeHeader: (name: string) => void delete headers[name] };
  helmetMiddleware(helmetOptions(config))({} as never, response as never, () => undefined);
  headers['Permissions-Policy'] = PERMISSIONS_POLICY;
  return headers;
}

export async function registerHttpBasics(app: FastifyInstance, config: Config) {
  installValidators(app);
  drainRefusedBodies(app, config);
  // `?lang=` chooses the language on any route, so strict query schemas accept it everywhere.
  app.addHook('onRoute', (route) => {
    const query = route.schema?.querystring as { type?: string; properties?: Record<string, unknown> } | undefined;
    if (query?.type === 'object' && query.properties && !('lang' in query.properties)) {
      query.properties = { ...query.properties, lang: { type: 'string', enum: ['zh-CN', 'en'] } };
    }
  });
  app.decorateRequest('lang', 'zh-CN');
  app.decorateRequest('principal', null);
  app.decorateRequest('viaCookie', false);

  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  await app.register(helmet, helmetOptions(config));

  app.addHook('onRequest', async (request, reply) => {
    const query = request.query as Record<string, string | undefined> | undefined;
    request.lang = pickLang(query?.lang ?? request.cookies.zt_lang, request.headers['accept-language']);
    reply.header('X-Request-Id', String(request.id));
    reply.header('Content-Language', request.lang);
  });

  // API answers carry personal data and tokens: no cache (browser, proxy) keeps them unless a route
  // says otherwise itself. onSend runs for every answer, errors and 404s included.
  app.addHook('onSend', async (request, reply) => {
    reply.header('Permissions-Policy', PERMISSIONS_POLICY);
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('Cache-Control', 'no-store');
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new AppError('NOT_FOUND');
    // The console module renders errors of non-API paths (404 and the like) as HTML pages.
    const htmlErrorPage = request.server.platform.modules.htmlErrorPage;
    if (!request.url.startsWith('/api/') && htmlErrorPage) return htmlErrorPage(request, reply, error);
    return sendProblem(request, reply, error);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error, request);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: appError.code }, 'request refused');
    return sendProblem(request, reply, appError);
  });
}
