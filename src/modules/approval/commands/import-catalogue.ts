/** Importing items into the catalogue from a JSON or Excel file: all or nothing. */
import { Ajv, type ValidateFunction } from 'ajv';
import { Type, type TUnion } from '@sinclair/typebox';
import { isUniqueViolation } from '../../../platform/db/index.ts';
import { inTransaction, type Actor } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { AppError, conflict, fieldError, type FieldError } from '../../../platform/http/errors.ts';
import { validationFieldErrors } from '../../../platform/http/validation.ts';
import { Strict } from '../../../platform/http/schemas.ts';
import { ItemInputSchema, ProcessSchema, type ItemInput, type ItemRow, type ItemStatus } from '../model.ts';
import { mayManageUnit, q, type Item } from '../queries/items.ts';
import { checkItem, normalizeInput, unitLookup } from '../item-checks.ts';
import { insertDraft, publishRow, writeDraft } from '../item-writes.ts';
import { editPublished } from './edit-published-item.ts';

/** Most items one import may hold. */
export const IMPORT_MAX_ITEMS = 1000;
/** Largest import file, JSON or Excel (the console's import page; the API route keeps the same limit). */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;

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
