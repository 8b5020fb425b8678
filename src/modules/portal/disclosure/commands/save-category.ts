/**
 * Editing a unit's catalogue: add a category or sub-category, rename it, hide or show it, move it
 * among its siblings, delete it while nothing is filed under it. Two levels only.
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Work } from '../../../../platform/db/work.ts';
import type { Platform } from '../../../../platform/module.ts';
import type { Principal } from '../../../../platform/iam/principal.ts';
import { recordAudit } from '../../../../platform/audit/service.ts';
import { AppError, conflict, fieldError, invalid } from '../../../../platform/http/errors.ts';
import { CATEGORY_OBJECT, disclosureDb, LIMITS, type CategoryRow } from '../model.ts';
import { editableUnit } from '../queries/access.ts';
import { categoryOf, findCategory } from '../queries/catalogue.ts';
import { ensureCatalogue } from './ensure-catalogue.ts';

const cleanName = (name: string, path: string) => {
  const text = name.replace(/\s+/g, ' ').trim();
  if (!text) throw invalid([fieldError(path, 'portal.disclosure.check.blank')]);
  if (text.length > LIMITS.categoryName) throw invalid([fieldError(path, 'portal.disclosure.check.tooLong', { max: LIMITS.categoryName })]);
  return text;
};

async function nameTaken(work: Work, unitId: string, parentId: string | null, name: string, exceptId?: string) {
  let query = disclosureDb(work.tx).selectFrom('portal_disclosure_categories').select('id').where('unit_id', '=', unitId).where('name', '=', name);
  query = parentId ? query.where('parent_id', '=', parentId) : query.where('parent_id', 'is', null);
  if (exceptId) query = query.where('id', '<>', exceptId);
  if (await query.executeTakeFirst()) throw new AppError('PORTAL_DISCLOSURE_CATEGORY_DUPLICATE', { detail: { key: 'portal.disclosure.category.duplicate', params: { name } } });
}

/** The categories under one parent of a unit, in order, locked for renumbering. */
const siblings = (work: Work, unitId: string, parentId: string | null) => {
  let query = disclosureDb(work.tx).selectFrom('portal_disclosure_categories').selectAll().where('unit_id', '=', unitId);
  query = parentId ? query.where('parent_id', '=', parentId) : query.where('parent_id', 'is', null);
  return query.orderBy('position').orderBy('id').forUpdate().execute();
};

export async function createCategory(work: Work, platform: Platform, principal: Principal, input: { unitId: string; name: string; parentId?: string | null }): Promise<{ id: string }> {
  const unit = await editableUnit(work.tx, principal, input.unitId);
  const now = platform.clock.now();
  await ensureCatalogue(work, unit.id, now);
  const name = cleanName(input.name, 'body.name');
  let parentId: string | null = null;
  if (input.parentId) {
    const parent = await findCategory(work.tx, input.parentId);
    if (!parent || parent.unit_id !== unit.id) throw invalid([fieldError('body.parentId', 'portal.disclosure.category.unknown')]);
    if (parent.parent_id) throw new AppError('PORTAL_DISCLOSURE_CATEGORY_TOO_DEEP', { errors: [fieldError('body.parentId', 'portal.disclosure.category.tooDeep')] });
    parentId = parent.id;
  }
  await nameTaken(work, unit.id, parentId, name);
  const position = (await siblings(work, unit.id, parentId)).length;
  const id = crypto.randomUUID();
  await disclosureDb(work.tx).insertInto('portal_disclosure_categories').values({ id, unit_id: unit.id, parent_id: parentId, code: null, name, position, hidden: false, created_at: now, updated_at: now, version: 1 }).execute();
  recordAudit(work, { action: 'portal.disclosure.category.create', objectType: CATEGORY_OBJECT, objectId: id, details: { unitId: unit.id, name, parentId } }, now);
  return { id };
}

export interface CategoryPatch {
  name?: string;
  hidden?: boolean;
  /** The new place among its siblings, from 0; beyond the last: last. */
  position?: number;
  version?: number;
}

export async function updateCategory(work: Work, platform: Platform, principal: Principal, id: string, patch: CategoryPatch): Promise<CategoryRow> {
  const found = await findCategory(work.tx, id);
  if (!found) throw new AppError('NOT_FOUND');
  const unit = await editableUnit(work.tx, principal, found.unit_id);
  const category = await categoryOf(work.tx, unit.id, id);
  if (patch.version !== undefined && patch.version !== category.version) throw conflict();
  const now = platform.clock.now();
  const changes: Record<string, unknown> = {};
  const db = disclosureDb(work.tx);
  if (patch.name !== undefined) {
    const name = cleanName(patch.name, 'body.name');
    if (name !== category.name) {
      await nameTaken(work, unit.id, category.parent_id, name, id);
      changes.name = name;
    }
  }
  if (patch.hidden !== undefined && patch.hidden !== category.hidden) changes.hidden = patch.hidden;
  if (patch.position !== undefined) {
    const list = (await siblings(work, unit.id, category.parent_id)).filter((c) => c.id !== id);
    const at = Math.max(0, Math.min(patch.position, list.length));
    list.splice(at, 0, category);
    for (const [i, c] of list.entries()) if (c.position !== i) await db.updateTable('portal_disclosure_categories').set({ position: i }).where('id', '=', c.id).execute();
    if (at !== category.position) changes.position = at;
  }
  const row = await db
    .updateTable('portal_disclosure_categories')
    .set({ ...(changes.name ? { name: changes.name as string } : {}), ...(changes.hidden !== undefined ? { hidden: changes.hidden as boolean } : {}), updated_at: now, version: sql`version + 1` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  recordAudit(work, { action: 'portal.disclosure.category.update', objectType: CATEGORY_OBJECT, objectId: id, details: { unitId: unit.id, ...changes } }, now);
  return row;
}

/** Deletes an empty category: one with items or sub-categories is refused (409) and stays. */
export async function deleteCategory(work: Work, platform: Platform, principal: Principal, id: string): Promise<void> {
  const found = await findCategory(work.tx, id);
  if (!found) throw new AppError('NOT_FOUND');
  const unit = await editableUnit(work.tx, principal, found.unit_id);
  const db = disclosureDb(work.tx);
  const category = await db.selectFrom('portal_disclosure_categories').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
  const child = await db.selectFrom('portal_disclosure_categories').select('id').where('parent_id', '=', id).limit(1).executeTakeFirst();
  const item = await db.selectFrom('portal_disclosure_items').select('id').where((eb) => eb.or([eb('category_id', '=', id), eb('root_category_id', '=', id)])).limit(1).executeTakeFirst();
  if (child || item) throw new AppError('PORTAL_DISCLOSURE_CATEGORY_NOT_EMPTY', { detail: { key: item ? 'portal.disclosure.category.hasItems' : 'portal.disclosure.category.hasChildren', params: { name: category.name } } });
  await db.deleteFrom('portal_disclosure_categories').where('id', '=', id).execute();
  // Close the gap among its siblings.
  const rest = await siblings(work, unit.id, category.parent_id);
  for (const [i, c] of rest.entries()) if (c.position !== i) await db.updateTable('portal_disclosure_categories').set({ position: i }).where('id', '=', c.id).execute();
  const now = platform.clock.now();
  recordAudit(work, { action: 'portal.disclosure.category.delete', objectType: CATEGORY_OBJECT, objectId: id, details: { unitId: unit.id, name: category.name } }, now);
}
