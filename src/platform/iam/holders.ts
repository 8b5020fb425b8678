import type { Db } from '../db/index.ts';
import { regionPrefix } from '../org/codes.ts';
import type { Role } from './roles.ts';
import { iam } from './queries.ts';

/** Who holds a role over a unit, and how to reach them: what modules ask of iam when they hand out or announce work. */

type UnitRef = { id: string; regionCode: string };

/**
 * Active accounts holding `role` with a scope covering each of `units`, each once per unit, in id
 * order. With `unitScopeCoversAll` (oversight roles such as the supervisor), a unit-scoped holder
 * covers every unit, as `coversUnit` does for oversight permissions.
 */
async function holdersOfRoleByUnit(db: Db, role: Role, units: UnitRef[], unitScopeCoversAll = false) {
  const out = new Map<string, HolderRow[]>();
  if (!units.length) return out;
  let query = iam(db)
    .selectFrom('user_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['u.id', 'u.lang', 'u.display_name', 'u.kind', 'r.scope_unit_id', 'r.scope_region_code'])
    .where('r.role', '=', role)
    .where('u.disabled_at', 'is', null);
  if (!unitScopeCoversAll) {
    query = query.where((eb) => eb.or([eb('r.scope_unit_id', 'in', units.map((u) => u.id)), eb('r.scope_region_code', 'is not', null)]));
  }
  const rows = await query.orderBy('u.id').limit(5000).execute();
  for (const unit of units) {
    const seen = new Map<string, HolderRow>();
    for (const row of rows) {
      const byUnit = row.scope_unit_id !== null && (unitScopeCoversAll || row.scope_unit_id === unit.id);
      const byRegion = row.scope_region_code !== null && unit.regionCode.startsWith(regionPrefix(row.scope_region_code));
      if ((byUnit || byRegion) && !seen.has(row.id)) seen.set(row.id, row);
    }
    out.set(unit.id, [...seen.values()]);
  }
  return out;
}

interface HolderRow {
  id: string;
  lang: string | null;
  display_name: string;
  kind: string;
  scope_unit_id: string | null;
  scope_region_code: string | null;
}

async function holdersOfRole(db: Db, role: Role, unit: UnitRef) {
  return (await holdersOfRoleByUnit(db, role, [unit])).get(unit.id) ?? [];
}

/**
 * For each unit, the active accounts holding `role` that cover it, with their language (whom to
 * tell of a unit's affairs); `unitScopeCoversAll` for oversight roles, see `holdersOfRoleByUnit`.
 */
export async function accountsCoveringUnits(
  db: Db,
  role: Role,
  units: UnitRef[],
  options: { unitScopeCoversAll?: boolean } = {},
): Promise<Map<string, Array<{ id: string; lang: 'zh-CN' | 'en' }>>> {
  const byUnit = await holdersOfRoleByUnit(db, role, units, options.unitScopeCoversAll);
  return new Map([...byUnit].map(([unitId, rows]) => [unitId, rows.map((row) => ({ id: row.id, lang: row.lang === 'en' ? ('en' as const) : ('zh-CN' as const) }))]));
}

/**
 * Active accounts holding `role` with a scope covering `unit` (for notifying who may handle a
 * task), with their preferred language; at most `limit`.
 */
export async function accountsHoldingRole(db: Db, role: Role, unit: { id: string; regionCode: string }, limit = 50): Promise<Array<{ id: string; lang: 'zh-CN' | 'en' }>> {
  return (await holdersOfRole(db, role, unit)).slice(0, limit).map((row) => ({ id: row.id, lang: row.lang === 'en' ? 'en' : 'zh-CN' }));
}

/** Active staff holding `role` with a scope covering `unit`, with their names (choosing whom to hand a task to). */
export async function staffHoldingRole(db: Db, role: Role, unit: { id: string; regionCode: string }, limit = 200): Promise<Array<{ id: string; name: string }>> {
  return (await holdersOfRole(db, role, unit))
    .filter((row) => row.kind === 'staff')
    .slice(0, limit)
    .map((row) => ({ id: row.id, name: row.display_name }));
}

/** How to reach an account: its language and e-mail address (for notifications), if it exists. */
export async function contactOf(db: Db, userId: string): Promise<{ id: string; lang: 'zh-CN' | 'en'; email: string | null } | undefined> {
  const row = await iam(db).selectFrom('users').select(['id', 'lang', 'email']).where('id', '=', userId).executeTakeFirst();
  return row && { id: row.id, lang: row.lang === 'en' ? 'en' : 'zh-CN', email: row.email };
}

/** Whether an active staff account holds `role` with a scope covering `unit` (before handing it a task). */
export async function staffHoldsRole(db: Db, userId: string, role: Role, unit: { id: string; regionCode: string }): Promise<boolean> {
  const rows = await iam(db)
    .selectFrom('user_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.scope_unit_id', 'r.scope_region_code'])
    .where('u.id', '=', userId)
    .where('u.kind', '=', 'staff')
    .where('u.disabled_at', 'is', null)
    .where('r.role', '=', role)
    .execute();
  return rows.some((r) => r.scope_unit_id === unit.id || (r.scope_region_code !== null && unit.regionCode.startsWith(regionPrefix(r.scope_region_code))));
}

/** Display names of accounts by id (who did something, shown to staff). */
export async function displayNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter(Boolean))];
  if (!unique.length) return new Map();
  const rows = await iam(db).selectFrom('users').select(['id', 'display_name']).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

/** The sealed mobile numbers of accounts by id (for checks that compare people, never shown). */
export async function sealedPhones(db: Db, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter(Boolean))];
  if (!unique.length) return new Map();
  const rows = await iam(db).selectFrom('users').select(['id', 'phone_sealed']).where('id', 'in', unique).execute();
  return new Map(rows.filter((r) => r.phone_sealed).map((r) => [r.id, r.phone_sealed!]));
}
