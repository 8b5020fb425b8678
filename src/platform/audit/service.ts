import { escapeLike, sql, type Db } from '../db/index.ts';
import { keysetPage, writeCursor, type Keyset } from '../db/pagination.ts';
import type { Work, Actor } from '../db/work.ts';
import { GENESIS_HASH, KEYED, macRecord, type AuditTables, type Outcome } from './chain.ts';
import { auditKeysOf } from './keys.ts';

export { GENESIS_HASH, hashRecord, macRecord, type AuditRow, type AuditTables, type Outcome } from './chain.ts';
export { verifyChain, type VerifyResult } from './verify.ts';

export interface AuditEntry {
  /** Dotted verb: 'auth.login', 'user.create', 'unit.update', ... */
  action: string;
  objectType?: string | null;
  objectId?: string | null;
  outcome?: Outcome;
  /** Chosen fields only: never passwords, tokens or secrets. */
  details?: Record<string, unknown>;
}

const SECRET_FIELD = /pass(word)?|secret|token|totp|otp|key/i;

function scrub(details: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details ?? {})) {
    if (value === undefined) continue;
    out[key] = SECRET_FIELD.test(key) ? '[redacted]' : value;
  }
  return out;
}

const PENDING = 'audit.pending';

/**
 * Adds an audit record to the unit of work. Records are chained and written just before
 * commit, under a transaction-scoped advisory lock on one of the chain's lanes, so each lane has
 * one order across any number of processes and a rolled-back change leaves no record. `actor`
 * stands for someone other than the unit of work's (an account that has just registered itself).
 */
export function recordAudit(work: Work, entry: AuditEntry, at: Date = new Date(), actor: Actor = work.actor) {
  work.collectBeforeCommit(PENDING, [{ entry, at, actor }], (records) => appendToChain(work, records), { last: true });
}

const CHAIN_LOCK = 7_346_001;
/**
 * Parallel lanes of the chain. A lane's lock is held from reading its head until the commit
 * (the WAL flush included); with one chain, every writing transaction of the platform would
 * queue there. A transaction takes whichever lane is free, so as many commit at once.
 */
export const AUDIT_LANES = 32;

/** Locks a free lane (waits for one only when all are taken) and returns it. */
async function lockLane(db: Db): Promise<number> {
  const start = Math.floor(Math.random() * AUDIT_LANES);
  // No ORDER BY: sorting would try (and take) every lane's lock before picking one. Without it the
  // filter runs row by row and stops at the first free lane.
  const free = await sql<{ lane: number }>`
    select lane from (select (g + ${start}::int) % ${AUDIT_LANES}::int as lane from generate_series(0, ${AUDIT_LANES - 1}::int) g) x
     where pg_try_advisory_xact_lock(${CHAIN_LOCK}::int, lane)
     limit 1`.execute(db);
  if (free.rows[0]) return free.rows[0].lane;
  await sql`select pg_advisory_xact_lock(${CHAIN_LOCK}::int, ${start}::int)`.execute(db);
  return start;
}

async function appendToChain(work: Work, pending: Array<{ entry: AuditEntry; at: Date; actor: Actor }>) {
  if (!pending.length) return;
  // Keyed records only (decision 0013): a keyless one after them would be reported as a forgery.
  const keys = auditKeysOf(work.root);
  if (!keys) throw new Error('no audit key is loaded for this database: the platform loads it (useAuditKey) before any unit of work writes');
  const db = work.tx;
  const lane = await lockLane(db);
  // A statement of its own after the lock: its snapshot sees what the lane's previous holder committed.
  const last = await db.withTables<AuditTables>().selectFrom('audit_log').select('hash').where('lane', '=', lane).orderBy('id', 'desc').limit(1).executeTakeFirst();
  let prevHash = last?.hash ?? GENESIS_HASH;
  const rows = pending.map(({ entry, at, actor }) => {
    const row = {
      at,
      actor_id: actor.userId,
      actor_name: actor.username,
      unit_id: actor.unitId,
      ip: actor.ip,
      request_id: actor.requestId,
      action: entry.action,
      object_type: entry.objectType ?? null,
      object_id: entry.objectId ?? null,
      outcome: entry.outcome ?? 'success',
      details: scrub(entry.details),
    };
    const hash = macRecord(keys.chainKey, prevHash, lane, row);
    const full = { ...row, details: JSON.stringify(row.details), prev_hash: prevHash, hash, lane, chain_version: KEYED };
    prevHash = hash;
    return full;
  });
  // Bounded statements: a bulk import may add tens of thousands of records in one transaction.
  for (let i = 0; i < rows.length; i += AUDIT_INSERT_CHUNK) {
    await db.withTables<AuditTables>().insertInto('audit_log').values(rows.slice(i, i + AUDIT_INSERT_CHUNK) as never).execute();
  }
}

const AUDIT_INSERT_CHUNK = 1000;

export interface AuditFilter {
  /** An account id or the name recorded with the action. */
  actor?: string;
  /** An action, or a prefix ending in `*` ('user.*'). */
  action?: string;
  objectType?: string;
  objectId?: string;
  from?: Date;
  /** Exclusive. */
  to?: Date;
  cursor?: string;
  limit: number;
}

export interface AuditView {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  unitId: string | null;
  ip: string | null;
  requestId: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  outcome: Outcome;
  details: Record<string, unknown>;
  hash: string;
}

/** The audit log's order for reading: newest first, keyset on the id. */
const NEWEST_FIRST: Keyset<{ id: number }> = { keys: [{ by: 'id', kind: 'integer', of: (r) => r.id }], order: 'desc' };

/** The cursor of a page that starts at the record with this id (a link to a record deep in the log). */
export const auditCursorFrom = (id: number) => writeCursor(['integer'], [id + 1]);

/** The audit log, newest first, one page of it. */
export async function listAuditRecords(db: Db, filter: AuditFilter): Promise<{ items: AuditView[]; nextCursor: string | null }> {
  const { actor, action, objectType, objectId, from, to, limit, cursor } = filter;
  let query = db.withTables<AuditTables>().selectFrom('audit_log').selectAll();
  if (actor) query = query.where((eb) => eb.or([eb('actor_id', '=', actor), eb('actor_name', '=', actor)]));
  if (action) query = action.endsWith('*') ? query.where('action', 'like', `${escapeLike(action.slice(0, -1))}%`) : query.where('action', '=', action);
  if (objectType) query = query.where('object_type', '=', objectType);
  if (objectId) query = query.where('object_id', '=', objectId);
  if (from) query = query.where('at', '>=', from);
  if (to) query = query.where('at', '<', to);
  const page = await keysetPage(query, NEWEST_FIRST, { limit, cursor });
  return {
    items: page.items.map((r) => ({
      id: String(r.id),
      at: new Date(r.at).toISOString(),
      actorId: r.actor_id,
      actorName: r.actor_name,
      unitId: r.unit_id,
      ip: r.ip,
      requestId: r.request_id,
      action: r.action,
      objectType: r.object_type,
      objectId: r.object_id,
      outcome: r.outcome,
      details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
      hash: r.hash,
    })),
    nextCursor: page.nextCursor,
  };
}
