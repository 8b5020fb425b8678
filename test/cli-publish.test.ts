// `zt publish`: its usage, and on an installation without a module that publishes static pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { work, zt } from './cli-helpers.ts';

test('zt publish needs --site or --all, and says so', async () => {
  for (const args of [['publish'], ['publish', '--site', 'a', '--all']]) {
    const run = await zt(args, { ZT_DATA_DIR: path.join(work, 'none') });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--site <site> or --all/);
  }
});

test('zt publish --all on a migrated installation whose modules publish nothing', async () => {
  const dataDir = path.join(work, 'publish');
  fs.mkdirSync(dataDir, { recursive: true });
  const env = { ZT_DATA_DIR: dataDir, ZT_MODULES: 'none' };
  const migrate = await zt(['migrate'], env);
  assert.equal(migrate.code, 0, migrate.stderr);
  const run = await zt(['publish', '--all'], env);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /nothing to rebuild/);
});
