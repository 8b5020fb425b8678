import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, decodeCursor, encodeCursor, fieldError, invalid } from '../http/index.ts';
import type { Platform } from '../module.ts';
import { verifyChain, type AuditTables } from './service.ts';

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
      const { actor, action, objectType, objectId, from, to } = request.query;
      const limit = request.query.limit ?? 20;
      const cursor = decodeCursor(request.query.cursor, 1);
      if (request.query.cursor && !cursor) throw invalid([fieldError('cursor', 'error.VALIDATION_FAILED')]);
      let query = platform.db.withTables<AuditTables>().selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit + 1);
      if (actor) query = query.where((eb) => eb.or([eb('actor_id', '=', actor), eb('actor_name', '=', actor)]));
      if (action) query = action.endsWith('*') ? query.where('action', 'like', `${action.slice(0, -1)}%`) : query.where('action', '=', action);
      if (objectType) query = query.where('object_type', '=', objectType);
      if (objectId) query = query.where('object_id', '=', objectId);
      if (from) query = query.where('at', '>=', new Date(from));
      if (to) query = query.where('at', '<', new Date(to));
      if (cursor) query = query.where('id', '<', Number(cursor[0]));
      const rows = await query.execute();
      const page = rows.slice(0, limit);
      return {
        items: page.map((r) => ({
          id: String(r.id),
          at: new Date(r.at).toISOString(),
          actorId: r.actor_id,
          actorName: r.actor_name,
          unitId: r.unit_id,
          ip: r.ip,
          requestId: r.request_id,
          action: r.action,
          objectType: r.object_type,
          objectId: r.object_id,
          outcome: r.outcome,
          details: r.details,
          hash: r.hash,
        })),
        nextCursor: rows.length > limit ? encodeCursor([page[page.length - 1].id]) : null,
      };
    },
  );

  app.get('/api/v1/audit/verify', { schema: { tags, summary: 'Walk the SM3 hash chain and report the first broken record' }, config: { auth: 'audit.read' } }, async () => {
    const result = await verifyChain(platform.db);
    return { ok: result.ok, checked: result.checked, firstBrokenId: result.firstBrokenId === null ? null : String(result.firstBrokenId) };
  });
}
