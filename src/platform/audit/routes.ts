import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict } from '../http/index.ts';
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

export async function auditRoutes(app: FastifyInstance, platform: Platform) {
  const tags = ['audit'];
  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/api/v1/audit',
    { schema: { tags, summary: 'The audit log, newest first (auditor only)', querystring: AuditQuery }, config: { auth: 'audit.read' } },
    async (request) => {
      const { actor, action, objectType, objectId, from, to, cursor } = request.query;
      return listAuditRecords(platform.db, { actor, action, objectType, objectId, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined, cursor, limit: request.query.limit ?? 20 });
    },
  );

  app.get('/api/v1/audit/verify', { schema: { tags, summary: 'Walk the SM3 hash chain and report the first broken record' }, config: { auth: 'audit.read' } }, async () => {
    const result = await verifyChain(platform.db);
    return { ok: result.ok, checked: result.checked, firstBrokenId: result.firstBrokenId === null ? null : String(result.firstBrokenId) };
  });
}
