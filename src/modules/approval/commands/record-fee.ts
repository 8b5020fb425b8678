/** Fees charged on a case (收费), and refunds. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { publish } from '../../../platform/events.ts';
import { APPROVAL_CASE_CHANGED, type ApprovalCaseChanged } from '../events.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { AppError, fieldError, invalid, notFound } from '../../../platform/http/errors.ts';
import { addEvent } from '../case-events.ts';
import { coveredUnits, eventsOf, visibleCase } from '../queries/cases.ts';

/** Largest single fee recorded on a case, in fen (one million yuan): beyond it is a typing error. */
export const MAX_FEE_FEN = 100_000_000;

/**
 * Records a fee charged on a case (收费), by the window or a handler of one of the case's units,
 * once the case is accepted. The total charged is compared with the item's standard by
 * supervision (a fee above the standard is a red card), so it is recorded as it was charged, never
 * edited: a refund is a record of its own (a negative amount) with a note.
 */
export async function recordFee(work: Work, platform: Platform, principal: Principal, id: string, input: { amountFen: number; note?: string }) {
  const { app, item } = await visibleCase(work.tx, principal, id, { lock: work });
  if (!(await coveredUnits(work.tx, principal, item, ['approval.intake', 'approval.handle'])).length) throw notFound();
  if (!app.accepted_at || app.state === 'withdrawn' || app.state === 'rejected') throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.feeNotNow' } });
  const note = input.note?.trim() || null;
  if (input.amountFen === 0) throw invalid([fieldError('amountFen', 'approval.app.feeZero')]);
  if (input.amountFen < 0 && !note) throw invalid([fieldError('note', 'approval.app.refundNoteRequired')]);
  const previous = (await eventsOf(work.tx, app.id)).filter((e) => e.type === 'fee_charged').reduce((sum, e) => sum + Number((e.payload as { amountFen?: number }).amountFen ?? 0), 0);
  const totalFen = previous + input.amountFen;
  if (totalFen < 0) throw invalid([fieldError('amountFen', 'approval.app.refundTooLarge', { totalFen: previous })]);
  const now = platform.clock.now();
  await addEvent(work, app.id, 'fee_charged', { amountFen: input.amountFen, totalFen, note }, now);
  recordAudit(work, { action: 'approval.application.fee', objectType: 'approval_application', objectId: app.id, details: { amountFen: input.amountFen, totalFen, note } }, now);
  await publish<ApprovalCaseChanged>(work, platform, { type: APPROVAL_CASE_CHANGED, caseId: app.id, action: 'fee', stepKey: null });
  const standardFen = item.fee.charged ? (item.fee.amountFen ?? 0) : 0;
  return { id: app.id, state: app.state, dueDate: app.due_date, amountFen: input.amountFen, totalFen, standardFen };
}
