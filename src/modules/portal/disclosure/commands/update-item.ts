/**
 * Editing an item (its index number never changes: it is how the item is cited), and changing its
 * validity (有效 → 失效 or 废止, with a reason; back to 有效 when a repeal is itself revoked).
 */
import { indexItem } from '../search.ts';
import { sql } from 'kysely';
import type { Work } from '../../../../platform/db/work.ts';
import type { Platform } from '../../../../platform/module.ts';
import type { Principal } from '../../../../platform/iam/principal.ts';
import { recordAudit } from '../../../../platform/audit/service.ts';
import { attachFiles } from '../../../../platform/files/service.ts';
import { AppError, conflict, notFound, type FieldError } from '../../../../platform/http/errors.ts';
import { ATTACHMENT_OWNER, disclosureDb, ITEM_OBJECT, LIMITS, type ItemPatch, type ItemRow, type Validity } from '../model.ts';
import { editableUnit } from '../queries/access.ts';
import { checkCategory, checkText, checkWrittenDate, optionalText, publicationTime, throwIfAny } from './checks.ts';

/** The item, locked for the change, when the caller edits its unit's catalogue; else 404. */
export async function editableItem(work: Work, principal: Principal, id: string): Promise<ItemRow> {
  const item = await disclosureDb(work.tx).selectFrom('portal_disclosure_items').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!item) throw notFound();
  await editableUnit(work.tx, principal, item.unit_id);
  return item;
}

export async function updateItem(work: Work, platform: Platform, principal: Principal, id: string, patch: ItemPatch): Promise<ItemRow> {
  const item = await editableItem(work, principal, id);
  if (patch.version !== undefined && patch.version !== item.version) throw conflict();
  const now = platform.clock.now();
  const errors: FieldError[] = [];
  checkText(errors, 'body.title', patch.title, LIMITS.title, patch.title !== undefined);
  checkText(errors, 'body.docNumber', patch.docNumber, LIMITS.docNumber);
  checkText(errors, 'body.issuingUnit', patch.issuingUnit, LIMITS.issuingUnit);
  checkText(errors, 'body.subjectTerms', patch.subjectTerms, LIMITS.subjectTerms);
  checkText(errors, 'body.body', patch.body, LIMITS.body);
  checkWrittenDate(errors, patch.writtenDate);
  const publishedAt = patch.publishedAt !== undefined ? publicationTime(patch.publishedAt, now, errors) : undefined;
  throwIfAny(errors);
  const set: Partial<Record<keyof ItemRow, unknown>> = {};
  if (patch.categoryId !== undefined && patch.categoryId !== item.category_id) {
    const category = await checkCategory(work, item.unit_id, patch.categoryId);
    set.category_id = category.id;
    set.root_category_id = category.parent_id ?? category.id;
  }
  if (patch.title !== undefined) set.title = patch.title.trim();
  if (patch.docNumber !== undefined) set.doc_number = optionalText(patch.docNumber);
  if (patch.issuingUnit !== undefined) set.issuing_unit = optionalText(patch.issuingUnit) ?? item.issuing_unit;
  if (patch.subjectTerms !== undefined) set.subject_terms = optionalText(patch.subjectTerms);
  if (patch.body !== undefined) set.body = patch.body;
  if (patch.writtenDate !== undefined) set.written_date = patch.writtenDate;
  if (publishedAt) set.published_at = publishedAt;
  const row = await disclosureDb(work.tx)
    .updateTable('portal_disclosure_items')
    .set({ ...(set as object), updated_at: now, version: sql`version + 1` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (patch.attachments?.length) await attachFiles(work, patch.attachments, { ownerType: ATTACHMENT_OWNER, ownerId: id }, principal, now);
  await indexItem(work, platform, row);
  recordAudit(work, { action: 'portal.disclosure.item.update', objectType: ITEM_OBJECT, objectId: id, details: { unitId: item.unit_id, indexNo: item.index_no, fields: Object.keys(set) } }, now);
  return row;
}

export async function changeValidity(work: Work, platform: Platform, principal: Principal, id: string, input: { validity: Validity; reason?: string }): Promise<ItemRow> {
  const item = await editableItem(work, principal, id);
  if (item.validity === input.validity) throw new AppError('INVALID_STATE', { detail: { key: 'portal.disclosure.validity.same' } });
  const errors: FieldError[] = [];
  checkText(errors, 'body.reason', input.reason, LIMITS.reason);
  throwIfAny(errors);
  const now = platform.clock.now();
  const row = await disclosureDb(work.tx)
    .updateTable('portal_disclosure_items')
    .set({ validity: input.validity, validity_changed_at: now, validity_reason: optionalText(input.reason), updated_at: now, version: sql`version + 1` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  recordAudit(work, { action: `portal.disclosure.item.${input.validity === 'valid' ? 'restore' : input.validity === 'invalid' ? 'expire' : 'repeal'}`, objectType: ITEM_OBJECT, objectId: id, details: { unitId: item.unit_id, indexNo: item.index_no, from: item.validity, to: input.validity, reason: optionalText(input.reason) } }, now);
  return row;
}
