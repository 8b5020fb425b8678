/** 拟稿: a new document of the caller's unit, in draft, with its elements checked and its attachments. */
import crypto from 'node:crypto';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { invalid, notFound } from '../../../platform/http/errors.ts';
import { coversUnit, type Principal } from '../../../platform/iam/principal.ts';
import { getUnit } from '../../../platform/org/service.ts';
import { attachFiles } from '../../../platform/files/service.ts';
import { ATTACHMENT_OWNER, DRAFT_PERMISSION, exchangeDb } from '../model.ts';
import { elementErrors } from '../elements.ts';
import { columnsOf, unknownUnitErrors, type DocumentInput } from './document-input.ts';

/** Another unit's (or no) issuing unit is 404; wrong elements are 400 with every problem; nothing is written then. */
export async function createDocument(work: Work, platform: Platform, principal: Principal, input: DocumentInput): Promise<{ id: string }> {
  const unit = await getUnit(work.tx, input.issuingUnitId);
  if (!unit || !coversUnit(principal, DRAFT_PERMISSION, unit)) throw notFound();
  const errors = elementErrors(input);
  errors.push(...(await unknownUnitErrors(work.tx, input)));
  if (errors.length) throw invalid(errors);
  const id = crypto.randomUUID();
  const now = platform.clock.now();
  await exchangeDb(work.tx)
    .insertInto('exchange_documents')
    .values({ id, sending_unit_id: unit.id, drafted_by: principal.userId, state: 'draft', ...columnsOf(input, unit.name), created_at: now, updated_at: now, version: 1 } as never)
    .execute();
  await attachFiles(work, input.attachments, { ownerType: ATTACHMENT_OWNER, ownerId: id }, principal, now);
  recordAudit(work, { action: 'exchange.document.create', objectType: 'exchange_document', objectId: id, details: { docNumber: input.docNumber.trim(), title: input.title.trim(), unitId: unit.id } }, now);
  return { id };
}
