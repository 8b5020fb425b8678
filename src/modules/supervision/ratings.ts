/**
 * Service ratings (好差评): after a case finishes, its applicant rates it once, from 1 (非常不满意)
 * to 5 (非常满意), with an optional comment. The database keeps ratings immutable. A rating of 2
 * or less opens a rectification task (整改) for the unit with its own deadline; supervision
 * records its follow-up calls (回访).
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type { Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import { recordAudit } from '../../platform/audit/service.ts';
import { AppError, fieldError, forbidden, invalid, notFound } from '../../platform/http/errors.ts';
import { keysetPage, type Keyset } from '../../platform/db/pagination.ts';
import { addWorkingDays, shanghaiDate } from '../../platform/calendar/index.ts';
import { coversUnit, hasPermission, type Principal } from '../../platform/iam/principal.ts';
import { getUnit, getUnits } from '../../platform/org/service.ts';
import { enqueueMessage } from '../../platform/notify/index.ts';
import type { SubjectSummary } from '../../platform/supervision.ts';
import { DECIDE, EXPLAIN, readScope, scopeCovers, supervisorScope, unitFilter } from './access.ts';
import { leadersOf } from './recipients.ts';
import { loadSettings } from './settings.ts';
import type { RatingRow, RectificationRow, SupervisionTables } from './model.ts';
import { subjectsOf } from './subjects.ts';

const q = (db: Db) => db.withTables<SupervisionTables>();
const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/** Ratings at or below this open a rectification task. */
export const POOR_SCORE = 2;
export const COMMENT_MAX = 500;

export interface RatingInput {
  score: number;
  comment?: string;
}

/**
 * Records the rating of a finished case. A case not finished is 409 INVALID_STATE; a second rating
 * 409 CONFLICT (one per case, by a unique index: two at once, one wins).
 */
