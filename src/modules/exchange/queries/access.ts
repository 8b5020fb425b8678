import type { Principal } from '../../../platform/iam/principal.ts';
import { coversUnit, hasPermission } from '../../../platform/iam/principal.ts';
import type { Db } from '../../../platform/db/index.ts';
import { DRAFT_PERMISSION, OVERSIGHT_PERMISSION, RECEIVE_PERMISSION, SIGNOFF_PERMISSION, exchangeDb, type DocumentRow } from '../model.ts';

/** A unit as the access checks need it. */
export interface UnitRef {
  id: string;
  regionCode: string;
}

async function unitRef(db: Db, unitId: string): Promise<UnitRef | null> {
  const row = await db
    .withTables<{ units: { id: string; region_code: string } }>()
    .selectFrom('units')
    .select(['id', 'region_code'])
    .where('id', '=', unitId)
    .executeTakeFirst();
  return row ? { id: row.id, regionCode: row.region_code } : null;
}

/** Whether the caller works for the sending unit (drafts, signs off, sends, reads its receipts). */
export async function isSender(db: Db, principal: Principal, document: Pick<DocumentRow, 'sending_unit_id'>): Promise<boolean> {
  const unit = await unitRef(db, document.sending_unit_id);
  if (!unit) return false;
  return coversUnit(principal, DRAFT_PERMISSION, unit) || coversUnit(principal, SIGNOFF_PERMISSION, unit);
}

/**
 * Who may open a document: the sending unit's staff, the clerks of a unit it was delivered to
 * (not recalled), a unit countersigning it, and the supervision office. Everyone else gets 404.
 */
export async function mayReadDocument(db: Db, principal: Principal, document: Pick<DocumentRow, 'id' | 'sending_unit_id' | 'countersign_unit_ids' | 'state'>): Promise<boolean> {
  const sender = await unitRef(db, document.sending_unit_id);
  if (sender && hasPermission(principal, OVERSIGHT_PERMISSION) && coversUnit(principal, OVERSIGHT_PERMISSION, sender)) return true;
  if (await isSender(db, principal, document)) return true;
  for (const unitId of document.countersign_unit_ids) {
    const unit = await unitRef(db, unitId);
    if (unit && coversUnit(principal, SIGNOFF_PERMISSION, unit)) return true;
  }
  if (document.state !== 'sent' && document.state !== 'recalled') return false;
  const receipts = await exchangeDb(db)
    .selectFrom('exchange_receipts')
    .select(['unit_id', 'state'])
    .where('document_id', '=', document.id)
    .where('state', '<>', 'recalled')
    .where('unit_id', 'in', principalUnitIds(principal))
    .execute();
  for (const receipt of receipts) {
    const unit = await unitRef(db, receipt.unit_id);
    if (unit && coversUnit(principal, RECEIVE_PERMISSION, unit)) return true;
  }
  return false;
}

/** The units the caller's role assignments name directly (a clerk's own unit). */
export function principalUnitIds(principal: Principal): string[] {
  const ids = new Set<string>();
  if (principal.unitId) ids.add(principal.unitId);
  for (const assignment of principal.roles) if ('unitId' in assignment.scope) ids.add(assignment.scope.unitId);
  return ids.size ? [...ids] : [''];
}
