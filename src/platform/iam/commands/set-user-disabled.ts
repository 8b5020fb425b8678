import { sql } from '../../db/index.ts';
import type { Work } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { forbidden } from '../../http/errors.ts';
import { getUnit } from '../../org/service.ts';
import type { Platform } from '../../module.ts';
import { coversUnit, hasPermission, type Principal } from '../principal.ts';
import { iam } from '../queries.ts';
import { getVisibleUser } from '../accounts.ts';

export async function setUserDisabled(work: Work, platform: Platform, principal: Principal, id: string, disabled: boolean) {
  const { user } = await getVisibleUser(platform, principal, id, work.tx);
  if (user.id === principal.userId) throw forbidden({ key: 'iam.cannotDisableSelf' });
  const unit = user.unit_id ? await getUnit(work.tx, user.unit_id) : null;
  const mayWrite = unit ? coversUnit(principal, 'user.write', unit) : hasPermission(principal, 'user.write') && principal.roles.some((r) => r.role === 'sysadmin');
  if (!mayWrite) throw forbidden();
  const now = platform.clock.now();
  await iam(work.tx).updateTable('users').set({ disabled_at: disabled ? now : null, updated_at: now, version: sql`version + 1` }).where('id', '=', id).execute();
  if (disabled) {
    await iam(work.tx).updateTable('sessions').set({ ended_at: now, end_reason: 'disabled' }).where('user_id', '=', id).where('ended_at', 'is', null).execute();
    await iam(work.tx).updateTable('api_tokens').set({ revoked_at: now }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
  }
  recordAudit(work, { action: disabled ? 'user.disable' : 'user.enable', objectType: 'user', objectId: id });
}
