/**
 * 发布状态 in the console: the system administrator sees the published pages, the queue and the
 * latest rebuilds, and asks for a full rebuild (audited, run by the job); nobody else sees it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../db/index.ts';
import { bearer, createTestContext, makeUnit, makeUser, seedRegions, type TestContext, type TestUser } from '../../../test/helpers.ts';

let ctx: TestContext;
let sysadmin: TestUser;
let editor: TestUser;
before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
  const unit = await makeUnit(ctx.platform, `网站发布测试单位${process.pid}`);
  sysadmin = await makeUser(ctx.platform, unit.id, ['sysadmin']);
  editor = await makeUser(ctx.platform, unit.id, ['editor']);
});
after(() => ctx?.close());

test('the system administrator sees the publishing status and asks for a full rebuild', async () => {
  const page = await ctx.app.inject({ url: '/console/static', headers: bearer(sysadmin) });
  assert.equal(page.statusCode, 200, page.body);
  for (const text of ['发布状态', '已发布页面', '等待发布的更新', '还没有进行过全量重新生成']) assert.ok(page.body.includes(text), text);
  assert.doesNotMatch(page.body, /page\.static\./);

  const asked = await ctx.app.inject({ method: 'POST', url: '/console/static/rebuilds', headers: { ...bearer(sysadmin), 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
  assert.equal(asked.statusCode, 303, asked.body);
  const rows = (await sql<{ state: string; requested_by: string }>`select state, requested_by from static_rebuilds`.execute(ctx.platform.db)).rows;
  assert.deepEqual(rows, [{ state: 'running', requested_by: sysadmin.username }]);
  assert.equal(Number((await sql<{ n: string }>`select count(*) as n from audit_log where action = 'static.rebuild'`.execute(ctx.platform.db)).rows[0].n), 1);
  const after = await ctx.app.inject({ url: '/console/static', headers: bearer(sysadmin) });
  assert.ok(after.body.includes('进行中'));
});

test('an editor may not see or use it', async () => {
  const page = await ctx.app.inject({ url: '/console/static', headers: bearer(editor) });
  assert.ok([403, 404].includes(page.statusCode), String(page.statusCode));
  const asked = await ctx.app.inject({ method: 'POST', url: '/console/static/rebuilds', headers: { ...bearer(editor), 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
  assert.ok([403, 404].includes(asked.statusCode), String(asked.statusCode));
});
