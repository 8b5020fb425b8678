/** The statements that write item versions, shared by the catalogue's commands (edit, publish, import). */
import crypto from 'node:crypto';
import type { Db } from '../../platform/db/index.ts';
import { escapeLike, isUniqueViolation, sql } from '../../platform/db/index.ts';
import type { Work } from '../../platform/db/work.ts';
import { recordAudit } from '../../platform/audit/service.ts';
import { AppError, conflict, fieldError, notFound } from '../../platform/http/errors.ts';
import type { Principal } from '../../platform/iam/principal.ts';
import type { Unit } from '../../platform/org/service.ts';
import type { Platform } from '../../platform/module.ts';
import type { FilesTables } from '../../platform/files/service.ts';
import type { ItemInput, ItemRow } from './model.ts';
import { ITEM_FILE_OWNER, mayManageUnit, q, toItem, type Item } from './queries/items.ts';
import { invalidatePortalHome } from './portal-home.ts';

const KIND_MARK: Record<ItemInput['kind'], string> = { licensing: 'XK', non_licensing: 'FX', public_service: 'GG' };
export const json = (value: unknown) => JSON.stringify(value) as never;

export function columnsOf(input: ItemInput) {
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
    targets: json(input.targets ?? ['person', 'enterprise']),
    place: input.place ?? '',
    hours: input.hours ?? '',
    handling_type: input.handlingType ?? 'promised',
    faq: json(input.faq ?? []),
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

export async function codeTaken(db: Db, code: string): Promise<boolean> {
  return !!(await q(db).selectFrom('approval_items').select('id').where('code', '=', code).limit(1).executeTakeFirst());
}

export const duplicateCode = (code: string, pathPrefix: string) => new AppError('DUPLICATE', { errors: [fieldError(`${pathPrefix}code`, 'approval.catalogue.codeDuplicate', { code })] });

export interface WriteOptions {
  /** Prefix of field paths in errors: 'body.' for a request body. */
  pathPrefix?: string;
}

/** Inserts a checked draft as version 1 (code given or generated). */
export async function insertDraft(work: Work, platform: Platform, input: ItemInput, unit: Pick<Unit, 'regionCode'>, pathPrefix: string, via?: string): Promise<Item> {
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
  await attachMaterialFiles(work, platform, code, input);
  recordAudit(work, { action: 'approval.item.create', objectType: 'approval_item', objectId: row.id, details: { code, version: 1, name: row.name, unitId: row.unit_id, via } }, now);
  return toItem(row);
}

export async function lockItem(work: Work, principal: Principal | null, id: string): Promise<ItemRow> {
  const row = await q(work.tx).selectFrom('approval_items').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row || !(await mayManageUnit(work.tx, principal, row.unit_id))) throw notFound();
  return row;
}

export async function writeDraft(work: Work, platform: Platform, row: ItemRow, input: ItemInput & { code: string }, pathPrefix: string, via?: string): Promise<Item> {
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
  await attachMaterialFiles(work, platform, updated.code, input);
  const details: Record<string, unknown> = { code: updated.code, version: updated.version, editVersion: updated.edit_version, via };
  if (input.code !== row.code) details.previousCode = row.code;
  recordAudit(work, { action: 'approval.item.update', objectType: 'approval_item', objectId: row.id, details }, now);
  return toItem(updated);
}

export async function publishRow(work: Work, platform: Platform, row: ItemRow, via?: string): Promise<Item & { supersededVersion: number | null }> {
  const now = platform.clock.now();
  work.afterCommit(() => invalidatePortalHome(platform));
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

// ---------------------------------------------------------------- the materials' blank forms and examples


export const materialFileIds = (input: Pick<ItemInput, 'materials'>) => input.materials.flatMap((m) => [m.blankFileId, m.exampleFileId].filter((id): id is string => !!id));

/**
 * Attaches the materials' files not attached yet to the item's code. checkMaterialFiles has made
 * sure each is the caller's own upload or already the code's.
 */
export async function attachMaterialFiles(work: Work, platform: Platform, code: string, input: Pick<ItemInput, 'materials'>) {
  const ids = materialFileIds(input);
  if (!ids.length) return;
  const now = platform.clock.now();
  const attached = await work.tx
    .withTables<FilesTables>()
    .updateTable('files')
    .set({ owner_type: ITEM_FILE_OWNER, owner_id: code, attached_at: now })
    .where('id', 'in', [...new Set(ids)])
    .where('owner_type', 'is', null)
    .returning(['id', 'name', 'sm3'])
    .execute();
  for (const row of attached) recordAudit(work, { action: 'file.attach', objectType: 'file', objectId: row.id, details: { ownerType: ITEM_FILE_OWNER, ownerId: code, name: row.name, sm3: row.sm3 } }, now);
}
