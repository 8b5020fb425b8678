/**
 * Reads of the service-item catalogue (事项目录): items with their standard elements and process,
 * versioned. A code names an item across its versions; at most one version of a code is
 * published and at most one is a draft (partial unique indexes). Published, superseded and
 * withdrawn versions are never changed again except for their status: editing them makes a
 * new draft, and every case records the version it was filed under.
 */
import type { Db } from '../../../platform/db/index.ts';
import type { FileAccessPolicy } from '../../../platform/files/service.ts';
import { escapeLike, sql } from '../../../platform/db/index.ts';
import { AppError, notFound } from '../../../platform/http/errors.ts';
import { keysetPage, type Keyset } from '../../../platform/db/pagination.ts';
import type { ProcessDefinition } from '../../../platform/flow/engine.ts';
import { coversUnit, hasPermission, scopesFor, type Principal } from '../../../platform/iam/principal.ts';
import { getUnit, listUnits, unitIdsUnderRegions, type Unit } from '../../../platform/org/service.ts';
import type { ApprovalTables, HandlingType, ItemInput, ItemRow, ItemStatus, Target } from '../model.ts';
import type { UnitNameResolver } from '../catalogue-excel.ts';

/** Managing the catalogue (create, edit, publish, withdraw, import) within the role's scope. */
export const CATALOGUE_PERMISSION = 'approval.catalogue';

export interface Item {
  id: string;
  code: string;
  version: number;
  status: ItemStatus;
  name: string;
  kind: ItemInput['kind'];
  unitId: string;
  legalBasis: string;
  conditions: string;
  materials: ItemInput['materials'];
  statutoryDays: number;
  promisedDays: number;
  fee: ItemInput['fee'];
  resultName: string;
  maxVisits: number;
  consultPhone: string;
  complaintPhone: string;
  process: ProcessDefinition;
  formFields: NonNullable<ItemInput['formFields']>;
  themes: string[];
  lifeEvents: string[];
  targets: Target[];
  place: string;
  hours: string;
  handlingType: HandlingType;
  faq: NonNullable<ItemInput['faq']>;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  /** Optimistic lock of a draft: send it back with an edit or a publish. */
  editVersion: number;
}

export const toItem = (r: ItemRow): Item => ({
  id: r.id,
  code: r.code,
  version: r.version,
  status: r.status,
  name: r.name,
  kind: r.kind,
  unitId: r.unit_id,
  legalBasis: r.legal_basis,
  conditions: r.conditions,
  materials: r.materials,
  statutoryDays: r.statutory_days,
  promisedDays: r.promised_days,
  fee: r.fee,
  resultName: r.result_name,
  maxVisits: r.max_visits,
  consultPhone: r.consult_phone,
  complaintPhone: r.complaint_phone,
  process: r.process,
  formFields: r.form_fields,
  themes: r.themes,
  lifeEvents: r.life_events,
  targets: r.targets,
  place: r.place,
  hours: r.hours,
  handlingType: r.handling_type,
  faq: r.faq,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  publishedAt: r.published_at,
  editVersion: r.edit_version,
});

/** The standard elements of an item as input again (export, copying a version). */
export function toItemInput(item: Item): ItemInput & { code: string } {
  return {
    code: item.code,
    name: item.name,
    kind: item.kind,
    unitId: item.unitId,
    legalBasis: item.legalBasis,
    conditions: item.conditions,
    materials: item.materials,
    statutoryDays: item.statutoryDays,
    promisedDays: item.promisedDays,
    fee: item.fee,
    resultName: item.resultName,
    maxVisits: item.maxVisits,
    consultPhone: item.consultPhone,
    complaintPhone: item.complaintPhone,
    process: item.process as ItemInput['process'],
    formFields: item.formFields,
    themes: item.themes,
    lifeEvents: item.lifeEvents,
    targets: item.targets,
    place: item.place,
    hours: item.hours,
    handlingType: item.handlingType,
    faq: item.faq,
  };
}


export const q = (db: Db) => db.withTables<ApprovalTables>();

// ---------------------------------------------------------------- reading

export async function getItem(db: Db, id: string): Promise<Item | null> {
  const row = await q(db).selectFrom('approval_items').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toItem(row) : null;
}

