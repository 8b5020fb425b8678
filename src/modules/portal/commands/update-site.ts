/**
 * Changes a site's settings: name, theme, primary colour (from the accessible palette), logo,
 * navigation and footer (主办单位, ICP备案号, 公安机关备案号, accessibility statement, contact) — its
 * editors and managers; its own host name (the address) — managers only (sysadmin, unit_admin).
 */
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { attachFile } from '../../../platform/files/service.ts';
import { forbidden, invalid } from '../../../platform/http/errors.ts';
import { portalDb, SITE_OBJECT, type NavEntry, type SiteFooter } from '../model.ts';
import type { Theme } from '../templates.ts';
import { siteUrl } from '../urls.ts';
import { publishSiteChanged } from '../events.ts';
import { accessibleSite, mayManageUnit } from '../queries/access.ts';
import { checkColour, checkFooter, checkHostFree, checkNavigation } from './site-checks.ts';

export interface SitePatch {
  name?: string;
  hostName?: string | null;
  theme?: Theme;
  primaryColor?: string;
  logoFileId?: string | null;
  navigation?: NavEntry[];
  footer?: SiteFooter;
}

/** Owner type of a site's logo in the files module: public. */
export const LOGO_OWNER = 'portal.site';

const trimFooter = (footer: SiteFooter): SiteFooter => ({
  sponsor: footer.sponsor?.trim() || undefined,
  icp: footer.icp?.trim() || undefined,
  publicSecurity: footer.publicSecurity?.trim() || undefined,
  accessibility: footer.accessibility?.trim() || undefined,
  contact: footer.contact ? { address: footer.contact.address?.trim() || undefined, phone: footer.contact.phone?.trim() || undefined, email: footer.contact.email?.trim() || undefined } : undefined,
});

export async function updateSite(work: Work, platform: Platform, principal: Principal, id: string, patch: SitePatch) {
  const { site, unit } = await accessibleSite(work.tx, principal, id, 'configure', work);
  if (patch.hostName !== undefined && !mayManageUnit(principal, unit)) throw forbidden({ key: 'portal.site.hostManagersOnly' });
  const errors = [...checkColour(patch.primaryColor), ...(patch.footer ? checkFooter(patch.footer) : []), ...(patch.navigation ? await checkNavigation(work, site.id, patch.navigation) : [])];
  if (patch.name !== undefined && !patch.name.trim()) errors.push({ path: 'body.name', message: { key: 'portal.check.blank' } });
  if (errors.length) throw invalid(errors);
  const hostName = patch.hostName === undefined ? site.host_name : patch.hostName?.toLowerCase() || null;
  if (hostName && hostName !== site.host_name) await checkHostFree(work, hostName, site.id);
  const now = platform.clock.now();
  if (patch.logoFileId && patch.logoFileId !== site.logo_file_id) await attachFile(work, patch.logoFileId, { ownerType: LOGO_OWNER, ownerId: site.id }, principal, now);
  const updated = await portalDb(work.tx)
    .updateTable('portal_sites')
    .set({
      name: patch.name?.trim() ?? site.name,
      host_name: hostName,
      theme: patch.theme ?? site.theme,
      primary_color: patch.primaryColor?.toLowerCase() ?? site.primary_color,
      logo_file_id: patch.logoFileId === undefined ? site.logo_file_id : patch.logoFileId,
      navigation: (patch.navigation ? JSON.stringify(patch.navigation) : JSON.stringify(site.navigation)) as never,
      footer: JSON.stringify(patch.footer ? trimFooter(patch.footer) : site.footer) as never,
      updated_at: now,
      version: site.version + 1,
    })
    .where('id', '=', site.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const fields = Object.keys(patch);
  const url = siteUrl(updated);
  recordAudit(work, { action: 'portal.site.update', objectType: SITE_OBJECT, objectId: site.id, details: { fields, ...(hostName !== site.host_name ? { hostName } : {}) } }, now);
  await publishSiteChanged(work, platform, { siteId: site.id, unitId: site.unit_id, kind: site.kind, change: 'updated', fields, url, previousUrl: url !== siteUrl(site) ? siteUrl(site) : null });
  return { id: site.id, url, version: updated.version };
}
