/** Reading a unit's catalogue: its categories as a tree, with the number of items in each. */
import { sql } from 'kysely';
import type { Db } from '../../../../platform/db/index.ts';
import { notFound } from '../../../../platform/http/errors.ts';
import { disclosureDb, type CategoryRow } from '../model.ts';

export interface CategoryNode {
  id: string;
  code: string | null;
  name: string;
  position: number;
  hidden: boolean;
  parentId: string | null;
  /** Items filed under it (a top category: with those of its sub-categories); public readers count published ones only. */
  itemCount: number;
  children: CategoryNode[];
}

export async function hasCatalogue(db: Db, unitId: string): Promise<boolean> {
  return !!(await disclosureDb(db).selectFrom('portal_disclosure_catalogues').select('unit_id').where('unit_id', '=', unitId).executeTakeFirst());
}

export async function categoryRows(db: Db, unitId: string): Promise<CategoryRow[]> {
  return disclosureDb(db).selectFrom('portal_disclosure_categories').selectAll().where('unit_id', '=', unitId).orderBy('position').orderBy('id').execute();
}

export async function findCategory(db: Db, id: string): Promise<CategoryRow | null> {
  return (await disclosureDb(db).selectFrom('portal_disclosure_categories').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

/** A category of the unit, or 404. */
export async function categoryOf(db: Db, unitId: string, id: string): Promise<CategoryRow> {
  const row = await findCategory(db, id);
  if (!row || row.unit_id !== unitId) throw notFound();
  return row;
}

/**
 * The tree, top categories in their order with their sub-categories; `publicOnly` leaves out
 * hidden categories and counts only items already published at `now`.
 */
export async function categoryTree(db: Db, unitId: string, options: { publicOnly: boolean; now: Date }): Promise<CategoryNode[]> {
  const rows = await categoryRows(db, unitId);
  const published = options.publicOnly ? sql`and published_at <= ${options.now}` : sql``;
  const { rows: counts } = await sql<{ category_id: string; n: number }>`
    select category_id, count(*)::int as n from portal_disclosure_items where unit_id = ${unitId} ${published} group by category_id`.execute(db);
  const countOf = new Map(counts.map((c) => [c.category_id, Number(c.n)]));
  const node = (r: CategoryRow): CategoryNode => ({ id: r.id, code: r.code, name: r.name, position: r.position, hidden: r.hidden, parentId: r.parent_id, itemCount: countOf.get(r.id) ?? 0, children: [] });
  const visible = rows.filter((r) => !options.publicOnly || !r.hidden);
  const tops = visible.filter((r) => !r.parent_id).map(node);
  const byId = new Map(tops.map((t) => [t.id, t]));
  for (const r of visible) {
    const parent = r.parent_id ? byId.get(r.parent_id) : undefined;
    if (!parent) continue;
    const child = node(r);
    parent.children.push(child);
    parent.itemCount += child.itemCount;
  }
  return tops;
}
