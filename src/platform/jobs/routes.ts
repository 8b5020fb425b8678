import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Answer, Nullable, Page, Ref, Strict, actorOf, notFound } from '../http/index.ts';
import { inTransaction } from '../db/work.ts';
import { recordAudit } from '../audit/service.ts';
import type { Platform } from '../module.ts';
import { listJobSchedule, requestJobRun, type JobScheduleRow } from './scheduler.ts';

const NameParams = Strict({ name: Type.String({ minLength: 1, maxLength: 100 }) });

const Job = Answer(
  {
    name: Type.String(),
    running: Type.Boolean({ description: 'a process holds the lease now' }),
    nextRunAt: Nullable(Type.String({ format: 'date-time' })),
    leaseUntil: Nullable(Type.String({ format: 'date-time' })),
    lastStartedAt: Nullable(Type.String({ format: 'date-time' })),
    lastFinishedAt: Nullable(Type.String({ format: 'date-time' })),
    lastError: Nullable(Type.String()),
    runs: Type.Integer(),
  },
  { $id: 'Job', title: 'Job' },
);

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

function jobView(row: JobScheduleRow, now: Date) {
  const leaseUntil = row.lease_until ? new Date(row.lease_until) : null;
  return {
    name: row.name,
    running: !!leaseUntil && leaseUntil > now,
    nextRunAt: iso(row.next_run_at),
    leaseUntil: iso(row.lease_until),
    lastStartedAt: iso(row.last_started_at),
    lastFinishedAt: iso(row.last_finished_at),
    lastError: row.last_error,
    runs: row.runs,
  };
}

export async function jobsRoutes(app: FastifyInstance, platform: Platform) {
  const tags = ['jobs'];
  app.addSchema(Job);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/api/v1/jobs',
    { schema: { operationId: 'listJobs', tags, summary: 'Periodic jobs and their schedule (system administrator)', response: { 200: Page(Ref(Job)) } }, config: { auth: 'job.run' } },
    async () => {
      const rows = await listJobSchedule(platform.db);
      const now = platform.clock.now();
      return { items: rows.map((row) => jobView(row, now)), nextCursor: null };
    },
  );

  api.post(
    '/api/v1/jobs/:name/run',
    {
      schema: { operationId: 'runJob', tags, summary: 'Make a job due now; the next scheduler tick of any process runs it', params: NameParams, response: { 202: Ref(Job) } },
      config: { auth: 'job.run' },
    },
    async (request, reply) => {
      const now = platform.clock.now();
      const row = await inTransaction(platform.db, actorOf(request), async (work) => {
        const updated = await requestJobRun(work.tx, request.params.name, now);
        if (!updated) throw notFound();
        recordAudit(work, { action: 'job.run', objectType: 'job', objectId: updated.name }, now);
        return updated;
      });
      return reply.status(202).send(jobView(row, now));
    },
  );
}
