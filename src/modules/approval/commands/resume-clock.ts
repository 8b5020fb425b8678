/** Ending a clock stop started by hand. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { publish } from '../../../platform/events.ts';
import { APPROVAL_CASE_CHANGED, type ApprovalCaseChanged } from '../events.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError } from '../../../platform/http/errors.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import { applyInstanceAction, getInstanceView } from '../../../platform/flow/service.ts';
import { syncCase } from '../case-sync.ts';
import { caseForStaff } from '../queries/cases.ts';

/** Ends a hearing, inspection or public-notice stop; a correction stop ends with the applicant's materials. */
export async function endClockStop(work: Work, platform: Platform, principal: Principal, id: string, input: { note?: string }) {
  const { app, item } = await caseForStaff(work, principal, id, 'approval.handle');
  const now = platform.clock.now();
  const view = (await getInstanceView(work.tx, app.flow_instance_id, shanghaiDate(now)))!;
  const stopped = view.state.status === 'suspended' ? view.state.suspendedFor : null;
  if (!stopped || stopped === 'correction') throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.notStopped' } });
  await applyInstanceAction(work, platform, app.flow_instance_id, { type: 'resume', by: principal.userId });
  const { app: updated } = await syncCase(work, platform, app, item, { events: [{ type: 'clock_resumed', payload: { reason: stopped, note: input.note?.trim() || null } }] });
  recordAudit(work, { action: 'approval.application.clockResume', objectType: 'approval_application', objectId: app.id, details: { reason: stopped } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'clock_resume', stepKey: null });
  return { id: app.id, state: updated.state, dueDate: updated.due_date, clockStopped: null };
}