/** A version as cases filed under it see it: everything but its status, which moves on after publication. */
export type FiledItem = Omit<Item, 'status' | 'updatedAt'>;

const FILED_CACHE_SIZE = 5000;
const filedItems = new Map<string, FiledItem>();

/**
 * The version a case was filed under. A version's content never changes once published (an edit
 * makes a new draft), so published ones are kept in memory: every action on a case needs its
 * process and time limits, and reading them again each time would cost a statement per action.
 */
export async function getFiledItem(db: Db, id: string): Promise<FiledItem | null> {
  const known = filedItems.get(id);
  if (known) return known;
  const item = await getItem(db, id);
  if (!item || item.status === 'draft') return item;
  if (filedItems.size >= FILED_CACHE_SIZE) filedItems.delete(filedItems.keys().next().value!);
  const { status: _status, updatedAt: _updatedAt, ...filed } = item;
  filedItems.set(id, filed);
  return filed;
}

/** The version of a code citizens apply to now, or null (never published, or withdrawn). */
export async function getPublishedItemByCode(db: Db, code: string): Promise<Item | null> {
  const row = await q(db).selectFrom('approval_items').selectAll().where('code', '=', code).where('status', '=', 'published').executeTakeFirst();
  return row ? toItem(row) : null;
}

/** Whether the caller manages items of the unit; null is the system itself (command line, demo). */
export async function mayManageUnit(db: Db, principal: Principal | null, unitId: string): Promise<boolean> {
  if (!principal) return true;
  if (!hasPermission(principal, CATALOGUE_PERMISSION)) return false;
  const unit = await getUnit(db, unitId);
  return !!unit && coversUnit(principal, CATALOGUE_PERMISSION, unit);
}

/**
 * One version as a viewer may see it: anything once published is public; a draft only to
 * whoever manages its unit. Anything else is 404. `viewer` null is an anonymous caller.
 */
export async function getItemFor(db: Db, viewer: Principal | null, id: string): Promise<Item> {
  const item = await getItem(db, id);
  if (!item) throw notFound();
  if (item.status === 'draft' && !(viewer && (await mayManageUnit(db, viewer, item.unitId)))) throw notFound();
  return item;
}

/** Every version of the item's code, newest first; drafts only for whoever manages them. */
export async function listItemVersions(db: Db, viewer: Principal | null, id: string): Promise<Item[]> {
  const item = await getItemFor(db, viewer, id);
  const rows = await q(db).selectFrom('approval_items').selectAll().where('code', '=', item.code).orderBy('version', 'desc').execute();
  const out: Item[] = [];
  for (const row of rows) {
    if (row.status === 'draft' && !(viewer && (await mayManageUnit(db, viewer, row.unit_id)))) continue;
    out.push(toItem(row));
  }
  return out;
}

export interface ItemFilter {
  /** Default 'published'. Drafts need the catalogue permission and are limited to its scope. */
  status?: ItemStatus;
  unitId?: string;
  /** Name (or code) contains this text. */
  q?: string;
  theme?: string;
  lifeEvent?: string;
  /** 申请对象: items open to natural persons or to legal persons. */
  target?: Target;
  kind?: ItemInput['kind'];
  code?: string;
  limit?: number;
  cursor?: string;
}

/** The catalogue's order: by code, then version. */
const BY_CODE: Keyset<{ code: string; version: number }> = {
  keys: [
    { by: 'code', kind: 'text', of: (r) => r.code },
    { by: 'version', kind: 'integer', of: (r) => r.version },
  ],
  order: 'asc',
};

/** Files of an item's materials (空白表格, 示例样表) are attached to its code: every version shares them. */
export const ITEM_FILE_OWNER = 'approval.item';

/**
 * Who may download an item's blank forms and examples (the files module's policy for
 * ITEM_FILE_OWNER, the owner being the code): anyone once a version of the code has been
 * published; before that, whoever manages the draft's unit.
 */
export const mayDownloadItemFiles: FileAccessPolicy = async (platform, principal, code) => {
  const rows = await q(platform.db).selectFrom('approval_items').select(['status', 'unit_id']).where('code', '=', code).execute();
  if (rows.some((r) => r.status !== 'draft')) return true;
  for (const row of rows) if (principal && (await mayManageUnit(platform.db, principal, row.unit_id))) return true;
  return false;
};

