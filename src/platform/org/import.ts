import crypto from 'node:crypto';
import { parse, CsvError } from 'csv-parse/sync';
import { isUniqueViolation } from '../db/index.ts';
import type { Work } from '../db/work.ts';
import { recordAudit } from '../audit/service.ts';
import { AppError, type FieldError } from '../http/errors.ts';
import type { Platform } from '../module.ts';
import { coversUnit, hasPermission, type Principal } from '../iam/principal.ts';
import { isRole, THREE_ADMINS, type Role } from '../iam/roles.ts';
import { hashPassword, isStrongPassword } from '../iam/passwords.ts';
import { accountFieldErrors, findTakenAccountKeys, grantRolesBySystem, insertStaffUser } from '../iam/index.ts';
import { isValidCreditCode, isValidParent, regionLevelOf, regionPrefix, REGION_LEVELS, type RegionLevel } from './codes.ts';
import { UNIT_KINDS, type OrgTables, type UnitKind } from './service.ts';

/** Largest CSV accepted, by the API and the command line alike. */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;

const COLUMNS = ['type', 'code', 'name', 'level', 'parentCode', 'key', 'regionCode', 'kind', 'parentKey', 'creditCode', 'username', 'unitKey', 'phone', 'email', 'password', 'roles'] as const;
type Column = (typeof COLUMNS)[number];
type RowType = 'region' | 'unit' | 'staff';
const ROW_TYPES: RowType[] = ['region', 'unit', 'staff'];
const USED_BY: Record<RowType, ReadonlySet<Column>> = {
  region: new Set(['type', 'code', 'name', 'level', 'parentCode']),
  unit: new Set(['type', 'key', 'name', 'regionCode', 'kind', 'parentKey', 'creditCode']),
  staff: new Set(['type', 'username', 'name', 'unitKey', 'phone', 'email', 'password', 'roles']),
};
/** Header cells match a column whatever their case and separators: credit_code, CreditCode, credit-code. */
const COLUMN_BY_LOOSE_NAME = new Map<string, Column>(COLUMNS.map((c) => [looseName(c), c]));
function looseName(name: string) {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

const MAX_LENGTH: Partial<Record<Column, number>> = { name: 200, key: 64, parentKey: 64, unitKey: 64, email: 200, password: 128, roles: 500 };
/** Regions and people have shorter names than units (the API's limits). */
const SHORT_NAME_MAX = 100;
const INSERT_CHUNK = 1000;
const LOOKUP_CHUNK = 1000;

export interface ImportResult {
  regions: number;
  units: number;
  staff: number;
  /** Passwords generated for staff rows that left `password` empty: shown once, to be handed over. */
  credentials: Array<{ username: string; password: string }>;
}

export interface ImportOptions {
  /** The caller; null for the command line, which acts for the operator with no scope limit. */
  principal?: Principal | null;
}

/** Text of a CSV file: UTF-8 (with or without BOM), else GBK/GB 18030 as saved by Chinese Excel. */
export function decodeCsv(input: string | Uint8Array, charset?: string | null): string {
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '');
  if (charset && /^(gbk|gb2312|gb18030)$/i.test(charset)) return new TextDecoder('gb18030').decode(input);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    return new TextDecoder('gb18030').decode(input);
  }
}

interface CsvRow {
  row: number;
  type: RowType;
  get(column: Column): string;
}

