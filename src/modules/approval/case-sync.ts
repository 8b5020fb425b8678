/** Keeping the case row in step with its process instance after every action. */
import type { Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import { addWorkingDays, shanghaiDate } from '../../platform/calendar/index.ts';
import { getInstanceView, type InstanceView } from '../../platform/flow/service.ts';
import { caseStateOf, type CaseState } from './model.ts';
import type { FiledItem } from './queries/items.ts';
import { issueCertificate } from './certificates.ts';
import { eventsInsert, type CaseEvent } from './case-events.ts';
import { notifyApplicant, notifyNewTasks } from './notifications.ts';
import { inviteRating } from './rating-invitations.ts';
import { isOpen, q, type CaseRow } from './queries/cases.ts';

/** Acceptance must happen within this many working days of submission. */
export const ACCEPT_WORKING_DAYS = 5;
const FINISHED: CaseState[] = ['approved', 'rejected', 'withdrawn'];

/**
 * After every action on the process instance: derives the case state, records the acceptance,
 * recomputes the acceptance and case deadlines (clock stops and extensions included), issues the
 * certificate when the last step approved, and notifies the handlers of newly opened tasks. The
 * action's own `events` are recorded with the case row, before those the new state brings
 * (accepted, approved), in one statement.
 */
export async function syncCase(work: Work, platform: Platform, app: CaseRow, item: FiledItem, options: { patch?: Partial<Pick<CaseRow, 'correction_count'>>; view?: InstanceView; events?: CaseEvent[] } = {}) {
  const { patch = {}, view: known, events = [] } = options;
  const now = platform.clock.now();
  // The process action that led here hands over the instance as it left it; otherwise read it.
  const view = known ?? (await getInstanceView(work.tx, app.flow_instance_id, shanghaiDate(now)))!;
  const flow = view.state;
  const state = caseStateOf(flow);
  const justAccepted = !app.accepted_at && (flow.stageIndex > 0 || flow.status === 'completed');
  const acceptedAt = app.accepted_at ?? (justAccepted ? now : null);
  let acceptDue = app.accept_due_date;
  let due = app.due_date;
  if (isOpen(state) || justAccepted) {
    if (!acceptedAt) {
      acceptDue = (await addWorkingDays(work.tx, shanghaiDate(new Date(app.submitted_at)), ACCEPT_WORKING_DAYS, { stops: view.stops })).date;
      due = acceptDue;
    } else {
      const from = shanghaiDate(new Date(acceptedAt));
      const stops = view.stops.filter((s) => s.end > from);
      due = (await addWorkingDays(work.tx, from, item.promisedDays + flow.extensionDays, { stops })).date;
    }
  }
  const finished = FINISHED.includes(state);
  // The certificate is issued first so that the one update below records it with the state.
  const certificate = state === 'approved' && !app.certificate_id ? await issueCertificate(work, platform, app, item) : null;
  if (justAccepted) events.push({ type: 'accepted', payload: { dueDate: due } });
  if (certificate) events.push({ type: 'approved', payload: { certificateNo: certificate.certificate_no } });
  // With no events the expression inserts nothing; one statement text either way.
  const updated = (await q(work.tx)
    .with('events', (db) => eventsInsert(db, work, app.id, events, now))
    .updateTable('approval_applications')
    .set({
      state,
      accepted_at: acceptedAt,
      accept_due_date: acceptDue,
      due_date: due,
      finished_at: finished ? (app.finished_at ?? now) : null,
      ...(certificate ? { certificate_id: certificate.id } : {}),
      ...patch,
      version: (eb) => eb('version', '+', 1),
    })
    .where('id', '=', app.id)
    .returningAll()
    .executeTakeFirstOrThrow()) as CaseRow;

  if (justAccepted) {
    await notifyApplicant(work, platform, updated, 'approval.case.accepted', { receiptNo: app.receipt_no, itemName: item.name, dueDate: due ?? '' }, 'accepted');
  }
  if (certificate) {
    await notifyApplicant(work, platform, updated, 'approval.case.approved', { receiptNo: app.receipt_no, itemName: item.name, resultName: item.resultName, certificateNo: certificate.certificate_no }, 'result');
  }
  // A decided case (not a withdrawn one) is rated by its applicant (好差评), from the link sent now.
  if (finished && !app.finished_at && state !== 'withdrawn' && platform.modules.has('supervision')) await inviteRating(work, platform, updated, item.name);
  const lastSeq = view.actions.length - 1;
  const opened = view.tasks.filter((t) => t.state === 'open' && t.round === lastSeq && view.actions[lastSeq].type !== 'resume');
  if (opened.length && isOpen(state)) await notifyNewTasks(work, platform, updated, item, opened);
  return { app: updated, view };
}
