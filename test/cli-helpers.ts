// Runs the command line and the server as an operator does: child processes of `node bin/zt.js`.
import { after } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import * as tar from 'tar';

export const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'zt.js');
export const DEMO_PASSWORD = 'Yunchuan-Cli-2026';
export const work = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-cli-test-'));
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
});

/** The environment of a fresh shell: no inherited database or test settings. */
export function envFor(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  // The demo city's past cases take seconds: a test that wants them asks for a few.
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ZT_RUN_JOBS: '0', NODE_ENV: 'development', ZT_DEMO_CASES: '0' };
  for (const name of ['DATABASE_URL', 'ZT_MIGRATE_DATABASE_URL', 'ZT_AUDIT_KEY', 'ZT_FIELD_KEY', 'ZT_DEMO', 'ZT_DEMO_PASSWORD', 'PORT', 'HOST', 'ZT_TEST_PGLITE_TEMPLATE']) delete env[name];
  return { ...env, ...extra };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function zt(args: string[], env: Record<string, string | undefined>, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: envFor(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface Server {
  child: ChildProcess;
  url: string;
  banner: string;
  seconds: number;
  output: () => string;
  exit: Promise<number | null>;
}

/** `zt start` on a free port; resolves once the banner with the addresses is printed. */
export function startServer(env: Record<string, string | undefined>): Promise<Server> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'start'], { cwd: ROOT, env: envFor({ PORT: '0', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 90 s:\n${out}`)), 90_000);
    let seen = false;
    const onData = (d: Buffer) => {
      out += d;
      const match = /Portal\s+(http:\/\/\S+)\/\n/.exec(out);
      if (match && !seen && /API docs/.test(out)) {
        seen = true;
        clearTimeout(timer);
        const seconds = (performance.now() - started) / 1000;
        // The banner is one write; leave a moment for the rest of it.
        setTimeout(() => resolve({ child, url: match[1], banner: out, seconds, output: () => out, exit }), 300);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (out += d));
    exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}):\n${out}`));
    });
  });
}

export async function stop(server: Server): Promise<number | null> {
  server.child.kill('SIGTERM');
  return server.exit;
}

export async function getJson(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as any };
}

export function openEmbedded(dataDir: string) {
  return PGlite.create({ dataDir: path.join(dataDir, 'db'), extensions: { pg_trgm } });
}


let template: Promise<string> | null = null;

/** A migrated, empty embedded database as a tar of its folder: the runner's template, or one made here. */
function templateFile(): Promise<string> {
  template ??= (async () => {
    const given = process.env.ZT_TEST_PGLITE_TEMPLATE;
    if (given && fs.existsSync(given)) return given;
    const { openDatabase } = await import('../src/platform/db/index.ts');
    const { migrateToLatest } = await import('../src/platform/db/migrate.ts');
    const { allMigrations } = await import('../src/app.ts');
    const database = await openDatabase({ databaseUrl: null, pgliteDir: null });
    await migrateToLatest(database.db, allMigrations());
    const file = path.join(work, 'template.tar');
    fs.writeFileSync(file, Buffer.from(await (await database.pglite!.dumpDataDir('none')).arrayBuffer()));
    await database.close();
    return file;
  })();
  return template;
}

/**
 * A data folder whose embedded database is already created and migrated, so a test skips the
 * few seconds of initdb that only the first-start test needs to go through.
 */
export async function migratedDataDir(name: string): Promise<string> {
  const dir = path.join(work, name);
  fs.mkdirSync(path.join(dir, 'db'), { recursive: true });
  await tar.x({ file: await templateFile(), cwd: path.join(dir, 'db') });
  return dir;
}
