import crypto from 'node:crypto';
import { sm3 as sm3Digest } from '../crypto/index.ts';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Selectable } from 'kysely';
import { sql, type Db } from '../db/index.ts';
import { inTransaction, SYSTEM_ACTOR, type Actor, type Work } from '../db/work.ts';
import { recordAudit } from '../audit/service.ts';
import { AppError, conflict, fieldError, invalid, notFound } from '../http/errors.ts';
import type { Platform } from '../module.ts';
import type { Principal } from '../iam/principal.ts';
import { BlobTooLargeError, LocalBlobStore, type BlobStore, type StagedBlob } from './store.ts';
import { S3BlobStore } from './s3-store.ts';
import { sniffContent } from './sniff.ts';
import { inspectArchive, type ArchiveLimits, type ArchiveProblem } from './archives.ts';
import { sanitizeFileName } from './names.ts';
import { hasMessage, translate, type Lang } from '../i18n/index.ts';

export interface FileTable {
  id: string;
  sm3: string;
  size: number;
  mime: string;
  name: string;
  /** null: an upload owned by no account (a citizen writing without signing in; see recordUpload). */
  uploaded_by: string | null;
  uploaded_at: Date;
  owner_type: string | null;
  owner_id: string | null;
  attached_at: Date | null;
}
export type FilesTables = { files: FileTable };
export type FileRow = Selectable<FileTable>;

export interface FileInfo {
  id: string;
  name: string;
  size: number;
  mime: string;
  sm3: string;
  uploadedBy: string | null;
  uploadedAt: Date;
  ownerType: string | null;
  ownerId: string | null;
  attachedAt: Date | null;
}

export interface FileOwner {
  ownerType: string;
  ownerId: string;
}

const q = (db: Db) => db.withTables<FilesTables>();

function toInfo(row: FileRow): FileInfo {
  return {
    id: row.id,
    name: row.name,
    size: Number(row.size),
    mime: row.mime,
    sm3: row.sm3,
    uploadedBy: row.uploaded_by,
    uploadedAt: new Date(row.uploaded_at),
    ownerType: row.owner_type,
    ownerId: row.owner_id,
    attachedAt: row.attached_at ? new Date(row.attached_at) : null,
  };
}

// ------------------------------------------------------------------ the blob store

const stores = new WeakMap<Platform, BlobStore>();

/** The store chosen by the settings: S3 when ZT_S3_* is given, else `<dataDir>/files`. */
export function blobStoreFor(platform: Platform): BlobStore {
  let store = stores.get(platform);
  if (!store) {
    const { config } = platform;
    store = config.s3 ? S3BlobStore.fromConfig(config.s3, config.dataDir) : new LocalBlobStore(path.join(config.dataDir, 'files'));
    stores.set(platform, store);
  }
  return store;
}

/** Replaces the store of a platform (another backend, or a test's). */
export function useBlobStore(platform: Platform, store: BlobStore) {
  stores.set(platform, store);
}

// Uploads hold this lock shared and the purge holds it exclusively, per content digest, so a
// blob is never deleted between an upload finding it stored and its row being committed.
const CONTENT_LOCK_SPACE = 7_346_005;
async function lockContent(work: Work, sm3: string, mode: 'shared' | 'exclusive') {
  if (mode === 'shared') await sql`select pg_advisory_xact_lock_shared(${CONTENT_LOCK_SPACE}, hashtext(${sm3}))`.execute(work.tx);
  else await sql`select pg_advisory_xact_lock(${CONTENT_LOCK_SPACE}, hashtext(${sm3}))`.execute(work.tx);
}

// ------------------------------------------------------------------ access policies

/** Decides whether the caller (null: anonymous) may download files attached to one object. */
export type FileAccessPolicy = (platform: Platform, principal: Principal | null, ownerId: string) => Promise<boolean>;

/** Owner types of attached files: '<module>.<object>' ('approval.application', 'exchange.document' …). */
export const FILE_OWNER_TYPE = /^[a-z][a-z0-9_.-]{0,63}$/;

