/** Which unit a request means, and whether the caller edits its catalogue (else: 404, as if it did not exist). */
import type { Db } from '../../../../platform/db/index.ts';
import { coversUnit, type Principal } from '../../../../platform/iam/principal.ts';
import { getUnit, getUnitByCreditCode, type Unit } from '../../../../platform/org/service.ts';
import { notFound } from '../../../../platform/http/errors.ts';
import { DISCLOSURE_PERMISSION } from '../model.ts';

const CREDIT_CODE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/** A unit by its id or its unified social credit code (the public addresses take either); 404 when none. */
export async function unitByKey(db: Db, key: string): Promise<Unit> {
  const unit = CREDIT_CODE.test(key) ? ((await getUnitByCreditCode(db, key)) ?? (await getUnit(db, key))) : await getUnit(db, key);
  if (!unit) throw notFound();
  return unit;
}

/** Whether the caller edits this unit's catalogue. */
export const edits = (principal: Principal | null | undefined, unit: Pick<Unit, 'id' | 'regionCode'>) => !!principal && coversUnit(principal, DISCLOSURE_PERMISSION, unit);

/** A unit whose catalogue the caller edits; another unit (or none): 404. */
export async function editableUnit(db: Db, principal: Principal, unitId: string): Promise<Unit> {
  const unit = await getUnit(db, unitId);
  if (!unit || !edits(principal, unit)) throw notFound();
  return unit;
}
