import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, Strict, actorOf } from '../../platform/http/index.ts';
import { inTransaction } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import { contentDisposition } from '../../platform/files/names.ts';
import { issuedDocument, type IssuedDocument } from './documents/service.ts';
import { getUnitSeal, SEAL_PERMISSION, setUnitSeal } from './documents/seals.ts';

const tags = ['approval'];
const IdParams = Strict({ id: Id });
const NoticeParams = Strict({ id: Id, kind: Type.String({ maxLength: 40, description: 'acceptance (受理通知书), non_acceptance (不予受理通知书), correction (补正材料通知书), denial (不予许可决定书)' }) });
const UnitParams = Strict({ unitId: Id });
const SealBody = Strict({ fileId: Id });
const Seal = Type.Object({ unitId: Type.String(), fileId: Type.Union([Type.String(), Type.Null()]), setAt: Type.Union([Type.String(), Type.Null()]) });
const Pdf = { description: 'The PDF as issued: the same bytes on every download', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } };
const ACCESS = 'The applicant (the account that submitted it), the clerk who filed it and staff who may see the case; anyone else: 404. Generated on first request after the case has the outcome, then stored and served as stored.';

function sendPdf(reply: FastifyReply, doc: IssuedDocument) {
  return reply
    .header('Content-Type', 'application/pdf')
    .header('Content-Disposition', contentDisposition(doc.name).replace(/^attachment/, 'inline'))
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cache-Control', 'private, no-cache')
    .header('ETag', `"${doc.sm3}"`)
    .send(doc.content);
}

/** The issued documents of a case as PDF, and units' seal images. */
export async function documentsRoutes(app: FastifyInstance, platform: Platform) {
  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/approval/applications/:id/certificate.pdf',
    {
      schema: { operationId: 'getCertificatePdf', tags, summary: 'The certificate (许可证/批准文书) of an approved case as PDF, with its SM3 digest and SM2 signature', description: `${ACCESS} A case without a certificate: 404.`, params: IdParams, response: { 200: Pdf } },
      config: { auth: 'user' },
    },
    async (request, reply) => sendPdf(reply, await issuedDocument(platform, request.principal!, actorOf(request), request.params.id, 'certificate')),
  );

  app.get<{ Params: Static<typeof NoticeParams> }>(
    '/api/v1/approval/applications/:id/notices/:kind.pdf',
    {
      schema: { operationId: 'getNoticePdf', tags, summary: 'A notice of a case as PDF', description: `${ACCESS} A kind the case has no outcome for (denial on an approved case): 404.`, params: NoticeParams, response: { 200: Pdf } },
      config: { auth: 'user' },
    },
    async (request, reply) => {
      // The certificate has its own address; under notices/ it is not a notice.
      const kind = request.params.kind === 'certificate' ? '' : request.params.kind;
      return sendPdf(reply, await issuedDocument(platform, request.principal!, actorOf(request), request.params.id, kind));
    },
  );

  app.get<{ Params: Static<typeof UnitParams> }>(
    '/api/v1/approval/units/:unitId/seal',
    {
      schema: { operationId: 'getUnitSeal', tags, summary: 'Whether the unit has a seal image, and which file', params: UnitParams, response: { 200: Seal } },
      config: { auth: SEAL_PERMISSION },
    },
    async (request) => getUnitSeal(platform, request.principal!, request.params.unitId),
  );

  app.put<{ Params: Static<typeof UnitParams>; Body: Static<typeof SealBody> }>(
    '/api/v1/approval/units/:unitId/seal',
    {
      schema: {
        operationId: 'setUnitSeal',
        tags,
        summary: 'Set the unit’s seal image (a PNG uploaded through POST /api/v1/files), printed on the documents it issues from now on',
        params: UnitParams,
        body: SealBody,
        response: { 200: Seal },
      },
      config: { auth: SEAL_PERMISSION },
    },
    async (request) => {
      const seal = await inTransaction(platform.db, actorOf(request), (work) => setUnitSeal(work, platform, request.principal!, request.params.unitId, request.body.fileId));
      return { unitId: seal.unitId, fileId: seal.fileId, setAt: seal.setAt };
    },
  );
}
