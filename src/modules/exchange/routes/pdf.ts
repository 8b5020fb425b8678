import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { Id, Strict } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { contentDisposition } from '../../../platform/files/names.ts';
import { sm3 } from '../../../platform/crypto/index.ts';
import { translate } from '../../../platform/i18n/index.ts';
import { renderOfficialDocument } from '../../../platform/documents/index.ts';
import { officialLayout, readableDocument } from '../queries/official.ts';

const tags = ['exchange'];
const Params = Strict({ id: Id });
const Pdf = { description: 'The document laid out as GB/T 9704-2012 prescribes; the same document gives the same bytes', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } };

/** A document number as a file name: characters a file system refuses become "_". */
const fileNameOf = (docNumber: string) => translate('zh-CN', 'exchange.view.fileName', { number: docNumber.replace(/[\\/:*?"<>|]/g, '_').replace(/\s+/g, ' ').trim() || 'document' });

/** GET /api/v1/exchange/documents/:id.pdf: the document as PDF, for whoever may read it. */
export async function pdfRoutes(app: FastifyInstance, platform: Platform) {
  app.get<{ Params: Static<typeof Params> }>(
    '/api/v1/exchange/documents/:id.pdf',
    {
      schema: {
        operationId: 'getExchangeDocumentPdf',
        tags,
        summary: 'The document as PDF, laid out as GB/T 9704-2012 prescribes',
        description:
          'The sending unit’s staff, the clerks of a unit it was delivered to, countersigning units and supervision; anyone else: 404. Named after the document number (Content-Disposition with an RFC 5987 name). The seal is printed once the document is signed off: the unit’s seal image, or one drawn with its name.',
        params: Params,
        response: { 200: Pdf },
      },
      config: { auth: 'user' },
    },
    async (request, reply) => {
      const row = await readableDocument(platform.db, request.principal!, request.params.id);
      const pdf = await renderOfficialDocument(await officialLayout(platform.db, platform, row));
      return reply
        .header('Content-Type', 'application/pdf')
        .header('Content-Disposition', contentDisposition(fileNameOf(row.doc_number)))
        .header('X-Content-Type-Options', 'nosniff')
        .header('Cache-Control', 'private, no-cache')
        .header('ETag', `"${sm3(pdf)}"`)
        .send(pdf);
    },
  );
}
