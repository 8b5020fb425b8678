#!/usr/bin/env node
// Runs the whole suite: unit, integration (through HTTP against a real database) and browser tests.
// With ZT_TEST_DATABASE_URL set, every test file creates and drops its own database on that
// PostgreSQL server; otherwise each file gets an embedded database loaded from a migrated template.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
if (!env.ZT_TEST_DATABASE_URL) {
  const template = path.join(os.tmpdir(), `zt-pglite-template-${process.pid}.tar`);
  const made = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/make-test-template.ts'), template], { stdio: 'inherit', env, cwd: root });
  if (made.status !== 0) process.exit(made.status ?? 1);
  env.ZT_TEST_PGLITE_TEMPLATE = template;
  process.on('exit', () => fs.rmSync(template, { force: true }));
}

const concurrency = env.ZT_TEST_CONCURRENCY || String(Math.max(2, os.availableParallelism()));
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=900000', ...flags, ...tests],
  { stdio: 'inherit', env, cwd: root },
);
process.exit(result.status ?? 1);
