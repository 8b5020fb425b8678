/** A unit's sign-off settings: whether its documents pass 核稿 between drafting and signing. */
import type { Db } from '../../../platform/db/index.ts';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { coversUnit, type Principal } from '../../../platform/iam/principal.ts';
import { getUnit } from '../../../platform/org/service.ts';
import { exchangeDb } from '../model.ts';
import { reviewStepOf } from '../queries/documents.ts';

/** Held by the unit's doc_clerk and unit_admin (the manifest). */
export const SETTINGS_PERMISSION = 'exchange.settings';

async function ownUnit(db: Db, principal: Principal, unitId: string | undefined) {
  const id = unitId ?? principal.unitId;
  const unit = id ? await getUnit(db, id) : null;
  if (!unit || !coversUnit(principal, SETTINGS_PERMISSION, unit)) throw notFound();
  return unit;
}

export async function readSignoffSettings(db: Db, principal: Principal, unitId?: string) {
  const unit = await ownUnit(db, principal, unitId);
  return { unitId: unit.id, reviewStep: await reviewStepOf(db, unit.id) };
}

/** Applies to submissions from now on; documents already in sign-off keep their steps. */
export async function saveSignoffSettings(work: Work, platform: Platform, principal: Principal, input: { unitId?: string; reviewStep: boolean }) {
  const unit = await ownUnit(work.tx, principal, input.unitId);
  const now = platform.clock.now();
  await exchangeDb(work.tx)
    .insertInto('exchange_signoff_settings')
    .values({ unit_id: unit.id, review_step: input.reviewStep, updated_at: now })
    .onConflict((oc) => oc.column('unit_id').doUpdateSet({ review_step: input.reviewStep, updated_at: now }))
    .execute();
  recordAudit(work, { action: 'exchange.settings.update', objectType: 'unit', objectId: unit.id, details: { reviewStep: input.reviewStep } }, now);
  return { unitId: unit.id, reviewStep: input.reviewStep };
}
