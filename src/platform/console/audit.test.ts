import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import { sql } from 'kysely';
import { createTestContext, loginSession, makeUnit, makeUser, seedRegions, type TestContext } from '../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { enableTotpWithSecret } from '../iam/index.ts';
import { recordAudit } from '../audit/service.ts';

let ctx: TestContext;
let auditorCookie: string;
let sysadminCookie: string;
let unitId: string;

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const totp = () => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(SECRET), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: ctx.clock.now().getTime() });

/** Signs in an account whose role needs TOTP, as its browser would. */
async function sessionOf(roles: Parameters<typeof makeUser>[2]) {
  const user = await makeUser(ctx.platform, unitId, roles);
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => enableTotpWithSecret(work, ctx.platform, user.id, SECRET));
  return (await loginSession(ctx.app, user.username, user.password, totp())).cookie;
}

const page = (cookie: string, url: string) => ctx.app.inject({ method: 'GET', url, headers: { cookie } });

before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
  unitId = (await makeUnit(ctx.platform, '审计测试局')).id;
  auditorCookie = await sessionOf(['auditor']);
  sysadminCookie = await sessionOf(['sysadmin']);
  await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'nobody-here', password: 'Wrong-pass1' } });
});
after(() => ctx.close());

test('the auditor finds the log in the console and filters it by action, prefix, object and period', async () => {
  const overview = await page(auditorCookie, '/console');
  assert.match(overview.body, /href="\/console\/audit"/, 'the auditor’s navigation leads to the log');

  const all = await page(auditorCookie, '/console/audit');
  assert.equal(all.statusCode, 200);
  assert.match(all.body, /安全审计日志/);
  assert.match(all.body, /nobody-here/, 'the failed sign-in is listed with its details');
  assert.match(all.body, /tag-off">失败/);

  const logins = await page(auditorCookie, '/console/audit?action=auth.login');
  assert.match(logins.body, /auth\.login/);
  assert.match(logins.body, />登录</);
  assert.doesNotMatch(logins.body, />新增单位</);

  const units = await page(auditorCookie, '/console/audit?action=unit.*');
  assert.match(units.body, />新增单位</);
  assert.doesNotMatch(units.body, />登录</);
  // `_` in a prefix is a character, not a LIKE wildcard.
  assert.match((await page(auditorCookie, '/console/audit?action=unit_*')).body, /没有符合条件的审计记录/);

  const byObject = await page(auditorCookie, `/console/audit?objectType=unit&objectId=${unitId}`);
  assert.match(byObject.body, />新增单位</);
  assert.match(byObject.body, /审计测试局/, 'the unit by its name');
  assert.match((await page(auditorCookie, '/console/audit?objectType=unit&objectId=nothing')).body, /没有符合条件的审计记录/);

  const today = new Date(ctx.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  assert.match((await page(auditorCookie, `/console/audit?from=${today}&to=${today}`)).body, /nobody-here/, 'today’s records are within today');
  assert.match((await page(auditorCookie, '/console/audit?from=2020-01-01&to=2020-01-31')).body, /没有符合条件的审计记录/);
  assert.equal((await page(auditorCookie, '/console/audit?from=&to=&action=')).statusCode, 200, 'an empty form is no filter');
});

test('bad filters are explained on the page, in the reader’s language', async () => {
  const reversed = await page(auditorCookie, '/console/audit?from=2026-03-02&to=2026-03-01');
  assert.equal(reversed.statusCode, 400);
  assert.match(reversed.body, /截止日期不能早于起始日期/);
  const impossible = await page(auditorCookie, '/console/audit?from=2026-02-30&lang=en');
  assert.equal(impossible.statusCode, 400);
  assert.match(impossible.body, /“2026-02-30” is not a valid date/);
  assert.equal((await page(auditorCookie, '/console/audit?from=yesterday')).statusCode, 400);
  assert.equal((await page(auditorCookie, '/console/audit?cursor=not-a-cursor')).statusCode, 400);
  assert.equal((await page(auditorCookie, `/console/audit?action=${'a'.repeat(101)}`)).statusCode, 400);
});

test('the log pages forward, fifty records at a time', async () => {
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
    for (let i = 0; i < 60; i++) recordAudit(work, { action: 'test.paging', objectType: 'test', objectId: String(i) });
  });
  const first = await page(auditorCookie, '/console/audit?action=test.paging');
  const ids = (body: string) => [...body.matchAll(/>test<\/a> <span>(\d+)<\/span>/g)].map((m) => Number(m[1]));
  assert.equal(ids(first.body).length, 50);
  assert.equal(ids(first.body)[0], 59, 'newest first');
  const next = /href="([^"]+)" rel="next"/.exec(first.body)![1].replaceAll('&amp;', '&');
  const second = await page(auditorCookie, next);
  assert.deepEqual(ids(second.body), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  assert.doesNotMatch(second.body, /rel="next"/);
});

