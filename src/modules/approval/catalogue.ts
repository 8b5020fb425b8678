/**
 * The service-item catalogue (事项目录): items with their standard elements and process,
 * versioned. A code names an item across its versions; at most one version of a code is
 * published and at most one is a draft (partial unique indexes). Published, superseded and
 * withdrawn versions are never changed again except for their status: editing them makes a
 * new draft, and every case records the version it was filed under.
 */
import crypto from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import { Type, type TUnion } from '@sinclair/typebox';
import type { Db } from '../../platform/db/index.ts';
import { escapeLike, isUniqueViolation, sql } from '../../platform/db/index.ts';
import { inTransaction, type Actor, type Work } from '../../platform/db/work.ts';
import { recordAudit } from '../../platform/audit/service.ts';
import { AppError, conflict, fieldError, invalid, notFound, type FieldError } from '../../platform/http/errors.ts';
import { keysetPage, type Keyset } from '../../platform/db/pagination.ts';
import { validationFieldErrors } from '../../platform/http/validation.ts';
import { coversUnit, hasPermission, scopesFor, type Principal } from '../../platform/iam/principal.ts';
import { getUnit, getUnits, listUnits, unitIdsUnderRegions, type Unit } from '../../platform/org/service.ts';
import { allSteps, stageSteps, validateDefinition, type ProcessDefinition } from '../../platform/flow/engine.ts';
import type { Platform } from '../../platform/module.ts';
import { Strict } from '../../platform/http/schemas.ts';
import { ItemInputSchema, ProcessSchema, type ApprovalTables, type ItemInput, type ItemRow, type ItemStatus } from './model.ts';
import type { UnitNameResolver } from './catalogue-excel.ts';

/** Managing the catalogue (create, edit, publish, withdraw, import) within the role's scope. */
export const CATALOGUE_PERMISSION = 'approval.catalogue';

/** Roles that may hold the acceptance (受理) step, and those that may hold the later ones. */
export const ACCEPTANCE_ROLES = ['window_clerk', 'village_officer'] as const;
export const REVIEW_ROLES = ['approver', 'unit_leader'] as const;
/** Acceptance must happen within 5 working days of submission. */
export const ACCEPTANCE_DAYS_MAX = 5;
/** Most items one import may hold. */
export const IMPORT_MAX_ITEMS = 1000;
/** Largest import file, JSON or Excel (the console's import page; the API route keeps the same limit). */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;

const KIND_MARK: Record<ItemInput['kind'], string> = { licensing: 'XK', non_licensing: 'FX', public_service: 'GG' };

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
  };
}

const q = (db: Db) => db.withTables<ApprovalTables>();
const json = (value: unknown) => JSON.stringify(value) as never;

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

// ---------------------------------------------------------------- checking

const PHONE = /^[0-9+()\- ]+$/;

/** Trims texts, drops what does not apply, removes repeated themes. */
export function normalizeInput(input: ItemInput): ItemInput {
  const unique = (list: string[] | undefined) => [...new Set((list ?? []).map((s) => s.trim()).filter(Boolean))];
  const fee: ItemInput['fee'] = { charged: input.fee.charged };
  if (input.fee.basis?.trim()) fee.basis = input.fee.basis.trim();
  if (input.fee.amountFen !== undefined && (input.fee.charged || input.fee.amountFen !== 0)) fee.amountFen = input.fee.amountFen;
  return {
    ...(input.code ? { code: input.code } : {}),
    name: input.name.trim(),
    kind: input.kind,
    unitId: input.unitId,
    legalBasis: input.legalBasis.trim(),
    conditions: input.conditions.trim(),
    materials: input.materials.map(({ description, ...m }) => ({ ...m, name: m.name.trim(), ...(description?.trim() ? { description: description.trim() } : {}) })),
    statutoryDays: input.statutoryDays,
    promisedDays: input.promisedDays,
    fee,
    resultName: input.resultName.trim(),
    maxVisits: input.maxVisits,
    consultPhone: input.consultPhone.trim(),
    complaintPhone: input.complaintPhone.trim(),
    process: {
      stages: input.process.stages.map((stage) =>
        'parallel' in stage ? { parallel: stage.parallel.map((s) => ({ ...s, name: s.name.trim() })), ...(stage.mode ? { mode: stage.mode } : {}) } : { ...stage, name: stage.name.trim() },
      ),
    },
    formFields: (input.formFields ?? []).map((f) => ({ ...f, label: f.label.trim() })),
    themes: unique(input.themes),
    lifeEvents: unique(input.lifeEvents),
  };
}

