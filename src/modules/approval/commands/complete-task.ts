/** Deciding a step of a case: accept, approve, reject, request a correction, return. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { publish } from '../../../platform/events.ts';
import { APPROVAL_CASE_CHANGED, type ApprovalCaseChanged } from '../events.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, conflict, fieldError, forbidden, invalid, notFound, type FieldError } from '../../../platform/http/errors.ts';
import { applyInstanceAction, completeTask, getTask, mayHandle, type InstanceView } from '../../../platform/flow/service.ts';
import { allSteps } from '../../../platform/flow/engine.ts';
import type { TaskAction } from '../model.ts';
import { getFiledItem, type Item } from '../queries/items.ts';
import type { CaseEvent } from '../case-events.ts';
import { syncCase } from '../case-sync.ts';
import { clip, notifyApplicant } from '../notifications.ts';
import { lockCaseOfInstance, type CaseRow } from '../queries/cases.ts';
import { isApplicantOrAgent } from '../conflict.ts';

export interface CompleteInput {
  action: TaskAction;
  opinion?: string;
  missing?: Array<{ materialKey: string; reason: string }>;
  returnTo?: string;
  expectedVersion?: number;
  /**
   * The console's form asks to confirm 受理 and 不予受理 (a deliberate choice, not a default);
   * the API, whose caller names the action explicitly, does not.
   */
  confirmation?: { required: boolean; given: boolean };
}

/**
 * Completes a task of an approval case. accept (first stage) and approve (later stages) move the
 * case on; reject ends it with the department's reasons; request_correction tells the applicant
 * once and completely what is missing and stops the clock; return sends it back to an earlier
 * step. Another unit's task is 404, a task already done 409; nobody accepts or decides an
 * application in which they are the applicant or the applicant's agent (403, see conflict.ts);
 * the clerk who registered it at the window for a citizen accepts it on the spot (当场受理).
 */