async function mayAccess(platform: Platform, principal: Principal | null, row: FileRow): Promise<boolean> {
  if (row.owner_type === null || row.owner_id === null) return !!principal && principal.userId === row.uploaded_by;
  // Each module declares in its manifest who may download files attached to its objects; without a policy, nobody may.
  const policy = platform.modules.fileAccess.get(row.owner_type);
  return policy ? policy(platform, principal, row.owner_id) : false;
}

/** Whether the caller may download the file: for showing links in other modules' views. */
export async function canAccessFile(platform: Platform, principal: Principal | null, fileId: string): Promise<boolean> {
  const row = await q(platform.db).selectFrom('files').selectAll().where('id', '=', fileId).executeTakeFirst();
  return !!row && (await mayAccess(platform, principal, row));
}

// ------------------------------------------------------------------ upload

const MB = 1024 * 1024;
/** A refused file's type in words ('Windows 可执行程序（EXE）'), from the catalogue's `files.kind.<mime>`. */
export const fileKind = (lang: Lang, mime: string) => (hasMessage(`files.kind.${mime}`) ? translate(lang, `files.kind.${mime}`) : translate(lang, 'files.kind.other', { mime }));

const allowedList = 'PDF, OFD, JPG, PNG, GIF, TIFF, DOC/WPS, XLS/ET, DOCX, XLSX, ZIP, 7Z, RAR, TXT/CSV';

const ARCHIVE_TYPES = new Set(['zip', '7z', 'rar'] as const);
const inMb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

/** The refusal of an archive, its message naming the limit it went over. */
function archiveRefused(problem: ArchiveProblem): AppError {
  const params: Record<string, string | number> = {};
  if (problem.reason === 'entries') Object.assign(params, { entries: problem.entries, limit: problem.limit });
  if (problem.reason === 'size') Object.assign(params, { sizeMb: inMb(problem.uncompressedBytes), limitMb: inMb(problem.limit) });
  if (problem.reason === 'ratio') Object.assign(params, { ratio: Math.round(problem.ratio), limit: problem.limit, sizeMb: inMb(problem.uncompressedBytes) });
  if (problem.reason === 'nested') params.entry = problem.entry;
  const reason = problem.reason === 'encrypted' && problem.entry === null ? 'encryptedNames' : problem.reason;
  if (problem.reason === 'encrypted' && problem.entry !== null) params.entry = problem.entry;
  return new AppError('FILE_ARCHIVE_REFUSED', { detail: { key: `files.archive.${reason}`, params }, extra: { reason: problem.reason, ...params } });
}

export const tooLarge = (limitBytes: number) =>
  new AppError('PAYLOAD_TOO_LARGE', { detail: { key: 'files.tooLarge', params: { limitMb: Math.floor(limitBytes / MB) } } });

export interface UploadInput {
  /** The bytes, streamed; never collected in memory. */
  content: AsyncIterable<Uint8Array>;
  /** The name the client gave, used for display only. */
  filename?: string;
  /** True when the transport cut the content at the size limit (multipart `file.truncated`). */
  truncated?: () => boolean;
  /**
   * Tighter limits for an archive than the installation's (ZT_ARCHIVE_*), for a module or an
   * item's material that expects less; a looser value than the installation's has no effect.
   */
  archiveLimits?: Partial<ArchiveLimits>;
  /** A tighter size limit than the installation's (ZT_UPLOAD_LIMIT_MB), e.g. for anonymous uploads; a looser one has no effect. */
  maxBytes?: number;
}

/** The installation's archive limits, tightened by the caller's. */
export function effectiveArchiveLimits(platform: Platform, tighter: Partial<ArchiveLimits> = {}): ArchiveLimits {
  const base = platform.config.archiveLimits;
  return {
    maxEntries: Math.min(base.maxEntries, tighter.maxEntries ?? Infinity),
    maxUncompressedBytes: Math.min(base.maxUncompressedBytes, tighter.maxUncompressedBytes ?? Infinity),
    maxRatio: Math.min(base.maxRatio, tighter.maxRatio ?? Infinity),
  };
}