class RowErrors {
  readonly #list: Array<{ row: number; error: FieldError }> = [];
  readonly #rows = new Set<number>();
  get count() {
    return this.#list.length;
  }
  add(row: number, column: string | null, key: string, params?: Record<string, unknown>) {
    this.push(row, { path: column ? `row ${row}.${column}` : `row ${row}`, message: { key, params } });
  }
  push(row: number, error: FieldError) {
    this.#list.push({ row, error });
    this.#rows.add(row);
  }
  /** Every error, in row order (checks run in several passes). */
  toError(): AppError {
    const errors = [...this.#list].sort((a, b) => a.row - b.row).map((e) => e.error);
    return new AppError('IMPORT_FAILED', { errors, extra: { badRows: this.#rows.size } });
  }
}

/** Parses the file into typed rows; header and row-shape mistakes go to `errors`. Null when unreadable. */
function readRows(text: string, errors: RowErrors): CsvRow[] | null {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as never;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? 0;
      errors.add(line, null, 'org.import.malformed', { reason: error.message });
      return null;
    }
    throw error;
  }
  if (records.length === 0) return [];
  const header = records[0].record;
  const columns: Array<Column | null> = header.map((cell, i) => {
    const column = COLUMN_BY_LOOSE_NAME.get(looseName(cell)) ?? null;
    if (!column) errors.add(1, cell || String(i + 1), 'org.import.columnUnknown', { column: cell });
    else if (header.findIndex((other) => looseName(other) === looseName(cell)) !== i) errors.add(1, column, 'org.import.columnDuplicate', { column: cell });
    return column;
  });
  if (!columns.includes('type')) errors.add(1, null, 'org.import.typeColumnMissing');
  if (errors.count) return null;

  const rows: CsvRow[] = [];
  for (const { record, info } of records.slice(1)) {
    const row = info.lines;
    if (record.length > columns.length) {
      errors.add(row, null, 'org.import.tooManyCells');
      continue;
    }
    const values = new Map<Column, string>();
    record.forEach((cell, i) => values.set(columns[i]!, cell));
    const type = (values.get('type') ?? '').toLowerCase() as RowType;
    if (!ROW_TYPES.includes(type)) {
      errors.add(row, 'type', 'org.import.typeInvalid', { type: values.get('type') ?? '' });
      continue;
    }
    for (const [column, value] of values) {
      if (value && !USED_BY[type].has(column)) errors.add(row, column, 'org.import.notApplicable', { type });
      const max = MAX_LENGTH[column];
      if (max && value.length > max) errors.add(row, column, 'org.import.tooLong', { max });
    }
    rows.push({ row, type, get: (column) => values.get(column) ?? '' });
  }
  return rows;
}

// ---------------------------------------------------------------- what the database already holds

interface KnownUnit {
  id: string;
  regionCode: string;
}

interface Existing {
  regions: Map<string, RegionLevel>;
  /** Units by external key and by id. */
  units: Map<string, KnownUnit>;
  unitKeys: Set<string>;
  creditCodes: Set<string>;
  unitNames: Set<string>;
  usernames: Set<string>;
  phones: Set<string>;
}

const nameInRegion = (regionCode: string, name: string) => `${regionCode}\u0000${name}`;

async function inChunks<T>(values: Iterable<string>, lookup: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const all = [...new Set(values)].filter(Boolean);
  const out: T[] = [];
  for (let i = 0; i < all.length; i += LOOKUP_CHUNK) out.push(...(await lookup(all.slice(i, i + LOOKUP_CHUNK))));
  return out;
}

async function loadExisting(platform: Platform, rows: CsvRow[]): Promise<Existing> {
  const db = platform.db.withTables<OrgTables>();
  const of = (type: RowType, ...columns: Column[]) => rows.filter((r) => r.type === type).flatMap((r) => columns.map((c) => r.get(c)));
  const regionRows = await inChunks([...of('region', 'code', 'parentCode'), ...of('unit', 'regionCode')], (codes) =>
    db.selectFrom('regions').select(['code', 'level']).where('code', 'in', codes).execute(),
  );
  const unitRefs = [...of('unit', 'key', 'parentKey'), ...of('staff', 'unitKey')];
  const unitRows = await inChunks(unitRefs, (refs) =>
    db
      .selectFrom('units')
      .select(['id', 'external_key', 'region_code'])
      .where((eb) => eb.or([eb('external_key', 'in', refs), eb('id', 'in', refs)]))
      .execute(),
  );
  const creditRows = await inChunks(
    of('unit', 'creditCode').map((c) => c.toUpperCase()),
    (codes) => db.selectFrom('units').select('credit_code').where('credit_code', 'in', codes).execute(),
  );
  const nameRows = await inChunks(
    of('unit', 'name'),
    (names) => db.selectFrom('units').select(['region_code', 'name']).where('name', 'in', names).execute(),
  );
  const units = new Map<string, KnownUnit>();
  for (const u of unitRows) {
    units.set(u.id, { id: u.id, regionCode: u.region_code });
    if (u.external_key) units.set(u.external_key, { id: u.id, regionCode: u.region_code });
  }
  const taken = await findTakenAccountKeys(platform, of('staff', 'username').filter(Boolean), of('staff', 'phone').filter(Boolean));
  return {
    regions: new Map(regionRows.map((r) => [r.code, r.level])),
    units,
    unitKeys: new Set(unitRows.flatMap((u) => (u.external_key ? [u.external_key] : []))),
    creditCodes: new Set(creditRows.map((r) => r.credit_code!)),
    unitNames: new Set(nameRows.map((r) => nameInRegion(r.region_code, r.name))),
    usernames: taken.usernames,
    phones: taken.phones,
  };
}

// ---------------------------------------------------------------- checking every row

interface NewRegion {
  code: string;
  name: string;
  level: RegionLevel;
  parent_code: string | null;
  prefix: string;
}
interface NewUnit {
  id: string;
  external_key: string;
  name: string;
  region_code: string;
  kind: UnitKind;
  parent_id: string | null;
  credit_code: string | null;
}
interface NewStaff {
  username: string;
  displayName: string;
  unitId: string;
  phone?: string;
  email?: string;
  password: string | null;
  roles: Role[];
}
interface Plan {
  regions: NewRegion[];
  units: NewUnit[];
  staff: NewStaff[];
}

function checkRows(rows: CsvRow[], existing: Existing, principal: Principal | null, errors: RowErrors): Plan {
  const plan: Plan = { regions: [], units: [], staff: [] };
  // What earlier rows of the file define, and the row that first used each unique value.
  const fileRegions = new Map<string, { level: RegionLevel; row: number }>();
  const fileUnits = new Map<string, KnownUnit & { row: number }>();
  const seen = { creditCodes: new Map<string, number>(), unitNames: new Map<string, number>(), usernames: new Map<string, number>(), phones: new Map<string, number>() };
  const mayGrantRoles = !principal || hasPermission(principal, 'role.assign');

  const regionLevel = (code: string) => fileRegions.get(code)?.level ?? existing.regions.get(code) ?? null;
  const required = (r: CsvRow, column: Column) => {
    const value = r.get(column);
    if (!value) errors.add(r.row, column, 'org.import.required');
    return value;
  };

  for (const r of rows) {
    if (r.type === 'region') {
      const code = required(r, 'code');
      const name = required(r, 'name');
      if (name.length > SHORT_NAME_MAX && name.length <= MAX_LENGTH.name!) errors.add(r.row, 'name', 'org.import.tooLong', { max: SHORT_NAME_MAX });
      const implied = code ? regionLevelOf(code) : null;
      if (code && !implied) errors.add(r.row, 'code', 'org.region.codeInvalid', { code });
      let level = implied;
      const givenLevel = r.get('level');
      if (givenLevel && !REGION_LEVELS.includes(givenLevel as RegionLevel)) errors.add(r.row, 'level', 'org.import.levelInvalid', { level: givenLevel });
      else if (givenLevel && implied && givenLevel !== implied) errors.add(r.row, 'level', 'org.region.levelMismatch', { code, level: implied });
      else if (givenLevel) level = givenLevel as RegionLevel;
      const parentCode = r.get('parentCode') || null;
      if (level && level !== 'province' && !parentCode) errors.add(r.row, 'parentCode', 'org.import.required');
      else if (parentCode && !regionLevel(parentCode)) errors.add(r.row, 'parentCode', 'org.import.regionMissing', { code: parentCode });
      else if (implied && level && !isValidParent(code, level, parentCode, parentCode ? regionLevel(parentCode) : null)) errors.add(r.row, 'parentCode', 'org.region.parentInvalid', { code });
      if (implied) {
        const earlier = fileRegions.get(code);
        if (earlier) errors.add(r.row, 'code', 'org.import.regionDuplicateInFile', { code, row: earlier.row });
        else if (existing.regions.has(code)) errors.add(r.row, 'code', 'org.region.duplicate', { code });
        else fileRegions.set(code, { level: implied, row: r.row });
        if (principal && !coversUnit(principal, 'region.write', { id: '', regionCode: code })) errors.add(r.row, 'code', 'org.import.regionOutOfScope', { code });
      }
      if (implied && level) plan.regions.push({ code, name, level, parent_code: parentCode, prefix: regionPrefix(code) });
    } else if (r.type === 'unit') {
      const key = required(r, 'key');
      const name = required(r, 'name');
      const regionCode = required(r, 'regionCode');
      const kind = required(r, 'kind') as UnitKind;
      if (kind && !UNIT_KINDS.includes(kind)) errors.add(r.row, 'kind', 'org.import.kindInvalid', { kind });
      const regionKnown = regionCode && regionLevel(regionCode) && (!principal || coversUnit(principal, 'unit.import', { id: '', regionCode }));
      if (regionCode && !regionKnown) errors.add(r.row, 'regionCode', 'org.import.regionMissing', { code: regionCode });
      const parentKey = r.get('parentKey');
      let parentId: string | null = null;
      if (parentKey) {
        const parent = fileUnits.get(parentKey) ?? existing.units.get(parentKey);
        const visible = parent && (fileUnits.has(parentKey) || !principal || coversUnit(principal, 'unit.import', parent));
        if (!visible) errors.add(r.row, 'parentKey', 'org.import.unitMissing', { key: parentKey });
        else parentId = parent.id;
      }
      const creditCode = r.get('creditCode').toUpperCase() || null;
      if (creditCode) {
        if (!isValidCreditCode(creditCode)) errors.add(r.row, 'creditCode', 'org.unit.creditCodeInvalid', { code: creditCode });
        else if (seen.creditCodes.has(creditCode)) errors.add(r.row, 'creditCode', 'org.import.creditCodeDuplicateInFile', { code: creditCode, row: seen.creditCodes.get(creditCode) });
        else if (existing.creditCodes.has(creditCode)) errors.add(r.row, 'creditCode', 'org.unit.creditCodeDuplicate', { code: creditCode });
        else seen.creditCodes.set(creditCode, r.row);
      }
      if (name && regionCode) {
        const pair = nameInRegion(regionCode, name);
        if (seen.unitNames.has(pair)) errors.add(r.row, 'name', 'org.import.nameDuplicateInFile', { name, row: seen.unitNames.get(pair) });
        else if (existing.unitNames.has(pair)) errors.add(r.row, 'name', 'org.unit.nameDuplicate', { name, code: regionCode });
        else seen.unitNames.set(pair, r.row);
      }
      if (key) {
        const earlier = fileUnits.get(key);
        if (earlier) errors.add(r.row, 'key', 'org.import.keyDuplicateInFile', { key, row: earlier.row });
        else if (existing.units.has(key)) errors.add(r.row, 'key', 'org.unit.keyDuplicate', { key });
        else {
          const id = crypto.randomUUID();
          fileUnits.set(key, { id, regionCode, row: r.row });
          plan.units.push({ id, external_key: key, name, region_code: regionCode, kind, parent_id: parentId, credit_code: creditCode });
        }
      }
    } else {
      const username = required(r, 'username');
      const displayName = required(r, 'name');
      if (displayName.length > SHORT_NAME_MAX && displayName.length <= MAX_LENGTH.name!) errors.add(r.row, 'name', 'org.import.tooLong', { max: SHORT_NAME_MAX });
      const unitKey = required(r, 'unitKey');
      const phone = r.get('phone') || undefined;
      const email = r.get('email') || undefined;
      for (const e of accountFieldErrors({ username: username || undefined, phone, email }, `row ${r.row}.`)) errors.push(r.row, e);
      const lower = username.toLowerCase();
      if (username) {
        if (seen.usernames.has(lower)) errors.add(r.row, 'username', 'org.import.usernameDuplicateInFile', { username, row: seen.usernames.get(lower) });
        else if (existing.usernames.has(lower)) errors.add(r.row, 'username', 'org.import.usernameTaken', { username });
        else seen.usernames.set(lower, r.row);
      }
      if (phone) {
        if (seen.phones.has(phone)) errors.add(r.row, 'phone', 'org.import.phoneDuplicateInFile', { row: seen.phones.get(phone) });
        else if (existing.phones.has(phone)) errors.add(r.row, 'phone', 'org.import.phoneTaken');
        else seen.phones.set(phone, r.row);
      }
      let unitId: string | null = null;
      if (unitKey) {
        const inFile = fileUnits.get(unitKey);
        const unit = inFile ?? existing.units.get(unitKey);
        // New units have no id a unit-scoped grant could name, so only region scopes cover them.
        if (unit && (!principal || coversUnit(principal, 'user.write', inFile ? { id: '', regionCode: unit.regionCode } : unit))) unitId = unit.id;
        else errors.add(r.row, 'unitKey', 'org.import.unitMissing', { key: unitKey });
      }
      const password = r.get('password') || null;
      if (password && !isStrongPassword(password)) errors.add(r.row, 'password', 'error.PASSWORD_WEAK');
      const roles: Role[] = [];
      const roleNames = r.get('roles').split(/[;；,，|\s]+/).filter(Boolean);
      if (roleNames.length && !mayGrantRoles) errors.add(r.row, 'roles', 'org.import.rolesNotAllowed');
      for (const role of roleNames) {
        if (!isRole(role)) errors.add(r.row, 'roles', 'iam.roleUnknown', { role });
        else if (THREE_ADMINS.includes(role)) errors.add(r.row, 'roles', 'org.import.adminRoleNotAllowed', { role });
        else if (!roles.includes(role)) roles.push(role);
      }
      if (unitId) plan.staff.push({ username, displayName, unitId, phone, email, password, roles });
    }
  }
  return plan;
}

// ---------------------------------------------------------------- writing

function generatePassword(): string {
  for (;;) {
    const candidate = `${crypto.randomBytes(12).toString('base64url')}#7`;
    if (isStrongPassword(candidate)) return candidate;
  }
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

/** A checked import, its passwords hashed: what `writeOrgImport` writes. */
export interface PreparedImport {
  plan: Plan;
  staff: Array<NewStaff & { passwordHash: string }>;
  credentials: ImportResult['credentials'];
  bytes: number;
}

/**
 * Reads and checks one CSV file of regions, units and staff (format: docs/import-format.md) and
 * hashes the passwords, before any transaction is open: hashing a thousand passwords would hold
 * the caller's unit of work (and, on the embedded database, its only connection) for seconds.
 * Every row is checked; one bad row and the error lists every bad row, nothing to write.
 */
export async function prepareOrgImport(platform: Platform, csv: string | Uint8Array, options: ImportOptions = {}): Promise<PreparedImport> {
  const size = typeof csv === 'string' ? Buffer.byteLength(csv) : csv.byteLength;
  if (size > IMPORT_MAX_BYTES) throw new AppError('PAYLOAD_TOO_LARGE');
  const principal = options.principal ?? null;
  const errors = new RowErrors();
  const rows = readRows(decodeCsv(csv), errors);
  if (!rows) throw errors.toError();
  if (rows.length === 0 && errors.count === 0) throw new AppError('IMPORT_FAILED', { errors: [{ path: 'file', message: { key: 'org.import.empty' } }], extra: { badRows: 0 } });

  const existing = await loadExisting(platform, rows);
  const plan = checkRows(rows, existing, principal, errors);
  if (errors.count) throw errors.toError();

  const credentials: ImportResult['credentials'] = [];
  const staff = await mapLimited(plan.staff, 4, async (s) => {
    const password = s.password ?? generatePassword();
    if (!s.password) credentials.push({ username: s.username, password });
    return { ...s, passwordHash: await hashPassword(password) };
  });
  credentials.sort((a, b) => a.username.localeCompare(b.username));
  return { plan, staff, credentials, bytes: size };
}

/**
 * Writes a prepared import inside the caller's unit of work, so a crash part-way leaves nothing
 * behind. A key another import or request took since the check is a CONFLICT (retrying shows
 * which); the caller's transaction is then rolled back with it.
 */
export async function writeOrgImport(work: Work, platform: Platform, prepared: PreparedImport): Promise<ImportResult> {
  const { plan, staff } = prepared;
  try {
    const db = work.tx.withTables<OrgTables>();
    const at = platform.clock.now();
    for (let i = 0; i < plan.regions.length; i += INSERT_CHUNK) await db.insertInto('regions').values(plan.regions.slice(i, i + INSERT_CHUNK)).execute();
    for (const r of plan.regions) {
      recordAudit(work, { action: 'region.create', objectType: 'region', objectId: r.code, details: { name: r.name, level: r.level, parentCode: r.parent_code, via: 'import' } }, at);
    }
    for (let i = 0; i < plan.units.length; i += INSERT_CHUNK) await db.insertInto('units').values(plan.units.slice(i, i + INSERT_CHUNK)).execute();
    for (const u of plan.units) {
      recordAudit(work, { action: 'unit.create', objectType: 'unit', objectId: u.id, details: { name: u.name, regionCode: u.region_code, kind: u.kind, externalKey: u.external_key, via: 'import' } }, at);
    }
    for (const s of staff) {
      const user = await insertStaffUser(work, platform, s, { mustChangePassword: true });
      if (s.roles.length) await grantRolesBySystem(work, user.id, s.roles.map((role) => ({ role, scope: { unitId: s.unitId } })));
    }
    recordAudit(work, { action: 'org.import', objectType: 'import', objectId: null, details: { regions: plan.regions.length, units: plan.units.length, staff: staff.length, bytes: prepared.bytes } }, at);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('CONFLICT');
    throw error;
  }
  return { regions: plan.regions.length, units: plan.units.length, staff: staff.length, credentials: prepared.credentials };
}
