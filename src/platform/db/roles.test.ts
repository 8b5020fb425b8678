import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { TEST_PG_URL, seedRegions, makeUnit, makeUser, bearer, PASSWORD } from '../../../test/helpers.ts';
import { zt } from '../../../test/cli-helpers.ts';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config/index.ts';
import { openDatabase, sql } from './index.ts';
import { checkpointNow, verifyPlatformChain } from '../audit/anchor.ts';

const skip = TEST_PG_URL ? false : 'roles are PostgreSQL\'s: the embedded database has one user';

test('migrated as the owner, the server\'s role may only add to and read the audit tables, and the application works', { skip, timeout: 300_000 }, async () => {
  const id = crypto.randomBytes(4).toString('hex');
  const prefix = process.env.ZT_TEST_PG_PREFIX || 'zt_test_';
  const [dbName, owner, appRole] = [`${prefix}roles_${id}`, `zt_owner_${id}`, `zt_app_${id}`];
  const urlOf = (user: string) => {
    const url = new URL(TEST_PG_URL!);
    url.username = user;
    url.password = '';
    url.pathname = `/${dbName}`;
    return url.toString();
  };
  const admin = new pg.Client({ connectionString: TEST_PG_URL! });
  await admin.connect();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-roles-'));
  let database: Awaited<ReturnType<typeof openDatabase>> | null = null;
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  try {
    // The owner may create roles, nothing more; the server's role does not exist yet.
    await admin.query(`create role ${owner} login createrole`);
    await admin.query(`create database ${dbName} owner ${owner}`);
    const env = { DATABASE_URL: urlOf(appRole), ZT_DATA_DIR: dataDir };
    const run = await zt(['migrate', '--owner-url', urlOf(owner)], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`Created the role ${appRole}`));
    assert.match(run.stdout, /Applied \d+ migrations/);
    // Again, from ZT_MIGRATE_DATABASE_URL: nothing to apply, the rights set again.
    const again = await zt(['migrate'], { ...env, ZT_MIGRATE_DATABASE_URL: urlOf(owner) });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /is up to date/);

    database = await openDatabase({ databaseUrl: urlOf(appRole), pgliteDir: null, poolSize: 4 });
    const db = database.db;
    const owners = await sql<{ n: number }>`select count(*)::int as n from pg_tables where schemaname = 'public' and tableowner = ${appRole}`.execute(db);
    assert.equal(owners.rows[0].n, 0, 'the server\'s role owns no table');

    // The application, built on the server's role, works: audited writes, a sign-in, a checkpoint.
    const config = loadConfig({ DATABASE_URL: urlOf(appRole), ZT_DATA_DIR: dataDir, ZT_DEMO: '0', LOG_LEVEL: 'silent', ZT_RUN_JOBS: '0' });
    app = await buildApp({ config, database, logger: false });
    await app.ready();
    const platform = app.platform;
    await seedRegions(platform);
    const unit = await makeUnit(platform);
    const auditor = await makeUser(platform, unit.id, ['auditor']);
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: auditor.username, password: PASSWORD } });
    assert.ok(login.statusCode < 300, login.body);
    const records = await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(db);
    assert.ok(records.rows[0].n >= 3);
    assert.ok(await checkpointNow(platform));
    const verify = await app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(auditor) });
    assert.equal(verify.json().ok, true);
    assert.equal((await verifyPlatformChain(platform)).ok, true);

    // What an insider with the server's credentials cannot do to the audit tables.
    const refused = /permission denied|must be owner/;
    for (const table of ['audit_log', 'audit_checkpoints']) {
      await assert.rejects(sql`update ${sql.id(table)} set at = at`.execute(db), refused, `update ${table}`);
      await assert.rejects(sql`delete from ${sql.id(table)}`.execute(db), refused, `delete ${table}`);
      await assert.rejects(sql`truncate ${sql.id(table)}`.execute(db), refused, `truncate ${table}`);
      await assert.rejects(sql`alter table ${sql.id(table)} disable trigger user`.execute(db), refused, `disable trigger ${table}`);
      await assert.rejects(sql`alter table ${sql.id(table)} disable trigger all`.execute(db), refused, `disable trigger all ${table}`);
      await assert.rejects(sql`drop table ${sql.id(table)}`.execute(db), refused, `drop ${table}`);
    }
    await assert.rejects(sql`set session_replication_role = replica`.execute(db), refused);
    await assert.rejects(sql`insert into zt_migration (name, timestamp) values ('x', 'y')`.execute(db), refused);
    await assert.rejects(sql`create table intruder (id int)`.execute(db), refused);
    // Ordinary tables: read and written.
    await sql`update units set name = name where id = ${unit.id}`.execute(db);

    // A table of a later migration gets the ordinary rights by default.
    const ownerClient = new pg.Client({ connectionString: urlOf(owner) });
    await ownerClient.connect();
    await ownerClient.query('create table later_probe (id serial primary key, note text)');
    await ownerClient.end();
    await sql`insert into later_probe (note) values ('ok')`.execute(db);
    assert.equal((await sql<{ n: number }>`select count(*)::int as n from later_probe`.execute(db)).rows[0].n, 1);
  } finally {
    await app?.close();
    await database?.close();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    for (const role of [appRole, owner]) await admin.query(`drop role if exists ${role}`).catch(() => undefined);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
