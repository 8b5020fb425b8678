import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestContext, creditCode, TestClock, TEST_PG_URL, type TestContext } from '../../../test/helpers.ts';
import { blindIndex } from '../crypto/fields.ts';
import { idCheckChar } from '../org/codes.ts';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { createPublicAccount } from './index.ts';

let ctx: TestContext;
const clock = new TestClock(new Date('2026-12-07T02:00:00Z'));
before(async () => {
  ctx = await createTestContext({ clock, env: { ZT_LOGIN_RATE_LIMIT: '100000' } });
});
after(() => ctx.close());

const GOOD_PASSWORD = 'Citizen#2026';
let phoneSeq = 0;
const newPhone = () => `1380013${String(4000 + ++phoneSeq).padStart(4, '0')}`;
const idNumber = (birth = '19900307', seq = '123') => {
  const first17 = `110101${birth}${seq}`;
  return first17 + idCheckChar(first17);
};
const badCheckDigit = (id: string) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0');

const post = (url: string, payload: object, lang = 'zh-CN') => ctx.app.inject({ method: 'POST', url, payload, headers: { 'accept-language': lang } });
const requestCode = (phone: string, purpose = 'register') => post('/api/v1/auth/sms-codes', { phone, purpose });

/** The code as the SMS carries it: read from the outbox row written for the number. */
async function sentCode(phone: string): Promise<string> {
  const { rows } = await sql<{ params: string | { code: string }; template: string }>`
    select params, template from notify_outbox where channel = 'sms' and recipient_key = ${blindIndex(ctx.platform, `notify:sms:${phone}`)}
    order by created_at desc, id desc limit 1`.execute(ctx.platform.db);
  assert.ok(rows[0], `no SMS for ${phone}`);
  assert.match(rows[0].template, /^iam\.smsCode\./);
  const params = typeof rows[0].params === 'string' ? (JSON.parse(rows[0].params) as { code: string }) : rows[0].params;
  return params.code;
}

async function countRows(query: ReturnType<typeof sql<{ n: number }>>) {
  return Number((await query.execute(ctx.platform.db)).rows[0].n);
}
const userCount = (phone: string) => countRows(sql<{ n: number }>`select count(*)::int as n from users where username = ${phone}`);

async function register(body: Record<string, unknown>, lang = 'zh-CN') {
  return post('/api/v1/auth/register', body, lang);
}

async function registerPerson(phone = newPhone()) {
  assert.equal((await requestCode(phone)).statusCode, 202);
  const res = await register({ kind: 'person', phone, smsCode: await sentCode(phone), password: GOOD_PASSWORD, name: '张三', idNumber: idNumber() });
  assert.equal(res.statusCode, 201, res.body);
  clock.advance(61_000);
  return phone;
}

test('a citizen registers with an SMS code: 202, 201, the user name is the number, the ID number is sealed and masked', async () => {
  const phone = newPhone();
  const sent = await requestCode(phone);
  assert.equal(sent.statusCode, 202, sent.body);
  const code = await sentCode(phone);
  assert.match(code, /^\d{6}$/);
  const stored = await sql<{ code_hash: string }>`select code_hash from sms_codes order by created_at desc limit 1`.execute(ctx.platform.db);
  assert.notEqual(stored.rows[0].code_hash, code);
  assert.ok(!stored.rows[0].code_hash.includes(code));

  const id = idNumber();
  const res = await register({ kind: 'person', phone, smsCode: code, password: GOOD_PASSWORD, name: '张三', idNumber: id });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().username, phone);
  const row = (await sql<{ id_number_sealed: string; real_name: string; applicant_kind: string }>`select * from users where username = ${phone}`.execute(ctx.platform.db)).rows[0];
  assert.equal(row.real_name, '张三');
  assert.equal(row.applicant_kind, 'person');
  assert.ok(!row.id_number_sealed.includes(id.slice(6, 14)));

  const login = await post('/api/v1/auth/login', { username: phone, password: GOOD_PASSWORD });
  assert.equal(login.statusCode, 200, login.body);
  assert.equal(login.json().user.kind, 'public');
  const cookie = login.cookies.find((c) => c.name === 'zt_session')!;
  const profile = await ctx.app.inject({ url: '/api/v1/me/profile', cookies: { zt_session: cookie.value } });
  assert.equal(profile.statusCode, 200);
  assert.equal(profile.json().idNumber, `${id.slice(0, 6)}********${id.slice(14)}`);
  assert.equal(profile.json().phone, `${phone.slice(0, 3)}****${phone.slice(7)}`);
  assert.equal(profile.json().name, '张三');
});

