/** Withdrawal (撤回) of an application by its applicant before acceptance. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { publish } from '../../../platform/events.ts';
import { APPROVAL_CASE_CHANGED, type ApprovalCaseChanged } from '../events.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, forbidden } from '../../../platform/http/errors.ts';
import { applyInstanceAction } from '../../../platform/flow/service.ts';
import { syncCase } from '../case-sync.ts';
import { isOpen, isParty, visibleCase } from '../queries/cases.ts';

/** The applicant (or the clerk who filed it) withdraws an application not yet accepted. */
export async function withdrawApplication(work: Work, platform: Platform, principal: Principal, id: string, input: { reason?: string }) {
  const { app, item } = await visibleCase(platform.db, principal, id, { lock: work });
  if (!isParty(principal, app)) throw forbidden({ key: 'approval.app.notApplicant' });
  if (!isOpen(app.state)) throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.finished' } });
  if (app.accepted_at) throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.withdrawAfterAcceptance' } });
  const now = platform.clock.now();
  await applyInstanceAction(work, platform, app.flow_instance_id, { type: 'withdraw', by: principal.userId });
  const { app: updated } = await syncCase(work, platform, app, item, { events: [{ type: 'withdrawn', payload: { reason: input.reason?.trim() || null } }] });
  recordAudit(work, { action: 'approval.application.withdraw', objectType: 'approval_application', objectId: app.id, details: { receiptNo: app.receipt_no } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'withdraw', stepKey: null });
  return { id: app.id, receiptNo: app.receipt_no, state: updated.state };
}
