import type { Role } from './roles.ts';
import { isOversightPermission, ROLE_PERMISSIONS } from './roles.ts';
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
}

export function hasPermission(principal: Principal, permission: string): boolean {
  return principal.roles.some((r) => ROLE_PERMISSIONS[r.role]?.includes(permission));
}

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.some((r) => r.role === role);
}

/** The scopes in which the principal holds the permission. */
export function scopesFor(principal: Principal, permission: string): Scope[] {
  return principal.roles.filter((r) => ROLE_PERMISSIONS[r.role]?.includes(permission)).map((r) => r.scope);
}

/**
 * Whether an object belonging to `unit` lies inside one of the caller's scopes for `permission`.
 * A unit-scoped assignment of an oversight permission covers every unit.
 */
export function coversUnit(principal: Principal, permission: string, unit: { id: string; regionCode: string }): boolean {
  return scopesFor(principal, permission).some((scope) =>
    'unitId' in scope ? scope.unitId === unit.id || isOversightPermission(permission) : unit.regionCode.startsWith(regionPrefix(scope.regionCode)),
  );
}
