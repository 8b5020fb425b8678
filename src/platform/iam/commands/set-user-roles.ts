import crypto from 'node:crypto';
import type { Work } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { AppError, fieldError, forbidden, invalid, notFound } from '../../http/errors.ts';
import { getRegion, getUnit } from '../../org/service.ts';
import type { Platform } from '../../module.ts';
import type { Principal, Scope } from '../principal.ts';
import { isRole, THREE_ADMINS, type Role } from '../roles.ts';
import { findUserById, iam, rolesOf, toAssignments } from '../queries.ts';

export interface RoleInput {
  role: string;
  scope?: { unitId?: string; regionCode?: string };
}

/** Replaces an account's roles. Only the security administrator does this, never for themselves. */
export async function setUserRoles(work: Work, platform: Platform, principal: Principal, id: string, input: RoleInput[]) {
  const user = await findUserById(work.tx, id);
  if (!user) throw notFound();
  if (user.id === principal.userId) throw forbidden({ key: 'iam.cannotGrantSelf' });
  const errors = [];
  const assignments: Array<{ role: Role; scope_unit_id: string | null; scope_region_code: string | null }> = [];
  for (const [i, entry] of input.entries()) {
    if (!isRole(entry.role)) {
      errors.push(fieldError(`roles.${i}.role`, 'iam.roleUnknown', { role: entry.role }));
      continue;
    }
    const scope = entry.scope ?? {};
    if (scope.unitId && scope.regionCode) {
      errors.push(fieldError(`roles.${i}.scope`, 'iam.scopeOneOf'));
      continue;
    }
    if (scope.regionCode) {
      if (!(await getRegion(work.tx, scope.regionCode))) errors.push(fieldError(`roles.${i}.scope.regionCode`, 'org.unit.regionMissing', { code: scope.regionCode }));
      assignments.push({ role: entry.role, scope_unit_id: null, scope_region_code: scope.regionCode });
    } else {
      const unitId = scope.unitId ?? user.unit_id;
      if (!unitId) {
        errors.push(fieldError(`roles.${i}.scope`, 'iam.scopeRequired'));
        continue;
      }
      if (!(await getUnit(work.tx, unitId))) errors.push(fieldError(`roles.${i}.scope.unitId`, 'iam.unitNotFound'));
      assignments.push({ role: entry.role, scope_unit_id: unitId, scope_region_code: null });
    }
  }
  if (errors.length) throw invalid(errors);
  if (user.kind === 'public' && assignments.length > 0) throw invalid([fieldError('roles', 'iam.publicNoRoles')]);
  const admins = new Set(assignments.map((a) => a.role).filter((r) => THREE_ADMINS.includes(r)));
  if (admins.size > 1) throw new AppError('ROLE_CONFLICT');
  const unique = new Map(assignments.map((a) => [`${a.role}|${a.scope_unit_id}|${a.scope_region_code}`, a]));

  // Serialise concurrent role changes of one account.
  await iam(work.tx).selectFrom('users').select('id').where('id', '=', id).forUpdate().execute();
  const before = await rolesOf(work.tx, id);
  await iam(work.tx).deleteFrom('user_roles').where('user_id', '=', id).execute();
  if (unique.size) {
    await iam(work.tx)
      .insertInto('user_roles')
      .values([...unique.values()].map((a) => ({ id: crypto.randomUUID(), user_id: id, ...a, granted_by: principal.userId })))
      .execute();
  }
  recordAudit(work, {
    action: 'user.roles.set',
    objectType: 'user',
    objectId: id,
    details: {
      before: before.map((r) => ({ role: r.role, unitId: r.scope_unit_id, regionCode: r.scope_region_code })),
      after: [...unique.values()].map((r) => ({ role: r.role, unitId: r.scope_unit_id, regionCode: r.scope_region_code })),
    },
  });
  return toAssignments(await rolesOf(work.tx, id));
}

/** Grants roles without a caller (command line and demo data); checks the same rules. */
export async function grantRolesBySystem(work: Work, userId: string, roles: Array<{ role: Role; scope: Scope }>) {
  const admins = new Set(roles.map((a) => a.role).filter((r) => THREE_ADMINS.includes(r)));
  const existing = await rolesOf(work.tx, userId);
  for (const r of existing) if (THREE_ADMINS.includes(r.role)) admins.add(r.role);
  if (admins.size > 1) throw new AppError('ROLE_CONFLICT');
  for (const r of roles) {
    await iam(work.tx)
      .insertInto('user_roles')
      .values({
        id: crypto.randomUUID(),
        user_id: userId,
        role: r.role,
        scope_unit_id: 'unitId' in r.scope ? r.scope.unitId : null,
        scope_region_code: 'regionCode' in r.scope ? r.scope.regionCode : null,
        granted_by: null,
      })
      .execute();
  }
  recordAudit(work, { action: 'user.roles.grant', objectType: 'user', objectId: userId, details: { roles: roles.map((r) => ({ role: r.role, ...r.scope })) } });
}
