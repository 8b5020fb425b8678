import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import { sql } from 'kysely';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { authenticateBearer, createApiToken, createStaffUser, createPublicAccount } from './index.ts';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, loginSession, PASSWORD, type TestContext } from '../../../test/helpers.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
});
after(() => ctx.close());

const count = async (table: string, where = 'true') =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${sql.raw(where)}`.execute(ctx.platform.db)).rows[0].n;

test('a unit admin creates staff in their own unit only; the new account must change its password', async () => {
  const unit = await makeUnit(ctx.platform);
  const other = await makeUnit(ctx.platform);
  const admin = await makeUser(ctx.platform, unit.id, ['unit_admin']);
  const created = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: bearer(admin),
    payload: { username: 'clerk.wang', displayName: '王文书', password: 'Initial#2026', unitId: unit.id, phone: '13800138000' },
  });
  assert.equal(created.statusCode, 201, created.body);
  const elsewhere = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: bearer(admin),
    payload: { username: 'clerk.li', displayName: '李文书', password: 'Initial#2026', unitId: other.id },
  });
  assert.equal(elsewhere.statusCode, 400);
  assert.equal(await count('users', "username = 'clerk.li'"), 0);

  const dup = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: bearer(admin),
    payload: { username: 'CLERK.wang', displayName: '王二', password: 'Initial#2026', unitId: unit.id },
  });
  assert.equal(dup.statusCode, 409);
  assert.equal(dup.json().code, 'DUPLICATE');

  const { cookie, csrfToken, response } = await loginSession(ctx.app, 'clerk.wang', 'Initial#2026');
  assert.equal(response.json().user.mustChangePassword, true);
  const blocked = await ctx.app.inject({ method: 'GET', url: '/api/v1/roles', headers: { cookie } });
  assert.equal(blocked.json().code, 'PASSWORD_CHANGE_REQUIRED');
  const weak = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/password', headers: { cookie, 'x-csrf-token': csrfToken }, payload: { currentPassword: 'Initial#2026', newPassword: 'password' } });
  assert.equal(weak.json().code, 'PASSWORD_WEAK');
  const changed = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/password', headers: { cookie, 'x-csrf-token': csrfToken }, payload: { currentPassword: 'Initial#2026', newPassword: 'Changed#2026' } });
  assert.equal(changed.statusCode, 204);
  const open = await ctx.app.inject({ method: 'GET', url: '/api/v1/roles', headers: { cookie } });
  assert.equal(open.statusCode, 200);

  // Phone numbers are sealed at rest and masked on screen.
  const stored = await sql<{ phone_sealed: string }>`select phone_sealed from users where username = 'clerk.wang'`.execute(ctx.platform.db);
  assert.ok(!stored.rows[0].phone_sealed.includes('13800138000'));
  const view = await ctx.app.inject({ method: 'GET', url: `/api/v1/users/${created.json().id}`, headers: bearer(admin) });
  assert.equal(view.json().phone, '138****8000');
});

test("another unit's account is 404", async () => {
  const unitA = await makeUnit(ctx.platform);
  const unitB = await makeUnit(ctx.platform, undefined, '990102');
  const adminA = await makeUser(ctx.platform, unitA.id, ['unit_admin']);
  const userB = await makeUser(ctx.platform, unitB.id);
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/users/${userB.id}`, headers: bearer(adminA) });
  assert.equal(res.statusCode, 404);
  const patch = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/users/${userB.id}`, headers: bearer(adminA), payload: { displayName: 'x' } });
  assert.equal(patch.statusCode, 404);
  const disable = await ctx.app.inject({ method: 'POST', url: `/api/v1/users/${userB.id}/disable`, headers: bearer(adminA) });
  assert.equal(disable.statusCode, 404);
});

test('a region-scoped administrator covers every unit below the region', async () => {
  const county = await makeUnit(ctx.platform, undefined, '990102');
  const town = await makeUnit(ctx.platform, undefined, '990102001', 'town');
  const otherCounty = await makeUnit(ctx.platform, undefined, '990103');
  const admin = await makeUser(ctx.platform, county.id, [{ role: 'unit_admin', scope: { regionCode: '990102' } }]);
  const inTown = await makeUser(ctx.platform, town.id);
  const outside = await makeUser(ctx.platform, otherCounty.id);
  assert.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/users/${inTown.id}`, headers: bearer(admin) })).statusCode, 200);
  assert.equal((await ctx.app.inject({ method: 'GET', url: `/api/v1/users/${outside.id}`, headers: bearer(admin) })).statusCode, 404);
});

test('TOTP: required when enrolled, a code works once', async () => {
  const unit = await makeUnit(ctx.platform);
  const user = await makeUser(ctx.platform, unit.id, ['supervisor']);
  const first = await loginSession(ctx.app, user.username);
  assert.equal(first.response.json().user.totpEnrollmentRequired, true);
  const blocked = await ctx.app.inject({ method: 'GET', url: '/api/v1/roles', headers: { cookie: first.cookie } });
  assert.equal(blocked.statusCode, 403);
  const begin = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/totp', headers: { cookie: first.cookie, 'x-csrf-token': first.csrfToken } });
  assert.equal(begin.statusCode, 200);
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(begin.json().secret), digits: 6, period: 30 });
  const code = (offsetSteps: number) => totp.generate({ timestamp: ctx.clock.now().getTime() + offsetSteps * 30000 });
  const confirm = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/totp/confirm', headers: { cookie: first.cookie, 'x-csrf-token': first.csrfToken }, payload: { code: code(0) } });
  assert.equal(confirm.statusCode, 204);

  ctx.clock.advance(60_000);
  const missing = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password: PASSWORD } });
  assert.equal(missing.statusCode, 401);
  assert.equal(missing.json().code, 'TOTP_REQUIRED');
  const fresh = code(0);
  const ok = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password: PASSWORD, totp: fresh } });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.json().user.totpEnrollmentRequired, false);
  const reused = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password: PASSWORD, totp: fresh } });
  assert.equal(reused.statusCode, 401);
  assert.equal(reused.json().code, 'TOTP_INVALID');
});

