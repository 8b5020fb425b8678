import type { Generated, Selectable } from 'kysely';
import crypto from 'node:crypto';
import type { Db } from '../db/index.ts';
import { escapeLike, isUniqueViolation, sql } from '../db/index.ts';
import type { Work } from '../db/work.ts';
import { recordAudit } from '../audit/service.ts';
import { AppError, fieldError, invalid, notFound, type FieldError } from '../http/errors.ts';
import { keysetPage, type Keyset } from '../db/pagination.ts';
import { isValidCreditCode, isValidParent, regionLevelOf, regionPrefix, type RegionLevel } from './codes.ts';

export type UnitKind = 'government' | 'department' | 'service_center' | 'town' | 'village' | 'other';
export const UNIT_KINDS: UnitKind[] = ['government', 'department', 'service_center', 'town', 'village', 'other'];

export interface RegionTable {
  code: string;
  name: string;
  level: RegionLevel;
  parent_code: string | null;
  prefix: string;
  created_at: Generated<Date>;
}
export type RegionRow = Selectable<RegionTable>;
export interface UnitTable {
  id: string;
  name: string;
  region_code: string;
  kind: UnitKind;
  parent_id: string | null;
  credit_code: string | null;
  external_key: string | null;
  disabled_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
}
export type UnitRow = Selectable<UnitTable>;
export type OrgTables = {
  regions: RegionTable;
  units: UnitTable;
};

export interface Region {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
}
export interface Unit {
  id: string;
  name: string;
  regionCode: string;
  kind: UnitKind;
  parentId: string | null;
  creditCode: string | null;
  externalKey: string | null;
  /** Set while the unit is disabled: it stays in history and receives nothing new. */
  disabledAt: Date | null;
  version: number;
}

export const toRegion = (r: RegionRow): Region => ({ code: r.code, name: r.name, level: r.level, parentCode: r.parent_code });
export const toUnit = (u: UnitRow): Unit => ({
  id: u.id,
  name: u.name,
  regionCode: u.region_code,
  kind: u.kind,
  parentId: u.parent_id,
  creditCode: u.credit_code,
  externalKey: u.external_key,
  disabledAt: u.disabled_at ?? null,
  version: u.version,
});

const q = (db: Db) => db.withTables<OrgTables>();

export async function getRegion(db: Db, code: string): Promise<Region | null> {
  const row = await q(db).selectFrom('regions').selectAll().where('code', '=', code).executeTakeFirst();
  return row ? toRegion(row) : null;
}

export async function getUnit(db: Db, id: string): Promise<Unit | null> {
  const row = await q(db).selectFrom('units').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toUnit(row) : null;
}

export async function getUnits(db: Db, ids: string[]): Promise<Unit[]> {
  if (ids.length === 0) return [];
  const rows = await q(db).selectFrom('units').selectAll().where('id', 'in', ids).execute();
  return rows.map(toUnit);
}

/** Whether a unit's region lies inside the region subtree of `regionCode`. */
export function regionContains(regionCode: string, candidate: string): boolean {
  return candidate.startsWith(regionPrefix(regionCode));
}

export interface RegionInput {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode?: string | null;
}

/** Checks one region against the code rules and its parent; returns field errors, writes nothing. */
export async function checkRegion(db: Db, input: RegionInput, pathPrefix = ''): Promise<FieldError[]> {
  const errors = [];
  const implied = regionLevelOf(input.code);
  if (!implied) errors.push(fieldError(`${pathPrefix}code`, 'org.region.codeInvalid', { code: input.code }));
  else if (implied !== input.level) errors.push(fieldError(`${pathPrefix}level`, 'org.region.levelMismatch', { code: input.code, level: implied }));
  if (!input.name.trim()) errors.push(fieldError(`${pathPrefix}name`, 'org.nameRequired'));
  if (errors.length) return errors;
  const parentCode = input.parentCode ?? null;
  const parent = parentCode ? await getRegion(db, parentCode) : null;
  if (parentCode && !parent) return [fieldError(`${pathPrefix}parentCode`, 'org.region.parentMissing', { code: parentCode })];
  if (!isValidParent(input.code, input.level, parentCode, parent?.level ?? null)) {
    return [fieldError(`${pathPrefix}parentCode`, 'org.region.parentInvalid', { code: input.code })];
  }
  return [];
}

