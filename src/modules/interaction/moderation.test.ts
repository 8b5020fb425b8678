import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, openBrowser } from '../../../test/e2e/browser.ts';
import { bearer, createTestContext, loginSession, makeUser, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { interactionFixture, receiveTestCase, type InteractionFixture } from './testing.ts';
import { interactionDb, REDACTED } from './model.ts';
import { redact } from './redact.ts';

let ctx: TestContext;
let f: InteractionFixture;
before(async () => {
  ctx = await createTestContext();
  f = await interactionFixture(ctx.platform);
});
after(() => ctx?.close());

const post = (user: TestUser, url: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: bearer(user) });
const get = (user: TestUser, url: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(user) });
const row = (id: string) => interactionDb(ctx.platform.db).selectFrom('interaction_cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

const LETTER = '我是张三丰，住幸福小区，电话13800138000，座机0931-8123456，身份证11010119900307803X，邮箱zsf@example.com。小区路灯坏了一个月。';

/** A case answered by a unit with its leader's approval and waiting for a moderator, as the handling part leaves it. */
async function pendingCase(input: { channel?: 'mayor_mailbox' | 'unit_mailbox'; targetUnitId?: string; unitId?: string; body?: string; answer?: string } = {}) {
  const got = await receiveTestCase(ctx.platform, { channel: input.channel ?? 'mayor_mailbox', targetUnitId: input.targetUnitId, body: input.body ?? LETTER, title: `路灯${Math.random()}` });
  await interactionDb(ctx.platform.db)
    .updateTable('interaction_cases')
    .set({ state: 'answered', handling_unit_id: input.unitId ?? f.dept.id, answer_body: input.answer ?? '张三丰您好：已安排维修，联系人王工13900139000。', answered_at: new Date(), moderation: 'pending' })
    .where('id', '=', got.id)
    .execute();
  return got.id;
}

test('redaction removes mobile and landline numbers, ID numbers, e-mail addresses and the writer’s name', () => {
  const out = redact(LETTER + '另：+86 138 0013 8000，（010）62345678。2026年12月7日，3号楼。', ['张三丰']);
  for (const gone of ['张三丰', '13800138000', '0931-8123456', '11010119900307803X', 'zsf@example.com', '138 0013 8000', '62345678']) assert.ok(!out.includes(gone), `${gone} in ${out}`);
  assert.ok(out.includes(REDACTED));
  assert.ok(out.includes('2026年12月7日'));
  assert.ok(out.includes('3号楼'));
  assert.ok(out.includes('小区路灯坏了一个月'));
});

test('the queue shows a pending case with the redacted texts; publishing puts them on the board; audited', async () => {
  const id = await pendingCase();
  const queue = await get(f.moderator, '/api/v1/interaction/moderation?status=pending');
  assert.equal(queue.statusCode, 200, queue.body);
  const item = queue.json().items.find((i: { id: string }) => i.id === id);
  assert.ok(item);
  assert.equal(item.body, LETTER);
  assert.ok(!item.publicBody.includes('13800138000') && !item.publicBody.includes('张三丰'));
  assert.ok(!item.publicAnswer.includes('张三丰') && !item.publicAnswer.includes('13900139000'));
  const res = await post(f.moderator, `/api/v1/interaction/cases/${id}/publish`, {});
  assert.equal(res.statusCode, 200, res.body);
  const r = await row(id);
  assert.equal(r.moderation, 'published');
  assert.ok(r.published_at);
  assert.equal(r.public_body, redact(LETTER, ['张三丰']));
  assert.ok(!r.public_answer!.includes('13900139000'));
  assert.equal((await post(f.moderator, `/api/v1/interaction/cases/${id}/publish`, {})).statusCode, 409);
  const audit = await sql<{ n: string }>`select count(*) as n from audit_log where action = 'interaction.moderation.publish' and object_id = ${id}`.execute(ctx.platform.db);
  assert.equal(Number(audit.rows[0].n), 1);
  const published = await get(f.moderator, '/api/v1/interaction/moderation?status=published');
  assert.ok(published.json().items.some((i: { id: string }) => i.id === id));
});

test('the moderator may publish edited texts', async () => {
  const id = await pendingCase();
  const res = await post(f.moderator, `/api/v1/interaction/cases/${id}/publish`, { publicBody: '小区路灯坏了一个月。', publicAnswer: '已安排维修。' });
  assert.equal(res.statusCode, 200, res.body);
  const r = await row(id);
  assert.equal(r.public_body, '小区路灯坏了一个月。');
  assert.equal(r.public_answer, '已安排维修。');
  assert.equal((await post(f.moderator, `/api/v1/interaction/cases/${(await pendingCase())}/publish`, { publicBody: '  ' })).statusCode, 400);
});

test('hiding needs a reason, and takes a published case off the board', async () => {
  const id = await pendingCase();
  assert.equal((await post(f.moderator, `/api/v1/interaction/cases/${id}/hide`, {})).statusCode, 400);
  assert.equal((await post(f.moderator, `/api/v1/interaction/cases/${id}/hide`, { reason: '   ' })).statusCode, 400);
  assert.equal((await row(id)).moderation, 'pending');
  await post(f.moderator, `/api/v1/interaction/cases/${id}/publish`, {});
  const hidden = await post(f.moderator, `/api/v1/interaction/cases/${id}/hide`, { reason: '涉及个人隐私' });
  assert.equal(hidden.statusCode, 200, hidden.body);
  const r = await row(id);
  assert.equal(r.moderation, 'hidden');
  assert.equal(r.moderation_reason, '涉及个人隐私');
  const board = await sql<{ n: string }>`select count(*) as n from interaction_cases where moderation = 'published' and id = ${id}`.execute(ctx.platform.db);
  assert.equal(Number(board.rows[0].n), 0);
  const list = await get(f.moderator, '/api/v1/interaction/moderation?status=hidden');
  assert.ok(list.json().items.some((i: { id: string; reason: string }) => i.id === id && i.reason === '涉及个人隐私'));
  assert.equal((await post(f.moderator, `/api/v1/interaction/cases/${id}/hide`, { reason: '再次' })).statusCode, 409);
});

test("a case outside the moderator's scope is 404 and is not listed", async () => {
  const id = await pendingCase({ channel: 'unit_mailbox', targetUnitId: f.other.id, unitId: f.other.id });
  assert.equal((await post(f.moderator, `/api/v1/interaction/cases/${id}/publish`, {})).statusCode, 404);
  assert.equal((await post(f.moderator, `/api/v1/interaction/cases/${id}/hide`, { reason: '不宜公开' })).statusCode, 404);
  assert.ok(!(await get(f.moderator, '/api/v1/interaction/moderation')).json().items.some((i: { id: string }) => i.id === id));
  assert.equal((await row(id)).moderation, 'pending');
  const otherModerator = await makeUser(ctx.platform, f.other.id, ['editor']);
  assert.equal((await post(otherModerator, `/api/v1/interaction/cases/${id}/publish`, {})).statusCode, 200);
  assert.equal((await get(f.hotline.operator, '/api/v1/interaction/moderation')).statusCode, 403);
});

test('the sensitive-word list: deduplicated, bounded, and flagged on receipt and in the queue', async () => {
  const saved = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interaction/sensitive-words', payload: { words: ['赌博', '赌博', ' 传销 ', ''] }, headers: bearer(f.moderator) });
  assert.equal(saved.statusCode, 200, saved.body);
  assert.deepEqual(saved.json().words.sort(), ['传销', '赌博']);
  assert.deepEqual((await get(f.moderator, '/api/v1/interaction/sensitive-words')).json().words.sort(), ['传销', '赌博']);
  const long = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interaction/sensitive-words', payload: { words: ['字'.repeat(21)] }, headers: bearer(f.moderator) });
  assert.equal(long.statusCode, 400);
  const many = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interaction/sensitive-words', payload: { words: Array.from({ length: 2001 }, (_, i) => `词${i}`) }, headers: bearer(f.moderator) });
  assert.equal(many.statusCode, 400);
  assert.deepEqual((await get(f.moderator, '/api/v1/interaction/sensitive-words')).json().words.sort(), ['传销', '赌博']);
  const refused = await ctx.app.inject({ method: 'PUT', url: '/api/v1/interaction/sensitive-words', payload: { words: [] }, headers: bearer(f.dept.leader) });
  assert.equal(refused.statusCode, 403);

  const id = await pendingCase({ body: '小区有人聚众赌\u200b博，请查处。', answer: '已转公安机关处理，未发现传销。' });
  assert.deepEqual((await row(id)).flagged_words, ['赌博']);
  const item = (await get(f.moderator, '/api/v1/interaction/moderation')).json().items.find((i: { id: string }) => i.id === id);
  assert.deepEqual(item.flaggedWords.sort(), ['传销', '赌博']);
});

test('the moderation page shows question and answer with flagged words marked; publish and hide by form; the word list page', async () => {
  await ctx.app.inject({ method: 'PUT', url: '/api/v1/interaction/sensitive-words', payload: { words: ['赌博'] }, headers: bearer(f.moderator) });
  const id = await pendingCase({ body: '有人<script>alert(1)</script>聚众赌博，电话13800138000', answer: '已处理。' });
  const page = await get(f.moderator, '/console/interaction/moderation');
  assert.equal(page.statusCode, 200, page.body);
  assert.match(page.body, /<mark>赌博<\/mark>/);
  assert.doesNotMatch(page.body, /<script>alert/);
  assert.doesNotMatch(page.body, /page\.(moderation|interaction)\./);
  const form = (url: string, fields: Record<string, string>) => ctx.app.inject({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: { ...bearer(f.moderator), 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal((await form(`/console/interaction/moderation/${id}/publish?status=pending`, { publicBody: '有人聚众赌博。', publicAnswer: '已处理。' })).statusCode, 303);
  assert.equal((await row(id)).public_body, '有人聚众赌博。');
  assert.equal((await form(`/console/interaction/moderation/${id}/hide?status=published`, { reason: '涉嫌违法线索，转公安' })).statusCode, 303);
  assert.equal((await row(id)).moderation, 'hidden');
  const words = await get(f.moderator, '/console/interaction/sensitive-words?lang=en');
  assert.equal(words.statusCode, 200);
  assert.match(words.body, /Sensitive words/);
  assert.equal((await form('/console/interaction/sensitive-words', { words: '赌博\n传销\n赌博' })).statusCode, 303);
  assert.deepEqual((await get(f.moderator, '/api/v1/interaction/sensitive-words')).json().words.sort(), ['传销', '赌博']);
});

test('in a browser at 390 px and at desktop width: the moderation queue and the word list, no sideways scroll, no accessibility violation', { skip: chromiumMissing }, async () => {
  await pendingCase({ body: '赌博' + 'x'.repeat(3000), answer: '已处理。' });
  const { cookie } = await loginSession(ctx.app, f.moderator.username);
  const { base, browser } = await openBrowser(ctx);
  try {
    const [name, value] = cookie.split('=');
    for (const width of [1366, 390]) {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
      await context.addCookies([{ name, value, url: base }]);
      const page = await context.newPage();
      for (const url of ['/console/interaction/moderation', '/console/interaction/moderation?status=hidden', '/console/interaction/sensitive-words']) {
        await page.goto(`${base}${url}`);
        await assertNoSidewaysScroll(page, `${url} at ${width} px`);
        await assertAccessible(page, `moderation-${width}-${url.length}`);
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
});
