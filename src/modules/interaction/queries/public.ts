/**
 * What the public side reads: a writer's own case by tracking number and query code, the message
 * board (published cases only, never personal data), a signed-in citizen's letters and the units
 * a letter may be written to.
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { keysetPage, type Keyset, type Page } from '../../../platform/db/pagination.ts';
import { openField } from '../../../platform/crypto/fields.ts';
import { loadCalendar, shanghaiDate, workingDays } from '../../../platform/calendar/index.ts';
import type { OrgTables } from '../../../platform/org/service.ts';
import { getFiles, listAttachedFiles } from '../../../platform/files/index.ts';
import { ANSWER_FILES_OWNER, ATTACHMENT_OWNER, interactionDb, REOPEN_WITHIN_DAYS, type AnswerType, type CaseRow, type CaseState, type Channel } from '../model.ts';

const DAY_MS = 24 * 3600_000;

/** Tracking numbers look like SZ2026120712345678: a prefix of letters and 16 digits. */
export const TRACKING_NO_PATTERN = '^[A-Z]{2,3}[0-9]{16}$';
const TRACKING_NO = new RegExp(TRACKING_NO_PATTERN);

/** Both sides hashed first: the comparison takes the same time whatever the code and its length. */
export function sameCode(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given.trim().toUpperCase()).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * The writer's case, when the tracking number and the query code match; null otherwise (an
 * unknown number and a wrong code look the same to the caller: the code is compared either way).
 */
export async function caseOfWriter(db: Db, platform: Platform, trackingNo: string, code: string, options: { forUpdate?: boolean } = {}): Promise<CaseRow | null> {
  const wanted = trackingNo.trim().toUpperCase();
  let row: CaseRow | undefined;
  if (TRACKING_NO.test(wanted)) {
    let query = interactionDb(db).selectFrom('interaction_cases').selectAll().where('tracking_no', '=', wanted);
    if (options.forUpdate) query = query.forUpdate();
    row = await query.executeTakeFirst();
  }
  const expected = row ? openField(platform, row.query_code_sealed) : 'ZZZZZZZZ-no-such-case';
  const matches = sameCode(code, expected);
  return row && matches ? row : null;
}

async function unitNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter(Boolean))];
  if (!unique.length) return new Map();
  const rows = await db.withTables<OrgTables>().selectFrom('units').select(['id', 'name']).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Working days from receipt to answer, for each pair, with one calendar read. */
async function daysTaken(db: Db, pairs: Array<{ from: Date; to: Date | null }>): Promise<Array<number | null>> {
  const spans = pairs.filter((p) => p.to).map((p) => [shanghaiDate(p.from), shanghaiDate(p.to!)] as const);
  if (!spans.length) return pairs.map(() => null);
  const first = spans.map((s) => s[0]).sort()[0];
  const last = spans.map((s) => s[1]).sort().at(-1)!;
  const calendar = await loadCalendar(db, first, last < first ? first : last);
  return pairs.map((p) => (p.to ? Math.max(0, workingDays.countWorkingDays(shanghaiDate(p.from), shanghaiDate(p.to), calendar)) : null));
}

/** A file as the writer sees it listed (downloaded by tracking number and code). */
export interface LetterFile {
  id: string;
  name: string;
  size: number;
  mime: string;
}

export interface WriterView {
  id: string;
  trackingNo: string;
  channel: Channel;
  state: CaseState;
  title: string;
  body: string;
  isPublic: boolean;
  receivedAt: string;
  dueDate: string;
  unitName: string | null;
  answer: string | null;
  answerType: AnswerType | null;
  answeredAt: string | null;
  /** What the writer attached to the letter. */
  attachments: LetterFile[];
  /** The answer documents sent with the answer (none before the leader approved it). */
  answerAttachments: LetterFile[];
  rating: { score: number; comment: string | null; ratedAt: string } | null;
  reopenCount: number;
  /** The answered case may still be reopened until then (null: it may not). */
  reopenUntil: string | null;
  canRate: boolean;
}