test('an enterprise registers with its credit code, name and legal representative', async () => {
  const phone = newPhone();
  await requestCode(phone);
  const res = await register({ kind: 'enterprise', phone, smsCode: await sentCode(phone), password: GOOD_PASSWORD, name: '李四', idNumber: idNumber('19800101', '456'), creditCode: creditCode(7001), companyName: '云川市示例科技有限公司' });
  assert.equal(res.statusCode, 201, res.body);
  const row = (await sql<{ display_name: string; credit_code: string; company_name: string; real_name: string; applicant_kind: string }>`select * from users where username = ${phone}`.execute(ctx.platform.db)).rows[0];
  assert.deepEqual([row.applicant_kind, row.display_name, row.real_name, row.credit_code, row.company_name], ['enterprise', '云川市示例科技有限公司', '李四', creditCode(7001), '云川市示例科技有限公司']);
});

test('registration checks every field at once, with GB 11643 and GB 32100 check digits, in zh-CN and en; nothing is written and no try is spent', async () => {
  const phone = newPhone();
  await requestCode(phone);
  const code = await sentCode(phone);
  const goodCredit = creditCode(7002);
  const body = { kind: 'enterprise', phone, smsCode: code, password: 'weak', name: ' ', idNumber: badCheckDigit(idNumber()), creditCode: goodCredit.slice(0, 17) + (goodCredit[17] === '0' ? '1' : '0'), companyName: '' };
  const zh = await register(body);
  assert.equal(zh.statusCode, 400);
  assert.match(zh.headers['content-type'] as string, /application\/problem\+json/);
  const zhErrors = Object.fromEntries((zh.json().errors as Array<{ path: string; message: string }>).map((e) => [e.path, e.message]));
  assert.deepEqual(Object.keys(zhErrors).sort(), ['companyName', 'creditCode', 'idNumber', 'name', 'password']);
  assert.match(zhErrors.idNumber, /身份证号码不正确/);
  assert.match(zhErrors.creditCode, /统一社会信用代码不正确/);
  const en = await register(body, 'en');
  const enErrors = Object.fromEntries((en.json().errors as Array<{ path: string; message: string }>).map((e) => [e.path, e.message]));
  assert.match(enErrors.idNumber, /GB 11643/);
  assert.match(enErrors.creditCode, /GB 32100/);
  const badPhone = await register({ kind: 'person', phone: '12345', smsCode: code, password: GOOD_PASSWORD, name: '张三', idNumber: idNumber() });
  assert.equal(badPhone.statusCode, 400);
  assert.equal(badPhone.json().errors[0].path, 'phone');
  assert.equal(await userCount(phone), 0);
  // The code was never tried: it still works.
  const ok = await register({ kind: 'person', phone, smsCode: code, password: GOOD_PASSWORD, name: '张三', idNumber: idNumber() });
  assert.equal(ok.statusCode, 201, ok.body);
});

test('a wrong code counts a try; after five the code is dead; a used code is not taken twice', async () => {
  const phone = newPhone();
  await requestCode(phone);
  const code = await sentCode(phone);
  const wrong = code === '000000' ? '111111' : '000000';
  const body = { kind: 'person', phone, password: GOOD_PASSWORD, name: '王五', idNumber: idNumber() };
  const first = await register({ ...body, smsCode: wrong });
  assert.equal(first.statusCode, 400);
  assert.equal(first.json().errors[0].path, 'smsCode');
  assert.match(first.json().errors[0].message, /验证码错误，还可尝试 4 次/);
  for (let i = 0; i < 4; i++) await register({ ...body, smsCode: wrong });
  const dead = await register({ ...body, smsCode: code });
  assert.equal(dead.statusCode, 400);
  assert.match(dead.json().errors[0].message, /错误次数过多/);
  assert.equal(await userCount(phone), 0);

  clock.advance(61_000);
  await requestCode(phone);
  const fresh = await sentCode(phone);
  assert.equal((await register({ ...body, smsCode: fresh })).statusCode, 201);
  const reuse = await post('/api/v1/auth/password-reset', { phone, smsCode: fresh, password: 'Another#2026' });
  assert.equal(reuse.statusCode, 400);
  assert.equal(reuse.json().errors[0].path, 'smsCode');
  clock.advance(61_000);
});

