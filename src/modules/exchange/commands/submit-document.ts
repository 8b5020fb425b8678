/** 送签: the drafter hands a draft to sign-off; a returned draft goes on in the same process. */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { AppError, invalid, notFound } from '../../../platform/http/errors.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { mayHandle, startInstance } from '../../../platform/flow/service.ts';
import { SIGNOFF_SUBJECT, exchangeDb } from '../model.ts';
import { elementErrors } from '../elements.ts';
import { lockOwnDocument, reviewStepOf, signoffProcess } from '../queries/documents.ts';
import { numberTaken, signoffDefinition } from '../signoff.ts';
import { inputOfRow } from './document-input.ts';
import { decideStep } from './decide-step.ts';

/**
 * Only a draft is submitted (409 otherwise); its number must be free among the unit's documents
 * past drafting (409). The first submission starts the process with the unit's settings of the
 * moment; a draft returned to the drafter completes its reopened 拟稿 step.
 */
export async function submitDocument(work: Work, platform: Platform, principal: Principal, id: string, opinion?: string) {
  const document = await lockOwnDocument(work, principal, id);
  if (document.state !== 'draft') throw new AppError('INVALID_STATE', { detail: { key: 'exchange.doc.notDraft' } });
  const errors = elementErrors({ ...inputOfRow(document), attachments: [] });
  if (errors.length) throw invalid(errors);
  const taken = await exchangeDb(work.tx)
    .selectFrom('exchange_documents')
    .select('id')
    .where('sending_unit_id', '=', document.sending_unit_id)
    .where('doc_number', '=', document.doc_number)
    .where('state', '<>', 'draft')
    .where('id', '<>', document.id)
    .executeTakeFirst();
  if (taken) throw numberTaken(document.doc_number);

  let process = await signoffProcess(work.tx, document.id, platform.clock.now());
  if (!process || process.status !== 'running') {
    const definition = signoffDefinition(document, await reviewStepOf(work.tx, document.sending_unit_id));
    process = (await startInstance(work, platform, { definition, subjectType: SIGNOFF_SUBJECT, subjectId: document.id })).view;
  }
  const draft = process.tasks.find((t) => t.state === 'open' && t.step_key === 'draft');
  if (!draft) throw new AppError('INVALID_STATE', { detail: { key: 'exchange.doc.notDraft' } });
  if (!mayHandle(principal, draft)) throw notFound();
  return decideStep(work, platform, principal, document, draft, process, { action: 'approve', opinion });
}
