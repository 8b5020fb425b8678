#!/usr/bin/env node
// The `zt` command: runs the TypeScript sources through tsx (no build step).
//
// `npm start` runs this file with three node flags that keep an idle server on the embedded
// database under 250 MB: a small young generation (--max-semi-space-size=2), and the database's
// WebAssembly compiled function by function on first use (--wasm-lazy-compilation) by the baseline
// compiler only (--liftoff-only: its queries run some 15% slower, and 50 MB less code stays in
// memory). They are not in the first line: `env -S` is missing from some systems' env.
import { register } from 'tsx/esm/api';

// Dependencies are plain JavaScript. Loading them before the TypeScript hooks are installed saves
// a round trip to the hooks thread for each of their files (kysely alone has hundreds), which
// is most of the start-up time. A package missing here is only loaded more slowly.
const DATABASE = ['kysely', 'pg', '@electric-sql/pglite', '@electric-sql/pglite/contrib/pg_trgm', '@sinclair/typebox', 'otpauth', 'sm-crypto-v2', '@node-rs/argon2'];
const APPLICATION = [
  'fastify',
  'ajv',
  'ajv-formats',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  '@fastify/rate-limit',
  '@fastify/helmet',
  '@fastify/cookie',
  '@fastify/formbody',
  '@fastify/multipart',
  '@kitajs/html',
  'close-with-grace',
  'file-type',
  'qrcode',
  'csv-parse/sync',
  'tar',
];
const [command] = process.argv.slice(2);
const help = process.argv.includes('--help') || process.argv.includes('-h');
// Only these commands load the whole application (every module's migrations); the others need the database.
const whole = ['start', 'prepare', 'migrate', 'restore'].includes(command);
const light = help || !command || command.startsWith('-') || command === 'help' || command === 'totp';
const preload = light ? [] : whole ? [...DATABASE, ...APPLICATION] : DATABASE;
await Promise.all(preload.map((name) => import(name).catch(() => undefined)));

register();
await import('../src/cli.ts');
