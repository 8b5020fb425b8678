import crypto from 'node:crypto';
import { sql } from '../db/index.ts';
import { inTransaction, type Actor, type Work } from '../db/work.ts';
import { newOwnerId } from '../jobs/scheduler.ts';
import type { Platform } from '../module.ts';
import { DEFAULT_HOST, hostFolder } from './paths.ts';
import { LEASE_MS, staticDb } from './store.ts';
import type { PageAddress, PublishStats, RenderedPage, StaticPageSource } from './types.ts';
import { eachLimited, removePages, writePages } from './writer.ts';

/** Identifies this process's leases. */
export const PROCESS_OWNER = newOwnerId();
/** Queue rows claimed at once: the pages they name are rendered and written together. */
const CLAIM_BATCH = 500;
/** Pages rendered at once: their reads overlap on the pool (PostgreSQL) or queue on the one connection (PGlite). */
const RENDER_CONCURRENCY = 8;
/** How often a caller waiting for its rows held by another process looks again. */
const WAIT_MS = 25;

const BATCH_KEY = 'static.batch';
const QUEUE_KEY = 'static.queue';

interface QueueItem {
  key: string | null;
  source: string | null;
  host: string | null;
  path: string | null;
}

/** The name of this unit of work's queue rows: its caller publishes exactly them (inTransactionPublishing). */
export function publishingBatch(work: Work): string {
  let batch = work.bag.get(BATCH_KEY) as string | undefined;
  if (!batch) work.bag.set(BATCH_KEY, (batch = crypto.randomUUID()));
  return batch;
}

function enqueue(work: Work, items: QueueItem[]) {
  if (!items.length) return;
  const batch = publishingBatch(work);
  // Written with the caller's change, in one statement just before commit: the queue can never
  // miss a change that committed, nor hold one that rolled back.
  work.collectBeforeCommit<QueueItem>(QUEUE_KEY, items, async (rows) => {
    if (!rows.length) return;
    await sql`
      insert into static_queue (batch, key, source, host, path, queued_at)
      select ${batch}::text, u.key, u.source, u.host, u.path, statement_timestamp()
        from unnest(${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.source)}::text[], ${rows.map((r) => r.host)}::text[], ${rows.map((r) => r.path)}::text[])
             as u(key, source, host, path)`.execute(work.tx);
  });
}

/** Marks keys stale inside the caller's unit of work: every page depending on one of them is rendered again. */
export function markStale(work: Work, keys: string[]) {
  enqueue(work, [...new Set(keys)].map((key) => ({ key, source: null, host: null, path: null })));
}

/** Names pages to render inside the caller's unit of work (a new page has no dependency row yet). */
export function markPages(work: Work, source: string, pages: PageAddress[]) {
  enqueue(work, pages.map((p) => ({ key: null, source, host: hostFolder(p.host), path: p.path })));
}

/**
 * Runs `fn` in one transaction, then publishes what it marked stale before answering: the files
 * are new by the time the caller returns (the route-await guarantee).
 */
export async function inTransactionPublishing<T>(platform: Platform, actor: Actor, fn: (work: Work) => Promise<T>): Promise<T> {
  let batch: string | null = null;
  const result = await inTransaction(platform.db, actor, async (work) => {
    const value = await fn(work);
    if (work.bag.has(BATCH_KEY)) batch = publishingBatch(work);
    return value;
  });
  if (batch) await publishStale(platform, { batch });
  return result;
}

interface ClaimedRow {
  id: string;
  key: string | null;
  source: string | null;
  host: string | null;
  path: string | null;
}

/**
 * Claims queue rows: unleased ones, or ones whose lease ran out (the process died). On the
 * embedded database only this process runs, so any lease but its own is a dead one.
 */
async function claim(platform: Platform, batch: string | null): Promise<ClaimedRow[]> {
  const now = platform.clock.now();
  const until = new Date(now.getTime() + LEASE_MS);
  const free = platform.dbKind === 'pglite' ? sql`(lease_owner is null or lease_owner <> ${PROCESS_OWNER} or lease_until <= ${now})` : sql`(lease_until is null or lease_until <= ${now})`;
  const result = await sql<ClaimedRow>`
    update static_queue set lease_until = ${until}, lease_owner = ${PROCESS_OWNER}
     where id in (select id from static_queue
                   where ${batch === null ? sql`true` : sql`batch = ${batch}`} and ${free}
                   order by id limit ${CLAIM_BATCH}
                   for update skip locked)
    returning id, key, source, host, path`.execute(platform.db);
  return result.rows;
}

