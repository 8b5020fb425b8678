import { performance } from 'node:perf_hooks';
import { sql } from '../db/index.ts';
import type { Platform } from '../module.ts';
import { publicRoot } from './paths.ts';
import { PROCESS_OWNER, renderAndPublish } from './queue.ts';
import { claimable, LEASE_MS, staticDb, type StaticRebuildsTable } from './store.ts';
import type { RebuildScope, RenderedPage } from './types.ts';
import { removeTemporaryFiles, writePages } from './writer.ts';
import { recordLayouts } from './layouts.ts';

export interface RebuildProgress {
  rebuildId: string;
  source: string;
  /** Pages published by this run so far (a resumed run counts from where it started). */
  pages: number;
  written: number;
  seconds: number;
  pagesPerSecond: number;
}

export interface RebuildResult extends RebuildProgress {
  /** Pages no source emitted any more, rendered once more (removed when gone). */
  swept: number;
  removed: number;
  /** Temporary files a killed process had left. */
  temporaryFilesRemoved: number;
}

type RebuildRow = { id: string; site: string | null; source_index: number; cursor: string | null };

const SWEEP_BATCH = 500;

/**
 * Records a full rebuild (of one site, or of everything) to be done. The caller runs it at once
 * (`runRebuild`) or leaves it to the job, which also finishes one that a killed process left.
 */
