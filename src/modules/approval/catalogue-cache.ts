/**
 * The published catalogue as the public pages read it, kept in memory per database: it changes
 * only when an item is published or withdrawn (the cache is forgotten right after that commits)
 * and is read again at most every five minutes otherwise, so that another process's publishing
 * shows within that time. The home page, the service list and the guides read from here.
 */
import type { Platform } from '../../platform/module.ts';
import { getItem, getPublishedItemByCode, listItems, type Item, type ItemFilter } from './queries/items.ts';
import { unitNames } from './pages/data.ts';

const FRESH_MS = 5 * 60_000;
/** Most values kept per database and cache (filter combinations of the list): then it starts over. */
const MAX_ENTRIES = 1000;

/** Values by key, per database, read at most every FRESH_MS and again once forgotten. */
export class FreshCache<T> {
  private readonly entries = new WeakMap<object, Map<string, { at: number; value: Promise<T> }>>();

  constructor(private readonly compute: (platform: Platform, key: string) => Promise<T>) {
    caches.push(this);
  }

  get(platform: Platform, key = ''): Promise<T> {
    let map = this.entries.get(platform.db);
    if (!map) this.entries.set(platform.db, (map = new Map()));
    const now = Date.now();
    const hit = map.get(key);
    if (hit && now - hit.at < FRESH_MS) return hit.value;
    if (map.size >= MAX_ENTRIES) map.clear();
    const value = this.compute(platform, key);
    map.set(key, { at: now, value });
    // A failed read is not kept: the next visitor tries again.
    value.catch(() => map.get(key)?.value === value && map.delete(key));
    return value;
  }

  /** Forgets this cache's values for the database. */
  forget(platform: Pick<Platform, 'db'>) {
    this.entries.delete(platform.db);
  }
}

const caches: Array<FreshCache<unknown>> = [];

/** Forgets every cached view of the catalogue: after an item is published or withdrawn. */
export function forgetCatalogue(platform: Pick<Platform, 'db'>) {
  for (const cache of caches) cache.forget(platform);
}

const listings = new FreshCache((platform, key) => listItems(platform.db, null, JSON.parse(key) as ItemFilter));

/** A page of the published catalogue as anyone sees it (the service list's filters). */
export function publishedListing(platform: Platform, filter: ItemFilter) {
  return listings.get(platform, JSON.stringify(filter));
}

export interface PublicGuide {
  item: Item;
  /** The published version of the item's code, when the item is an older or withdrawn one. */
  current: Item | null;
  /** Names of the item's unit and of its steps' units. */
  units: Map<string, string>;
}

const guides = new FreshCache<PublicGuide | null>(async (platform, id) => {
  const item = await getItem(platform.db, id);
  // Drafts are not public: their readers are checked on every request.
  if (!item || item.status === 'draft') return null;
  const current = item.status === 'published' ? item : await getPublishedItemByCode(platform.db, item.code);
  const units = await unitNames(platform.db, [item.unitId, ...item.process.stages.flatMap((s) => ('parallel' in s ? s.parallel : [s]).map((step) => step.unitId))]);
  return { item, current, units };
});

/** What a guide page shows of an item that is not a draft; null for a draft or an unknown id. */
export function publicGuide(platform: Platform, id: string): Promise<PublicGuide | null> {
  return guides.get(platform, id);
}
