/** The sending unit recalls a sent document while no unit has signed for it (撤回), or reminds the units that have not (催办). */
import { sql } from '../../../platform/db/index.ts';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { AppError, fieldError, invalid } from '../../../platform/http/errors.ts';
import { exchangeDb } from '../model.ts';
import { notifyUnitClerks, unitName } from '../notify.ts';
import { lockSenderDocument } from './send-document.ts';
import { documentChanged } from '../events.ts';

export async function recallDocument(work: Work, platform: Platform, principal: Principal, id: string, input: { reason: string }): Promise<{ recalled: number }> {
  const reason = input.reason.trim();
  if (!reason) throw invalid([fieldError('reason', 'exchange.recall.reasonRequired')]);
  const document = await lockSenderDocument(work, principal, id);
  if (document.state !== 'sent') throw new AppError('EXCHANGE_NOT_SENT', { detail: { key: 'exchange.notSent', params: { state: document.state } } });
  const now = platform.clock.now();
  // Receipts first: a clerk signing at this moment either signed before (counted below, and the
  // recall is refused) or finds the receipt recalled.
  const recalled = await exchangeDb(work.tx)
    .updateTable('exchange_receipts')
    .set({ state: 'recalled', version: sql<number>`version + 1` })
    .where('document_id', '=', id)
    .where('state', 'in', ['delivered', 'returned'])
    .returning('unit_id')
    .execute();
  const signed = await exchangeDb(work.tx).selectFrom('exchange_receipts').select((eb) => eb.fn.countAll<number>().as('n')).where('document_id', '=', id).where('state', '=', 'signed').executeTakeFirstOrThrow();
  if (Number(signed.n) > 0) throw new AppError('EXCHANGE_RECALL_SIGNED', { detail: { key: 'exchange.recall.signed', params: { count: Number(signed.n) } } });
  await exchangeDb(work.tx)
    .updateTable('exchange_documents')
    .set({ state: 'recalled', recalled_at: now, recall_reason: reason, updated_at: now, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .execute();
  recordAudit(work, { action: 'exchange.document.recall', objectType: 'exchange_document', objectId: id, details: { docNumber: document.doc_number, receipts: recalled.length, reason } }, now);
  await documentChanged(work, platform, { documentId: id, action: 'recall' });
  await notifyUnitClerks(
    work,
    platform,
    recalled.map((r) => r.unit_id),
    'exchange.recalled',
    { title: document.title, docNumber: document.doc_number, fromUnit: await unitName(work, document.sending_unit_id), reason },
  );
  return { recalled: recalled.length };
}

export async function remindUnsigned(work: Work, platform: Platform, principal: Principal, id: string): Promise<{ reminded: number }> {
  const document = await lockSenderDocument(work, principal, id);
  if (document.state !== 'sent') throw new AppError('EXCHANGE_NOT_SENT', { detail: { key: 'exchange.notSent', params: { state: document.state } } });
  const now = platform.clock.now();
  const reminded = await exchangeDb(work.tx)
    .updateTable('exchange_receipts')
    .set({ reminded_at: now })
    .where('document_id', '=', id)
    .where('state', '=', 'delivered')
    .returning('unit_id')
    .execute();
  recordAudit(work, { action: 'exchange.document.remind', objectType: 'exchange_document', objectId: id, details: { docNumber: document.doc_number, reminded: reminded.length } }, now);
  await notifyUnitClerks(
    work,
    platform,
    reminded.map((r) => r.unit_id),
    'exchange.chased',
    { title: document.title, docNumber: document.doc_number, fromUnit: await unitName(work, document.sending_unit_id) },
  );
  return { reminded: reminded.length };
}
