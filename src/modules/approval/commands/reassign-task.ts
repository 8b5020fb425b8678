/** Handing an open task to one person of the step's unit. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { publish } from '../../../platform/events.ts';
import { APPROVAL_CASE_CHANGED, type ApprovalCaseChanged } from '../events.ts';
import { coversUnit, type Principal } from '../../../platform/iam/principal.ts';
import { staffHoldsRole } from '../../../platform/iam/service.ts';
import type { Role } from '../../../platform/iam/roles.ts';
import { AppError, fieldError, invalid, notFound } from '../../../platform/http/errors.ts';
import { applyInstanceAction, getTask } from '../../../platform/flow/service.ts';
import { syncCase } from '../case-sync.ts';
import { notifyNewTasks } from '../notifications.ts';
import { loadItem, lockCaseOfInstance } from '../queries/cases.ts';

/** A unit leader hands an open task to one person who holds the step's role in the step's unit. */
export async function reassignTask(work: Work, platform: Platform, principal: Principal, taskId: string, input: { userId: string }) {
  const peek = await getTask(work.tx, taskId);
  if (!peek || !coversUnit(principal, 'approval.lead', { id: peek.unit_id, regionCode: peek.unit_region })) throw notFound();
  const app = await lockCaseOfInstance(work, peek.instance_id);
  if (!app) throw notFound();
  const task = (await getTask(work.tx, taskId))!;
  if (task.state !== 'open') throw new AppError('CONFLICT', { detail: { key: 'flow.taskClosed' } });
  const party = input.userId === app.applicant_user_id || input.userId === app.submitted_by;
  if (party || !(await staffHoldsRole(work.tx, input.userId, task.role as Role, { id: task.unit_id, regionCode: task.unit_region }))) {
    throw invalid([fieldError('userId', 'approval.app.assigneeCannotHandle')]);
  }
  const item = (await loadItem(work.tx, app.item_id))!;
  const now = platform.clock.now();
  await applyInstanceAction(work, platform, app.flow_instance_id, { type: 'reassign', stepKey: task.step_key, to: input.userId, by: principal.userId });
  await syncCase(work, platform, app, item, { events: [{ type: 'reassigned', payload: { taskId, stepKey: task.step_key, to: input.userId } }] });
  await notifyNewTasks(work, platform, app, item, [{ ...task, assignee: input.userId }]);
  recordAudit(work, { action: 'approval.task.reassign', objectType: 'approval_application', objectId: app.id, details: { taskId, stepKey: task.step_key, to: input.userId } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'reassign', stepKey: task.step_key });
  return { taskId, caseId: app.id, assignee: input.userId };
}