/** Lists items by code, with keyset pagination. */
export async function listItems(db: Db, viewer: Principal | null, filter: ItemFilter): Promise<{ items: Item[]; nextCursor: string | null }> {
  const status = filter.status ?? 'published';
  const limit = Math.min(Math.max(filter.limit ?? 20, 1), 200);
  let query = q(db).selectFrom('approval_items').selectAll().where('status', '=', status);
  if (status === 'draft') {
    if (!viewer) throw new AppError('AUTH_REQUIRED');
    if (!hasPermission(viewer, CATALOGUE_PERMISSION)) throw new AppError('FORBIDDEN', { detail: { key: 'approval.catalogue.draftsNeedPermission' } });
    const scopes = scopesFor(viewer, CATALOGUE_PERMISSION);
    const unitIds = scopes.flatMap((s) => ('unitId' in s ? [s.unitId] : []));
    const regions = scopes.flatMap((s) => ('regionCode' in s ? [s.regionCode] : []));
    query = query.where((eb) =>
      eb.or([
        ...(unitIds.length ? [eb('unit_id', 'in', unitIds)] : []),
        ...(regions.length ? [eb('unit_id', 'in', unitIdsUnderRegions(db, regions) as never)] : []),
        sql<boolean>`false`,
      ]),
    );
  }
  if (filter.unitId) query = query.where('unit_id', '=', filter.unitId);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.code) query = query.where('code', '=', filter.code);
  if (filter.theme) query = query.where(sql<boolean>`themes @> ${JSON.stringify([filter.theme])}::jsonb`);
  if (filter.target) query = query.where(sql<boolean>`targets @> ${JSON.stringify([filter.target])}::jsonb`);
  if (filter.lifeEvent) query = query.where(sql<boolean>`life_events @> ${JSON.stringify([filter.lifeEvent])}::jsonb`);
  const text = filter.q?.trim();
  if (text) {
    // ILIKE finds any substring, Chinese included, and uses the trigram index from three
    // characters on; similarity (%) adds near misses of longer queries where the server's
    // locale lets pg_trgm see the characters.
    const pattern = `%${escapeLike(text)}%`;
    query = query.where((eb) =>
      eb.or([eb('name', 'ilike', pattern), eb('code', 'ilike', pattern), ...(text.length >= 3 ? [sql<boolean>`name % ${text}`] : [])]),
    );
  }
  const page = await keysetPage(query, BY_CODE, { limit, cursor: filter.cursor });
  return { items: page.items.map(toItem), nextCursor: page.nextCursor };
}

/** Every item of a status for export: published ones of any unit, drafts within the caller's scope. */
export async function catalogueForExport(db: Db, principal: Principal | null, filter: { status: 'published' | 'draft'; unitId?: string }): Promise<Item[]> {
  const out: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await listItems(db, principal, { status: filter.status, unitId: filter.unitId, limit: 200, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < 20_000);
  return out;
}

/** Units of exactly that name. */
export async function findUnitsByName(db: Db, name: string): Promise<Unit[]> {
  const page = await listUnits(db, { q: name, limit: 200 });
  return page.items.filter((u) => u.name === name);
}

/**
 * Resolves a unit written by name in a spreadsheet: exactly one unit of that name, among those
 * the caller manages when it is an item's own unit (any unit may hold a step).
 */
export function unitNameResolver(db: Db, principal: Principal | null): UnitNameResolver {
  const cache = new Map<string, Unit[]>();
  return async (name, purpose) => {
    let units = cache.get(name);
    if (!units) {
      units = await findUnitsByName(db, name);
      cache.set(name, units);
    }
    if (purpose === 'item' && principal) units = units.filter((u) => hasPermission(principal, CATALOGUE_PERMISSION) && coversUnit(principal, CATALOGUE_PERMISSION, u));
    if (units.length === 0) return { error: 'unitUnknown' };
    if (units.length > 1) return { error: 'unitAmbiguous' };
    return { id: units[0].id };
  };
}
