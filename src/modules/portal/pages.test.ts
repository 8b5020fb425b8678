/**
 * The console's 网站群 pages: a unit admin creates its unit's sub-site from a template and adds a
 * column; another editor approves a submitted article in the review queue; the main site's editor
 * accepts a pushed article in the inbox. Forms post without script; no raw message keys.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginSession, type TestUser } from '../../../test/helpers.ts';
import { portalFixture, type PortalFixture } from './testing.ts';

let f: PortalFixture;
before(async () => {
  f = await portalFixture();
});
after(() => f?.ctx.close());

type Session = { cookie: string; csrfToken: string };
const session = (user: TestUser) => loginSession(f.ctx.app, user.username) as Promise<Session>;
const page = (s: Session, url: string) => f.ctx.app.inject({ method: 'GET', url, headers: { cookie: s.cookie } });
const form = (s: Session, url: string, fields: Record<string, string>) => {
  const body = new URLSearchParams({ _csrf: s.csrfToken, ...fields });
  return f.ctx.app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
};
const noRawKeys = (html: string) => assert.doesNotMatch(html, /page\.portalAdmin\.|portal\.[a-z]+\.[a-z]/);

test('a unit admin creates a sub-site from a template and adds a column through the console', async () => {
  const admin = await session(f.people.eduAdmin);
  const blank = await page(admin, '/console/portal/new-site');
  assert.equal(blank.statusCode, 200, blank.body);
  assert.ok(blank.body.includes(`value="${f.units.edu}"`) && !blank.body.includes(`value="${f.units.county}"`), 'only the units in scope');
  noRawKeys(blank.body);
  const made = await form(admin, '/console/portal/new-site', { name: '云川市教育局', kind: 'department', unitId: f.units.edu, slug: 'jyj', template: 'government-blue' });
  assert.equal(made.statusCode, 303, made.body);
  const sitePage = await page(admin, made.headers.location as string);
  assert.equal(sitePage.statusCode, 200);
  for (const name of ['机构概况', '工作动态', '政府信息公开', '政务服务', '互动交流']) assert.ok(sitePage.body.includes(name), name);
  noRawKeys(sitePage.body);
  const added = await form(admin, `${made.headers.location}/columns`, { name: '教育督导', slug: 'jydd', kind: 'article_list', parentId: '', externalUrl: '' });
  assert.equal(added.statusCode, 303);
  assert.ok((await page(admin, made.headers.location as string)).body.includes('教育督导'));
  // A refused column comes back with the reason in a flash message, nothing written.
  const refused = await form(admin, `${made.headers.location}/columns`, { name: '重复', slug: 'jydd', kind: 'article_list', parentId: '', externalUrl: '' });
  assert.equal(refused.statusCode, 303);
  const flashed = await f.ctx.app.inject({ method: 'GET', url: made.headers.location as string, headers: { cookie: [admin.cookie, ...[refused.headers['set-cookie'] ?? []].flat().map((c) => String(c).split(';')[0])].join('; ') } });
  assert.ok(flashed.body.includes('同级栏目中已有标识'), 'the reason is shown');
  const list = await page(await session(f.people.eduEditor), '/console/portal');
  assert.ok(list.body.includes('云川市教育局') && list.body.includes('/s/jyj/'));
  noRawKeys(list.body);
});

test('the review queue and the shared-column inbox', async () => {
  const { people } = f;
  const main = await f.post(people.sysadmin, '/api/v1/portal/sites', { name: '云川市人民政府', kind: 'main', unitId: f.units.office, slug: 'www' });
  assert.equal(main.statusCode, 201);
  const sites = (await f.get(people.eduEditor, '/api/v1/portal/sites')).json().items as Array<{ id: string }>;
  type Node = { id: string; name: string; children: Node[] };
  const flat = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flat(n.children)]);
  const eduColumns = flat((await f.get(people.eduEditor, `/api/v1/portal/sites/${sites[0].id}/columns`)).json().items);
  const notices = eduColumns.find((c) => c.name === '通知公告')!;
  const created = await f.post(people.eduEditor, '/api/v1/portal/articles', { siteId: sites[0].id, columnId: notices.id, title: '关于做好寒假安全工作的通知', body: '请各校做好寒假安全工作。' });
  const id = created.json().id as string;
  await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/submit`, {});

  const author = await session(people.eduEditor);
  const own = await page(author, '/console/portal/review');
  assert.ok(own.body.includes('关于做好寒假安全工作的通知') && !own.body.includes(`/console/portal/review/${id}/approve`), 'the author sees it without the buttons');
  const reviewer = await session(people.eduEditor2);
  const queue = await page(reviewer, '/console/portal/review');
  assert.equal(queue.statusCode, 200);
  assert.ok(queue.body.includes(`/console/portal/review/${id}/approve`));
  noRawKeys(queue.body);
  assert.equal((await form(reviewer, `/console/portal/review/${id}/approve`, {})).statusCode, 303);
  assert.equal((await f.get(people.eduEditor, `/api/v1/portal/articles/${id}`)).json().status, 'published');

  const mainColumns = flat((await f.get(people.officeEditor, `/api/v1/portal/sites/${main.json().id}/columns`)).json().items);
  const share = await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/share`, { columnId: mainColumns.find((c) => c.name === '部门动态')!.id });
  assert.equal(share.statusCode, 201, share.body);
  const office = await session(people.officeEditor);
  const inbox = await page(office, '/console/portal/shares');
  assert.ok(inbox.body.includes('关于做好寒假安全工作的通知') && inbox.body.includes('云川市教育局'));
  noRawKeys(inbox.body);
  assert.equal((await form(office, `/console/portal/shares/${share.json().id}/accept`, {})).statusCode, 303);
  assert.equal((await f.get(people.officeEditor, '/api/v1/portal/shares?status=accepted')).json().items.length, 1);
  assert.ok((await page(office, '/console/portal/shares')).body.includes('没有等待采用的报送'));
});
