/**
 * Deciding a step of a document's sign-off: approve (the drafter's approval of 拟稿 is the
 * submission) or return to the drafter with an opinion. The engine keeps every opinion in its log;
 * the document's state follows the process; the next step's people are told.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { AppError, fieldError, forbidden, invalid } from '../../../platform/http/errors.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { completeTask, type InstanceView, type TaskRow } from '../../../platform/flow/service.ts';
import type { DocumentRow } from '../model.ts';
import { newlyOpened, notifyDrafter, notifyNewSteps, setDocumentState, stateAfter, type SignoffAction } from '../signoff.ts';
import { documentChanged } from '../events.ts';

export const MAX_OPINION = 2000;

export interface Decision {
  action: SignoffAction;
  opinion?: string;
}

export async function decideStep(work: Work, platform: Platform, principal: Principal, document: DocumentRow, task: Pick<TaskRow, 'id' | 'step_key'>, known: InstanceView | null, decision: Decision) {
  const opinion = decision.opinion?.trim() || undefined;
  if (decision.action === 'return' && !opinion) throw invalid([fieldError('opinion', 'exchange.signoff.opinionRequired')]);
  if (task.step_key === 'draft' && decision.action === 'return') throw new AppError('INVALID_STATE', { detail: { key: 'exchange.signoff.returnFromDraft' } });
  // 核稿 is another person's reading of the draft: not the drafter's own.
  if (task.step_key === 'review' && known) {
    const submittedBy = [...known.actions].reverse().find((a) => a.type === 'complete' && a.stepKey === 'draft')?.actorId;
    if (submittedBy === principal.userId) throw forbidden({ key: 'exchange.signoff.ownDraft' });
  }
  const before = new Set((known?.tasks ?? []).filter((t) => t.state === 'open').map((t) => t.id));
  const { view } = await completeTask(work, platform, principal, task.id, { outcome: decision.action, opinion, returnTo: decision.action === 'return' ? 'draft' : undefined });
  const now = platform.clock.now();
  const state = stateAfter(view);
  await setDocumentState(work, document, state, now);
  const seq = view.actions.length - 1;
  if (decision.action === 'return') await notifyDrafter(work, platform, document, 'returned', opinion ?? null, seq);
  else if (state === 'signed_off') await notifyDrafter(work, platform, document, 'signedOff', opinion ?? null, seq);
  if (state !== 'signed_off') await notifyNewSteps(work, platform, document, newlyOpened(before, view).filter((t) => t.step_key !== 'draft'));
  const action = task.step_key === 'draft' ? 'submit' : decision.action === 'return' ? 'return' : 'signoff';
  recordAudit(work, { action: `exchange.document.${action}`, objectType: 'exchange_document', objectId: document.id, details: { stepKey: task.step_key, state, ...(opinion ? { opinion } : {}) } }, now);
  await documentChanged(work, platform, { documentId: document.id, action, stepKey: task.step_key });
  return { documentId: document.id, state, view };
}
