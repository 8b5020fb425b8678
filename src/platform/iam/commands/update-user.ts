import { sql } from '../../db/index.ts';
import type { Work } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { AppError, forbidden } from '../../http/errors.ts';
import { blindIndex, sealField } from '../../crypto/fields.ts';
import { getUnit } from '../../org/service.ts';
import type { Platform } from '../../module.ts';
import { coversUnit, type Principal } from '../principal.ts';
import { iam } from '../queries.ts';
import { checkAccountFields, getVisibleUser, requireManagedUnit } from '../accounts.ts';

export interface UserPatch {
  displayName?: string;
  phone?: string | null;
  email?: string | null;
  unitId?: string;
  version?: number;
}

export async function updateUser(work: Work, platform: Platform, principal: Principal, id: string, patch: UserPatch) {
  const { user } = await getVisibleUser(platform, principal, id, work.tx);
  const self = user.id === principal.userId;
  if (!self && !(user.unit_id && coversUnit(principal, 'user.write', (await getUnit(work.tx, user.unit_id))!))) throw forbidden();
  checkAccountFields({ displayName: patch.displayName, phone: patch.phone ?? undefined, email: patch.email ?? undefined });
  if (patch.unitId !== undefined) {
    if (self || user.kind !== 'staff') throw forbidden();
    await requireManagedUnit(platform, principal, patch.unitId, work.tx);
  }
  const values: Record<string, unknown> = { updated_at: platform.clock.now(), version: sql`version + 1` };
  const changed: string[] = [];
  if (patch.displayName !== undefined) {
    values.display_name = patch.displayName.trim();
    changed.push('displayName');
  }
  if (patch.email !== undefined) {
    values.email = patch.email;
    changed.push('email');
  }
  if (patch.unitId !== undefined) {
    values.unit_id = patch.unitId;
    changed.push('unitId');
  }
  if (patch.phone !== undefined) {
    values.phone_sealed = patch.phone ? sealField(platform, patch.phone) : null;
    values.phone_index = patch.phone ? blindIndex(platform, `${user.kind}:${patch.phone}`) : null;
    changed.push('phone');
  }
  let update = iam(work.tx).updateTable('users').set(values).where('id', '=', id);
  if (patch.version !== undefined) update = update.where('version', '=', patch.version);
  const row = await update.returningAll().executeTakeFirst();
  if (!row) throw new AppError('CONFLICT');
  recordAudit(work, { action: 'user.update', objectType: 'user', objectId: id, details: { fields: changed, unitId: patch.unitId } });
  return row;
}
