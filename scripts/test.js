#!/usr/bin/env node
// Runs the whole suite: unit, integration (through HTTP against a real database) and browser tests.
// First it migrates one template database from the code under test; every test file then gets a
// fresh copy of it: with ZT_TEST_DATABASE_URL, a database on that PostgreSQL server created with
// CREATE DATABASE ... TEMPLATE; otherwise an embedded database loaded from a dump. The template
// (and any database a test file left behind) is removed at the end, also on Ctrl-C or SIGTERM.
// Browser test files share one Chromium, started here when the run includes any.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);

function findTests(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') findTests(full, out);
    else if (/\.test\.tsx?$/.test(entry.name)) out.push(path.relative(root, full));
  }
  return out;
}

const files = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const tests = files.length ? files : [...findTests(path.join(root, 'src')), ...findTests(path.join(root, 'test'))].sort();

const env = { ...process.env, NODE_ENV: 'test' };
// Names of this run's databases: pid and random bytes, so runs at once on one server never meet.
const runId = `${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
const cleanups = [];
let runner = null;
// Ctrl-C reaches the test runner too (same process group); a signal sent to this process alone is
// passed on. Either way the runner stops its files, and the clean-up runs once it has exited.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => (runner ? runner.kill(signal) : finish(128 + os.constants.signals[signal])));

function makeTemplate(templateArgs) {
  const made = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/make-test-template.ts'), ...templateArgs], { stdio: 'inherit', env, cwd: root });
  return made.status === 0;
}

if (env.ZT_TEST_DATABASE_URL) {
  const serverUrl = env.ZT_TEST_DATABASE_URL;
  const template = `zt_template_${runId}`;
  env.ZT_TEST_PG_TEMPLATE = template;
  env.ZT_TEST_PG_PREFIX = `zt_test_${runId}_`;
  cleanups.push(() => dropDatabases(serverUrl, template, env.ZT_TEST_PG_PREFIX));
  if (!makeTemplate(['--postgres', serverUrl, template])) await finish(1);
} else {
  const template = path.join(os.tmpdir(), `zt-pglite-template-${runId}.tar`);
  env.ZT_TEST_PGLITE_TEMPLATE = template;
  cleanups.push(() => fs.rmSync(template, { force: true }));
  if (!makeTemplate([template])) await finish(1);
}

// The browser test files connect to one Chromium instead of each launching its own.
if (tests.some((file) => file.split(path.sep).includes('e2e'))) {
  const { tsImport } = await import('tsx/esm/api');
  const { chromiumMissing, launchSharedChromium } = await tsImport('../test/e2e/browser.ts', import.meta.url);
  if (!chromiumMissing) {
    try {
      const browser = await launchSharedChromium();
      env.ZT_TEST_BROWSER_WS = browser.wsEndpoint();
      cleanups.push(() => browser.close());
    } catch (error) {
      console.error(`shared Chromium not started, each browser test launches its own: ${error.message}`);
    }
  }
}

/** Drops the template and whatever this run's test files did not drop themselves (an interrupted file). */
async function dropDatabases(serverUrl, template, prefix) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query(`select datname from pg_database where datname = $1 or starts_with(datname, $2)`, [template, prefix]);
    for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
  } finally {
    await admin.end();
  }
}

async function finish(code) {
  for (const cleanup of cleanups.splice(0)) {
    try {
      await cleanup();
    } catch (error) {
      console.error(`test run clean-up: ${error.message}`);
    }
  }
  process.exit(code);
}

const concurrency = env.ZT_TEST_CONCURRENCY || String(Math.max(2, os.availableParallelism()));
runner = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=900000', ...flags, ...tests], { stdio: 'inherit', env, cwd: root });
runner.on('exit', (code, signal) => finish(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1)));
