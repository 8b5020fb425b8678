/**
 * Published pages follow an upgrade: each source names the layout its pages are made with (a
 * digest of its templates, styles and scripts). The first time a process of a new version runs
 * the rebuild job, a source whose layout differs from the one recorded gets a full rebuild,
 * requested once whatever the number of processes (the record is swapped in one statement).
 * Until the rebuild reaches a page, the page keeps its old layout and its data stays current.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from '../db/index.ts';
import type { Platform } from '../module.ts';
import { requestRebuild } from './rebuild.ts';

/** The layouts last checked per platform (one per process): checked again only when they differ. */
const checked = new WeakMap<object, string>();

/** Requests a full rebuild when a source's layout changed since its pages were published; once per process and layout. */
export async function rebuildChangedLayouts(platform: Platform): Promise<string[]> {
  const layouts = [...platform.modules.staticSources.values()].map((s) => `${s.name}=${s.layout ?? ''}`).join(' ');
  if (checked.get(platform) === layouts) return [];
  const changed: string[] = [];
  for (const source of platform.modules.staticSources.values()) {
    if (!source.layout) continue;
    const now = platform.clock.now();
    // Inserted (never recorded) or updated (another layout): this process is the one that saw it.
    const swapped = await sql<{ previous: string | null }>`
      with old as (select layout from static_layouts where source = ${source.name})
      insert into static_layouts (source, layout, updated_at) values (${source.name}, ${source.layout}, ${now})
      on conflict (source) do update set layout = excluded.layout, updated_at = excluded.updated_at where static_layouts.layout <> excluded.layout
      returning (select layout from old) as previous`.execute(platform.db);
    if (!swapped.rows.length) continue;
    const published = await sql<{ one: number }>`select 1 as one from static_pages where source = ${source.name} limit 1`.execute(platform.db);
    if (published.rows.length) changed.push(source.name);
  }
  if (changed.length) await requestRebuild(platform, {}, null);
  checked.set(platform, layouts);
  return changed;
}

/** After a rebuild of everything: every source's pages are now made with this version's layout. */
export async function recordLayouts(platform: Platform): Promise<void> {
  const now = platform.clock.now();
  for (const source of platform.modules.staticSources.values()) {
    if (!source.layout) continue;
    await sql`
      insert into static_layouts (source, layout, updated_at) values (${source.name}, ${source.layout}, ${now})
      on conflict (source) do update set layout = excluded.layout, updated_at = excluded.updated_at`.execute(platform.db);
  }
}

/** A digest of the files under the folders (their names and bytes), for a source's `layout`. */
export function layoutDigest(...folders: string[]): string {
  const hash = crypto.createHash('sha256');
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!/\.test\.tsx?$/.test(entry.name) && !entry.name.endsWith('.md')) hash.update(entry.name).update(fs.readFileSync(full));
    }
  };
  for (const folder of folders) walk(folder);
  return hash.digest('hex').slice(0, 32);
}
