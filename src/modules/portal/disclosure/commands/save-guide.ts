/** The unit's disclosure guide (公开指南): its own text replaces the default one; empty text brings the default back. */
import { sql } from 'kysely';
import type { Work } from '../../../../platform/db/work.ts';
import type { Platform } from '../../../../platform/module.ts';
import type { Principal } from '../../../../platform/iam/principal.ts';
import { recordAudit } from '../../../../platform/audit/service.ts';
import type { FieldError } from '../../../../platform/http/errors.ts';
import { disclosureDb, GUIDE_OBJECT, LIMITS } from '../model.ts';
import { editableUnit } from '../queries/access.ts';
import { checkText, throwIfAny } from './checks.ts';

export async function saveGuide(work: Work, platform: Platform, principal: Principal, input: { unitId: string; body: string }): Promise<{ unitId: string; custom: boolean }> {
  const unit = await editableUnit(work.tx, principal, input.unitId);
  const errors: FieldError[] = [];
  checkText(errors, 'body.body', input.body, LIMITS.guide);
  throwIfAny(errors);
  const now = platform.clock.now();
  const db = disclosureDb(work.tx);
  const body = input.body.replace(/\r\n/g, '\n').trim();
  if (!body) await db.deleteFrom('portal_disclosure_guides').where('unit_id', '=', unit.id).execute();
  else {
    await db
      .insertInto('portal_disclosure_guides')
      .values({ unit_id: unit.id, body, updated_at: now, updated_by: principal.userId, version: 1 })
      .onConflict((oc) => oc.column('unit_id').doUpdateSet({ body, updated_at: now, updated_by: principal.userId, version: sql`portal_disclosure_guides.version + 1` }))
      .execute();
  }
  recordAudit(work, { action: 'portal.disclosure.guide.update', objectType: GUIDE_OBJECT, objectId: unit.id, details: { unitId: unit.id, length: body.length, reset: !body } }, now);
  return { unitId: unit.id, custom: !!body };
}
