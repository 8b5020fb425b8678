/**
 * The catalogue searched by every field of an item: category (a top category covers its
 * sub-categories), title contains (trigram index), index number, document number, validity and
 * the publication date, newest first in keyset pages over the unit's index.
 */
import type { Db } from '../../../../platform/db/index.ts';
import { escapeLike } from '../../../../platform/db/index.ts';
import { keysetPage, type Keyset } from '../../../../platform/db/pagination.ts';
import { fieldError, invalid, notFound } from '../../../../platform/http/errors.ts';
import type { Principal } from '../../../../platform/iam/principal.ts';
import { getUnit } from '../../../../platform/org/service.ts';
import { listAttachedFiles } from '../../../../platform/files/service.ts';
import { ATTACHMENT_OWNER, disclosureDb, INDEX_NO, type ItemRow, type Validity } from '../model.ts';
import { isDate } from '../commands/checks.ts';
import { edits } from './access.ts';
import { categoryRows, findCategory } from './catalogue.ts';

export interface ItemFilter {
  categoryId?: string;
  q?: string;
  indexNo?: string;
  docNumber?: string;
  validity?: Validity;
  /** Publication dates in Shanghai, both included. */
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

const NEWEST_FIRST: Keyset<ItemRow> = {
  keys: [
    { by: 'published_at', kind: 'timestamp', of: (r) => r.published_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/** A date column as the calendar date text (the drivers hand over text or a Date). */
export const dateText = (value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10));

export interface ItemSummary {
  id: string;
  unitId: string;
  categoryId: string;
  categoryName: string;
  indexNo: string;
  title: string;
  docNumber: string | null;
  issuingUnit: string;
  writtenDate: string;
  publishedAt: Date;
  validity: Validity;
  subjectTerms: string | null;
  url: string;
}

export const itemUrl = (item: Pick<ItemRow, 'unit_id' | 'id'>) => `/xxgk/${item.unit_id}/items/${item.id}`;

function summary(row: ItemRow, names: Map<string, string>): ItemSummary {
  return {
    id: row.id,
    unitId: row.unit_id,
    categoryId: row.category_id,
    categoryName: names.get(row.category_id) ?? '',
    indexNo: row.index_no,
    title: row.title,
    docNumber: row.doc_number,
    issuingUnit: row.issuing_unit,
    writtenDate: dateText(row.written_date),
    publishedAt: row.published_at,
    validity: row.validity,
    subjectTerms: row.subject_terms,
    url: itemUrl(row),
  };
}

/** The full names of a unit's categories ('财政信息 / 预算'), by id. */
export async function categoryNames(db: Db, unitId: string): Promise<Map<string, string>> {
  const rows = await categoryRows(db, unitId);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return new Map(rows.map((r) => [r.id, r.parent_id ? `${byId.get(r.parent_id)?.name ?? ''} / ${r.name}` : r.name]));
}

/**
 * One page of a unit's items. Public readers (and anyone who does not edit the unit's catalogue)
 * see items published by `now`; the unit's editors also those scheduled for later.
 */
export async function searchItems(db: Db, unitId: string, filter: ItemFilter, options: { now: Date; principal?: Principal | null }) {
  const unit = await getUnit(db, unitId);
  if (!unit) throw notFound();
  let query = disclosureDb(db).selectFrom('portal_disclosure_items').selectAll().where('unit_id', '=', unit.id);
  if (!edits(options.principal, unit)) query = query.where('published_at', '<=', options.now);
  if (filter.categoryId) {
    const category = await findCategory(db, filter.categoryId);
    if (!category || category.unit_id !== unit.id) throw invalid([fieldError('querystring.categoryId', 'portal.disclosure.category.unknown')]);
    query = category.parent_id ? query.where('category_id', '=', category.id) : query.where('root_category_id', '=', category.id);
  }
  const q = filter.q?.trim();
  if (q) query = query.where('title', 'ilike', `%${escapeLike(q)}%`);
  const indexNo = filter.indexNo?.trim().toUpperCase();
  // A whole number finds its item through the unique index; a part of one (a year, a serial) matches anywhere.
  if (indexNo) query = INDEX_NO.test(indexNo) ? query.where('index_no', '=', indexNo) : query.where('index_no', 'like', `%${escapeLike(indexNo)}%`);
  const docNumber = filter.docNumber?.trim();
  if (docNumber) query = query.where('doc_number', 'ilike', `%${escapeLike(docNumber)}%`);
  if (filter.validity) query = query.where('validity', '=', filter.validity);
  const dateErrors = [];
  if (filter.from && !isDate(filter.from)) dateErrors.push(fieldError('querystring.from', 'portal.disclosure.check.date'));
  if (filter.to && !isDate(filter.to)) dateErrors.push(fieldError('querystring.to', 'portal.disclosure.check.date'));
  if (dateErrors.length) throw invalid(dateErrors);
  if (filter.from) query = query.where('published_at', '>=', new Date(`${filter.from}T00:00:00+08:00`));
  if (filter.to) query = query.where('published_at', '<', new Date(new Date(`${filter.to}T00:00:00+08:00`).getTime() + 86_400_000));
  const page = await keysetPage(query, NEWEST_FIRST, { limit: filter.limit, cursor: filter.cursor });
  const names = await categoryNames(db, unit.id);
  return { items: page.items.map((r) => summary(r, names)), nextCursor: page.nextCursor };
}

/** One item with its body and attachments: public once published, before that only to the unit's editors; else 404. */
export async function itemView(db: Db, id: string, options: { now: Date; principal?: Principal | null }) {
  const row = await disclosureDb(db).selectFrom('portal_disclosure_items').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  const unit = await getUnit(db, row.unit_id);
  if (!unit) throw notFound();
  const editor = edits(options.principal, unit);
  if (row.published_at > options.now && !editor) throw notFound();
  const names = await categoryNames(db, row.unit_id);
  const files = await listAttachedFiles(db, { ownerType: ATTACHMENT_OWNER, ownerId: row.id });
  return {
    ...summary(row, names),
    unitName: unit.name,
    body: row.body,
    validityChangedAt: row.validity_changed_at,
    validityReason: row.validity_reason,
    attachments: files.map((f) => ({ id: f.id, name: f.name, size: f.size, mime: f.mime })),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}
export type ItemView = Awaited<ReturnType<typeof itemView>>;
