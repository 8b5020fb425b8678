/**
 * The sign-off of a document inside the sending unit, on the platform's process engine:
 * 拟稿 (the unit's doc_clerk) → 核稿 (another doc_clerk, when the unit's settings ask for it) →
 * 会签 (the leader of every countersigning unit, all of them, in parallel) → 签发 (the unit's
 * unit_leader). A step approves or returns; a return always goes back to the drafter.
 */
import type { Work } from '../../platform/db/work.ts';
import { isUniqueViolation } from '../../platform/db/index.ts';
import { AppError, fieldError } from '../../platform/http/errors.ts';
import type { Platform } from '../../platform/module.ts';
import type { Lang } from '../../platform/i18n/index.ts';
import { translate } from '../../platform/i18n/index.ts';
import type { ProcessDefinition, StepDefinition } from '../../platform/flow/engine.ts';
import type { InstanceView, TaskRow } from '../../platform/flow/service.ts';
import { accountsHoldingRole } from '../../platform/iam/index.ts';
import type { Role } from '../../platform/iam/roles.ts';
import { enqueueMessagesAtCommit, type NewMessage } from '../../platform/notify/index.ts';
import { exchangeDb, type DocumentRow, type DocumentState } from './model.ts';
import { stepKind } from './queries/documents.ts';

export const SIGNOFF_ACTIONS = ['approve', 'return'] as const;
export type SignoffAction = (typeof SIGNOFF_ACTIONS)[number];

const MAX_RECIPIENTS = 50;

/** The process of one submission, built from the document and its unit's settings at that moment. */
export function signoffDefinition(document: Pick<DocumentRow, 'sending_unit_id' | 'countersign_unit_ids'>, reviewStep: boolean): ProcessDefinition {
  const unitId = document.sending_unit_id;
  const step = (key: string, name: string, unit: string, role: Role, days: number, outcomes: string[]): StepDefinition => ({ key, name, unitId: unit, role, days, outcomes });
  const countersign = document.countersign_unit_ids.map((unit, i) => step(`countersign_${i + 1}`, '会签', unit, 'unit_leader', 2, ['approve', 'return']));
  return {
    outcomes: [
      { key: 'approve', effect: 'advance' },
      { key: 'return', effect: 'return' },
    ],
    actions: ['reassign'],
    stages: [
      step('draft', '拟稿', unitId, 'doc_clerk', 1, ['approve']),
      ...(reviewStep ? [step('review', '核稿', unitId, 'doc_clerk', 1, ['approve', 'return'])] : []),
      ...(countersign.length > 1 ? [{ parallel: countersign, mode: 'all' as const }] : countersign),
      step('sign', '签发', unitId, 'unit_leader', 1, ['approve', 'return']),
    ],
  };
}

/** The document's state as the process leaves it: back with the drafter, in sign-off, or signed off. */
export function stateAfter(view: InstanceView): DocumentState {
  if (view.status === 'completed') return 'signed_off';
  const open = view.tasks.filter((t) => t.state === 'open');
  return open.some((t) => t.step_key === 'draft') ? 'draft' : 'in_signoff';
}

export async function setDocumentState(work: Work, document: DocumentRow, state: DocumentState, now: Date) {
  if (state === document.state) return;
  try {
    await exchangeDb(work.tx)
      .updateTable('exchange_documents')
      .set({ state, updated_at: now, version: document.version + 1 })
      .where('id', '=', document.id)
      .execute();
  } catch (error) {
    // Two drafts of one number submitted at the same moment: the unique index keeps one.
    if (isUniqueViolation(error)) throw numberTaken(document.doc_number);
    throw error;
  }
}

export const numberTaken = (docNumber: string) => new AppError('EXCHANGE_NUMBER_TAKEN', { errors: [fieldError('docNumber', 'exchange.doc.numberTaken', { docNumber })] });

export const stepName = (lang: Lang, stepKey: string) => translate(lang, `exchange.step.${stepKind(stepKey)}`);

/** An in-app message to everyone who may handle each newly opened step, as approval tells its handlers. */
export async function notifyNewSteps(work: Work, platform: Platform, document: DocumentRow, tasks: TaskRow[]) {
  const messages: NewMessage[] = [];
  for (const task of tasks) {
    const recipients = task.assignee ? [{ id: task.assignee, lang: 'zh-CN' as Lang }] : await accountsHoldingRole(work.tx, task.role as Role, { id: task.unit_id, regionCode: task.unit_region }, MAX_RECIPIENTS);
    for (const user of recipients) {
      messages.push({
        channel: 'inapp',
        to: { userId: user.id },
        template: 'exchange.signoff.newTask',
        params: { title: document.title, docNumber: document.doc_number, stepName: stepName(user.lang, task.step_key), dueDate: task.due_date, documentId: document.id },
        lang: task.assignee ? undefined : user.lang,
        dedupeKey: `exchange:signoff:${task.id}:${user.id}`,
      });
    }
  }
  await enqueueMessagesAtCommit(work, platform, messages);
}

/** Tells the drafter the document came back (with the opinion) or was signed off. */
export async function notifyDrafter(work: Work, platform: Platform, document: DocumentRow, outcome: 'returned' | 'signedOff', opinion: string | null, seq: number) {
  const template = outcome === 'returned' ? 'exchange.signoff.returned' : 'exchange.signoff.signedOff';
  const message: NewMessage = { channel: 'inapp', to: { userId: document.drafted_by }, template, params: { title: document.title, docNumber: document.doc_number, opinion: opinion ?? '', documentId: document.id }, dedupeKey: `exchange:signoff:${document.id}:${seq}:${outcome}` };
  await enqueueMessagesAtCommit(work, platform, [message]);
}

/** The tasks an action opened: open now, not open before. */
export function newlyOpened(before: ReadonlySet<string>, view: InstanceView): TaskRow[] {
  return view.tasks.filter((t) => t.state === 'open' && !before.has(t.id));
}
