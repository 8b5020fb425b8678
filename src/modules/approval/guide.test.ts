/**
 * The guide's elements beyond the first catalogue (申请对象, 办理地点/时间, 即办件/承诺件, 常见问题,
 * blank forms and examples of materials) through the API and on the public pages, and the
 * service list's filters.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, problem, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { fileBody, SAMPLES } from '../../platform/files/testing.ts';
import type { Unit } from '../../platform/org/service.ts';

let ctx: TestContext;
let unit: Unit;
let other: Unit;
let centre: Unit;
let leader: TestUser;
let leaderOther: TestUser;

before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
  unit = await makeUnit(ctx.platform, '民政局');
  other = await makeUnit(ctx.platform, '市场监督管理局');
  centre = await makeUnit(ctx.platform, '政务服务中心', '990100', 'service_center');
  leader = await makeUser(ctx.platform, unit.id, ['unit_leader']);
  leaderOther = await makeUser(ctx.platform, other.id, ['unit_leader']);
});
after(() => ctx.close());

type Json = Record<string, any>;

function body(overrides: Json = {}, unitId = unit.id): Json {
  return {
    name: '内地居民婚姻登记',
    kind: 'public_service',
    unitId,
    legalBasis: '《婚姻登记条例》第四条',
    conditions: '男女双方自愿',
    materials: [{ key: 'application', name: '申请结婚登记声明书', required: true, copies: 1, allowPending: false }],
    statutoryDays: 1,
    promisedDays: 1,
    fee: { charged: false },
    resultName: '结婚证',
    maxVisits: 1,
    consultPhone: '0571-12345',
    complaintPhone: '12345',
    process: {
      stages: [
        { key: 'accept', name: '受理', unitId: centre.id, role: 'window_clerk', days: 1 },
        { key: 'decide', name: '当场办结', unitId, role: 'unit_leader', days: 1 },
      ],
    },
    lifeEvents: ['婚姻'],
    themes: ['婚姻登记'],
    ...overrides,
  };
}

const create = (payload: Json, user: TestUser = leader) => ctx.app.inject({ method: 'POST', url: '/api/v1/approval/items', headers: bearer(user), payload });
const publish = (id: string, user: TestUser = leader) => ctx.app.inject({ method: 'POST', url: `/api/v1/approval/items/${id}/publish`, headers: bearer(user) });
async function upload(user: TestUser, name: string): Promise<string> {
  const file = fileBody(name, SAMPLES.pdf());
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', payload: file.payload, headers: { ...file.headers, ...bearer(user) } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}
const count = async () => Number((await ctx.platform.db.withTables<{ approval_items: { id: string } }>().selectFrom('approval_items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

test('bad guide elements are refused with every problem at once, in the caller’s language, and nothing is written', async () => {
  const before_ = await count();
  const shape = await create(body({ targets: ['robot'], handlingType: 'soon', faq: [{ question: 'x' }] }));
  assert.equal(shape.statusCode, 400);
  assert.match(String(problem(shape).type), /^application\/problem\+json/);

  const someoneElses = await upload(leaderOther, '别人的表格.pdf');
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/approval/items',
    headers: { ...bearer(leader), 'accept-language': 'zh-CN' },
    payload: body({
      promisedDays: 1,
      statutoryDays: 10,
      handlingType: 'instant',
      faq: [{ question: '  ', answer: '答' }],
      materials: [{ key: 'application', name: '申请书', required: true, copies: 1, allowPending: false, blankFileId: someoneElses, exampleFileId: 'no-such-file' }],
    }),
  });
  assert.equal(res.statusCode, 400, res.body);
  const paths = problem(res).body.errors!.map((e) => e.path);
  for (const path of ['body.faq.0.question', 'body.materials.0.blankFileId', 'body.materials.0.exampleFileId']) assert.ok(paths.includes(path), `${path} in ${paths.join()}`);
  assert.match(JSON.stringify(problem(res).body.errors), /没有这个已上传的文件/);

  const slow = await create(body({ handlingType: 'instant', statutoryDays: 10, promisedDays: 5 }));
  assert.equal(slow.statusCode, 400);
  assert.deepEqual(problem(slow).body.errors!.map((e) => e.path), ['body.handlingType']);
  assert.equal(await count(), before_);
});

test('the new elements round-trip through the API, show on the guide, and the forms download publicly once published', async () => {
  const blank = await upload(leader, '声明书空白.pdf');
  const example = await upload(leader, '声明书示例.pdf');
  const res = await create(
    body({
      code: '990100-GG-0901',
      targets: ['person'],
      place: '市民中心三楼婚姻登记处',
      hours: '周一至周五 8:30—12:00，14:00—17:30',
      handlingType: 'instant',
      faq: [{ question: '需要预约吗？', answer: '可以网上预约，也可以现场排号。' }],
      materials: [{ key: 'application', name: '申请结婚登记声明书', required: true, copies: 1, allowPending: false, blankFileId: blank, exampleFileId: example }],
    }),
  );
  assert.equal(res.statusCode, 201, res.body);
  const item = res.json();
  assert.deepEqual(item.targets, ['person']);
  assert.equal(item.place, '市民中心三楼婚姻登记处');
  assert.equal(item.handlingType, 'instant');
  assert.deepEqual(item.faq, [{ question: '需要预约吗？', answer: '可以网上预约，也可以现场排号。' }]);
  assert.equal(item.materials[0].blankFileId, blank);

  // A draft's forms are the unit's, not the public's.
  assert.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/files/${blank}` })).statusCode, 401);
  assert.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/files/${blank}`, headers: bearer(leader) })).statusCode, 200);
  assert.equal((await publish(item.id)).statusCode, 200);
  const download = await ctx.app.inject({ method: 'GET', url: `/api/v1/files/${example}` });
  assert.equal(download.statusCode, 200);
  assert.equal(download.headers['content-type'], 'application/pdf');

  const got = await ctx.app.inject({ method: 'GET', url: `/api/v1/approval/items/${item.id}` });
  assert.deepEqual({ targets: got.json().targets, hours: got.json().hours }, { targets: ['person'], hours: '周一至周五 8:30—12:00，14:00—17:30' });

  const page = await ctx.app.inject({ method: 'GET', url: `/services/items/${item.id}` });
  assert.equal(page.statusCode, 200);
  const html = page.body;
  for (const text of ['事项名称', '990100-GG-0901', '设定依据', '受理条件', '申请对象', '自然人', '办理地点', '市民中心三楼婚姻登记处', '办理时间', '咨询电话', '投诉电话', '办理流程', '即办件', '法定办结时限', '承诺办结时限', '收费标准', '常见问题', '需要预约吗？', '空白表格下载', '示例样表下载', '在线申请']) {
    assert.ok(html.includes(text), text);
  }
  assert.ok(html.includes(`href="/api/v1/files/${blank}"`) && html.includes(`href="/api/v1/files/${example}"`));
  assert.ok(!html.includes('法人和其他组织'), 'only the targets given');
  // The process as a diagram: one ordered list of stages, no second marker on the steps.
  assert.match(html, /<ol class="flow" aria-label="办理流程图">/);
  assert.ok(!html.includes('process-list'));
  // A new version keeps the forms (attached to the code, not the version).
  const next = await ctx.app.inject({ method: 'POST', url: `/api/v1/approval/items/${item.id}/draft`, headers: bearer(leader) });
  assert.equal(next.statusCode, 201, next.body);
  assert.equal(next.json().version, 2);
  assert.equal(next.json().materials[0].blankFileId, blank);
  assert.equal(next.json().place, '市民中心三楼婚姻登记处');
  const v2 = next.json();
  const saved = await ctx.app.inject({
    method: 'PUT',
    url: `/api/v1/approval/items/${v2.id}`,
    headers: bearer(leader),
    payload: { ...body({ code: '990100-GG-0901', targets: ['person'], handlingType: 'instant', materials: v2.materials }), editVersion: v2.editVersion },
  });
  assert.equal(saved.statusCode, 200, saved.body);
  assert.equal((await publish(v2.id)).statusCode, 200);
  assert.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/files/${blank}` })).statusCode, 200, 'still public under the new version');
});

test('a joint review is drawn side by side; old rows read with defaults', async () => {
  const res = await create(
    body({
      name: '公共租赁住房资格申请',
      statutoryDays: 30,
      promisedDays: 20,
      process: {
        stages: [
          { key: 'accept', name: '受理', unitId: centre.id, role: 'window_clerk', days: 1 },
          { parallel: [{ key: 'a', name: '住房状况核查', unitId: unit.id, role: 'approver', days: 5 }, { key: 'b', name: '收入财产核对', unitId: other.id, role: 'approver', days: 5 }] },
          { key: 'decide', name: '决定', unitId: unit.id, role: 'unit_leader', days: 3 },
        ],
      },
    }),
  );
  assert.equal(res.statusCode, 201, res.body);
  const item = res.json();
  assert.deepEqual(item.targets, ['person', 'enterprise'], 'both by default');
  assert.equal(item.handlingType, 'promised');
  assert.deepEqual(item.faq, []);
  assert.equal((await publish(item.id)).statusCode, 200);
  const html = (await ctx.app.inject({ method: 'GET', url: `/services/items/${item.id}` })).body;
  assert.match(html, /<ul class="flow-steps flow-parallel">(?:(?!<\/ul>)[\s\S])*住房状况核查(?:(?!<\/ul>)[\s\S])*收入财产核对/);
  assert.ok(html.includes('以下 2 个部门并联审查'));
  assert.ok(html.includes('承诺件'));
});

test('the service list filters by name, applicant, unit, life event and theme, combined', async () => {
  const make = async (name: string, extra: Json, unitId = unit.id, user = leader) => {
    const res = await create(body({ name, ...extra }, unitId), user);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal((await publish(res.json().id, user)).statusCode, 200);
  };
  await make('个体工商户设立登记', { targets: ['person'], lifeEvents: ['开办企业'], themes: ['市场准入'] }, other.id, leaderOther);
  await make('有限责任公司设立登记', { targets: ['enterprise'], lifeEvents: ['开办企业'], themes: ['市场准入'] }, other.id, leaderOther);
  await make('养老机构备案', { targets: ['enterprise'], lifeEvents: ['养老'], themes: ['养老服务'] });

  const list = async (query: string) => {
    const res = await ctx.app.inject({ method: 'GET', url: `/services?${query}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.body;
  };
  const has = (html: string, name: string) => html.includes(`>${name}</a>`);
  let html = await list('target=enterprise');
  assert.ok(has(html, '有限责任公司设立登记') && has(html, '养老机构备案') && !has(html, '个体工商户设立登记'));
  html = await list(`target=person&lifeEvent=${encodeURIComponent('开办企业')}`);
  assert.ok(has(html, '个体工商户设立登记') && !has(html, '有限责任公司设立登记'));
  html = await list(`unit=${other.id}&q=${encodeURIComponent('公司')}`);
  assert.ok(has(html, '有限责任公司设立登记') && !has(html, '个体工商户设立登记') && !has(html, '养老机构备案'));
  html = await list(`theme=${encodeURIComponent('养老服务')}`);
  assert.ok(has(html, '养老机构备案') && !has(html, '有限责任公司设立登记'));
  // The older name of the life-event filter still works.
  html = await list(`event=${encodeURIComponent('养老')}`);
  assert.ok(has(html, '养老机构备案') && !has(html, '个体工商户设立登记'));
  // 个人办事 / 法人办事 keep the other filters.
  assert.ok((await list(`lifeEvent=${encodeURIComponent('开办企业')}`)).includes(`href="/services?lifeEvent=${encodeURIComponent('开办企业')}&amp;target=enterprise"`));
  // Cards, not a wide table.
  assert.ok(html.includes('class="item-cards"') && !html.includes('<table'));
  // A bad target is a problem, not an empty list.
  const bad = await ctx.app.inject({ method: 'GET', url: '/services?target=robot' });
  assert.equal(bad.statusCode, 400);
  // The API filters the same way.
  const api = await ctx.app.inject({ method: 'GET', url: '/api/v1/approval/items?target=person' });
  assert.ok(api.json().items.every((i: Json) => i.targets.includes('person')));
});
