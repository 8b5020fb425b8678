import crypto from 'node:crypto';
import { sql, type Kysely, type Migration } from 'kysely';
import type { Db } from '../db/index.ts';
import type { JobDefinition, Platform } from '../module.ts';
import { AppError } from '../http/errors.ts';

/**
 * Rate limits kept in the database: every process of the installation counts into the same rows,
 * and a restart forgets nothing. One row per key (route and client address, an account name, a
 * mobile number) and fixed window; one upsert per request counts and answers in one round trip.
 */
export const limitMigrations: Record<string, Migration> = {
  '20261207_0800_limits_counters': {
    async up(db: Kysely<any>) {
      // Unlogged on PostgreSQL would lose the counts on a crash: a restart must not reopen the doors.
      await sql`
        create table rate_limit_counters (
          key text primary key,
          hits integer not null,
          window_ends timestamptz not null
        )`.execute(db);
      await sql`create index rate_limit_counters_expiry on rate_limit_counters (window_ends)`.execute(db);
    },
  },
};

type CounterTables = { rate_limit_counters: { key: string; hits: number; window_ends: Date } };

export interface LimitHit {
  /** Hits in the current window, this one included. */
  hits: number;
  /** Milliseconds until the window ends. */
  resetInMs: number;
}

/** Keys are bounded: a 1,000-character account name must not make a 1,000-character row. */
const boundedKey = (key: string) => (key.length <= 200 ? key : `${key.slice(0, 120)}…${crypto.createHash('sha256').update(key).digest('hex')}`);

/** Counts one hit of `key` in a window of `windowMs` starting at the key's first hit. */
export async function hitLimit(db: Db, key: string, windowMs: number, now: Date): Promise<LimitHit> {
  const windowEnds = new Date(now.getTime() + windowMs);
  const row = await sql<{ hits: number; window_ends: Date | string }>`
    insert into rate_limit_counters as c (key, hits, window_ends) values (${boundedKey(key)}, 1, ${windowEnds})
    on conflict (key) do update set
      hits = case when c.window_ends <= ${now} then 1 else c.hits + 1 end,
      window_ends = case when c.window_ends <= ${now} then excluded.window_ends else c.window_ends end
    returning hits, window_ends`.execute(db);
  const first = row.rows[0]!;
  return { hits: first.hits, resetInMs: Math.max(0, new Date(first.window_ends).getTime() - now.getTime()) };
}

/** The hits of `key` in its current window, without counting one (0 when none). */
export async function peekLimit(db: Db, key: string, now: Date): Promise<LimitHit> {
  const row = await db.withTables<CounterTables>().selectFrom('rate_limit_counters').select(['hits', 'window_ends']).where('key', '=', boundedKey(key)).executeTakeFirst();
  if (!row || new Date(row.window_ends).getTime() <= now.getTime()) return { hits: 0, resetInMs: 0 };
  return { hits: row.hits, resetInMs: new Date(row.window_ends).getTime() - now.getTime() };
}

/** Sets `key`'s window to end `forMs` from now with `hits` counted (a lock that grows with each failure). */
export async function holdLimit(db: Db, key: string, hits: number, forMs: number, now: Date): Promise<void> {
  const ends = new Date(now.getTime() + forMs);
  await sql`
    insert into rate_limit_counters as c (key, hits, window_ends) values (${boundedKey(key)}, ${hits}, ${ends})
    on conflict (key) do update set hits = excluded.hits, window_ends = excluded.window_ends`.execute(db);
}

/** Forgets `key` (a successful sign-in clears its failures). */
export async function clearLimit(db: Db, key: string): Promise<void> {
  await db.withTables<CounterTables>().deleteFrom('rate_limit_counters').where('key', '=', boundedKey(key)).execute();
}

/**
 * Counts a hit of `key` and refuses the request with 429 and Retry-After once more than `max` hits
 * fell in the window.
 */
export async function enforceLimit(platform: Platform, key: string, max: number, windowMs: number): Promise<void> {
  const hit = await hitLimit(platform.db, key, windowMs, platform.clock.now());
  if (hit.hits > max) throw rateLimited(hit.resetInMs);
}

export const rateLimited = (resetInMs: number) => new AppError('RATE_LIMITED', { extra: { retryAfter: Math.max(1, Math.ceil(resetInMs / 1000)) } });

/** Windows that ended an hour ago are deleted. */
export const limitJobs: JobDefinition[] = [
  {
    name: 'limits.expire',
    everySeconds: 600,
    run: async (platform) => {
      const before = new Date(platform.clock.now().getTime() - 3600_000);
      await platform.db.withTables<CounterTables>().deleteFrom('rate_limit_counters').where('window_ends', '<', before).execute();
    },
  },
];
