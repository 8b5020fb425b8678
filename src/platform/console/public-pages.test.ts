import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { createTestContext, creditCode, type TestContext } from '../../../test/helpers.ts';
import { blindIndex } from '../crypto/fields.ts';
import { idCheckChar } from '../org/codes.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ env: { ZT_LOGIN_RATE_LIMIT: '100000' } });
});
after(() => ctx.close());

const PASSWORD = 'Citizen#2026';
const ID = (() => {
  const first17 = '11010119900307123';
  return first17 + idCheckChar(first17);
})();
const text = (res: LightMyRequestResponse) => res.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

/** A browser's cookie jar for the pages. */
class Browser {
  cookies: Record<string, string> = {};
  keep(res: LightMyRequestResponse) {
    for (const c of res.cookies) {
      if (c.maxAge === 0 || c.value === '') delete this.cookies[c.name];
      else this.cookies[c.name] = c.value;
    }
    return res;
  }
  async get(url: string) {
    return this.keep(await ctx.app.inject({ url, cookies: this.cookies }));
  }
  async post(url: string, form: Record<string, string>) {
    return this.keep(await ctx.app.inject({ method: 'POST', url, cookies: this.cookies, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() }));
  }
}
const formToken = (res: LightMyRequestResponse) => /name="_form" value="([^"]+)"/.exec(res.body)![1];
const csrf = (res: LightMyRequestResponse) => /name="_csrf" value="([^"]+)"/.exec(res.body)![1];

async function sentCode(phone: string) {
  const { rows } = await sql<{ params: string | { code: string } }>`
    select params from notify_outbox where channel = 'sms' and recipient_key = ${blindIndex(ctx.platform, `notify:sms:${phone}`)} order by created_at desc limit 1`.execute(ctx.platform.db);
  const params = typeof rows[0].params === 'string' ? JSON.parse(rows[0].params) : rows[0].params;
  return params.code as string;
}

test('the public sign-in page has 个人 and 法人 tabs, password and SMS methods, and links to register and reset; staff have their own page', async () => {
  const b = new Browser();
  const page = await b.get('/login');
  assert.equal(page.statusCode, 200);
  const body = text(page);
  for (const words of ['个人', '法人', '短信验证码登录', '注册账号', '忘记密码']) assert.ok(body.includes(words), words);
  assert.doesNotMatch(body, /工作台|三员|动态验证码/);
  const sms = await b.get('/login?method=sms&kind=enterprise');
  assert.match(text(sms), /法人登录/);
  assert.match(sms.body, /formaction="\/login\/sms-code"/);
  const staff = await b.get('/console/login');
  assert.match(text(staff), /政通工作台/);
  // A sign-in that would return to the console goes to the staff page.
  const toConsole = await b.get('/login?next=%2Fconsole%2Fsessions');
  assert.equal(toConsole.statusCode, 303);
  assert.equal(toConsole.headers.location, '/console/login?next=%2Fconsole%2Fsessions');
});

test('an enterprise registers without JavaScript: 获取验证码 posts the form, errors come back per field, then 我的, profile, sign-out', async () => {
  const b = new Browser();
  const phone = '13900139123';
  const form = await b.get('/register?kind=enterprise');
  assert.match(text(form), /法定代表人姓名/);
  const fields = { _form: formToken(form), kind: 'enterprise', next: '/account', companyName: '云川示例有限公司', creditCode: creditCode(8001), name: '周七', idNumber: ID, phone };
  const sent = await b.post('/register/sms-code', fields);
  assert.equal(sent.statusCode, 200);
  assert.match(text(sent), /验证码已发送/);
  assert.match(sent.body, /value="云川示例有限公司"/, 'what was typed stays');
  const code = await sentCode(phone);

  const bad = await b.post('/register', { ...fields, _form: formToken(sent), idNumber: ID.slice(0, 17) + (ID[17] === '1' ? '2' : '1'), smsCode: code, password: PASSWORD, password2: 'other' });
  assert.equal(bad.statusCode, 400);
  assert.match(text(bad), /身份证号码不正确/);
  assert.match(text(bad), /两次输入的密码不一致/);

  const ok = await b.post('/register', { ...fields, _form: formToken(bad), smsCode: code, password: PASSWORD, password2: PASSWORD });
  assert.equal(ok.statusCode, 303, text(ok));
  assert.equal(ok.headers.location, '/account');
  const home = await b.get('/account');
  assert.equal(home.statusCode, 200);
  assert.match(text(home), /云川示例有限公司/);
  for (const words of ['个人资料', '修改密码', '我的消息']) assert.ok(text(home).includes(words), words);
  assert.match(home.body, /<form method="post" action="\/logout"/);
  const profile = await b.get('/account/profile');
  assert.match(text(profile), new RegExp(`${ID.slice(0, 6)}\\*{8}${ID.slice(14)}`));
  assert.ok(!profile.body.includes(ID));
  assert.match(text(profile), /139\*\*\*\*9123/);
  const messages = await b.get('/account/messages');
  assert.equal(messages.statusCode, 200);
  // A citizen is never shown a staff page.
  const consolePage = await b.get('/console/sessions');
  assert.equal(consolePage.statusCode, 303);
  assert.equal(consolePage.headers.location, '/account');

  const out = await b.post('/logout', { _csrf: csrf(home) });
  assert.equal(out.statusCode, 303);
  assert.equal(out.headers.location, '/');
  assert.equal((await b.get('/account')).statusCode, 303);
});

