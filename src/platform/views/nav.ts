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

/** The navigation the caller may use; the current page is marked. */
export function consoleNav(ctx: ViewContext) {
  const principal = ctx.principal;
  const restricted = !!principal && (principal.mustChangePassword || principal.totpEnrollmentRequired);
  const visible = ctx.navGroups
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
