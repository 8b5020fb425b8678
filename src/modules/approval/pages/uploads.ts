/**
 * File inputs in page forms, so that applying with materials works without JavaScript: the form
 * posts multipart/form-data to its page route, each file part is checked and staged here while
 * the body is read (prepareUpload of the files module), and the route saves what it needs with
 * saveUpload. Whatever is left staged is removed once the response is sent. A route that reads
 * its one file itself (a catalogue import) declares `formFileBytes` and gets the bytes instead.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart, { type MultipartFile } from '@fastify/multipart';
import { AppError } from '../../../platform/http/index.ts';
import { resolvePrincipal } from '../../../platform/iam/auth-hook.ts';
import { prepareUpload, saveUpload, type FileInfo, type PreparedUpload } from '../../../platform/files/index.ts';
import { tooLarge } from '../../../platform/files/service.ts';
import { actorOf } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';

/** Most file inputs one page form may carry (an item has at most 100 materials; forms show one input each). */
export const MAX_FORM_FILES = 100;
const MULTIPART_OVERHEAD = 512 * 1024;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes its first file part into memory, up to this many bytes, instead of staging it as an upload: see formFileInMemory. */
    formFileBytes?: number;
  }
}

export type StagedField = { prepared: PreparedUpload } | { error: AppError };
/** A file read into memory for a route that declares `formFileBytes`. */
export type MemoryFile = { filename: string; data: Buffer } | { error: AppError };

const stagedFiles = new WeakMap<FastifyRequest, Map<string, StagedField>>();
const memoryFiles = new WeakMap<FastifyRequest, MemoryFile>();

async function drain(stream: AsyncIterable<unknown>) {
  try {
    for await (const chunk of stream) void chunk;
  } catch {
    // A stream already ended or destroyed has nothing more to read.
  }
}

/**
 * Registers multipart parsing for the page routes of this scope. Only a signed-in caller whose
 * form carried the session's CSRF token before its files (the token field comes first in every
 * form) gets anything staged; other file parts are read and dropped, and the auth hook then
 * refuses the request as usual.
 */
export async function registerPageUploads(app: FastifyInstance, platform: Platform) {
  const limit = platform.config.uploadLimitBytes;
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit * 4 + MULTIPART_OVERHEAD) {
      throw new AppError('PAYLOAD_TOO_LARGE', { detail: { key: 'files.tooLarge', params: { limitMb: Math.floor((limit * 4) / (1024 * 1024)) } } });
    }
    // The auth hook resolves the caller only after the body is read; files need it before.
    await resolvePrincipal(platform, request, () => {});
  });

  async function stage(request: FastifyRequest, part: MultipartFile) {
    const principal = request.principal;
    const sent = (part.fields._csrf as { value?: unknown } | undefined)?.value;
    const trusted = !!principal && (!request.viaCookie || (typeof sent === 'string' && sent === principal.csrfToken));
    // An empty file input still sends a part, without a name and without content.
    if (!trusted || !part.filename) return drain(part.file);
    const inMemory = request.routeOptions.config?.formFileBytes;
    if (inMemory) return keepInMemory(request, part, Math.min(inMemory, limit));
    let files = stagedFiles.get(request);
    if (!files) stagedFiles.set(request, (files = new Map()));
    if (files.size >= MAX_FORM_FILES || files.has(part.fieldname)) return drain(part.file);
    try {
      const prepared = await prepareUpload(platform, { content: part.file, filename: part.filename, truncated: () => part.file.truncated });
      files.set(part.fieldname, { prepared });
    } catch (error) {
      await drain(part.file);
      if (!(error instanceof AppError)) throw error;
      files.set(part.fieldname, { error });
    }
  }

  async function keepInMemory(request: FastifyRequest, part: MultipartFile, maxBytes: number) {
    if (memoryFiles.has(request)) return drain(part.file);
    const chunks: Buffer[] = [];
    let size = 0;
    // Read to the end even past the limit: the rest of the form follows the file.
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    }
    memoryFiles.set(request, size > maxBytes || part.file.truncated ? { error: tooLarge(maxBytes) } : { filename: part.filename, data: Buffer.concat(chunks) });
  }

  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    onFile(this: FastifyRequest, part: MultipartFile) {
      return stage(this, part);
    },
    throwFileSizeLimit: false,
    limits: { fileSize: limit, files: MAX_FORM_FILES, fields: 1000, fieldSize: 8000, parts: 1200, headerPairs: 50 },
  });

  app.addHook('onResponse', async (request) => {
    const files = stagedFiles.get(request);
    if (!files) return;
    stagedFiles.delete(request);
    for (const staged of files.values()) if ('prepared' in staged) await staged.prepared.discard();
  });
}

/** The file a `formFileBytes` route received, or null when the form carried none. */
export function formFileInMemory(request: FastifyRequest): MemoryFile | null {
  return memoryFiles.get(request) ?? null;
}

/** The files staged from this request's form, by field name. */
export function stagedUploads(request: FastifyRequest): Map<string, StagedField> {
  return stagedFiles.get(request) ?? new Map();
}

/**
 * Saves the staged files whose field names start with `prefix` (as private uploads of the
 * caller), and reports the refused ones: `{ saved: key → file, errors: key → message }`, where
 * key is the field name without the prefix.
 */
export async function saveStagedUploads(platform: Platform, request: FastifyRequest, prefix: string): Promise<{ saved: Map<string, FileInfo>; errors: Map<string, AppError> }> {
  const saved = new Map<string, FileInfo>();
  const errors = new Map<string, AppError>();
  for (const [field, staged] of stagedUploads(request)) {
    if (!field.startsWith(prefix)) continue;
    const key = field.slice(prefix.length);
    if ('error' in staged) errors.set(key, staged.error);
    else saved.set(key, await saveUpload(platform, request.principal!, actorOf(request), staged.prepared));
  }
  return { saved, errors };
}
