#!/usr/bin/env -S node --max-semi-space-size=2 --wasm-lazy-compilation
// The `zt` command: runs the TypeScript sources through tsx (no build step).
//
// The node flags (repeated in package.json's "start" script) keep an idle server on the embedded
// database under 250 MB: a small young generation, and the database's WebAssembly compiled
// function by function on first use instead of all at start.
import { register } from 'tsx/esm/api';

// Dependencies are plain JavaScript. Loading them before the TypeScript hooks are installed saves
// a round trip to the hooks thread for each of their files (kysely alone has hundreds), which
// is most of the start-up time. A package missing here is only loaded more slowly.
const PRELOAD = [
  'kysely',
  'pg',
  '@electric-sql/pglite',
  '@electric-sql/pglite/contrib/pg_trgm',
  'fastify',
  '@sinclair/typebox',
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
  'otpauth',
  'sm-crypto-v2',
  '@node-rs/argon2',
  'close-with-grace',
];
const command = process.argv[2];
const light = !command || command.startsWith('-') || command === 'help' || command === 'totp' || process.argv.includes('--help') || process.argv.includes('-h');
if (!light) await Promise.all(PRELOAD.map((name) => import(name).catch(() => undefined)));

register();
await import('../src/cli.ts');
