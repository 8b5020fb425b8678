/**
 * Child process of the crash test in org.test.ts: imports a CSV file into a PostgreSQL
 * database, then holds the transaction open with every row written and tells the parent,
 * which kills it with SIGKILL. Arguments: DATABASE_URL CSV_FILE. Needs ZT_FIELD_KEY.
 */
import fs from 'node:fs';
import os from 'node:os';
import { loadConfig } from '../../config/index.ts';
import { openDatabase } from '../db/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { softwareCrypto } from '../crypto/index.ts';
import { loadFieldKey } from '../crypto/keys.ts';
import { useAuditKey } from '../audit/keys.ts';
import { systemClock, type Platform } from '../module.ts';
import { prepareOrgImport, writeOrgImport } from './import.ts';
import { ModuleRegistry } from '../registry.ts';
import { orgManifest } from './module.ts';

const [databaseUrl, csvFile] = process.argv.slice(2);
const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, ZT_DATA_DIR: os.tmpdir(), ZT_DEMO: '0', ZT_RUN_JOBS: '0', LOG_LEVEL: 'silent' });
const database = await openDatabase({ databaseUrl, pgliteDir: null, poolSize: 2 });
useAuditKey(database.db, config);
const platform: Platform = { config, db: database.db, dbKind: 'postgres', crypto: softwareCrypto, clock: systemClock, fieldKey: loadFieldKey(config), modules: new ModuleRegistry([orgManifest]) };

const prepared = await prepareOrgImport(platform, fs.readFileSync(csvFile));
await inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
  await writeOrgImport(work, platform, prepared);
  await work.flush();
  process.send!('holding');
  await new Promise(() => {});
});
process.send!('committed');
