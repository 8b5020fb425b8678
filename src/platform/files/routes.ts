import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError, Id, NoContent, Ref, Strict, actorOf, fieldError, invalid, problems } from '../http/index.ts';
import type { Platform } from '../module.ts';
import { openDownload, prepareUpload, saveUpload, tooLarge, type FileInfo, type PreparedUpload } from './service.ts';
import { contentDisposition } from './names.ts';

/** Room for the multipart framing and a few small fields around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

/** What the multipart parser throws is the client's doing: a malformed or cut-off body. */
function clientError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: string }).code;
  if (code === 'FST_FILES_LIMIT') return invalid([fieldError('file', 'files.oneFileOnly')]);
  if ((error as { statusCode?: number }).statusCode) return error;
  return new AppError('MALFORMED_REQUEST');
}

/** The bytes of a file part; a failure while reading them is a malformed request, not ours. */
async function* clientBytes(stream: Readable): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw clientError(error);
  }
}

const FileView = Type.Object(
  {
    id: Type.String(),
    name: Type.String({ description: 'Display name: the client’s name without path, control characters or a misleading extension' }),
    size: Type.Integer({ description: 'Bytes' }),
    mime: Type.String({ description: 'Decided from the content, never from the name or the Content-Type the client sent' }),
    sm3: Type.String({ description: 'SM3 digest of the content, hexadecimal' }),
  },
  { $id: 'File', title: 'File', additionalProperties: false },
);

/**
 * Makes the routes of an encapsulated scope take one-file multipart uploads of at most `limit`
 * bytes (read with readUpload).
 */
export async function registerUploadScope(app: FastifyInstance, limit: number) {
  await app.register(multipart, {
    limits: { fileSize: limit, files: 1, fields: 10, fieldSize: 1024, parts: 20, headerPairs: 50 },
    throwFileSizeLimit: true,
  });
  // A refused upload is answered before the rest of its body is read; closing the connection
  // keeps the server from reading (and discarding) gigabytes a client may still be sending.
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode >= 400 && request.method === 'POST' && !request.raw.complete) reply.header('Connection', 'close');
  });
}

/** A declared body larger than the limit and the multipart framing is refused before it is read. */
export function refuseDeclaredOver(limit: number) {
  return async (request: FastifyRequest) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit + MULTIPART_OVERHEAD) throw tooLarge(limit);
  };
}

/**
 * Reads the one file of a multipart upload request (in a scope that registered @fastify/multipart
 * with `files: 1` and the size limit) to the end of the body, checked and staged by prepareUpload:
 * not multipart 415, no file 400, a second file 400, over `maxBytes` 413. The caller saves it and
 * must discard it in every case.
 */
export async function readUpload(platform: Platform, request: FastifyRequest, options: { maxBytes: number }): Promise<PreparedUpload> {
  const limit = options.maxBytes;
  if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', { detail: { key: 'files.notMultipart' } });
  let prepared: PreparedUpload | null = null;
  try {
    // Read to the end of the body before storing anything, so a second file is refused
    // with nothing written.
    const parts = request.parts();
    for (;;) {
      const next = await parts.next().catch((error: unknown) => {
        throw clientError(error);
      });
      if (next.done) break;
      const part = next.value;
      if (part.type !== 'file') continue;
      // Stop reading at the limit instead of letting the parser skip the rest of the part.
      part.file.once('limit', () => part.file.destroy(tooLarge(limit)));
      prepared = await prepareUpload(platform, { content: clientBytes(part.file), filename: part.filename, truncated: () => part.file.truncated, maxBytes: limit });
    }
    if (!prepared) throw invalid([fieldError('file', 'files.fileMissing')]);
    return prepared;
  } catch (error) {
    await prepared?.discard();
    throw error;
  }
}

/**
 * Answers with a file's content as a download: its sniffed type, a safe Content-Disposition, no
 * sniffing or scripting by the browser, the SM3 digest as ETag (304 when it matches). For every
 * route that hands out an attachment once it has decided the caller may have it.
 */
