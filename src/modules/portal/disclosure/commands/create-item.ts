/**
 * Files an item in a unit's catalogue (主动公开). The index number (索引号) is the unit's credit
 * code, the year and a five-digit serial; given by the caller it is checked (shape, the unit's own
 * code, unused in the unit: 409), else the next serial of the publication year is taken.
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Work } from '../../../../platform/db/work.ts';
import type { Platform } from '../../../../platform/module.ts';
import type { Principal } from '../../../../platform/iam/principal.ts';
import type { Unit } from '../../../../platform/org/service.ts';
import { recordAudit } from '../../../../platform/audit/service.ts';
import { attachFiles } from '../../../../platform/files/service.ts';
import { isUniqueViolation } from '../../../../platform/db/index.ts';
import { AppError, fieldError, type FieldError } from '../../../../platform/http/errors.ts';
import { ATTACHMENT_OWNER, disclosureDb, formatIndexNo, ITEM_OBJECT, LIMITS, type ItemInput } from '../model.ts';
import { editableUnit } from '../queries/access.ts';
import { ensureCatalogue } from './ensure-catalogue.ts';
import { indexItem } from '../search.ts';
import { checkCategory, checkIndexNo, checkText, checkWrittenDate, optionalText, publicationTime, throwIfAny, yearOf } from './checks.ts';

export async function createItem(work: Work, platform: Platform, principal: Principal, input: ItemInput): Promise<{ id: string; indexNo: string }> {
  const unit = await editableUnit(work.tx, principal, input.unitId);
  const created = await writeItem(work, platform, unit, input, principal.userId);
  if (input.attachments?.length) await attachFiles(work, input.attachments, { ownerType: ATTACHMENT_OWNER, ownerId: created.id }, principal, platform.clock.now());
  return created;
}

const taken = (indexNo: string) => new AppError('PORTAL_DISCLOSURE_INDEX_NO_TAKEN', { detail: { key: 'portal.disclosure.indexNo.taken', params: { indexNo } }, errors: [fieldError('body.indexNo', 'portal.disclosure.indexNo.taken', { indexNo })] });

/** The item written for a unit whose scope was checked (the demo writes through here directly). */
export async function writeItem(work: Work, platform: Platform, unit: Unit, input: ItemInput, by: string | null): Promise<{ id: string; indexNo: string }> {
  const now = platform.clock.now();
  const errors: FieldError[] = [];
  checkText(errors, 'body.title', input.title, LIMITS.title, true);
  checkText(errors, 'body.docNumber', input.docNumber, LIMITS.docNumber);
  checkText(errors, 'body.issuingUnit', input.issuingUnit, LIMITS.issuingUnit);
  checkText(errors, 'body.subjectTerms', input.subjectTerms, LIMITS.subjectTerms);
  checkText(errors, 'body.body', input.body, LIMITS.body);
  checkWrittenDate(errors, input.writtenDate);
  const publishedAt = publicationTime(input.publishedAt, now, errors);
  throwIfAny(errors);
  await ensureCatalogue(work, unit.id, now);
  const category = await checkCategory(work, unit.id, input.categoryId);
  const db = disclosureDb(work.tx);

  let indexNo: string;
  if (input.indexNo !== undefined && input.indexNo !== '') {
    indexNo = input.indexNo.trim().toUpperCase();
    const { year, serial } = checkIndexNo(unit, indexNo);
    if (await db.selectFrom('portal_disclosure_items').select('id').where('unit_id', '=', unit.id).where('index_no', '=', indexNo).executeTakeFirst()) throw taken(indexNo);
    // Keep the counter ahead of every number given by hand, so an automatic number never collides with one.
    await db
      .insertInto('portal_disclosure_serials')
      .values({ unit_id: unit.id, year, last_serial: serial })
      .onConflict((oc) => oc.columns(['unit_id', 'year']).doUpdateSet({ last_serial: sql`greatest(portal_disclosure_serials.last_serial, ${serial})` }))
      .execute();
  } else {
    if (!unit.creditCode) throw new AppError('PORTAL_DISCLOSURE_UNIT_NO_CREDIT_CODE', { detail: { key: 'portal.disclosure.indexNo.noCreditCode', params: { unit: unit.name } } });
    const year = yearOf(publishedAt);
    // One row per unit and year, incremented in place: concurrent filings wait for each other and get consecutive serials.
    const row = await db
      .insertInto('portal_disclosure_serials')
      .values({ unit_id: unit.id, year, last_serial: 1 })
      .onConflict((oc) => oc.columns(['unit_id', 'year']).doUpdateSet({ last_serial: sql`portal_disclosure_serials.last_serial + 1` }))
      .returning('last_serial')
      .executeTakeFirstOrThrow();
    if (row.last_serial > 99_999) throw new AppError('PORTAL_DISCLOSURE_SERIALS_EXHAUSTED', { detail: { key: 'portal.disclosure.indexNo.exhausted', params: { year } } });
    indexNo = formatIndexNo(unit.creditCode, year, row.last_serial);
  }

  const id = crypto.randomUUID();
  try {
    await db
      .insertInto('portal_disclosure_items')
      .values({
        id,
        unit_id: unit.id,
        category_id: category.id,
        root_category_id: category.parent_id ?? category.id,
        index_no: indexNo,
        title: input.title.trim(),
        doc_number: optionalText(input.docNumber),
        issuing_unit: optionalText(input.issuingUnit) ?? unit.name,
        written_date: input.writtenDate,
        published_at: publishedAt,
        validity: input.validity ?? 'valid',
        validity_changed_at: null,
        validity_reason: null,
        subject_terms: optionalText(input.subjectTerms),
        body: input.body ?? '',
        created_by: by,
        created_at: now,
        updated_at: now,
        version: 1,
      })
      .execute();
  } catch (error) {
    // Two filings of one number at the same moment: the second is the same conflict as a known duplicate.
    if (isUniqueViolation(error)) throw taken(indexNo);
    throw error;
  }
  await indexItem(work, platform, await db.selectFrom('portal_disclosure_items').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  recordAudit(work, { action: 'portal.disclosure.item.create', objectType: ITEM_OBJECT, objectId: id, details: { unitId: unit.id, indexNo, title: input.title.trim(), categoryId: category.id } }, now);
  return { id, indexNo };
}
