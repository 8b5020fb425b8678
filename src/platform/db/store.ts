import type { ModuleRegistry } from '../registry.ts';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/index.ts';
import { softwareCrypto } from '../crypto/index.ts';
import { loadFieldKey } from '../crypto/keys.ts';
import { useAuditKey } from '../audit/keys.ts';
import { systemClock, type Platform } from '../module.ts';
import { openDatabase, type Database } from './index.ts';
import { acquireDataDirLock, type DataDirLock } from './lock.ts';

/** The embedded database lives in this folder of ZT_DATA_DIR, beside files/ and keys/. */
export const pgliteDirOf = (config: Config) => path.join(config.dataDir, 'db');

/** Whether the embedded database's cluster exists in the data folder yet. */
export const hasCluster = (config: Config) => fs.existsSync(path.join(pgliteDirOf(config), 'PG_VERSION'));

export interface DataStore {
  /** The open database; replaced by reopen(). */
  readonly database: Database;
  lock: DataDirLock | null;
  /** Where the data is, for messages: the folder or the server (without its password). */
  where: string;
  /** Closes and opens the database again, keeping the folder locked in between. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the installation's database. On the embedded database the data folder is locked
 * first, so a second process refuses instead of corrupting it; PostgreSQL needs no lock.
 */
export async function openDataStore(config: Config, command: string, options: { beforeOpen?: () => Promise<void> } = {}): Promise<DataStore> {
  const lock = config.databaseUrl ? null : acquireDataDirLock(config.dataDir, command);
  const open = () => openDatabase({ databaseUrl: config.databaseUrl, preparedStatements: config.preparedStatements, pgliteDir: config.databaseUrl ? null : pgliteDirOf(config) });
  try {
    // Work that must hold the folder but need not wait for the database (checking an archive).
    await options.beforeOpen?.();
    let database = await open();
    let closed = false;
    return {
      get database() {
        return database;
      },
      lock,
      where: config.databaseUrl ? `PostgreSQL ${redactUrl(config.databaseUrl)}` : `embedded database in ${pgliteDirOf(config)}`,
      async reopen() {
        await database.close();
        database = await open();
      },
      async close() {
        if (closed) return;
        closed = true;
        try {
          await database.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'DATABASE_URL';
  }
}

/** The shared infrastructure for commands that work without the HTTP application. */
export function makePlatform(config: Config, database: Database, modules: ModuleRegistry): Platform {
  useAuditKey(database.db, config);
  return { config, db: database.db, dbKind: database.kind, crypto: softwareCrypto, clock: systemClock, fieldKey: loadFieldKey(config), modules };
}
