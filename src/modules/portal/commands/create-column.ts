/** Adds a column to a site's tree (at most three levels; slug unique among its siblings). */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { AppError, invalid } from '../../../platform/http/errors.ts';
import { COLUMN_OBJECT, type SiteRow } from '../model.ts';
import { columnUrl } from '../urls.ts';
import { publishColumnChanged } from '../events.ts';
import { accessibleSite } from '../queries/access.ts';
import { checkColumnFields, checkParent, checkReservedSlug, checkSiblingSlug, insertColumn, type ColumnInput } from './column-writes.ts';

/** A shared column (共享栏目) is an article list of the main site: the one place sub-sites push to. */
export function checkShared(site: SiteRow, kind: string, shared: boolean | undefined) {
  if (shared && (site.kind !== 'main' || kind !== 'article_list')) throw new AppError('PORTAL_SHARED_MAIN_ONLY', { detail: { key: 'portal.column.sharedMainOnly' } });
}

export async function createColumn(work: Work, platform: Platform, principal: Principal, siteId: string, input: ColumnInput): Promise<{ id: string; url: string }> {
  const { site } = await accessibleSite(work.tx, principal, siteId, 'configure', work);
  const errors = checkColumnFields(input, input.kind);
  if (input.kind === 'external_link' && !input.externalUrl) errors.push({ path: 'body.externalUrl', message: { key: 'portal.check.externalUrlRequired' } });
  if (errors.length) throw invalid(errors);
  const parent = await checkParent(work, site, input.parentId);
  checkReservedSlug(site, parent, input.slug);
  checkShared(site, input.kind, input.shared);
  await checkSiblingSlug(work, site.id, parent?.id ?? null, input.slug);
  const now = platform.clock.now();
  const column = await insertColumn(work, site, parent, input, now);
  const url = columnUrl(site, column);
  recordAudit(work, { action: 'portal.column.create', objectType: COLUMN_OBJECT, objectId: column.id, details: { siteId: site.id, name: column.name, path: column.path, kind: column.kind } }, now);
  await publishColumnChanged(work, platform, { columnId: column.id, siteId: site.id, parentId: column.parent_id, kind: column.kind, change: 'created', fields: Object.keys(input), url, previousUrl: null, movedColumnIds: [] });
  return { id: column.id, url };
}
