import Fastify, { type FastifyInstance } from 'fastify';
import http from 'node:http';
import rateLimit from '@fastify/rate-limit';
import { databaseStore } from './platform/limits/index.ts';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Config } from './config/index.ts';
import type { Database } from './platform/db/index.ts';
import { collectMigrations } from './platform/db/migrate.ts';
import { clientErrorHandler, frameworkErrors, registerHttpBasics, securityHeaders } from './platform/http/index.ts';
import { apiDocumentOptions, installApiConventions } from './platform/http/openapi.ts';
import { validatorCompiler } from './platform/http/validation.ts';
import { installAuth } from './platform/iam/auth-hook.ts';
import { softwareCrypto, type CryptoProvider } from './platform/crypto/index.ts';
import { loadFieldKey } from './platform/crypto/keys.ts';
import { useAuditKey } from './platform/audit/keys.ts';
import { systemClock, type Clock, type Platform, type ZtModule } from './platform/module.ts';
import { healthRoutes } from './platform/health.ts';
import { knownModules, selectModules } from './modules.ts';
import { ModuleRegistry } from './platform/registry.ts';
import { refreshCityName } from './platform/site.ts';
import { installStaticPages, type DirectPages } from './platform/static/serve.ts';

export interface BuildOptions {
  config: Config;
  database: Database;
  clock?: Clock;
  crypto?: CryptoProvider;
  /** The installed modules, when the caller built them already (the server's background work shares them). */
  modules?: ModuleRegistry;
  /**
   * Modules installed beside the configured ones: tests install modules of their own (a module that
   * exists only to exercise a platform contract). The product's list is src/modules.ts.
   */
  extraModules?: ZtModule[];
  /** Pino options; tests pass false. */
  logger?: boolean | object;
}

/** The migrations of every known module, switched on or not (see ZtModule.migrations). */
export const allMigrations = () => collectMigrations(knownModules.map((m) => m.migrations));

/** The installed modules' registry for a configuration. */
export const moduleRegistry = (config: Config, extraModules: ZtModule[] = []) => new ModuleRegistry([...selectModules(config.modules), ...extraModules]);

/** Trusts the `hops` nearest proxies: hop 0 is the peer that connected, 1 the one before it … */
const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

/** Builds the application with the configured modules installed from their manifests. Never listens: server.ts does. */
export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options;
  // Published pages in memory are answered before Fastify (static/serve.ts); set once the platform exists.
  let directPages: DirectPages | null = null;
  const app = Fastify({
    serverFactory: (handler) => {
      const server = http.createServer((req, res) => {
        if (!directPages?.(req, res)) handler(req, res);
      });
      // What Fastify sets on the server it makes itself.
      server.keepAliveTimeout = 72_000;
      server.requestTimeout = 0;
      return server;
    },
    logger:
      options.logger === undefined
        ? { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]'] }
        : (options.logger as never),
    // A hop count trusts that many proxies in front (the nearest first); addresses trust those peers.
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    bodyLimit: 1024 * 1024,
    frameworkErrors,
    clientErrorHandler,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    ajv: { customOptions: { removeAdditional: false } },
    // Every plugin scope validates with the platform's validator (see validation.ts).
    schemaController: { compilersFactory: { buildValidator: (() => validatorCompiler) as never } },
  });
  const platform: Platform = {
    config,
    db: options.database.db,
    dbKind: options.database.kind,
    crypto: options.crypto ?? softwareCrypto,
    clock: options.clock ?? systemClock,
    fieldKey: loadFieldKey(config),
    modules: options.modules ?? moduleRegistry(config, options.extraModules),
  };
  app.decorate('platform', platform);
  // The audit chain's key, outside the database (decision 0013): every unit of work on this database uses it.
  useAuditKey(platform.db, config);

  await registerHttpBasics(app, config);
  // Counted in the database: every process shares the limits and a restart keeps them.
  await app.register(rateLimit, { global: false, store: databaseStore(platform) as never });
  // Published pages answer before rate limits, sign-in and the routes: a stat and the file's bytes.
  directPages = installStaticPages(app, platform, securityHeaders(config));
  installApiConventions(app);
  await app.register(swagger, apiDocumentOptions(config));
  // The same strict policy as every other page (set by helmet): the UI's files are served from here, and
  // no outside validator badge is fetched.
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: false, uiConfig: { docExpansion: 'list', deepLinking: false, validatorUrl: null } });
  installAuth(app, platform);
  // Pages show the city's name (site.ts); read it again now and then, never failing a request.
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/api/') || request.url.startsWith('/assets/')) return;
    await refreshCityName(platform).catch((error: unknown) => request.log.warn({ err: error }, 'city name not read'));
  });

  await healthRoutes(app, platform, collectMigrations([allMigrations(), ...(options.extraModules ?? []).map((m) => m.migrations)]));
  for (const module of platform.modules.modules) {
    if (module.routes) await app.register(async (scope) => module.routes!(scope, platform));
  }
  return app;
}
