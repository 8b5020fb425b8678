import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import type { LightMyRequestResponse } from 'fastify';
import { createTestContext, creditCode, makeUnit, makeUser, PASSWORD, seedRegions, type TestContext, type TestUser } from '../../../test/helpers.ts';
import type { Unit } from '../org/service.ts';
import { createPublicAccount } from '../iam/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';

let ctx: TestContext;
let unit: Unit;
let otherUnit: Unit;
let clerk: TestUser;
let unitAdmin: TestUser;
let secadmin: TestUser;
let sysadmin: TestUser;
let sysadminSecret: string;

interface Browser {
  cookies: Record<string, string>;
  csrf: string;
}

/** Signs in through the login form, like a browser; returns the cookie jar and the page's CSRF token. */
async function signIn(username: string, password = PASSWORD, totp?: string): Promise<Browser> {
  const res = await postLogin({ username, password, ...(totp ? { totp } : {}) });
  assert.equal(res.statusCode, 303, res.body);
  const session = res.cookies.find((c) => c.name === 'zt_session');
  assert.ok(session);
  const browser = { cookies: { zt_session: session.value }, csrf: '' };
  const page = await get(browser, '/console/profile');
  browser.csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
  return browser;
}

/** Opens the login page (which sets the form's cookie) and posts the form, like a browser. */
async function postLogin(form: Record<string, string>, query = '') {
  const page = await ctx.app.inject({ url: `/console/login${query}` });
  const cookie = page.cookies.find((c) => c.name === 'zt_login')!;
  const token = /name="_login" value="([^"]+)"/.exec(page.body)![1];
  return ctx.app.inject({
    method: 'POST',
    url: `/console/login${query}`,
    cookies: { zt_login: cookie.value },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...form, _login: token }).toString(),
  });
}

function get(browser: Browser | null, url: string, headers: Record<string, string> = {}) {
  return ctx.app.inject({ method: 'GET', url, cookies: browser?.cookies ?? {}, headers });
}

function post(browser: Browser | null, url: string, form: Record<string, string | string[]>, withCsrf = true) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
  if (browser && withCsrf) body.append('_csrf', browser.csrf);
  return ctx.app.inject({ method: 'POST', url, cookies: browser?.cookies ?? {}, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
}

const html = (res: LightMyRequestResponse) => {
  assert.match(String(res.headers['content-type']), /^text\/html/);
  return res.body;
};
const flashOf = (res: LightMyRequestResponse) => res.cookies.find((c) => c.name === 'zt_flash')?.value ?? null;
const totpCode = (secret: string, at = ctx.clock.now()) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: at.getTime() });

before(async () => {
  ctx = await createTestContext({ env: { ZT_LOGIN_RATE_LIMIT: '100000' } });
  await seedRegions(ctx.platform);
  unit = await makeUnit(ctx.platform, '甲县民政局', '990102');
  otherUnit = await makeUnit(ctx.platform, '乙县民政局', '990103');
  clerk = await makeUser(ctx.platform, unit.id, ['window_clerk']);
  unitAdmin = await makeUser(ctx.platform, unit.id, ['unit_admin']);
  secadmin = await makeUser(ctx.platform, unit.id, [{ role: 'secadmin', scope: { regionCode: '990100' } }]);
  sysadmin = await makeUser(ctx.platform, unit.id, [{ role: 'sysadmin', scope: { regionCode: '990102' } }]);
});

after(() => ctx.close());