/** An upload received, checked and staged, not yet recorded: see saveUpload. */
export interface PreparedUpload {
  sm3: string;
  size: number;
  mime: string;
  name: string;
  /** Removes the staged content; call it in every case once done. */
  discard(): Promise<void>;
}

const staging = new WeakMap<PreparedUpload, StagedBlob>();

/**
 * Receives an upload: hashes and counts it while it streams to a staging file (never into
 * memory), and refuses it when too large, empty or of a type not allowed, decided from the
 * content, or an archive over its limits (inspected where it is staged, never extracted).
 * Nothing is stored or recorded yet.
 */
export async function prepareUpload(platform: Platform, input: UploadInput): Promise<PreparedUpload> {
  const store = blobStoreFor(platform);
  const limit = Math.min(platform.config.uploadLimitBytes, input.maxBytes ?? Infinity);
  let staged: StagedBlob;
  try {
    staged = await store.stage(input.content, { maxBytes: limit });
  } catch (error) {
    if (error instanceof BlobTooLargeError) throw tooLarge(limit);
    throw error;
  }
  try {
    if (input.truncated?.()) throw tooLarge(limit);
    if (staged.size === 0) throw invalid([fieldError('file', 'files.empty')]);
    const sniffed = await sniffContent(staged);
    if (!sniffed.allowed) {
      const detected = sniffed.detected;
      throw new AppError('FILE_TYPE_NOT_ALLOWED', {
        detail: detected
          ? { 'zh-CN': translate('zh-CN', 'files.typeNotAllowed', { detected: fileKind('zh-CN', detected), allowed: allowedList }), en: translate('en', 'files.typeNotAllowed', { detected: fileKind('en', detected), allowed: allowedList }) }
          : { key: 'files.typeUnknown', params: { allowed: allowedList } },
        extra: { detected: sniffed.detected },
      });
    }
    if ((ARCHIVE_TYPES as Set<string>).has(sniffed.type)) {
      const verdict = await inspectArchive(staged, sniffed.type as 'zip' | '7z' | 'rar', effectiveArchiveLimits(platform, input.archiveLimits));
      if (!verdict.ok) throw archiveRefused(verdict);
    }
    const prepared: PreparedUpload = { sm3: staged.sm3, size: staged.size, mime: sniffed.mime, name: sanitizeFileName(input.filename, sniffed.type), discard: staged.discard };
    staging.set(prepared, staged);
    return prepared;
  } catch (error) {
    await staged.discard();
    throw error;
  }
}

/**
 * Stores prepared content once per digest and records the file, unattached and private to
 * the uploader, with its audit entry in one transaction.
 */
export async function saveUpload(platform: Platform, principal: Principal, actor: Actor, prepared: PreparedUpload): Promise<FileInfo> {
  if (!staging.has(prepared)) throw new Error('not a prepared upload');
  // Stored before the transaction too, so that the row's transaction holds no lock while it writes.
  await blobStoreFor(platform).commit(staging.get(prepared)!);
  return inTransaction(platform.db, actor, (work) => recordUpload(work, platform, prepared, { uploadedBy: principal.userId }));
}

async function insertFileRow(work: Work, platform: Platform, uploadedBy: string | null, blob: { sm3: string; size: number; mime: string; name: string }, owner?: FileOwner): Promise<FileInfo> {
  const now = platform.clock.now();
  const inserted = await q(work.tx)
    .insertInto('files')
    .values({ id: crypto.randomUUID(), sm3: blob.sm3, size: blob.size, mime: blob.mime, name: blob.name, uploaded_by: uploadedBy, uploaded_at: now, owner_type: owner?.ownerType ?? null, owner_id: owner?.ownerId ?? null, attached_at: owner ? now : null })
    .returningAll()
    .executeTakeFirstOrThrow();
  recordAudit(work, { action: 'file.upload', objectType: 'file', objectId: inserted.id, details: { name: blob.name, size: blob.size, mime: blob.mime, sm3: blob.sm3, ...(owner ? { ownerType: owner.ownerType, ownerId: owner.ownerId } : {}), ...(uploadedBy ? {} : { anonymous: true }) } }, now);
  return toInfo(inserted);
}

