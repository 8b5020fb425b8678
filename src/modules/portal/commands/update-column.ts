/**
 * Changes a column: name, slug (its address and every address under it move: the event names them),
 * review, sharing, page size, link, editors, position.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { invalid, notFound } from '../../../platform/http/errors.ts';
import { sql } from '../../../platform/db/index.ts';
import { COLUMN_OBJECT, portalDb } from '../model.ts';
import { columnUrl } from '../urls.ts';
import { publishColumnChanged } from '../events.ts';
import { accessibleSite, findColumn } from '../queries/access.ts';
import { checkColumnFields, checkReservedSlug, checkSiblingSlug, type ColumnInput } from './column-writes.ts';
import { checkShared } from './create-column.ts';

export type ColumnPatch = Partial<Omit<ColumnInput, 'kind' | 'parentId'>>;

export async function updateColumn(work: Work, platform: Platform, principal: Principal, id: string, patch: ColumnPatch) {
  const column = await findColumn(work.tx, id, work);
  if (!column) throw notFound();
  const { site } = await accessibleSite(work.tx, principal, column.site_id, 'configure', work);
  const errors = checkColumnFields(patch, column.kind);
  if (errors.length) throw invalid(errors);
  const db = portalDb(work.tx);
  const parent = column.parent_id ? await findColumn(work.tx, column.parent_id) : null;
  const slug = patch.slug ?? column.slug;
  if (slug !== column.slug) {
    checkReservedSlug(site, parent, slug);
    await checkSiblingSlug(work, site.id, column.parent_id, slug, column.id);
  }
  checkShared(site, column.kind, patch.shared);
  const now = platform.clock.now();
  const path = parent ? `${parent.path}/${slug}` : slug;
  const updated = await db
    .updateTable('portal_columns')
    .set({
      name: patch.name?.trim() ?? column.name,
      slug,
      path,
      shared: patch.shared ?? column.shared,
      needs_review: patch.needsReview ?? column.needs_review,
      page_size: patch.pageSize ?? column.page_size,
      external_url: patch.externalUrl === undefined ? column.external_url : patch.externalUrl,
      editor_ids: JSON.stringify(patch.editorIds ?? column.editor_ids) as never,
      position: patch.position ?? column.position,
      updated_at: now,
      version: column.version + 1,
    })
    .where('id', '=', column.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  // The columns under it take the new path (their own slugs stay).
  let moved: string[] = [];
  if (path !== column.path) {
    const { rows } = await sql<{ id: string }>`
      update portal_columns set path = ${path} || substr(path, ${column.path.length + 1}), updated_at = ${now}
      where site_id = ${site.id} and path like ${`${column.path.replace(/[\\%_]/g, '\\$&')}/%`}
      returning id`.execute(work.tx);
    moved = [column.id, ...rows.map((r) => r.id)];
  }
  const fields = Object.keys(patch);
  recordAudit(work, { action: 'portal.column.update', objectType: COLUMN_OBJECT, objectId: column.id, details: { siteId: site.id, fields, ...(moved.length ? { path } : {}) } }, now);
  const url = columnUrl(site, updated);
  const previousUrl = columnUrl(site, column);
  await publishColumnChanged(work, platform, { columnId: column.id, siteId: site.id, parentId: column.parent_id, kind: column.kind, change: 'updated', fields, url, previousUrl: previousUrl !== url ? previousUrl : null, movedColumnIds: moved });
  return { id: column.id, url, version: updated.version };
}
