/**
 * Sites and columns through HTTP: a main site and sub-sites from templates with their standard
 * columns, one main site, addresses, settings with their checks, the column tree's rules (three
 * levels, sibling slugs, reserved addresses), and someone else's site answering 404.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { problem } from '../../../test/helpers.ts';
import { sql } from '../../platform/db/index.ts';
import { portalFixture, type PortalFixture } from './testing.ts';

let f: PortalFixture;
before(async () => {
  f = await portalFixture();
});
after(() => f?.ctx.close());

type Node = { id: string; name: string; slug: string; kind: string; url: string; shared: boolean; depth: number; children: Node[] };
const flatten = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);
const count = async (table: string) => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(f.ctx.platform.db)).rows[0].n);

test('sites are made from templates with their standard columns; one main site; addresses', async () => {
  const { people, units } = f;
  const main = await f.post(people.sysadmin, '/api/v1/portal/sites', { name: '云川市人民政府', kind: 'main', unitId: units.office, slug: 'www', template: 'government-red' });
  assert.equal(main.statusCode, 201, main.body);
  assert.deepEqual(Object.keys(main.json()).sort(), ['columns', 'id', 'url']);
  assert.equal(main.json().url, '/');

  const second = await f.post(people.sysadmin, '/api/v1/portal/sites', { name: '另一个主站', kind: 'main', unitId: units.edu, slug: 'www2' });
  assert.equal(second.statusCode, 409);
  assert.equal(problem(second).body.code, 'PORTAL_MAIN_SITE_EXISTS');

  // A unit_admin makes its own unit's sub-site; not another unit's.
  const edu = await f.post(people.eduAdmin, '/api/v1/portal/sites', { name: '云川市教育局', kind: 'department', unitId: units.edu, slug: 'edu' });
  assert.equal(edu.statusCode, 201, edu.body);
  assert.equal(edu.json().url, '/s/edu/');
  assert.equal((await f.post(people.eduAdmin, '/api/v1/portal/sites', { name: '青溪区', kind: 'county', unitId: units.county, slug: 'qingxi' })).statusCode, 404);
  assert.equal((await f.post(people.eduEditor, '/api/v1/portal/sites', { name: '教育', kind: 'topic', unitId: units.edu, slug: 'edu-topic' })).statusCode, 403, 'an editor does not create sites');
  const county = await f.post(people.sysadmin, '/api/v1/portal/sites', { name: '青溪区人民政府', kind: 'county', unitId: units.county, slug: 'qingxi', hostName: 'www.qingxi.gov.cn' });
  assert.equal(county.statusCode, 201, county.body);
  assert.equal(county.json().url, 'https://www.qingxi.gov.cn/');
  assert.equal(problem(await f.post(people.sysadmin, '/api/v1/portal/sites', { name: '重复', kind: 'topic', unitId: units.county, slug: 'qingxi' })).body.code, 'PORTAL_SITE_SLUG_TAKEN');

  // The main site's structure: news with shared columns, disclosure, the service hall and interaction links.
  const mainTree = await f.get(people.officeEditor, `/api/v1/portal/sites/${main.json().id}/columns`);
  assert.equal(mainTree.statusCode, 200, mainTree.body);
  const mainColumns = flatten(mainTree.json().items);
  const byName = new Map(mainColumns.map((c) => [c.name, c]));
  assert.ok(byName.get('新闻')?.shared && byName.get('部门动态')?.shared && byName.get('县区动态')?.shared);
  assert.equal(byName.get('通知公告')?.shared, false);
  assert.equal(byName.get('政府信息公开')?.kind, 'disclosure');
  assert.equal(byName.get('政务服务')?.kind, 'external_link');
  assert.equal(byName.get('政务服务')?.url, '/services');
  assert.equal(byName.get('新闻')?.url, '/news/xinwen/');

  // A department: 机构概况, 工作动态 with 通知公告, disclosure, service and interaction links.
  const eduTree = flatten((await f.get(people.eduEditor, `/api/v1/portal/sites/${edu.json().id}/columns`)).json().items);
  for (const name of ['机构概况', '工作动态', '通知公告', '政府信息公开', '政务服务', '互动交流']) assert.ok(eduTree.some((c) => c.name === name), name);
  assert.equal(eduTree.find((c) => c.name === '通知公告')?.url, '/s/edu/gzdt/tzgg/');
  // A county: the same and 乡镇动态.
  const countyTree = flatten((await f.get(people.countyEditor, `/api/v1/portal/sites/${county.json().id}/columns`)).json().items);
  assert.ok(countyTree.some((c) => c.name === '乡镇动态'));

  // Who sees which sites.
  const names = async (user: typeof people.sysadmin) => ((await f.get(user, '/api/v1/portal/sites')).json().items as Array<{ name: string }>).map((s) => s.name).sort();
  assert.deepEqual(await names(people.sysadmin), ['云川市人民政府', '云川市教育局', '青溪区人民政府'].sort());
  assert.deepEqual(await names(people.eduEditor), ['云川市教育局']);
  assert.deepEqual(await names(people.officeEditor), ['云川市人民政府']);
  assert.deepEqual(await names(people.otherEditor), []);
});

test('site settings: theme, palette colour, navigation, footer record numbers; someone else’s site is 404', async () => {
  const { people } = f;
  const sites = (await f.get(people.sysadmin, '/api/v1/portal/sites')).json().items as Array<{ id: string; kind: string; name: string }>;
  const edu = sites.find((s) => s.name === '云川市教育局')!;
  const tree = flatten((await f.get(people.eduEditor, `/api/v1/portal/sites/${edu.id}/columns`)).json().items);
  const ok = await f.patch(people.eduEditor, `/api/v1/portal/sites/${edu.id}`, {
    theme: 'government-green',
    primaryColor: '#1b5e20',
    navigation: [{ columnId: tree[0].id }, { label: '网上办事', href: '/services' }],
    footer: { sponsor: '云川市教育局', icp: '湘ICP备12345678号', publicSecurity: '湘公网安备 43040002000123号', accessibility: '本网站支持键盘操作与读屏软件。', contact: { address: '云川市人民路1号', phone: '0731-12345678', email: 'jyj@yunchuan.gov.cn' } },
  });
  assert.equal(ok.statusCode, 200, ok.body);
  const got = (await f.get(people.eduEditor, `/api/v1/portal/sites/${edu.id}`)).json();
  assert.equal(got.theme, 'government-green');
  assert.equal(got.footer.icp, '湘ICP备12345678号');
  assert.equal(got.navigation.length, 2);

  const bad = await f.patch(people.eduEditor, `/api/v1/portal/sites/${edu.id}`, { footer: { icp: 'ICP12345', publicSecurity: '公网安备123' }, navigation: [{ columnId: 'nope' }] }, 'en');
  assert.equal(bad.statusCode, 400, bad.body);
  const paths = (problem(bad).body.errors ?? []).map((e: { path: string }) => e.path).sort();
  assert.deepEqual(paths, ['body.footer.icp', 'body.footer.publicSecurity', 'body.navigation.0.columnId']);
  assert.match(problem(bad).body.errors![0].message, /[A-Za-z]/);
  assert.equal((await f.patch(people.eduEditor, `/api/v1/portal/sites/${edu.id}`, { primaryColor: '#ffff00' })).statusCode, 400, 'a colour outside the palette');
  assert.equal((await f.patch(people.eduEditor, `/api/v1/portal/sites/${edu.id}`, { hostName: 'www.edu.gov.cn' })).statusCode, 403, 'an editor does not move the site');
  assert.equal((await f.patch(people.eduAdmin, `/api/v1/portal/sites/${edu.id}`, { hostName: 'www.edu.gov.cn' })).json().url, 'https://www.edu.gov.cn/');

  // Another unit's editor: the site does not exist.
  assert.equal((await f.patch(people.countyEditor, `/api/v1/portal/sites/${edu.id}`, { name: '改名' })).statusCode, 404);
  assert.equal((await f.get(people.countyEditor, `/api/v1/portal/sites/${edu.id}/columns`)).statusCode, 404);
  assert.equal((await f.post(people.countyEditor, `/api/v1/portal/sites/${edu.id}/columns`, { name: '入侵', slug: 'x', kind: 'article_list' })).statusCode, 404);
  assert.equal((await f.get(people.clerk, `/api/v1/portal/sites/${edu.id}`)).statusCode, 404);
});

test('columns: three levels at most, slugs unique among siblings, reserved first-level addresses of the main site, shared only on the main site', async () => {
  const { people } = f;
  const sites = (await f.get(people.sysadmin, '/api/v1/portal/sites')).json().items as Array<{ id: string; kind: string; name: string }>;
  const main = sites.find((s) => s.kind === 'main')!;
  const edu = sites.find((s) => s.name === '云川市教育局')!;
  const one = await f.post(people.eduEditor, `/api/v1/portal/sites/${edu.id}/columns`, { name: '教育督导', slug: 'jydd', kind: 'article_list', needsReview: false, pageSize: 15 });
  assert.equal(one.statusCode, 201, one.body);
  assert.deepEqual(Object.keys(one.json()).sort(), ['id', 'url']);
  assert.equal(one.json().url, 'https://www.edu.gov.cn/jydd/');
  const two = await f.post(people.eduEditor, `/api/v1/portal/sites/${edu.id}/columns`, { name: '督导通知', slug: 'ddtz', kind: 'article_list', parentId: one.json().id });
  const three = await f.post(people.eduEditor, `/api/v1/portal/sites/${edu.id}/columns`, { name: '2026年', slug: '2026', kind: 'article_list', parentId: two.json().id });
  assert.equal(three.statusCode, 201, three.body);
  assert.equal(three.json().url, 'https://www.edu.gov.cn/jydd/ddtz/2026/');
  const before = await count('portal_columns');
  const four = await f.post(people.eduEditor, `/api/v1/portal/sites/${edu.id}/columns`, { name: '第四级', slug: 'deep', kind: 'article_list', parentId: three.json().id }, 'en');
  assert.equal(four.statusCode, 422);
  assert.equal(problem(four).body.code, 'PORTAL_COLUMN_TOO_DEEP');
  assert.match(problem(four).body.detail, /at most 3 levels/);

  const dup = await f.post(people.eduEditor, `/api/v1/portal/sites/${edu.id}/columns`, { name: '重复', slug: 'ddtz', kind: 'article_list', parentId: one.json().id });
  assert.equal(dup.statusCode, 409);
  assert.equal(problem(dup).body.code, 'PORTAL_SLUG_TAKEN');
  // The same slug under another parent is fine.
  assert.equal((await f.post(people.eduEditor, `/api/v1/portal/sites/${edu.id}/columns`, { name: '督导通知', slug: 'ddtz', kind: 'article_list' })).statusCode, 201);

  for (const slug of ['api', 'console', 's', 'assets', 'services', 'login']) {
    const reserved = await f.post(people.officeEditor, `/api/v1/portal/sites/${main.id}/columns`, { name: '保留', slug, kind: 'article_list' });
    assert.equal(reserved.statusCode, 422, slug);
    assert.equal(problem(reserved).body.code, 'PORTAL_SLUG_RESERVED');
  }
  // On a sub-site (under /s/) the same slug is no problem.
  assert.equal((await f.post(people.eduEditor, `/api/v1/portal/sites/${edu.id}/columns`, { name: '服务', slug: 'services', kind: 'article_list' })).statusCode, 201);
  assert.equal(problem(await f.post(people.eduEditor, `/api/v1/portal/sites/${edu.id}/columns`, { name: '共享', slug: 'gx', kind: 'article_list', shared: true })).body.code, 'PORTAL_SHARED_MAIN_ONLY');

  for (const payload of [
    { name: '大写', slug: 'BAD', kind: 'article_list' },
    { name: '链接', slug: 'lj', kind: 'external_link' },
    { name: '链接', slug: 'lj', kind: 'external_link', externalUrl: 'javascript:alert(1)' },
    { name: '大小', slug: 'dx', kind: 'article_list', pageSize: 500 },
    { name: '', slug: 'x', kind: 'article_list' },
    { name: '类型', slug: 'lx', kind: 'blog' },
    { name: '多余', slug: 'dy', kind: 'article_list', extra: 1 },
    { name: 12, slug: 'dy', kind: 'article_list' },
  ]) {
    const refused = await f.post(people.eduEditor, `/api/v1/portal/sites/${edu.id}/columns`, payload);
    assert.ok(refused.statusCode === 400 || refused.statusCode === 422, `${JSON.stringify(payload)} → ${refused.statusCode}`);
    assert.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
  }
  assert.equal(await count('portal_columns'), before + 2, 'refused columns write nothing');

  // A new slug moves the column and everything under it.
  const moved = await f.patch(people.eduEditor, `/api/v1/portal/columns/${one.json().id}`, { slug: 'dudao', name: '教育督导工作' });
  assert.equal(moved.statusCode, 200, moved.body);
  const tree = flatten((await f.get(people.eduEditor, `/api/v1/portal/sites/${edu.id}/columns`)).json().items);
  assert.equal(tree.find((c) => c.id === three.json().id)?.url, 'https://www.edu.gov.cn/dudao/ddtz/2026/');
  assert.equal((await f.patch(people.countyEditor, `/api/v1/portal/columns/${two.json().id}`, { name: '入侵' })).statusCode, 404);
});

test('the audit log names every change', async () => {
  const { rows } = await sql<{ action: string }>`select distinct action from audit_log where action like 'portal.%' order by action`.execute(f.ctx.platform.db);
  assert.deepEqual(rows.map((r) => r.action), ['portal.column.create', 'portal.column.update', 'portal.site.create', 'portal.site.update']);
});
