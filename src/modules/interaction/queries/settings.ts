/**
 * What every letter's receipt reads of the installation's settings: the dispatching office, the
 * time limits per channel and the sensitive-word list. They change rarely and are read for every
 * letter, so each process keeps them for a short while (FRESH_MS) per database; a change made in
 * this process is seen at once (forgetSettings), one made in another process within FRESH_MS.
 */
import type { Db } from '../../../platform/db/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { getUnit, getUnitByCreditCode, topGovernmentOffice, type Unit } from '../../../platform/org/service.ts';
import { interactionDb, type Channel, type Urgency } from '../model.ts';

const FRESH_MS = 30_000;

interface Settings {
  at: number;
  dispatcher: Promise<Unit | null>;
  deadlines: Promise<Array<{ channel: string; urgency: string; days: number }>>;
  words: Promise<string[]>;
}

const byDatabase = new WeakMap<object, Settings>();

/**
 * The settings, read through `db` when they are not fresh: the caller's transaction (the embedded
 * database has one connection, which the transaction holds).
 */
function settings(platform: Platform, db: Db): Settings {
  const known = byDatabase.get(platform.db);
  if (known && Date.now() - known.at < FRESH_MS) return known;
  const fresh: Settings = {
    at: Date.now(),
    dispatcher: findDispatcher(db, platform.config.interactionDispatcher),
    deadlines: interactionDb(db).selectFrom('interaction_deadlines').select(['channel', 'urgency', 'days']).execute(),
    words: interactionDb(db).selectFrom('interaction_sensitive_words').select('word').execute().then((rows) => rows.map((r) => r.word)),
  };
  // A failed read is not kept.
  for (const part of [fresh.dispatcher, fresh.deadlines, fresh.words]) part.catch(() => byDatabase.delete(platform.db));
  byDatabase.set(platform.db, fresh);
  return fresh;
}

/** After a change of the word list or the time limits in this process. */
export const forgetSettings = (platform: Pick<Platform, 'db'>) => byDatabase.delete(platform.db);

/** The configured dispatcher (a unit id or credit code), else the top government's general office. */
async function findDispatcher(db: Db, configured: string | null): Promise<Unit | null> {
  if (!configured) return topGovernmentOffice(db);
  return (await getUnit(db, configured)) ?? (await getUnitByCreditCode(db, configured));
}

/** The unit that dispatches the mayor's letters, null when none is set up (and not disabled since). */
export async function dispatcherOffice(platform: Platform, db: Db): Promise<Unit | null> {
  const unit = await settings(platform, db).dispatcher;
  if (unit && !unit.disabledAt) return unit;
  forgetSettings(platform);
  return null;
}

/** The channel's time limit in working days (the hotline's by urgency). */
export async function deadlineDays(platform: Platform, db: Db, channel: Channel, urgency: Urgency | null | undefined): Promise<number> {
  const rows = (await settings(platform, db).deadlines).filter((r) => r.channel === channel);
  return (rows.find((r) => r.urgency === (channel === 'hotline' ? (urgency ?? 'normal') : '')) ?? rows[0])?.days ?? 15;
}

/** The sensitive-word list. */
export const sensitiveWordList = (platform: Platform, db: Db): Promise<string[]> => settings(platform, db).words;
