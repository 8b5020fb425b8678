import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from './db/index.ts';
import { pendingMigrations } from './db/migrate.ts';
import type { Migration } from 'kysely';
import type { Platform } from './module.ts';
import { StringEnum } from './http/schemas.ts';

const Status = <const T extends readonly string[]>(values: T, description?: string) => Type.Object({ status: StringEnum(values) }, { description });

export async function healthRoutes(app: FastifyInstance, platform: Platform, migrations: Record<string, Migration>) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['platform'];
  let migrated = false;
  api.get(
    '/healthz',
    { schema: { operationId: 'checkLiveness', tags, summary: 'The process is up', response: { 200: Status(['ok']) } }, config: { auth: 'public' } },
    async () => ({ status: 'ok' as const }),
  );
  api.get(
    '/readyz',
    {
      schema: {
        operationId: 'checkReadiness',
        tags,
        summary: 'The database is reachable and migrated',
        response: { 200: Status(['ready']), 503: Status(['migrating', 'unavailable'], 'The database is unreachable or not yet migrated') },
      },
      config: { auth: 'public' },
    },
    async (_request, reply) => {
      try {
        await sql`select 1`.execute(platform.db);
        if (!migrated) migrated = (await pendingMigrations(platform.db, migrations)).length === 0;
        if (!migrated) return reply.status(503).send({ status: 'migrating' });
        return { status: 'ready' as const };
      } catch {
        return reply.status(503).send({ status: 'unavailable' });
      }
    },
  );
}
