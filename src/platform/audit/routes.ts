import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Answer, Nullable, Page, Ref, StringEnum, Strict } from '../http/index.ts';
import type { Platform } from '../module.ts';
import { listAuditRecords } from './service.ts';
import { verifyPlatformChain } from './anchor.ts';
import { auditKeysOf } from './keys.ts';

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
const ChainCheck = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer({ description: 'Records that verified, up to the first failing one' }),
  firstBrokenId: Nullable(Type.String({ description: 'The first record that fails' })),
  firstBrokenLane: Nullable(Type.Integer({ description: 'Its lane, or the lane that lost its newest records' })),
  problem: Nullable(StringEnum(['record', 'keyless', 'checkpoint', 'truncated', 'signature', 'checkpoint-missing'], { description: 'What failed first (decision 0013)' })),
  checkpoint: Nullable(
    Type.Object({
      seq: Type.Integer(),
      at: Type.String({ format: 'date-time' }),
      records: Type.Integer(),
      signatureValid: Type.Boolean(),
    }),
  ),
  sinceCheckpoint: Type.Integer({ description: 'Records written after the latest checkpoint (not yet anchored)' }),
  checkpointsMissing: Type.Array(Type.Integer(), { description: 'Checkpoints of the data folder\'s file that the table lacks or holds otherwise' }),
  publicKey: Type.String({ description: 'SM2 public key that signs the checkpoints (hex)' }),
});

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
    { schema: { operationId: 'verifyAuditChain', tags, summary: 'Walk the keyed SM3 chain, check it against the latest signed checkpoint, and report the first record or lane that fails', response: { 200: ChainCheck } }, config: { auth: 'audit.read' } },
    async () => {
      const result = await verifyPlatformChain(platform);
      return {
        ...result,
        firstBrokenId: result.firstBrokenId === null ? null : String(result.firstBrokenId),
        publicKey: auditKeysOf(platform.db)?.publicKey ?? '',
      };
    },
  );
}
