/**
 * The name the public site goes by: the city it serves (ZT_CITY_NAME, else the demo city's when
 * the demo is loaded). Read from the database at most once a minute and kept per database, so
 * that the page layout can read it without waiting.
 */
import { sql } from 'kysely';
import type { Platform } from './module.ts';
import { DEMO_CITY } from './demo/city.ts';

const REFRESH_MS = 60_000;
const known = new WeakMap<object, { cityName: string | null; at: number }>();

/** The city's name as last read; null when none is configured or loaded. */
export function cityNameOf(platform: Pick<Platform, 'config' | 'db'>): string | null {
  return platform.config.cityName ?? known.get(platform.db)?.cityName ?? null;
}

/** Reads the city's name again when a minute has passed (or when forced, after loading the demo). */
export async function refreshCityName(platform: Pick<Platform, 'config' | 'db'>, force = false): Promise<void> {
  if (platform.config.cityName) return;
  const cached = known.get(platform.db);
  const now = Date.now();
  if (cached && !force && now - cached.at < REFRESH_MS) return;
  known.set(platform.db, { cityName: cached?.cityName ?? null, at: now });
  const { rows } = await sql<{ name: string }>`select name from regions where code = ${DEMO_CITY.code}`.execute(platform.db);
  known.set(platform.db, { cityName: rows[0]?.name ?? null, at: now });
}
