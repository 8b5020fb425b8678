/** Saving an item as an editor does (PUT): in place for a draft, as a new draft otherwise. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, conflict, notFound } from '../../../platform/http/errors.ts';
import type { ItemInput } from '../model.ts';
import { mayManageUnit, q, type Item } from '../queries/items.ts';
import type { WriteOptions } from '../item-writes.ts';
import { updateDraft } from './update-draft.ts';
import { editPublished } from './edit-published-item.ts';

/**
 * PUT semantics: a draft is changed in place; a version that has been published is never
 * changed: the edit becomes a new draft of its code (`created`). If that code already has a
 * draft, the edit is refused (409) rather than overwrite it: the caller edits that draft.
 */
export async function saveItem(
  work: Work,
  platform: Platform,
  principal: Principal | null,
  id: string,
  input: ItemInput,
  options: WriteOptions & { editVersion?: number } = {},
): Promise<{ item: Item; created: boolean }> {
  const row = await q(work.tx).selectFrom('approval_items').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !(await mayManageUnit(work.tx, principal, row.unit_id))) throw notFound();
  if (row.status === 'draft') return { item: await updateDraft(work, platform, principal, id, input, options), created: false };
  const draft = await q(work.tx).selectFrom('approval_items').select(['id', 'version']).where('code', '=', row.code).where('status', '=', 'draft').executeTakeFirst();
  if (draft) throw new AppError('CONFLICT', { detail: { key: 'approval.catalogue.draftExists', params: { version: draft.version } }, extra: { draftId: draft.id } });
  const opened = await editPublished(work, platform, principal, id);
  if (!opened.created) throw conflict();
  const item = await updateDraft(work, platform, principal, opened.item.id, input, { pathPrefix: options.pathPrefix });
  return { item, created: true };
}
