// The citizen's own area through HTTP: 我的办件 and 我的证照 as API (keyset pages, documents,
// whether a case may be rated), rating (好差评) from the case page and from the SMS link, which
// works once and expires, bad ratings opening the rectification supervision tracks, complaints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, problem, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { sql } from '../../platform/db/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { createPublicAccount, createApiToken } from '../../platform/iam/index.ts';
import { idCheckChar } from '../../platform/org/codes.ts';
import { fileBody, SAMPLES } from '../../platform/files/testing.ts';
import type { ItemInput } from './model.ts';
import { publishTestItem } from './testing.ts';

const clock = new TestClock(new Date('2026-11-02T02:00:00Z')); // a Monday, 10:00 in Shanghai
let ctx: TestContext;
let people: Record<'clerk' | 'planner' | 'leader' | 'supervisor', TestUser>;
let citizen: TestUser;
let citizen2: TestUser;
let itemId: string;
let unitName: string;

let sequence = 0;
function idNumber(): string {
  sequence += 1;
  const first17 = `11010519800101${String(sequence).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}
const phone = () => `136${String(crypto.randomInt(100_000_000)).padStart(8, '0')}`;

async function publicUser(name: string): Promise<TestUser> {
  const row = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createPublicAccount(work, ctx.platform, { kind: 'person', phone: phone(), password: 'Citizen#2026', name }));
  const { token } = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createApiToken(work, ctx.platform, row.id, 'test', 60));
  return { id: row.id, username: row.username, password: 'Citizen#2026', unitId: '', token };
}

const get = (user: TestUser | null, url: string) => ctx.app.inject({ method: 'GET', url, headers: user ? bearer(user) : {} });
const post = (user: TestUser | null, url: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: user ? bearer(user) : {} });

async function submit(user: TestUser) {
  const body = fileBody('申请表.pdf', SAMPLES.pdf());
  const file = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', payload: body.payload, headers: { ...body.headers, ...bearer(user) } });
  assert.equal(file.statusCode, 201, file.body);
  const res = await post(user, '/api/v1/approval/applications', {
    itemId,
    channel: 'online',
    applicant: { kind: 'person', name: '赵六', idNumber: idNumber(), phone: phone() },
    form: {},
    materials: [{ materialKey: 'application_form', fileId: file.json().id }],
  });
  assert.equal(res.statusCode, 201, res.body);
  clock.advance(60_000);
  return res.json() as { id: string; receiptNo: string };
}

async function act(user: TestUser, caseId: string, stepKey: string, action: string, extra: Record<string, unknown> = {}) {
  const tasks = await get(user, '/api/v1/tasks?mine=true&limit=200');
  const task = (tasks.json().items as Array<{ id: string; caseId: string; stepKey: string }>).find((t) => t.caseId === caseId && t.stepKey === stepKey);
  assert.ok(task, `${user.username} holds ${stepKey}`);
  const res = await post(user, `/api/v1/tasks/${task.id}/complete`, { action, ...extra });
  assert.equal(res.statusCode, 200, res.body);
}

async function approve(caseId: string) {
  await act(people.clerk, caseId, 'accept', 'accept', { opinion: '材料齐全' });
  await act(people.planner, caseId, 'review', 'approve', { opinion: '符合条件' });
  await act(people.leader, caseId, 'decide', 'approve', { opinion: '准予许可' });
}

/** The token of the rating link sent by SMS for a case, read from the outbox. */
async function ratingLink(caseId: string) {
  const { rows } = await sql<{ channel: string; params: { url: string } }>`select channel, params from notify_outbox where dedupe_key = ${`approval:${caseId}:rate:sms`}`.execute(ctx.platform.db);
  assert.equal(rows.length, 1, 'one SMS with the rating link');
  const url = new URL(rows[0].params.url);
  assert.match(url.pathname, /^\/services\/rate\/[\w-]{43}$/);
  return url.pathname.split('/').pop()!;
}

async function rectificationsOf(caseId: string) {
  const res = await get(people.supervisor, '/api/v1/supervision/rectifications?limit=200');
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().items as Array<{ caseId: string; state: string }>).filter((r) => r.caseId === caseId);
}

// ---------------------------------------------------------------- a browser's session

interface Browser {
  cookies: Record<string, string>;
  csrf: string;
}
function keepCookies(res: LightMyRequestResponse, b: Browser) {
  for (const c of res.cookies) b.cookies[c.name] = c.value;
}
async function signIn(user: TestUser): Promise<Browser> {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password: user.password } });
  assert.equal(res.statusCode, 200, res.body);
  const b = { cookies: {}, csrf: res.json().csrfToken as string };
  keepCookies(res, b);
  return b;
}
const page = (b: Browser | null, url: string) => ctx.app.inject({ method: 'GET', url, cookies: b?.cookies ?? {} });
function form(b: Browser | null, url: string, fields: Record<string, string>, csrf = true) {
  const body = new URLSearchParams({ ...(b && csrf ? { _csrf: b.csrf } : {}), ...fields });
  return ctx.app.inject({ method: 'POST', url, cookies: b?.cookies ?? {}, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
}

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  const [w, p, o] = await Promise.all([makeUnit(ctx.platform, '测试市市场监督管理局'), makeUnit(ctx.platform, '测试市卫生健康委员会'), makeUnit(ctx.platform, '测试市监察局')]);
  unitName = w.name;
  people = {
    clerk: await makeUser(ctx.platform, w.id, ['window_clerk']),
    planner: await makeUser(ctx.platform, p.id, ['approver']),
    leader: await makeUser(ctx.platform, w.id, ['unit_leader']),
    supervisor: await makeUser(ctx.platform, o.id, ['supervisor']),
  };
  citizen = await publicUser('citizen');
  citizen2 = await publicUser('citizen');
  const process: ItemInput['process'] = {
    stages: [
      { key: 'accept', name: '受理', unitId: w.id, role: 'window_clerk', days: 1 },
      { key: 'review', name: '审查', unitId: p.id, role: 'approver', days: 3 },
      { key: 'decide', name: '决定', unitId: w.id, role: 'unit_leader', days: 2 },
    ],
  };
  itemId = (await publishTestItem(ctx.platform, { unitId: w.id, materials: [{ key: 'application_form', name: '申请表', required: true, copies: 1, allowPending: false }], process })).id;
});

after(() => ctx?.close());

let approved: { id: string; receiptNo: string };
let refused: { id: string; receiptNo: string };
let open: { id: string; receiptNo: string };

test('GET /api/v1/me/cases: the account’s own cases newest first, in keyset pages, with their documents and whether they may be rated', async () => {
  approved = await submit(citizen);
  refused = await submit(citizen);
  open = await submit(citizen);
  const others = await submit(citizen2);
  await approve(approved.id);
  await act(people.clerk, refused.id, 'accept', 'reject', { opinion: '不属于本机关职权范围' });
  await act(people.clerk, open.id, 'accept', 'accept', { opinion: '材料齐全' });

  const first = await get(citizen, '/api/v1/me/cases?limit=2');
  assert.equal(first.statusCode, 200, first.body);
  const one = first.json();
  assert.deepEqual(one.items.map((c: { id: string }) => c.id), [open.id, refused.id], 'newest first');
  assert.ok(one.nextCursor);
  const two = (await get(citizen, `/api/v1/me/cases?limit=2&cursor=${encodeURIComponent(one.nextCursor)}`)).json();
  assert.deepEqual(two.items.map((c: { id: string }) => c.id), [approved.id]);
  assert.equal(two.nextCursor, null);

  type MyCase = Record<string, any> & { id: string };
  const cases = new Map<string, MyCase>([...one.items, ...two.items].map((c: MyCase) => [c.id, c]));
  const byId = { get: (id: string) => cases.get(id)! };
  const done = byId.get(approved.id);
  assert.equal(done.state, 'approved');
  assert.equal(done.itemName, '食品经营许可');
  assert.equal(done.unitName, unitName);
  assert.equal(done.receiptNo, approved.receiptNo);
  assert.equal(done.canRate, true);
  assert.equal(done.rating, null);
  assert.ok(done.acceptedAt && done.finishedAt && done.submittedAt);
  assert.deepEqual(done.documents, [
    { kind: 'acceptance', url: `/api/v1/approval/applications/${approved.id}/notices/acceptance.pdf` },
    { kind: 'certificate', url: `/api/v1/approval/applications/${approved.id}/certificate.pdf` },
  ]);
  assert.deepEqual(byId.get(refused.id).documents.map((d: { kind: string }) => d.kind), ['non_acceptance'], 'refused at acceptance: the notice of non-acceptance only');
  assert.equal(byId.get(refused.id).canRate, true);
  assert.deepEqual(byId.get(open.id).documents.map((d: { kind: string }) => d.kind), ['acceptance']);
  assert.equal(byId.get(open.id).canRate, false, 'an open case is not rated');

  const theirs = (await get(citizen2, '/api/v1/me/cases')).json();
  assert.deepEqual(theirs.items.map((c: { id: string }) => c.id), [others.id], 'another account sees only its own');

  assert.equal((await get(null, '/api/v1/me/cases')).statusCode, 401);
  const staff = await get(people.clerk, '/api/v1/me/cases');
  assert.equal(staff.statusCode, 403);
  assert.match(String(staff.headers['content-type']), /application\/problem\+json/);
  const badCursor = await get(citizen, '/api/v1/me/cases?cursor=nonsense');
  assert.equal(problem(badCursor).status, 400);
  assert.equal((await get(citizen, '/api/v1/me/cases?limit=0')).statusCode, 400);
});

test('GET /api/v1/me/certificates: what was issued to the caller, with where to verify and download it', async () => {
  const res = await get(citizen, '/api/v1/me/certificates');
  assert.equal(res.statusCode, 200, res.body);
  const [certificate, ...rest] = res.json().items;
  assert.equal(rest.length, 0);
  assert.match(certificate.certificateNo, /^\d{12}$/);
  assert.equal(certificate.name, '食品经营许可证');
  assert.equal(certificate.issuingUnit, unitName);
  assert.equal(certificate.caseId, approved.id);
  assert.match(certificate.verificationUrl, /\/services\/certificates\/[A-Z0-9]{16}$/);
  assert.equal(certificate.downloadUrl, `/api/v1/approval/applications/${approved.id}/certificate.pdf`);
  const verified = await get(null, new URL(certificate.verificationUrl).pathname);
  assert.equal(verified.statusCode, 200);
  assert.deepEqual((await get(citizen2, '/api/v1/me/certificates')).json().items, [], 'nobody else’s');
  assert.equal((await get(citizen, '/api/v1/me/certificates?limit=1')).json().nextCursor, null);
  assert.equal((await get(people.leader, '/api/v1/me/certificates')).statusCode, 403);

  const html = await page(await signIn(citizen), '/services/mine/certificates');
  assert.equal(html.statusCode, 200, html.body.slice(0, 300));
  assert.ok(html.body.includes(certificate.certificateNo), html.body.slice(-3000));
  assert.ok(html.body.includes(`href="${certificate.downloadUrl}"`));
});

test('rating from 我的办件: CSRF, five levels, reasons for a bad one, rectification opened; twice, open, someone else’s case refused', async () => {
  const b = await signIn(citizen);
  const list = await page(b, '/services/mine');
  assert.ok(list.body.includes(`href="/services/mine/${approved.id}#rating"`), 'the list leads to the rating of a decided case');
  assert.ok(!list.body.includes(`href="/services/mine/${open.id}#rating"`), 'not of an open one');
  const casePage = await page(b, `/services/mine/${approved.id}`);
  assert.equal(casePage.statusCode, 200);
  for (const level of ['非常满意', '满意', '基本满意', '不满意', '非常不满意']) assert.ok(casePage.body.includes(level), level);
  assert.ok(casePage.body.includes(`action="/services/mine/${approved.id}/rating"`));
  assert.ok(casePage.body.includes(`/api/v1/approval/applications/${approved.id}/certificate.pdf`), 'the certificate PDF is linked');
  assert.match(casePage.body, /id="case-timeline"/, 'the case history is shown');

  assert.equal((await form(b, `/services/mine/${approved.id}/rating`, { score: '1', comment: '跑了三次' }, false)).statusCode, 403, 'no CSRF token');
  const noScore = await form(b, `/services/mine/${approved.id}/rating`, { comment: '' });
  assert.equal(noScore.statusCode, 400);
  assert.ok(noScore.body.includes('请选择评价等级'));
  const noReason = await form(b, `/services/mine/${approved.id}/rating`, { score: '2', comment: ' ' });
  assert.equal(noReason.statusCode, 400);
  assert.ok(noReason.body.includes('请写明原因'));
  assert.deepEqual(await rectificationsOf(approved.id), [], 'nothing written');

  const rated = await form(b, `/services/mine/${approved.id}/rating`, { score: '2', comment: '窗口让我跑了三次' });
  assert.equal(rated.statusCode, 303, rated.body.slice(0, 500));
  assert.deepEqual((await rectificationsOf(approved.id)).map((r) => r.state), ['open'], 'a bad rating opens a rectification');
  const again = await form(b, `/services/mine/${approved.id}/rating`, { score: '5' });
  assert.equal(again.statusCode, 409);
  assert.ok(again.body.includes('该办件已评价过'));
  const shown = (await get(citizen, '/api/v1/me/cases?limit=50')).json().items.find((c: { id: string }) => c.id === approved.id);
  assert.equal(shown.canRate, false);
  assert.equal(shown.rating.score, 2);
  const mine = await page(b, '/services/mine/ratings');
  assert.ok(mine.body.includes('不满意') && mine.body.includes('窗口让我跑了三次'));

  assert.equal((await form(b, `/services/mine/${open.id}/rating`, { score: '5' })).statusCode, 409, 'an open case');
  const stranger = await signIn(citizen2);
  assert.equal((await form(stranger, `/services/mine/${refused.id}/rating`, { score: '5' })).statusCode, 404, 'someone else’s case');
  // The same rules through the API.
  assert.equal(problem(await post(citizen, '/api/v1/supervision/ratings', { caseId: approved.id, score: 4 })).status, 409);
  assert.equal(problem(await post(citizen, '/api/v1/supervision/ratings', { caseId: open.id, score: 4 })).status, 409);
  assert.equal(problem(await post(citizen2, '/api/v1/supervision/ratings', { caseId: refused.id, score: 4 })).status, 404);
  const badApi = problem(await post(citizen, '/api/v1/supervision/ratings', { caseId: refused.id, score: 1 }));
  assert.equal(badApi.status, 400, 'a bad rating without reasons');
  assert.equal(badApi.body.errors?.[0]?.path, 'comment');
});

test('the SMS link: sent when a case ends, opens without sign-in, works once', async () => {
  const token = await ratingLink(refused.id);
  assert.equal((await sql<{ n: number }>`select count(*)::int as n from approval_rating_invitations where token_hash = ${token}`.execute(ctx.platform.db)).rows[0].n, 0, 'the token is not stored as such');
  const { rows: none } = await sql<{ n: number }>`select count(*)::int as n from notify_outbox where dedupe_key = ${`approval:${open.id}:rate:sms`}`.execute(ctx.platform.db);
  assert.equal(none[0].n, 0, 'no link for an open case');

  const shown = await page(null, `/services/rate/${token}`);
  assert.equal(shown.statusCode, 200);
  assert.ok(shown.body.includes(refused.receiptNo));
  assert.ok(shown.body.includes('非常不满意'));

  const noReason = await form(null, `/services/rate/${token}`, { score: '1' });
  assert.equal(noReason.statusCode, 400);
  assert.ok(noReason.body.includes('请写明原因'));
  const rated = await form(null, `/services/rate/${token}`, { score: '1', comment: '告知不清，白跑一趟' });
  assert.equal(rated.statusCode, 200, rated.body.slice(0, 400));
  assert.ok(rated.body.includes('感谢您的评价'));
  assert.deepEqual((await rectificationsOf(refused.id)).map((r) => r.state), ['open'], 'the portal’s bad rating opens a rectification too');
  const mine = (await get(citizen, '/api/v1/me/cases?limit=50')).json().items.find((c: { id: string }) => c.id === refused.id);
  assert.equal(mine.rating.score, 1, 'the link’s rating is the applicant’s');

  const used = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/rating-links/${token}`, payload: { score: 5 } });
  assert.equal(problem(used).status, 409, 'a used link');
  assert.equal((await page(null, `/services/rate/${token}`)).statusCode, 409);
  assert.equal(problem(await ctx.app.inject({ method: 'POST', url: `/api/v1/public/rating-links/${'A'.repeat(43)}`, payload: { score: 5 } })).status, 404, 'an unknown link');
  assert.equal((await page(null, '/services/rate/short')).statusCode, 404);
});

