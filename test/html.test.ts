// The pages are valid HTML: what the W3C checker reports (unknown attributes such as htmx's bare
// `hx-*`, wrong nesting, duplicate ids) fails here first, offline, with html-validate's
// standard-conformance rules.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HtmlValidate } from 'html-validate';
import * as OTPAuth from 'otpauth';
import { createTestContext, loginSession, makeUnit, makeUser, seedRegions, type TestContext } from './helpers.ts';

const validator = new HtmlValidate({ extends: ['html-validate:standard'] });

const PUBLIC_PAGES = ['/', '/accessibility', '/login', '/login?method=sms&kind=enterprise', '/console/login', '/register', '/register?kind=enterprise', '/password-reset', '/services', '/services/progress', '/services/results', '/services/certificates'];
/** Console pages by the role that sees them: the three administrators hold no other role. */
const STAFF_PAGES = [
  '/console',
  '/console/profile',
  '/console/sessions',
  '/console/approval/tasks',
  '/console/approval/intake',
  '/console/approval/items',
  '/console/approval/items/new',
  '/console/approval/seal',
  '/console/supervision',
  '/console/supervision/cards',
  '/console/supervision/stats',
];
const SYSADMIN_PAGES = ['/console', '/console/units', '/console/users', '/console/regions', '/console/calendar'];
const AUDITOR_PAGES = ['/console/audit', '/console/audit/verify'];

let ctx: TestContext;
const cookies: Record<'staff' | 'sysadmin' | 'auditor', string> = { staff: '', sysadmin: '', auditor: '' };
before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
  const unit = await makeUnit(ctx.platform, '测试市政务服务管理局', '990100', 'service_center');
  const staff = await makeUser(ctx.platform, unit.id, [
    'window_clerk',
    'approver',
    'unit_admin',
    { role: 'supervisor', scope: { regionCode: '990100' } },
  ]);
  const sysadmin = await makeUser(ctx.platform, unit.id, [{ role: 'sysadmin', scope: { regionCode: '990100' } }]);
  const auditor = await makeUser(ctx.platform, unit.id, [{ role: 'auditor', scope: { regionCode: '990100' } }]);
  for (const [who, user] of [['staff', staff], ['sysadmin', sysadmin], ['auditor', auditor]] as const) {
    cookies[who] = await signInWithTotp(user.username);
  }
});
after(() => ctx.close());

/** Supervisors and the administrators must enrol a one-time code before the console opens to them. */
async function signInWithTotp(username: string): Promise<string> {
  const session = await loginSession(ctx.app, username);
  const headers = { cookie: session.cookie, 'x-csrf-token': session.csrfToken };
  const begin = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/totp', headers });
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(begin.json().secret), digits: 6, period: 30 });
  const confirm = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/totp/confirm', headers, payload: { code: totp.generate({ timestamp: ctx.clock.now().getTime() }) } });
  assert.equal(confirm.statusCode, 204);
  return session.cookie;
}

async function assertValidPage(url: string, cookie?: string): Promise<string> {
  const res = await ctx.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
  assert.equal(res.statusCode, 200, `${url} answers ${res.statusCode} ${res.headers.location ?? ""}`);
  assert.match(String(res.headers['content-type']), /text\/html/);
  // html-validate knows no attribute lists, so the one the W3C checker found is looked for here.
  assert.doesNotMatch(res.body, /<[^>]*\shx-[a-z]/, `${url}: htmx attributes are written data-hx-*`);
  const report = await validator.validateString(res.body, url);
  const errors = report.results.flatMap((result) => result.messages.map((m) => `${url}:${m.line}:${m.column} ${m.ruleId} ${m.message}`));
  assert.deepEqual(errors, [], `${url} is not valid HTML`);
  return res.body;
}

test('the public pages are valid HTML', async () => {
  for (const url of PUBLIC_PAGES) await assertValidPage(url);
  assert.match(await assertValidPage('/services'), /<input[^>]* data-hx-get="\/services"/, 'the search box still updates its results');
});

test('the console pages are valid HTML', async () => {
  for (const url of STAFF_PAGES) await assertValidPage(url, cookies.staff);
  for (const url of SYSADMIN_PAGES) await assertValidPage(url, cookies.sysadmin);
  for (const url of AUDITOR_PAGES) await assertValidPage(url, cookies.auditor);
});