/** Looks units up once per check (an import checks a thousand items against the same units). */
export type UnitLookup = (ids: string[]) => Promise<Map<string, Unit>>;
export const unitLookup = (db: Db): UnitLookup => {
  const cache = new Map<string, Unit | null>();
  return async (ids) => {
    const missing = [...new Set(ids)].filter((id) => !cache.has(id));
    if (missing.length) {
      const found = await getUnits(db, missing);
      for (const id of missing) cache.set(id, found.find((u) => u.id === id) ?? null);
    }
    const out = new Map<string, Unit>();
    for (const id of ids) {
      const unit = cache.get(id);
      if (unit) out.set(id, unit);
    }
    return out;
  };
};

/**
 * The semantic checks on top of the schema: time limits, materials, fee, phones, and a process
 * that can run (every step's unit exists; the first stage is one acceptance step by a window
 * clerk, or by a village officer at a town or village unit; later steps by approvers or leaders;
 * the steps after acceptance fit in the promised days). Paths are relative to the item, after
 * `pathPrefix` ('body.' for a request body). Writes nothing.
 */
export async function checkItem(
  db: Db,
  principal: Principal | null,
  input: ItemInput,
  options: { pathPrefix?: string; units?: UnitLookup } = {},
): Promise<FieldError[]> {
  const p = options.pathPrefix ?? '';
  const errors: FieldError[] = [];
  const add = (path: string, key: string, params?: Record<string, unknown>) => errors.push(fieldError(`${p}${path}`, `approval.catalogue.${key}`, params));

  for (const field of ['name', 'legalBasis', 'conditions', 'resultName'] as const) if (!input[field].trim()) add(field, 'blank');
  for (const field of ['consultPhone', 'complaintPhone'] as const) {
    const phone = input[field].trim();
    if (!PHONE.test(phone) || phone.replace(/\D/g, '').length < 3) add(field, 'phoneInvalid');
  }
  if (input.promisedDays > input.statutoryDays) add('promisedDays', 'promisedOverStatutory', { promised: input.promisedDays, statutory: input.statutoryDays });

  const materialKeys = new Set<string>();
  input.materials.forEach((m, i) => {
    if (materialKeys.has(m.key)) add(`materials.${i}.key`, 'materialKeyDuplicate', { key: m.key });
    materialKeys.add(m.key);
    if (!m.name.trim()) add(`materials.${i}.name`, 'blank');
  });
  const fieldKeys = new Set<string>();
  (input.formFields ?? []).forEach((f, i) => {
    if (fieldKeys.has(f.key)) add(`formFields.${i}.key`, 'formFieldKeyDuplicate', { key: f.key });
    fieldKeys.add(f.key);
    if (f.type === 'select' && !f.options?.length) add(`formFields.${i}.options`, 'selectNeedsOptions');
    if (f.type !== 'select' && f.options?.length) add(`formFields.${i}.options`, 'optionsOnlyForSelect');
  });

  if (input.fee.charged) {
    if (!input.fee.amountFen) add('fee.amountFen', 'feeAmountRequired');
    if (!input.fee.basis?.trim()) add('fee.basis', 'feeBasisRequired');
  } else if (input.fee.amountFen) add('fee.amountFen', 'feeAmountNotCharged');

  // The process.
  for (const problem of validateDefinition(input.process)) {
    const cut = problem.indexOf(': ');
    const path = cut > 0 ? problem.slice(0, cut) : 'stages';
    const reason = cut > 0 ? problem.slice(cut + 2) : problem;
    const twice = /"(.+)" is used twice/.exec(reason);
    if (twice) add(`process.${path}`, 'stepKeyDuplicate', { key: twice[1] });
    else add(`process.${path}`, 'processInvalid', { reason });
  }
  const lookup = options.units ?? unitLookup(db);
  const steps = allSteps(input.process);
  const units = await lookup([input.unitId, ...steps.map((s) => s.unitId)]);
  const itemUnit = units.get(input.unitId);
  if (!itemUnit || (principal && !(hasPermission(principal, CATALOGUE_PERMISSION) && coversUnit(principal, CATALOGUE_PERMISSION, itemUnit)))) add('unitId', 'unitMissing');

  let laterDays = 0;
  input.process.stages.forEach((stage, i) => {
    const stageSteps_ = stageSteps(stage);
    stageSteps_.forEach((step, j) => {
      const path = 'parallel' in stage ? `process.stages.${i}.parallel.${j}` : `process.stages.${i}`;
      const unit = units.get(step.unitId);
      if (!unit) add(`${path}.unitId`, 'stepUnitMissing');
      const accepting = (ACCEPTANCE_ROLES as readonly string[]).includes(step.role);
      if (i === 0 && !('parallel' in stage)) {
        if (!accepting) add(`${path}.role`, 'firstStageAcceptance');
        else if (step.role === 'village_officer' && unit && unit.kind !== 'village' && unit.kind !== 'town') add(`${path}.role`, 'villageOfficerUnit');
        if (step.days > ACCEPTANCE_DAYS_MAX) add(`${path}.days`, 'acceptanceDaysMax', { max: ACCEPTANCE_DAYS_MAX });
      } else if (i > 0 && accepting) add(`${path}.role`, 'acceptanceRoleLater');
    });
    if (i === 0 && 'parallel' in stage) add('process.stages.0', 'firstStageAcceptance');
    if (i > 0) laterDays += Math.max(...stageSteps_.map((s) => s.days));
  });
  if (laterDays > input.promisedDays) add('process.stages', 'processLongerThanPromised', { days: laterDays, promised: input.promisedDays });
  return errors;
}

