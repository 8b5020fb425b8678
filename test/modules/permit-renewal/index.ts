/**
 * A module that exists only in the tests: permit renewals (换证申请) with a deadline, a responsible
 * unit and person, supervised through the platform's subject contract without any change to
 * supervision. Installed by `createTestContext({ modules: [permitRenewalModule] })`, never part of
 * the product's module list.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, Strict, actorOf } from '../../../src/platform/http/index.ts';
import { inTransaction } from '../../../src/platform/db/work.ts';
import type { Platform, ZtModule } from '../../../src/platform/module.ts';
import { renewalMigrations } from './migrations.ts';
import { finishRenewal, openRenewal, RENEWAL_CHANGED, renewals } from './service.ts';
import { renewalSubject } from './subject.ts';

export const HANDLE = 'renewal.handle';

const OpenBody = Strict({
  permitNo: Type.String({ minLength: 1, maxLength: 40 }),
  holderName: Type.String({ minLength: 1, maxLength: 100 }),
  holderPhone: Type.String({ minLength: 1, maxLength: 20 }),
  unitId: Id,
  assignee: Type.Optional(Id),
  days: Type.Integer({ minimum: 1, maximum: 365 }),
});
const IdParams = Strict({ id: Id });

const view = (r: { id: string; tracking_no: string; unit_id: string; assignee: string | null; days: number; due_date: string; state: string }) => ({
  id: r.id,
  trackingNo: r.tracking_no,
  unitId: r.unit_id,
  assignee: r.assignee,
  days: r.days,
  dueDate: r.due_date,
  state: r.state,
});

async function renewalRoutes(app: FastifyInstance, platform: Platform) {
  app.post<{ Body: Static<typeof OpenBody> }>('/api/v1/renewals', { schema: { body: OpenBody }, config: { auth: HANDLE } }, async (request, reply) => {
    const row = await inTransaction(platform.db, actorOf(request), (work) => openRenewal(work, platform, { ...request.body, assignee: request.body.assignee ?? null }));
    return reply.status(201).send(view(row));
  });
  app.get<{ Params: Static<typeof IdParams> }>('/api/v1/renewals/:id', { schema: { params: IdParams }, config: { auth: HANDLE } }, async (request, reply) => {
    const row = await renewals(platform.db).selectFrom('renewal_requests').selectAll().where('id', '=', request.params.id).executeTakeFirst();
    return row ? view(row) : reply.callNotFound();
  });
  app.post<{ Params: Static<typeof IdParams> }>('/api/v1/renewals/:id/finish', { schema: { params: IdParams }, config: { auth: HANDLE } }, async (request) =>
    view(await inTransaction(platform.db, actorOf(request), (work) => finishRenewal(work, platform, request.params.id))),
  );
}

export const permitRenewalModule: ZtModule = {
  name: 'renewal',
  migrations: renewalMigrations,
  routes: renewalRoutes,
  permissions: [{ name: HANDLE, roles: ['approver', 'unit_leader'] }],
  messages: [
    {
      'zh-CN': { 'renewal.subject': '换证申请', 'renewal.state.open': '换证办理中' },
      en: { 'renewal.subject': 'Permit renewal', 'renewal.state.open': 'Renewal open' },
    },
  ],
  publishes: [RENEWAL_CHANGED],
  supervisedSubjects: [renewalSubject],
};
