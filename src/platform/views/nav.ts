import type { ViewContext } from './context.ts';

export interface NavItem {
  href: string;
  /** Catalogue key of the label. */
  key: string;
  /** Shown only to holders of this permission; none = every signed-in account. */
  permission?: string;
  /** Reachable while the account must still change its password or enrol TOTP. */
  allowRestricted?: boolean;
}

export interface NavGroup {
  id: string;
  key: string;
  items: NavItem[];
}

const groups: NavGroup[] = [
  {
    id: 'mine',
    key: 'console.nav.mine',
    items: [
      { href: '/console', key: 'console.nav.overview', allowRestricted: true },
      { href: '/console/profile', key: 'console.nav.profile', allowRestricted: true },
      { href: '/console/sessions', key: 'console.nav.sessions', allowRestricted: true },
    ],
  },
  {
    id: 'admin',
    key: 'console.nav.admin',
    items: [
      { href: '/console/regions', key: 'console.nav.regions', permission: 'region.write' },
      { href: '/console/units', key: 'console.nav.units', permission: 'unit.write' },
      { href: '/console/users', key: 'console.nav.users', permission: 'user.read' },
      { href: '/console/calendar', key: 'console.nav.calendar', permission: 'calendar.write' },
      { href: '/console/audit', key: 'console.nav.audit', permission: 'audit.read' },
    ],
  },
];

/** Modules add their console pages here (one group per module, or items in an existing group). */
export function registerConsoleNav(group: NavGroup) {
  const existing = groups.find((g) => g.id === group.id);
  if (!existing) groups.push({ ...group, items: [...group.items] });
  else for (const item of group.items) if (!existing.items.some((i) => i.href === item.href)) existing.items.push(item);
}

/** The navigation the caller may use; the current page is marked. */
export function consoleNav(ctx: ViewContext) {
  const principal = ctx.principal;
  const restricted = !!principal && (principal.mustChangePassword || principal.totpEnrollmentRequired);
  const visible = groups
    .map((group) => ({
      id: group.id,
      key: group.key,
      items: group.items
        .filter((item) => (!item.permission || ctx.can(item.permission)) && (!restricted || item.allowRestricted))
        .map((item) => ({ ...item, current: false })),
    }))
    .filter((group) => group.items.length > 0);
  // The longest matching prefix is the current page (a user's roles page belongs to Users).
  let best: { current: boolean; href: string } | null = null;
  for (const group of visible) {
    for (const item of group.items) {
      const matches = ctx.path === item.href || (item.href !== '/console' && ctx.path.startsWith(`${item.href}/`));
      if (matches && (!best || item.href.length > best.href.length)) best = item;
    }
  }
  if (best) best.current = true;
  return visible;
}