/**
 * Records a prepared upload inside the caller's unit of work, for a module that takes files from
 * someone who may not be signed in (a citizen's letter): `uploadedBy` null is an upload owned by
 * no account, which nobody downloads and only attachUnownedFiles attaches (the calling module
 * proves the uploader, with a token of its own). With `owner` the file is recorded already
 * attached (a form that posts its files with the object they belong to).
 */
export async function recordUpload(work: Work, platform: Platform, prepared: PreparedUpload, options: { uploadedBy: string | null; owner?: FileOwner }): Promise<FileInfo> {
  const staged = staging.get(prepared);
  if (!staged) throw new Error('not a prepared upload');
  if (options.owner && !FILE_OWNER_TYPE.test(options.owner.ownerType)) throw new Error(`invalid file owner type "${options.owner.ownerType}"`);
  const store = blobStoreFor(platform);
  await store.commit(staged);
  await lockContent(work, staged.sm3, 'shared');
  // A purge may have removed the blob between the commit above and the lock.
  if (!(await store.exists(staged.sm3))) await store.commit(staged);
  return insertFileRow(work, platform, options.uploadedBy, { sm3: staged.sm3, size: staged.size, mime: prepared.mime, name: prepared.name }, options.owner);
}

/**
 * Records another upload of content the store already keeps (the same digest as an earlier
 * upload's), inside the caller's unit of work: for a generator filing many copies of one sample.
 * Content no longer stored is an error.
 */
export async function recordStoredUpload(work: Work, platform: Platform, principal: Principal, blob: Pick<FileInfo, 'sm3' | 'size' | 'mime' | 'name'>): Promise<FileInfo> {
  await lockContent(work, blob.sm3, 'shared');
  if (!(await blobStoreFor(platform).exists(blob.sm3))) throw new Error(`content ${blob.sm3} is not stored`);
  return insertFileRow(work, platform, principal.userId, { sm3: blob.sm3, size: blob.size, mime: blob.mime, name: blob.name });
}

/** prepareUpload then saveUpload: for callers that have nothing else to read first. */
export async function uploadFile(platform: Platform, principal: Principal, actor: Actor, input: UploadInput): Promise<FileInfo> {
  const prepared = await prepareUpload(platform, input);
  try {
    return await saveUpload(platform, principal, actor, prepared);
  } finally {
    await prepared.discard();
  }
}

// ------------------------------------------------------------------ generated content

export interface GeneratedFile {
  /** The whole content: generated documents are small (a few hundred KB at most). */
  content: Uint8Array;
  name: string;
  mime: string;
  owner: FileOwner;
  /** The account whose action made it exist (recorded as the uploader). */
  createdBy: string;
  at: Date;
}

/**
 * Stores content the platform made itself (a generated document) and records it already
 * attached to its owner, in the caller's unit of work: no type sniffing (the caller made it),
 * no unattached window. The owning module's fileAccess policy decides who downloads it.
 */