test('a code expires after five minutes', async () => {
  const phone = newPhone();
  await requestCode(phone);
  const code = await sentCode(phone);
  clock.advance(5 * 60_000 + 1000);
  const late = await register({ kind: 'person', phone, smsCode: code, password: GOOD_PASSWORD, name: '赵六', idNumber: idNumber() });
  assert.equal(late.statusCode, 400);
  assert.match(late.json().errors[0].message, /已失效/);
  const lateEn = await register({ kind: 'person', phone, smsCode: code, password: GOOD_PASSWORD, name: '赵六', idNumber: idNumber() }, 'en');
  assert.match(lateEn.json().errors[0].message, /no longer valid/);
  assert.equal(await userCount(phone), 0);
});

test('one code a minute (the second is 429 problem+json) and ten a day per number and purpose', async () => {
  const phone = newPhone();
  assert.equal((await requestCode(phone)).statusCode, 202);
  const again = await requestCode(phone);
  assert.equal(again.statusCode, 429);
  assert.match(again.headers['content-type'] as string, /application\/problem\+json/);
  assert.equal(again.json().code, 'RATE_LIMITED');
  assert.match(again.json().detail, /秒后再试/);
  // Another number is not held up.
  assert.equal((await requestCode(newPhone())).statusCode, 202);
  for (let i = 1; i < 10; i++) {
    clock.advance(61_000);
    assert.equal((await requestCode(phone)).statusCode, 202, `code ${i + 1}`);
  }
  clock.advance(61_000);
  const eleventh = await requestCode(phone);
  assert.equal(eleventh.statusCode, 429);
  assert.match(eleventh.json().detail, /今日/);
  clock.advance(24 * 3600_000);
  assert.equal((await requestCode(phone)).statusCode, 202);
});

test('codes for sign-in and reset: an unregistered number gets the same answer and no SMS; registering a registered number is 409', async () => {
  const phone = await registerPerson();
  const dup = await requestCode(phone, 'register');
  assert.equal(dup.statusCode, 409);
  assert.equal(dup.json().errors[0].path, 'phone');
  const stranger = newPhone();
  const unknown = await requestCode(stranger, 'login');
  const known = await requestCode(phone, 'login');
  assert.equal(unknown.statusCode, 202);
  assert.deepEqual(Object.keys(unknown.json()).sort(), Object.keys(known.json()).sort());
  const sent = await countRows(sql<{ n: number }>`select count(*)::int as n from notify_outbox where channel = 'sms' and recipient_key = ${blindIndex(ctx.platform, `notify:sms:${stranger}`)}`);
  assert.equal(sent, 0, 'nothing is sent to a number that has no account');
  // Its code is checked and counted like any other: a guess is a wrong code, never "no such account".
  const guess = await post('/api/v1/auth/login', { phone: stranger, smsCode: '123456' });
  const knownGuess = await post('/api/v1/auth/login', { phone, smsCode: '123456' });
  assert.equal(guess.statusCode, 400);
  assert.deepEqual(guess.json().errors, knownGuess.json().errors);
  const badPurpose = await post('/api/v1/auth/sms-codes', { phone, purpose: 'other' });
  assert.equal(badPurpose.statusCode, 400);
});

test('a number registered after its code was sent is 409 at registration, and the code is not spent', async () => {
  const phone = newPhone();
  await requestCode(phone);
  const code = await sentCode(phone);
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createPublicAccount(work, ctx.platform, { kind: 'person', phone, password: GOOD_PASSWORD, name: '先到' }));
  const again = await register({ kind: 'person', phone, smsCode: code, password: GOOD_PASSWORD, name: '张三', idNumber: idNumber() });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().errors[0].path, 'phone');
  assert.equal(await userCount(phone), 1);
  clock.advance(61_000);
});