// ---------------------------------------------------------------- writing

function columnsOf(input: ItemInput) {
  return {
    name: input.name,
    kind: input.kind,
    unit_id: input.unitId,
    legal_basis: input.legalBasis,
    conditions: input.conditions,
    materials: json(input.materials),
    statutory_days: input.statutoryDays,
    promised_days: input.promisedDays,
    fee: json(input.fee),
    result_name: input.resultName,
    max_visits: input.maxVisits,
    consult_phone: input.consultPhone,
    complaint_phone: input.complaintPhone,
    process: json(input.process),
    form_fields: json(input.formFields ?? []),
    themes: json(input.themes ?? []),
    life_events: json(input.lifeEvents ?? []),
  };
}

/**
 * A new human-friendly code: the unit's region code, the kind (XK licensing 行政许可,
 * FX non-licensing 非许可审批, GG public service 公共服务) and a sequence per prefix,
 * e.g. 440303-XK-0007. The prefix is locked for the rest of the transaction.
 */
export async function generateCode(work: Work, unit: Pick<Unit, 'regionCode'>, kind: ItemInput['kind']): Promise<string> {
  const prefix = `${unit.regionCode}-${KIND_MARK[kind]}-`;
  await sql`select pg_advisory_xact_lock(hashtext(${`approval.code:${prefix}`}))`.execute(work.tx);
  const rows = await q(work.tx).selectFrom('approval_items').select('code').distinct().where('code', 'like', `${escapeLike(prefix)}%`).execute();
  let max = 0;
  for (const { code } of rows) {
    const rest = code.slice(prefix.length);
    if (/^\d{1,9}$/.test(rest)) max = Math.max(max, Number(rest));
  }
  return `${prefix}${String(max + 1).padStart(4, '0')}`;
}

async function codeTaken(db: Db, code: string): Promise<boolean> {
  return !!(await q(db).selectFrom('approval_items').select('id').where('code', '=', code).limit(1).executeTakeFirst());
}

const duplicateCode = (code: string, pathPrefix: string) => new AppError('DUPLICATE', { errors: [fieldError(`${pathPrefix}code`, 'approval.catalogue.codeDuplicate', { code })] });

export interface WriteOptions {
  /** Prefix of field paths in errors: 'body.' for a request body. */
  pathPrefix?: string;
}

/** Inserts a checked draft as version 1 (code given or generated). */
async function insertDraft(work: Work, platform: Platform, input: ItemInput, unit: Pick<Unit, 'regionCode'>, pathPrefix: string, via?: string): Promise<Item> {
  const code = input.code ?? (await generateCode(work, unit, input.kind));
  if (input.code && (await codeTaken(work.tx, input.code))) throw duplicateCode(input.code, pathPrefix);
  const now = platform.clock.now();
  let row: ItemRow;
  try {
    row = await q(work.tx)
      .insertInto('approval_items')
      .values({ id: crypto.randomUUID(), code, version: 1, status: 'draft', ...columnsOf(input), created_by: work.actor.userId, created_at: now, updated_at: now, published_at: null })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateCode(code, pathPrefix);
    throw error;
  }
  recordAudit(work, { action: 'approval.item.create', objectType: 'approval_item', objectId: row.id, details: { code, version: 1, name: row.name, unitId: row.unit_id, via } }, now);
  return toItem(row);
}

