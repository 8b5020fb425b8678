/**
 * Built-in roles. What each may do is declared by the modules (`permissions` in a manifest, read
 * into the PermissionTable of the installation); a permission is granted within the role
 * assignment's scope (a unit, or a region subtree), and services check the scope.
 */
export const ROLES = [
  'sysadmin',
  'secadmin',
  'auditor',
  'unit_admin',
  'window_clerk',
  'approver',
  'unit_leader',
  'supervisor',
  'doc_clerk',
  'editor',
  'responder',
  'hotline_operator',
  'village_officer',
] as const;
export type Role = (typeof ROLES)[number];

/** The three administrators (三员): separate powers, never held by one account. */
export const THREE_ADMINS: Role[] = ['sysadmin', 'secadmin', 'auditor'];
/** Roles that must sign in with a second factor. */
export const TOTP_REQUIRED_ROLES: Role[] = ['sysadmin', 'secadmin', 'auditor', 'supervisor'];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
