import type { Platform } from '../module.ts';
import { hitLimit } from './counters.ts';

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * The store of @fastify/rate-limit, kept in the database (counters.ts) instead of each process's
 * memory: N processes share one limit, and a restart keeps the counts. Each route's counters are
 * apart (the key is prefixed with the route, as the plugin's Redis store does).
 */
export function databaseStore(platform: Platform) {
  return class DatabaseRateLimitStore {
    readonly prefix: string;
    constructor(options: { routeInfo?: { method?: string; url?: string } } = {}) {
      this.prefix = options.routeInfo?.url ? `route:${options.routeInfo.method ?? ''} ${options.routeInfo.url}|` : 'global|';
    }
    incr(key: string, callback: IncrCallback, timeWindow: number) {
      hitLimit(platform.db, `${this.prefix}${key}`, timeWindow, platform.clock.now()).then(
        (hit) => callback(null, { current: hit.hits, ttl: hit.resetInMs }),
        (error: Error) => callback(error),
      );
    }
    child(options: { routeInfo?: { method?: string; url?: string } }) {
      return new DatabaseRateLimitStore(options);
    }
  };
}
