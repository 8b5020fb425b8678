/** Materials accepted as pending (容缺受理) handed in after submission. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { publish } from '../../../platform/events.ts';
import { APPROVAL_CASE_CHANGED, type ApprovalCaseChanged } from '../events.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, fieldError, invalid } from '../../../platform/http/errors.ts';
import { attachFiles } from '../../../platform/files/index.ts';
import type { ApplicationInput } from '../model.ts';
import type { Item } from '../catalogue.ts';
import { checkMaterials } from '../submission-checks.ts';
import { addEvent } from '../case-events.ts';
import { MATERIAL_OWNER, q, type CaseRow } from '../queries/cases.ts';

/** Materials accepted as pending (容缺受理) handed in later; the process goes on meanwhile. */
export async function addPendingMaterials(work: Work, platform: Platform, principal: Principal, app: CaseRow, item: Item, materials: ApplicationInput['materials']) {
  const handed = new Set((await q(work.tx).selectFrom('approval_materials').select('material_key').where('application_id', '=', app.id).execute()).map((m) => m.material_key));
  const pending = new Set(item.materials.filter((m) => m.required && m.allowPending && !handed.has(m.key)).map((m) => m.key));
  if (!pending.size) throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.noCorrectionPending' } });
  const checked = await checkMaterials(work.tx, principal, item, materials);
  const errors = [...checked.errors];
  materials.forEach((m, i) => {
    if (!pending.has(m.materialKey) && !errors.some((e) => e.path.startsWith(`materials.${i}.`))) errors.push(fieldError(`materials.${i}.materialKey`, 'approval.app.materialNotPending', { key: m.materialKey }));
  });
  if (errors.length) throw invalid(errors);
  const now = platform.clock.now();
  await attachFiles(work, materials.map((m) => m.fileId), { ownerType: MATERIAL_OWNER, ownerId: app.id }, principal, now);
  await q(work.tx)
    .insertInto('approval_materials')
    .values(materials.map((m) => ({ application_id: app.id, material_key: m.materialKey, file_id: m.fileId, round: app.correction_count, added_at: now })))
    .execute();
  const keys = [...new Set(materials.map((m) => m.materialKey))];
  await addEvent(work, app.id, 'materials_added', { materials: keys }, now);
  recordAudit(work, { action: 'approval.application.addMaterials', objectType: 'approval_application', objectId: app.id, details: { materials: keys } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'add_materials', stepKey: null });
  return { id: app.id, receiptNo: app.receipt_no, state: app.state, dueDate: app.due_date };
}
