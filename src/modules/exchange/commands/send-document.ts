/**
 * Sending a signed-off document to every recipient unit at once, or to none (分发). Groups and the
 * units picked on the send page are added to the recipients it was signed off with.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { coversUnit } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { AppError, notFound } from '../../../platform/http/errors.ts';
import { DRAFT_PERMISSION, exchangeDb, type DocumentRow } from '../model.ts';
import { expandGroups, orgDb } from '../groups.ts';
import { checkRecipients, deliver } from './deliver.ts';
import { documentChanged } from '../events.ts';

/** The document locked for a change by its sending unit's clerk (exchange.draft); anyone else: 404. */
export async function lockSenderDocument(work: Work, principal: Principal, id: string): Promise<DocumentRow> {
  const document = await exchangeDb(work.tx).selectFrom('exchange_documents').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!document) throw notFound();
  const unit = await orgDb(work.tx).selectFrom('units').select(['id', 'region_code']).where('id', '=', document.sending_unit_id).executeTakeFirst();
  if (!unit || !coversUnit(principal, DRAFT_PERMISSION, { id: unit.id, regionCode: unit.region_code })) throw notFound();
  return document;
}

export async function sendDocument(work: Work, platform: Platform, principal: Principal, id: string, input: { groupIds?: string[]; addMain?: string[]; addCc?: string[] } = {}): Promise<{ sentTo: number }> {
  const document = await lockSenderDocument(work, principal, id);
  if (document.state !== 'signed_off') throw new AppError('EXCHANGE_SEND_NOT_SIGNED_OFF', { detail: { key: 'exchange.send.notSignedOff', params: { state: document.state } } });
  const fromGroups = input.groupIds?.length ? await expandGroups(work.tx, document.sending_unit_id, [...new Set(input.groupIds)]) : [];
  const recipients = await checkRecipients(work, { main: [...document.main_recipient_ids, ...fromGroups, ...(input.addMain ?? [])], cc: [...document.cc_recipient_ids, ...(input.addCc ?? [])] });
  const now = platform.clock.now();
  if (recipients.main.length !== document.main_recipient_ids.length || recipients.cc.length !== document.cc_recipient_ids.length) {
    // The recipients as sent are part of the frozen content.
    await exchangeDb(work.tx)
      .updateTable('exchange_documents')
      .set({ main_recipient_ids: JSON.stringify(recipients.main) as never, cc_recipient_ids: JSON.stringify(recipients.cc) as never })
      .where('id', '=', id)
      .execute();
    document.main_recipient_ids = recipients.main;
    document.cc_recipient_ids = recipients.cc;
  }
  const sentTo = await deliver(work, platform, document, recipients, now);
  recordAudit(work, { action: 'exchange.document.send', objectType: 'exchange_document', objectId: id, details: { docNumber: document.doc_number, sentTo, main: recipients.main.length, cc: recipients.cc.length, groupIds: input.groupIds ?? [] } }, now);
  await documentChanged(work, platform, { documentId: id, action: 'send' });
  return { sentTo };
}
