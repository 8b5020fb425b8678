import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Answer, Nullable, Page, Ref, StringEnum, Strict } from '../http/index.ts';
import type { Platform } from '../module.ts';
import { listAuditRecords, verifyChain } from './service.ts';

const AuditQuery = Strict({
  actor: Type.Optional(Type.String({ maxLength: 64 })),
  action: Type.Optional(Type.String({ maxLength: 100 })),
  objectType: Type.Optional(Type.String({ maxLength: 64 })),
  objectId: Type.Optional(Type.String({ maxLength: 64 })),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

const AuditRecord = Answer(
  {
    id: Type.String(),
    at: Type.String({ format: 'date-time' }),
    actorId: Nullable(Type.String()),
    actorName: Nullable(Type.String()),
    unitId: Nullable(Type.String()),
    ip: Nullable(Type.String()),
    requestId: Nullable(Type.String()),
    action: Type.String({ description: 'e.g. user.create, auth.login' }),
    objectType: Nullable(Type.String()),
    objectId: Nullable(Type.String()),
    outcome: StringEnum(['success', 'failure']),
    details: Type.Object({}, { additionalProperties: true }),
    hash: Type.String({ description: 'SM3 of this record chained to the previous one (hex)' }),
  },
  { $id: 'AuditRecord', title: 'AuditRecord' },
);
const ChainCheck = Type.Object({ ok: Type.Boolean(), checked: Type.Integer(), firstBrokenId: Nullable(Type.String()) });

export async function auditRoutes(app: FastifyInstance, platform: Platform) {
  const tags = ['audit'];
  app.addSchema(AuditRecord);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/api/v1/audit',
    {
      schema: { operationId: 'listAuditRecords', tags, summary: 'The audit log, newest first (auditor only)', querystring: AuditQuery, response: { 200: Page(Ref(AuditRecord)) } },
      config: { auth: 'audit.read' },
    },
    async (request) => {
      const { actor, action, objectType, objectId, from, to, cursor } = request.query;
      return listAuditRecords(platform.db, { actor, action, objectType, objectId, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined, cursor, limit: request.query.limit ?? 20 });
    },
  );

  api.get(
    '/api/v1/audit/verify',
    { schema: { operationId: 'verifyAuditChain', tags, summary: 'Walk the SM3 hash chain and report the first broken record', response: { 200: ChainCheck } }, config: { auth: 'audit.read' } },
    async () => {
      const result = await verifyChain(platform.db);
      return { ok: result.ok, checked: result.checked, firstBrokenId: result.firstBrokenId === null ? null : String(result.firstBrokenId) };
    },
  );
}
