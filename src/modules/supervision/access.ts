/**
 * Who sees what in supervision. Supervisors (and auditors, read-only) watch every unit: a
 * supervision.read assignment scoped to a unit (the default) covers the whole installation,
 * since the supervision office watches departments other than its own; one scoped to a region
 * covers that region's units. Anyone else on the staff sees only the cards, figures and tasks of
 * their own unit (and of the units their supervision.explain assignments cover).
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import { scopesFor, type Principal } from '../../platform/iam/principal.ts';
import { regionPrefix } from '../../platform/org/codes.ts';
import { unitIdsUnderRegions } from '../../platform/org/service.ts';

export type UnitScope = { all: true } | { all: false; unitIds: string[]; regionCodes: string[] };

export const READ = 'supervision.read';
export const DECIDE = 'supervision.decide';
export const EXPLAIN = 'supervision.explain';
export const SCAN = 'supervision.scan';

/** The supervisor's (or auditor's) scope, or null when the caller is not one. */
export function supervisorScope(principal: Principal | null): UnitScope | null {
  if (!principal || principal.kind !== 'staff') return null;
  const scopes = scopesFor(principal, READ);
  if (!scopes.length) return null;
  // The oversight rule declared in index.ts: a unit-scoped assignment covers every unit.
  if (scopes.some((s) => 'unitId' in s)) return { all: true };
  return { all: false, unitIds: [], regionCodes: scopes.map((s) => (s as { regionCode: string }).regionCode) };
}

/** A department's own scope: its unit and what its supervision.explain assignments cover. */
export function departmentScope(principal: Principal | null): UnitScope | null {
  if (!principal || principal.kind !== 'staff') return null;
  const unitIds = new Set<string>(principal.unitId ? [principal.unitId] : []);
  const regionCodes: string[] = [];
  for (const scope of scopesFor(principal, EXPLAIN)) {
    if ('unitId' in scope) unitIds.add(scope.unitId);
    else regionCodes.push(scope.regionCode);
  }
  if (!unitIds.size && !regionCodes.length) return null;
  return { all: false, unitIds: [...unitIds], regionCodes };
}

/** What the caller may read: a supervisor's scope, else the department's, else nothing (null). */
export function readScope(principal: Principal | null): UnitScope | null {
  return supervisorScope(principal) ?? departmentScope(principal);
}

export function scopeCovers(scope: UnitScope | null, unit: { id: string; regionCode: string }): boolean {
  if (!scope) return false;
  if (scope.all) return true;
  return scope.unitIds.includes(unit.id) || scope.regionCodes.some((code) => unit.regionCode.startsWith(regionPrefix(code)));
}

/** A where-clause limiting `column` (a unit id) to the scope. */
export function unitFilter(db: Db, scope: UnitScope, column: string): Expression<SqlBool> {
  if (scope.all) return sql<SqlBool>`true`;
  const parts = [];
  if (scope.unitIds.length) parts.push(sql`${sql.ref(column)} in (${sql.join(scope.unitIds)})`);
  if (scope.regionCodes.length) parts.push(sql`${sql.ref(column)} in (${unitIdsUnderRegions(db, scope.regionCodes)})`);
  if (!parts.length) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

/** The unit ids of a scope for queries that take a list (null: every unit). */
export async function scopeUnitIds(db: Db, scope: UnitScope): Promise<string[] | null> {
  if (scope.all) return null;
  const ids = new Set(scope.unitIds);
  if (scope.regionCodes.length) for (const row of await unitIdsUnderRegions(db, scope.regionCodes).execute()) ids.add(row.id);
  return [...ids];
}