test('users see and end their own sessions; another user session id is 404', async () => {
  const unit = await makeUnit(ctx.platform);
  const user = await makeUser(ctx.platform, unit.id);
  const other = await makeUser(ctx.platform, unit.id);
  const a = await loginSession(ctx.app, user.username);
  const b = await loginSession(ctx.app, user.username);
  const o = await loginSession(ctx.app, other.username);
  const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/me/sessions', headers: { cookie: a.cookie } });
  assert.equal(list.json().items.length, 2);
  const otherList = await ctx.app.inject({ method: 'GET', url: '/api/v1/me/sessions', headers: { cookie: o.cookie } });
  const otherId = otherList.json().items[0].id;
  const denied = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${otherId}`, headers: { cookie: a.cookie, 'x-csrf-token': a.csrfToken } });
  assert.equal(denied.statusCode, 404);
  const bId = list.json().items.find((s: { current: boolean }) => !s.current).id;
  const ended = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${bId}`, headers: { cookie: a.cookie, 'x-csrf-token': a.csrfToken } });
  assert.equal(ended.statusCode, 204);
  assert.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: b.cookie } })).statusCode, 401);
  // Each login gets a new session id.
  assert.notEqual(a.cookie, b.cookie);
});

test('sessions end 12 hours after login even when active', async () => {
  const unit = await makeUnit(ctx.platform);
  const user = await makeUser(ctx.platform, unit.id);
  const s = await loginSession(ctx.app, user.username);
  for (let i = 0; i < 25; i++) {
    ctx.clock.advance(29 * 60 * 1000);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: s.cookie } });
    if (res.statusCode === 401) {
      assert.ok(i >= 24, `ended too early at step ${i}`);
      return;
    }
  }
  assert.fail('session outlived 12 hours');
});

test('a disabled account cannot sign in and its tokens stop working', async () => {
  const unit = await makeUnit(ctx.platform);
  const admin = await makeUser(ctx.platform, unit.id, ['unit_admin']);
  const user = await makeUser(ctx.platform, unit.id);
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/users/${user.id}/disable`, headers: bearer(admin) });
  assert.equal(res.statusCode, 204);
  assert.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(user) })).statusCode, 401);
  const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password: PASSWORD } });
  assert.equal(login.statusCode, 403);
});

test('bodies: empty, oversized, wrong type are clear 4xx errors', async () => {
  const empty = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '' });
  assert.equal(empty.statusCode, 400);
  const huge = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'x'.repeat(2_000_000), password: 'y' }) });
  assert.equal(huge.statusCode, 413);
  assert.equal(huge.json().code, 'PAYLOAD_TOO_LARGE');
  const wrongType = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 12, password: ['a'] } });
  assert.equal(wrongType.statusCode, 400);
  assert.equal(wrongType.json().errors.length, 2);
  const xml = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
  assert.equal(xml.statusCode, 415);
});

test("accounts are written in the caller's unit of work: when it fails, the account and its audit records go with it", async () => {
  const unit = await makeUnit(ctx.platform);
  const admin = await makeUser(ctx.platform, unit.id, ['unit_admin']);
  const principal = (await authenticateBearer(ctx.platform, admin.token))!;
  const actor = { ...SYSTEM_ACTOR, userId: admin.id, username: admin.username };
  const auditOf = (username: string) => count('audit_log', `action in ('user.create', 'user.register', 'token.create') and details->>'username' = '${username}'`);

  await assert.rejects(
    inTransaction(ctx.platform.db, actor, async (work) => {
      const staff = await createStaffUser(work, ctx.platform, principal, { username: 'rolled.back', displayName: '回滚', password: 'Initial#2026', unitId: unit.id });
      await createApiToken(work, ctx.platform, staff.id, 'with the account', 1);
      await createPublicAccount(work, ctx.platform, { name: '回滚', password: 'Initial#2026', kind: 'person', phone: '13900139077' });
      // The module's own step fails after the accounts were written.
      throw new Error('the rest of the unit of work failed');
    }),
    /the rest of the unit of work failed/,
  );
  assert.equal(await count('users', "username in ('rolled.back', '13900139077')"), 0);
  assert.equal(await auditOf('rolled.back'), 0);
  assert.equal(await count('audit_log', "action = 'user.register'"), 0);
  assert.equal(await count('api_tokens', "name = 'with the account'"), 0);

  // The same unit of work, committed, leaves the account and its record (the check above can fail).
  await inTransaction(ctx.platform.db, actor, (work) =>
    createStaffUser(work, ctx.platform, principal, { username: 'committed.one', displayName: '提交', password: 'Initial#2026', unitId: unit.id }),
  );
  assert.equal(await count('users', "username = 'committed.one'"), 1);
  assert.equal(await auditOf('committed.one'), 1);
});