export async function createRegion(work: Work, input: RegionInput): Promise<Region> {
  const errors = await checkRegion(work.tx, input);
  if (errors.length) throw invalid(errors);
  try {
    const row = await q(work.tx)
      .insertInto('regions')
      .values({ code: input.code, name: input.name.trim(), level: input.level, parent_code: input.parentCode ?? null, prefix: regionPrefix(input.code) })
      .returningAll()
      .executeTakeFirstOrThrow();
    recordAudit(work, { action: 'region.create', objectType: 'region', objectId: row.code, details: { name: row.name, level: row.level, parentCode: row.parent_code } });
    return toRegion(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('DUPLICATE', { errors: [fieldError('code', 'org.region.duplicate', { code: input.code })] });
    throw error;
  }
}

export interface UnitInput {
  name: string;
  regionCode: string;
  kind: UnitKind;
  parentId?: string | null;
  creditCode?: string | null;
  externalKey?: string | null;
}

/** The field error a unique violation on `units` stands for. */
export function unitDuplicateError(error: unknown, input: UnitInput): FieldError {
  const constraint = String((error as { constraint?: string }).constraint ?? '');
  if (constraint.includes('credit_code')) return fieldError('creditCode', 'org.unit.creditCodeDuplicate', { code: input.creditCode });
  if (constraint.includes('external_key')) return fieldError('externalKey', 'org.unit.keyDuplicate', { key: input.externalKey });
  return fieldError('name', 'org.unit.nameDuplicate', { name: input.name.trim(), code: input.regionCode });
}

export async function checkUnit(db: Db, input: UnitInput, pathPrefix = ''): Promise<FieldError[]> {
  const errors = [];
  if (!input.name.trim()) errors.push(fieldError(`${pathPrefix}name`, 'org.nameRequired'));
  if (input.creditCode && !isValidCreditCode(input.creditCode)) errors.push(fieldError(`${pathPrefix}creditCode`, 'org.unit.creditCodeInvalid', { code: input.creditCode }));
  if (!(await getRegion(db, input.regionCode))) errors.push(fieldError(`${pathPrefix}regionCode`, 'org.unit.regionMissing', { code: input.regionCode }));
  if (input.parentId && !(await getUnit(db, input.parentId))) errors.push(fieldError(`${pathPrefix}parentId`, 'org.unit.parentMissing'));
  return errors;
}

export async function createUnit(work: Work, input: UnitInput, id: string = crypto.randomUUID()): Promise<Unit> {
  const errors = await checkUnit(work.tx, input);
  if (errors.length) throw invalid(errors);
  try {
    const row = await q(work.tx)
      .insertInto('units')
      .values({
        id,
        name: input.name.trim(),
        region_code: input.regionCode,
        kind: input.kind,
        parent_id: input.parentId ?? null,
        credit_code: input.creditCode || null,
        external_key: input.externalKey || null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    recordAudit(work, { action: 'unit.create', objectType: 'unit', objectId: row.id, details: { name: row.name, regionCode: row.region_code, kind: row.kind } });
    return toUnit(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('DUPLICATE', { errors: [unitDuplicateError(error, input)] });
    throw error;
  }
}

/**
 * Disables (or enables again) a unit: it stays in history and in every record naming it, but
 * receives nothing new. Doing it twice changes nothing and writes no second audit record.
 */
export async function setUnitDisabled(work: Work, id: string, disabled: boolean, at: Date): Promise<Unit> {
  const row = await q(work.tx).selectFrom('units').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound();
  if ((row.disabled_at !== null) === disabled) return toUnit(row);
  const updated = await q(work.tx)
    .updateTable('units')
    .set({ disabled_at: disabled ? at : null, updated_at: at, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  recordAudit(work, { action: disabled ? 'unit.disable' : 'unit.enable', objectType: 'unit', objectId: id, details: { name: row.name } }, at);
  return toUnit(updated);
}

export async function requireUnit(db: Db, id: string): Promise<Unit> {
  const unit = await getUnit(db, id);
  if (!unit) throw notFound();
  return unit;
}

export async function listRegions(db: Db, parentCode: string | null): Promise<Region[]> {
  let query = q(db).selectFrom('regions').selectAll().orderBy('code').limit(1000);
  query = parentCode ? query.where('parent_code', '=', parentCode) : query.where('parent_code', 'is', null);
  return (await query.execute()).map(toRegion);
}

/** Units in the directory's order: by region code, then name (id breaks ties). */
const BY_REGION_AND_NAME: Keyset<UnitRow> = {
  keys: [
    { by: 'region_code', kind: 'text', of: (u) => u.region_code },
    { by: 'name', kind: 'text', of: (u) => u.name },
    { by: 'id', kind: 'text', of: (u) => u.id },
  ],
  order: 'asc',
};

export async function listUnits(db: Db, filter: { regionCode?: string; q?: string; limit?: number; cursor?: string }) {
  let query = q(db).selectFrom('units').selectAll();
  if (filter.regionCode) query = query.where('region_code', 'like', `${regionPrefix(filter.regionCode)}%`);
  if (filter.q) query = query.where('name', 'like', `%${escapeLike(filter.q)}%`);
  const page = await keysetPage(query, BY_REGION_AND_NAME, { limit: filter.limit ?? 20, cursor: filter.cursor });
  return { items: page.items.map(toUnit), nextCursor: page.nextCursor };
}

/** A region with the chain of its parents, top first. */
export async function getRegionWithAncestors(db: Db, code: string): Promise<(Region & { ancestors: Region[] }) | null> {
  const rows = await sql<RegionRow & { depth: number }>`
    with recursive chain as (
      select r.*, 0 as depth from regions r where r.code = ${code}
      union all
      select p.*, c.depth + 1 from regions p join chain c on p.code = c.parent_code where c.depth < 10
    )
    select * from chain order by depth desc`.execute(db);
  if (rows.rows.length === 0) return null;
  const chain = rows.rows.map(toRegion);
  return { ...chain[chain.length - 1], ancestors: chain.slice(0, -1) };
}

/** Ids of the units inside any of the region subtrees, as a subquery other modules filter by. */
export function unitIdsUnderRegions(db: Db, regionCodes: string[]) {
  return q(db)
    .selectFrom('units')
    .select('id')
    .where((eb) => eb.or(regionCodes.map((code) => eb('region_code', 'like', `${regionPrefix(code)}%`))));
}

/**
 * The general office of the installation's top government (the unit of kind government in the
 * highest region, an office by name when there are several): who dispatches the public's letters
 * to the government unless configured otherwise.
 */
export async function topGovernmentOffice(db: Db): Promise<Unit | null> {
  const row = await q(db)
    .selectFrom('units')
    .selectAll()
    .where('kind', '=', 'government')
    .where('disabled_at', 'is', null)
    .orderBy(sql`length(rtrim(region_code, '0'))`)
    .orderBy(sql`case when name like '%办公室' or name like '%办公厅' then 0 else 1 end`)
    .orderBy('name')
    .limit(1)
    .executeTakeFirst();
  return row ? toUnit(row) : null;
}

export async function getUnitByCreditCode(db: Db, creditCode: string): Promise<Unit | null> {
  const row = await q(db).selectFrom('units').selectAll().where('credit_code', '=', creditCode).executeTakeFirst();
  return row ? toUnit(row) : null;
}
