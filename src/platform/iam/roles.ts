/**
 * Built-in roles and what each may do. A permission is granted within the role
 * assignment's scope (a unit, or a region subtree); services check the scope.
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

const permissions: Record<Role, string[]> = {
  sysadmin: ['region.write', 'unit.write', 'unit.import', 'user.read', 'user.write', 'calendar.write', 'job.run', 'outbox.read', 'system.backup'],
  secadmin: ['user.read', 'role.assign', 'role.read'],
  auditor: ['audit.read', 'user.read', 'role.read'],
  unit_admin: ['user.read', 'user.write'],
  window_clerk: ['approval.intake'],
  approver: ['approval.handle'],
  unit_leader: ['approval.handle', 'approval.lead', 'supervision.explain'],
  supervisor: ['supervision.read', 'supervision.decide', 'supervision.scan'],
  doc_clerk: ['exchange.write', 'exchange.receive'],
  editor: ['portal.edit'],
  responder: ['interaction.reply'],
  hotline_operator: ['hotline.operate'],
  village_officer: ['rural.operate', 'approval.intake'],
};

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly string[]>> = permissions;

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

const oversight = new Set<string>();

/**
 * Declares a permission of an office that watches other departments (supervision): an assignment
 * of it scoped to a unit covers every unit of the installation, since that office's own unit is
 * not what it watches; one scoped to a region still covers that region only.
 */
export function declareOversightPermission(permission: string) {
  oversight.add(permission);
}

export function isOversightPermission(permission: string): boolean {
  return oversight.has(permission);
}

/** Modules add the permissions they introduce to existing roles. */
export function grantPermissions(role: Role, added: string[]) {
  for (const p of added) if (!permissions[role].includes(p)) permissions[role].push(p);
}