export async function completeApprovalTask(work: Work, platform: Platform, principal: Principal, taskId: string, input: CompleteInput) {
  const peek = await getTask(work.tx, taskId);
  if (!peek || !mayHandle(principal, peek)) throw notFound();
  const app = await lockCaseOfInstance(work, peek.instance_id);
  if (!app) throw notFound();
  // The case is locked now: completeTask reads the task again (state, version) and refuses a closed one.
  const item = (await getFiledItem(work.tx, app.item_id))!;
  const steps = allSteps(item.process);
  const step = steps.find((s) => s.key === peek.step_key)!;
  const opinion = input.opinion?.trim() || undefined;
  const now = platform.clock.now();

  const errors: FieldError[] = [];
  if (input.action === 'accept' && step.stageIndex !== 0) errors.push(fieldError('action', 'approval.app.useApprove'));
  if (input.action === 'approve' && step.stageIndex === 0) errors.push(fieldError('action', 'approval.app.useAccept'));
  if (input.missing !== undefined && input.action !== 'request_correction') errors.push(fieldError('missing', 'approval.app.missingOnlyForCorrection'));
  if (input.returnTo !== undefined && input.action !== 'return') errors.push(fieldError('returnTo', 'approval.app.returnToOnlyForReturn'));
  if ((input.action === 'reject' || input.action === 'return') && !opinion) errors.push(fieldError('opinion', 'approval.app.opinionRequired'));
  if (input.confirmation?.required && !input.confirmation.given && step.stageIndex === 0 && (input.action === 'accept' || input.action === 'reject')) {
    errors.push(fieldError('confirm', 'page.approval.action.confirmRequired'));
  }
  if (errors.length) throw invalid(errors);
  if ((input.action === 'accept' || input.action === 'approve' || input.action === 'reject') && (await isApplicantOrAgent(platform, work.tx, principal, app))) {
    throw forbidden({ key: 'approval.app.ownApplication' });
  }

  let patch: Partial<Pick<CaseRow, 'correction_count'>> = {};
  let view: InstanceView;
  const events: CaseEvent[] = [];
  const expectedVersion = input.expectedVersion;
  switch (input.action) {
    case 'accept':
    case 'approve':
      ({ view } = await completeTask(work, platform, principal, taskId, { outcome: 'approve', opinion, expectedVersion }));
      break;
    case 'reject':
      ({ view } = await completeTask(work, platform, principal, taskId, { outcome: 'reject', opinion, expectedVersion }));
      events.push({ type: 'rejected', payload: { taskId, stepKey: step.key, stepName: step.name, unitId: step.unitId, stage: step.stageIndex, reason: opinion } });
      await notifyApplicant(work, platform, app, step.stageIndex === 0 ? 'approval.case.notAccepted' : 'approval.case.rejected', { receiptNo: app.receipt_no, itemName: item.name, reason: clip(opinion!) }, 'result');
      break;
    case 'return': {
      if (input.returnTo !== undefined) {
        const target = steps.find((s) => s.key === input.returnTo);
        if (!target || target.stageIndex >= step.stageIndex) throw invalid([fieldError('returnTo', 'approval.app.returnToInvalid')]);
      } else if (step.stageIndex === 0) {
        throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.returnFromFirst' } });
      }
      ({ view } = await completeTask(work, platform, principal, taskId, { outcome: 'return', opinion, returnTo: input.returnTo, expectedVersion }));
      events.push({ type: 'returned', payload: { taskId, stepKey: step.key, returnTo: input.returnTo ?? null, reason: opinion } });
      break;
    }
    case 'request_correction': {
      const task = (await getTask(work.tx, taskId))!;
      if (task.state !== 'open') throw new AppError('CONFLICT', { detail: { key: 'flow.taskClosed' } });
      if (expectedVersion !== undefined && expectedVersion !== task.version) throw conflict();
      if (app.correction_count > 0) throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.correctionOnce' } });
      const missing = checkMissingList(item, input.missing);
      ({ view } = await applyInstanceAction(work, platform, app.flow_instance_id, { type: 'suspend', reason: 'correction', by: principal.userId, note: opinion }));
      events.push({ type: 'correction_requested', payload: { taskId, stepKey: step.key, unitId: step.unitId, missing, opinion: opinion ?? null } });
      await notifyApplicant(work, platform, app, 'approval.case.correction', { receiptNo: app.receipt_no, itemName: item.name, missing: clip(missing.map((m) => m.name).join('、'), 200) }, 'correction');
      patch = { correction_count: app.correction_count + 1 };
      break;
    }
  }
  const { app: updated } = await syncCase(work, platform, app, item, { patch, view, events });
  recordAudit(work, { action: `approval.task.${input.action}`, objectType: 'approval_application', objectId: app.id, details: { taskId, stepKey: step.key, state: updated.state } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: input.action, stepKey: step.key });
  return { taskId, caseId: app.id, state: updated.state, dueDate: updated.due_date };
}

function checkMissingList(item: Pick<Item, 'materials'>, missing: CompleteInput['missing']) {
  if (!missing?.length) throw invalid([fieldError('missing', 'approval.app.missingRequired')]);
  const known = new Map(item.materials.map((m) => [m.key, m]));
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  missing.forEach((entry, i) => {
    if (!known.has(entry.materialKey)) errors.push(fieldError(`missing.${i}.materialKey`, 'approval.app.materialUnknown', { key: entry.materialKey }));
    else if (seen.has(entry.materialKey)) errors.push(fieldError(`missing.${i}.materialKey`, 'approval.app.missingTwice', { key: entry.materialKey }));
    if (!entry.reason.trim()) errors.push(fieldError(`missing.${i}.reason`, 'approval.app.reasonRequired'));
    seen.add(entry.materialKey);
  });
  if (errors.length) throw invalid(errors);
  return missing.map((m) => ({ materialKey: m.materialKey, name: known.get(m.materialKey)!.name, reason: m.reason.trim() }));
}