export async function rateCase(work: Work, platform: Platform, found: SubjectSummary, input: RatingInput, by: { channel: 'public' | 'account'; userId: string | null }) {
  if (!Number.isInteger(input.score) || input.score < 1 || input.score > 5) throw invalid([fieldError('score', 'supervision.rating.score')]);
  const comment = input.comment?.trim() || null;
  if (comment && comment.length > COMMENT_MAX) throw invalid([fieldError('comment', 'supervision.textTooLong', { max: COMMENT_MAX })]);
  // GB/T 39734: a bad rating (不满意, 非常不满意) states its reasons, which the rectification answers.
  if (!comment && input.score <= POOR_SCORE) throw invalid([fieldError('comment', 'supervision.rating.reasonRequired')]);
  if (!found.finished) throw new AppError('INVALID_STATE', { detail: { key: 'supervision.rating.notFinished' } });
  const now = platform.clock.now();
  const id = crypto.randomUUID();
  const row = await q(work.tx)
    .insertInto('supervision_ratings')
    .values({ id, subject_type: found.type, case_id: found.id, unit_id: found.unitId, item_id: found.categoryId ?? '', score: input.score, comment, channel: by.channel, rated_by: by.userId, rated_at: now })
    .onConflict((oc) => oc.columns(['subject_type', 'case_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new AppError('CONFLICT', { detail: { key: 'supervision.rating.already' } });
  let rectification: RectificationRow | null = null;
  if (input.score <= POOR_SCORE) {
    const settings = await loadSettings(work.tx);
    const { date: due } = await addWorkingDays(work.tx, shanghaiDate(now), settings.rectificationDays);
    rectification = await q(work.tx)
      .insertInto('supervision_rectifications')
      .values({ id: crypto.randomUUID(), rating_id: id, subject_type: found.type, case_id: found.id, unit_id: found.unitId, state: 'open', due_date: due, opened_at: now, measures: null, done_at: null, done_by: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    const unit = await getUnit(work.tx, found.unitId);
    if (unit) {
      for (const leader of await leadersOf(work.tx, unit)) {
        await enqueueMessage(work, platform, {
          channel: 'inapp',
          to: { userId: leader.userId },
          template: 'supervision.rectificationOpened',
          params: { receiptNo: found.trackingNo, score: input.score, dueDate: due, rectificationId: rectification.id },
          lang: leader.lang,
          dedupeKey: `supervision:rectification:${rectification.id}:${leader.userId}`,
        });
      }
    }
  }
  recordAudit(work, { action: 'supervision.rating.create', objectType: found.type, objectId: found.id, details: { score: input.score, channel: by.channel, rectification: rectification?.id ?? null } }, now);
  return { id: row.id, subjectType: row.subject_type, caseId: row.case_id, score: row.score, ratedAt: iso(row.rated_at)!, rectification: rectification ? { id: rectification.id, dueDate: rectification.due_date } : null };
}

function ratingView(r: RatingRow) {
  return { id: r.id, subjectType: r.subject_type, caseId: r.case_id, unitId: r.unit_id, itemId: r.item_id, score: r.score, comment: r.comment, channel: r.channel, ratedAt: iso(r.rated_at)! };
}

/** The ratings of some subjects of one type, by subject id (whether each may still be rated, what it got). */
export async function ratingsOfSubjects(db: Db, subjectType: string, ids: readonly string[]) {
  if (!ids.length) return new Map<string, ReturnType<typeof ratingView>>();
  const rows = await q(db).selectFrom('supervision_ratings').selectAll().where('subject_type', '=', subjectType).where('case_id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.case_id, ratingView(r)]));
}

/** Newest first, by rated_at (id breaks ties). */
const LATEST_RATINGS: Keyset<{ rated_at: Date | string; id: string }> = {
  keys: [
    { by: 'rated_at', kind: 'timestamp', of: (r) => r.rated_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/** Ratings the caller may read (supervisors: all; a department: its own), newest first. */
export async function listRatings(db: Db, principal: Principal | null, filter: { unitId?: string; itemId?: string; maxScore?: number; from?: Date; to?: Date; limit: number; cursor?: string }) {
  const scope = readScope(principal);
  if (!scope) throw forbidden();
  let query = q(db).selectFrom('supervision_ratings').selectAll().where(unitFilter(db, scope, 'unit_id'));
  if (filter.unitId) query = query.where('unit_id', '=', filter.unitId);
  if (filter.itemId) query = query.where('item_id', '=', filter.itemId);
  if (filter.maxScore) query = query.where('score', '<=', filter.maxScore);
  if (filter.from) query = query.where('rated_at', '>=', filter.from);
  if (filter.to) query = query.where('rated_at', '<', filter.to);
  const page = await keysetPage(query, LATEST_RATINGS, filter);
  return { items: page.items.map(ratingView), nextCursor: page.nextCursor };
}

/** The ratings a citizen gave (signed in, or from the link sent to them), newest first. */
export async function ratingsBy(db: Db, userId: string, page: { limit: number; cursor?: string | null }) {
  const query = q(db).selectFrom('supervision_ratings').selectAll().where('rated_by', '=', userId);
  const found = await keysetPage(query, LATEST_RATINGS, page);
  return { items: found.items.map(ratingView), nextCursor: found.nextCursor };
}

/** Rating statistics of a period per unit or per item: count, average, each score, satisfied (≥ 4) and dissatisfied (≤ 2). */
export async function ratingStats(platform: Platform, principal: Principal | null, from: Date, to: Date, groupBy: 'unit' | 'item') {
  const db = platform.db;
  const scope = readScope(principal);
  if (!scope) throw forbidden();
  const column = groupBy === 'unit' ? sql.ref('unit_id') : sql.ref('item_id');
  const result = await sql<{ key: string; subject_type: string; unit_id: string; n: number; total: number; s1: number; s2: number; s3: number; s4: number; s5: number }>`
    select ${column} as key, min(subject_type) as subject_type, min(unit_id) as unit_id, count(*)::int as n, sum(score)::int as total,
           count(*) filter (where score = 1)::int as s1, count(*) filter (where score = 2)::int as s2,
           count(*) filter (where score = 3)::int as s3, count(*) filter (where score = 4)::int as s4,
           count(*) filter (where score = 5)::int as s5
      from supervision_ratings
     where rated_at >= ${from} and rated_at < ${to} and ${unitFilter(db, scope, 'unit_id')}
     group by ${groupBy === 'item' ? sql`subject_type, 1` : sql`1`} order by 1`.execute(db);
  const names = new Map<string, { code: string | null; name: string }>();
  if (groupBy === 'item') {
    for (const subject of subjectsOf(platform)) {
      const ids = result.rows.filter((r) => r.subject_type === subject.type).map((r) => r.key);
      if (ids.length && subject.categoryNames) for (const [id, name] of await subject.categoryNames(db, ids)) names.set(id, name);
    }
  }
  const units = groupBy === 'unit' ? new Map((await getUnits(db, result.rows.map((r) => r.key))).map((u) => [u.id, u.name])) : new Map<string, string>();
  return result.rows.map((r) => {
    const count = Number(r.n);
    const satisfied = Number(r.s4) + Number(r.s5);
    const dissatisfied = Number(r.s1) + Number(r.s2);
    return {
      ...(groupBy === 'unit' ? { unitId: r.key, unitName: units.get(r.key) ?? r.key } : { itemId: r.key, itemName: names.get(r.key)?.name ?? r.key, itemCode: names.get(r.key)?.code ?? null, unitId: r.unit_id }),
      count,
      average: count ? Math.round((Number(r.total) / count) * 100) / 100 : 0,
      scores: { 1: Number(r.s1), 2: Number(r.s2), 3: Number(r.s3), 4: Number(r.s4), 5: Number(r.s5) },
      satisfied,
      dissatisfied,
      satisfactionRate: count ? Math.round((satisfied / count) * 10_000) / 10_000 : 0,
    };
  });
}

// ---------------------------------------------------------------- rectification tasks

async function rectificationCalls(db: Db, ids: string[]) {
  if (!ids.length) return new Map<string, Array<{ seq: number; reached: boolean; satisfied: boolean | null; note: string; actorName: string | null; at: string }>>();
  const rows = await q(db).selectFrom('supervision_rectification_calls').selectAll().where('rectification_id', 'in', ids).orderBy('rectification_id').orderBy('seq').execute();
  const out = new Map<string, Array<{ seq: number; reached: boolean; satisfied: boolean | null; note: string; actorName: string | null; at: string }>>();
  for (const r of rows) {
    const list = out.get(r.rectification_id) ?? [];
    list.push({ seq: r.seq, reached: r.reached, satisfied: r.satisfied, note: r.note, actorName: r.actor_name, at: iso(r.at)! });
    out.set(r.rectification_id, list);
  }
  return out;
}

function rectificationView(r: RectificationRow, calls: Map<string, unknown[]>, today: string) {
  return {
    id: r.id,
    ratingId: r.rating_id,
    caseId: r.case_id,
    unitId: r.unit_id,
    state: r.state,
    dueDate: r.due_date,
    overdue: r.state === 'open' && today > r.due_date,
    openedAt: iso(r.opened_at)!,
    measures: r.measures,
    doneAt: iso(r.done_at),
    version: r.version,
    calls: calls.get(r.id) ?? [],
  };
}

/** Newest first, by opened_at (id breaks ties). */
const LATEST_RECTIFICATIONS: Keyset<{ opened_at: Date | string; id: string }> = {
  keys: [
    { by: 'opened_at', kind: 'timestamp', of: (r) => r.opened_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

export async function listRectifications(platform: Platform, principal: Principal | null, filter: { state?: 'open' | 'done'; unitId?: string; limit: number; cursor?: string }) {
  const db = platform.db;
  const scope = readScope(principal);
  if (!scope) throw forbidden();
  let query = q(db).selectFrom('supervision_rectifications').selectAll().where(unitFilter(db, scope, 'unit_id'));
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.unitId) query = query.where('unit_id', '=', filter.unitId);
  const page = await keysetPage(query, LATEST_RECTIFICATIONS, filter);
  const calls = await rectificationCalls(db, page.items.map((r) => r.id));
  const today = shanghaiDate(platform.clock.now());
  return { items: page.items.map((r) => rectificationView(r, calls, today)), nextCursor: page.nextCursor };
}

async function visibleRectification(db: Db, principal: Principal, id: string, lock = false) {
  const scope = readScope(principal);
  if (!scope) throw forbidden();
  let query = q(db).selectFrom('supervision_rectifications').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw notFound();
  const unit = await getUnit(db, row.unit_id);
  if (!unit || !scopeCovers(scope, unit)) throw notFound();
  return { row, unit };
}

/** The unit reports what it changed (整改措施) and closes the task, once. */
export async function completeRectification(work: Work, platform: Platform, principal: Principal, id: string, input: { measures: string }) {
  const { row, unit } = await visibleRectification(work.tx, principal, id, true);
  if (!coversUnit(principal, EXPLAIN, unit)) throw forbidden({ key: 'supervision.card.explainOwnUnit' });
  const measures = input.measures.trim();
  if (!measures) throw invalid([fieldError('measures', 'supervision.textRequired')]);
  if (row.state !== 'open') throw new AppError('INVALID_STATE', { detail: { key: 'supervision.rectification.done' } });
  const now = platform.clock.now();
  const updated = await q(work.tx)
    .updateTable('supervision_rectifications')
    .set((eb) => ({ state: 'done' as const, measures, done_at: now, done_by: principal.userId, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('state', '=', 'open')
    .returningAll()
    .executeTakeFirstOrThrow();
  recordAudit(work, { action: 'supervision.rectification.complete', objectType: 'supervision_rectification', objectId: id, details: { caseId: row.case_id } }, now);
  return rectificationView(updated, await rectificationCalls(work.tx, [id]), shanghaiDate(now));
}

/** Supervision records a follow-up call (回访) with the applicant: reached or not, satisfied or not, a note. */
export async function recordRectificationCall(work: Work, platform: Platform, principal: Principal, id: string, input: { reached: boolean; satisfied?: boolean | null; note: string }) {
  if (!supervisorScope(principal) || !hasPermission(principal, DECIDE)) throw forbidden();
  const { row } = await visibleRectification(work.tx, principal, id, true);
  const note = input.note.trim();
  if (!note) throw invalid([fieldError('note', 'supervision.textRequired')]);
  const now = platform.clock.now();
  await sql`
    insert into supervision_rectification_calls (rectification_id, seq, reached, satisfied, note, actor_id, actor_name, at)
    values (${id}, coalesce((select max(seq) + 1 from supervision_rectification_calls where rectification_id = ${id}), 0), ${input.reached}, ${input.reached ? (input.satisfied ?? null) : null}, ${note}, ${work.actor.userId}, ${work.actor.username}, ${now})`.execute(work.tx);
  recordAudit(work, { action: 'supervision.rectification.call', objectType: 'supervision_rectification', objectId: id, details: { reached: input.reached, satisfied: input.satisfied ?? null } }, now);
  return rectificationView(row, await rectificationCalls(work.tx, [id]), shanghaiDate(now));
}
