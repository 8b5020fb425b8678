// Builds a migrated embedded database once, so every test file starts from a copy in ~0.5 s
// instead of creating and migrating its own.
import fs from 'node:fs';
import { openDatabase } from '../src/platform/db/index.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { allMigrations } from '../src/app.ts';

const target = process.argv[2];
if (!target) throw new Error('usage: make-test-template FILE');
const database = await openDatabase({ databaseUrl: null, pgliteDir: null });
await migrateToLatest(database.db, allMigrations());
if (!database.pglite) throw new Error('embedded database handle missing');
const dump = await database.pglite.dumpDataDir('none');
fs.writeFileSync(target, Buffer.from(await dump.arrayBuffer()));
await database.close();
