/**
 * A letter's files on the public side: the upload of a citizen who need not be signed in (one
 * file, a smaller limit, the files module's type sniffing and archive inspection, limited per
 * address), answered with the token that proves the uploader when the letter is sent; and the
 * writer's download of their attachments and of the answer documents, by tracking number and
 * query code. The message board never lists files (they carry personal data).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Id, Strict, actorOf, notFound, problems } from '../../../platform/http/index.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { enforceLimit } from '../../../platform/limits/index.ts';
import { blobStoreFor, getFile, readUpload, refuseDeclaredOver, registerUploadScope, sendFile } from '../../../platform/files/index.ts';
import { recordLetterUpload } from '../commands/letter-files.ts';
import { caseOfWriter, writerFile, writerView } from '../queries/public.ts';
import { checkCookieCsrf, limitQueries } from './public.ts';

const HOUR_MS = 3600_000;
/** Uploads a client address may make per hour: a letter carries at most five files, a few letters' worth. */
export const UPLOADS_PER_ADDRESS_PER_HOUR = 40;

const tags = ['interaction-public'];
const Uploaded = Type.Object({
  id: Type.String(),
  name: Type.String(),
  size: Type.Integer(),
  mime: Type.String(),
  token: Type.String({ description: 'Proves the uploader: send it with the id in the letter’s attachments. Shown once; keep it with the id.' }),
});
const FileParams = Strict({ trackingNo: Type.String({ minLength: 1, maxLength: 40 }), fileId: Id });
const CodeQuery = Strict({ code: Type.String({ minLength: 1, maxLength: 40 }) });

export async function publicFileRoutes(app: FastifyInstance, platform: Platform) {
  const limit = platform.config.interactionUploadLimitBytes;
  await registerUploadScope(app, limit);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/api/v1/public/letters/attachments',
    {
      schema: {
        operationId: 'uploadLetterAttachment',
        tags,
        summary: 'Upload one attachment for a letter, without signing in (multipart/form-data, one file part named "file"): 201 with the id and a token',
        description:
          'Checked like every upload (type from the content: 415 FILE_TYPE_NOT_ALLOWED; archives inspected: 422 FILE_ARCHIVE_REFUSED), but at most ZT_INTERACTION_UPLOAD_LIMIT_MB (10 MB by default): 413 PAYLOAD_TOO_LARGE. Limited per client address: 429 with Retry-After. Nobody can download the file; it is attached when a letter is sent with `attachments: [{ id, token }]`, and purged if it never is.',
        consumes: ['multipart/form-data'],
        body: { content: { 'multipart/form-data': { schema: { properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } } } },
        response: { 201: Uploaded, ...problems(413, 415, 422, 429) },
      },
      config: { auth: 'public' },
      preHandler: refuseDeclaredOver(limit),
    },
    async (request, reply) => {
      checkCookieCsrf(request);
      await enforceLimit(platform, `interaction:upload:ip:${request.ip}`, UPLOADS_PER_ADDRESS_PER_HOUR, HOUR_MS);
      const prepared = await readUpload(platform, request, { maxBytes: limit });
      try {
        const uploaded = await inTransaction(platform.db, actorOf(request), (work) => recordLetterUpload(work, platform, prepared));
        return reply.status(201).send(uploaded);
      } finally {
        await prepared.discard();
      }
    },
  );

  api.get(
    '/api/v1/public/letters/:trackingNo/files/:fileId',
    {
      schema: {
        operationId: 'downloadMyLetterFile',
        tags,
        summary: 'The writer downloads an attachment of their letter, or an answer document once the answer is sent, by tracking number and query code',
        description: 'A wrong code, an unknown number, another letter’s file and an answer document of an answer not yet approved are the same 404. Limited per client address.',
        params: FileParams,
        querystring: CodeQuery,
        response: { 200: { description: 'The content, with its sniffed type', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } }, ...problems(404, 429) },
      },
      config: { auth: 'public' },
    },
    async (request, reply) => {
      await limitQueries(platform, request.ip);
      const row = await caseOfWriter(platform.db, platform, request.params.trackingNo, request.query.code);
      const file = row ? writerFile(await writerView(platform.db, platform, row), request.params.fileId) : null;
      if (!file) throw notFound();
      return sendWriterFile(platform, request, reply, request.params.fileId);
    },
  );
}

/** Sends a file the writer may have (decided by the caller). */
export async function sendWriterFile(platform: Platform, request: FastifyRequest, reply: FastifyReply, fileId: string) {
  const file = await getFile(platform.db, fileId);
  if (!file) throw notFound();
  return sendFile(request, reply, file, await blobStoreFor(platform).get(file.sm3));
}
