/**
 * Who may do what with a site (the service's second check after the route's permission):
 *
 * - sysadmin: every site — creates sites, changes their settings and columns (no articles: content is
 *   the editors', the three administrators' split keeps configuration apart from it);
 * - unit_admin (`portal.manage` and `portal.edit` in its scope): creates sites for units in its scope,
 *   edits their settings, columns and articles, and reviews;
 * - editor (`portal.edit` in its scope): the sites its unit owns — settings, columns, articles, review.
 *
 * A site outside these is not found (404), as if it did not exist.
 */
import { sql, type Db } from '../../../platform/db/index.ts';
import type { Work } from '../../../platform/db/work.ts';
import { coversUnit, hasRole, type Principal } from '../../../platform/iam/principal.ts';
import { getUnit, getUnits, type Unit } from '../../../platform/org/service.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { EDIT_PERMISSION, MANAGE_PERMISSION, portalDb, type ArticleRow, type ColumnRow, type SiteRow } from '../model.ts';

export const isSysadmin = (principal: Principal) => hasRole(principal, 'sysadmin');

/** May create sites for the unit and change their address. */
export const mayManageUnit = (principal: Principal, unit: Unit) => isSysadmin(principal) || coversUnit(principal, MANAGE_PERMISSION, unit);
/** May write and review the content of the unit's sites. */
export const mayEditUnit = (principal: Principal, unit: Unit) => coversUnit(principal, EDIT_PERMISSION, unit);
/** May change the unit's sites' settings and columns. */
export const mayConfigureUnit = (principal: Principal, unit: Unit) => mayManageUnit(principal, unit) || mayEditUnit(principal, unit);

export async function findSite(db: Db, id: string, lock?: Work): Promise<SiteRow | null> {
  let query = portalDb(lock ? lock.tx : db).selectFrom('portal_sites').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  return (await query.executeTakeFirst()) ?? null;
}

export async function findColumn(db: Db, id: string, lock?: Work): Promise<ColumnRow | null> {
  let query = portalDb(lock ? lock.tx : db).selectFrom('portal_columns').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  return (await query.executeTakeFirst()) ?? null;
}

export async function findArticle(db: Db, id: string, lock?: Work): Promise<ArticleRow | null> {
  let query = portalDb(lock ? lock.tx : db).selectFrom('portal_articles').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  return (await query.executeTakeFirst()) ?? null;
}

export type SiteAccess = 'configure' | 'edit';

/** A site the caller may configure (settings, columns) or edit (articles), with its unit; else 404. */
export async function accessibleSite(db: Db, principal: Principal, id: string, access: SiteAccess, lock?: Work): Promise<{ site: SiteRow; unit: Unit }> {
  const site = await findSite(db, id, lock);
  const unit = site ? await getUnit(lock ? lock.tx : db, site.unit_id) : null;
  if (!site || !unit) throw notFound();
  const allowed = access === 'edit' ? mayEditUnit(principal, unit) : mayConfigureUnit(principal, unit);
  if (!allowed) throw notFound();
  return { site, unit };
}

/** Whether the caller may write articles in the column: every editor of the unit, or those the column names (unit admins always). */
export function mayWriteInColumn(principal: Principal, unit: Unit, column: ColumnRow): boolean {
  if (!mayEditUnit(principal, unit)) return false;
  if (!column.editor_ids.length || column.editor_ids.includes(principal.userId)) return true;
  return principal.roles.some((r) => r.role === 'unit_admin') && coversUnit(principal, MANAGE_PERMISSION, unit);
}

/** The sites the caller may see in the console (configure or edit); sysadmin every site. */
export async function visibleSites(db: Db, principal: Principal): Promise<Array<{ site: SiteRow; unit: Unit }>> {
  const sites = await portalDb(db).selectFrom('portal_sites').selectAll().orderBy(sql`case when kind = 'main' then 0 else 1 end`).orderBy('created_at').orderBy('id').execute();
  const units = new Map((await getUnits(db, [...new Set(sites.map((s) => s.unit_id))])).map((u) => [u.id, u]));
  return sites.flatMap((site) => {
    const unit = units.get(site.unit_id);
    return unit && mayConfigureUnit(principal, unit) ? [{ site, unit }] : [];
  });
}

/** Ids of the sites whose articles the caller may edit. */
export async function editableSiteIds(db: Db, principal: Principal): Promise<string[]> {
  return (await visibleSites(db, principal)).filter(({ unit }) => mayEditUnit(principal, unit)).map(({ site }) => site.id);
}

/** The main site, if there is one. */
export async function mainSite(db: Db): Promise<SiteRow | null> {
  return (await portalDb(db).selectFrom('portal_sites').selectAll().where('kind', '=', 'main').executeTakeFirst()) ?? null;
}