export async function requestRebuild(platform: Platform, scope: { site?: string }, requestedBy: string | null, claimIt = false): Promise<string> {
  const now = platform.clock.now();
  const row = await staticDb(platform.db)
    .insertInto('static_rebuilds')
    .values({
      site: scope.site ?? null,
      state: 'running',
      requested_by: requestedBy,
      started_at: now,
      updated_at: now,
      lease_until: claimIt ? new Date(now.getTime() + LEASE_MS) : null,
      lease_owner: claimIt ? PROCESS_OWNER : null,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

/** Claims a rebuild that is not finished and that nobody alive works on. */
export async function claimRebuild(platform: Platform): Promise<RebuildRow | null> {
  const now = platform.clock.now();
  const until = new Date(now.getTime() + LEASE_MS);
  const free = claimable(platform, PROCESS_OWNER, now);
  const result = await sql<RebuildRow>`
    update static_rebuilds set lease_until = ${until}, lease_owner = ${PROCESS_OWNER}
     where id = (select id from static_rebuilds where state = 'running' and ${free} order by id limit 1 for update skip locked)
    returning id, site, source_index, cursor`.execute(platform.db);
  return result.rows[0] ?? null;
}

async function loadRebuild(platform: Platform, id: string): Promise<RebuildRow> {
  const row = await staticDb(platform.db).selectFrom('static_rebuilds').select(['id', 'site', 'source_index', 'cursor']).where('id', '=', id).executeTakeFirstOrThrow();
  return { ...row, id: String(row.id) };
}

/** Saves how far the rebuild got, renewing its lease; false when another process took it over. */
async function saveProgress(platform: Platform, id: string, set: Partial<Pick<StaticRebuildsTable, 'source_index' | 'cursor' | 'state' | 'finished_at'>>, addPages: number): Promise<boolean> {
  const now = platform.clock.now();
  const result = await staticDb(platform.db)
    .updateTable('static_rebuilds')
    .set((eb) => ({ ...set, pages: eb('pages', '+', String(addPages)), updated_at: now, lease_until: set.state === 'done' ? null : new Date(now.getTime() + LEASE_MS), ...(set.state === 'done' ? { lease_owner: null } : {}) }) as never)
    .where('id', '=', id)
    .where('lease_owner', '=', PROCESS_OWNER)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export class RebuildTakenOver extends Error {}

/**
 * Runs (or resumes) a claimed rebuild: every source emits its pages in batches from where the
 * rebuild stood; each batch is written and the position saved. Then, for a rebuild of
 * everything, the pages no source emitted are rendered once more (they are gone, or moved).
 */
export async function runRebuild(platform: Platform, id: string, options: { progress?: (progress: RebuildProgress) => void } = {}): Promise<RebuildResult> {
  const started = performance.now();
  const row = await loadRebuild(platform, id);
  const sources = [...platform.modules.staticSources.values()];
  let pages = 0;
  let written = 0;
  let current = '';
  const progress = (): RebuildProgress => {
    const seconds = (performance.now() - started) / 1000;
    return { rebuildId: id, source: current, pages, written, seconds, pagesPerSecond: seconds > 0 ? pages / seconds : 0 };
  };
  for (let index = row.source_index; index < sources.length; index++) {
    const source = sources[index];
    current = source.name;
    const scope: RebuildScope = { ...(row.site ? { site: row.site } : {}), ...(index === row.source_index && row.cursor !== null ? { after: row.cursor } : {}) };
    // One batch is written while the source reads and renders the next; the position is saved
    // only once its batch is on disk, in order, so a resumed rebuild never skips a page.
    let writing: Promise<void> = Promise.resolve();
    const write = async (batch: RenderedPage[], cursor: string | undefined) => {
      const result = await writePages(platform, source.name, batch, id);
      pages += batch.length;
      written += result.written;
      if (!(await saveProgress(platform, id, { source_index: index, cursor: cursor ?? null }, batch.length))) throw new RebuildTakenOver(`rebuild ${id} was taken over by another process`);
      options.progress?.(progress());
    };
    try {
      await source.rebuild(platform, scope, async (batch, cursor) => {
        await writing;
        writing = write(batch, cursor);
        // A failure is seen by the next emit or at the end; never left unhandled meanwhile.
        writing.catch(() => {});
      });
    } finally {
      // Whatever the source did, the batch in flight ends before this returns (no write after it).
      await writing.catch(() => {});
    }
    await writing;
    if (!(await saveProgress(platform, id, { source_index: index + 1, cursor: null }, 0))) throw new RebuildTakenOver(`rebuild ${id} was taken over by another process`);
  }
  let swept = 0;
  let removed = 0;
  if (!row.site) {
    current = 'sweep';
    const names = sources.map((s) => s.name);
    let after: { host: string; path: string } | null = null;
    for (;;) {
      const stale: Array<{ source: string; host: string; path: string }> = (
        await sql<{ source: string; host: string; path: string }>`
          select source, host, path from static_pages
           where source = any(${names}::text[]) and rebuild_id is distinct from ${id}::bigint
             ${after ? sql`and (host, path) > (${after.host}, ${after.path})` : sql``}
           order by host, path limit ${SWEEP_BATCH}`.execute(platform.db)
      ).rows;
      if (!stale.length) break;
      const stats = await renderAndPublish(platform, stale, id);
      swept += stale.length;
      removed += stats.removed;
      after = stale[stale.length - 1];
      // Renews the lease, so a long sweep is not taken over by another process's job.
      if (!(await saveProgress(platform, id, {}, 0))) throw new RebuildTakenOver(`rebuild ${id} was taken over by another process`);
    }
  }
  const temporaryFilesRemoved = await removeTemporaryFiles(publicRoot(platform.config));
  await saveProgress(platform, id, { state: 'done', finished_at: platform.clock.now() }, 0);
  // Every page was made by this version: its layouts are the published ones now (a fresh install's
  // first rebuild is not followed by another when the job first runs).
  if (!row.site) await recordLayouts(platform);
  return { ...progress(), swept, removed, temporaryFilesRemoved };
}

/** Rebuilds now, in this process: `npx zt publish`. */
export async function rebuildStatic(platform: Platform, scope: { site?: string }, options: { requestedBy?: string | null; progress?: (progress: RebuildProgress) => void } = {}): Promise<RebuildResult> {
  const id = await requestRebuild(platform, scope, options.requestedBy ?? null, true);
  return runRebuild(platform, id, options);
}

/** The job: finishes every rebuild that is requested or was left half-way, one after another. */
export async function resumeRebuilds(platform: Platform, log?: { info(obj: object, msg?: string): void }): Promise<number> {
  let done = 0;
  for (let row = await claimRebuild(platform); row; row = await claimRebuild(platform)) {
    const result = await runRebuild(platform, row.id);
    log?.info({ rebuild: row.id, pages: result.pages, pagesPerSecond: Math.round(result.pagesPerSecond) }, 'static pages rebuilt');
    done++;
  }
  return done;
}
