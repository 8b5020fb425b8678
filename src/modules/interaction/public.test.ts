import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, problem, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { cookieOf, formTokenOf, interactionFixture, type InteractionFixture } from './testing.ts';
import { interactionDb } from './model.ts';
import { currentRound, openTask } from './process.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { completeTask } from '../../platform/flow/service.ts';
import { authenticateBearer } from '../../platform/iam/authenticate.ts';
import { createApiToken, createPublicAccount } from '../../platform/iam/index.ts';
import { idCheckChar } from '../../platform/org/codes.ts';
import { sql } from '../../platform/db/index.ts';

let ctx: TestContext;
let f: InteractionFixture;
let ipSeq = 0;
/** Each test writes from its own address, so that the per-address limits stay out of the way. */
const nextIp = () => `10.1.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;
let phoneSeq = 0;
const nextPhone = () => `139${String(10_000_000 + ++phoneSeq * 7919).slice(-8)}`;

before(async () => {
  ctx = await createTestContext();
  f = await interactionFixture(ctx.platform);
});
after(() => ctx?.close());

type Letter = { channel: string; title: string; body: string; name: string; phone: string; isPublic: boolean; targetUnitId?: string; idNumber?: string; email?: string; category?: string };
const letter = (extra: Partial<Letter> = {}): Letter => ({ channel: 'unit_mailbox', targetUnitId: f.dept.id, title: '小区路灯不亮', body: '幸福小区三号楼前的路灯坏了一个月。', name: '王小明', phone: nextPhone(), isPublic: true, ...extra });

const post = (payload: unknown, ip = nextIp(), headers: Record<string, string> = {}) => ctx.app.inject({ method: 'POST', url: '/api/v1/public/letters', payload: payload as object, remoteAddress: ip, headers });

async function write(extra: Partial<Letter> = {}) {
  const res = await post(letter(extra));
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: string; trackingNo: string; queryCode: string };
}

const principalOf = async (user: TestUser) => (await authenticateBearer(ctx.platform, user.token))!;

/**
 * Answers a case as a unit would on the process engine: the responder completes 'handle' with
 * 'answer', the leader 'review' with 'approve'; the answer columns are then set here (the
 * handling commands are built elsewhere).
 */
async function answerCase(caseId: string, unit: { responder: TestUser; leader: TestUser }, answer = '路灯已于本周修复，感谢您的来信。') {
  const responder = await principalOf(unit.responder);
  const leader = await principalOf(unit.leader);
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
    const task = openTask(await currentRound(work, caseId), 'handle');
    assert.ok(task, 'an open handle task');
    await completeTask(work, ctx.platform, responder, task.id, { outcome: 'answer' });
  });
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
    const task = openTask(await currentRound(work, caseId), 'review');
    assert.ok(task, 'an open review task');
    await completeTask(work, ctx.platform, leader, task.id, { outcome: 'approve' });
  });
  const now = ctx.platform.clock.now();
  await interactionDb(ctx.platform.db)
    .updateTable('interaction_cases')
    .set({ state: 'answered', answer_body: answer, answered_at: now, answered_by: unit.responder.id, answer_approved_by: unit.leader.id, moderation: 'published', published_at: now, public_body: '（公开的问题）', public_answer: answer })
    .where('id', '=', caseId)
    .execute();
}

const row = (id: string) => interactionDb(ctx.platform.db).selectFrom('interaction_cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const query = (trackingNo: string, code: string, ip = nextIp()) => ctx.app.inject({ method: 'GET', url: `/api/v1/public/letters/${encodeURIComponent(trackingNo)}?code=${encodeURIComponent(code)}`, remoteAddress: ip });
const rate = (trackingNo: string, payload: object, ip = nextIp()) => ctx.app.inject({ method: 'POST', url: `/api/v1/public/letters/${trackingNo}/rating`, payload, remoteAddress: ip });
const reopen = (trackingNo: string, payload: object, ip = nextIp()) => ctx.app.inject({ method: 'POST', url: `/api/v1/public/letters/${trackingNo}/reopen`, payload, remoteAddress: ip });

describe('writing a letter', () => {
  test('a letter to the mayor: 201 with number and code, at the dispatching office, audited', async () => {
    const got = await write({ channel: 'mayor_mailbox', targetUnitId: undefined });
    assert.match(got.trackingNo, /^SZ\d{16}$/);
    assert.match(got.queryCode, /^[A-Z2-9]{8}$/);
    const r = await row(got.id);
    assert.equal(r.state, 'received');
    assert.equal(r.handling_unit_id, f.office.id);
    assert.equal(r.writer_user_id, null);
    const audit = await sql<{ n: number }>`select count(*)::int as n from audit_log where object_id = ${got.id} and action = 'interaction.case.receive'`.execute(ctx.platform.db);
    assert.equal(audit.rows[0]!.n, 1);
  });

  test('hostile text is stored exactly as given: script, SVG, javascript: links, zero-width and RTL characters, 𠮷, 50,000 characters', async () => {
    const nasty = `<script>alert(1)</script><svg onload=alert(2)><a href="javascript:alert(3)">点我</a>\u200b\u200d\u202e反转\u202c 𠮷野家  \n  尾部空格  `;
    const body = nasty + '政'.repeat(50_000 - [...nasty].length);
    assert.equal([...body].length, 50_000);
    const title = `<img src=x onerror=alert(4)>𠮷\u202e标题`;
    const got = await write({ body, title, channel: 'message_board' });
    const r = await row(got.id);
    assert.equal(r.body, body);
    assert.equal(r.title, title);
    await answerCase(got.id, f.dept);
    await interactionDb(ctx.platform.db).updateTable('interaction_cases').set({ public_body: nasty, public_answer: `答复<script>alert(5)</script>` }).where('id', '=', got.id).execute();

    // The query route gives it back exactly; the pages show it escaped.
    const seen = await query(got.trackingNo, got.queryCode);
    assert.equal(seen.statusCode, 200, seen.body);
    assert.equal(seen.json().title, title);
    const board = await ctx.app.inject({ method: 'GET', url: `/interaction/board/${got.trackingNo}` });
    assert.equal(board.statusCode, 200);
    for (const page of [board.body, (await ctx.app.inject({ method: 'GET', url: '/interaction/board' })).body]) {
      assert.ok(!page.includes('<script>alert'), 'no live script');
      assert.ok(!page.includes('<svg onload'), 'no live SVG');
      assert.ok(!page.includes('<img src=x'), 'no live image');
      assert.ok(!/href="javascript:/i.test(page), 'no javascript: link');
    }
    assert.ok(board.body.includes('&lt;script>alert(1)&lt;/script>'));
    assert.ok(board.body.includes('𠮷'));
  });

  test('50,001 characters, empty and blank fields, wrong types and unknown fields are refused with problem+json and nothing is written', async () => {
    const before = await sql<{ n: number }>`select count(*)::int as n from interaction_cases`.execute(ctx.platform.db);
    const cases: Array<[object, number, string?]> = [
      [letter({ body: '字'.repeat(50_001) }), 400],
      [letter({ title: 'x'.repeat(101) }), 400],
      [letter({ title: '' }), 400],
      [letter({ title: '   ' }), 400, 'title'],
      [letter({ body: ' \n ' }), 400, 'body'],
      [letter({ name: '' }), 400],
      [letter({ phone: '12345' }), 400, 'phone'],
      [letter({ email: 'not-an-address' }), 400, 'email'],
      [{ ...letter(), isPublic: 'yes' }, 400],
      [{ ...letter(), title: 42 }, 400],
      [{ ...letter(), channel: 'hotline' }, 400],
      [{ ...letter(), extra: 1 }, 400],
      [letter({ channel: 'unit_mailbox', targetUnitId: undefined }), 400, 'targetUnitId'],
    ];
    for (const [payload, status, field] of cases) {
      const res = await post(payload);
      const p = problem(res);
      assert.equal(p.status, status, res.body);
      assert.match(String(p.type), /problem\+json/);
      if (field) assert.ok(p.body.errors?.some((e) => e.path.endsWith(field)), `${field}: ${res.body}`);
    }
    const english = await ctx.app.inject({ method: 'POST', url: '/api/v1/public/letters', payload: letter({ phone: '1' }), remoteAddress: nextIp(), headers: { 'accept-language': 'en' } });
    assert.match(problem(english).body.errors!.find((e) => e.path.endsWith('phone'))!.message, /mobile/);
    const after = await sql<{ n: number }>`select count(*)::int as n from interaction_cases`.execute(ctx.platform.db);
    assert.equal(after.rows[0]!.n, before.rows[0]!.n);
  });

  test('a disclosure request needs a valid ID card number (check digit)', async () => {
    const first17 = '11010519491231002';
    const good = first17 + idCheckChar(first17);
    const wrong = first17 + (idCheckChar(first17) === '1' ? '2' : '1');
    const bad = await post(letter({ channel: 'disclosure_request', idNumber: wrong }));
    assert.equal(bad.statusCode, 400);
    assert.ok(problem(bad).body.errors!.some((e) => e.path.endsWith('idNumber')));
    const missing = await post(letter({ channel: 'disclosure_request' }));
    assert.equal(missing.statusCode, 400);
    const res = await post(letter({ channel: 'disclosure_request', idNumber: good, isPublic: false }));
    assert.equal(res.statusCode, 201, res.body);
    assert.match(res.json().trackingNo, /^YSQ/);
  });

  test('the same letter posted twice at once is one case: 201 then 200 with the same number and code', async () => {
    const payload = letter({ title: '同一封信同时提交两次' });
    const [a, b] = await Promise.all([post(payload), post(payload)]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 201], `${a.body} ${b.body}`);
    assert.deepEqual(a.json(), b.json());
    const n = await sql<{ n: number }>`select count(*)::int as n from interaction_cases where title = '同一封信同时提交两次'`.execute(ctx.platform.db);
    assert.equal(n.rows[0]!.n, 1);
  });

  test('too many letters from one address or one phone: 429 with Retry-After', async () => {
    const ip = nextIp();
    let last = null as Awaited<ReturnType<typeof post>> | null;
    for (let i = 0; i < 31; i++) last = await post(letter({ title: `第${i}封` }), ip);
    assert.equal(last!.statusCode, 429, last!.body);
    assert.ok(Number(last!.headers['retry-after']) > 0);
    const phone = nextPhone();
    for (let i = 0; i < 11; i++) last = await post(letter({ title: `同一手机第${i}封`, phone }));
    assert.equal(last!.statusCode, 429);
    assert.ok(Number(last!.headers['retry-after']) > 0);
  });

  test('a signed-in citizen’s letter is theirs (with the session cookie, the CSRF token is required)', async () => {
    const account = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createPublicAccount(work, ctx.platform, { kind: 'person', phone: '13700001111', password: 'Citizen#2026', name: '赵市民' }));
    const { token } = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createApiToken(work, ctx.platform, account.id, 'test', 1));
    const res = await post(letter({ title: '登录后写的信' }), nextIp(), { authorization: `Bearer ${token}` });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal((await row(res.json().id)).writer_user_id, account.id);

    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: account.username, password: 'Citizen#2026' } });
    const cookie = `zt_session=${login.cookies.find((c) => c.name === 'zt_session')!.value}`;
    const noToken = await post(letter({ title: '没有令牌' }), nextIp(), { cookie });
    assert.equal(noToken.statusCode, 403);
    const withToken = await post(letter({ title: '带令牌' }), nextIp(), { cookie, 'x-csrf-token': login.json().csrfToken });
    assert.equal(withToken.statusCode, 201, withToken.body);

    const mine = await ctx.app.inject({ method: 'GET', url: '/interaction/mine', headers: { cookie } });
    assert.equal(mine.statusCode, 200);
    assert.ok(mine.body.includes(res.json().trackingNo));
    assert.ok(mine.body.includes('我的信件'));
  });
});

describe('following, rating and reopening', () => {
  test('the writer’s query: state before the answer; the answer after; a wrong code and an unknown number are the same 404', async () => {
    const got = await write();
    const before = await query(got.trackingNo, got.queryCode);
    assert.equal(before.statusCode, 200);
    assert.equal(before.json().state, 'assigned');
    assert.equal(before.json().answer, null);
    assert.ok(before.json().unitName.includes('人力资源'));
    assert.ok(!('phone' in before.json()) && !before.body.includes('王小明'));

    const wrong = await query(got.trackingNo, 'AAAAAAAA');
    const unknown = await query('SZ2026010199999999', got.queryCode);
    assert.equal(wrong.statusCode, 404);
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual({ ...(wrong.json() as object), instance: null }, { ...(unknown.json() as object), instance: null });

    await answerCase(got.id, f.dept);
    const answered = (await query(got.trackingNo, got.queryCode.toLowerCase())).json();
    assert.equal(answered.state, 'answered');
    assert.equal(answered.answer, '路灯已于本周修复，感谢您的来信。');
    assert.ok(answered.answeredAt);
    assert.equal(answered.rating, null);
  });

  test('rating: only an answered case, once (twice: 409), audited', async () => {
    const got = await write();
    const early = await rate(got.trackingNo, { code: got.queryCode, score: 5 });
    assert.equal(early.statusCode, 409);
    await answerCase(got.id, f.dept);
    assert.equal((await rate(got.trackingNo, { code: 'WRONGCOD', score: 5 })).statusCode, 404);
    assert.equal((await rate(got.trackingNo, { code: got.queryCode, score: 6 })).statusCode, 400);
    assert.equal((await rate(got.trackingNo, { code: got.queryCode, score: '5' })).statusCode, 400);
    const ok = await rate(got.trackingNo, { code: got.queryCode, score: 4, comment: '修得很快' });
    assert.equal(ok.statusCode, 200, ok.body);
    const again = await rate(got.trackingNo, { code: got.queryCode, score: 1 });
    assert.equal(again.statusCode, 409);
    assert.match(problem(again).body.detail, /评价/);
    const r = await row(got.id);
    assert.equal(r.rating_score, 4);
    assert.equal(r.rating_comment, '修得很快');
    const seen = (await query(got.trackingNo, got.queryCode)).json();
    assert.equal(seen.rating.score, 4);
    const audit = await sql<{ n: number }>`select count(*)::int as n from audit_log where object_id = ${got.id} and action = 'interaction.case.rate'`.execute(ctx.platform.db);
    assert.equal(audit.rows[0]!.n, 1);
  });

  test('reopening: back to the unit that answered with a new handling round, its responders told; a second time 409', async () => {
    const got = await write();
    assert.equal((await reopen(got.trackingNo, { code: got.queryCode, reason: '还是不亮' })).statusCode, 409);
    await answerCase(got.id, f.dept);
    assert.equal((await reopen(got.trackingNo, { code: got.queryCode, reason: '' })).statusCode, 400);
    const ok = await reopen(got.trackingNo, { code: got.queryCode, reason: '路灯还是不亮' });
    assert.equal(ok.statusCode, 200, ok.body);
    const r = await row(got.id);
    assert.equal(r.state, 'assigned');
    assert.equal(r.reopen_count, 1);
    assert.equal(r.handling_unit_id, f.dept.id);
    const round = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => currentRound(work, got.id));
    assert.equal(openTask(round, 'handle')?.unitId, f.dept.id);
    const told = await sql<{ n: number }>`select count(*)::int as n from notify_outbox where template = 'interaction.case.reopened'`.execute(ctx.platform.db);
    assert.ok(told.rows[0]!.n >= 1);
    const audit = await sql<{ n: number }>`select count(*)::int as n from audit_log where object_id = ${got.id} and action = 'interaction.case.reopen'`.execute(ctx.platform.db);
    assert.equal(audit.rows[0]!.n, 1);

    // Answered again: no second reopening.
    await answerCase(got.id, f.dept, '已更换灯具。');
    const second = await reopen(got.trackingNo, { code: got.queryCode, reason: '又坏了' });
    assert.equal(second.statusCode, 409);
    assert.match(problem(second).body.detail, /重新办理过一次/);
  });

  test('reopening more than 10 days after the answer: 409 with a clear message', async () => {
    const got = await write();
    await answerCase(got.id, f.dept);
    ctx.clock.advance(10 * 24 * 3600_000 + 60_000);
    try {
      const late = await reopen(got.trackingNo, { code: got.queryCode, reason: '太晚了' });
      assert.equal(late.statusCode, 409);
      assert.match(problem(late).body.detail, /10日/);
      assert.equal((await row(got.id)).state, 'answered');
    } finally {
      ctx.clock.advance(-(10 * 24 * 3600_000 + 60_000));
    }
  });
});

describe('the message board', () => {
  test('lists only published cases, newest first, by channel and unit, with keyset pages and no personal data', async () => {
    const a = await write({ title: '公开留言甲', channel: 'message_board' });
    const b = await write({ title: '公开留言乙', channel: 'unit_mailbox', targetUnitId: f.other.id });
    const hidden = await write({ title: '未公开的信' });
    await answerCase(a.id, f.dept);
    ctx.clock.advance(1000);
    await answerCase(b.id, f.other);
    ctx.clock.advance(-1000);
    await answerCase(hidden.id, f.dept);
    await interactionDb(ctx.platform.db).updateTable('interaction_cases').set({ moderation: 'hidden' }).where('id', '=', hidden.id).execute();

    const all = await ctx.app.inject({ method: 'GET', url: '/api/v1/public/letters?limit=200' });
    assert.equal(all.statusCode, 200);
    const titles = (all.json().items as Array<{ title: string }>).map((i) => i.title);
    assert.ok(titles.includes('公开留言甲') && titles.includes('公开留言乙'));
    assert.ok(!titles.includes('未公开的信'));
    assert.ok(!all.body.includes('王小明') && !all.body.includes('1390'), 'no name, no phone');
    const item = (all.json().items as Array<Record<string, unknown>>).find((i) => i.title === '公开留言甲')!;
    for (const key of ['trackingNo', 'channel', 'title', 'publicBody', 'publicAnswer', 'unitName', 'receivedAt', 'answeredAt', 'workingDaysTaken']) assert.ok(key in item, key);

    const byUnit = (await ctx.app.inject({ method: 'GET', url: `/api/v1/public/letters?unitId=${f.other.id}` })).json().items as Array<{ title: string }>;
    assert.deepEqual(byUnit.map((i) => i.title), ['公开留言乙']);
    const byChannel = (await ctx.app.inject({ method: 'GET', url: '/api/v1/public/letters?channel=message_board&limit=200' })).json().items as Array<{ channel: string }>;
    assert.ok(byChannel.length >= 1 && byChannel.every((i) => i.channel === 'message_board'));

    const first = (await ctx.app.inject({ method: 'GET', url: '/api/v1/public/letters?limit=1' })).json();
    assert.equal(first.items.length, 1);
    assert.ok(first.nextCursor);
    const second = (await ctx.app.inject({ method: 'GET', url: `/api/v1/public/letters?limit=1&cursor=${first.nextCursor}` })).json();
    assert.notEqual(second.items[0].trackingNo, first.items[0].trackingNo);
    assert.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/public/letters?cursor=garbage' })).statusCode, 400);
    assert.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/public/letters?channel=hotline' })).statusCode, 400);

    const page = await ctx.app.inject({ method: 'GET', url: `/interaction/board?unit=${f.other.id}` });
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('公开留言乙') && !page.body.includes('公开留言甲'));
    assert.equal((await ctx.app.inject({ method: 'GET', url: `/interaction/board/${hidden.trackingNo}` })).statusCode, 404);
  });
});

describe('the pages', () => {

  test('the write form posts without JavaScript, redirects to the number and code, and the query form leads to the letter; rating and reopening by form', async () => {
    const jar: Record<string, string> = {};
    const form = await ctx.app.inject({ method: 'GET', url: '/interaction/write?channel=mayor_mailbox' });
    assert.equal(form.statusCode, 200);
    assert.ok(form.body.includes('写信给市长'));
    let cookie = cookieOf(form, jar);
    const token = formTokenOf(form.body);
    assert.ok(token);

    const noToken = await ctx.app.inject({ method: 'POST', url: '/interaction/write?channel=mayor_mailbox', headers: { cookie }, payload: { title: 't' } });
    assert.equal(noToken.statusCode, 403);

    const invalid = await ctx.app.inject({ method: 'POST', url: '/interaction/write?channel=mayor_mailbox', headers: { cookie }, remoteAddress: nextIp(), payload: { _form: token, title: '<b>标题</b>', body: '', name: '李四', phone: '123', isPublic: 'yes' } });
    assert.equal(invalid.statusCode, 400);
    assert.ok(invalid.body.includes('error-summary'));
    assert.ok(invalid.body.includes('&lt;b>标题&lt;/b>'));

    const body = '小区噪音扰民\n<script>alert(1)</script>\u200b𠮷';
    const sent = await ctx.app.inject({ method: 'POST', url: '/interaction/write?channel=mayor_mailbox', headers: { cookie }, remoteAddress: nextIp(), payload: { _form: token, title: '夜间施工噪音', body, name: '李四', phone: nextPhone(), isPublic: 'no' } });
    assert.equal(sent.statusCode, 303, sent.body);
    cookie = cookieOf(sent, jar);
    const done = await ctx.app.inject({ method: 'GET', url: sent.headers.location as string, headers: { cookie } });
    assert.equal(done.statusCode, 200);
    const trackingNo = /id="tracking-no"[^>]*>([A-Z0-9]+)</.exec(done.body)![1]!;
    const code = /id="query-code"[^>]*>([A-Z0-9]+)</.exec(done.body)![1]!;
    const stored = await interactionDb(ctx.platform.db).selectFrom('interaction_cases').selectAll().where('tracking_no', '=', trackingNo).executeTakeFirstOrThrow();
    assert.equal(stored.body, body);
    assert.equal(stored.is_public, false);

    // A fresh visitor: the query form by number and code.
    const jar2: Record<string, string> = {};
    const qform = await ctx.app.inject({ method: 'GET', url: '/interaction/letters' });
    let cookie2 = cookieOf(qform, jar2);
    const token2 = formTokenOf(qform.body);
    const wrong = await ctx.app.inject({ method: 'POST', url: '/interaction/letters', headers: { cookie: cookie2 }, remoteAddress: nextIp(), payload: { _form: token2, trackingNo, code: 'WRONGONE' } });
    assert.equal(wrong.statusCode, 404);
    const found = await ctx.app.inject({ method: 'POST', url: '/interaction/letters', headers: { cookie: cookie2 }, remoteAddress: nextIp(), payload: { _form: token2, trackingNo, code } });
    assert.equal(found.statusCode, 303);
    cookie2 = cookieOf(found, jar2);
    const page = await ctx.app.inject({ method: 'GET', url: `/interaction/letters/${trackingNo}`, headers: { cookie: cookie2 } });
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('夜间施工噪音'));
    assert.ok(page.body.includes('&lt;script>alert(1)&lt;/script>') && !page.body.includes('<script>alert(1)'));
    assert.ok(page.body.includes('已受理，待分办'));

    // Answered: the rating form (radio buttons 1..5) and the reopen form.
    await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
      const { startRound } = await import('./process.ts');
      await interactionDb(work.tx).updateTable('interaction_cases').set({ state: 'assigned', handling_unit_id: f.dept.id }).where('id', '=', stored.id).execute();
      await startRound(work, ctx.platform, stored, { kind: 'handle', unitId: f.dept.id });
    });
    await answerCase(stored.id, f.dept, '已责令施工单位夜间停工。');
    const answered = await ctx.app.inject({ method: 'GET', url: `/interaction/letters/${trackingNo}`, headers: { cookie: cookie2 } });
    assert.ok(answered.body.includes('已责令施工单位夜间停工。'));
    assert.equal((answered.body.match(/type="radio" id="rating-score-\d" name="score"/g) ?? []).length, 5);
    const noScore = await ctx.app.inject({ method: 'POST', url: `/interaction/letters/${trackingNo}/rating`, headers: { cookie: cookie2 }, remoteAddress: nextIp(), payload: { _form: token2 } });
    assert.equal(noScore.statusCode, 400);
    const rated = await ctx.app.inject({ method: 'POST', url: `/interaction/letters/${trackingNo}/rating`, headers: { cookie: cookie2 }, remoteAddress: nextIp(), payload: { _form: token2, score: '3', comment: '一般' } });
    assert.equal(rated.statusCode, 303, rated.body);
    assert.equal((await row(stored.id)).rating_score, 3);
    const reopened = await ctx.app.inject({ method: 'POST', url: `/interaction/letters/${trackingNo}/reopen`, headers: { cookie: cookie2 }, remoteAddress: nextIp(), payload: { _form: token2, reason: '晚上还在施工' } });
    assert.equal(reopened.statusCode, 303, reopened.body);
    assert.equal((await row(stored.id)).state, 'assigned');
  });

  test('the other public pages render in both languages: home, board, guide, disclosure form, unit mailbox form', async () => {
    for (const url of ['/interaction', '/interaction/board', '/interaction/disclosure/guide', '/interaction/disclosure/apply', '/interaction/write?channel=unit_mailbox', '/interaction/write?channel=message_board']) {
      for (const lang of ['zh-CN', 'en']) {
        const res = await ctx.app.inject({ method: 'GET', url: `${url}${url.includes('?') ? '&' : '?'}lang=${lang}` });
        assert.equal(res.statusCode, 200, `${url} ${lang}`);
        assert.ok(!/interaction\.public\.[a-z]/.test(res.body), `${url} ${lang}: no raw keys`);
      }
    }
    const guide = await ctx.app.inject({ method: 'GET', url: '/interaction/disclosure/guide' });
    assert.ok(guide.body.includes('20个工作日') && guide.body.includes('部分公开'));
    const unitForm = await ctx.app.inject({ method: 'GET', url: '/interaction/write?channel=unit_mailbox' });
    assert.ok(unitForm.body.includes(f.dept.id));
    const home = await ctx.app.inject({ method: 'GET', url: '/' });
    assert.ok(home.body.includes('/interaction'), 'the portal links to interaction');
  });
});

test('the contract routes are in the API document, public, each with its problem+json refusals', async () => {
  const doc = (await ctx.app.inject({ method: 'GET', url: '/api/docs/json' })).json() as { paths: Record<string, Record<string, { operationId: string; responses: Record<string, { content?: Record<string, unknown> }> }>> };
  const wanted: Array<[string, string]> = [
    ['/api/v1/public/letters', 'post'],
    ['/api/v1/public/letters', 'get'],
    ['/api/v1/public/letters/{trackingNo}', 'get'],
    ['/api/v1/public/letters/{trackingNo}/rating', 'post'],
    ['/api/v1/public/letters/{trackingNo}/reopen', 'post'],
  ];
  for (const [path, method] of wanted) {
    const op = doc.paths[path]?.[method];
    assert.ok(op, `${method} ${path}`);
    assert.ok(Object.values(op.responses).some((r) => r.content && 'application/problem+json' in r.content), `${method} ${path} documents its refusals`);
  }
});