test('a complaint about one of my cases from the portal, its state under 我的投诉; nobody else’s case', async () => {
  const b = await signIn(citizen);
  const formPage = await page(b, `/services/mine/complaints?case=${open.id}`);
  assert.equal(formPage.statusCode, 200);
  assert.ok(formPage.body.includes(open.receiptNo));
  assert.equal((await form(b, '/services/mine/complaints', { caseId: open.id, content: '超过承诺时限仍未办结' }, false)).statusCode, 403);
  const empty = await form(b, '/services/mine/complaints', { caseId: open.id, content: '' });
  assert.equal(empty.statusCode, 400);
  const filed = await form(b, '/services/mine/complaints', { caseId: open.id, content: '超过承诺时限仍未办结' });
  assert.equal(filed.statusCode, 303, filed.body.slice(0, 400));
  const list = await page(b, '/services/mine/complaints');
  assert.ok(list.body.includes('超过承诺时限仍未办结'));
  assert.ok(list.body.includes('已登记'));
  const stranger = await signIn(citizen2);
  assert.equal((await form(stranger, '/services/mine/complaints', { caseId: open.id, content: '冒名投诉' })).statusCode, 404);
  const seen = await get(people.supervisor, '/api/v1/supervision/complaints?limit=50');
  assert.equal(seen.statusCode, 200, seen.body);
  assert.equal(seen.json().items.filter((c: { caseId: string }) => c.caseId === open.id).length, 1, 'supervision handles it');
});

test('the SMS link expires after 15 days (the injectable clock)', async () => {
  const late = await submit(citizen2);
  await approve(late.id);
  const token = await ratingLink(late.id);
  clock.advance(15 * 86_400_000 - 60_000);
  const bad = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/rating-links/${token}`, payload: { score: 6 } });
  assert.equal(problem(bad).status, 400, 'bad input is refused and writes nothing');
  clock.advance(120_000);
  const expired = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/rating-links/${token}`, payload: { score: 5 } });
  assert.equal(problem(expired).status, 409);
  assert.match(problem(expired).body.detail, /过期/);
  assert.match(String(problem(expired).type), /application\/problem\+json/);
  const shown = await page(null, `/services/rate/${token}`);
  assert.equal(shown.statusCode, 409);
  assert.ok(shown.body.includes('评价链接不可用'));
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from supervision_ratings where case_id = ${late.id}`.execute(ctx.platform.db);
  assert.equal(rows[0].n, 0);
});
