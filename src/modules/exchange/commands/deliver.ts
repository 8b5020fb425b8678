/**
 * Delivering a document to its recipient units in the caller's transaction: the content hash and
 * the sending unit's signature, every receipt in one statement, the document marked sent and one
 * notification statement for every recipient unit's clerks. Used by sending and forwarding.
 */
import crypto from 'node:crypto';
import { sql } from '../../../platform/db/index.ts';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { signAsUnit } from '../../../platform/crypto/signing.ts';
import { AppError, fieldError } from '../../../platform/http/errors.ts';
import { exchangeDb, type DocumentRow } from '../model.ts';
import { contentHashOf } from '../content.ts';
import { chaseAt } from '../chase.ts';
import { requireExistingUnits } from '../groups.ts';
import { notifyUnitClerks, unitName } from '../notify.ts';

export interface Recipients {
  main: string[];
  cc: string[];
}

/** Main and cc recipients without repeats (a unit named as both is a main recipient), checked: unknown or disabled → 422 naming it. */
export async function checkRecipients(work: Work, recipients: Recipients): Promise<Recipients & { names: Map<string, string> }> {
  const main = [...new Set(recipients.main)];
  const inMain = new Set(main);
  const cc = [...new Set(recipients.cc)].filter((id) => !inMain.has(id));
  if (!main.length && !cc.length) throw new AppError('EXCHANGE_SEND_NO_RECIPIENTS', { errors: [fieldError('mainRecipients', 'exchange.send.noRecipients')] });
  const found = await requireExistingUnits(work.tx, [...main, ...cc], 'recipients');
  const disabled = [...main, ...cc].filter((id) => found.get(id)!.disabled);
  if (disabled.length) {
    const name = found.get(disabled[0])!.name;
    throw new AppError('EXCHANGE_SEND_UNIT_DISABLED', {
      detail: { key: 'exchange.send.unitDisabled', params: { name } },
      errors: disabled.map((id) => fieldError('recipients', 'exchange.send.unitDisabled', { name: found.get(id)!.name })),
      extra: { unitIds: disabled },
    });
  }
  return { main, cc, names: new Map([...found].map(([id, u]) => [id, u.name])) };
}

/** Rows a statement: 9 parameters each, far below PostgreSQL's 65,535. */
const RECEIPT_CHUNK = 5000;

/**
 * Seals the document (hash, signature, state sent) and writes its receipts. The document row must
 * be locked by the caller and its main and cc recipient ids already stored.
 */
export async function deliver(work: Work, platform: Platform, document: DocumentRow, recipients: Recipients, now: Date): Promise<number> {
  const contentHash = await contentHashOf(work.tx, platform, document);
  const { signature, publicKey } = await signAsUnit(work, platform, document.sending_unit_id, contentHash);
  const chase = await chaseAt(work.tx, platform, now, document.urgency);
  const rows = [
    ...recipients.main.map((unitId) => ({ unitId, kind: 'main' as const })),
    ...recipients.cc.map((unitId) => ({ unitId, kind: 'cc' as const })),
  ].map(({ unitId, kind }) => ({ id: crypto.randomUUID(), document_id: document.id, unit_id: unitId, copy_kind: kind, state: 'delivered' as const, delivered_at: now, chase_at: chase, version: 1 }));
  for (let i = 0; i < rows.length; i += RECEIPT_CHUNK) {
    await exchangeDb(work.tx).insertInto('exchange_receipts').values(rows.slice(i, i + RECEIPT_CHUNK)).execute();
  }
  await exchangeDb(work.tx)
    .updateTable('exchange_documents')
    .set({ state: 'sent', content_hash: contentHash, signature, signer_public_key: publicKey, sent_at: now, sent_by: work.actor.userId, updated_at: now, version: sql<number>`version + 1` })
    .where('id', '=', document.id)
    .execute();
  await notifyUnitClerks(
    work,
    platform,
    rows.map((r) => r.unit_id),
    'exchange.received',
    { title: document.title, docNumber: document.doc_number, fromUnit: await unitName(work, document.sending_unit_id) },
  );
  return rows.length;
}