describe('public pages', () => {
  test('the portal home is Chinese by default, with a skip link, landmarks and no inline script or style', async () => {
    const res = await get(null, '/');
    assert.equal(res.statusCode, 200);
    const body = html(res);
    assert.match(body, /^<!doctype html><html lang="zh-CN">/);
    assert.match(body, /<a class="skip-link" href="#main">跳到主要内容<\/a>/);
    assert.match(body, /<main id="main"/);
    assert.match(body, /网上办事/);
    assert.match(body, /href="\/accessibility"/);
    assert.doesNotMatch(body, /<script>|<script(?![^>]*\ssrc=)[^>]*>|\sstyle="/, 'CSP forbids inline scripts and styles');
    assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
  });

  test('?lang=en switches to English and is remembered in zt_lang', async () => {
    const res = await get(null, '/console/login?lang=en');
    assert.match(html(res), /<html lang="en">/);
    assert.match(res.body, /Zhengtong staff console/);
    const cookie = res.cookies.find((c) => c.name === 'zt_lang');
    assert.equal(cookie?.value, 'en');
    const again = await ctx.app.inject({ url: '/', cookies: { zt_lang: 'en' } });
    assert.match(again.body, /<html lang="en">/);
    assert.match(again.body, /lang="zh-CN" hreflang="zh-CN">中文</);
  });

  test('?display=large turns on the large-text mode and remembers it', async () => {
    const res = await get(null, '/?display=large');
    assert.match(html(res), /<html lang="zh-CN" class="display-large">/);
    assert.equal(res.cookies.find((c) => c.name === 'zt_display')?.value, 'large');
    const again = await ctx.app.inject({ url: '/accessibility', cookies: { zt_display: 'large' } });
    assert.match(again.body, /class="display-large"/);
    assert.match(again.body, />标准模式</);
  });

  test('the directory lists regions and the units in a region; an unknown region is an HTML 404', async () => {
    const top = await get(null, '/directory');
    assert.match(html(top), /测试省/);
    const county = await get(null, '/directory?region=990102');
    assert.equal(county.statusCode, 200);
    assert.match(county.body, /甲县民政局/);
    assert.doesNotMatch(county.body, /乙县民政局/);
    assert.match(county.body, /甲镇/);
    const missing = await get(null, '/directory?region=990999');
    assert.equal(missing.statusCode, 404);
    assert.match(html(missing), /找不到请求的对象/);
    const bad = await get(null, '/directory?region=abc');
    assert.equal(bad.statusCode, 400);
    assert.match(html(bad), /提交的内容不符合要求/);
  });

  test('an unknown page is an HTML 404; an unknown API route stays problem+json', async () => {
    const page = await get(null, '/no-such-page');
    assert.equal(page.statusCode, 404);
    assert.match(html(page), /<h1>找不到请求的对象<\/h1>/);
    const api = await get(null, '/api/v1/no-such-route');
    assert.equal(api.statusCode, 404);
    assert.match(String(api.headers['content-type']), /application\/problem\+json/);
    const unauth = await get(null, '/api/v1/me');
    assert.equal(unauth.statusCode, 401);
    assert.match(String(unauth.headers['content-type']), /application\/problem\+json/);
  });

  test('the pages stay out of the OpenAPI document', async () => {
    const paths = Object.keys((await get(null, '/api/docs/json')).json().paths);
    assert.ok(paths.includes('/api/v1/auth/login'));
    assert.deepEqual(paths.filter((p) => p === '/' || p.startsWith('/console') || p.startsWith('/login') || p.startsWith('/assets')), []);
  });

  test('assets are served with long cache headers; others are 404', async () => {
    for (const name of ['app.css', 'app.js', 'htmx.min.js', 'favicon.svg']) {
      const res = await get(null, `/assets/${name}`);
      assert.equal(res.statusCode, 200, name);
      assert.match(String(res.headers['cache-control']), /max-age=31536000, immutable/);
      const again = await get(null, `/assets/${name}`, { 'if-none-match': String(res.headers.etag) });
      assert.equal(again.statusCode, 304);
    }
    assert.match(String((await get(null, '/assets/htmx.min.js')).headers['content-type']), /javascript/);
    assert.equal((await get(null, '/assets/../package.json')).statusCode, 404);
    assert.equal((await get(null, '/assets/nothing.js')).statusCode, 404);
  });
});

describe('signing in and out', () => {
  test('the console sends an anonymous visitor to the login page and back', async () => {
    const res = await get(null, '/console/sessions?lang=en');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/console/login?next=%2Fconsole%2Fsessions%3Flang%3Den');
    const login = await get(null, '/console/login?next=%2Fconsole%2Fsessions');
    assert.match(html(login), /name="next" value="\/console\/sessions"/);
    const signed = await postLogin({ username: clerk.username, password: PASSWORD, next: '/console/sessions' });
    assert.equal(signed.statusCode, 303);
    assert.equal(signed.headers.location, '/console/sessions');
    const cookie = signed.cookies.find((c) => c.name === 'zt_session')!;
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
  });

  test('a login form posted from elsewhere (no or another form token) signs nobody in', async () => {
    const bare = await post(null, '/console/login', { username: clerk.username, password: PASSWORD });
    assert.equal(bare.statusCode, 403);
    assert.match(html(bare), /登录页面已过期或不是从本站打开的/);
    assert.equal(bare.cookies.find((c) => c.name === 'zt_session'), undefined);
    const fresh = bare.cookies.find((c) => c.name === 'zt_login')!;
    assert.equal(fresh.sameSite, 'Strict');
    const forged = await ctx.app.inject({
      method: 'POST',
      url: '/console/login',
      cookies: { zt_login: fresh.value },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: clerk.username, password: PASSWORD, _login: 'guessed-token-guessed-token' }).toString(),
    });
    assert.equal(forged.statusCode, 403);
    // The page that refused carries a working token.
    const token = /name="_login" value="([^"]+)"/.exec(bare.body)![1];
    const retried = await ctx.app.inject({
      method: 'POST',
      url: '/console/login',
      cookies: { zt_login: fresh.value },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: clerk.username, password: PASSWORD, _login: token }).toString(),
    });
    assert.equal(retried.statusCode, 303);
  });

  test('a citizen account signs in to the portal, not the console', async () => {
    await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createPublicAccount(work, ctx.platform, { name: '李四', password: PASSWORD, kind: 'person', phone: '13900139000' }));
    const res = await postLogin({ username: '13900139000', password: PASSWORD, next: '/console' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/account');
    const cookie = res.cookies.find((c) => c.name === 'zt_session')!;
    // No citizen is shown a staff page: the console sends them to their own pages on the portal.
    for (const url of ['/console', '/console/profile', '/console/login']) {
      const page = await ctx.app.inject({ url, cookies: { zt_session: cookie.value } });
      assert.equal(page.statusCode, 303, url);
      assert.equal(page.headers.location, '/account', url);
    }
  });

  test('next must be a local path', async () => {
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', '/login', ' /console']) {
      const res = await postLogin({ username: clerk.username, password: PASSWORD, next });
      assert.equal(res.headers.location, '/console', next);
    }
  });

  test('wrong password, empty fields and unknown users re-render the form with the message; nothing leaks back', async () => {
    const wrong = await postLogin({ username: clerk.username, password: 'wrong-Passw0rd!' });
    assert.equal(wrong.statusCode, 401);
    assert.match(html(wrong), /用户名或密码错误，还可尝试 4 次/);
    assert.match(wrong.body, new RegExp(`value="${clerk.username}"`));
    assert.doesNotMatch(wrong.body, /wrong-Passw0rd/);
    assert.equal(wrong.cookies.find((c) => c.name === 'zt_session'), undefined);

    const empty = await postLogin({ username: '', password: '' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /id="login-username-error">请输入用户名</);
    assert.match(empty.body, /aria-describedby="login-username-error"/);
    assert.match(empty.body, /aria-invalid="true"/);

    const english = await postLogin({ username: 'nobody-here', password: 'x' }, '?lang=en');
    // An unknown account answers as a wrong password does: the page does not tell who has an account.
    assert.equal(english.statusCode, 401);
    assert.match(english.body, /Wrong username or password: 4 more tries/);

    const huge = await postLogin({ username: 'x'.repeat(5000), password: 'x' });
    assert.equal(huge.statusCode, 400);
    const json = await ctx.app.inject({ method: 'POST', url: '/console/login', payload: { username: { $ne: 1 }, password: ['a'] } });
    assert.equal(json.statusCode, 400);
    assert.match(html(json), /提交的内容不符合要求/);
  });

  test('the username is escaped when the form comes back', async () => {
    const res = await postLogin({ username: '"><script>alert(1)</script>', password: 'x' });
    assert.equal(res.statusCode, 401);
    assert.doesNotMatch(res.body, /<script>alert/);
    assert.match(res.body, /value="&#34;>&lt;script>alert\(1\)&lt;\/script>"/);
  });

  test('after five failures from one address the page says until when, with Retry-After', async () => {
    const victim = await makeUser(ctx.platform, unit.id, []);
    for (let i = 0; i < 5; i++) {
      await postLogin({ username: victim.username, password: 'wrong' });
      // The growing wait between tries (2 s, 4 s) passes on the test clock.
      ctx.clock.advance(5_000);
    }
    const res = await postLogin({ username: victim.username, password: PASSWORD });
    assert.equal(res.statusCode, 429);
    assert.match(res.body, /从此处登录失败次数过多，请于 .*\d{2}:\d{2} 后再试/);
    assert.equal(res.headers['retry-after'], String(15 * 60 - 5));
  });

  test('too many sign-in attempts get an HTML 429 page', async () => {
    const limited = await createTestContext({ env: { ZT_LOGIN_RATE_LIMIT: '2' } });
    try {
      const attempt = () => limited.app.inject({ method: 'POST', url: '/console/login', payload: { username: 'nobody', password: 'x' } });
      await attempt();
      await attempt();
      const res = await attempt();
      assert.equal(res.statusCode, 429);
      assert.match(html(res), /请求过于频繁/);
      assert.equal(res.headers['retry-after'], '60');
    } finally {
      await limited.close();
    }
  });

  test('logout needs the CSRF token and ends the session on the server', async () => {
    const browser = await signIn(clerk.username);
    const forged = await post(browser, '/logout', {}, false);
    assert.equal(forged.statusCode, 403);
    assert.match(html(forged), /缺少或错误的 CSRF 令牌/);
    assert.equal((await get(browser, '/console')).statusCode, 200);
    const res = await post(browser, '/logout', {});
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/console/login');
    assert.ok(flashOf(res));
    const after = await get(browser, '/console');
    assert.equal(after.statusCode, 303);
    assert.match(String(after.headers.location), /^\/console\/login/);
  });

  test('a flash message is shown once and only from the catalogue', async () => {
    const browser = await signIn(clerk.username);
    const res = await post(browser, '/logout', {});
    const page = await ctx.app.inject({ url: '/console/login', cookies: { zt_flash: flashOf(res)! } });
    assert.match(page.body, /您已安全退出/);
    assert.ok(page.cookies.some((c) => c.name === 'zt_flash' && c.value === ''), 'the flash cookie is cleared');
    const forged = Buffer.from(JSON.stringify({ kind: 'success', key: 'page.login.title<script>', params: {} })).toString('base64url');
    const bad = await ctx.app.inject({ url: '/console/login', cookies: { zt_flash: forged } });
    assert.equal(bad.statusCode, 200);
    assert.doesNotMatch(bad.body, /notice-success/);
    const withParams = Buffer.from(JSON.stringify({ kind: 'success', key: 'flash.unitCreated', params: { name: '<img src=x onerror=alert(1)>' } })).toString('base64url');
    const escaped = await ctx.app.inject({ url: '/console/login', cookies: { zt_flash: withParams } });
    assert.match(escaped.body, /已新增单位“&lt;img src=x onerror=alert\(1\)>”/);
  });

  test('an expired session goes back to the login page with a message', async () => {
    const browser = await signIn(clerk.username);
    ctx.clock.advance(31 * 60 * 1000);
    const res = await get(browser, '/console/profile');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/console/login?next=%2Fconsole%2Fprofile');
    assert.ok(flashOf(res));
  });
});

