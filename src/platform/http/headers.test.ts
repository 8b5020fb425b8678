import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestContext, loginSession, makeUnit, makeUser, seedRegions, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { PERMISSIONS_POLICY } from './index.ts';
import { assetUrl } from '../views/assets.ts';

let ctx: TestContext;
let user: TestUser;
before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
  const unit = await makeUnit(ctx.platform);
  user = await makeUser(ctx.platform, unit.id, ['window_clerk']);
});
after(() => ctx.close());

test('API answers with personal data or tokens are not stored by any cache', async () => {
  const signIn = await loginSession(ctx.app, user.username);
  const answers = {
    'sign-in': signIn.response,
    'the caller': await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(user) }),
    'own sessions': await ctx.app.inject({ method: 'GET', url: '/api/v1/me/sessions', headers: { cookie: signIn.cookie } }),
    'task inbox': await ctx.app.inject({ method: 'GET', url: '/api/v1/tasks?mine=true', headers: bearer(user) }),
    'a refusal': await ctx.app.inject({ method: 'GET', url: '/api/v1/me' }),
    'an unknown route': await ctx.app.inject({ method: 'GET', url: '/api/v1/no-such-route' }),
  };
  for (const [what, res] of Object.entries(answers)) {
    assert.ok(res.statusCode < 500, `${what}: ${res.statusCode}`);
    assert.equal(res.headers['cache-control'], 'no-store', what);
  }
  assert.equal(answers['sign-in'].statusCode, 200);
  assert.equal(answers['own sessions'].statusCode, 200);
  assert.equal(answers['a refusal'].statusCode, 401);
});

test('a route that chose its own caching keeps it', async () => {
  const asset = await ctx.app.inject({ method: 'GET', url: assetUrl('app.css') });
  assert.equal(asset.statusCode, 200);
  assert.match(String(asset.headers['cache-control']), /immutable/);
});

test('every answer denies the browser features no page uses', async () => {
  assert.match(PERMISSIONS_POLICY, /(^|, )camera=\(\)/);
  assert.match(PERMISSIONS_POLICY, /microphone=\(\), /);
  assert.match(PERMISSIONS_POLICY, /geolocation=\(\), /);
  for (const url of ['/', '/login', '/api/v1/me', '/healthz', '/no-such-page', '/api/docs/json']) {
    const res = await ctx.app.inject({ method: 'GET', url, headers: bearer(user) });
    assert.equal(res.headers['permissions-policy'], PERMISSIONS_POLICY, url);
  }
  const page = await ctx.app.inject({ method: 'GET', url: '/' });
  assert.equal(page.statusCode, 200);
  assert.equal(page.headers['cache-control'], 'no-store', 'pages are rendered per person and language');
});
