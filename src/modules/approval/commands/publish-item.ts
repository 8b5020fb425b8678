/** Publishing a draft of the catalogue. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, conflict, invalid } from '../../../platform/http/errors.ts';
import { toItem, toItemInput, type Item } from '../queries/items.ts';
import { checkItem } from '../item-checks.ts';
import { lockItem, publishRow } from '../item-writes.ts';

/**
 * Publishes a draft: it is checked again, the version published so far becomes superseded and
 * this one published, in one transaction. Publishing anything but a draft (including the loser of
 * two simultaneous publishes) is 409 CONFLICT.
 */
export async function publishItem(
  work: Work,
  platform: Platform,
  principal: Principal | null,
  id: string,
  options: { editVersion?: number; via?: string } = {},
): Promise<Item & { supersededVersion: number | null }> {
  const row = await lockItem(work, principal, id);
  if (row.status !== 'draft') throw new AppError('CONFLICT', { detail: { key: 'approval.catalogue.notDraftToPublish' } });
  if (options.editVersion !== undefined && options.editVersion !== row.edit_version) throw conflict();
  const errors = await checkItem(work.tx, principal, toItemInput(toItem(row)));
  if (errors.length) throw invalid(errors);
  return publishRow(work, platform, row, options.via);
}
