import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from '../../../test/helpers.ts';
import { seedDemo } from '../../platform/demo/seed.ts';
import { DEMO_ITEMS } from './demo-items.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ env: { ZT_DEMO_PASSWORD: 'Yunchuan-Demo-1' } });
});
after(() => ctx?.close());

interface Listed {
  id: string;
  code: string;
  name: string;
  status: string;
  unitId: string;
  targets: string[];
  handlingType: string;
  lifeEvents: string[];
  materials: Array<{ blankFileId?: string; exampleFileId?: string }>;
  process: { stages: Array<object> };
}

const publishedItems = async () => {
  const out: Listed[] = [];
  let cursor = '';
  do {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/approval/items?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}` });
    assert.equal(res.statusCode, 200, res.body);
    out.push(...res.json().items);
    cursor = res.json().nextCursor ?? '';
  } while (cursor);
  return out;
};

test('the demo city offers a real catalogue: 40+ published items in 10+ units, joint reviews, both kinds of handling, blank forms to download; loaded once', async () => {
  const started = Date.now();
  await seedDemo(ctx.platform);
  const took = Date.now() - started;
  const items = await publishedItems();
  assert.equal(items.length, DEMO_ITEMS.length);
  assert.ok(items.length >= 40, `${items.length} items`);
  assert.ok(items.every((i) => i.status === 'published'));
  assert.ok(new Set(items.map((i) => i.unitId)).size >= 10, 'ten units or more');
  const joint = items.filter((i) => i.process.stages.some((s) => 'parallel' in s));
  assert.ok(joint.length >= 5, `${joint.length} joint reviews`);
  assert.ok(items.some((i) => i.handlingType === 'instant') && items.some((i) => i.handlingType === 'promised'));
  for (const event of ['生育', '入学', '就业', '婚姻', '住房', '养老', '开办企业', '工程建设']) assert.ok(items.some((i) => i.lifeEvents.includes(event)), event);
  assert.ok(items.some((i) => i.targets.length === 1 && i.targets[0] === 'person') && items.some((i) => i.targets.length === 1 && i.targets[0] === 'enterprise'));
  assert.ok(items.every((i) => i.materials[0].blankFileId), 'every application form has a blank form');

  // The blank form and the example download without signing in, as real spreadsheets.
  const withExample = items.find((i) => i.materials[0].exampleFileId)!;
  for (const id of [withExample.materials[0].blankFileId!, withExample.materials[0].exampleFileId!]) {
    const file = await ctx.app.inject({ method: 'GET', url: `/api/v1/files/${id}` });
    assert.equal(file.statusCode, 200, file.body);
    assert.equal(file.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.equal(file.rawPayload.subarray(0, 2).toString(), 'PK');
  }

  const again = Date.now();
  await seedDemo(ctx.platform);
  assert.equal((await publishedItems()).length, items.length, 'a second demo load adds nothing');
  console.log(`demo items: first load ${took} ms (with the city and accounts), second ${Date.now() - again} ms`);

  const hall = await ctx.app.inject({ method: 'GET', url: encodeURI('/services?q=食品经营') });
  assert.equal(hall.statusCode, 200);
  assert.ok(hall.body.includes('食品经营许可证核发'));
  const marriage = await ctx.app.inject({ method: 'GET', url: encodeURI('/services?lifeEvent=婚姻&target=person') });
  assert.ok(marriage.body.includes('内地居民结婚登记'));
  assert.ok(!marriage.body.includes('食品经营许可证核发'));
});