/**
 * Creates a draft (version 1). `principal` null acts as the system, without scope limits.
 * Refused with every problem at once (400 VALIDATION_FAILED); a code already used is 409 DUPLICATE.
 */
export async function createItem(work: Work, platform: Platform, principal: Principal | null, input: ItemInput, options: WriteOptions = {}): Promise<Item> {
  const pathPrefix = options.pathPrefix ?? '';
  const normalized = normalizeInput(input);
  const errors = await checkItem(work.tx, principal, normalized, { pathPrefix });
  if (errors.length) throw invalid(errors);
  const unit = (await getUnit(work.tx, normalized.unitId))!;
  return insertDraft(work, platform, normalized, unit, pathPrefix);
}

async function lockItem(work: Work, principal: Principal | null, id: string): Promise<ItemRow> {
  const row = await q(work.tx).selectFrom('approval_items').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row || !(await mayManageUnit(work.tx, principal, row.unit_id))) throw notFound();
  return row;
}

/**
 * Changes a draft. `editVersion`, when given, must be the draft's current one (409 otherwise).
 * A draft of an item that has been published keeps its code.
 */
export async function updateDraft(
  work: Work,
  platform: Platform,
  principal: Principal | null,
  id: string,
  input: ItemInput,
  options: WriteOptions & { editVersion?: number; via?: string } = {},
): Promise<Item> {
  const pathPrefix = options.pathPrefix ?? '';
  const row = await lockItem(work, principal, id);
  if (row.status !== 'draft') throw new AppError('INVALID_STATE', { detail: { key: 'approval.catalogue.notDraft' } });
  if (options.editVersion !== undefined && options.editVersion !== row.edit_version) throw conflict();
  const normalized = normalizeInput(input);
  const errors = await checkItem(work.tx, principal, normalized, { pathPrefix });
  const code = normalized.code ?? row.code;
  if (code !== row.code) {
    if (row.version > 1) errors.push(fieldError(`${pathPrefix}code`, 'approval.catalogue.codeFixed', { code: row.code }));
    else if (await codeTaken(work.tx, code)) throw duplicateCode(code, pathPrefix);
  }
  if (errors.length) throw invalid(errors);
  return writeDraft(work, platform, row, { ...normalized, code }, pathPrefix, options.via);
}

async function writeDraft(work: Work, platform: Platform, row: ItemRow, input: ItemInput & { code: string }, pathPrefix: string, via?: string): Promise<Item> {
  const now = platform.clock.now();
  let updated: ItemRow | undefined;
  try {
    updated = await q(work.tx)
      .updateTable('approval_items')
      .set({ ...columnsOf(input), code: input.code, updated_at: now, edit_version: row.edit_version + 1 })
      .where('id', '=', row.id)
      .where('status', '=', 'draft')
      .where('edit_version', '=', row.edit_version)
      .returningAll()
      .executeTakeFirst();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateCode(input.code, pathPrefix);
    throw error;
  }
  if (!updated) throw conflict();
  const details: Record<string, unknown> = { code: updated.code, version: updated.version, editVersion: updated.edit_version, via };
  if (input.code !== row.code) details.previousCode = row.code;
  recordAudit(work, { action: 'approval.item.update', objectType: 'approval_item', objectId: row.id, details }, now);
  return toItem(updated);
}

/**
 * The draft to edit an item that has been published: the existing draft of its code, or a new
 * version copying the published one (or, with none published, the newest version).
 */