test('sign-in by SMS code on the page, and a password reset by SMS', async () => {
  const b = new Browser();
  const phone = '13900139124';
  const reg = await b.get('/register');
  const fields = { _form: formToken(reg), kind: 'person', name: '吴八', idNumber: ID, phone };
  await b.post('/register/sms-code', fields);
  const done = await b.post('/register', { ...fields, smsCode: await sentCode(phone), password: PASSWORD, password2: PASSWORD });
  assert.equal(done.statusCode, 303);
  await b.post('/logout', { _csrf: csrf(await b.get('/account')) });

  ctx.clock.advance(61_000);
  const login = await b.get('/login?method=sms');
  const again = await b.post('/login/sms-code', { _form: formToken(login), method: 'sms', kind: 'person', phone });
  assert.match(text(again), /验证码已发送/);
  const wrong = await b.post('/login', { _form: formToken(again), method: 'sms', kind: 'person', phone, smsCode: '000000' === (await sentCode(phone)) ? '111111' : '000000' });
  assert.equal(wrong.statusCode, 400);
  assert.match(text(wrong), /验证码错误，还可尝试 4 次/);
  const signed = await b.post('/login', { _form: formToken(wrong), method: 'sms', kind: 'person', phone, smsCode: await sentCode(phone) });
  assert.equal(signed.statusCode, 303);
  assert.equal(signed.headers.location, '/account');
  await b.post('/logout', { _csrf: csrf(await b.get('/account')) });

  const unknown = await b.post('/login', { _form: formToken(await b.get('/login')), method: 'password', kind: 'person', username: '13900139999', password: PASSWORD });
  // An unknown number reads like a wrong password: the page does not tell who is registered.
  assert.equal(unknown.statusCode, 401);
  assert.match(text(unknown), /用户名或密码错误，还可尝试 4 次/);

  const reset = await b.get('/password-reset');
  const resetSent = await b.post('/password-reset/sms-code', { _form: formToken(reset), phone });
  assert.match(text(resetSent), /验证码已发送/);
  const changed = await b.post('/password-reset', { _form: formToken(resetSent), phone, smsCode: await sentCode(phone), password: 'Renewed#2027', password2: 'Renewed#2027' });
  assert.equal(changed.statusCode, 303);
  assert.equal(changed.headers.location, '/login');
  const withNew = await b.post('/login', { _form: formToken(await b.get('/login')), method: 'password', kind: 'person', username: phone, password: 'Renewed#2027' });
  assert.equal(withNew.statusCode, 303);
  const change = await b.get('/account/password');
  const weak = await b.post('/account/password', { _csrf: csrf(change), currentPassword: 'Renewed#2027', newPassword: 'weak', confirmPassword: 'weak' });
  assert.equal(weak.statusCode, 422);
  const ok = await b.post('/account/password', { _csrf: csrf(change), currentPassword: 'Renewed#2027', newPassword: 'Third#Pass2028', confirmPassword: 'Third#Pass2028' });
  assert.equal(ok.statusCode, 303);
  assert.equal(ok.headers.location, '/account');
});
