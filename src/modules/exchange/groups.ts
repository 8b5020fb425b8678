/**
 * Groups of recipient units: three built in, computed from the org tree each time (全部县（市、区）
 * 政府, 全部市直部门, 全部乡镇（街道）), and the groups a unit's clerks save for themselves.
 * A built-in group leaves out disabled units; a saved group naming one makes a send fail with its name.
 */
import crypto from 'node:crypto';
import type { Db } from '../../platform/db/index.ts';
import { isUniqueViolation } from '../../platform/db/index.ts';
import type { Work } from '../../platform/db/work.ts';
import { recordAudit } from '../../platform/audit/service.ts';
import { AppError, fieldError, notFound } from '../../platform/http/errors.ts';
import { exchangeDb, type ExchangeTables } from './model.ts';

type UnitsTables = {
  units: { id: string; name: string; region_code: string; kind: string; parent_id: string | null; disabled_at: Date | null };
  regions: { code: string; level: string };
};
export const orgDb = (db: Db) => db.withTables<UnitsTables>();
/** The module's tables with the units and regions they refer to. */
export const joinedDb = (db: Db) => db.withTables<UnitsTables & ExchangeTables>();

export const BUILT_IN_GROUPS = {
  'builtin-county-governments': { key: 'exchange.group.countyGovernments', level: 'county', kinds: ['government'] },
  'builtin-city-departments': { key: 'exchange.group.cityDepartments', level: 'city', kinds: ['department'] },
  'builtin-towns': { key: 'exchange.group.towns', level: 'town', kinds: ['town', 'government'] },
} as const;
export type BuiltInGroupId = keyof typeof BUILT_IN_GROUPS;
const isBuiltIn = (id: string): id is BuiltInGroupId => Object.hasOwn(BUILT_IN_GROUPS, id);

export interface UnitGroup {
  id: string;
  name: string;
  builtIn: boolean;
  ownerUnitId: string | null;
  unitIds: string[];
}

async function builtInUnitIds(db: Db, id: BuiltInGroupId): Promise<string[]> {
  const group = BUILT_IN_GROUPS[id];
  const rows = await orgDb(db)
    .selectFrom('units as u')
    .innerJoin('regions as r', 'r.code', 'u.region_code')
    .select('u.id')
    .where('r.level', '=', group.level)
    .where('u.kind', 'in', [...group.kinds])
    .where('u.disabled_at', 'is', null)
    .orderBy('u.region_code')
    .orderBy('u.name')
    .execute();
  return rows.map((r) => r.id);
}

/** The groups a unit's clerks may send to: the built-in ones, then the unit's own and the installation's. */
export async function listGroups(db: Db, unitId: string, name: (key: string) => string): Promise<UnitGroup[]> {
  const builtIn: UnitGroup[] = [];
  for (const id of Object.keys(BUILT_IN_GROUPS) as BuiltInGroupId[]) {
    builtIn.push({ id, name: name(BUILT_IN_GROUPS[id].key), builtIn: true, ownerUnitId: null, unitIds: await builtInUnitIds(db, id) });
  }
  const saved = await exchangeDb(db)
    .selectFrom('exchange_unit_groups')
    .selectAll()
    .where((eb) => eb.or([eb('owner_unit_id', '=', unitId), eb('owner_unit_id', 'is', null)]))
    .orderBy('name')
    .execute();
  return [...builtIn, ...saved.map((g) => ({ id: g.id, name: g.name, builtIn: false, ownerUnitId: g.owner_unit_id, unitIds: g.unit_ids }))];
}

/** The units of the groups named, for a send by `unitId`; an id that is not one of its groups is refused with the id. */
export async function expandGroups(db: Db, unitId: string, groupIds: string[]): Promise<string[]> {
  const out: string[] = [];
  const saved = groupIds.filter((id) => !isBuiltIn(id));
  const rows = saved.length
    ? await exchangeDb(db)
        .selectFrom('exchange_unit_groups')
        .select(['id', 'unit_ids'])
        .where('id', 'in', saved)
        .where((eb) => eb.or([eb('owner_unit_id', '=', unitId), eb('owner_unit_id', 'is', null)]))
        .execute()
    : [];
  const byId = new Map(rows.map((r) => [r.id, r.unit_ids]));
  const unknown = saved.filter((id) => !byId.has(id));
  if (unknown.length) {
    throw new AppError('EXCHANGE_SEND_GROUP_UNKNOWN', { detail: { key: 'exchange.send.groupUnknown', params: { id: unknown[0] } }, errors: unknown.map((id) => fieldError('groupIds', 'exchange.send.groupUnknown', { id })) });
  }
  for (const id of groupIds) out.push(...(isBuiltIn(id) ? await builtInUnitIds(db, id) : byId.get(id)!));
  return out;
}

