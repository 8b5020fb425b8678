/** Changing a draft of the catalogue. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, conflict, fieldError, invalid } from '../../../platform/http/errors.ts';
import type { ItemInput } from '../model.ts';
import type { Item } from '../queries/items.ts';
import { checkItem, normalizeInput } from '../item-checks.ts';
import { codeTaken, duplicateCode, lockItem, writeDraft, type WriteOptions } from '../item-writes.ts';

/**
 * Changes a draft. `editVersion`, when given, must be the draft's current one (409 otherwise).
 * A draft of an item that has been published keeps its code.
 */
export async function updateDraft(
  work: Work,
  platform: Platform,
  principal: Principal | null,
  id: string,
  input: ItemInput,
  options: WriteOptions & { editVersion?: number; via?: string } = {},
): Promise<Item> {
  const pathPrefix = options.pathPrefix ?? '';
  const row = await lockItem(work, principal, id);
  if (row.status !== 'draft') throw new AppError('INVALID_STATE', { detail: { key: 'approval.catalogue.notDraft' } });
  if (options.editVersion !== undefined && options.editVersion !== row.edit_version) throw conflict();
  const normalized = normalizeInput(input);
  const errors = await checkItem(work.tx, principal, normalized, { pathPrefix });
  const code = normalized.code ?? row.code;
  if (code !== row.code) {
    if (row.version > 1) errors.push(fieldError(`${pathPrefix}code`, 'approval.catalogue.codeFixed', { code: row.code }));
    else if (await codeTaken(work.tx, code)) throw duplicateCode(code, pathPrefix);
  }
  if (errors.length) throw invalid(errors);
  return writeDraft(work, platform, row, { ...normalized, code }, pathPrefix, options.via);
}
