/** Changing a draft: only while it is a draft (never submitted, or returned to the drafter). */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { AppError, invalid } from '../../../platform/http/errors.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { getUnit } from '../../../platform/org/service.ts';
import { attachFiles } from '../../../platform/files/service.ts';
import { ATTACHMENT_OWNER, exchangeDb } from '../model.ts';
import { elementErrors } from '../elements.ts';
import { lockOwnDocument } from '../queries/documents.ts';
import { columnsOf, inputOfRow, unknownUnitErrors, type DocumentInput } from './document-input.ts';

export type DocumentChange = Partial<Omit<DocumentInput, 'issuingUnitId'>> & { expectedVersion?: number };

/**
 * The elements given replace the stored ones; the document is checked whole again. Attachments
 * named are attached (those attached before stay). In sign-off or signed off: 409, nothing changes.
 */
export async function updateDocument(work: Work, platform: Platform, principal: Principal, id: string, change: DocumentChange): Promise<{ id: string; version: number }> {
  const row = await lockOwnDocument(work, principal, id);
  if (row.state !== 'draft') throw new AppError('INVALID_STATE', { detail: { key: 'exchange.doc.notEditable' } });
  if (change.expectedVersion !== undefined && change.expectedVersion !== row.version) throw new AppError('CONFLICT');
  const { expectedVersion: _v, attachments = [], ...elements } = change;
  const merged: DocumentInput = { ...inputOfRow(row), ...elements, attachments, issuingUnitId: row.sending_unit_id };
  const errors = elementErrors(merged);
  errors.push(...(await unknownUnitErrors(work.tx, merged)));
  if (errors.length) throw invalid(errors);
  const unit = (await getUnit(work.tx, row.sending_unit_id))!;
  const now = platform.clock.now();
  const version = row.version + 1;
  await exchangeDb(work.tx)
    .updateTable('exchange_documents')
    .set({ ...columnsOf(merged, unit.name), updated_at: now, version } as never)
    .where('id', '=', id)
    .execute();
  await attachFiles(work, attachments, { ownerType: ATTACHMENT_OWNER, ownerId: id }, principal, now);
  recordAudit(work, { action: 'exchange.document.update', objectType: 'exchange_document', objectId: id, details: { fields: Object.keys(change).filter((k) => k !== 'expectedVersion') } }, now);
  return { id, version };
}
