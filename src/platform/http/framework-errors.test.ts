// Every 4xx is problem+json in the caller's language, including what the router and Node's HTTP
// parser refuse before any route runs: a path segment over the router's limit (414), a URL that
// does not decode (400), a body over the limit (413), an unknown route (404), a URL or headers
// beyond Node's header limit (414/431 written on the socket).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestContext, makeUnit, makeUser, bearer, problem, seedRegions, type TestContext, type TestUser } from '../../../test/helpers.ts';

let ctx: TestContext;
let user: TestUser;

before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
  const unit = await makeUnit(ctx.platform, '测试市政务服务中心', '990100', 'service_center');
  user = await makeUser(ctx.platform, unit.id, ['window_clerk']);
});
after(() => ctx?.close());

const PROBLEM = /^application\/problem\+json/;

test('a path segment longer than the router allows is 414 problem+json, in Chinese or English', async () => {
  const long = 'a'.repeat(500);
  let res = await ctx.app.inject({ method: 'GET', url: `/api/v1/units/${long}`, headers: bearer(user) });
  assert.equal(res.statusCode, 414, res.body);
  assert.match(String(res.headers['content-type']), PROBLEM);
  assert.equal(problem(res).body.code, 'URI_TOO_LONG');
  assert.equal(problem(res).body.detail, '请求地址过长');

  res = await ctx.app.inject({ method: 'GET', url: `/api/v1/units/${long}`, headers: { ...bearer(user), 'accept-language': 'en' } });
  assert.equal(res.statusCode, 414);
  assert.equal(problem(res).body.detail, 'The request address is too long');

  // Pages too: a long segment of a console path is not Fastify's own JSON.
  res = await ctx.app.inject({ method: 'GET', url: `/console/approval/cases/${long}?lang=en` });
  assert.equal(res.statusCode, 414);
  assert.match(String(res.headers['content-type']), PROBLEM);
  assert.equal(res.json().title, 'The request address is too long');
});

test('a URL that does not decode is 400 problem+json', async () => {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/units/%E0%A4%A', headers: bearer(user) });
  assert.equal(res.statusCode, 400, res.body);
  assert.match(String(res.headers['content-type']), PROBLEM);
  assert.equal(problem(res).body.code, 'MALFORMED_REQUEST');
});

test('a body over the limit is 413 problem+json; an unknown route 404 problem+json', async () => {
  const big = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
  let res = await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: { ...bearer(user), 'content-type': 'application/json', 'accept-language': 'en' }, payload: big });
  assert.equal(res.statusCode, 413, res.body.slice(0, 200));
  assert.match(String(res.headers['content-type']), PROBLEM);
  assert.equal(problem(res).body.code, 'PAYLOAD_TOO_LARGE');
  assert.equal(problem(res).body.detail, 'The request body is too large');

  res = await ctx.app.inject({ method: 'GET', url: '/api/v1/no-such-thing' });
  assert.equal(res.statusCode, 404);
  assert.match(String(res.headers['content-type']), PROBLEM);
  assert.equal(problem(res).body.detail, '找不到请求的对象');

  res = await ctx.app.inject({ method: 'DELETE', url: '/api/v1/health' });
  assert.equal(res.statusCode, 404);
  assert.match(String(res.headers['content-type']), PROBLEM);
});

test('a URL beyond Node’s header limit is refused on the socket as problem+json, not an empty answer', async () => {
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = ctx.app.server.address() as AddressInfo;
  const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/api/v1/${'a'.repeat(20_000)}` }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
  });
  assert.ok(answer.status === 414 || answer.status === 431, String(answer.status));
  assert.match(answer.type, PROBLEM);
  const body = JSON.parse(answer.body) as { code: string; status: number; title: string };
  assert.equal(body.status, answer.status);
  assert.match(body.title, /请求/);
});
