import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, allMigrations } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config/index.ts';
import { openDatabase, type Database } from '../src/platform/db/index.ts';
import { collectMigrations, migrateToLatest } from '../src/platform/db/migrate.ts';
import { inTransaction, SYSTEM_ACTOR } from '../src/platform/db/work.ts';
import type { Clock, Platform, ZtModule } from '../src/platform/module.ts';
import { createRegion, createUnit, type Unit } from '../src/platform/org/service.ts';
import { createStaffUser, grantRolesBySystem, createApiToken } from '../src/platform/iam/index.ts';
import type { Role } from '../src/platform/iam/roles.ts';
import type { Scope } from '../src/platform/iam/principal.ts';
import { creditCheckChar } from '../src/platform/org/codes.ts';
import { sql } from '../src/platform/db/index.ts';
import { blindIndex } from '../src/platform/crypto/fields.ts';

/** PostgreSQL server for the suite, when the suite runs against one (CI does both). */
export const TEST_PG_URL = process.env.ZT_TEST_DATABASE_URL || null;

/** A clock the test moves by hand; starts at the real time unless told otherwise. */
export class TestClock implements Clock {
  #offsetMs = 0;
  #fixed: number | null = null;
  constructor(start?: Date) {
    if (start) this.#fixed = start.getTime();
  }
  now() {
    return new Date((this.#fixed ?? Date.now()) + this.#offsetMs);
  }
  advance(ms: number) {
    this.#offsetMs += ms;
  }
  set(date: Date) {
    this.#fixed = date.getTime();
    this.#offsetMs = 0;
  }
}

export interface TestContext {
  app: FastifyInstance;
  platform: Platform;
  config: Config;
  database: Database;
  clock: TestClock;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Set by scripts/test.js: a database migrated once per run from the code under test, which each
 * file copies (CREATE DATABASE ... TEMPLATE: ~0.4 s instead of ~3 s of migrations), and the prefix
 * of this run's database names, by which the runner drops what an interrupted file left behind.
 */
const PG_TEMPLATE = process.env.ZT_TEST_PG_TEMPLATE || null;
const PG_PREFIX = process.env.ZT_TEST_PG_PREFIX || 'zt_test_';

async function openTestDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (TEST_PG_URL) {
    const name = `${PG_PREFIX}${crypto.randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    await admin.query(`create database ${name}${PG_TEMPLATE ? ` template ${PG_TEMPLATE}` : ''}`);
    await admin.end();
    const url = new URL(TEST_PG_URL);
    url.pathname = `/${name}`;
    const database = await openDatabase({ databaseUrl: url.toString(), pgliteDir: null, poolSize: 10 });
    const dropDatabase = async () => {
      await database.close();
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    };
    try {
      // Nothing to do on a copy of the template; run on its own, a file migrates its database here.
      await migrateToLatest(database.db, allMigrations());
    } catch (error) {
      await dropDatabase();
      throw error;
    }
    return {
      database,
      drop: dropDatabase,
    };
  }
  const templatePath = process.env.ZT_TEST_PGLITE_TEMPLATE;
  const template = templatePath && fs.existsSync(templatePath) ? new Blob([fs.readFileSync(templatePath)]) : undefined;
  const database = await openDatabase({ databaseUrl: null, pgliteDir: null, pgliteTemplate: template });
  try {
    await migrateToLatest(database.db, allMigrations());
  } catch (error) {
    await database.close();
    throw error;
  }
  return { database, drop: () => database.close() };
}

/**
 * A migrated database and an application on it. `modules`: modules of the test's own, installed
 * beside the configured ones (their migrations run on top of the shared template's).
 */
export async function createTestContext(
  options: { env?: Record<string, string>; clock?: TestClock; beforeReady?: (app: FastifyInstance) => void | Promise<void>; modules?: ZtModule[] } = {},
): Promise<TestContext> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-test-'));
  const config = loadConfig({
    ZT_DATA_DIR: dataDir,
    ZT_DEMO: '0',
    LOG_LEVEL: 'silent',
    ZT_FIELD_KEY: crypto.randomBytes(16).toString('hex'),
    ZT_RUN_JOBS: '0',
    // The demo city's past cases take seconds: tests that want them ask for a few.
    ZT_DEMO_CASES: '0',
    // `ZT_MODULES=none npm test -- src/platform` runs the platform's tests without the business modules.
    ...(process.env.ZT_MODULES ? { ZT_MODULES: process.env.ZT_MODULES } : {}),
    ...(TEST_PG_URL ? { DATABASE_URL: 'postgres://unused' } : {}),
    ...options.env,
  });
  const { database, drop } = await openTestDatabase();
  if (options.modules?.length) {
    try {
      await migrateToLatest(database.db, collectMigrations([allMigrations(), ...options.modules.map((m) => m.migrations)]));
    } catch (error) {
      await drop();
      throw error;
    }
  }
  const clock = options.clock ?? new TestClock();
  const app = await buildApp({ config, database, clock, logger: false, extraModules: options.modules });
  await options.beforeReady?.(app);
  await app.ready();
  return {
    app,
    platform: app.platform,
    config,
    database,
    clock,
    dataDir,
    async close() {
      await app.close();
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- factories

export const PASSWORD = 'Passw0rd!zt';
let counter = 0;
const unique = (prefix: string) => `${prefix}${process.pid}x${++counter}`;

/** A valid unified social credit code built from a sequence number. */
export function creditCode(seq: number): string {
  const first17 = `11${'440300'}${String(seq).padStart(9, '0')}`;
  return first17 + creditCheckChar(first17);
}

export async function seedRegions(platform: Platform) {
  await inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
    await createRegion(work, { code: '990000', name: '测试省', level: 'province' });
    await createRegion(work, { code: '990100', name: '测试市', level: 'city', parentCode: '990000' });
    await createRegion(work, { code: '990102', name: '甲县', level: 'county', parentCode: '990100' });
    await createRegion(work, { code: '990103', name: '乙县', level: 'county', parentCode: '990100' });
    await createRegion(work, { code: '990102001', name: '甲镇', level: 'town', parentCode: '990102' });
    await createRegion(work, { code: '990102001001', name: '甲村', level: 'village', parentCode: '990102001' });
  });
}

export async function makeUnit(platform: Platform, name = unique('单位'), regionCode = '990100', kind: Unit['kind'] = 'department'): Promise<Unit> {
  return inTransaction(platform.db, SYSTEM_ACTOR, (work) => createUnit(work, { name, regionCode, kind }));
}

export interface TestUser {
  id: string;
  username: string;
  password: string;
  unitId: string;
  token: string;
}

/** A staff account with roles (default scope: its unit) and a bearer token. */
export async function makeUser(platform: Platform, unitId: string, roles: Array<Role | { role: Role; scope: Scope }> = [], options: { mustChangePassword?: boolean; username?: string } = {}): Promise<TestUser> {
  const username = options.username ?? unique('user');
  const user = await inTransaction(platform.db, SYSTEM_ACTOR, (work) => createStaffUser(work, platform, null, { username, displayName: username, password: PASSWORD, unitId }, { mustChangePassword: options.mustChangePassword ?? false }));
  if (roles.length) {
    await inTransaction(platform.db, SYSTEM_ACTOR, (work) =>
      grantRolesBySystem(work, user.id, roles.map((r) => (typeof r === 'string' ? { role: r, scope: { unitId } } : r))),
    );
  }
  const { token } = await inTransaction(platform.db, SYSTEM_ACTOR, (work) => createApiToken(work, platform, user.id, 'test', 1));
  return { id: user.id, username, password: PASSWORD, unitId, token };
}

export const bearer = (user: { token: string }) => ({ authorization: `Bearer ${user.token}` });

/** Signs in through the API like a browser does; returns the cookie and CSRF token. */
export async function loginSession(app: FastifyInstance, username: string, password = PASSWORD, totp?: string) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password, ...(totp ? { totp } : {}) } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'zt_session')!;
  return { cookie: `zt_session=${cookie.value}`, csrfToken: res.json().csrfToken as string, response: res };
}

export function problem(res: LightMyRequestResponse) {
  return { status: res.statusCode, type: res.headers['content-type'], body: res.json() as { code: string; detail: string; errors?: Array<{ path: string; message: string }> } };
}

/** The code of the latest SMS written for `phone`, as the SMS carries it (without a gateway the log shows the same text). */
export async function sentSmsCode(ctx: { platform: Platform }, phone: string): Promise<string> {
  const { rows } = await sql<{ params: string | { code: string } }>`
    select params from notify_outbox where channel = 'sms' and recipient_key = ${blindIndex(ctx.platform, `notify:sms:${phone}`)} order by created_at desc limit 1`.execute(ctx.platform.db);
  if (!rows[0]) throw new Error(`no SMS was written for ${phone}`);
  return (typeof rows[0].params === 'string' ? (JSON.parse(rows[0].params) as { code: string }) : rows[0].params).code;
}
