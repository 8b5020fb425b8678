/** Withdrawing a published item from the catalogue. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { q, toItem, type Item } from '../queries/items.ts';
import { lockItem } from '../item-writes.ts';
import { invalidatePortalHome } from '../portal-home.ts';

/** Stops a published item from accepting applications; cases already filed go on. */
export async function withdrawItem(work: Work, platform: Platform, principal: Principal | null, id: string, options: { reason?: string } = {}): Promise<Item> {
  const row = await lockItem(work, principal, id);
  if (row.status !== 'published') throw new AppError('INVALID_STATE', { detail: { key: 'approval.catalogue.notPublished' } });
  const now = platform.clock.now();
  const updated = await q(work.tx).updateTable('approval_items').set({ status: 'withdrawn', updated_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  work.afterCommit(() => invalidatePortalHome(platform));
  recordAudit(work, { action: 'approval.item.withdraw', objectType: 'approval_item', objectId: id, details: { code: row.code, version: row.version, reason: options.reason } }, now);
  return toItem(updated);
}
