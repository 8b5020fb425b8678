/** Opening a new draft of an item that has been published. */
import crypto from 'node:crypto';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { conflict, notFound } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { mayManageUnit, q, toItem, toItemInput, type Item } from '../queries/items.ts';
import { columnsOf } from '../item-writes.ts';

/**
 * The draft to edit an item that has been published: the existing draft of its code, or a new
 * version copying the published one (or, with none published, the newest version).
 */
export async function editPublished(work: Work, platform: Platform, principal: Principal | null, id: string): Promise<{ item: Item; created: boolean }> {
  const row = await q(work.tx).selectFrom('approval_items').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !(await mayManageUnit(work.tx, principal, row.unit_id))) throw notFound();
  if (row.status === 'draft') return { item: toItem(row), created: false };
  const versions = await q(work.tx).selectFrom('approval_items').selectAll().where('code', '=', row.code).orderBy('version', 'desc').execute();
  const draft = versions.find((v) => v.status === 'draft');
  if (draft) return { item: toItem(draft), created: false };
  const base = versions.find((v) => v.status === 'published') ?? versions[0];
  const now = platform.clock.now();
  const version = versions[0].version + 1;
  const inserted = await q(work.tx)
    .insertInto('approval_items')
    .values({
      id: crypto.randomUUID(),
      code: base.code,
      version,
      status: 'draft',
      ...columnsOf(toItemInput(toItem(base))),
      created_by: work.actor.userId,
      created_at: now,
      updated_at: now,
      published_at: null,
    })
    // Someone else opened the draft at the same moment: theirs is the draft.
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) {
    const existing = await q(work.tx).selectFrom('approval_items').selectAll().where('code', '=', row.code).where('status', '=', 'draft').executeTakeFirst();
    if (!existing) throw conflict();
    return { item: toItem(existing), created: false };
  }
  recordAudit(work, { action: 'approval.item.draft', objectType: 'approval_item', objectId: inserted.id, details: { code: inserted.code, version, from: base.version } }, now);
  return { item: toItem(inserted), created: true };
}
