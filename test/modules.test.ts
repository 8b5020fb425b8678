// The modules that run are chosen by configuration (ZT_MODULES): the platform alone, approval
// without supervision, or everything. What is not installed leaves no route, no page, no
// navigation, no permission and no reaction to events behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestContext, loginSession, makeUnit, makeUser, seedRegions, bearer, type TestContext } from './helpers.ts';
import { loadConfig, ConfigError } from '../src/config/index.ts';
import { selectModules } from '../src/modules.ts';
import { act, makeWorld, submitCase } from '../src/modules/supervision/testing.ts';

async function apiPaths(ctx: TestContext): Promise<string[]> {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/docs/json' });
  assert.equal(res.statusCode, 200);
  return Object.keys((res.json() as { paths: Record<string, unknown> }).paths);
}

async function consolePage(ctx: TestContext, username: string, url = '/console') {
  const session = await loginSession(ctx.app, username);
  const res = await ctx.app.inject({ method: 'GET', url, headers: { cookie: session.cookie } });
  return res;
}

test('the platform runs alone: no business route, page, navigation or permission is left behind', async () => {
  const ctx = await createTestContext({ env: { ZT_MODULES: 'none' } });
  try {
    await seedRegions(ctx.platform);
    assert.deepEqual(
      ctx.platform.modules.modules.filter((m) => !m.platform).map((m) => m.name),
      [],
    );
    assert.equal((await ctx.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const paths = await apiPaths(ctx);
    assert.ok(paths.includes('/api/v1/units'), 'platform routes are documented');
    assert.ok(!paths.some((p) => p.startsWith('/api/v1/approval') || p.startsWith('/api/v1/supervision')), paths.join(' '));
    assert.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/approval/items' })).statusCode, 404);
    assert.equal((await ctx.app.inject({ method: 'GET', url: '/services' })).statusCode, 404);
    const portal = await ctx.app.inject({ method: 'GET', url: '/' });
    assert.equal(portal.statusCode, 200);
    assert.ok(portal.body.includes('href="/directory"'));
    assert.ok(!portal.body.includes('href="/services'), 'no link leads to a service hall that is not installed');

    const unit = await makeUnit(ctx.platform);
    // A unit administrator (the three administrators must first enrol a second factor).
    const admin = await makeUser(ctx.platform, unit.id, ['unit_admin', 'unit_leader']);
    const roles = (await ctx.app.inject({ method: 'GET', url: '/api/v1/roles', headers: bearer(admin) })).json() as { items: Array<{ role: string; permissions: string[] }> };
    const all = roles.items.flatMap((r) => r.permissions);
    assert.ok(all.includes('unit.write') && all.includes('user.read'));
    assert.ok(!all.some((p) => p.startsWith('approval.') || p.startsWith('supervision.')), all.join(' '));

    const home = await consolePage(ctx, admin.username);
    assert.equal(home.statusCode, 200);
    assert.ok(home.body.includes('/console/users'));
    assert.ok(!home.body.includes('/console/approval') && !home.body.includes('/console/supervision'));
  } finally {
    await ctx.close();
  }
});

test('approval runs without supervision: cases flow and nothing watches them', async () => {
  const ctx = await createTestContext({ env: { ZT_MODULES: 'approval' } });
  try {
    await seedRegions(ctx.platform);
    const world = await makeWorld(ctx);
    const paths = await apiPaths(ctx);
    assert.ok(paths.includes('/api/v1/approval/applications'));
    assert.ok(!paths.some((p) => p.startsWith('/api/v1/supervision')));
    assert.equal(ctx.platform.modules.subscriptionsTo('approval.case.changed').length, 0);

    const submitted = await submitCase(ctx, world);
    await act(ctx, world.people.clerk, submitted.id, 'accept', 'accept', { opinion: '予以受理' });
    const view = await ctx.app.inject({ method: 'GET', url: `/api/v1/approval/applications/${submitted.id}`, headers: bearer(world.citizen) });
    assert.equal(view.json().state, 'accepted');
    // Supervision's tables exist (every known module is migrated) but nobody wrote to them.
    const cards = await sql<{ n: number }>`select count(*)::int as n from supervision_cards`.execute(ctx.platform.db);
    assert.equal(cards.rows[0].n, 0);

    assert.equal((await ctx.app.inject({ method: 'GET', url: '/api/v1/supervision/cards', headers: bearer(world.people.supervisor) })).statusCode, 404);
    const portal = await ctx.app.inject({ method: 'GET', url: '/' });
    assert.ok(portal.body.includes('href="/services"'), 'approval adds the service hall to the public site');
    const home = await consolePage(ctx, world.people.clerk.username);
    assert.ok(home.body.includes('/console/approval/tasks'));
    assert.ok(!home.body.includes('/console/supervision'));
  } finally {
    await ctx.close();
  }
});

test('ZT_MODULES names only known modules', () => {
  assert.equal(loadConfig({ ZT_MODULES: '' }).modules, 'all');
  assert.equal(loadConfig({ ZT_MODULES: 'all' }).modules, 'all');
  assert.deepEqual(loadConfig({ ZT_MODULES: 'none' }).modules, []);
  assert.deepEqual(loadConfig({ ZT_MODULES: 'approval, supervision,approval' }).modules, ['approval', 'supervision']);
  assert.throws(() => loadConfig({ ZT_MODULES: 'Approval!' }), ConfigError);
  assert.throws(() => selectModules(['approvals']), (e: unknown) => e instanceof ConfigError && /unknown module approvals/.test(e.message));
  assert.deepEqual(
    selectModules(['supervision']).filter((m) => !m.platform).map((m) => m.name),
    ['supervision'],
  );
});
