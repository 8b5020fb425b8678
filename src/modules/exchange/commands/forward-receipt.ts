/**
 * A receiving unit forwards a document it signed for down to its subordinate units (转发): a new
 * document of the receiving unit with the same content, sent at once with its own receipts and
 * pointing at the receipt it came from, keeping the chain.
 */
import crypto from 'node:crypto';
import { isUniqueViolation } from '../../../platform/db/index.ts';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { AppError, fieldError } from '../../../platform/http/errors.ts';
import { regionPrefix } from '../../../platform/org/codes.ts';
import { exchangeDb, type DocumentRow } from '../model.ts';
import { orgDb } from '../groups.ts';
import { checkRecipients, deliver } from './deliver.ts';
import { ownReceipt } from './sign-receipt.ts';
import { documentChanged } from '../events.ts';

/** The units under `unitId`: its descendants by parent, and for a government unit every unit of the regions under its own. */
async function isSubordinate(work: Work, unit: { id: string; region_code: string; kind: string }, candidateId: string): Promise<boolean> {
  let current = await orgDb(work.tx).selectFrom('units').select(['id', 'parent_id', 'region_code']).where('id', '=', candidateId).executeTakeFirst();
  if (!current || current.id === unit.id) return false;
  if (unit.kind === 'government' && current.region_code !== unit.region_code && current.region_code.startsWith(regionPrefix(unit.region_code))) return true;
  for (let depth = 0; current?.parent_id && depth < 20; depth++) {
    if (current.parent_id === unit.id) return true;
    current = await orgDb(work.tx).selectFrom('units').select(['id', 'parent_id', 'region_code']).where('id', '=', current.parent_id).executeTakeFirst();
  }
  return false;
}

export async function forwardReceipt(work: Work, platform: Platform, principal: Principal, receiptId: string, input: { unitIds: string[] }): Promise<{ documentId: string; sentTo: number }> {
  const receipt = await ownReceipt(work.tx, principal, receiptId);
  if (receipt.state !== 'signed') throw new AppError('EXCHANGE_FORWARD_NOT_SIGNED');
  const recipients = await checkRecipients(work, { main: input.unitIds, cc: [] });
  const unit = await orgDb(work.tx).selectFrom('units').select(['id', 'region_code', 'kind']).where('id', '=', receipt.unit_id).executeTakeFirstOrThrow();
  const outside: string[] = [];
  for (const id of recipients.main) if (!(await isSubordinate(work, unit, id))) outside.push(id);
  if (outside.length) {
    throw new AppError('EXCHANGE_FORWARD_NOT_SUBORDINATE', {
      detail: { key: 'exchange.forward.notSubordinate', params: { name: recipients.names.get(outside[0]) } },
      errors: outside.map((id) => fieldError('unitIds', 'exchange.forward.notSubordinate', { name: recipients.names.get(id) })),
    });
  }
  const source = await exchangeDb(work.tx).selectFrom('exchange_documents').selectAll().where('id', '=', receipt.document_id).executeTakeFirstOrThrow();
  const now = platform.clock.now();
  const forwarded: DocumentRow = {
    ...source,
    id: crypto.randomUUID(),
    sending_unit_id: receipt.unit_id,
    drafted_by: principal.userId,
    state: 'signed_off',
    main_recipient_ids: recipients.main,
    cc_recipient_ids: [],
    countersign_unit_ids: [],
    content_hash: null,
    signature: null,
    signer_public_key: null,
    sent_at: null,
    sent_by: null,
    recalled_at: null,
    recall_reason: null,
    forwarded_from_receipt_id: receipt.id,
    created_at: now,
    updated_at: now,
    version: 1,
  };
  try {
    await exchangeDb(work.tx)
      .insertInto('exchange_documents')
      .values({ ...forwarded, main_recipient_ids: JSON.stringify(forwarded.main_recipient_ids) as never, cc_recipient_ids: '[]' as never, countersign_unit_ids: '[]' as never })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('EXCHANGE_FORWARD_DUPLICATE');
    throw error;
  }
  const sentTo = await deliver(work, platform, forwarded, { main: recipients.main, cc: [] }, now);
  recordAudit(work, { action: 'exchange.document.forward', objectType: 'exchange_document', objectId: forwarded.id, details: { fromReceiptId: receipt.id, fromDocumentId: source.id, sentTo } }, now);
  await documentChanged(work, platform, { documentId: forwarded.id, action: 'send' });
  return { documentId: forwarded.id, sentTo };
}
