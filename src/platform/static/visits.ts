/**
 * Visits of public pages, counted without personal data: a number per day, host and path, nothing
 * about who asked (no address, no cookie, no browser, no third-party script). Counting happens in
 * memory where the page is served and is added to the table by a job every few seconds in one
 * statement, so a visit costs no database write of its own; counts not yet flushed when a process
 * dies are lost, which a visit figure can afford and a page view should not pay for.
 */
import { sql, type Db } from '../db/index.ts';
import type { Platform } from '../module.ts';
import { shanghaiDate } from '../calendar/working-days.ts';

/** Distinct (day, host, path) counted in memory before a flush is due whatever the timer says. */
const FLUSH_AT_KEYS = 50_000;
const SEP = '\u0000';

const counters = new WeakMap<object, Map<string, number>>();

function countersOf(platform: Platform): Map<string, number> {
  let map = counters.get(platform.db);
  if (!map) counters.set(platform.db, (map = new Map()));
  return map;
}

/** One visit of a public page (served from its file or rendered on demand). */
export function countVisit(platform: Platform, host: string, path: string): void {
  const map = countersOf(platform);
  const key = `${shanghaiDate(platform.clock.now())}${SEP}${host}${SEP}${path.slice(0, 500)}`;
  map.set(key, (map.get(key) ?? 0) + 1);
  if (map.size >= FLUSH_AT_KEYS) void flushVisits(platform).catch(() => undefined);
}

/** Adds the counts made in this process since the last flush to the table; on failure they are kept for the next one. */
export async function flushVisits(platform: Platform): Promise<number> {
  const map = countersOf(platform);
  if (!map.size) return 0;
  counters.set(platform.db, new Map());
  const days: string[] = [];
  const hosts: string[] = [];
  const paths: string[] = [];
  const counts: number[] = [];
  for (const [key, count] of map) {
    const [day, host, path] = key.split(SEP);
    days.push(day);
    hosts.push(host);
    paths.push(path);
    counts.push(count);
  }
  try {
    await sql`
      insert into static_visits (day, host, path, visits)
      select * from unnest(${days}::date[], ${hosts}::text[], ${paths}::text[], ${counts}::bigint[])
      on conflict (day, host, path) do update set visits = static_visits.visits + excluded.visits`.execute(platform.db);
  } catch (error) {
    const now = countersOf(platform);
    for (const [key, count] of map) now.set(key, (now.get(key) ?? 0) + count);
    throw error;
  }
  return map.size;
}

export interface VisitFigure {
  day: string;
  host: string;
  /** The folder of the pages counted: a column's address for its list pages and articles. */
  folder: string;
  visits: number;
}

/**
 * Visits per day, host and folder (a path up to its last '/') in a period of Shanghai dates, both
 * included: a site is a folder prefix, a column its folder, so callers add them up as they name them.
 */
export async function visitFigures(db: Db, period: { from: string; to: string; hosts?: string[] }): Promise<VisitFigure[]> {
  const rows = await sql<{ day: string; host: string; folder: string; visits: string }>`
    select to_char(day, 'YYYY-MM-DD') as day, host, regexp_replace(path, '[^/]*$', '') as folder, sum(visits)::bigint as visits
    from static_visits
    where day between ${period.from}::date and ${period.to}::date
      ${period.hosts ? sql`and host = any(${period.hosts}::text[])` : sql``}
    group by 1, 2, 3
    order by 1, 2, 3`.execute(db);
  return rows.rows.map((r) => ({ day: r.day, host: r.host, folder: r.folder, visits: Number(r.visits) }));
}
