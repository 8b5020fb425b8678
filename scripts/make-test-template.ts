// Builds a migrated database once per test run from the migrations of the code under test, so
// every test file starts from a copy instead of creating and migrating its own.
//   make-test-template FILE                 an embedded database, dumped to FILE (loads in ~0.5 s)
//   make-test-template --postgres URL NAME  database NAME on the server of URL (copied per file
//                                           with CREATE DATABASE ... TEMPLATE NAME in ~0.4 s)
import fs from 'node:fs';
import pg from 'pg';
import { openDatabase } from '../src/platform/db/index.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { allMigrations } from '../src/app.ts';

const args = process.argv.slice(2);
if (args[0] === '--postgres') {
  const [, serverUrl, name] = args;
  if (!serverUrl || !name || !/^[a-z0-9_]+$/.test(name)) throw new Error('usage: make-test-template --postgres URL NAME');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), pgliteDir: null, poolSize: 1 });
  await migrateToLatest(database.db, allMigrations());
  // Closing the pool ends its connection: a template must have none while it is copied.
  await database.close();
} else {
  const target = args[0];
  if (!target) throw new Error('usage: make-test-template FILE | --postgres URL NAME');
  const database = await openDatabase({ databaseUrl: null, pgliteDir: null });
  await migrateToLatest(database.db, allMigrations());
  if (!database.pglite) throw new Error('embedded database handle missing');
  const dump = await database.pglite.dumpDataDir('none');
  fs.writeFileSync(target, Buffer.from(await dump.arrayBuffer()));
  await database.close();
}