test('the log in words: actions by name, people by their names, objects by name with a link, details as a list, a CSV export', async () => {
  const clerk = await makeUser(ctx.platform, unitId, ['window_clerk']);
  await ctx.platform.db.updateTable('users' as never).set({ display_name: '王小明' } as never).where('id' as never, '=', clerk.id as never).execute();
  await inTransaction(ctx.platform.db, { userId: clerk.id, username: clerk.username, unitId, ip: '10.0.0.7', requestId: null }, async (work) => {
    recordAudit(work, { action: 'user.update', objectType: 'user', objectId: clerk.id, details: { displayName: '王小明', email: 'wang@example.cn' } });
    recordAudit(work, { action: 'approval.task.accept', objectType: 'approval_application', objectId: 'no-such-case', details: { state: 'accepted', reason: '材料齐全' } });
  });
  const body = (await page(auditorCookie, `/console/audit?actor=${clerk.id}`)).body;
  assert.match(body, />修改账号信息</, 'the action in words');
  assert.match(body, />受理</);
  assert.doesNotMatch(body, />approval\.task\.accept</, 'no code as the action’s text');
  assert.match(body, />王小明</, 'the person by name');
  assert.doesNotMatch(body, new RegExp(`>${clerk.username}<`), 'not the login name');
  assert.doesNotMatch(body, /user [0-9a-f-]{36}/, 'no “user <uuid>”');
  assert.match(body, />账号<\/a> <a href="\/console\/audit\?actor=/, 'the object type in words, the object by name with a link');
  assert.match(body, />审批件<\/a> <span>no-such-case<\/span>/, 'an object its module does not know keeps its type in words');
  assert.match(body, /<dl class="audit-details"><dt>状态<\/dt><dd>accepted<\/dd><dt>原因<\/dt><dd>材料齐全<\/dd><\/dl>/, 'details as a definition list');
  assert.doesNotMatch(body.slice(body.indexOf('id="audit"')), /\{&#34;|\{"/, 'no raw JSON in the table');
  const exportLink = /href="(\/console\/audit\/export\.csv[^"]*)"/.exec(body)![1].replaceAll('&amp;', '&');
  const csv = await page(auditorCookie, exportLink);
  assert.equal(csv.statusCode, 200);
  assert.match(String(csv.headers['content-type']), /^text\/csv; charset=utf-8/);
  assert.match(String(csv.headers['content-disposition']), /attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"/);
  assert.deepEqual([...csv.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM');
  const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.equal(lines[0], '时间,操作人,操作,对象类型,对象,结果,IP 地址,详情,记录编号');
  assert.equal(lines.length, 3, 'the same filter: the clerk’s two records only');
  assert.match(lines[1], /,王小明,受理,审批件,no-such-case,成功,10\.0\.0\.7,状态: accepted; 原因: 材料齐全,\d+$/);
  assert.match(lines[2], /,王小明,修改账号信息,账号,王小明,成功,/);
  assert.equal((await page(sysadminCookie, '/console/audit/export.csv')).statusCode, 403);
});

test('the auditor verifies the chain, and a record altered behind the trigger is reported with a link to it', async () => {
  const whole = await page(auditorCookie, '/console/audit/verify');
  assert.equal(whole.statusCode, 200);
  assert.match(whole.body, /哈希链完整/);

  const { rows } = await sql<{ id: number }>`select id from audit_log where action = 'test.paging' order by id limit 1`.execute(ctx.platform.db);
  const target = rows[0].id;
  await sql`alter table audit_log disable trigger audit_log_no_update`.execute(ctx.platform.db);
  await sql`update audit_log set details = '{"forged":true}' where id = ${target}`.execute(ctx.platform.db);
  await sql`alter table audit_log enable trigger audit_log_no_update`.execute(ctx.platform.db);
  const broken = await page(auditorCookie, '/console/audit/verify');
  assert.match(broken.body, /哈希链在一条记录处断开/);
  assert.match(broken.body, new RegExp(`第 ${target} 号记录与链不符`));
  const link = /href="(\/console\/audit\?cursor=[^"]+)"/.exec(broken.body)![1];
  const from = await page(auditorCookie, link.replaceAll('&amp;', '&'));
  assert.match(from.body, new RegExp(`id="audit-${target}"`), 'the link shows the broken record first');
  assert.match(from.body, /forged/);
});

test('only the auditor reads the log: the system administrator is refused and not shown the way', async () => {
  assert.equal((await page(sysadminCookie, '/console/audit')).statusCode, 403);
  assert.equal((await page(sysadminCookie, '/console/audit/verify')).statusCode, 403);
  assert.doesNotMatch((await page(sysadminCookie, '/console')).body, /href="\/console\/audit"/);
  const anonymous = await ctx.app.inject({ method: 'GET', url: '/console/audit' });
  assert.equal(anonymous.statusCode, 303);
  assert.match(String(anonymous.headers.location), /^\/console\/login\?next=/);
});
