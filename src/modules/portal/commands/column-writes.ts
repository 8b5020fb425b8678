/** Writing columns: the checks every new or changed column passes, and the insert shared by templates and the API. */
import crypto from 'node:crypto';
import type { Work } from '../../../platform/db/work.ts';
import { AppError, fieldError, invalid, type FieldError } from '../../../platform/http/errors.ts';
import { DEFAULT_PAGE_SIZE, MAX_DEPTH, portalDb, SLUG, type ColumnKind, type ColumnRow, type SiteRow } from '../model.ts';
import { RESERVED_SLUGS, type TemplateColumn } from '../templates.ts';

export interface ColumnInput {
  name: string;
  slug: string;
  kind: ColumnKind;
  parentId?: string | null;
  shared?: boolean;
  needsReview?: boolean;
  pageSize?: number;
  externalUrl?: string | null;
  editorIds?: string[];
  position?: number;
}

/** An external link: http(s) or an address on this installation ('/services'). */
export const isLinkTarget = (url: string) => /^https?:\/\/[^\s/$.?#][^\s]*$/i.test(url) || /^\/(?!\/)[^\s]*$/.test(url);

/** Field checks that need no database: name, slug, kind and its link, page size. */
export function checkColumnFields(input: Partial<ColumnInput>, kind: ColumnKind): FieldError[] {
  const errors: FieldError[] = [];
  if (input.name !== undefined && !input.name.trim()) errors.push(fieldError('body.name', 'portal.check.blank'));
  if (input.slug !== undefined && !SLUG.test(input.slug)) errors.push(fieldError('body.slug', 'portal.check.slug'));
  if (kind === 'external_link' && input.externalUrl === null) errors.push(fieldError('body.externalUrl', 'portal.check.externalUrlRequired'));
  if (input.externalUrl && !isLinkTarget(input.externalUrl)) errors.push(fieldError('body.externalUrl', 'portal.check.url'));
  if (input.externalUrl && kind !== 'external_link') errors.push(fieldError('body.externalUrl', 'portal.check.externalUrlOnlyLink'));
  return errors;
}

/** The parent of a new or moved column: on the same site, and deep enough for one more level (a fourth: 422). */
export async function checkParent(work: Work, site: SiteRow, parentId: string | null | undefined): Promise<ColumnRow | null> {
  if (!parentId) return null;
  const parent = await portalDb(work.tx).selectFrom('portal_columns').selectAll().where('id', '=', parentId).executeTakeFirst();
  if (!parent || parent.site_id !== site.id) throw invalid([fieldError('body.parentId', 'portal.check.parentUnknown')]);
  if (parent.depth >= MAX_DEPTH) throw new AppError('PORTAL_COLUMN_TOO_DEEP', { detail: { key: 'portal.column.tooDeep', params: { max: MAX_DEPTH } } });
  return parent;
}

/** A first-level slug of the main site may not take an address of the platform (422). */
export function checkReservedSlug(site: SiteRow, parent: ColumnRow | null, slug: string) {
  if (site.kind === 'main' && !parent && RESERVED_SLUGS.has(slug)) {
    throw new AppError('PORTAL_SLUG_RESERVED', { detail: { key: 'portal.column.slugReserved', params: { slug } } });
  }
}

/** 409 when a sibling has the slug already. */
export async function checkSiblingSlug(work: Work, siteId: string, parentId: string | null, slug: string, exceptId?: string) {
  let query = portalDb(work.tx).selectFrom('portal_columns').select('id').where('site_id', '=', siteId).where('slug', '=', slug);
  query = parentId ? query.where('parent_id', '=', parentId) : query.where('parent_id', 'is', null);
  if (exceptId) query = query.where('id', '<>', exceptId);
  if (await query.executeTakeFirst()) throw new AppError('PORTAL_SLUG_TAKEN', { detail: { key: 'portal.column.slugTaken', params: { slug } } });
}

/** Inserts a checked column; returns it. */
export async function insertColumn(work: Work, site: SiteRow, parent: ColumnRow | null, input: ColumnInput, now: Date): Promise<ColumnRow> {
  const db = portalDb(work.tx);
  const position =
    input.position ??
    Number(
      (
        await db
          .selectFrom('portal_columns')
          .select((eb) => eb.fn.coalesce(eb.fn.max('position'), eb.lit(-1)).as('p'))
          .where('site_id', '=', site.id)
          .where(parent ? (eb) => eb('parent_id', '=', parent.id) : (eb) => eb('parent_id', 'is', null))
          .executeTakeFirstOrThrow()
      ).p,
    ) + 1;
  return db
    .insertInto('portal_columns')
    .values({
      id: crypto.randomUUID(),
      site_id: site.id,
      parent_id: parent?.id ?? null,
      depth: parent ? parent.depth + 1 : 1,
      path: parent ? `${parent.path}/${input.slug}` : input.slug,
      name: input.name.trim(),
      slug: input.slug,
      kind: input.kind,
      shared: input.shared ?? false,
      // Review is the safe default: a column publishes without it only when told.
      needs_review: input.needsReview ?? true,
      page_size: input.pageSize ?? DEFAULT_PAGE_SIZE,
      external_url: input.kind === 'external_link' ? (input.externalUrl ?? null) : null,
      editor_ids: JSON.stringify(input.editorIds ?? []) as never,
      position,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A template's column structure, parents before children. */
export async function insertTemplateColumns(work: Work, site: SiteRow, columns: TemplateColumn[], now: Date, parent: ColumnRow | null = null): Promise<ColumnRow[]> {
  const made: ColumnRow[] = [];
  for (const [position, column] of columns.entries()) {
    const row = await insertColumn(work, site, parent, { ...column, position }, now);
    made.push(row, ...(await insertTemplateColumns(work, site, column.children ?? [], now, row)));
  }
  return made;
}
