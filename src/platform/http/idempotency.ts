import { sql, type Kysely, type Migration } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.ts';
import { inTransaction, type Actor, type Work } from '../db/work.ts';
import type { JobDefinition, Platform } from '../module.ts';
import { AppError, fieldError } from './errors.ts';
import { actorOf } from './context.ts';

export const idempotencyMigrations: Record<string, Migration> = {
  '20261101_0800_http_idempotency': {
    async up(db: Kysely<any>) {
      await sql`
        create table idempotency_keys (
          scope text not null,
          key text not null,
          request_hash text not null,
          status integer,
          body jsonb,
          created_at timestamptz not null default now(),
          primary key (scope, key)
        )`.execute(db);
      await sql`create index idempotency_keys_created on idempotency_keys (created_at)`.execute(db);
    },
  },
};

type IdempotencyTables = {
  idempotency_keys: { scope: string; key: string; request_hash: string; status: number | null; body: unknown; created_at: Date };
};

export interface StoredResponse<T> {
  status: number;
  body: T;
  /** True when this answer is the stored answer of an earlier request with the same key. */
  replayed: boolean;
}

const KEY_SHAPE = /^[\x21-\x7e]{1,200}$/;

/**
 * Runs a creating request once per Idempotency-Key. The key is claimed in the same transaction
 * as the work, so a failed request leaves the key free, and a second request with the same key
 * that arrives while the first is still running waits for it (unique index) and then replays its
 * answer. The same key with a different body is refused.
 */
export async function idempotent<T>(
  platform: Platform,
  request: FastifyRequest,
  actor: Actor,
  run: (work: Work) => Promise<{ status: number; body: T }>,
): Promise<StoredResponse<T>> {
  const header = request.headers['idempotency-key'];
  if (header === undefined) {
    const result = await inTransaction(platform.db, actor, run);
    return { ...result, replayed: false };
  }
  if (typeof header !== 'string' || !KEY_SHAPE.test(header)) throw new AppError('VALIDATION_FAILED', { errors: [fieldError('headers.idempotency-key', 'http.idempotencyKeyInvalid')] });
  const scope = `${actor.userId ?? `anon:${actor.ip}`}|${request.method} ${request.url.split("?")[0]}`;
  const requestHash = platform.crypto.sm3(JSON.stringify(request.body ?? null));
  return inTransaction(platform.db, actor, async (work) => {
    const q = (db: Db) => db.withTables<IdempotencyTables>();
    const claimed = await q(work.tx)
      .insertInto('idempotency_keys')
      .values({ scope, key: header, request_hash: requestHash, status: null, body: null, created_at: platform.clock.now() })
      .onConflict((oc) => oc.doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!claimed) {
      const previous = await q(work.tx).selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', header).executeTakeFirstOrThrow();
      if (previous.request_hash !== requestHash) throw new AppError('IDEMPOTENCY_MISMATCH');
      return { status: previous.status ?? 200, body: previous.body as T, replayed: true };
    }
    const result = await run(work);
    await q(work.tx)
      .updateTable('idempotency_keys')
      .set({ status: result.status, body: JSON.stringify(result.body) as never })
      .where('scope', '=', scope)
      .where('key', '=', header)
      .execute();
    return { ...result, replayed: false };
  });
}

/** A creating route's whole answer: runs `run` once per Idempotency-Key and sends `status` with its result. */
export async function sendIdempotent<T>(platform: Platform, request: FastifyRequest, reply: FastifyReply, status: number, run: (work: Work) => Promise<T>) {
  const result = await idempotent(platform, request, actorOf(request), async (work) => ({ status, body: await run(work) }));
  return reply.status(result.status).send(result.body);
}

/**
 * How long a key is remembered. A client retries within minutes, an office after a weekend at
 * most; a request with a key older than this runs again as a new request.
 */
export const IDEMPOTENCY_RETENTION_MS = 7 * 24 * 3600_000;
const EXPIRE_BATCH = 10_000;

/** Forgets keys older than the retention, a batch per statement; returns how many went. */
export async function expireIdempotencyKeys(platform: Platform): Promise<number> {
  const before = new Date(platform.clock.now().getTime() - IDEMPOTENCY_RETENTION_MS);
  let removed = 0;
  for (;;) {
    const result = await sql<{ n: number }>`
      with gone as (
        delete from idempotency_keys
         where ctid in (select ctid from idempotency_keys where created_at < ${before} limit ${EXPIRE_BATCH})
        returning 1)
      select count(*)::int as n from gone`.execute(platform.db);
    const n = result.rows[0]?.n ?? 0;
    removed += n;
    if (n < EXPIRE_BATCH) return removed;
  }
}

export const idempotencyJobs: JobDefinition[] = [{ name: 'http.idempotency-expire', everySeconds: 3600, run: async (platform) => void (await expireIdempotencyKeys(platform)) }];