export async function storeGeneratedFile(work: Work, platform: Platform, input: GeneratedFile): Promise<FileInfo> {
  if (!FILE_OWNER_TYPE.test(input.owner.ownerType)) throw new Error(`invalid file owner type "${input.owner.ownerType}"`);
  const store = blobStoreFor(platform);
  const content = async function* () {
    yield input.content;
  };
  // Content made once and stored many times (one blank form for many items) is written once.
  const digest = sm3Digest(input.content);
  let blob = (await store.exists(digest)) ? { sm3: digest, size: input.content.byteLength } : await store.put(content());
  await lockContent(work, blob.sm3, 'shared');
  // A purge may have removed the blob between the put above and the lock.
  if (!(await store.exists(blob.sm3))) blob = await store.put(content());
  const row = await q(work.tx)
    .insertInto('files')
    .values({
      id: crypto.randomUUID(),
      sm3: blob.sm3,
      size: blob.size,
      mime: input.mime,
      name: input.name,
      uploaded_by: input.createdBy,
      uploaded_at: input.at,
      owner_type: input.owner.ownerType,
      owner_id: input.owner.ownerId,
      attached_at: input.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  recordAudit(work, { action: 'file.generate', objectType: 'file', objectId: row.id, details: { ownerType: input.owner.ownerType, ownerId: input.owner.ownerId, name: input.name, size: blob.size, sm3: blob.sm3 } }, input.at);
  return toInfo(row);
}

/** The stored bytes of a file, for a caller that has already decided the reader may have them. */
export async function readFileContent(platform: Platform, file: Pick<FileInfo, 'sm3'>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await blobStoreFor(platform).get(file.sm3)) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

// ------------------------------------------------------------------ attach and read

export async function getFile(db: Db, id: string): Promise<FileInfo | null> {
  const row = await q(db).selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toInfo(row) : null;
}

/** Several files by id, in one statement; ids not found are absent from the map. */
export async function getFiles(db: Db, ids: string[]): Promise<Map<string, FileInfo>> {
  if (!ids.length) return new Map();
  const rows = await q(db).selectFrom('files').selectAll().where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((row) => [row.id, toInfo(row)]));
}

/** Files attached to one object, in the order they were attached. */
export async function listAttachedFiles(db: Db, owner: FileOwner): Promise<FileInfo[]> {
  const rows = await q(db)
    .selectFrom('files')
    .selectAll()
    .where('owner_type', '=', owner.ownerType)
    .where('owner_id', '=', owner.ownerId)
    .orderBy('attached_at')
    .orderBy('id')
    .execute();
  return rows.map(toInfo);
}

/**
 * Attaches an uploaded file to an object of the calling module, in the caller's transaction.
 * Only the uploader may attach, and only once: attaching again to the same object is a no-op,
 * to another object a conflict. Someone else's file is not found.
 */
export async function attachFile(work: Work, fileId: string, owner: FileOwner, principal: Principal, at: Date = new Date()): Promise<FileInfo> {
  return (await attachFiles(work, [fileId], owner, principal, at))[0];
}

/**
 * attachFile for several files of one owner: one UPDATE when they are all the caller's and
 * unattached (the usual case: an application's materials), file by file otherwise, for the
 * precise answer (404, 409, or the file already attached to this owner).
 */
export async function attachFiles(work: Work, fileIds: string[], owner: FileOwner, principal: Principal, at: Date = new Date()): Promise<FileInfo[]> {
  // Who may download them is the owning module's fileAccess policy (its manifest); none, nobody may.
  if (!FILE_OWNER_TYPE.test(owner.ownerType)) throw new Error(`invalid file owner type "${owner.ownerType}"`);
  if (!fileIds.length) return [];
  const unique = [...new Set(fileIds)];
  const attached = await q(work.tx)
    .updateTable('files')
    .set({ owner_type: owner.ownerType, owner_id: owner.ownerId, attached_at: at })
    .where('id', 'in', unique)
    // owner_type, not owner_id (null together, by the table's check): a test on owner_id matches the
    // partial index of unattached files, which the planner then scans whole instead of the keys.
    .where('owner_type', 'is', null)
    .where('uploaded_by', '=', principal.userId)
    .returningAll()
    .execute();
  const byId = new Map(attached.map((row) => [row.id, row]));
  for (const row of attached) recordAudit(work, { action: 'file.attach', objectType: 'file', objectId: row.id, details: { ownerType: owner.ownerType, ownerId: owner.ownerId, name: row.name, sm3: row.sm3 } }, at);
  for (const id of unique) {
    if (byId.has(id)) continue;
    const row = await q(work.tx).selectFrom('files').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row || row.uploaded_by !== principal.userId) throw notFound();
    if (row.owner_type === owner.ownerType && row.owner_id === owner.ownerId) {
      byId.set(id, row);
      continue;
    }
    throw conflict({ key: 'files.alreadyAttached' });
  }
  return fileIds.map((id) => toInfo(byId.get(id)!));
}

/**
 * Attaches uploads owned by no account (recordUpload with `uploadedBy` null) to an object, in the
 * caller's transaction, once the calling module has proved the uploader its own way. A file that
 * is unknown or has an owning account is not found; one already attached elsewhere is a conflict;
 * attaching again to the same object is a no-op.
 */
