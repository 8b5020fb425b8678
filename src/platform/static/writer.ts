import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { sql } from '../db/index.ts';
import type { Platform } from '../module.ts';
import { contentTypeOf, hostFolder, pageFile, publicRoot } from './paths.ts';
import { staticDb } from './store.ts';
import type { PageAddress, RenderedPage } from './types.ts';

/** Files written at once: enough to keep the disk busy, few enough not to exhaust descriptors. */
const WRITE_CONCURRENCY = 32;

/** The ETag and the stored digest of a body: SHA-256, base64url (decision 0016: measured against SM3). */
export const digestOf = (body: Buffer) => crypto.createHash('sha256').update(body).digest('base64url');

/** Runs `task` over `items` with at most `limit` at once. */
export async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

interface Prepared {
  host: string;
  path: string;
  file: string;
  body: Buffer;
  digest: string;
  contentType: string;
  deps: string[];
  depsDigest: string;
}

function prepare(root: string, page: RenderedPage): Prepared {
  const host = hostFolder(page.host);
  const file = pageFile(root, page.host, page.path);
  const body = typeof page.body === 'string' ? Buffer.from(page.body, 'utf8') : page.body;
  const deps = [...new Set(page.dependsOn)].sort();
  return {
    host,
    path: page.path,
    file,
    body,
    digest: digestOf(body),
    contentType: page.contentType ?? contentTypeOf(file),
    deps,
    depsDigest: crypto.createHash('sha256').update(deps.join('\n')).digest('base64url').slice(0, 22),
  };
}

interface FileWrite {
  file: string;
  body: Buffer;
  /** Write only when the file is missing. */
  check: boolean;
}

const WORKER = new URL('./write-worker.mjs', import.meta.url);
const WORKERS = Math.max(1, Math.min(2, os.cpus().length));
let pool: Array<{ worker: Worker; waiting: Map<number, (answer: { written: number; error: { message: string; code: string | null } | null }) => void> }> | null = null;
let nextId = 0;

/** The writer threads, started on first use; they never keep the process alive. */
function writers() {
  if (pool) return pool;
  pool = Array.from({ length: WORKERS }, () => {
    const worker = new Worker(WORKER);
    const waiting = new Map<number, (answer: { written: number; error: { message: string; code: string | null } | null }) => void>();
    worker.on('message', (answer: { id: number; written: number; error: { message: string; code: string | null } | null }) => {
      waiting.get(answer.id)?.(answer);
      waiting.delete(answer.id);
    });
    worker.on('error', () => {
      for (const settle of waiting.values()) settle({ written: 0, error: { message: 'the file writer stopped', code: null } });
      waiting.clear();
      pool = null;
    });
    worker.unref();
    return { worker, waiting };
  });
  return pool;
}

/**
 * Writes files atomically in the writer threads, a share of the batch each: synchronous calls
 * there are several times faster than four thread-pool round trips per file here (decision 0016).
 */
async function writeFiles(files: FileWrite[]): Promise<number> {
  if (!files.length) return 0;
  const threads = writers();
  const share = Math.ceil(files.length / threads.length);
  const answers = await Promise.all(
    threads.map(({ worker, waiting }, i) => {
      const part = files.slice(i * share, (i + 1) * share);
      if (!part.length) return { written: 0, error: null };
      const id = nextId++;
      return new Promise<{ written: number; error: { message: string; code: string | null } | null }>((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage({ id, files: part });
      });
    }),
  );
  const failed = answers.find((a) => a.error);
  if (failed?.error) throw Object.assign(new Error(`writing published pages failed: ${failed.error.message}`), { code: failed.error.code });
  return answers.reduce((n, a) => n + a.written, 0);
}

export interface WriteResult {
  written: number;
  unchanged: number;
}

/**
 * Publishes a batch of rendered pages of one source: the files whose bytes changed (or went
 * missing) are written, concurrently; the page rows are upserted and the dependency rows of pages
 * whose dependencies changed replaced, each in one statement for the whole batch.
 */
