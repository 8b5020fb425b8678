/** The applicant's answer to a correction request (补正), or materials accepted as pending handed in later. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { publish } from '../../../platform/events.ts';
import { APPROVAL_CASE_CHANGED, type ApprovalCaseChanged } from '../events.ts';
import { hasPermission, type Principal } from '../../../platform/iam/principal.ts';
import { AppError, forbidden } from '../../../platform/http/errors.ts';
import { applyInstanceAction } from '../../../platform/flow/service.ts';
import { attachFiles } from '../../../platform/files/index.ts';
import { enqueueMessagesAtCommit } from '../../../platform/notify/index.ts';
import type { ApplicationInput } from '../model.ts';
import { checkMaterials, missingMaterialsError } from '../submission-checks.ts';
import { syncCase } from '../case-sync.ts';
import { correctionOf, eventsOf, isOpen, isParty, MATERIAL_OWNER, q, visibleCase } from '../queries/cases.ts';
import { addPendingMaterials } from './add-pending-materials.ts';

/**
 * The applicant hands in what the correction request listed (online, or at the window through an
 * intake clerk): every listed material must come, all at once; the clock resumes. Without a
 * correction request, an open case takes the materials accepted as pending (容缺) only.
 */
export async function submitCorrection(work: Work, platform: Platform, principal: Principal, id: string, input: { materials: ApplicationInput['materials'] }) {
  const { app, item } = await visibleCase(platform.db, principal, id, { lock: work });
  if (!isParty(principal, app) && !hasPermission(principal, 'approval.intake')) throw forbidden({ key: 'approval.app.notApplicant' });
  if (app.state !== 'correction_requested') {
    if (isOpen(app.state)) return addPendingMaterials(work, platform, principal, app, item, input.materials);
    throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.noCorrectionPending' } });
  }
  const now = platform.clock.now();
  const request = correctionOf(await eventsOf(work.tx, app.id))!;
  const checked = await checkMaterials(work.tx, principal, item, input.materials);
  const provided = new Set(input.materials.map((m) => m.materialKey));
  const still = request.missing.filter((m) => !provided.has(m.materialKey));
  if (checked.errors.length || still.length || !input.materials.length) {
    throw missingMaterialsError(checked.errors, still.map((m) => ({ key: m.materialKey, name: m.name })), 'approval.app.correctionIncomplete');
  }
  await attachFiles(work, input.materials.map((m) => m.fileId), { ownerType: MATERIAL_OWNER, ownerId: app.id }, principal, now);
  await q(work.tx)
    .insertInto('approval_materials')
    .values(input.materials.map((m) => ({ application_id: app.id, material_key: m.materialKey, file_id: m.fileId, round: app.correction_count, added_at: now })))
    .execute();
  await applyInstanceAction(work, platform, app.flow_instance_id, { type: 'resume', by: principal.userId });
  const { app: updated } = await syncCase(work, platform, app, item, { events: [{ type: 'corrected', payload: { materials: [...provided] } }] });
  const requester = (await eventsOf(work.tx, app.id)).find((e) => e.type === 'correction_requested')?.actor_id;
  if (requester) {
    await enqueueMessagesAtCommit(work, platform, [{ channel: 'inapp', to: { userId: requester }, template: 'approval.case.corrected', params: { receiptNo: app.receipt_no, itemName: item.name, caseId: app.id }, dedupeKey: `approval:${app.id}:corrected` }]);
  }
  recordAudit(work, { action: 'approval.application.correct', objectType: 'approval_application', objectId: app.id, details: { materials: [...provided] } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'correct', stepKey: null });
  return { id: app.id, receiptNo: app.receipt_no, state: updated.state, dueDate: updated.due_date };
}
