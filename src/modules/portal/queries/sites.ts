/** Reading sites and their column trees. */
import type { Db } from '../../../platform/db/index.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import type { Unit } from '../../../platform/org/service.ts';
import { portalDb, type ColumnRow, type SiteRow } from '../model.ts';
import { columnUrl, siteUrl } from '../urls.ts';
import { accessibleSite, mayEditUnit, mayManageUnit, visibleSites } from './access.ts';

export function siteView(site: SiteRow, unit: Unit, principal?: Principal) {
  return {
    id: site.id,
    name: site.name,
    kind: site.kind,
    unitId: site.unit_id,
    unitName: unit.name,
    slug: site.slug,
    hostName: site.host_name,
    url: siteUrl(site),
    template: site.template,
    theme: site.theme,
    primaryColor: site.primary_color,
    logoFileId: site.logo_file_id,
    navigation: site.navigation,
    footer: site.footer,
    createdAt: site.created_at,
    updatedAt: site.updated_at,
    version: site.version,
    ...(principal ? { mayEdit: mayEditUnit(principal, unit), mayManage: mayManageUnit(principal, unit) } : {}),
  };
}

export async function listSites(db: Db, principal: Principal) {
  return { items: (await visibleSites(db, principal)).map(({ site, unit }) => siteView(site, unit, principal)) };
}

export async function getSite(db: Db, principal: Principal, id: string) {
  const { site, unit } = await accessibleSite(db, principal, id, 'configure');
  return siteView(site, unit, principal);
}

export interface ColumnNode {
  id: string;
  parentId: string | null;
  name: string;
  slug: string;
  path: string;
  kind: ColumnRow['kind'];
  depth: number;
  url: string;
  shared: boolean;
  needsReview: boolean;
  pageSize: number;
  externalUrl: string | null;
  editorIds: string[];
  position: number;
  version: number;
  children: ColumnNode[];
}

export function columnView(site: SiteRow, c: ColumnRow): ColumnNode {
  return {
    id: c.id,
    parentId: c.parent_id,
    name: c.name,
    slug: c.slug,
    path: c.path,
    kind: c.kind,
    depth: c.depth,
    url: columnUrl(site, c),
    shared: c.shared,
    needsReview: c.needs_review,
    pageSize: c.page_size,
    externalUrl: c.external_url,
    editorIds: c.editor_ids,
    position: c.position,
    version: c.version,
    children: [],
  };
}

/** A site's columns as a tree, in their order. */
export async function columnTree(db: Db, site: SiteRow): Promise<ColumnNode[]> {
  const rows = await portalDb(db).selectFrom('portal_columns').selectAll().where('site_id', '=', site.id).orderBy('depth').orderBy('position').orderBy('id').execute();
  const nodes = new Map(rows.map((r) => [r.id, columnView(site, r)]));
  const roots: ColumnNode[] = [];
  for (const node of nodes.values()) (node.parentId ? nodes.get(node.parentId)?.children : roots)?.push(node);
  return roots;
}

export async function siteColumns(db: Db, principal: Principal, siteId: string) {
  const { site } = await accessibleSite(db, principal, siteId, 'configure');
  return { siteId: site.id, url: siteUrl(site), items: await columnTree(db, site) };
}
