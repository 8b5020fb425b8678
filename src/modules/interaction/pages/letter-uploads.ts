/**
 * File inputs in the write form, so that a letter's attachments work without JavaScript: the form
 * posts multipart/form-data to its page route, and each file part is checked and staged here while
 * the body is read (prepareUpload of the files module: type from the content, archives inspected,
 * the smaller limit of public uploads). Only a form that carried its token (the visitor's form
 * token, or a signed-in citizen's CSRF token) before its files gets anything staged, each file
 * counted against the address's upload limit; the route records the files with the letter in one
 * unit of work. The staff's answer form takes the answer documents the same way. Whatever is left
 * staged is removed once the response is sent.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart, { type MultipartFile } from '@fastify/multipart';
import { AppError } from '../../../platform/http/index.ts';
import { resolvePrincipal } from '../../../platform/iam/auth-hook.ts';
import { enforceLimit } from '../../../platform/limits/index.ts';
import { prepareUpload, tooLarge, type PreparedUpload } from '../../../platform/files/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { MAX_ANSWER_FILES, MAX_LETTER_FILES } from '../model.ts';
import { UPLOADS_PER_ADDRESS_PER_HOUR } from '../routes/public-files.ts';
import { PUBLIC_FORM_COOKIE } from './public-parts.tsx';

/** The letter's text fields (up to 60,000 characters of text) around the files. */
const TEXT_OVERHEAD = 512 * 1024;

/** A file of the form: staged, or refused with the reason (shown on the form). */
export type StagedLetterFile = { name: string; prepared: PreparedUpload } | { name: string; error: AppError };

const staged = new WeakMap<FastifyRequest, StagedLetterFile[]>();

async function drain(stream: AsyncIterable<unknown>) {
  try {
    for await (const chunk of stream) void chunk;
  } catch {
    // A stream already ended or destroyed has nothing more to read.
  }
}

/** Whether the form's token field came before the files and matches (the session's CSRF token, or the visitor's form token). */
function trusted(request: FastifyRequest, part: MultipartFile): boolean {
  const field = (name: string) => (part.fields[name] as { value?: unknown } | undefined)?.value;
  if (request.principal && request.viaCookie) return field('_csrf') === request.principal.csrfToken;
  if (request.principal) return true;
  const held = request.cookies[PUBLIC_FORM_COOKIE];
  return !!held && field('_form') === held;
}

/**
 * Registers the parsing of multipart forms for the routes of this scope. The write form: at most
 * MAX_LETTER_FILES files of the public limit, counted per address; the staff's answer form
 * (`staff`): answer documents of the installation's upload limit.
 */
export async function registerLetterUploads(app: FastifyInstance, platform: Platform, options: { staff?: boolean } = {}) {
  const limit = options.staff ? platform.config.uploadLimitBytes : Math.min(platform.config.interactionUploadLimitBytes, platform.config.uploadLimitBytes);
  const maxFiles = options.staff ? MAX_ANSWER_FILES : MAX_LETTER_FILES;
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit * maxFiles + TEXT_OVERHEAD) throw tooLarge(limit * maxFiles);
    // The auth hook resolves the caller only after the body is read; the files need it before.
    await resolvePrincipal(platform, request, () => {});
  });

  async function stage(request: FastifyRequest, part: MultipartFile) {
    // An empty file input still sends a part, without a name and without content.
    if (!part.filename || !trusted(request, part)) return drain(part.file);
    let files = staged.get(request);
    if (!files) staged.set(request, (files = []));
    if (files.length >= maxFiles + 1) return drain(part.file);
    try {
      if (!options.staff) await enforceLimit(platform, `interaction:upload:ip:${request.ip}`, UPLOADS_PER_ADDRESS_PER_HOUR, 3600_000);
      const prepared = await prepareUpload(platform, { content: part.file, filename: part.filename, truncated: () => part.file.truncated, maxBytes: limit });
      files.push({ name: part.filename, prepared });
    } catch (error) {
      await drain(part.file);
      if (!(error instanceof AppError)) throw error;
      files.push({ name: part.filename, error });
    }
  }

  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    onFile(this: FastifyRequest, part: MultipartFile) {
      return stage(this, part);
    },
    throwFileSizeLimit: false,
    limits: { fileSize: limit, files: maxFiles + 1, fields: 40, fieldSize: 240_000, parts: 60, headerPairs: 50 },
  });

  app.addHook('onResponse', async (request) => {
    const files = staged.get(request);
    if (!files) return;
    staged.delete(request);
    for (const file of files) if ('prepared' in file) await file.prepared.discard();
  });
}

/** The files staged from this request's form, in the order they came. */
export function stagedLetterFiles(request: FastifyRequest): StagedLetterFile[] {
  return staged.get(request) ?? [];
}
