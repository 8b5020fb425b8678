/**
 * Units' seal images: a unit's administrator uploads a PNG through the files API and sets it as
 * the unit's seal; the documents the unit issues from then on carry it in their seal area.
 * Documents issued before keep what they were issued with (they are stored, not redrawn).
 */
import type { Db } from '../../../platform/db/index.ts';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { coversUnit, type Principal } from '../../../platform/iam/principal.ts';
import { AppError, notFound } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { getUnit } from '../../../platform/org/service.ts';
import { attachFile, getFile, readFileContent, type FileAccessPolicy } from '../../../platform/files/service.ts';
import { q } from '../queries/cases.ts';

export const SEAL_PERMISSION = 'approval.seal';
/** Owner type of seal images in the files module. */
export const SEAL_OWNER = 'approval.seal';

async function unitInScope(db: Db, principal: Principal, unitId: string) {
  const unit = await getUnit(db, unitId);
  if (!unit || !coversUnit(principal, SEAL_PERMISSION, unit)) throw notFound();
  return unit;
}

/** Sets the unit's seal to an uploaded PNG of the caller's; the previous one is replaced. */
export async function setUnitSeal(work: Work, platform: Platform, principal: Principal, unitId: string, fileId: string) {
  await unitInScope(work.tx, principal, unitId);
  const file = await getFile(work.tx, fileId);
  if (!file || (file.uploadedBy !== principal.userId && !(file.ownerType === SEAL_OWNER && file.ownerId === unitId))) throw new AppError('VALIDATION_FAILED', { detail: { key: 'approval.seal.fileMissing' }, errors: [{ path: 'body.fileId', message: { key: 'approval.seal.fileMissing' } }] });
  if (file.mime !== 'image/png') throw new AppError('VALIDATION_FAILED', { detail: { key: 'approval.seal.notPng' }, errors: [{ path: 'body.fileId', message: { key: 'approval.seal.notPng' } }] });
  const now = platform.clock.now();
  if (file.ownerType !== SEAL_OWNER) await attachFile(work, fileId, { ownerType: SEAL_OWNER, ownerId: unitId }, principal, now);
  await q(work.tx)
    .insertInto('approval_unit_seals')
    .values({ unit_id: unitId, file_id: fileId, set_by: principal.userId, set_at: now })
    .onConflict((oc) => oc.column('unit_id').doUpdateSet({ file_id: fileId, set_by: principal.userId, set_at: now }))
    .execute();
  recordAudit(work, { action: 'approval.seal.set', objectType: 'unit', objectId: unitId, details: { fileId, sm3: file.sm3 } }, now);
  return { unitId, fileId, sm3: file.sm3, setAt: now.toISOString() };
}

/** The unit's seal as the caller may see it (whether one is set), 404 outside the caller's scope. */
export async function getUnitSeal(platform: Platform, principal: Principal, unitId: string) {
  await unitInScope(platform.db, principal, unitId);
  const row = await q(platform.db).selectFrom('approval_unit_seals').selectAll().where('unit_id', '=', unitId).executeTakeFirst();
  return { unitId, fileId: row?.file_id ?? null, setAt: row ? new Date(row.set_at).toISOString() : null };
}

/** The PNG bytes of a unit's seal, or null when none was uploaded. */
export async function sealImage(db: Db, platform: Platform, unitId: string): Promise<Buffer | null> {
  const row = await q(db).selectFrom('approval_unit_seals').select('file_id').where('unit_id', '=', unitId).executeTakeFirst();
  if (!row) return null;
  const file = await getFile(db, row.file_id);
  return file ? readFileContent(platform, file) : null;
}

/** A seal image is downloaded only by those who may set the unit's seal. */
export const mayDownloadSeal: FileAccessPolicy = async (platform, principal, ownerId) => {
  if (!principal) return false;
  const unit = await getUnit(platform.db, ownerId);
  return !!unit && coversUnit(principal, SEAL_PERMISSION, unit);
};
