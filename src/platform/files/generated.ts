/**
 * Files the platform makes itself (the demo city's blank forms, documents it issues): stored
 * like uploads, once per digest, and recorded already attached to their owner, in the caller's
 * transaction. Their type is given by the maker, not sniffed: the content is the platform's own.
 */
import crypto from 'node:crypto';
import type { Work } from '../db/work.ts';
import { sm3 } from '../crypto/index.ts';
import { recordAudit } from '../audit/service.ts';
import type { Platform } from '../module.ts';
import { blobStoreFor, FILE_OWNER_TYPE, type FileOwner, type FilesTables } from './service.ts';
import { sanitizeFileName } from './names.ts';
import { ALLOWED_TYPES, type AllowedType } from './sniff.ts';

export interface GeneratedFile {
  name: string;
  type: AllowedType;
  content: Uint8Array;
}

/** Stores the content and records the file attached to `owner`; `recordedBy` is the account it is recorded under. */
export async function storeGeneratedFile(work: Work, platform: Platform, file: GeneratedFile, owner: FileOwner, recordedBy: string): Promise<{ id: string; sm3: string }> {
  if (!FILE_OWNER_TYPE.test(owner.ownerType)) throw new Error(`invalid file owner type "${owner.ownerType}"`);
  // Content made once and stored many times (the same form for many items) is written once.
  const store = blobStoreFor(platform);
  const digest = sm3(file.content);
  const stored = (await store.exists(digest))
    ? { sm3: digest, size: file.content.byteLength }
    : await store.put(
        (async function* () {
          yield file.content;
        })(),
      );
  const now = platform.clock.now();
  const id = crypto.randomUUID();
  const name = sanitizeFileName(file.name, file.type);
  const mime = ALLOWED_TYPES[file.type].mime;
  await work.tx
    .withTables<FilesTables>()
    .insertInto('files')
    .values({ id, sm3: stored.sm3, size: stored.size, mime, name, uploaded_by: recordedBy, uploaded_at: now, owner_type: owner.ownerType, owner_id: owner.ownerId, attached_at: now })
    .execute();
  recordAudit(work, { action: 'file.attach', objectType: 'file', objectId: id, details: { ownerType: owner.ownerType, ownerId: owner.ownerId, name, sm3: stored.sm3, generated: true } }, now);
  return { id, sm3: stored.sm3 };
}
