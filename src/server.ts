import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { allMigrations, buildApp, moduleRegistry } from './app.ts';
import { ConfigError, type Config } from './config/index.ts';
import { sql, type Database } from './platform/db/index.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import { hasCluster, makePlatform, openDataStore } from './platform/db/store.ts';
import { LOCK_HOLDER_ENV } from './platform/db/lock.ts';
import { startBackgroundWork } from './platform/jobs/index.ts';
import { DEMO_ACCOUNTS_FILE, formatDemoLogins, seedDemo, type DemoResult } from './platform/demo/seed.ts';
import { appVersion } from './platform/backup/manifest.ts';
import { auditKeyMismatch, checkpointNow } from './platform/audit/anchor.ts';

export async function hasUsers(database: Database): Promise<boolean> {
  const result = await sql<{ found: boolean }>`select exists (select 1 from users) as found`.execute(database.db);
  return !!result.rows[0]?.found;
}

/** Migrates when something is pending; on an up-to-date database this costs one query, not the migrator's dozen. */
export async function migrateIfNeeded(database: Database): Promise<string[]> {
  const all = allMigrations();
  try {
    const applied = await sql<{ name: string }>`select name from zt_migration`.execute(database.db);
    const names = new Set(applied.rows.map((r) => r.name));
    if (Object.keys(all).every((name) => names.has(name))) return [];
  } catch {
    /* a new database: no migration table yet */
  }
  return migrateToLatest(database.db, all);
}

/**
 * The first start's work on a new embedded database (initdb, migrations, the demo city), done in
 * a child process (`zt prepare`) that shares the lock: it leaves over a hundred megabytes behind
 * that the server would otherwise keep for its whole life. Returns the demo logins, if loaded.
 */
/** Marks the child's progress lines on its standard error. */
const PROGRESS_MARK = 'zt-progress: ';

async function prepareApart(config: Config): Promise<DemoResult | null> {
  const bin = fileURLToPath(new URL('../bin/zt.js', import.meta.url));
  const env: NodeJS.ProcessEnv = { ...process.env, ZT_DATA_DIR: config.dataDir, ZT_DEMO: config.demo ? '1' : '0', [LOCK_HOLDER_ENV]: String(process.pid) };
  if (config.demoPassword) env.ZT_DEMO_PASSWORD = config.demoPassword;
  const child = spawn(process.execPath, [bin, 'prepare'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  let pending = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    // The demo's progress (演示数据：已生成 120/400 件) as it comes; the rest is kept for an error.
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith(PROGRESS_MARK)) process.stdout.write(`${line.slice(PROGRESS_MARK.length)}\n`);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    // The child's own one-line message (a bad ZT_DEMO_PASSWORD, a full disk) is the reason.
    const reason = stderr.trim().split('\n').pop()?.replace(/^zt: /, '') || `exit status ${code}`;
    throw new Error(reason);
  }
  return (JSON.parse(stdout) as { demo: DemoResult | null }).demo;
}

/** `zt prepare`, run by prepareApart: migrates and loads the demo city; the result as JSON on standard output. */
export async function prepareDataFolder(config: Config): Promise<void> {
  const store = await openDataStore(config, 'prepare');
  try {
    await migrateIfNeeded(store.database);
    // Progress lines go to standard error, which the starting server passes on as they come.
    const progress = (line: string) => process.stderr.write(`${PROGRESS_MARK}${line}\n`);
    const demo = config.demo && !(await hasUsers(store.database)) ? await seedDemo(makePlatform(config, store.database, moduleRegistry(config)), { progress }) : null;
    process.stdout.write(JSON.stringify({ demo }));
  } finally {
    await store.close();
  }
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  demo: DemoResult | null;
  /** Stops accepting, finishes requests in flight, stops background work, closes the database, releases the lock. */
  close(): Promise<void>;
}

/**
 * Starts the platform: lock, open, migrate, load the demo city on the very first start,
 * build the application, listen, start background work, print where it is.
 */
export async function startServer(config: Config, out: (text: string) => void = (text) => process.stdout.write(text)): Promise<RunningServer> {
  if (config.production && config.demo) {
    throw new ConfigError('ZT_DEMO', 'demo accounts are refused with NODE_ENV=production; to load them anyway run `zt seed --demo --force-production`');
  }
  let demo: DemoResult | null = null;
  const store = await openDataStore(config, 'start', {
    beforeOpen: async () => {
      if (!config.databaseUrl && !hasCluster(config)) demo = await prepareApart(config);
    },
  });
  let app: FastifyInstance | null = null;
  let stopBackground: (() => Promise<void>) | null = null;
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      try {
        // Stops accepting connections and waits for the requests in flight to be answered.
        if (app) await app.close();
        if (stopBackground) await stopBackground();
        // The newest records anchored before the process goes (decision 0013).
        if (app) await checkpointNow(app.platform, { log: app.log }).catch((err: unknown) => app!.log.error({ err }, 'audit checkpoint at shutdown failed'));
      } finally {
        await store.close();
      }
    })());

  try {
    const migrated = await migrateIfNeeded(store.database);
    const seedHere = config.demo && !demo && !(await hasUsers(store.database));
    if (seedHere) demo = await seedDemo(makePlatform(config, store.database, moduleRegistry(config)), { progress: (line) => out(`${line}\n`) });
    if (store.database.kind === 'pglite' && (migrated.length || seedHere)) {
      // Migrating and filling the embedded database grows its WebAssembly memory, which never
      // shrinks: reopen it, so that the server runs in the memory of an ordinary start.
      await store.reopen();
    }
    app = await buildApp({ config, database: store.database });
    const mismatch = await auditKeyMismatch(app.platform).catch(() => null);
    if (mismatch) app.log.error({ audit: 'key' }, mismatch);
    await app.listen({ port: config.port, host: config.host });
    stopBackground = startBackgroundWork(app.platform, app.log);

    const address = app.server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${address.port}`;
    out(banner(config, store.where, url, demo, process.uptime()));
    return { app, url, demo, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

function banner(config: Config, where: string, url: string, demo: DemoResult | null, seconds: number): string {
  const lines = [
    '',
    `政通 Zhengtong ${appVersion()} is ready in ${seconds.toFixed(1)} s (${where})`,
    `  Portal     ${url}/`,
    `  Console    ${url}/console`,
    `  API docs   ${url}/api/docs`,
    '',
  ];
  if (demo) {
    lines.push(formatDemoLogins({ accounts: demo.accounts, publicAccounts: demo.publicAccounts, password: demo.password }).trimEnd());
    if (demo.passwordGenerated) lines.push('The password was generated; set ZT_DEMO_PASSWORD before the first start to choose it.');
    if (demo.accountsFile) lines.push(`These logins are also in ${demo.accountsFile} (readable by its owner only).`);
    lines.push('');
  } else if (fs.existsSync(path.join(config.dataDir, DEMO_ACCOUNTS_FILE))) {
    lines.push(`Demo logins: ${path.join(config.dataDir, DEMO_ACCOUNTS_FILE)}`, '');
  }
  return `${lines.join('\n')}\n`;
}

/** `zt start`: runs until SIGINT or SIGTERM, then shuts down gracefully. */
export async function runServer(config: Config): Promise<void> {
  const server = await startServer(config);
  closeWithGrace({ delay: 10_000, logger: { error: (message: unknown) => server.app.log.error(message) } }, async ({ signal, err }) => {
    if (err) server.app.log.error({ err }, 'shutting down after an error');
    else server.app.log.info({ signal }, 'shutting down: finishing requests in flight');
    await server.close();
  });
}