export async function attachUnownedFiles(work: Work, fileIds: string[], owner: FileOwner, at: Date): Promise<FileInfo[]> {
  if (!FILE_OWNER_TYPE.test(owner.ownerType)) throw new Error(`invalid file owner type "${owner.ownerType}"`);
  const result: FileInfo[] = [];
  for (const id of [...new Set(fileIds)]) {
    const row = await q(work.tx).selectFrom('files').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row || row.uploaded_by !== null) throw notFound();
    if (row.owner_type !== null) {
      if (row.owner_type === owner.ownerType && row.owner_id === owner.ownerId) {
        result.push(toInfo(row));
        continue;
      }
      throw conflict({ key: 'files.alreadyAttached' });
    }
    const attached = await q(work.tx).updateTable('files').set({ owner_type: owner.ownerType, owner_id: owner.ownerId, attached_at: at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    recordAudit(work, { action: 'file.attach', objectType: 'file', objectId: id, details: { ownerType: owner.ownerType, ownerId: owner.ownerId, name: row.name, sm3: row.sm3 } }, at);
    result.push(toInfo(attached));
  }
  return result;
}

export interface Download {
  file: FileInfo;
  content: Readable;
}

/**
 * The file and its content, when the caller may see what it is attached to. Otherwise it
 * does not exist: 404 for a signed-in caller, 401 (sign in first) for an anonymous one.
 */
export async function openDownload(platform: Platform, principal: Principal | null, fileId: string): Promise<Download> {
  const row = await q(platform.db).selectFrom('files').selectAll().where('id', '=', fileId).executeTakeFirst();
  if (!row || !(await mayAccess(platform, principal, row))) throw principal ? notFound() : new AppError('AUTH_REQUIRED');
  const content = await blobStoreFor(platform).get(row.sm3);
  return { file: toInfo(row), content };
}

// ------------------------------------------------------------------ purge

/** Uploads never attached to anything are removed after this long. */
export const UNATTACHED_RETENTION_MS = 72 * 3600_000;
const STAGING_RETENTION_MS = 24 * 3600_000;

/**
 * Removes abandoned uploads (never attached, older than the retention) and the stored
 * content no row refers to any more. Safe to run in several processes at once.
 */
export async function purgeUnattachedFiles(platform: Platform, options: { olderThanMs?: number; batch?: number } = {}): Promise<{ rows: number; blobs: number }> {
  const store = blobStoreFor(platform);
  const cutoff = new Date(platform.clock.now().getTime() - (options.olderThanMs ?? UNATTACHED_RETENTION_MS));
  const candidates = await q(platform.db)
    .selectFrom('files')
    .select('sm3')
    .where('owner_id', 'is', null)
    .where('uploaded_at', '<', cutoff)
    .orderBy('uploaded_at')
    .limit(options.batch ?? 500)
    .execute();
  let rows = 0;
  let blobs = 0;
  for (const sm3 of new Set(candidates.map((c) => c.sm3))) {
    const orphaned = await inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
      await lockContent(work, sm3, 'exclusive');
      const deleted = await q(work.tx).deleteFrom('files').where('sm3', '=', sm3).where('owner_id', 'is', null).where('uploaded_at', '<', cutoff).returning('id').execute();
      rows += deleted.length;
      if (deleted.length) recordAudit(work, { action: 'file.purge', objectType: 'file', details: { sm3, ids: deleted.map((d) => d.id) } }, platform.clock.now());
      return !(await q(work.tx).selectFrom('files').select('id').where('sm3', '=', sm3).limit(1).executeTakeFirst());
    });
    if (!orphaned) continue;
    // Deleted in a transaction that writes nothing, under the lock: an upload of the same
    // content either committed its row before (then the blob stays) or waits and re-stores it.
    await inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
      await lockContent(work, sm3, 'exclusive');
      if (await q(work.tx).selectFrom('files').select('id').where('sm3', '=', sm3).limit(1).executeTakeFirst()) return;
      await store.delete(sm3);
      blobs += 1;
    });
  }
  await store.sweepStaging(STAGING_RETENTION_MS);
  return { rows, blobs };
}