/** What the writer sees of their own case (a merged case shows the answer of the case it joined). */
export async function writerView(db: Db, platform: Platform, row: CaseRow): Promise<WriterView> {
  let answered: Pick<CaseRow, 'answer_body' | 'answer_type' | 'answered_at' | 'answer_files'> = row;
  if (row.state === 'merged' && row.merged_into_id) {
    const into = await interactionDb(db).selectFrom('interaction_cases').select(['answer_body', 'answer_type', 'answered_at', 'answer_files', 'state']).where('id', '=', row.merged_into_id).executeTakeFirst();
    if (into?.state === 'answered') answered = into;
  }
  const names = await unitNames(db, [row.handling_unit_id]);
  const now = platform.clock.now();
  const reopenEnds = row.answered_at ? new Date(new Date(row.answered_at).getTime() + REOPEN_WITHIN_DAYS * DAY_MS) : null;
  const showAnswer = row.state === 'answered' || row.state === 'merged' || row.reopen_count > 0;
  const { attachments, answerAttachments } = await writerFiles(db, row, showAnswer ? answered.answer_files : []);
  return {
    id: row.id,
    trackingNo: row.tracking_no,
    channel: row.channel,
    state: row.state,
    title: row.title,
    body: row.body,
    isPublic: row.is_public,
    receivedAt: new Date(row.received_at).toISOString(),
    dueDate: row.due_date,
    unitName: names.get(row.handling_unit_id) ?? null,
    answer: showAnswer ? answered.answer_body : null,
    answerType: showAnswer ? answered.answer_type : null,
    answeredAt: showAnswer && answered.answered_at ? new Date(answered.answered_at).toISOString() : null,
    attachments,
    answerAttachments,
    rating: row.rating_score ? { score: row.rating_score, comment: row.rating_comment, ratedAt: new Date(row.rated_at!).toISOString() } : null,
    reopenCount: row.reopen_count,
    reopenUntil: row.state === 'answered' && row.reopen_count === 0 && reopenEnds && reopenEnds > now ? reopenEnds.toISOString() : null,
    canRate: row.state === 'answered' && row.rating_score === null,
  };
}

const fileView = (f: LetterFile): LetterFile => ({ id: f.id, name: f.name, size: f.size, mime: f.mime });

/** The writer's attachments and the answer documents sent (ids kept with the answer, attached as answer documents). */
async function writerFiles(db: Db, row: Pick<CaseRow, 'id'>, answerFileIds: readonly string[]): Promise<{ attachments: LetterFile[]; answerAttachments: LetterFile[] }> {
  const mine = await listAttachedFiles(db, { ownerType: ATTACHMENT_OWNER, ownerId: row.id });
  const sent = await getFiles(db, [...answerFileIds]);
  const answerAttachments = answerFileIds.map((id) => sent.get(id)).filter((f) => f?.ownerType === ANSWER_FILES_OWNER).map((f) => fileView(f!));
  return { attachments: mine.map(fileView), answerAttachments };
}

/** One of the files the writer may download: their own attachments, or an answer document once the answer is sent. */
export function writerFile(view: Pick<WriterView, 'attachments' | 'answerAttachments'>, fileId: string): LetterFile | null {
  return [...view.attachments, ...view.answerAttachments].find((f) => f.id === fileId) ?? null;
}

// ---------------------------------------------------------------- the message board

export interface BoardItem {
  trackingNo: string;
  channel: Channel;
  category: string | null;
  title: string;
  publicBody: string;
  publicAnswer: string | null;
  unitId: string;
  unitName: string | null;
  receivedAt: string;
  answeredAt: string | null;
  publishedAt: string;
  workingDaysTaken: number | null;
}

const boardColumns = ['c.id', 'c.tracking_no', 'c.channel', 'c.category', 'c.title', 'c.public_body', 'c.public_answer', 'c.handling_unit_id', 'c.received_at', 'c.answered_at', 'c.published_at'] as const;

type BoardRow = { id: string; tracking_no: string; channel: Channel; category: string | null; title: string; public_body: string | null; public_answer: string | null; handling_unit_id: string; received_at: Date; answered_at: Date | null; published_at: Date | null };

async function toBoardItems(db: Db, rows: BoardRow[]): Promise<BoardItem[]> {
  const names = await unitNames(db, rows.map((r) => r.handling_unit_id));
  const days = await daysTaken(db, rows.map((r) => ({ from: new Date(r.received_at), to: r.answered_at ? new Date(r.answered_at) : null })));
  return rows.map((r, i) => ({
    trackingNo: r.tracking_no,
    channel: r.channel,
    category: r.category,
    title: r.title,
    publicBody: r.public_body ?? '',
    publicAnswer: r.public_answer,
    unitId: r.handling_unit_id,
    unitName: names.get(r.handling_unit_id) ?? null,
    receivedAt: new Date(r.received_at).toISOString(),
    answeredAt: r.answered_at ? new Date(r.answered_at).toISOString() : null,
    publishedAt: new Date(r.published_at ?? r.received_at).toISOString(),
    workingDaysTaken: days[i] ?? null,
  }));
}

const boardKeyset: Keyset<BoardRow> = {
  order: 'desc',
  keys: [
    { by: 'c.published_at', kind: 'timestamp', of: (r) => r.published_at },
    { by: 'c.id', kind: 'text', of: (r) => r.id },
  ],
};

