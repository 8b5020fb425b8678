import type { Role } from './roles.ts';
import type { PermissionTable } from '../registry.ts';
import { regionPrefix } from '../org/codes.ts';

export type Scope = { unitId: string } | { regionCode: string };

export interface RoleAssignment {
  role: Role;
  scope: Scope;
}

export interface Principal {
  userId: string;
  username: string;
  displayName: string;
  kind: 'staff' | 'public';
  unitId: string | null;
  roles: RoleAssignment[];
  sessionId: string | null;
  tokenId: string | null;
  csrfToken: string | null;
  mustChangePassword: boolean;
  totpEnrollmentRequired: boolean;
  /** The installation's role-to-permission table (what its installed modules declared). */
  grants: PermissionTable;
}

export function hasPermission(principal: Principal, permission: string): boolean {
  return principal.roles.some((r) => principal.grants.has(r.role, permission));
}

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.some((r) => r.role === role);
}

/** The scopes in which the principal holds the permission. */
export function scopesFor(principal: Principal, permission: string): Scope[] {
  return principal.roles.filter((r) => principal.grants.has(r.role, permission)).map((r) => r.scope);
}

/**
 * Whether an object belonging to `unit` lies inside one of the caller's scopes for `permission`.
 * A unit-scoped assignment of an oversight permission covers every unit.
 */
export function coversUnit(principal: Principal, permission: string, unit: { id: string; regionCode: string }): boolean {
  return scopesFor(principal, permission).some((scope) =>
    'unitId' in scope ? scope.unitId === unit.id || principal.grants.isOversight(permission) : unit.regionCode.startsWith(regionPrefix(scope.regionCode)),
  );
}
