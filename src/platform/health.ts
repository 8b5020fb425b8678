import type { FastifyInstance } from 'fastify';
import { sql } from './db/index.ts';
import { pendingMigrations } from './db/migrate.ts';
import type { Migration } from 'kysely';
import type { Platform } from './module.ts';

export async function healthRoutes(app: FastifyInstance, platform: Platform, migrations: Record<string, Migration>) {
  let migrated = false;
  app.get('/healthz', { schema: { tags: ['platform'], summary: 'The process is up' }, config: { auth: 'public' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['platform'], summary: 'The database is reachable and migrated' }, config: { auth: 'public' } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(platform.db);
      if (!migrated) migrated = (await pendingMigrations(platform.db, migrations)).length === 0;
      if (!migrated) return reply.status(503).send({ status: 'migrating' });
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ status: 'unavailable' });
    }
  });
}