test('sign-in by SMS code; an unknown account answers as a wrong password does, and five failures throttle the address', async () => {
  const phone = await registerPerson();
  assert.equal((await requestCode(phone, 'login')).statusCode, 202);
  const code = await sentCode(phone);
  const bySms = await post('/api/v1/auth/login', { phone, smsCode: code });
  assert.equal(bySms.statusCode, 200, bySms.body);
  assert.equal(bySms.json().user.username, phone);
  assert.ok(bySms.cookies.find((c) => c.name === 'zt_session'));
  const twice = await post('/api/v1/auth/login', { phone, smsCode: code });
  assert.equal(twice.statusCode, 400);
  const mixed = await post('/api/v1/auth/login', { phone, smsCode: code, password: GOOD_PASSWORD });
  assert.equal(mixed.statusCode, 400);
  assert.deepEqual(mixed.json().errors.map((e: { path: string }) => e.path), ['password']);
  const half = await post('/api/v1/auth/login', { username: phone });
  assert.deepEqual(half.json().errors.map((e: { path: string }) => e.path), ['password']);

  // A code that cannot be one is a field error, told with the number's, before any look-up.
  const malformed = await post('/api/v1/auth/login', { phone: '12', smsCode: 'abc' });
  assert.equal(malformed.statusCode, 400);
  assert.deepEqual(malformed.json().errors.map((e: { path: string }) => e.path).sort(), ['phone', 'smsCode']);
  const unregisteredMalformed = await post('/api/v1/auth/login', { phone: newPhone(), smsCode: '12x' });
  assert.equal(unregisteredMalformed.statusCode, 400, 'the format is checked before the number is looked up');

  const unknown = await post('/api/v1/auth/login', { username: newPhone(), password: GOOD_PASSWORD });
  const wrong = await post('/api/v1/auth/login', { username: phone, password: 'Wrong#2026x' });
  for (const answer of [unknown, wrong]) {
    assert.equal(answer.statusCode, 401);
    assert.equal(answer.json().code, 'AUTH_INVALID');
    assert.match(answer.json().detail, /用户名或密码错误，还可尝试 4 次/);
  }
  for (let i = 0; i < 4; i++) {
    await post('/api/v1/auth/login', { username: phone, password: 'Wrong#2026x' });
    clock.advance(5_000);
  }
  const throttled = await post('/api/v1/auth/login', { username: phone, password: GOOD_PASSWORD });
  assert.equal(throttled.statusCode, 429);
  assert.equal(throttled.json().code, 'AUTH_THROTTLED');
  assert.ok(Number(throttled.headers['retry-after']) > 800);
  // The SMS code still opens the account: the holder is not locked out.
  clock.advance(61_000);
  assert.equal((await requestCode(phone, 'login')).statusCode, 202);
  assert.equal((await post('/api/v1/auth/login', { phone, smsCode: await sentCode(phone) })).statusCode, 200);
  clock.advance(61_000);
});

test('the password is reset by SMS: sessions end, a lock is lifted, the new password signs in', async () => {
  const phone = await registerPerson();
  const session = await post('/api/v1/auth/login', { username: phone, password: GOOD_PASSWORD });
  const cookie = session.cookies.find((c) => c.name === 'zt_session')!;
  assert.equal((await requestCode(phone, 'reset')).statusCode, 202);
  const code = await sentCode(phone);
  const wrongPurpose = await post('/api/v1/auth/login', { phone, smsCode: code });
  assert.equal(wrongPurpose.statusCode, 400, 'a reset code does not sign in');
  for (let i = 0; i < 5; i++) {
    await post('/api/v1/auth/login', { username: phone, password: 'Wrong#2026x' });
    clock.advance(5_000);
  }
  assert.equal((await post('/api/v1/auth/login', { username: phone, password: GOOD_PASSWORD })).statusCode, 429);
  const weak = await post('/api/v1/auth/password-reset', { phone, smsCode: code, password: 'short' });
  assert.equal(weak.statusCode, 422);
  assert.equal(weak.json().code, 'PASSWORD_WEAK');
  const reset = await post('/api/v1/auth/password-reset', { phone, smsCode: code, password: 'NewPass#2027' });
  assert.equal(reset.statusCode, 204, reset.body);
  assert.equal((await ctx.app.inject({ url: '/api/v1/me', cookies: { zt_session: cookie.value } })).statusCode, 401);
  assert.equal((await post('/api/v1/auth/login', { username: phone, password: GOOD_PASSWORD })).statusCode, 401);
  assert.equal((await post('/api/v1/auth/login', { username: phone, password: 'NewPass#2027' })).statusCode, 200);
  clock.advance(61_000);
});

