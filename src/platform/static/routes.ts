import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Answer, Nullable, Ref, Strict, actorOf } from '../http/index.ts';
import { inTransaction, type Actor } from '../db/work.ts';
import { recordAudit } from '../audit/service.ts';
import { sql } from '../db/index.ts';
import type { Platform } from '../module.ts';
import { staticDb } from './store.ts';

export const PUBLISH = 'static.publish';

const Rebuild = Answer(
  {
    id: Type.String(),
    site: Nullable(Type.String()),
    state: Type.Union([Type.Literal('running'), Type.Literal('done')]),
    pages: Type.Integer({ description: 'pages published by the rebuild so far' }),
    startedAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    finishedAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'StaticRebuild', title: 'StaticRebuild' },
);
const Status = Answer(
  {
    pages: Type.Integer({ description: 'published files' }),
    queued: Type.Integer({ description: 'stale keys and named pages waiting to be published' }),
    oldestQueuedAt: Nullable(Type.String({ format: 'date-time' })),
    rebuilds: Type.Array(Ref(Rebuild), { description: 'the latest rebuilds, newest first' }),
  },
  { $id: 'StaticStatus', title: 'StaticStatus' },
);
const RebuildBody = Strict({ site: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "one site (the sources' own notion of it); all when absent" })) });

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
type RebuildRow = { id: string; site: string | null; state: 'running' | 'done'; pages: string; started_at: Date; updated_at: Date; finished_at: Date | null };
const rebuildView = (r: RebuildRow) => ({ id: String(r.id), site: r.site, state: r.state, pages: Number(r.pages), startedAt: iso(r.started_at)!, updatedAt: iso(r.updated_at)!, finishedAt: iso(r.finished_at) });

/** What is published and queued, and full rebuilds run by the server's job (the command line's way in while a server holds the embedded database). */
export async function staticRoutes(app: FastifyInstance, platform: Platform) {
  const tags = ['static'];
  app.addSchema(Rebuild);
  app.addSchema(Status);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/api/v1/static/status',
    { schema: { operationId: 'getStaticStatus', tags, summary: 'Published pages, the publishing queue and the latest full rebuilds (system administrator)', response: { 200: Ref(Status) } }, config: { auth: PUBLISH } },
    async () => staticStatus(platform),
  );
  api.post(
    '/api/v1/static/rebuilds',
    {
      schema: {
        operationId: 'requestStaticRebuild',
        tags,
        summary: 'Rebuild every published page of one site or of all; the job of any process runs it (and finishes it after a restart)',
        body: RebuildBody,
        response: { 202: Ref(Rebuild) },
      },
      config: { auth: PUBLISH },
    },
    async (request, reply) => reply.status(202).send(await requestRebuildAudited(platform, actorOf(request), request.body.site ?? null)),
  );
}

/** What is published, what waits in the queue, and the latest full rebuilds. */
export async function staticStatus(platform: Platform) {
  const db = staticDb(platform.db);
  const [pages, queue, rebuilds] = await Promise.all([
    sql<{ n: string }>`select count(*) as n from static_pages`.execute(platform.db),
    sql<{ n: string; oldest: Date | null }>`select count(*) as n, min(queued_at) as oldest from static_queue`.execute(platform.db),
    db.selectFrom('static_rebuilds').select(['id', 'site', 'state', 'pages', 'started_at', 'updated_at', 'finished_at']).orderBy('id', 'desc').limit(10).execute(),
  ]);
  return { pages: Number(pages.rows[0].n), queued: Number(queue.rows[0].n), oldestQueuedAt: iso(queue.rows[0].oldest), rebuilds: rebuilds.map((r) => rebuildView(r as RebuildRow)) };
}

/** A full rebuild of one site or all, audited, made due at once for the job of any process. */
export async function requestRebuildAudited(platform: Platform, actor: Actor, site: string | null) {
  const now = platform.clock.now();
  const row = await inTransaction(platform.db, actor, async (work) => {
    const inserted = (await staticDb(work.tx)
      .insertInto('static_rebuilds')
      .values({ site, state: 'running', requested_by: actor.username, started_at: now, updated_at: now } as never)
      .returning(['id', 'site', 'state', 'pages', 'started_at', 'updated_at', 'finished_at'])
      .executeTakeFirstOrThrow()) as RebuildRow;
    recordAudit(work, { action: 'static.rebuild', objectType: 'static_rebuild', objectId: String(inserted.id), details: { site } }, now);
    // Due at once: the next tick of any process's scheduler starts it.
    await sql`update job_schedule set next_run_at = ${now} where name = 'static.rebuild' and (lease_until is null or lease_until <= ${now})`.execute(work.tx);
    return inserted;
  });
  return rebuildView(row);
}
