import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, loginSession, makeUnit, makeUser, PASSWORD, seedRegions, type TestContext } from '../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { createPublicAccount } from '../iam/index.ts';
import { AppError } from '../http/errors.ts';
import { pageScope } from './page-scope.ts';

// A module's page plugin, as small as it gets: one console page any signed-in account passes the
// permission check of, one portal page, and one that fails, so only the page scope decides.
let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({
    beforeReady: async (app) => {
      await app.register(async (pages) => {
        pageScope(pages);
        pages.get('/console/probe', { config: { auth: 'user' } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send('<p>probe</p>'));
        pages.get('/probe', { config: { auth: 'user' } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send('<p>portal probe</p>'));
        pages.get('/console/probe/broken', { config: { auth: 'user' } }, async () => {
          throw new AppError('CONFLICT');
        });
      });
    },
  });
  await seedRegions(ctx.platform);
});
after(() => ctx.close());

async function citizenSession() {
  const username = '13900139011';
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createPublicAccount(work, ctx.platform, { name: '王五', password: PASSWORD, kind: 'person', phone: username }));
  return (await loginSession(ctx.app, username)).cookie;
}

test('a console page in a page scope sends a signed-in citizen to the portal, as the platform console does', async () => {
  const cookie = await citizenSession();
  const probe = await ctx.app.inject({ url: '/console/probe', headers: { cookie } });
  const platformConsole = await ctx.app.inject({ url: '/console', headers: { cookie } });
  // No citizen is shown a staff page: both send them to their own pages on the portal.
  assert.equal(platformConsole.statusCode, 303);
  assert.equal(probe.statusCode, 303);
  assert.equal(probe.headers.location, '/account');
  assert.equal(platformConsole.headers.location, '/account');
  assert.doesNotMatch(probe.body, /<p>probe<\/p>/);
  // The portal side of the same scope is theirs.
  const portal = await ctx.app.inject({ url: '/probe', headers: { cookie } });
  assert.equal(portal.statusCode, 200);
});

test('staff pass; errors become HTML pages in the caller’s language; ?lang= is remembered', async () => {
  const unit = await makeUnit(ctx.platform);
  const clerk = await makeUser(ctx.platform, unit.id);
  const { cookie } = await loginSession(ctx.app, clerk.username);
  const ok = await ctx.app.inject({ url: '/console/probe', headers: { cookie } });
  assert.equal(ok.statusCode, 200);
  const broken = await ctx.app.inject({ url: '/console/probe/broken?lang=en', headers: { cookie } });
  assert.equal(broken.statusCode, 409);
  assert.match(String(broken.headers['content-type']), /^text\/html/);
  assert.ok(broken.cookies.some((c) => c.name === 'zt_lang' && c.value === 'en'), 'the language choice is kept');
});
