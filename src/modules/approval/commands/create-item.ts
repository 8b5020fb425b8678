/** Creating an item of the catalogue (a draft, version 1). */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { invalid } from '../../../platform/http/errors.ts';
import { getUnit } from '../../../platform/org/service.ts';
import type { ItemInput } from '../model.ts';
import type { Item } from '../queries/items.ts';
import { checkItem, normalizeInput } from '../item-checks.ts';
import { insertDraft, type WriteOptions } from '../item-writes.ts';

/**
 * Creates a draft (version 1). `principal` null acts as the system, without scope limits.
 * Refused with every problem at once (400 VALIDATION_FAILED); a code already used is 409 DUPLICATE.
 */
export async function createItem(work: Work, platform: Platform, principal: Principal | null, input: ItemInput, options: WriteOptions = {}): Promise<Item> {
  const pathPrefix = options.pathPrefix ?? '';
  const normalized = normalizeInput(input);
  const errors = await checkItem(work.tx, principal, normalized, { pathPrefix });
  if (errors.length) throw invalid(errors);
  const unit = (await getUnit(work.tx, normalized.unitId))!;
  return insertDraft(work, platform, normalized, unit, pathPrefix);
}