const addressOf = (host: string, path: string): PageAddress => ({ host: host === DEFAULT_HOST ? null : host, path });

/** The pages named by claimed rows: those depending on the stale keys, and those named outright. */
async function pagesOf(platform: Platform, rows: ClaimedRow[]): Promise<Map<string, { source: string; host: string; path: string }>> {
  const pages = new Map<string, { source: string; host: string; path: string }>();
  const keys = rows.filter((r) => r.key !== null).map((r) => r.key!);
  if (keys.length) {
    const dependent = await sql<{ source: string; host: string; path: string }>`
      select distinct p.source, p.host, p.path
        from static_page_deps d join static_pages p on p.host = d.host and p.path = d.path
       where d.key = any(${keys}::text[])`.execute(platform.db);
    for (const page of dependent.rows) pages.set(`${page.host}\n${page.path}`, page);
  }
  for (const row of rows) if (row.source !== null) pages.set(`${row.host}\n${row.path}`, { source: row.source, host: row.host!, path: row.path! });
  return pages;
}

/** Renders pages by their sources and publishes the results: new bytes written, null removed. */
export async function renderAndPublish(platform: Platform, pages: Iterable<{ source: string; host: string; path: string }>, rebuildId: string | null = null): Promise<PublishStats> {
  const stats: PublishStats = { rendered: 0, written: 0, unchanged: 0, removed: 0 };
  const bySource = new Map<string, Array<{ host: string; path: string }>>();
  for (const page of pages) bySource.set(page.source, [...(bySource.get(page.source) ?? []), page]);
  for (const [name, addresses] of bySource) {
    const source: StaticPageSource | undefined = platform.modules.staticSources.get(name);
    // Its module is switched off: its pages stay as they were published.
    if (!source) continue;
    const rendered: RenderedPage[] = [];
    const gone: PageAddress[] = [];
    await eachLimited(addresses, RENDER_CONCURRENCY, async ({ host, path }) => {
      const address = addressOf(host, path);
      const page = await source.render(platform, address);
      stats.rendered++;
      if (page) rendered.push(page);
      else gone.push(address);
    });
    const result = await writePages(platform, name, rendered, rebuildId);
    stats.written += result.written;
    stats.unchanged += result.unchanged;
    stats.removed += await removePages(platform, gone);
  }
  return stats;
}

const running = new WeakMap<object, Promise<unknown>>();

/**
 * Runs the publishing steps of this process one after another, per database: a page rendered
 * by the job from data read before a change committed is written before the page the change's
 * own caller renders afterwards, never after it (the last write is the newest data).
 */
function oneAtATime<T>(platform: Platform, step: () => Promise<T>): Promise<T> {
  const previous = running.get(platform.db) ?? Promise.resolve();
  const next = previous.then(step, step);
  running.set(platform.db, next.catch(() => {}));
  return next;
}

/**
 * Publishes what is queued: every page depending on a stale key and every page named, rendered
 * again by its source; then the queue rows go. `batch`: only the rows one unit of work queued,
 * waiting for those another process is publishing, so they are on disk when this returns.
 */
export async function publishStale(platform: Platform, options: { batch?: string } = {}): Promise<PublishStats> {
  const total: PublishStats = { rendered: 0, written: 0, unchanged: 0, removed: 0 };
  const batch = options.batch ?? null;
  const db = staticDb(platform.db);
  for (;;) {
    const rows = await claim(platform, batch);
    if (!rows.length) {
      if (batch === null) return total;
      const left = await db.selectFrom('static_queue').select('id').where('batch', '=', batch).limit(1).executeTakeFirst();
      if (!left) return total;
      // Another process holds them: it writes the files before it deletes the rows.
      await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
      continue;
    }
    const ids = rows.map((r) => r.id);
    try {
      const stats = await oneAtATime(platform, async () => renderAndPublish(platform, (await pagesOf(platform, rows)).values()));
      for (const k of Object.keys(total) as Array<keyof PublishStats>) total[k] += stats[k];
    } catch (error) {
      // Free them at once for the next try (the job's) instead of waiting for the lease.
      await db.updateTable('static_queue').set({ lease_until: null, lease_owner: null }).where('id', 'in', ids).where('lease_owner', '=', PROCESS_OWNER).execute();
      throw error;
    }
    await db.deleteFrom('static_queue').where('id', 'in', ids).where('lease_owner', '=', PROCESS_OWNER).execute();
  }
}
