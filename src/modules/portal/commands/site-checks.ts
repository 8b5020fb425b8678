/** Checks of a site's settings: host name, footer record numbers, navigation, colours. */
import type { Work } from '../../../platform/db/work.ts';
import { AppError, fieldError, type FieldError } from '../../../platform/http/errors.ts';
import { portalDb, type NavEntry, type SiteFooter } from '../model.ts';
import { PALETTE_COLOURS } from '../templates.ts';
import { isLinkTarget } from './column-writes.ts';

/** Province abbreviations that begin Chinese record numbers. */
const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
/** ICP备案号: 湘ICP备12345678号, optionally with the site's number (-1). */
export const ICP = new RegExp(`^[${PROVINCES}]ICP备\\d{8}号(-\\d{1,3})?$`);
/** 公安机关备案号: 湘公网安备 43040002000123号 (14 digits; the space is optional). */
export const PUBLIC_SECURITY = new RegExp(`^[${PROVINCES}]公网安备 ?\\d{14}号$`);
export const HOST_NAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const PHONE = /^[0-9+\-() ]{5,20}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function checkHostFree(work: Work, hostName: string, exceptId?: string) {
  let query = portalDb(work.tx).selectFrom('portal_sites').select('id').where('host_name', '=', hostName);
  if (exceptId) query = query.where('id', '<>', exceptId);
  if (await query.executeTakeFirst()) throw new AppError('PORTAL_HOST_TAKEN', { detail: { key: 'portal.site.hostTaken', params: { host: hostName } } });
}

export function checkFooter(footer: SiteFooter): FieldError[] {
  const errors: FieldError[] = [];
  if (footer.icp && !ICP.test(footer.icp.trim())) errors.push(fieldError('body.footer.icp', 'portal.check.icp'));
  if (footer.publicSecurity && !PUBLIC_SECURITY.test(footer.publicSecurity.trim())) errors.push(fieldError('body.footer.publicSecurity', 'portal.check.publicSecurity'));
  if (footer.contact?.phone && !PHONE.test(footer.contact.phone)) errors.push(fieldError('body.footer.contact.phone', 'portal.check.phone'));
  if (footer.contact?.email && !EMAIL.test(footer.contact.email)) errors.push(fieldError('body.footer.contact.email', 'portal.check.email'));
  return errors;
}

export function checkColour(colour: string | undefined): FieldError[] {
  return colour && !(PALETTE_COLOURS as string[]).includes(colour.toLowerCase()) ? [fieldError('body.primaryColor', 'portal.check.colour', { colours: PALETTE_COLOURS.join(' ') })] : [];
}

/** Navigation: the site's own columns, or links (http(s) or an address here). */
export async function checkNavigation(work: Work, siteId: string, navigation: NavEntry[]): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const columnIds = navigation.flatMap((n) => ('columnId' in n ? [n.columnId] : []));
  const own = columnIds.length ? new Set((await portalDb(work.tx).selectFrom('portal_columns').select('id').where('site_id', '=', siteId).where('id', 'in', columnIds).execute()).map((c) => c.id)) : new Set<string>();
  navigation.forEach((entry, i) => {
    if ('columnId' in entry) {
      if (!own.has(entry.columnId)) errors.push(fieldError(`body.navigation.${i}.columnId`, 'portal.check.navColumn'));
    } else {
      if (!entry.label.trim()) errors.push(fieldError(`body.navigation.${i}.label`, 'portal.check.blank'));
      if (!isLinkTarget(entry.href)) errors.push(fieldError(`body.navigation.${i}.href`, 'portal.check.url'));
    }
  });
  return errors;
}