export function sendFile(request: FastifyRequest, reply: FastifyReply, file: Pick<FileInfo, 'name' | 'mime' | 'size' | 'sm3'>, content: Readable) {
  const etag = `"${file.sm3}"`;
  reply
    .header('Content-Type', file.mime)
    .header('Content-Disposition', contentDisposition(file.name))
    .header('X-Content-Type-Options', 'nosniff')
    .header('Content-Security-Policy', "default-src 'none'; sandbox")
    .header('Cache-Control', 'private, no-cache')
    .header('ETag', etag);
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    content.destroy();
    return reply.status(304).send();
  }
  reply.header('Content-Length', String(file.size));
  return reply.send(content);
}

export async function filesRoutes(app: FastifyInstance, platform: Platform) {
  const tags = ['files'];
  app.addSchema(FileView);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const limit = platform.config.uploadLimitBytes;
  // Registered in this module's scope only: no other route accepts multipart through it.
  await registerUploadScope(app, limit);

  api.post(
    '/api/v1/files',
    {
      schema: {
        operationId: 'uploadFile',
        tags,
        summary: 'Upload one attachment (multipart/form-data, one file part, conventionally named "file")',
        description:
          'The type is sniffed from the content: PDF, OFD, JPEG, PNG, GIF, TIFF, DOC/WPS, XLS/ET, DOCX, XLSX, ZIP, 7Z, RAR and plain text (UTF-8 or GB18030) are accepted, anything else is 415 FILE_TYPE_NOT_ALLOWED. Archives are inspected without extracting: over the installation’s limits on entries, uncompressed size or ratio (ZT_ARCHIVE_*), or holding another archive or encrypted entries, or damaged: 422 FILE_ARCHIVE_REFUSED, the detail naming the limit. Larger than the limit (ZT_UPLOAD_LIMIT_MB, 50 MB by default): 413 PAYLOAD_TOO_LARGE. The file stays private to the uploader until a module attaches it to one of its objects.',
        consumes: ['multipart/form-data'],
        // Documentation only: the parts are read as a stream by the handler, so this schema
        // deliberately constrains nothing Fastify could check (the body is not parsed before).
        body: {
          content: {
            'multipart/form-data': {
              schema: { properties: { file: { type: 'string', format: 'binary', description: 'The file; its name is kept for display' } }, required: ['file'] },
            },
          },
        },
        response: { 201: Ref(FileView), ...problems(413, 415, 422) },
      },
      config: { auth: 'user' },
      preHandler: refuseDeclaredOver(limit),
    },
    async (request, reply) => {
      const prepared = await readUpload(platform, request, { maxBytes: limit });
      let file: FileInfo;
      try {
        file = await saveUpload(platform, request.principal!, actorOf(request), prepared);
      } finally {
        await prepared.discard();
      }
      return reply.status(201).send({ id: file.id, name: file.name, size: file.size, mime: file.mime, sm3: file.sm3 });
    },
  );

  api.get(
    '/api/v1/files/:id',
    {
      schema: {
        operationId: 'downloadFile',
        tags,
        summary: 'Download an attachment, if the caller may see what it is attached to',
        description: 'An unattached file only by its uploader. Otherwise 404 (401 when not signed in). ETag is the SM3 digest.',
        params: Strict({ id: Id }),
        // Signing in is optional: what may be downloaded depends on who asks.
        security: [{}, { bearer: [] }, { session: [] }],
        response: {
          200: { description: 'The content, with its sniffed type as Content-Type', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
          304: { ...NoContent, description: 'Not modified: If-None-Match matched the ETag' },
        },
      },
      config: { auth: 'public' },
    },
    async (request, reply) => {
      const { file, content } = await openDownload(platform, request.principal, request.params.id);
      return sendFile(request, reply, file, content);
    },
  );
}