describe('console', () => {
  test('navigation shows only what the roles allow; other pages are an HTML 403', async () => {
    const browser = await signIn(clerk.username);
    const home = await get(browser, '/console');
    assert.equal(home.statusCode, 200);
    assert.match(html(home), /aria-current="page">工作台首页</);
    assert.doesNotMatch(home.body, /href="\/console\/units"/);
    assert.doesNotMatch(home.body, /href="\/console\/users"/);
    const units = await get(browser, '/console/units');
    assert.equal(units.statusCode, 403);
    assert.match(html(units), /没有执行此操作的权限/);
    assert.match(units.body, /工作台导航/, 'the error page keeps the console shell');

    const admin = await signIn(unitAdmin.username);
    const adminHome = await get(admin, '/console');
    assert.match(adminHome.body, /href="\/console\/users"/);
    assert.doesNotMatch(adminHome.body, /href="\/console\/regions"/);
  });

  test('every page of the console renders without untranslated keys, in both languages', async () => {
    const browser = await signIn(unitAdmin.username);
    for (const lang of ['zh-CN', 'en']) {
      for (const url of ['/console', '/console/profile', '/console/sessions', '/console/users', `/console/users?unit=${unit.id}&unitQ=%E6%B0%91%E6%94%BF`]) {
        const res = await get(browser, `${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
        assert.equal(res.statusCode, 200, url);
        assert.doesNotMatch(res.body, /\b(page|console|ui|flash|site|error)\.[a-zA-Z]+\.[a-zA-Z.]+\b(?![^<]*\.(ts|js|css|svg))/, `${url} in ${lang}`);
      }
    }
  });

  test('sessions: the list marks the current one; another one can be ended, someone else’s cannot', async () => {
    const first = await signIn(clerk.username);
    const second = await signIn(clerk.username);
    const page = await get(first, '/console/sessions');
    assert.match(html(page), /当前会话/);
    const ids = [...page.body.matchAll(/action="\/console\/sessions\/([^/]+)\/end"/g)].map((m) => m[1]);
    assert.ok(ids.length >= 1);
    const otherBrowser = await signIn(unitAdmin.username);
    const foreign = await post(otherBrowser, `/console/sessions/${ids[0]}/end`, {});
    assert.equal(foreign.statusCode, 404);
    for (const id of ids) assert.equal((await post(first, `/console/sessions/${id}/end`, {})).statusCode, 303);
    assert.equal((await get(second, '/console')).statusCode, 303, 'the ended session is signed out');
    assert.equal((await get(first, '/console')).statusCode, 200);
  });

  test('a forced password change: only the profile until the password is changed', async () => {
    const newcomer = await makeUser(ctx.platform, unit.id, ['unit_admin'], { mustChangePassword: true });
    const login = await postLogin({ username: newcomer.username, password: PASSWORD, next: '/console/users' });
    assert.equal(login.headers.location, '/console/profile');
    const browser = await signIn(newcomer.username);
    const users = await get(browser, '/console/users');
    assert.equal(users.statusCode, 303);
    assert.equal(users.headers.location, '/console/profile');
    const profile = await get(browser, '/console/profile');
    assert.match(profile.body, /请先修改初始密码/);
    assert.doesNotMatch(profile.body, /href="\/console\/users"/, 'the navigation waits for the change');

    const mismatch = await post(browser, '/console/profile/password', { currentPassword: PASSWORD, newPassword: 'N3w!Passw0rd', confirmPassword: 'other' });
    assert.equal(mismatch.statusCode, 400);
    assert.match(mismatch.body, /id="password-confirmPassword-error">两次输入的新密码不一致</);
    const weak = await post(browser, '/console/profile/password', { currentPassword: PASSWORD, newPassword: 'weak', confirmPassword: 'weak' });
    assert.equal(weak.statusCode, 422);
    assert.match(weak.body, /密码强度不足/);
    const wrongCurrent = await post(browser, '/console/profile/password', { currentPassword: 'nope', newPassword: 'N3w!Passw0rd', confirmPassword: 'N3w!Passw0rd' });
    assert.equal(wrongCurrent.statusCode, 401);
    assert.match(wrongCurrent.body, /当前密码不正确/);
    assert.equal((await get(browser, '/console/profile')).statusCode, 200, 'a wrong current password does not sign the page out');

    const done = await post(browser, '/console/profile/password', { currentPassword: PASSWORD, newPassword: 'N3w!Passw0rd', confirmPassword: 'N3w!Passw0rd' });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/console');
    assert.equal((await get(browser, '/console/users')).statusCode, 200);
  });

  test('TOTP: an administrator is guided to enrolment, enrols with the code, then signs in with one', async () => {
    const login = await postLogin({ username: sysadmin.username, password: PASSWORD });
    assert.equal(login.headers.location, '/console/profile');
    const browser = await signIn(sysadmin.username);
    const blocked = await get(browser, '/console/units');
    assert.equal(blocked.statusCode, 303);
    assert.equal(blocked.headers.location, '/console/profile#totp');
    const home = await get(browser, '/console');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /请先绑定动态验证码/);

    const begun = await post(browser, '/console/profile/totp', {});
    assert.equal(begun.statusCode, 200);
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(begun.body)![1];
    assert.match(begun.body, /otpauth:\/\/totp\//);
    assert.match(begun.body, /src="data:image\/svg\+xml;base64,/);

    const wrong = await post(browser, '/console/profile/totp/confirm', { code: '000000', secret });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, /动态验证码错误或已使用/);
    assert.match(wrong.body, new RegExp(`id="totp-secret">${secret}<`), 'the key is shown again');
    const malformed = await post(browser, '/console/profile/totp/confirm', { code: '12ab', secret });
    assert.equal(malformed.statusCode, 400);

    const ok = await post(browser, '/console/profile/totp/confirm', { code: totpCode(secret), secret });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/console');
    assert.equal((await get(browser, '/console/units')).statusCode, 200);
    sysadminSecret = secret;

    ctx.clock.advance(60_000);
    const loginPage = await ctx.app.inject({ url: '/console/login' });
    const loginCookie = loginPage.cookies.find((c) => c.name === 'zt_login')!.value;
    const stepToken = /name="_login" value="([^"]+)"/.exec(loginPage.body)![1];
    const needsCode = await ctx.app.inject({
      method: 'POST',
      url: '/console/login',
      cookies: { zt_login: loginCookie },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: sysadmin.username, password: PASSWORD, _login: stepToken }).toString(),
    });
    // The code is the second step of signing in, not an error: the password is not asked again.
    assert.equal(needsCode.statusCode, 200);
    assert.match(needsCode.body, /name="totp"/);
    assert.match(html(needsCode), /第二步/);
    assert.doesNotMatch(needsCode.body, /name="password"/);
    assert.doesNotMatch(needsCode.body, /class="error-summary/);
    const pending = needsCode.cookies.find((c) => c.name === 'zt_login_pending')!;
    assert.ok(pending.httpOnly);
    const secondStep = (totp: string, pendingValue = pending.value) =>
      ctx.app.inject({
        method: 'POST',
        url: '/console/login',
        cookies: { zt_login: loginCookie, zt_login_pending: pendingValue },
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ step: 'totp', totp, _login: stepToken }).toString(),
      });
    const wrongStep = await secondStep('000000');
    assert.equal(wrongStep.statusCode, 401);
    assert.match(wrongStep.body, /name="totp"/);
    const forgedStep = await secondStep(totpCode(secret), pending.value.replace(/.$/, (c) => (c === '0' ? '1' : '0')));
    assert.equal(forgedStep.statusCode, 401);
    const stepOk = await secondStep(totpCode(secret));
    assert.equal(stepOk.statusCode, 303, stepOk.body);
    assert.equal(stepOk.headers.location, '/console');
    ctx.clock.advance(30_000);
    const badCode = await postLogin({ username: sysadmin.username, password: PASSWORD, totp: '12345' });
    assert.equal(badCode.statusCode, 400);
    const withCode = await postLogin({ username: sysadmin.username, password: PASSWORD, totp: totpCode(secret) });
    assert.equal(withCode.statusCode, 303);
    assert.equal(withCode.headers.location, '/console');
    const reused = await postLogin({ username: sysadmin.username, password: PASSWORD, totp: totpCode(secret) });
    assert.equal(reused.statusCode, 401);
    assert.match(reused.body, /动态验证码错误或已使用/);
  });

  async function sysadminBrowser() {
    assert.ok(sysadminSecret, 'runs after the TOTP test');
    ctx.clock.advance(31_000);
    return signIn(sysadmin.username, PASSWORD, totpCode(sysadminSecret));
  }

  test('units: search, add with validation, escaped names, scope, CSRF', async () => {
    const browser = await sysadminBrowser();
    const list = await get(browser, '/console/units?q=%E7%94%B2%E5%8E%BF');
    assert.match(html(list), /甲县民政局/);
    assert.doesNotMatch(list.body, /乙县民政局/);

    const bad = await post(browser, '/console/units', { name: '甲县测试局', regionCode: '990102', kind: 'department', creditCode: '11440300000000001X' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="unit-creditCode-error"/);
    assert.match(bad.body, /value="甲县测试局"/);
    assert.match(bad.body, /href="#unit-creditCode"/);

    const outside = await post(browser, '/console/units', { name: '乙县测试局', regionCode: '990103', kind: 'department' });
    assert.equal(outside.statusCode, 400);
    assert.match(outside.body, /不在您的管理范围内/);
    const emptyKind = await post(browser, '/console/units', { name: '甲县测试局', regionCode: '990102', kind: 'castle' });
    assert.equal(emptyKind.statusCode, 400);
    assert.match(emptyKind.body, /请选择单位类型/);

    const forged = await post(browser, '/console/units', { name: '伪造', regionCode: '990102', kind: 'department' }, false);
    assert.equal(forged.statusCode, 403);

    const name = '<b>甲县</b>市场监管局';
    const created = await post(browser, '/console/units', { name, regionCode: '990102', kind: 'department', creditCode: creditCode(777) });
    assert.equal(created.statusCode, 303);
    assert.match(String(created.headers.location), /^\/console\/units\?region=990102&q=/);
    const shown = await ctx.app.inject({ url: created.headers.location as string, cookies: { ...browser.cookies, zt_flash: flashOf(created)! } });
    assert.doesNotMatch(shown.body, /<b>甲县<\/b>/);
    assert.match(shown.body, /<td>&lt;b>甲县&lt;\/b>市场监管局<\/td>/);
    assert.match(shown.body, /已新增单位/);

    const twice = await post(browser, '/console/units', { name, regionCode: '990102', kind: 'department' });
    assert.equal(twice.statusCode, 409);
    assert.match(twice.body, /error-summary/);

    const badCursor = await get(browser, '/console/units?cursor=nonsense');
    assert.equal(badCursor.statusCode, 400);
    const htmx = await get(browser, '/console/units?q=%E7%94%B2', { 'hx-request': 'true' });
    assert.match(htmx.body, /id="units-results"/);
  });

  test('units: keyset pages forward with a next link and back to the first page', async () => {
    for (let i = 0; i < 22; i++) await makeUnit(ctx.platform, `乙县第${String(i).padStart(2, '0')}办公室`, '990103');
    const browser = await sysadminBrowser();
    const first = await get(browser, '/console/units?region=990103');
    const rows = (body: string) => (body.match(/<td>乙县/g) ?? []).length;
    assert.equal(rows(first.body), 20);
    const next = /<a href="([^"]+)" rel="next">下一页<\/a>/.exec(first.body)![1].replace(/&amp;/g, '&');
    assert.match(next, /^\/console\/units\?region=990103&cursor=/);
    const second = await get(browser, next);
    assert.equal(rows(second.body), 3);
    assert.doesNotMatch(second.body, /rel="next"/);
    assert.match(second.body, /返回第一页/);
  });

  test('regions: browse one level at a time and add one with the code rules', async () => {
    const browser = await sysadminBrowser();
    const top = await get(browser, '/console/regions');
    assert.match(html(top), /990000/);
    const county = await get(browser, '/console/regions?parent=990102');
    assert.match(county.body, /甲镇/);
    assert.match(county.body, /9 位数字/);
    const bad = await post(browser, '/console/regions', { parentCode: '990102', code: '990103001', name: '错镇' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /上级不正确/);
    const empty = await post(browser, '/console/regions', { parentCode: '990102', code: '', name: '' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /请填写区划代码/);
    const ok = await post(browser, '/console/regions', { parentCode: '990102', code: '990102002', name: '乙镇' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/console/regions?parent=990102');
    assert.match((await get(browser, '/console/regions?parent=990102')).body, /乙镇/);
    const twice = await post(browser, '/console/regions', { parentCode: '990102', code: '990102002', name: '乙镇' });
    assert.equal(twice.statusCode, 409);
    assert.equal((await get(browser, '/console/regions?parent=123456')).statusCode, 404);
  });

  test('users: a unit administrator lists, creates and disables accounts of the unit only', async () => {
    const browser = await signIn(unitAdmin.username);
    const list = await get(browser, '/console/users');
    assert.match(html(list), new RegExp(clerk.username));
    assert.match(list.body, /在甲县民政局新建账号/);
    assert.equal((await get(browser, `/console/users?unit=${otherUnit.id}`)).statusCode, 404);
    assert.equal((await post(browser, '/console/users', { unitId: otherUnit.id, username: 'intruder', displayName: 'x', password: 'N3w!Passw0rd' })).statusCode, 404);

    const bad = await post(browser, '/console/users', { unitId: unit.id, username: 'a', displayName: '', password: '' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /请设置初始密码/);
    const badFields = await post(browser, '/console/users', { unitId: unit.id, username: 'a', displayName: '', password: 'N3w!Passw0rd', phone: '123' });
    assert.equal(badFields.statusCode, 400);
    assert.match(badFields.body, /id="user-username-error"/);
    assert.match(badFields.body, /id="user-phone-error"/);

    const username = `new.${Date.now()}`;
    const created = await post(browser, '/console/users', { unitId: unit.id, username, displayName: '张三', password: 'N3w!Passw0rd', phone: '13800138000' });
    assert.equal(created.statusCode, 303);
    const page = await get(browser, `/console/users?unit=${unit.id}&q=${username}`);
    assert.match(page.body, /张三/);
    assert.match(page.body, /待改密码/);
    const id = new RegExp(`action="/console/users/([^/]+)/disable"`).exec(page.body)![1];
    const again = await post(browser, '/console/users', { unitId: unit.id, username, displayName: '张三', password: 'N3w!Passw0rd' });
    assert.equal(again.statusCode, 409);

    const disabled = await post(browser, `/console/users/${id}/disable`, {});
    assert.equal(disabled.statusCode, 303);
    assert.match((await get(browser, `/console/users?unit=${unit.id}&q=${username}`)).body, /已停用/);
    assert.equal((await post(browser, `/console/users/${id}/enable`, {})).statusCode, 303);
    assert.equal((await post(browser, `/console/users/${unitAdmin.id}/disable`, {})).statusCode, 403, 'not oneself');
  });

  test('roles: the security administrator grants and withdraws roles; the three administrators stay apart', async () => {
    const target = await makeUser(ctx.platform, unit.id, ['window_clerk']);
    const browser = await sysadminBrowser();
    assert.equal((await get(browser, `/console/users/${target.id}/roles`)).statusCode, 403, 'the system administrator does not assign roles');

    const sec = await signIn(secadmin.username);
    // The security administrator must enrol TOTP first.
    const begun = await post(sec, '/console/profile/totp', {});
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(begun.body)![1];
    assert.equal((await post(sec, '/console/profile/totp/confirm', { code: totpCode(secret), secret })).statusCode, 303);

    const list = await get(sec, `/console/users?unit=${unit.id}`);
    assert.match(list.body, new RegExp(`href="/console/users/${target.id}/roles"`));
    const form = await get(sec, `/console/users/${target.id}/roles`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /窗口受理人员/);
    const keep = /name="keep" value="([^"]+)"/.exec(form.body)![1];

    const conflict = await post(sec, `/console/users/${target.id}/roles`, { keep, newRole: 'sysadmin' });
    const conflict2 = await post(sec, `/console/users/${target.id}/roles`, { keep: [keep, 'auditor|unit:' + unit.id], newRole: 'sysadmin' });
    assert.equal(conflict.statusCode, 303, 'one administrator role is fine');
    assert.equal(conflict2.statusCode, 422);
    assert.match(conflict2.body, /不能由同一人兼任/);

    const badScope = await post(sec, `/console/users/${target.id}/roles`, { keep, newRole: 'approver', newScope: '12' });
    assert.equal(badScope.statusCode, 400);
    const noRegion = await post(sec, `/console/users/${target.id}/roles`, { keep, newRole: 'approver', newScope: '990199' });
    assert.equal(noRegion.statusCode, 400);
    assert.match(noRegion.body, /行政区划 990199 不存在/);

    const saved = await post(sec, `/console/users/${target.id}/roles`, { keep, newRole: 'approver', newScope: '990102' });
    assert.equal(saved.statusCode, 303);
    const after = await get(sec, `/console/users/${target.id}/roles`);
    assert.match(after.body, /审批人员/);
    assert.doesNotMatch(after.body, /系统管理员<\/label>|value="sysadmin\|/);
    assert.equal((await get(sec, `/console/users/${secadmin.id}/roles`)).statusCode, 200);
    const self = await post(sec, `/console/users/${secadmin.id}/roles`, { newRole: 'approver' });
    assert.equal(self.statusCode, 403);
    assert.equal((await get(sec, '/console/users/nope/roles')).statusCode, 404);
  });

  test('calendar: the year view lists the special days; a day is set, changed and cleared', async () => {
    const browser = await sysadminBrowser();
    const year = await get(browser, '/console/calendar?year=2026');
    assert.equal(year.statusCode, 200);
    assert.match(html(year), /国庆节/);
    assert.match(year.body, /国务院办公厅关于2026年部分节假日安排的通知/);
    const empty = await get(browser, '/console/calendar?year=2031');
    assert.match(empty.body, /2031 年的法定节假日安排尚未录入/);

    const weekday = await post(browser, '/console/calendar/days', { year: '2031', date: '2031-03-05', kind: 'workday', name: '调休' });
    assert.equal(weekday.statusCode, 400);
    assert.match(weekday.body, /本来就是工作日/);
    const badDate = await post(browser, '/console/calendar/days', { year: '2031', date: '2031-02-30', kind: 'holiday', name: '错' });
    assert.equal(badDate.statusCode, 400);
    assert.match(badDate.body, /不是有效的日期/);
    const noName = await post(browser, '/console/calendar/days', { year: '2031', date: '2031-01-01', kind: 'holiday', name: '' });
    assert.equal(noName.statusCode, 400);

    const set = await post(browser, '/console/calendar/days', { year: '2031', date: '2031-01-01', kind: 'holiday', name: '元旦' });
    assert.equal(set.statusCode, 303);
    assert.equal(set.headers.location, '/console/calendar?year=2031');
    const edit = await get(browser, '/console/calendar?year=2031&date=2031-01-01');
    assert.match(edit.body, /修改 2031-01-01/);
    assert.match(edit.body, /value="元旦"/);
    const marked = await post(browser, '/console/calendar/years/2031', { source: '测试通知' });
    assert.equal(marked.statusCode, 303);
    assert.match((await get(browser, '/console/calendar?year=2031')).body, /依据：测试通知/);
    assert.equal((await post(browser, '/console/calendar/years/2031/clear', {})).statusCode, 303);
    assert.equal((await post(browser, '/console/calendar/days/2031-01-01/clear', {})).statusCode, 303);
    assert.doesNotMatch((await get(browser, '/console/calendar?year=2031')).body, /元旦/);
    assert.equal((await get(browser, '/console/calendar?year=1999')).statusCode, 400);

    const clerkBrowser = await signIn(clerk.username);
    assert.equal((await get(clerkBrowser, '/console/calendar')).statusCode, 403);
  });
});
