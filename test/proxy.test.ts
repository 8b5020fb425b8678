// Which address is the client's behind a reverse proxy: only trusted proxies may say it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from '../src/config/index.ts';
import { createTestContext, makeUnit, makeUser, seedRegions, PASSWORD, type TestContext } from './helpers.ts';

const contexts: TestContext[] = [];
after(async () => {
  for (const ctx of contexts) await ctx.close();
});

/** Signs in from `remoteAddress` with the given X-Forwarded-For; answers the address the session recorded. */
async function addressSeen(ctx: TestContext, remoteAddress: string, forwardedFor?: string): Promise<string> {
  const unit = await makeUnit(ctx.platform);
  const user = await makeUser(ctx.platform, unit.id, ['window_clerk']);
  const headers = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, headers, payload: { username: user.username, password: PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  const cookie = login.cookies.find((c) => c.name === 'zt_session')!;
  const sessions = await ctx.app.inject({ method: 'GET', url: '/api/v1/me/sessions', headers: { cookie: `zt_session=${cookie.value}` } });
  return (sessions.json().items as Array<{ ip: string; current: boolean }>).find((s) => s.current)!.ip;
}

async function contextTrusting(setting: string | undefined) {
  const ctx = await createTestContext({ env: setting === undefined ? {} : { ZT_TRUST_PROXY: setting } });
  contexts.push(ctx);
  await seedRegions(ctx.platform);
  return ctx;
}

test('ZT_TRUST_PROXY names proxies, networks or a hop count; "trust everyone" and nonsense are refused at start', () => {
  assert.equal(loadConfig({}).trustProxy, false);
  assert.equal(loadConfig({ ZT_TRUST_PROXY: '0' }).trustProxy, false);
  assert.equal(loadConfig({ ZT_TRUST_PROXY: '2' }).trustProxy, 2);
  assert.deepEqual(loadConfig({ ZT_TRUST_PROXY: '10.0.0.5, 10.0.1.0/24,fd00::/8,loopback' }).trustProxy, ['10.0.0.5', '10.0.1.0/24', 'fd00::/8', 'loopback']);
  for (const bad of ['true', 'yes', '10.0.0.300', '10.0.1.0/33', 'proxy.local', '10.0.0.5,', '99']) {
    assert.throws(() => loadConfig({ ZT_TRUST_PROXY: bad }), (e: unknown) => e instanceof ConfigError && e.setting === 'ZT_TRUST_PROXY', bad);
  }
});

test('without trusted proxies, X-Forwarded-For is ignored: the address is the peer that connected', async () => {
  const ctx = await contextTrusting(undefined);
  assert.equal(await addressSeen(ctx, '203.0.113.9', '1.2.3.4'), '203.0.113.9');
});

test('a spoofed X-Forwarded-For from an untrusted address is ignored; through the trusted proxy the first untrusted hop is the client', async () => {
  const ctx = await contextTrusting('10.0.0.5,10.0.1.0/24');
  // A caller on the internet cannot choose its address by sending the header.
  assert.equal(await addressSeen(ctx, '203.0.113.9', '1.2.3.4'), '203.0.113.9');
  // Through the proxy: the address the proxy saw, even when the caller put a fake one in front.
  assert.equal(await addressSeen(ctx, '10.0.0.5', '1.2.3.4, 198.51.100.7'), '198.51.100.7');
  // Through two trusted proxies (the second in the trusted network).
  assert.equal(await addressSeen(ctx, '10.0.0.5', '1.2.3.4, 198.51.100.7, 10.0.1.20'), '198.51.100.7');
});

test('a hop count trusts that many proxies in front, no more', async () => {
  const ctx = await contextTrusting('1');
  assert.equal(await addressSeen(ctx, '10.9.9.9', '1.2.3.4, 198.51.100.7'), '198.51.100.7');
  assert.equal(await addressSeen(ctx, '10.9.9.9'), '10.9.9.9');
});