export async function editPublished(work: Work, platform: Platform, principal: Principal | null, id: string): Promise<{ item: Item; created: boolean }> {
  const row = await q(work.tx).selectFrom('approval_items').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !(await mayManageUnit(work.tx, principal, row.unit_id))) throw notFound();
  if (row.status === 'draft') return { item: toItem(row), created: false };
  const versions = await q(work.tx).selectFrom('approval_items').selectAll().where('code', '=', row.code).orderBy('version', 'desc').execute();
  const draft = versions.find((v) => v.status === 'draft');
  if (draft) return { item: toItem(draft), created: false };
  const base = versions.find((v) => v.status === 'published') ?? versions[0];
  const now = platform.clock.now();
  const version = versions[0].version + 1;
  const inserted = await q(work.tx)
    .insertInto('approval_items')
    .values({
      id: crypto.randomUUID(),
      code: base.code,
      version,
      status: 'draft',
      ...columnsOf(toItemInput(toItem(base))),
      created_by: work.actor.userId,
      created_at: now,
      updated_at: now,
      published_at: null,
    })
    // Someone else opened the draft at the same moment: theirs is the draft.
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) {
    const existing = await q(work.tx).selectFrom('approval_items').selectAll().where('code', '=', row.code).where('status', '=', 'draft').executeTakeFirst();
    if (!existing) throw conflict();
    return { item: toItem(existing), created: false };
  }
  recordAudit(work, { action: 'approval.item.draft', objectType: 'approval_item', objectId: inserted.id, details: { code: inserted.code, version, from: base.version } }, now);
  return { item: toItem(inserted), created: true };
}

/**
 * PUT semantics: a draft is changed in place; a version that has been published is never
 * changed: the edit becomes a new draft of its code (`created`). If that code already has a
 * draft, the edit is refused (409) rather than overwrite it: the caller edits that draft.
 */
export async function saveItem(
  work: Work,
  platform: Platform,
  principal: Principal | null,
  id: string,
  input: ItemInput,
  options: WriteOptions & { editVersion?: number } = {},
): Promise<{ item: Item; created: boolean }> {
  const row = await q(work.tx).selectFrom('approval_items').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !(await mayManageUnit(work.tx, principal, row.unit_id))) throw notFound();
  if (row.status === 'draft') return { item: await updateDraft(work, platform, principal, id, input, options), created: false };
  const draft = await q(work.tx).selectFrom('approval_items').select(['id', 'version']).where('code', '=', row.code).where('status', '=', 'draft').executeTakeFirst();
  if (draft) throw new AppError('CONFLICT', { detail: { key: 'approval.catalogue.draftExists', params: { version: draft.version } }, extra: { draftId: draft.id } });
  const opened = await editPublished(work, platform, principal, id);
  if (!opened.created) throw conflict();
  const item = await updateDraft(work, platform, principal, opened.item.id, input, { pathPrefix: options.pathPrefix });
  return { item, created: true };
}

/**
 * Publishes a draft: it is checked again, the version published so far becomes superseded and
 * this one published, in one transaction. Publishing anything but a draft (including the loser of
 * two simultaneous publishes) is 409 CONFLICT.
 */
export async function publishItem(
  work: Work,
  platform: Platform,
  principal: Principal | null,
  id: string,
  options: { editVersion?: number; via?: string } = {},
): Promise<Item & { supersededVersion: number | null }> {
  const row = await lockItem(work, principal, id);
  if (row.status !== 'draft') throw new AppError('CONFLICT', { detail: { key: 'approval.catalogue.notDraftToPublish' } });
  if (options.editVersion !== undefined && options.editVersion !== row.edit_version) throw conflict();
  const errors = await checkItem(work.tx, principal, toItemInput(toItem(row)));
  if (errors.length) throw invalid(errors);
  return publishRow(work, platform, row, options.via);
}

async function publishRow(work: Work, platform: Platform, row: ItemRow, via?: string): Promise<Item & { supersededVersion: number | null }> {
  const now = platform.clock.now();
  const previous = await q(work.tx)
    .updateTable('approval_items')
    .set({ status: 'superseded', updated_at: now })
    .where('code', '=', row.code)
    .where('status', '=', 'published')
    .returning(['id', 'version'])
    .executeTakeFirst();
  const published = await q(work.tx)
    .updateTable('approval_items')
    .set({ status: 'published', published_at: now, updated_at: now })
    .where('id', '=', row.id)
    .where('status', '=', 'draft')
    .returningAll()
    .executeTakeFirst();
  if (!published) throw conflict();
  recordAudit(
    work,
    { action: 'approval.item.publish', objectType: 'approval_item', objectId: row.id, details: { code: row.code, version: row.version, superseded: previous?.version ?? null, via } },
    now,
  );
  return { ...toItem(published), supersededVersion: previous?.version ?? null };
}

