import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, loginSession, problem, PASSWORD, type TestContext } from '../../../test/helpers.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
});
after(() => ctx.close());

test('login returns the user and a CSRF token; /me answers with the cookie', async () => {
  const unit = await makeUnit(ctx.platform);
  const user = await makeUser(ctx.platform, unit.id, ['approver']);
  const { cookie, csrfToken, response } = await loginSession(ctx.app, user.username);
  assert.equal(response.json().user.username, user.username);
  assert.ok(csrfToken.length > 10);
  const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
  assert.equal(me.statusCode, 200);
  assert.deepEqual(me.json().roles, [{ role: 'approver', scope: { unitId: unit.id } }]);
});

test('wrong password is 401 AUTH_INVALID; the fifth in a row throttles the name from that address (429) until the lock ends', async () => {
  const unit = await makeUnit(ctx.platform);
  const user = await makeUser(ctx.platform, unit.id);
  for (let i = 1; i <= 4; i++) {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password: 'wrong-Pass1' } });
    assert.equal(problem(res).body.code, 'AUTH_INVALID', `attempt ${i}`);
    // The waits after the third and fourth failures (2 s, 4 s) pass.
    ctx.clock.advance(5_000);
  }
  const fifth = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password: 'wrong-Pass1' } });
  assert.equal(fifth.statusCode, 429);
  const sixth = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password: PASSWORD } });
  assert.equal(sixth.statusCode, 429);
  assert.equal(sixth.json().code, 'AUTH_THROTTLED');
  ctx.clock.advance(16 * 60 * 1000);
  const later = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password: PASSWORD } });
  assert.equal(later.statusCode, 200);
});

test('a cookie request without the CSRF token is refused', async () => {
  const unit = await makeUnit(ctx.platform);
  const user = await makeUser(ctx.platform, unit.id);
  const { cookie, csrfToken } = await loginSession(ctx.app, user.username);
  const without = await ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { cookie }, payload: { name: 'x', expiresInDays: 1 } });
  assert.equal(without.statusCode, 403);
  assert.equal(without.json().code, 'CSRF_INVALID');
  const withToken = await ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { cookie, 'x-csrf-token': csrfToken }, payload: { name: 'x', expiresInDays: 1 } });
  assert.equal(withToken.statusCode, 201);
  const viaToken = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${withToken.json().token}` } });
  assert.equal(viaToken.json().username, user.username);
});

test('sessions end after 30 idle minutes and on logout', async () => {
  const unit = await makeUnit(ctx.platform);
  const user = await makeUser(ctx.platform, unit.id);
  const first = await loginSession(ctx.app, user.username);
  ctx.clock.advance(31 * 60 * 1000);
  const expired = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: first.cookie } });
  assert.equal(expired.statusCode, 401);
  assert.equal(expired.json().code, 'SESSION_EXPIRED');
  const second = await loginSession(ctx.app, user.username);
  const out = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: second.cookie, 'x-csrf-token': second.csrfToken } });
  assert.equal(out.statusCode, 204);
  const after = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: second.cookie } });
  assert.equal(after.statusCode, 401);
});

test('the three administrator roles cannot be held together', async () => {
  const unit = await makeUnit(ctx.platform);
  const sec = await makeUser(ctx.platform, unit.id, ['secadmin']);
  const target = await makeUser(ctx.platform, unit.id);
  const res = await ctx.app.inject({ method: 'PUT', url: `/api/v1/users/${target.id}/roles`, headers: bearer(sec), payload: { roles: [{ role: 'sysadmin' }, { role: 'auditor' }] } });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().code, 'ROLE_CONFLICT');
  const ok = await ctx.app.inject({ method: 'PUT', url: `/api/v1/users/${target.id}/roles`, headers: bearer(sec), payload: { roles: [{ role: 'approver' }] } });
  assert.equal(ok.statusCode, 200);
  const sys = await makeUser(ctx.platform, unit.id, ['sysadmin']);
  const notSec = await ctx.app.inject({ method: 'PUT', url: `/api/v1/users/${target.id}/roles`, headers: bearer(sys), payload: { roles: [] } });
  assert.equal(notSec.statusCode, 403);
});

test('validation errors are problem+json in the caller language, unknown fields refused', async () => {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'accept-language': 'en' }, payload: { username: 'a', password: 'b', extra: 1 } });
  assert.equal(res.statusCode, 400);
  assert.match(String(res.headers['content-type']), /application\/problem\+json/);
  assert.equal(res.json().code, 'VALIDATION_FAILED');
  assert.equal(res.json().title, 'The request is not valid');
  assert.ok(res.json().errors.some((e: { path: string }) => e.path === 'body.extra'));
  const zh = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":' });
  assert.equal(zh.statusCode, 400);
  assert.equal(zh.json().code, 'MALFORMED_REQUEST');
  assert.equal(zh.json().title, '请求格式错误，无法解析');
});
