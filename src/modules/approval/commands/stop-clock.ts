/** Stopping a case's clock by hand: hearing, inspection, public notice. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { publish } from '../../../platform/events.ts';
import { APPROVAL_CASE_CHANGED, type ApprovalCaseChanged } from '../events.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { fieldError, invalid } from '../../../platform/http/errors.ts';
import { applyInstanceAction } from '../../../platform/flow/service.ts';
import { syncCase } from '../case-sync.ts';
import { caseForStaff } from '../queries/cases.ts';

/** Clock stops staff may start by hand; a correction stop comes with request_correction. */
export const MANUAL_STOPS = ['hearing', 'inspection', 'public_notice'] as const;
export type ManualStop = (typeof MANUAL_STOPS)[number];

/** Stops the clock for a hearing (听证), inspection/testing/expert review or public notice (公示). */
export async function startClockStop(work: Work, platform: Platform, principal: Principal, id: string, input: { reason: ManualStop; note: string }) {
  const { app, item } = await caseForStaff(work, principal, id, 'approval.handle');
  const note = input.note.trim();
  if (!note) throw invalid([fieldError('note', 'approval.app.reasonRequired')]);
  const now = platform.clock.now();
  await applyInstanceAction(work, platform, app.flow_instance_id, { type: 'suspend', reason: input.reason, by: principal.userId, note });
  const { app: updated } = await syncCase(work, platform, app, item, { events: [{ type: 'clock_stopped', payload: { reason: input.reason, note } }] });
  recordAudit(work, { action: 'approval.application.clockStop', objectType: 'approval_application', objectId: app.id, details: { reason: input.reason } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'clock_stop', stepKey: null });
  return { id: app.id, state: updated.state, dueDate: updated.due_date, clockStopped: input.reason };
}