/** The published letters, newest first: by channel, unit and category (interaction_cases_board / _board_unit / _board_category). */
export async function listBoard(db: Db, filter: { channel?: Channel; unitId?: string; category?: string; limit: number; cursor?: string | null }): Promise<Page<BoardItem>> {
  let query = interactionDb(db).selectFrom('interaction_cases as c').select([...boardColumns]).where('c.moderation', '=', 'published');
  if (filter.channel) query = query.where('c.channel', '=', filter.channel);
  if (filter.category) query = query.where('c.category', '=', filter.category);
  if (filter.unitId) query = query.where('c.handling_unit_id', '=', filter.unitId);
  const page = await keysetPage(query, boardKeyset, { limit: filter.limit, cursor: filter.cursor });
  return { items: await toBoardItems(db, page.items), nextCursor: page.nextCursor };
}

/** One published letter by its tracking number, or null. */
export async function boardLetter(db: Db, trackingNo: string): Promise<BoardItem | null> {
  const wanted = trackingNo.trim().toUpperCase();
  if (!TRACKING_NO.test(wanted)) return null;
  const row = await interactionDb(db).selectFrom('interaction_cases as c').select([...boardColumns]).where('c.tracking_no', '=', wanted).where('c.moderation', '=', 'published').executeTakeFirst();
  return row ? (await toBoardItems(db, [row]))[0]! : null;
}

// ---------------------------------------------------------------- a citizen's own letters

export interface MyLetter {
  trackingNo: string;
  channel: Channel;
  title: string;
  state: CaseState;
  receivedAt: string;
  dueDate: string;
  answeredAt: string | null;
  unitName: string | null;
}

type MyRow = { id: string; tracking_no: string; channel: Channel; title: string; state: CaseState; received_at: Date; due_date: string; answered_at: Date | null; handling_unit_id: string };

const mineKeyset: Keyset<MyRow> = {
  order: 'desc',
  keys: [
    { by: 'received_at', kind: 'timestamp', of: (r) => r.received_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
};

/** The letters a signed-in citizen wrote (interaction_cases_writer), newest first. */
export async function myLetters(db: Db, userId: string, page: { limit: number; cursor?: string | null }): Promise<Page<MyLetter>> {
  const query = interactionDb(db)
    .selectFrom('interaction_cases')
    .select(['id', 'tracking_no', 'channel', 'title', 'state', 'received_at', 'due_date', 'answered_at', 'handling_unit_id'])
    .where('writer_user_id', '=', userId);
  const found = await keysetPage(query, mineKeyset, page);
  const names = await unitNames(db, found.items.map((r) => r.handling_unit_id));
  return {
    items: found.items.map((r) => ({
      trackingNo: r.tracking_no,
      channel: r.channel,
      title: r.title,
      state: r.state,
      receivedAt: new Date(r.received_at).toISOString(),
      dueDate: typeof r.due_date === 'string' ? r.due_date : shanghaiDate(new Date(r.due_date)),
      answeredAt: r.answered_at ? new Date(r.answered_at).toISOString() : null,
      unitName: names.get(r.handling_unit_id) ?? null,
    })),
    nextCursor: found.nextCursor,
  };
}

/** A signed-in citizen's own case by its tracking number (their letters need no query code). */
export async function myCase(db: Db, userId: string, trackingNo: string): Promise<CaseRow | null> {
  const wanted = trackingNo.trim().toUpperCase();
  if (!TRACKING_NO.test(wanted)) return null;
  return (await interactionDb(db).selectFrom('interaction_cases').selectAll().where('tracking_no', '=', wanted).where('writer_user_id', '=', userId).executeTakeFirst()) ?? null;
}

// ---------------------------------------------------------------- units to write to

export interface MailboxUnit {
  id: string;
  name: string;
}

/** The units a citizen may write to: governments, departments and towns that are not disabled. */
export async function mailboxUnits(db: Db): Promise<MailboxUnit[]> {
  return db
    .withTables<OrgTables>()
    .selectFrom('units')
    .select(['id', 'name'])
    .where('disabled_at', 'is', null)
    .where('kind', 'in', ['government', 'department', 'town', 'service_center'])
    .orderBy(sql`region_code`)
    .orderBy('name')
    .limit(500)
    .execute();
}

/** The categories of published letters, for the board's filter. */
export async function boardCategories(db: Db): Promise<string[]> {
  const rows = await interactionDb(db).selectFrom('interaction_cases').select('category').distinct().where('moderation', '=', 'published').where('category', 'is not', null).limit(200).execute();
  return rows.map((r) => r.category!).sort((a, b) => a.localeCompare(b, 'zh-CN'));
}

/** The units that have published letters, for the board's filter. */
export async function boardUnits(db: Db): Promise<MailboxUnit[]> {
  const rows = await interactionDb(db).selectFrom('interaction_cases').select('handling_unit_id').distinct().where('moderation', '=', 'published').limit(500).execute();
  const names = await unitNames(db, rows.map((r) => r.handling_unit_id));
  return [...names].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
}
