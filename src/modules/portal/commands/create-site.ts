/**
 * Creates a site: the main site (one per installation, address `/`) or a sub-site (`/s/<slug>/`, or
 * its own host name), from a template that gives its theme and its standard column structure in
 * one step. sysadmin for any unit; a unit_admin for the units in its scope; else the unit is not
 * found (404).
 */
import crypto from 'node:crypto';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { getUnit } from '../../../platform/org/service.ts';
import { AppError, notFound } from '../../../platform/http/errors.ts';
import { portalDb, SITE_OBJECT, type SiteKind, type SiteRow } from '../model.ts';
import { DEFAULT_TEMPLATE, siteTemplate, themeColour, type TemplateId } from '../templates.ts';
import { siteUrl } from '../urls.ts';
import { publishSiteChanged } from '../events.ts';
import { mayManageUnit } from '../queries/access.ts';
import { insertTemplateColumns } from './column-writes.ts';
import { checkHostFree } from './site-checks.ts';

export interface SiteInput {
  name: string;
  kind: SiteKind;
  unitId: string;
  slug: string;
  template?: TemplateId;
  hostName?: string;
}

export async function createSite(work: Work, platform: Platform, principal: Principal, input: SiteInput): Promise<{ id: string; url: string; columns: number }> {
  const unit = await getUnit(work.tx, input.unitId);
  if (!unit || !mayManageUnit(principal, unit)) throw notFound({ key: 'portal.site.unitNotFound' });
  if (unit.disabledAt) throw new AppError('PORTAL_UNIT_DISABLED', { detail: { key: 'portal.site.unitDisabled' } });
  const db = portalDb(work.tx);
  if (input.kind === 'main' && (await db.selectFrom('portal_sites').select('id').where('kind', '=', 'main').executeTakeFirst())) {
    throw new AppError('PORTAL_MAIN_SITE_EXISTS', { detail: { key: 'portal.site.mainExists' } });
  }
  if (await db.selectFrom('portal_sites').select('id').where('slug', '=', input.slug).executeTakeFirst()) {
    throw new AppError('PORTAL_SITE_SLUG_TAKEN', { detail: { key: 'portal.site.slugTaken', params: { slug: input.slug } } });
  }
  const hostName = input.hostName?.toLowerCase() ?? null;
  if (hostName) await checkHostFree(work, hostName);
  const template = siteTemplate(input.template ?? DEFAULT_TEMPLATE[input.kind], input.kind);
  const now = platform.clock.now();
  const site: SiteRow = await db
    .insertInto('portal_sites')
    .values({
      id: crypto.randomUUID(),
      kind: input.kind,
      name: input.name.trim(),
      unit_id: unit.id,
      slug: input.slug,
      host_name: hostName,
      template: template.id,
      theme: template.theme,
      primary_color: themeColour(template.theme),
      logo_file_id: null,
      navigation: '[]' as never,
      footer: JSON.stringify({ sponsor: unit.name }) as never,
      created_by: principal.userId,
      created_at: now,
      updated_at: now,
    })
    // Two first main sites at once: the partial unique index lets one in.
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst()
    .then((row) => {
      if (!row) throw new AppError(input.kind === 'main' ? 'PORTAL_MAIN_SITE_EXISTS' : 'PORTAL_SITE_SLUG_TAKEN', { detail: { key: input.kind === 'main' ? 'portal.site.mainExists' : 'portal.site.slugTaken', params: { slug: input.slug } } });
      return row;
    });
  const columns = await insertTemplateColumns(work, site, template.columns, now);
  // The navigation starts as the first-level columns in order.
  const navigation = columns.filter((c) => c.depth === 1).map((c) => ({ columnId: c.id }));
  await db.updateTable('portal_sites').set({ navigation: JSON.stringify(navigation) as never }).where('id', '=', site.id).execute();
  const url = siteUrl(site);
  recordAudit(work, { action: 'portal.site.create', objectType: SITE_OBJECT, objectId: site.id, details: { name: site.name, kind: site.kind, unitId: unit.id, template: template.id, url, columns: columns.length } }, now);
  await publishSiteChanged(work, platform, { siteId: site.id, unitId: unit.id, kind: site.kind, change: 'created', fields: ['name', 'kind', 'unitId', 'slug', 'hostName', 'template', 'navigation', 'footer'], url, previousUrl: null });
  return { id: site.id, url, columns: columns.length };
}
