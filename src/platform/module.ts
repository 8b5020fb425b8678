import type { FastifyInstance } from 'fastify';
import type { Migration } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Db } from './db/index.ts';
import type { CryptoProvider } from './crypto/index.ts';

/** The system clock, read at the moment of every decision (never cached), replaceable in tests. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** What every module receives: shared infrastructure, never another module's tables. */
export interface Platform {
  config: Config;
  db: Db;
  dbKind: 'pglite' | 'postgres';
  crypto: CryptoProvider;
  clock: Clock;
  /** SM4 key for personal data at rest. */
  fieldKey: Uint8Array;
}

export interface JobDefinition {
  name: string;
  /** Seconds between runs. */
  everySeconds: number;
  run(platform: Platform): Promise<void>;
}

export interface ZtModule {
  name: string;
  /** Keys sort into the global order: 'YYYYMMDD_HHMM_<module>_<what>'. */
  migrations?: Record<string, Migration>;
  /** Registers the module's routes inside its own encapsulated plugin. */
  routes?: (app: FastifyInstance, platform: Platform) => Promise<void>;
  jobs?: JobDefinition[];
}

declare module 'fastify' {
  interface FastifyInstance {
    platform: Platform;
  }
}