test('two code requests for one number at the same moment: one is sent, the other is 429', async () => {
  const phone = newPhone();
  const answers = await Promise.all([requestCode(phone), requestCode(phone), requestCode(phone)]);
  const statuses = answers.map((a) => a.statusCode).sort();
  assert.deepEqual(statuses, [202, 429, 429], TEST_PG_URL ? 'on PostgreSQL' : 'embedded');
  const sent = await countRows(sql<{ n: number }>`select count(*)::int as n from notify_outbox where channel = 'sms' and recipient_key = ${blindIndex(ctx.platform, `notify:sms:${phone}`)}`);
  assert.equal(sent, 1);
});

test('the SMS is written to the log with the full number and its code when no gateway is configured', async () => {
  const { LogSmsProvider } = await import('../notify/senders.ts');
  const lines: Array<{ obj: object; msg?: string }> = [];
  const log = { info: (obj: object, msg?: string) => lines.push({ obj, msg }), warn() {}, error() {} };
  await new LogSmsProvider(log).send({ idempotencyKey: 'k', to: '13800138000', text: '【政通】验证码 123456', template: 'iam.smsCode.register', lang: 'zh-CN' });
  assert.equal(lines.length, 1);
  assert.match(lines[0].msg!, /13800138000/);
  assert.match(lines[0].msg!, /123456/);
});

test('an enterprise adds, lists and removes its agents (经办人); an agent signs in by SMS code; a person cannot add agents', async () => {
  const companyPhone = newPhone();
  await requestCode(companyPhone);
  assert.equal((await register({ kind: 'enterprise', phone: companyPhone, smsCode: await sentCode(companyPhone), password: GOOD_PASSWORD, name: '法人甲', idNumber: idNumber('19750101', '789'), creditCode: creditCode(7003), companyName: '云川市经办测试有限公司' })).statusCode, 201);
  const login = await post('/api/v1/auth/login', { username: companyPhone, password: GOOD_PASSWORD });
  const headers = { cookie: `zt_session=${login.cookies.find((c) => c.name === 'zt_session')!.value}`, 'x-csrf-token': login.json().csrfToken as string };
  const agentPhone = newPhone();
  const badId = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/agents', headers, payload: { name: '经办人乙', phone: agentPhone, idNumber: badCheckDigit(idNumber('19950101', '321')) } });
  assert.equal(badId.statusCode, 400);
  const added = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/agents', headers, payload: { name: '经办人乙', phone: agentPhone, idNumber: idNumber('19950101', '321') } });
  assert.equal(added.statusCode, 201, added.body);
  assert.match(added.json().phone, /\*{4}/);
  const list = await ctx.app.inject({ url: '/api/v1/me/agents', headers });
  assert.deepEqual(list.json().items.map((a: { name: string }) => a.name), ['经办人乙']);
  const row = (await sql<{ company_name: string; company_user_id: string }>`select company_name, company_user_id from users where username = ${agentPhone}`.execute(ctx.platform.db)).rows[0];
  assert.equal(row.company_name, '云川市经办测试有限公司');

  clock.advance(61_000);
  assert.equal((await requestCode(agentPhone, 'login')).statusCode, 202);
  const agentLogin = await post('/api/v1/auth/login', { phone: agentPhone, smsCode: await sentCode(agentPhone) });
  assert.equal(agentLogin.statusCode, 200);
  const agentHeaders = { cookie: `zt_session=${agentLogin.cookies.find((c) => c.name === 'zt_session')!.value}`, 'x-csrf-token': agentLogin.json().csrfToken as string };
  assert.equal((await ctx.app.inject({ method: 'POST', url: '/api/v1/me/agents', headers: agentHeaders, payload: { name: '丙', phone: newPhone(), idNumber: idNumber() } })).statusCode, 403, 'an agent adds no agents');

  const removed = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/me/agents/${added.json().id}`, headers });
  assert.equal(removed.statusCode, 204);
  assert.equal((await ctx.app.inject({ url: '/api/v1/me', headers: agentHeaders })).statusCode, 401, 'the agent is signed out');
  assert.deepEqual((await ctx.app.inject({ url: '/api/v1/me/agents', headers })).json().items, []);

  const person = await registerPerson();
  const personLogin = await post('/api/v1/auth/login', { username: person, password: GOOD_PASSWORD });
  const personHeaders = { cookie: `zt_session=${personLogin.cookies.find((c) => c.name === 'zt_session')!.value}`, 'x-csrf-token': personLogin.json().csrfToken as string };
  assert.equal((await ctx.app.inject({ url: '/api/v1/me/agents', headers: personHeaders })).statusCode, 403);
});
