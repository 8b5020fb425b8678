/** A sign-off step completed from the platform's task inbox: approve, or return to the drafter. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { notFound } from '../../../platform/http/errors.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { getInstanceView, getTask, mayHandle } from '../../../platform/flow/service.ts';
import { shanghaiDate } from '../../../platform/calendar/working-days.ts';
import { lockDocumentOfInstance } from '../queries/documents.ts';
import { submitDocument } from './submit-document.ts';
import { decideStep, type Decision } from './decide-step.ts';

/** Another unit's task, or one the caller does not hold, is 404; a closed one 409 (the engine). */
export async function completeSignoffTask(work: Work, platform: Platform, principal: Principal, taskId: string, decision: Decision) {
  const peek = await getTask(work.tx, taskId);
  if (!peek || !mayHandle(principal, peek)) throw notFound();
  const document = await lockDocumentOfInstance(work, peek.instance_id);
  if (!document) throw notFound();
  // Approving 拟稿 is submitting the draft, with the same checks.
  if (peek.step_key === 'draft' && decision.action === 'approve') {
    const result = await submitDocument(work, platform, principal, document.id, decision.opinion);
    return { taskId, documentId: document.id, state: result.state };
  }
  const view = await getInstanceView(work.tx, peek.instance_id, shanghaiDate(platform.clock.now()));
  const result = await decideStep(work, platform, principal, document, peek, view, decision);
  return { taskId, documentId: document.id, state: result.state };
}
