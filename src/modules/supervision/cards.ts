/**
 * Yellow and red cards (黄牌、红牌): issuing them (at most one per case, step and reason, by a
 * unique index, so any number of scanning processes and event hooks can race), turning a yellow
 * card red, and their lifecycle: open → explained (by the unit, with attachments) → confirmed or
 * revoked by a supervisor with a reason. Every step is appended to the card's history, which the
 * database keeps append-only.
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import type { Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import { recordAudit } from '../../platform/audit/service.ts';
import { AppError, fieldError, forbidden, invalid, notFound } from '../../platform/http/errors.ts';
import { keysetPage, type Keyset } from '../../platform/db/pagination.ts';
import { coversUnit, hasPermission, type Principal } from '../../platform/iam/principal.ts';
import { getUnit, getUnits } from '../../platform/org/service.ts';
import { enqueueMessages, type NewMessage } from '../../platform/notify/index.ts';
import { displayNames } from '../../platform/iam/index.ts';
import { attachFile, getFile, listAttachedFiles } from '../../platform/files/index.ts';
import type { FileAccessPolicy } from '../../platform/files/service.ts';
import { translate } from '../../platform/i18n/index.ts';
import type { SubjectSummary } from '../../platform/supervision.ts';
import { summariesOf } from './subjects.ts';
import { DECIDE, EXPLAIN, readScope, scopeCovers, supervisorScope, unitFilter, type UnitScope } from './access.ts';
import { cardRecipients } from './recipients.ts';
import type { CardRow, SupervisionTables } from './model.ts';
import type { CardColor, CardReason, CardStatus } from './rules.ts';

const q = (db: Db) => db.withTables<SupervisionTables>();
const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

export const CARD_FILE_OWNER = 'supervision.card';
const MAX_ATTACHMENTS = 10;

/** Something a scan or a hook found: issued as a card unless the same subject, step and reason has one. */
export interface Finding {
  /** The supervised subject's type (src/platform/supervision.ts)... */
  subjectType: string;
  /** ...and its id (an approval case's id, say). */
  caseId: string;
  /** '' for the case as a whole. */
  stepKey: string;
  reason: CardReason;
  color: CardColor;
  unitId: string;
  personId: string | null;
  taskId: string | null;
  dueDate: string | null;
  detail?: Record<string, unknown>;
}

export interface IssueResult {
  yellow: number;
  red: number;
  cards: CardRow[];
}

const keyOf = (f: { subjectType: string; caseId: string; stepKey: string; reason: string }) => `${f.subjectType}\u0000${f.caseId}\u0000${f.stepKey}\u0000${f.reason}`;
const CHUNK = 1000;

/**
 * Issues the findings as cards in the caller's transaction. A finding whose card exists is
 * skipped, except a red deadline finding on a yellow card, which turns the card red (the same
 * card, reopened: it needs its own explanation and decision). Findings are written in one order
 * (case, step, reason) so that racing transactions queue instead of deadlocking.
 * Returns the cards issued or turned red by this call, and tells the people concerned.
 */