export async function writePages(platform: Platform, source: string, rendered: RenderedPage[], rebuildId: string | null = null): Promise<WriteResult> {
  if (!rendered.length) return { written: 0, unchanged: 0 };
  const root = publicRoot(platform.config);
  const byAddress = new Map<string, Prepared>();
  for (const page of rendered) {
    const prepared = prepare(root, page);
    byAddress.set(`${prepared.host}\n${prepared.path}`, prepared);
  }
  const pages = [...byAddress.values()];
  const db = staticDb(platform.db);
  const known = await sql<{ host: string; path: string; digest: string; deps_digest: string }>`
    select p.host, p.path, p.digest, p.deps_digest
      from static_pages p
      join unnest(${pages.map((p) => p.host)}::text[], ${pages.map((p) => p.path)}::text[]) as b(host, path)
        on p.host = b.host and p.path = b.path`.execute(db);
  const before = new Map(known.rows.map((r) => [`${r.host}\n${r.path}`, r]));

  // Same bytes as published: nothing to write, unless the file went missing (checked by the writer).
  const written = await writeFiles(pages.map((p) => ({ file: p.file, body: p.body, check: before.get(`${p.host}\n${p.path}`)?.digest === p.digest })));

  const now = platform.clock.now();
  const depsChanged = pages.filter((p) => before.get(`${p.host}\n${p.path}`)?.deps_digest !== p.depsDigest);
  await db.transaction().execute(async (tx) => {
    await sql`
      insert into static_pages (host, path, source, digest, size, content_type, deps_digest, published_at, rebuild_id)
      select b.host, b.path, ${source}, b.digest, b.size, b.content_type, b.deps_digest, ${now}::timestamptz, ${rebuildId}::bigint
        from unnest(${pages.map((p) => p.host)}::text[], ${pages.map((p) => p.path)}::text[], ${pages.map((p) => p.digest)}::text[],
                    ${pages.map((p) => p.body.length)}::int[], ${pages.map((p) => p.contentType)}::text[], ${pages.map((p) => p.depsDigest)}::text[])
             as b(host, path, digest, size, content_type, deps_digest)
      on conflict (host, path) do update
         set source = excluded.source, size = excluded.size, content_type = excluded.content_type, deps_digest = excluded.deps_digest,
             rebuild_id = coalesce(excluded.rebuild_id, static_pages.rebuild_id),
             published_at = case when static_pages.digest = excluded.digest then static_pages.published_at else excluded.published_at end,
             digest = excluded.digest`.execute(tx);
    if (!depsChanged.length) return;
    const replaced = depsChanged.filter((p) => before.has(`${p.host}\n${p.path}`));
    if (replaced.length) {
      await sql`
        delete from static_page_deps d
         using unnest(${replaced.map((p) => p.host)}::text[], ${replaced.map((p) => p.path)}::text[]) as b(host, path)
         where d.host = b.host and d.path = b.path`.execute(tx);
    }
    const rows = depsChanged.flatMap((p) => p.deps.map((key) => [key, p.host, p.path] as const));
    if (rows.length) {
      await sql`
        insert into static_page_deps (key, host, path)
        select * from unnest(${rows.map((r) => r[0])}::text[], ${rows.map((r) => r[1])}::text[], ${rows.map((r) => r[2])}::text[])
        on conflict do nothing`.execute(tx);
    }
  });
  return { written, unchanged: pages.length - written };
}


/** Takes pages off the site: their files, their rows and their dependencies. */
export async function removePages(platform: Platform, pages: PageAddress[]): Promise<number> {
  if (!pages.length) return 0;
  const root = publicRoot(platform.config);
  const hosts = pages.map((p) => hostFolder(p.host));
  const paths = pages.map((p) => p.path);
  await eachLimited(pages, WRITE_CONCURRENCY, async (page) => {
    // An address that could never have been published has no file to remove.
    let file: string;
    try {
      file = pageFile(root, page.host, page.path);
    } catch {
      return;
    }
    await fs.rm(file, { force: true });
  });
  await staticDb(platform.db).transaction().execute(async (tx) => {
    await sql`delete from static_page_deps d using unnest(${hosts}::text[], ${paths}::text[]) as b(host, path) where d.host = b.host and d.path = b.path`.execute(tx);
    await sql`delete from static_pages p using unnest(${hosts}::text[], ${paths}::text[]) as b(host, path) where p.host = b.host and p.path = b.path`.execute(tx);
  });
  return pages.length;
}

/** Removes temporary files a killed process left behind (never served: hidden names are refused). */
export async function removeTemporaryFiles(dir: string): Promise<number> {
  let removed = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) removed += await removeTemporaryFiles(full);
    else if (entry.name.startsWith('.') && entry.name.endsWith('.tmp')) {
      await fs.rm(full, { force: true });
      removed++;
    }
  }
  return removed;
}
