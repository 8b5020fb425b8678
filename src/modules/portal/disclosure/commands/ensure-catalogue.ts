/**
 * A unit's catalogue is made on first use (the first read or write that needs it) from the
 * standard 8 categories and 23 sub-categories; the unit's editors change it afterwards.
 */
import crypto from 'node:crypto';
import type { Work } from '../../../../platform/db/work.ts';
import { recordAudit } from '../../../../platform/audit/service.ts';
import { DEFAULT_CATALOGUE, disclosureDb, CATALOGUE_OBJECT } from '../model.ts';

/** Creates the unit's default catalogue unless it has one; true when it was made now. */
export async function ensureCatalogue(work: Work, unitId: string, now: Date): Promise<boolean> {
  const db = disclosureDb(work.tx);
  // The marker row decides: of two first uses at once, the second waits for the first and inserts nothing.
  const made = await db.insertInto('portal_disclosure_catalogues').values({ unit_id: unitId, created_at: now }).onConflict((oc) => oc.column('unit_id').doNothing()).returning('unit_id').executeTakeFirst();
  if (!made) return false;
  const rows = DEFAULT_CATALOGUE.flatMap((top, i) => {
    const id = crypto.randomUUID();
    return [
      { id, unit_id: unitId, parent_id: null, code: top.code, name: top.name, position: i, hidden: false, created_at: now, updated_at: now, version: 1 },
      ...top.children.map((child, j) => ({ id: crypto.randomUUID(), unit_id: unitId, parent_id: id, code: child.code, name: child.name, position: j, hidden: false, created_at: now, updated_at: now, version: 1 })),
    ];
  });
  await db.insertInto('portal_disclosure_categories').values(rows).execute();
  recordAudit(work, { action: 'portal.disclosure.catalogue.create', objectType: CATALOGUE_OBJECT, objectId: unitId, details: { categories: rows.length } }, now);
  return true;
}
