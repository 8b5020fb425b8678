/** Extending a case's time limit (延期). */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { publish } from '../../../platform/events.ts';
import { APPROVAL_CASE_CHANGED, type ApprovalCaseChanged } from '../events.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { fieldError, invalid } from '../../../platform/http/errors.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import { applyInstanceAction, getInstanceView } from '../../../platform/flow/service.ts';
import { addEvent } from '../case-events.ts';
import { syncCase } from '../case-sync.ts';
import { clip, notifyApplicant } from '../notifications.ts';
import { caseForStaff } from '../queries/cases.ts';

/** Extensions (延期) of one case add up to at most this many working days. */
export const MAX_EXTENSION_DAYS = 10;

/** A unit leader extends the case's time limit (延期) with a reason; at most MAX_EXTENSION_DAYS in all. */
export async function extendApplication(work: Work, platform: Platform, principal: Principal, id: string, input: { days: number; reason: string }) {
  const { app, item } = await caseForStaff(work, principal, id, 'approval.lead');
  const reason = input.reason.trim();
  if (!reason) throw invalid([fieldError('reason', 'approval.app.reasonRequired')]);
  const now = platform.clock.now();
  const view = (await getInstanceView(work.tx, app.flow_instance_id, shanghaiDate(now)))!;
  const left = MAX_EXTENSION_DAYS - view.state.extensionDays;
  if (input.days > left) throw invalid([fieldError('days', 'approval.app.extensionTooLong', { max: MAX_EXTENSION_DAYS, left })]);
  await applyInstanceAction(work, platform, app.flow_instance_id, { type: 'extend', days: input.days, by: principal.userId, reason });
  const { app: updated } = await syncCase(work, platform, app, item);
  await addEvent(work, app.id, 'extended', { days: input.days, reason, dueDate: updated.due_date }, now);
  await notifyApplicant(work, platform, updated, 'approval.case.extended', { receiptNo: app.receipt_no, itemName: item.name, days: input.days, dueDate: updated.due_date ?? '', reason: clip(reason) }, `extended:${view.actions.length}`);
  recordAudit(work, { action: 'approval.application.extend', objectType: 'approval_application', objectId: app.id, details: { days: input.days, reason, dueDate: updated.due_date } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'extend', stepKey: null });
  return { id: app.id, state: updated.state, dueDate: updated.due_date, extensionDays: view.state.extensionDays + input.days };
}
