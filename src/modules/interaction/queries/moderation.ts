/**
 * The moderation queue of the message board: answered public cases waiting for a moderator,
 * published or hidden, in the moderator's scope (the unit that handled the case or the office
 * that dispatched it). The board shows only what the moderator published.
 */
import type { Expression, SqlBool } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';
import { keysetPage, type Keyset } from '../../../platform/db/pagination.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { coversUnit, scopesFor, type Principal } from '../../../platform/iam/principal.ts';
import { openField } from '../../../platform/crypto/fields.ts';
import { unitIdsUnderRegions } from '../../../platform/org/service.ts';
import type { Platform } from '../../../platform/module.ts';
import { MODERATE_PERMISSION, type CaseRow, type Channel, type ModerationState } from '../model.ts';
import { redact } from '../redact.ts';
import { withUnits } from './hotline.ts';

export interface ModerationItem {
  id: string;
  trackingNo: string;
  channel: Channel;
  title: string;
  category: string | null;
  handlingUnitId: string;
  handlingUnitName: string;
  writerName: string;
  body: string;
  answer: string | null;
  answeredAt: string | null;
  /** What the board shows (published) or would show by default: redacted. */
  publicBody: string;
  publicAnswer: string;
  flaggedWords: string[];
  moderation: ModerationState;
  reason: string | null;
  publishedAt: string | null;
  receivedAt: string;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/** Whether the case lies in the caller's moderation scope (its handling unit or its dispatching office). */
function inScope(principal: Principal, row: { handling_unit_id: string; handling_region: string; dispatcher_unit_id: string | null; dispatcher_region: string | null }) {
  if (coversUnit(principal, MODERATE_PERMISSION, { id: row.handling_unit_id, regionCode: row.handling_region })) return true;
  return !!row.dispatcher_unit_id && !!row.dispatcher_region && coversUnit(principal, MODERATE_PERMISSION, { id: row.dispatcher_unit_id, regionCode: row.dispatcher_region });
}

function baseQuery(db: Db) {
  return withUnits(db)
    .selectFrom('interaction_cases as c')
    .innerJoin('units as h', 'h.id', 'c.handling_unit_id')
    .leftJoin('units as d', 'd.id', 'c.dispatcher_unit_id')
    .selectAll('c')
    .select(['h.name as handling_unit_name', 'h.region_code as handling_region', 'd.region_code as dispatcher_region']);
}
type Joined = CaseRow & { handling_unit_name: string; handling_region: string; dispatcher_region: string | null };

/** A case the caller may moderate (and that went to the board's moderation at all); anything else 404. */
export async function moderatedCase(db: Db, principal: Principal, id: string, lock = false): Promise<Joined> {
  let query = baseQuery(db).where('c.id', '=', id);
  if (lock) query = query.forUpdate('c');
  const row = (await query.executeTakeFirst()) as Joined | undefined;
  if (!row || row.moderation === 'none' || !inScope(principal, row)) throw notFound();
  return row;
}

/** The writer's name, opened only to take it out of the published text. */
export const writerNames = (platform: Platform, row: Pick<CaseRow, 'writer_name_sealed'>) => [openField(platform, row.writer_name_sealed)];

export function defaultPublicText(platform: Platform, row: CaseRow) {
  const names = writerNames(platform, row);
  return { publicBody: redact(row.body, names), publicAnswer: redact(row.answer_body ?? '', names) };
}

export function toModerationItem(platform: Platform, row: Joined, words: readonly string[]): ModerationItem {
  const defaults = row.public_body === null || row.public_answer === null ? defaultPublicText(platform, row) : null;
  const recorded = typeof row.flagged_words === 'string' ? (JSON.parse(row.flagged_words) as string[]) : row.flagged_words;
  const answerFlags = row.answer_body ? matchWords(row.answer_body, words) : [];
  return {
    id: row.id,
    trackingNo: row.tracking_no,
    channel: row.channel,
    title: row.title,
    category: row.category,
    handlingUnitId: row.handling_unit_id,
    handlingUnitName: row.handling_unit_name,
    writerName: row.writer_name_masked,
    body: row.body,
    answer: row.answer_body,
    answeredAt: iso(row.answered_at),
    publicBody: row.public_body ?? defaults!.publicBody,
    publicAnswer: row.public_answer ?? defaults!.publicAnswer,
    flaggedWords: [...new Set([...recorded, ...answerFlags])],
    moderation: row.moderation,
    reason: row.moderation_reason,
    publishedAt: iso(row.published_at),
    receivedAt: iso(row.received_at)!,
  };
}

/** The list's words found in a text (the same comparison as on receipt: invisible characters removed). */
export function matchWords(text: string, words: readonly string[]): string[] {
  if (!words.length) return [];
  const plain = text.normalize('NFKC').replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g, '').toLowerCase();
  return words.filter((word) => plain.includes(word.normalize('NFKC').toLowerCase()));
}

export async function sensitiveWords(db: Db): Promise<string[]> {
  const rows = await withUnits(db).selectFrom('interaction_sensitive_words').select('word').orderBy('word').execute();
  return rows.map((r) => r.word);
}

const OLDEST_FIRST: Keyset<{ received_at: Date | string; id: string }> = {
  keys: [
    { by: 'c.received_at', kind: 'timestamp', of: (r) => r.received_at },
    { by: 'c.id', kind: 'text', of: (r) => r.id },
  ],
  order: 'asc',
};
const NEWEST_FIRST: Keyset<{ received_at: Date | string; id: string }> = { ...OLDEST_FIRST, order: 'desc' };

/** The queue: pending cases oldest first (the longest waiting on top), published and hidden ones newest first. */
export async function listModeration(platform: Platform, principal: Principal, filter: { status: Exclude<ModerationState, 'none'>; limit: number; cursor?: string }) {
  const db = platform.db;
  const scopes = scopesFor(principal, MODERATE_PERMISSION);
  const unitIds = scopes.flatMap((s) => ('unitId' in s ? [s.unitId] : []));
  const regions = scopes.flatMap((s) => ('regionCode' in s ? [s.regionCode] : []));
  if (!unitIds.length && !regions.length) return { items: [], nextCursor: null };
  const query = baseQuery(db)
    .where('c.moderation', '=', filter.status)
    .where((eb) => {
      const parts: Expression<SqlBool>[] = [];
      if (unitIds.length) parts.push(eb('c.handling_unit_id', 'in', unitIds), eb('c.dispatcher_unit_id', 'in', unitIds));
      if (regions.length) parts.push(eb('c.handling_unit_id', 'in', unitIdsUnderRegions(db, regions)), eb('c.dispatcher_unit_id', 'in', unitIdsUnderRegions(db, regions)));
      return eb.or(parts);
    });
  const page = await keysetPage(query, filter.status === 'pending' ? OLDEST_FIRST : NEWEST_FIRST, { limit: filter.limit, cursor: filter.cursor });
  const words = await sensitiveWords(db);
  return { items: (page.items as Joined[]).map((row) => toModerationItem(platform, row, words)), nextCursor: page.nextCursor };
}