export async function issueCards(work: Work, platform: Platform, findings: Finding[], now: Date): Promise<IssueResult> {
  const unique = new Map<string, Finding>();
  for (const f of findings) {
    const existing = unique.get(keyOf(f));
    if (!existing || (existing.color === 'yellow' && f.color === 'red')) unique.set(keyOf(f), f);
  }
  const sorted = [...unique.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  if (!sorted.length) return { yellow: 0, red: 0, cards: [] };

  const inserted: CardRow[] = [];
  for (let i = 0; i < sorted.length; i += CHUNK) {
    const rows = await q(work.tx)
      .insertInto('supervision_cards')
      .values(
        sorted.slice(i, i + CHUNK).map((f) => ({
          id: crypto.randomUUID(),
          subject_type: f.subjectType,
          case_id: f.caseId,
          step_key: f.stepKey,
          reason: f.reason,
          color: f.color,
          status: 'open' as const,
          unit_id: f.unitId,
          person_id: f.personId,
          task_id: f.taskId,
          due_date: f.dueDate,
          detail: JSON.stringify(f.detail ?? {}) as never,
          issued_at: now,
          upgraded_at: null,
          explained_at: null,
          decided_at: null,
          decided_by: null,
        })),
      )
      .onConflict((oc) => oc.columns(['subject_type', 'case_id', 'step_key', 'reason']).doNothing())
      .returningAll()
      .execute();
    inserted.push(...rows);
  }
  const insertedKeys = new Set(inserted.map((c) => keyOf({ subjectType: c.subject_type, caseId: c.case_id, stepKey: c.step_key, reason: c.reason })));

  const toUpgrade = sorted.filter((f) => f.color === 'red' && !insertedKeys.has(keyOf(f)));
  const upgraded: CardRow[] = [];
  for (const f of toUpgrade) {
    const row = await q(work.tx)
      .updateTable('supervision_cards')
      .set((eb) => ({
        color: 'red' as const,
        status: 'open' as const,
        upgraded_at: now,
        person_id: eb.fn.coalesce(eb.val(f.personId), eb.ref('person_id')),
        due_date: f.dueDate,
        explained_at: null,
        decided_at: null,
        decided_by: null,
        version: eb('version', '+', 1),
      }))
      .where('subject_type', '=', f.subjectType)
      .where('case_id', '=', f.caseId)
      .where('step_key', '=', f.stepKey)
      .where('reason', '=', f.reason)
      .where('color', '=', 'yellow')
      .returningAll()
      .executeTakeFirst();
    if (row) upgraded.push(row);
  }

  const changed = [...inserted.map((c) => ({ card: c, type: 'issued' as const })), ...upgraded.map((c) => ({ card: c, type: 'upgraded' as const }))];
  if (!changed.length) return { yellow: 0, red: 0, cards: [] };
  for (let i = 0; i < changed.length; i += CHUNK) {
    const part = changed.slice(i, i + CHUNK);
    await sql`
      insert into supervision_card_events (card_id, seq, type, color, text, attachments, actor_id, actor_name, at)
      select x.id, coalesce((select max(e.seq) + 1 from supervision_card_events e where e.card_id = x.id), 0), x.type, x.color, null, '[]', null, null, ${now}
        from unnest(${part.map((c) => c.card.id)}::text[], ${part.map((c) => c.type)}::text[], ${part.map((c) => c.card.color)}::text[]) as x(id, type, color)`.execute(work.tx);
  }
  const cards = changed.map((c) => c.card);
  await notifyCards(work, platform, cards);
  return { yellow: cards.filter((c) => c.color === 'yellow').length, red: cards.filter((c) => c.color === 'red').length, cards };
}

/** In-app messages to the units' leaders and the supervisors: one per card, or one digest per person for a batch; one INSERT. */
async function notifyCards(work: Work, platform: Platform, cards: CardRow[]) {
  const units = await getUnits(work.tx, [...new Set(cards.map((c) => c.unit_id))]);
  const recipients = await cardRecipients(work.tx, units);
  const perUser = new Map<string, { lang: 'zh-CN' | 'en'; cards: CardRow[] }>();
  for (const card of cards) {
    for (const r of recipients.get(card.unit_id) ?? []) {
      const entry = perUser.get(r.userId) ?? { lang: r.lang, cards: [] };
      entry.cards.push(card);
      perUser.set(r.userId, entry);
    }
  }
  const unitNames = new Map(units.map((u) => [u.id, u.name]));
  const messages: NewMessage[] = [];
  for (const [userId, { lang, cards: mine }] of perUser) {
    if (mine.length === 1) {
      const card = mine[0];
      messages.push({
        channel: 'inapp',
        to: { userId },
        template: 'supervision.cardIssued',
        params: { cardId: card.id, unitName: unitNames.get(card.unit_id) ?? card.unit_id, color: translate(lang, `supervision.color.${card.color}`), reason: translate(lang, `supervision.reason.${card.reason}`) },
        lang,
        dedupeKey: `supervision:card:${card.id}:${card.color}:${userId}`,
      });
    } else {
      messages.push({
        channel: 'inapp',
        to: { userId },
        template: 'supervision.cardsIssued',
        params: { yellow: mine.filter((c) => c.color === 'yellow').length, red: mine.filter((c) => c.color === 'red').length },
        lang,
      });
    }
  }
  await enqueueMessages(work, platform, messages);
}

// ---------------------------------------------------------------- reading

export interface CardView {
  id: string;
  subjectType: string;
  caseId: string;
  stepKey: string | null;
  /** The step's name (受理), null when unknown or for the whole case. */
  stepName: string | null;
  unitId: string;
  color: CardColor;
  reason: CardReason;
  status: CardStatus;
  issuedAt: string;
  personId: string | null;
  taskId: string | null;
  dueDate: string | null;
  detail: Record<string, unknown>;
  upgradedAt: string | null;
  explainedAt: string | null;
  decidedAt: string | null;
  version: number;
  /** The subject's tracking number and title, and its staff page. */
  receiptNo: string | null;
  itemName: string | null;
  link: string | null;
}

type Summaries = (ref: { subject_type: string; case_id: string }) => SubjectSummary | undefined;

function toView(row: CardRow, subjects: Summaries): CardView {
  const found = subjects(row);
  return {
    id: row.id,
    subjectType: row.subject_type,
    caseId: row.case_id,
    stepKey: row.step_key || null,
    stepName: row.step_key ? (found?.stepNames?.[row.step_key] ?? null) : null,
    unitId: row.unit_id,
    color: row.color,
    reason: row.reason,
    status: row.status,
    issuedAt: iso(row.issued_at)!,
    personId: row.person_id,
    taskId: row.task_id,
    dueDate: row.due_date,
    detail: row.detail,
    upgradedAt: iso(row.upgraded_at),
    explainedAt: iso(row.explained_at),
    decidedAt: iso(row.decided_at),
    version: row.version,
    receiptNo: found?.trackingNo ?? null,
    itemName: found?.title ?? null,
    link: found?.staffLink ?? null,
  };
}

export interface CardFilter {
  unitId?: string;
  color?: CardColor;
  status?: CardStatus;
  reason?: CardReason;
  caseId?: string;
  subjectType?: string;
  personId?: string;
  /** Issued at or after / before. */
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: string;
}

function requireScope(principal: Principal | null): UnitScope {
  const scope = readScope(principal);
  if (!scope) throw forbidden();
  return scope;
}

/** Newest first, by issued_at (id breaks ties). */
const NEWEST_FIRST: Keyset<{ issued_at: Date | string; id: string }> = {
  keys: [
    { by: 'issued_at', kind: 'timestamp', of: (r) => r.issued_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/** Cards the caller may see, newest first. */
export async function listCards(platform: Platform, principal: Principal | null, filter: CardFilter): Promise<{ items: CardView[]; nextCursor: string | null }> {
  const db = platform.db;
  const scope = requireScope(principal);
  let query = q(db).selectFrom('supervision_cards').selectAll().where(unitFilter(db, scope, 'unit_id'));
  if (filter.unitId) query = query.where('unit_id', '=', filter.unitId);
  if (filter.color) query = query.where('color', '=', filter.color);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.reason) query = query.where('reason', '=', filter.reason);
  if (filter.caseId) query = query.where('case_id', '=', filter.caseId);
  if (filter.subjectType) query = query.where('subject_type', '=', filter.subjectType);
  if (filter.personId) query = query.where('person_id', '=', filter.personId);
  if (filter.from) query = query.where('issued_at', '>=', filter.from);
  if (filter.to) query = query.where('issued_at', '<', filter.to);
  const page = await keysetPage(query, NEWEST_FIRST, filter);
  const subjects = await summariesOf(platform, db, page.items);
  return { items: page.items.map((r) => toView(r, subjects)), nextCursor: page.nextCursor };
}

async function visibleCard(db: Db, principal: Principal | null, id: string, scope: UnitScope): Promise<CardRow> {
  const row = await q(db).selectFrom('supervision_cards').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  const unit = await getUnit(db, row.unit_id);
  if (!scopeCovers(scope, { id: row.unit_id, regionCode: unit?.regionCode ?? '' })) throw notFound();
  return row;
}

export interface CardHistoryEntry {
  seq: number;
  type: string;
  color: CardColor;
  text: string | null;
  attachments: Array<{ id: string; name: string; size: number; mime: string }>;
  actorId: string | null;
  actorName: string | null;
  at: string;
}

/** One card with its whole history and attachments; outside the caller's scope it does not exist. */
export async function getCard(platform: Platform, principal: Principal | null, id: string): Promise<CardView & { history: CardHistoryEntry[] }> {
  const db = platform.db;
  const scope = requireScope(principal);
  const row = await visibleCard(db, principal, id, scope);
  const [events, files, subjects] = await Promise.all([
    q(db).selectFrom('supervision_card_events').selectAll().where('card_id', '=', id).orderBy('seq').execute(),
    listAttachedFiles(db, { ownerType: CARD_FILE_OWNER, ownerId: id }),
    summariesOf(platform, db, [row]),
  ]);
  const byId = new Map(files.map((f) => [f.id, f]));
  const names = await displayNames(db, events.map((e) => e.actor_id).filter((actor): actor is string => !!actor));
  return {
    ...toView(row, subjects),
    history: events.map((e) => ({
      seq: e.seq,
      type: e.type,
      color: e.color,
      text: e.text,
      attachments: (e.attachments ?? []).map((fileId) => byId.get(fileId)).filter((f) => !!f).map((f) => ({ id: f!.id, name: f!.name, size: f!.size, mime: f!.mime })),
      actorId: e.actor_id,
      // People by their names; null: raised by the system (the scan or the check of a case action).
      actorName: e.actor_id ? (names.get(e.actor_id) ?? e.actor_name) : null,
      at: iso(e.at)!,
    })),
  };
}

// ---------------------------------------------------------------- lifecycle

async function appendEvent(work: Work, cardId: string, type: 'explained' | 'confirmed' | 'revoked', color: CardColor, text: string, attachments: string[], now: Date) {
  await sql`
    insert into supervision_card_events (card_id, seq, type, color, text, attachments, actor_id, actor_name, at)
    values (${cardId}, coalesce((select max(seq) + 1 from supervision_card_events where card_id = ${cardId}), 0), ${type}, ${color}, ${text}, ${JSON.stringify(attachments)}::jsonb, ${work.actor.userId}, ${work.actor.username}, ${now})`.execute(work.tx);
}

function cleanText(value: string, field: string, max = 2000): string {
  const text = value.trim();
  if (!text) throw invalid([fieldError(field, 'supervision.textRequired')]);
  if (text.length > max) throw invalid([fieldError(field, 'supervision.textTooLong', { max })]);
  return text;
}

/**
 * The unit explains an open card (情况说明), with attachments uploaded through the files module.
 * Only holders of supervision.explain for the card's unit; a card already explained or decided is
 * refused (409), and two explanations at once: one wins.
 */
export async function explainCard(work: Work, platform: Platform, principal: Principal, id: string, input: { explanation: string; attachments?: string[]; expectedVersion?: number }) {
  const scope = requireScope(principal);
  const card = await visibleCard(work.tx, principal, id, scope);
  const unit = await getUnit(work.tx, card.unit_id);
  if (!unit || !coversUnit(principal, EXPLAIN, unit)) throw forbidden({ key: 'supervision.card.explainOwnUnit' });
  const text = cleanText(input.explanation, 'explanation');
  const attachments = [...new Set(input.attachments ?? [])];
  if (attachments.length > MAX_ATTACHMENTS) throw invalid([fieldError('attachments', 'supervision.tooManyAttachments', { max: MAX_ATTACHMENTS })]);
  if (card.status !== 'open') throw new AppError('INVALID_STATE', { detail: { key: 'supervision.card.notOpen' } });
  if (input.expectedVersion !== undefined && input.expectedVersion !== card.version) throw new AppError('CONFLICT');
  const now = platform.clock.now();
  const updated = await q(work.tx)
    .updateTable('supervision_cards')
    .set((eb) => ({ status: 'explained' as const, explained_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('status', '=', 'open')
    .where('version', '=', card.version)
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw new AppError('CONFLICT');
  for (const fileId of attachments) {
    if (!(await getFile(work.tx, fileId))) throw invalid([fieldError('attachments', 'supervision.fileUnknown', { id: fileId })]);
    await attachFile(work, fileId, { ownerType: CARD_FILE_OWNER, ownerId: id }, principal, now);
  }
  await appendEvent(work, id, 'explained', card.color, text, attachments, now);
  recordAudit(work, { action: 'supervision.card.explain', objectType: 'supervision_card', objectId: id, details: { attachments: attachments.length } }, now);
  return toView(updated, await summariesOf(platform, work.tx, [updated]));
}

/**
 * A supervisor confirms (the card counts in the unit's and the person's record) or revokes it,
 * with a reason, once. Departments hold no supervision.decide: the route answers 403 first.
 */
export async function decideCard(work: Work, platform: Platform, principal: Principal, id: string, decision: 'confirm' | 'revoke', input: { reason: string; expectedVersion?: number }) {
  const scope = supervisorScope(principal);
  if (!scope || !hasPermission(principal, DECIDE)) throw forbidden();
  const card = await visibleCard(work.tx, principal, id, scope);
  const text = cleanText(input.reason, 'reason');
  if (card.status !== 'open' && card.status !== 'explained') throw new AppError('INVALID_STATE', { detail: { key: 'supervision.card.decided' } });
  if (input.expectedVersion !== undefined && input.expectedVersion !== card.version) throw new AppError('CONFLICT');
  const now = platform.clock.now();
  const status = decision === 'confirm' ? ('confirmed' as const) : ('revoked' as const);
  const updated = await q(work.tx)
    .updateTable('supervision_cards')
    .set((eb) => ({ status, decided_at: now, decided_by: principal.userId, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('status', 'in', ['open', 'explained'])
    .where('version', '=', card.version)
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw new AppError('CONFLICT');
  await appendEvent(work, id, status, card.color, text, [], now);
  recordAudit(work, { action: `supervision.card.${decision}`, objectType: 'supervision_card', objectId: id, details: { color: card.color, reason: card.reason, unitId: card.unit_id } }, now);
  return toView(updated, await summariesOf(platform, work.tx, [updated]));
}

/** Files explaining a card: the card's unit and the supervisors (and auditors) may download them. */
export const mayDownloadCardFiles: FileAccessPolicy = async (platform, principal, ownerId) => {
  const scope = readScope(principal);
  if (!scope) return false;
  const row = await q(platform.db).selectFrom('supervision_cards').select('unit_id').where('id', '=', ownerId).executeTakeFirst();
  if (!row) return false;
  const unit = await getUnit(platform.db, row.unit_id);
  return scopeCovers(scope, { id: row.unit_id, regionCode: unit?.regionCode ?? '' });
};

// ---------------------------------------------------------------- the record (责任追究)

export interface RecordRow {
  unitId: string;
  personId: string | null;
  yellow: number;
  red: number;
  confirmedYellow: number;
  confirmedRed: number;
  revoked: number;
  pending: number;
}

/** Cards issued in [from, to) per unit or person: issued by colour, confirmed by colour (the record), revoked, pending. */
export async function cardCounts(db: Db, scope: UnitScope, from: Date, to: Date, groupBy: 'unit' | 'person'): Promise<RecordRow[]> {
  const person = groupBy === 'person';
  const result = await sql<{ unit_id: string; person_id: string | null; yellow: number; red: number; cy: number; cr: number; revoked: number; pending: number }>`
    select unit_id, ${person ? sql`person_id` : sql`null::text`} as person_id,
           count(*) filter (where color = 'yellow')::int as yellow,
           count(*) filter (where color = 'red')::int as red,
           count(*) filter (where color = 'yellow' and status = 'confirmed')::int as cy,
           count(*) filter (where color = 'red' and status = 'confirmed')::int as cr,
           count(*) filter (where status = 'revoked')::int as revoked,
           count(*) filter (where status in ('open', 'explained'))::int as pending
      from supervision_cards
     where issued_at >= ${from} and issued_at < ${to} and ${unitFilter(db, scope, 'unit_id')}
       ${person ? sql`and person_id is not null` : sql``}
     group by 1, 2
     order by 1, 2`.execute(db);
  return result.rows.map((r) => ({
    unitId: r.unit_id,
    personId: r.person_id,
    yellow: Number(r.yellow),
    red: Number(r.red),
    confirmedYellow: Number(r.cy),
    confirmedRed: Number(r.cr),
    revoked: Number(r.revoked),
    pending: Number(r.pending),
  }));
}

export type CardTotalsRow = Pick<RecordRow, 'unitId' | 'personId' | 'yellow' | 'red' | 'confirmedYellow' | 'confirmedRed'>;

/**
 * Cards issued on the days [fromDay, toDay] (Asia/Shanghai) per unit or person, by colour and
 * confirmed by colour, from the per-day counters the database keeps with the cards
 * (supervision_card_days): the figures of cardCounts without reading the cards.
 */
export async function cardTotals(db: Db, scope: UnitScope, fromDay: string, toDay: string, groupBy: 'unit' | 'person'): Promise<CardTotalsRow[]> {
  const person = groupBy === 'person';
  const result = await sql<{ unit_id: string; person_id: string | null; yellow: number; red: number; cy: number; cr: number }>`
    select unit_id, ${person ? sql`person_id` : sql`null::text`} as person_id,
           sum(yellow)::bigint as yellow, sum(red)::bigint as red, sum(confirmed_yellow)::bigint as cy, sum(confirmed_red)::bigint as cr
      from supervision_card_days
     where day between ${fromDay}::date and ${toDay}::date and ${unitFilter(db, scope, 'unit_id')}
       ${person ? sql`and person_id <> ''` : sql``}
     group by 1, 2
     order by 1, 2`.execute(db);
  return result.rows.map((r) => ({ unitId: r.unit_id, personId: r.person_id, yellow: Number(r.yellow), red: Number(r.red), confirmedYellow: Number(r.cy), confirmedRed: Number(r.cr) }));
}

/** How many cards in a scope wait for someone: open ones for an explanation, explained ones for a decision. */
export async function countCardsAwaiting(db: Db, scope: UnitScope | null, status: 'open' | 'explained'): Promise<number> {
  if (!scope) return 0;
  const row = await q(db)
    .selectFrom('supervision_cards')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('status', '=', status)
    .where(unitFilter(db, scope, 'unit_id'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