/** Stops a published item from accepting applications; cases already filed go on. */
export async function withdrawItem(work: Work, platform: Platform, principal: Principal | null, id: string, options: { reason?: string } = {}): Promise<Item> {
  const row = await lockItem(work, principal, id);
  if (row.status !== 'published') throw new AppError('INVALID_STATE', { detail: { key: 'approval.catalogue.notPublished' } });
  const now = platform.clock.now();
  const updated = await q(work.tx).updateTable('approval_items').set({ status: 'withdrawn', updated_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  recordAudit(work, { action: 'approval.item.withdraw', objectType: 'approval_item', objectId: id, details: { code: row.code, version: row.version, reason: options.reason } }, now);
  return toItem(updated);
}

// ---------------------------------------------------------------- import

/** One item read from a file, with the way to name a place in it for an error. */
export interface ImportEntry {
  value: unknown;
  /** Turns a path inside the item ('promisedDays', 'materials.2.key') into a path in the file. */
  pathOf(path: string): string;
  /** How to refer to the entry itself in a message ('items.3', '事项!5:5'). */
  label: string;
}

export interface ImportResult {
  created: number;
  updated: number;
  published: number;
  items: Array<{ id: string; code: string; version: number; status: ItemStatus }>;
}

const schemaAjv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
// The process is checked stage by stage, each against the shape it claims (one step, or
// parallel steps): checked as a union, one wrong cell would be reported against every branch.
const [stepShape, parallelShape] = (ProcessSchema.properties.stages.items as TUnion).anyOf;
const checkItemShape = schemaAjv.compile(
  Strict({ ...ItemInputSchema.properties, process: Strict({ stages: Type.Array(Type.Unknown(), { minItems: 1, maxItems: 30 }) }) }),
);
const checkStep = schemaAjv.compile(stepShape);
const checkParallel = schemaAjv.compile(parallelShape);
const checkWhole = schemaAjv.compile(ItemInputSchema);

function ajvErrors(check: ValidateFunction, value: unknown, prefix: string): FieldError[] {
  if (check(value)) return [];
  const raw = check.errors ?? [];
  const zh = validationFieldErrors(raw, prefix, 'zh-CN');
  const en = validationFieldErrors(raw, prefix, 'en');
  return zh.map((e, i) => ({ path: e.path.replace(/^\./, ''), message: { 'zh-CN': (e.message as { 'zh-CN': string })['zh-CN'], en: (en[i].message as { en: string }).en } }));
}

/** Schema errors of one item, in both languages, with paths relative to the item. */
function schemaErrors(value: unknown): FieldError[] {
  const errors = ajvErrors(checkItemShape, value, '');
  const stages = (value as { process?: { stages?: unknown } } | null)?.process?.stages;
  if (Array.isArray(stages)) {
    stages.slice(0, 30).forEach((stage, i) => {
      const parallel = !!stage && typeof stage === 'object' && 'parallel' in stage;
      errors.push(...ajvErrors(parallel ? checkParallel : checkStep, stage, `process.stages.${i}`));
    });
  }
  return errors.length ? errors : ajvErrors(checkWhole, value, '');
}

/** The items of a JSON import, each named by its place in the file ('items.3.promisedDays'). */
export function jsonImportEntries(items: unknown[]): ImportEntry[] {
  return items.map((value, i) => ({ value, label: `items.${i}`, pathOf: (path: string) => (path ? `items.${i}.${path}` : `items.${i}`) }));
}

/** Rewrites errors from item-relative paths into the file's paths. */
const placed = (entry: ImportEntry, errors: FieldError[]) => errors.map((e) => ({ ...e, path: entry.pathOf(e.path) }));

/**
 * Imports items: every entry is checked first (schema, semantics, codes unique in the file,
 * existing codes inside the caller's scope) and one bad entry imports nothing, with every problem
 * reported (422 IMPORT_FAILED). Then, in one transaction: a new code becomes a draft version 1,
 * a code with a draft updates that draft, a code already published gets a new draft version;
 * with `publish` each is published at once. `readErrors` are problems the file reader found.
 */
export async function importCatalogue(
  platform: Platform,
  principal: Principal | null,
  actor: Actor,
  entries: ImportEntry[],
  options: { publish?: boolean; readErrors?: FieldError[]; format?: string } = {},
): Promise<ImportResult> {
  const errors: FieldError[] = [...(options.readErrors ?? [])];
  const bad = new Set<ImportEntry>();
  if (entries.length === 0 && errors.length === 0) throw new AppError('IMPORT_FAILED', { errors: [fieldError('items', 'approval.catalogue.import.empty')], extra: { badItems: 0 } });
  if (entries.length > IMPORT_MAX_ITEMS) {
    throw new AppError('IMPORT_FAILED', { errors: [fieldError('items', 'approval.catalogue.import.tooMany', { max: IMPORT_MAX_ITEMS })], extra: { badItems: 0 } });
  }
  const db = platform.db;
  const units = unitLookup(db);
  const valid: Array<{ entry: ImportEntry; input: ItemInput }> = [];
  const firstByCode = new Map<string, ImportEntry>();
  for (const entry of entries) {
    const shape = schemaErrors(entry.value);
    if (shape.length) {
      errors.push(...placed(entry, shape));
      bad.add(entry);
      continue;
    }
    const input = normalizeInput(entry.value as ItemInput);
    const problems = await checkItem(db, principal, input, { units });
    if (input.code) {
      const first = firstByCode.get(input.code);
      if (first) problems.push(fieldError('code', 'approval.catalogue.import.codeDuplicateInFile', { code: input.code, first: first.label }));
      else firstByCode.set(input.code, entry);
    }
    if (problems.length) {
      errors.push(...placed(entry, problems));
      bad.add(entry);
    }
    valid.push({ entry, input });
  }

  // What the catalogue already holds under the file's codes.
  const codes = [...firstByCode.keys()];
  const existing = new Map<string, ItemRow[]>();
  for (let i = 0; i < codes.length; i += 500) {
    const rows = await q(db).selectFrom('approval_items').selectAll().where('code', 'in', codes.slice(i, i + 500)).orderBy('version', 'desc').execute();
    for (const row of rows) existing.set(row.code, [...(existing.get(row.code) ?? []), row]);
  }
  for (const { entry, input } of valid) {
    const versions = input.code ? existing.get(input.code) : undefined;
    if (!versions) continue;
    // Every version's unit: a code is not taken over from outside one's administration.
    const allowed = await Promise.all(versions.map((v) => mayManageUnit(db, principal, v.unit_id)));
    if (allowed.includes(false)) {
      errors.push(...placed(entry, [fieldError('code', 'approval.catalogue.import.codeOutOfScope', { code: input.code })]));
      bad.add(entry);
    }
  }
  if (errors.length) {
    // A cell the reader could not take is also missing for the schema: say it once.
    const seen = new Set<string>();
    const unique = errors.filter((e) => !seen.has(e.path) && !!seen.add(e.path));
    throw new AppError('IMPORT_FAILED', { errors: unique, extra: { badItems: bad.size } });
  }

  const result: ImportResult = { created: 0, updated: 0, published: 0, items: [] };
  try {
    await inTransaction(platform.db, actor, async (work) => {
      const lookup = unitLookup(work.tx);
      for (const { input } of valid) {
        const versions = input.code ? existing.get(input.code) : undefined;
        let item: Item;
        if (!versions) {
          const unit = (await lookup([input.unitId])).get(input.unitId)!;
          item = await insertDraft(work, platform, input, unit, '', 'import');
          result.created += 1;
        } else {
          const draft = versions.find((v) => v.status === 'draft');
          let row: ItemRow;
          if (draft) row = draft;
          else {
            const opened = await editPublished(work, platform, principal, versions[0].id);
            row = (await q(work.tx).selectFrom('approval_items').selectAll().where('id', '=', opened.item.id).executeTakeFirstOrThrow())!;
          }
          item = await writeDraft(work, platform, row, { ...input, code: row.code }, '', 'import');
          result.updated += 1;
        }
        if (options.publish) {
          const row = await q(work.tx).selectFrom('approval_items').selectAll().where('id', '=', item.id).executeTakeFirstOrThrow();
          item = await publishRow(work, platform, row, 'import');
          result.published += 1;
        }
        result.items.push({ id: item.id, code: item.code, version: item.version, status: item.status });
      }
      recordAudit(
        work,
        { action: 'approval.catalogue.import', objectType: 'approval_catalogue', objectId: null, details: { format: options.format, created: result.created, updated: result.updated, published: result.published } },
        platform.clock.now(),
      );
    });
  } catch (error) {
    // Someone changed one of the codes between the check and the write: retrying shows what.
    if (isUniqueViolation(error)) throw conflict();
    throw error;
  }
  return result;
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