/** Checks that every unit exists (422 naming the first missing one); returns their names. */
export async function requireExistingUnits(db: Db, unitIds: string[], path: string): Promise<Map<string, { name: string; disabled: boolean }>> {
  const rows = unitIds.length ? await orgDb(db).selectFrom('units').select(['id', 'name', 'disabled_at']).where('id', 'in', unitIds).execute() : [];
  const found = new Map(rows.map((r) => [r.id, { name: r.name, disabled: r.disabled_at !== null }]));
  const missing = unitIds.filter((id) => !found.has(id));
  if (missing.length) {
    throw new AppError('EXCHANGE_SEND_UNIT_UNKNOWN', { detail: { key: 'exchange.send.unitUnknown', params: { id: missing[0] } }, errors: missing.map((id) => fieldError(path, 'exchange.send.unitUnknown', { id })) });
  }
  return found;
}

export interface GroupInput {
  name: string;
  unitIds: string[];
}

const normalize = (input: Partial<GroupInput>) => ({
  name: input.name?.trim(),
  unitIds: input.unitIds ? [...new Set(input.unitIds)] : undefined,
});

async function ownGroup(work: Work, ownerUnitId: string, id: string) {
  const row = await exchangeDb(work.tx).selectFrom('exchange_unit_groups').selectAll().where('id', '=', id).where('owner_unit_id', '=', ownerUnitId).forUpdate().executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

const duplicate = (name: string) => new AppError('DUPLICATE', { errors: [fieldError('name', 'exchange.group.nameDuplicate', { name })] });

export async function createGroup(work: Work, ownerUnitId: string, input: GroupInput, now: Date): Promise<UnitGroup> {
  const { name, unitIds } = normalize(input);
  if (!name) throw new AppError('VALIDATION_FAILED', { errors: [fieldError('name', 'exchange.group.nameRequired')] });
  await requireExistingUnits(work.tx, unitIds!, 'unitIds');
  const id = crypto.randomUUID();
  try {
    await exchangeDb(work.tx).insertInto('exchange_unit_groups').values({ id, owner_unit_id: ownerUnitId, name, unit_ids: JSON.stringify(unitIds) as never, created_at: now, updated_at: now }).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate(name);
    throw error;
  }
  recordAudit(work, { action: 'exchange.group.create', objectType: 'exchange_unit_group', objectId: id, details: { name, units: unitIds!.length } }, now);
  return { id, name, builtIn: false, ownerUnitId, unitIds: unitIds! };
}

export async function updateGroup(work: Work, ownerUnitId: string, id: string, input: Partial<GroupInput>, now: Date): Promise<UnitGroup> {
  const row = await ownGroup(work, ownerUnitId, id);
  const { name, unitIds } = normalize(input);
  if (name === '') throw new AppError('VALIDATION_FAILED', { errors: [fieldError('name', 'exchange.group.nameRequired')] });
  if (unitIds) await requireExistingUnits(work.tx, unitIds, 'unitIds');
  const next = { name: name ?? row.name, unitIds: unitIds ?? row.unit_ids };
  try {
    await exchangeDb(work.tx).updateTable('exchange_unit_groups').set({ name: next.name, unit_ids: JSON.stringify(next.unitIds) as never, updated_at: now }).where('id', '=', id).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate(next.name);
    throw error;
  }
  recordAudit(work, { action: 'exchange.group.update', objectType: 'exchange_unit_group', objectId: id, details: { name: next.name, units: next.unitIds.length } }, now);
  return { id, name: next.name, builtIn: false, ownerUnitId, unitIds: next.unitIds };
}

export async function deleteGroup(work: Work, ownerUnitId: string, id: string, now: Date): Promise<void> {
  const row = await ownGroup(work, ownerUnitId, id);
  await exchangeDb(work.tx).deleteFrom('exchange_unit_groups').where('id', '=', id).execute();
  recordAudit(work, { action: 'exchange.group.delete', objectType: 'exchange_unit_group', objectId: id, details: { name: row.name } }, now);
}
