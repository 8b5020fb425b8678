/**
 * The disclosure pages answer: the public catalogue (by unit id and by credit code, filtered, with
 * a bad date), an item, the guide, the annual report, in both languages with no raw message key;
 * the console's item list, form, catalogue editor and guide editor for the unit's editor, whose
 * forms file an item (index number assigned), rename and hide a category and save the guide.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestContext, creditCode, loginSession, makeUser, seedRegions, TestClock, type TestContext, type TestUser } from '../../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../../platform/db/work.ts';
import { createUnit, type Unit } from '../../../platform/org/service.ts';
import { HtmlValidate } from 'html-validate';
import { loadDisclosureDemo } from './demo.ts';

const validator = new HtmlValidate({ extends: ['html-validate:standard'] });

const clock = new TestClock(new Date('2026-06-15T02:00:00Z'));
let ctx: TestContext;
let unit: Unit;
let editor: TestUser;
let session: { cookie: string; csrf: string };

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  unit = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createUnit(work, { name: '测试市财政局', regionCode: '990100', kind: 'department', creditCode: creditCode(201) }));
  editor = await makeUser(ctx.platform, unit.id, ['editor']);
  // The demo's items, filed into this unit as if it were the city's finance bureau.
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => loadDisclosureDemo(work, ctx.platform, { unit: (key: string) => (key === 'city.finance' ? unit : { id: 'none', name: '', regionCode: '' }) } as never));
  const login = await loginSession(ctx.app, editor.username);
  session = { cookie: login.cookie, csrf: login.csrfToken };
});
after(() => ctx?.close());

const RAW_KEY = /(page\.portalDisclosure|portal\.disclosure|interaction\.public)\.[A-Za-z]/;
async function page(url: string, lang: 'zh-CN' | 'en' = 'zh-CN', options: { signedIn?: boolean; status?: number } = {}) {
  const res = await ctx.app.inject({ method: 'GET', url, headers: { 'accept-language': lang, ...(options.signedIn ? { cookie: session.cookie } : {}) } });
  assert.equal(res.statusCode, options.status ?? 200, `${url}: ${res.body.slice(0, 500)}`);
  assert.doesNotMatch(res.body, RAW_KEY, `${url} shows a raw key`);
  if (res.statusCode === 200) {
    const report = await validator.validateString(res.body);
    assert.ok(report.valid, `${url} is not valid HTML: ${JSON.stringify(report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`)))}`);
  }
  return res.body;
}
const firstItem = async () => (await sql<{ id: string; title: string; index_no: string }>`select id, title, index_no from portal_disclosure_items where unit_id = ${unit.id} order by published_at desc limit 1`.execute(ctx.platform.db)).rows[0];

test('the demo is loaded once: a second load adds nothing', async () => {
  const before = (await sql<{ n: number }>`select count(*)::int as n from portal_disclosure_items`.execute(ctx.platform.db)).rows[0].n;
  assert.ok(Number(before) >= 8);
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => loadDisclosureDemo(work, ctx.platform, { unit: (key: string) => (key === 'city.finance' ? unit : { id: 'none', name: '', regionCode: '' }) }));
  assert.equal((await sql<{ n: number }>`select count(*)::int as n from portal_disclosure_items`.execute(ctx.platform.db)).rows[0].n, before);
});

test('the public pages answer in both languages with no raw keys', async () => {
  const item = await firstItem();
  assert.ok(item, 'the demo filed items');
  for (const lang of ['zh-CN', 'en'] as const) {
    assert.match(await page('/xxgk', lang), /测试市财政局/);
    const catalogue = await page(`/xxgk/${unit.id}`, lang);
    assert.match(catalogue, /财政信息/);
    assert.ok(catalogue.includes(item.index_no));
    assert.ok((await page(`/xxgk/${unit.creditCode}`, lang)).includes(item.index_no), 'by credit code too');
    const one = await page(`/xxgk/${unit.id}/items/${item.id}`, lang);
    assert.ok(one.includes(item.index_no) && one.includes('测试市财政局'));
    const guide = await page(`/xxgk/${unit.id}/guide`, lang);
    assert.match(guide, /\/interaction\/disclosure\/apply\?unit=/);
    await page(`/xxgk/${unit.id}/report/2026`, lang);
    await page(`/xxgk/${unit.id}/report/2025`, lang);
  }
  const zh = await page(`/xxgk/${unit.id}`);
  for (const word of ['索引号', '名称', '文号', '发布日期', '有效性', '公开指南', '年度报告']) assert.ok(zh.includes(word), word);
  const one = await page(`/xxgk/${unit.id}/items/${item.id}`);
  for (const word of ['索引号', '信息分类', '发布机构', '发文日期', '文号', '有效性', '主题词']) assert.ok(one.includes(word), word);
  const report = await page(`/xxgk/${unit.id}/report/2026`);
  assert.match(report, /主动公开政府信息情况/);
  assert.match(report, /予以公开|公开/);
  // Filters: by category, title, validity; a bad date is a 400 page with the field named.
  const filtered = await page(`/xxgk/${unit.id}?q=${encodeURIComponent('决算')}&validity=valid`);
  assert.match(filtered, /决算/);
  assert.doesNotMatch(filtered, /政府集中采购目录/);
  await page(`/xxgk/${unit.id}?from=2026-13-40`, 'zh-CN', { status: 400 });
  await page('/xxgk/nobody', 'zh-CN', { status: 404 });
  await page(`/xxgk/${unit.id}/items/nothing`, 'zh-CN', { status: 404 });
  await page(`/xxgk/${unit.id}/report/1999`, 'zh-CN', { status: 400 });
  const redirect = await ctx.app.inject({ method: 'GET', url: `/xxgk/${unit.id}/report` });
  assert.equal(redirect.statusCode, 303);
  assert.equal(redirect.headers.location, `/xxgk/${unit.id}/report/2025`);
});

test('the console pages: the editor lists, files an item with an assigned index number, edits the catalogue and the guide', async () => {
  for (const lang of ['zh-CN', 'en'] as const) {
    for (const url of ['/console/portal/disclosure', '/console/portal/disclosure/items/new', '/console/portal/disclosure/categories', '/console/portal/disclosure/guide', `/console/portal/disclosure/items/${(await firstItem()).id}`]) await page(url, lang, { signedIn: true });
  }
  const { rows } = await sql<{ id: string }>`select id from portal_disclosure_categories where unit_id = ${unit.id} and code = 'finance.budget'`.execute(ctx.platform.db);
  const post = (url: string, form: Record<string, string>) =>
    ctx.app.inject({ method: 'POST', url, headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: session.csrf, ...form }).toString() });
  const empty = await post('/console/portal/disclosure/items/new', { categoryId: rows[0].id, title: '', writtenDate: '2026-06-01' });
  assert.equal(empty.statusCode, 400);
  assert.match(empty.body, /不能为空/);
  const created = await post('/console/portal/disclosure/items/new', { categoryId: rows[0].id, title: '控件发布的预算说明', writtenDate: '2026-06-01', publishedAt: '2026-06-10', body: '第一段\n\n第二段' });
  assert.equal(created.statusCode, 303, created.body.slice(0, 500));
  const item = (await sql<{ id: string; index_no: string }>`select id, index_no from portal_disclosure_items where title = '控件发布的预算说明'`.execute(ctx.platform.db)).rows[0];
  assert.match(item.index_no, new RegExp(`^${unit.creditCode}/2026-\\d{5}$`));
  // A number already used: the form says so beside the field and keeps what was typed.
  const taken = await post('/console/portal/disclosure/items/new', { categoryId: rows[0].id, indexNo: item.index_no, title: '重复索引号的信息', writtenDate: '2026-06-01' });
  assert.equal(taken.statusCode, 409);
  assert.match(taken.body, /已被本单位的其他信息使用/);
  assert.match(taken.body, /重复索引号的信息/);
  assert.equal((await post(`/console/portal/disclosure/items/${item.id}/validity`, { validity: 'repealed', reason: '已废止' })).statusCode, 303);
  assert.match(await page(`/xxgk/${unit.id}/items/${item.id}`), /废止/);

  const renamed = await post(`/console/portal/disclosure/categories/${rows[0].id}`, { action: 'rename', name: '部门预算' });
  assert.equal(renamed.statusCode, 303);
  const kept = await post(`/console/portal/disclosure/categories/${rows[0].id}`, { action: 'delete' });
  assert.equal(kept.statusCode, 409, 'a category with items stays');
  assert.match(kept.body, /下有公开信息，不能删除/);
  assert.equal((await post('/console/portal/disclosure/categories', { name: '政府债务', parentId: '' })).statusCode, 303);
  assert.match(await page(`/xxgk/${unit.id}`), /部门预算[\s\S]*政府债务/);
  assert.equal((await post('/console/portal/disclosure/guide', { body: '## 一、概述\n本局自己的指南。' })).statusCode, 303);
  assert.match(await page(`/xxgk/${unit.id}/guide`), /本局自己的指南/);
});
