import crypto from 'node:crypto';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import autocannon from 'autocannon';
import { buildApp, allMigrations } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { openDatabase } from '../src/platform/db/index.ts';
import { collectMigrations, migrateToLatest } from '../src/platform/db/migrate.ts';
import type { ZtModule } from '../src/platform/module.ts';

export const BENCH_PG_URL = process.env.ZT_BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export function machine() {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export interface BenchServerOptions {
  /**
   * A named database to keep after the run (and to use again when it exists) instead of a fresh
   * one dropped at the end: data that takes minutes to generate is made once.
   */
  database?: string;
  /** Extra settings (e.g. a fixed ZT_FIELD_KEY, so sealed values in a kept database stay readable). */
  env?: Record<string, string>;
  /** Modules of the scenario's own installed beside the product's (a synthetic page source). */
  modules?: ZtModule[];
}

/** A PostgreSQL database with the schema (fresh unless `database` names one), and an app on a random port. */
export async function benchServer(options: BenchServerOptions = {}) {
  const keep = !!options.database;
  const name = options.database ?? `zt_bench_${crypto.randomBytes(4).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const admin = new pg.Client({ connectionString: BENCH_PG_URL });
  await admin.connect();
  const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  if (!exists) await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(BENCH_PG_URL);
  url.pathname = `/${name}`;
  // A kept database keeps its data folder too (uploaded blobs live there).
  const dataDir = keep ? path.join(os.tmpdir(), `zt-bench-${name}`) : fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-'));
  fs.mkdirSync(dataDir, { recursive: true });
  const config = loadConfig({
    DATABASE_URL: url.toString(),
    ZT_DATA_DIR: dataDir,
    ZT_DEMO: '0',
    LOG_LEVEL: 'silent',
    ZT_RUN_JOBS: '0',
    ZT_LOGIN_RATE_LIMIT: '1000000',
    ...options.env,
  });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: null, poolSize: 20 });
  await migrateToLatest(database.db, collectMigrations([allMigrations(), ...(options.modules ?? []).map((m) => m.migrations)]));
  const app = await buildApp({ config, database, logger: false, extraModules: options.modules });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  return {
    app,
    platform: app.platform,
    baseUrl: `http://127.0.0.1:${address.port}`,
    databaseUrl: url.toString(),
    dataDir,
    /** False when the named database already existed. */
    fresh: !exists,
    async close() {
      await app.close();
      await database.close();
      if (keep) return;
      const c = new pg.Client({ connectionString: BENCH_PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function runAutocannon(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/**
 * CPU time (ms, user and system) used so far by the PostgreSQL server's processes on this machine,
 * ended backends included (they are counted in the postmaster's children time); null when the
 * server is not local or /proc cannot be read. Read before and after a run, per request.
 */
export function postgresCpuMs(): number | null {
  const ticksPerMs = 100 / 1000; // USER_HZ: 100 on Linux
  let ticks = 0;
  let found = false;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const pid of entries) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres')) continue;
      // Fields after the command name (which is in parentheses and may hold spaces).
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      found = true;
    } catch {
      /* the process ended meanwhile */
    }
  }
  return found ? ticks / ticksPerMs : null;
}

/** CPU time (ms) of the calling thread so far (Linux); null elsewhere. The server's main thread, without the load generator's. */
export function threadCpuMs(): number | null {
  try {
    const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}
