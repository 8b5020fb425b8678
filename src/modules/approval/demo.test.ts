import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from '../../../test/helpers.ts';
import { seedDemo } from '../../platform/demo/seed.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ env: { ZT_DEMO_PASSWORD: 'Yunchuan-Demo-1' } });
});
after(() => ctx?.close());

const publishedItems = async () => {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/approval/items?limit=100' });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items as Array<{ code: string; name: string; status: string; process: { stages: unknown[] } }>;
};

test('the demo city offers published service items that the demo accounts can handle, loaded once', async () => {
  await seedDemo(ctx.platform);
  const items = await publishedItems();
  assert.deepEqual(items.map((i) => i.name).sort(), ['公共场所卫生许可', '建设工程规划许可证核发', '食品经营许可证核发'].sort());
  assert.ok(items.every((i) => i.status === 'published'));

  await seedDemo(ctx.platform);
  assert.equal((await publishedItems()).length, 3, 'a second demo load adds nothing');

  const hall = await ctx.app.inject({ method: 'GET', url: '/services' });
  assert.equal(hall.statusCode, 200);
  assert.ok(hall.body.includes('食品经营许可证核发'));
});
