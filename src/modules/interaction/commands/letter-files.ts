/**
 * A letter's attachments. A citizen need not be signed in to write, so an upload for a letter is
 * owned by no account: it gets a random token, kept only as an HMAC, and whoever sends the letter
 * with the file's id and that token proves they uploaded it. A signed-in citizen may also attach
 * their own uploads (POST /api/v1/files) by id alone. Every attachment is checked before anything
 * is written: a wrong token, someone else's file or a file already attached refuses the letter.
 */
import crypto from 'node:crypto';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, fieldError, type FieldError } from '../../../platform/http/errors.ts';
import { blindIndex } from '../../../platform/crypto/fields.ts';
import { attachFiles, attachUnownedFiles, getFiles, recordUpload, type FileInfo, type PreparedUpload } from '../../../platform/files/index.ts';
import { ATTACHMENT_OWNER, interactionDb, MAX_LETTER_FILES } from '../model.ts';

export interface LetterFileRef {
  id: string;
  /** The token given with a public upload; none for a signed-in citizen's own upload. */
  token?: string;
}

export interface PublicUpload {
  id: string;
  name: string;
  size: number;
  mime: string;
  token: string;
}

const tokenHash = (platform: Platform, token: string) => blindIndex(platform, `interaction.upload:${token}`);

/** Records a public upload for a letter (owned by no account) and its token's HMAC; the token is shown once. */
export async function recordLetterUpload(work: Work, platform: Platform, prepared: PreparedUpload): Promise<PublicUpload> {
  const file = await recordUpload(work, platform, prepared, { uploadedBy: null });
  const token = platform.crypto.randomToken(24);
  await interactionDb(work.tx).insertInto('interaction_uploads').values({ file_id: file.id, token_hash: tokenHash(platform, token), created_at: platform.clock.now() }).execute();
  return { id: file.id, name: file.name, size: file.size, mime: file.mime, token };
}

const sameHash = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Checks every attachment of a letter (attaching checks again, under lock): each must be
 * the caller's upload (by its token, or a signed-in citizen's own file) and attached to nothing
 * (or already to `caseId`, a letter posted again). All problems at once, 422; nothing written.
 */
export async function checkLetterFiles(work: Work, platform: Platform, principal: Principal | null, refs: LetterFileRef[], caseId?: string): Promise<void> {
  const errors: FieldError[] = [];
  if (refs.length > MAX_LETTER_FILES) errors.push(fieldError('attachments', 'interaction.attachments.tooMany', { max: MAX_LETTER_FILES }));
  const seen = new Set<string>();
  const files = await getFiles(work.tx, refs.map((r) => r.id));
  for (const [i, ref] of refs.entries()) {
    const path = `attachments.${i}`;
    if (seen.has(ref.id)) {
      errors.push(fieldError(path, 'interaction.attachments.twice'));
      continue;
    }
    seen.add(ref.id);
    const file = files.get(ref.id);
    // The same letter posted again (its first post took the files, and their tokens): nothing more to do.
    if (file && caseId && file.ownerType === ATTACHMENT_OWNER && file.ownerId === caseId) continue;
    let yours = false;
    if (file && ref.token) {
      const upload = await interactionDb(work.tx).selectFrom('interaction_uploads').select('token_hash').where('file_id', '=', ref.id).executeTakeFirst();
      yours = !!upload && file.uploadedBy === null && sameHash(upload.token_hash, tokenHash(platform, ref.token));
    } else if (file && principal) {
      yours = file.uploadedBy === principal.userId;
    }
    // A wrong token and a file that is not there look the same: ids are not to be probed.
    if (!file || !yours) errors.push(fieldError(path, 'interaction.attachments.notYours'));
    else if (file.ownerType !== null) errors.push(fieldError(path, 'interaction.attachments.alreadyAttached'));
  }
  if (errors.length) throw new AppError('INTERACTION_ATTACHMENT_REFUSED' as never, { errors });
}

/** Attaches the checked files to the case (checkLetterFiles first, in the same unit of work). */
export async function attachLetterFiles(work: Work, platform: Platform, principal: Principal | null, caseId: string, refs: LetterFileRef[]): Promise<FileInfo[]> {
  if (!refs.length) return [];
  const owner = { ownerType: ATTACHMENT_OWNER, ownerId: caseId };
  const at = platform.clock.now();
  const unowned = refs.filter((r) => r.token).map((r) => r.id);
  const already = new Set([...(await getFiles(work.tx, refs.map((r) => r.id))).values()].filter((f) => f.ownerType === ATTACHMENT_OWNER && f.ownerId === caseId).map((f) => f.id));
  const attached: FileInfo[] = [];
  // A millisecond apart, so that the files are listed in the order the writer gave them.
  for (const [i, ref] of refs.entries()) {
    const when = new Date(at.getTime() + i);
    if (already.has(ref.id)) continue;
    if (ref.token) attached.push(...(await attachUnownedFiles(work, [ref.id], owner, when)));
    else if (principal) attached.push(...(await attachFiles(work, [ref.id], owner, principal, when)));
  }
  if (unowned.length) await interactionDb(work.tx).deleteFrom('interaction_uploads').where('file_id', 'in', unowned).execute();
  return attached;
}
