/**
 * 访问统计 in the console: a site's visits per day and per column from the counts kept where pages
 * are served; another site's pages (the main site's, another sub-site's) are not added to it; an
 * editor sees only the sites of their unit; a wrong period is refused in the caller's language.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginSession, type TestUser } from '../../../test/helpers.ts';
import { countVisit, flushVisits } from '../../platform/static/index.ts';
import { portalFixture, type PortalFixture } from './testing.ts';

let f: PortalFixture;
let eduSiteId = '';
let noticesUrl = '';
before(async () => {
  f = await portalFixture();
  const { people, units } = f;
  assert.equal((await f.post(people.sysadmin, '/api/v1/portal/sites', { name: '云川市人民政府', kind: 'main', unitId: units.office, slug: 'www' })).statusCode, 201);
  const edu = await f.post(people.sysadmin, '/api/v1/portal/sites', { name: '云川市教育局', kind: 'department', unitId: units.edu, slug: 'jyj' });
  assert.equal(edu.statusCode, 201, edu.body);
  eduSiteId = edu.json().id;
  type Node = { id: string; name: string; url: string; children: Node[] };
  const flat = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flat(n.children)]);
  noticesUrl = flat((await f.get(people.eduEditor, `/api/v1/portal/sites/${eduSiteId}/columns`)).json().items).find((c) => c.name === '通知公告')!.url;
});
after(() => f?.ctx.close());

type Session = { cookie: string; csrfToken: string };
const session = (user: TestUser) => loginSession(f.ctx.app, user.username) as Promise<Session>;
const page = (s: Session, url: string, lang = 'zh-CN') => f.ctx.app.inject({ method: 'GET', url, headers: { cookie: s.cookie, 'accept-language': lang } });

test("a site's visits per day and per column, and no one else's", async () => {
  const visit = (path: string, times = 1) => {
    for (let i = 0; i < times; i++) countVisit(f.ctx.platform, '_', path);
  };
  visit('/s/jyj/', 2);
  visit(noticesUrl, 3);
  visit(`${noticesUrl}0192f0a0-0000-7000-8000-000000000001.html`);
  visit('/', 5); // the main site's home
  visit('/s/other/', 4); // another sub-site
  f.clock.advance(24 * 3600_000);
  visit(`${noticesUrl}0192f0a0-0000-7000-8000-000000000001.html`);
  await flushVisits(f.ctx.platform);

  const editor = await session(f.people.eduEditor);
  const res = await page(editor, `/console/portal/visits?site=${eduSiteId}&from=2026-12-01&to=2026-12-08`);
  assert.equal(res.statusCode, 200, res.body);
  assert.ok(res.body.includes('共被访问 7 次'), 'two home, three list and two article visits of the education site');
  const columns = res.body.slice(res.body.indexOf('id="visits-columns"'), res.body.indexOf('id="visits-days"'));
  assert.match(columns, /通知公告<\/span><\/th>\s*<td>5<\/td>/);
  assert.match(columns, /首页及网站地图等<\/th>\s*<td>2<\/td>/);
  const days = res.body.slice(res.body.indexOf('id="visits-days"'));
  assert.match(days, /2026-12-07<\/th>\s*<td>6<\/td>/);
  assert.match(days, /2026-12-08<\/th>\s*<td>1<\/td>/);
  assert.match(days, /2026-12-01<\/th>\s*<td>0<\/td>/, 'days without visits are listed too');
  assert.doesNotMatch(res.body, /page\.portalAdmin\.|portal\.visits\./);

  // The main site counts its own pages and none of the sub-sites'.
  const office = await session(f.people.officeEditor);
  const main = await page(office, '/console/portal/visits?from=2026-12-01&to=2026-12-08');
  assert.ok(main.body.includes('共被访问 5 次'), main.body.slice(main.body.indexOf('class="lead"'), main.body.indexOf('class="lead"') + 200));

  // Another unit's editor cannot choose the education site: they get their own sites (none here).
  const county = await session(f.people.countyEditor);
  const other = await page(county, `/console/portal/visits?site=${eduSiteId}`);
  assert.equal(other.statusCode, 200);
  assert.ok(!other.body.includes('云川市教育局'));
  assert.ok(other.body.includes('您还没有可以查看的网站'));
});

test('a wrong period is refused with the reason, in the caller’s language', async () => {
  const editor = await session(f.people.eduEditor);
  const reversed = await page(editor, '/console/portal/visits?from=2026-12-08&to=2026-12-01');
  assert.equal(reversed.statusCode, 400);
  assert.ok(reversed.body.includes('截止日期不能早于起始日期'));
  const invalid = await page(editor, '/console/portal/visits?from=2026-13-01', 'en');
  assert.equal(invalid.statusCode, 400);
  assert.ok(invalid.body.includes('is not a valid date'));
  const long = await page(editor, '/console/portal/visits?from=2024-01-01&to=2026-12-01');
  assert.equal(long.statusCode, 400);
  assert.ok(long.body.includes('统计时段最长 366 天'));
});
