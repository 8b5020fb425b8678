/**
 * Shared columns (信息报送) through HTTP, and the events publishing and search follow: a sub-site
 * pushes a published article to a shared column of the main site, the main site accepts or
 * declines, the accepted item shows its source site and follows the original's edits, a withdrawal
 * removes it from both, and the per-unit figures count it all.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { problem, type TestUser } from '../../../test/helpers.ts';
import type { ZtModule } from '../../platform/module.ts';
import { portalFixture, type PortalFixture } from './testing.ts';
import type { ArticleChanged, ColumnChanged, SiteChanged } from './events.ts';

let f: PortalFixture;
let main: { id: string };
let edu: { id: string };
let county: { id: string };
const col: Record<string, string> = {};
const events: Array<ArticleChanged | SiteChanged | ColumnChanged> = [];

/** A test-only subscriber: what publishing and search would receive. */
const recorder: ZtModule = {
  name: 'portalwatch',
  subscriptions: ['portal.article.changed', 'portal.site.changed', 'portal.column.changed'].map((event) => ({ event, handle: async (_work, _platform, e) => void events.push(e as never) })),
};

type Node = { id: string; name: string; url: string; children: Node[] };
const flatten = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);

before(async () => {
  f = await portalFixture({ modules: [recorder] });
  const make = async (body: object) => {
    const res = await f.post(f.people.sysadmin, '/api/v1/portal/sites', body);
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { id: string };
  };
  main = await make({ name: '云川市人民政府', kind: 'main', unitId: f.units.office, slug: 'www' });
  edu = await make({ name: '云川市教育局', kind: 'department', unitId: f.units.edu, slug: 'edu' });
  county = await make({ name: '青溪区人民政府', kind: 'county', unitId: f.units.county, slug: 'qingxi' });
  for (const [site, user, prefix] of [[main, f.people.officeEditor, 'main'], [edu, f.people.eduEditor, 'edu'], [county, f.people.countyEditor, 'county']] as const) {
    for (const c of flatten((await f.get(user, `/api/v1/portal/sites/${site.id}/columns`)).json().items)) col[`${prefix}.${c.name}`] = c.id;
  }
  for (const key of ['edu.部门动态', 'county.县区要闻']) assert.equal((await f.patch(key.startsWith('edu') ? f.people.eduEditor : f.people.countyEditor, `/api/v1/portal/columns/${col[key]}`, { needsReview: false })).statusCode, 200);
});
after(() => f?.ctx.close());

async function published(user: TestUser, siteId: string, columnId: string, title: string): Promise<string> {
  const made = await f.post(user, '/api/v1/portal/articles', { siteId, columnId, title, body: `<p>${title}。全文如下。</p>` });
  assert.equal(made.statusCode, 201, made.body);
  const sent = await f.post(user, `/api/v1/portal/articles/${made.json().id}/submit`, {});
  assert.equal(sent.json().status, 'published', sent.body);
  return made.json().id;
}
const items = async (columnId: string) => (await f.get(null, `/api/v1/portal/columns/${columnId}/items`)).json().items as Array<{ id: string; title: string; url: string; shared: boolean; sourceSiteName: string }>;

test('the events say what publishing needs: sites and columns created, an article published', async () => {
  const created = events.filter((e): e is SiteChanged => e.type === 'portal.site.changed');
  assert.deepEqual(created.map((e) => [e.change, e.url]), [['created', '/'], ['created', '/s/edu/'], ['created', '/s/qingxi/']]);
  events.length = 0;
  const id = await published(f.people.eduEditor, edu.id, col['edu.部门动态'], '全市中小学开展消防安全演练');
  const [event] = events as ArticleChanged[];
  assert.equal(events.length, 1);
  assert.deepEqual(
    { ...event, publishedAt: undefined },
    {
      type: 'portal.article.changed',
      articleId: id,
      siteId: edu.id,
      unitId: f.units.edu,
      change: 'published',
      status: 'published',
      visible: true,
      columnIds: [col['edu.部门动态']],
      siteIds: [edu.id],
      url: `/s/edu/gzdt/bmdt/${id}.html`,
      previousUrl: null,
      placements: [{ siteId: edu.id, columnId: col['edu.部门动态'], url: `/s/edu/gzdt/bmdt/${id}.html`, home: true }],
      removedUrls: [],
      revision: 1,
      publishedAt: undefined,
    },
  );
  // Moved to another column: both columns' pages, the address before and after.
  events.length = 0;
  assert.equal((await f.patch(f.people.eduEditor, `/api/v1/portal/articles/${id}`, { columnId: col['edu.通知公告'] })).statusCode, 200);
  const moved = events[0] as ArticleChanged;
  assert.deepEqual([moved.change, moved.url, moved.previousUrl, moved.revision], ['updated', `/s/edu/gzdt/tzgg/${id}.html`, `/s/edu/gzdt/bmdt/${id}.html`, 2]);
  assert.deepEqual([...moved.columnIds].sort(), [col['edu.通知公告'], col['edu.部门动态']].sort());
  assert.deepEqual(moved.removedUrls, [`/s/edu/gzdt/bmdt/${id}.html`]);
  // A draft's edits publish nothing.
  events.length = 0;
  const made = await f.post(f.people.eduEditor, '/api/v1/portal/articles', { siteId: edu.id, columnId: col['edu.部门动态'], title: '草稿', body: '草稿' });
  await f.patch(f.people.eduEditor, `/api/v1/portal/articles/${made.json().id}`, { title: '草稿二' });
  assert.equal(events.length, 0);
});

test('a push to a column that is not shared is 422; to a shared column it waits for the main site', async () => {
  const { people } = f;
  const id = await published(people.eduEditor, edu.id, col['edu.部门动态'], '市教育局部署寒假安全工作');
  for (const columnId of [col['main.通知公告'], col['edu.通知公告'], 'nope']) {
    const res = await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/share`, { columnId }, 'en');
    assert.equal(res.statusCode, 422, columnId);
    assert.equal(problem(res).body.code, 'PORTAL_COLUMN_NOT_SHARED');
  }
  const draft = await f.post(people.eduEditor, '/api/v1/portal/articles', { siteId: edu.id, columnId: col['edu.部门动态'], title: '未发布', body: '未发布' });
  assert.equal((await f.post(people.eduEditor, `/api/v1/portal/articles/${draft.json().id}/share`, { columnId: col['main.部门动态'] })).statusCode, 409, 'only published articles');
  assert.equal((await f.post(people.countyEditor, `/api/v1/portal/articles/${id}/share`, { columnId: col['main.部门动态'] })).statusCode, 404, 'not the county’s article');

  const share = await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/share`, { columnId: col['main.部门动态'] });
  assert.equal(share.statusCode, 201, share.body);
  assert.equal(share.json().status, 'pending');
  assert.equal(problem(await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/share`, { columnId: col['main.部门动态'] })).body.code, 'PORTAL_ALREADY_SHARED');

  const inbox = (await f.get(people.officeEditor, '/api/v1/portal/shares?status=pending')).json().items;
  assert.deepEqual(inbox.map((s: { id: string; title: string; sourceSiteName: string }) => [s.id, s.title, s.sourceSiteName]), [[share.json().id, '市教育局部署寒假安全工作', '云川市教育局']]);
  assert.deepEqual((await f.get(people.countyEditor, '/api/v1/portal/shares?status=pending')).json().items, [], 'not the county’s inbox');
  assert.equal((await f.get(people.eduEditor, '/api/v1/portal/shares?direction=outbox')).json().items.length, 1);
  // Only the main site's editors decide.
  assert.equal((await f.post(people.eduEditor, `/api/v1/portal/shares/${share.json().id}/accept`, {})).statusCode, 404);
  assert.deepEqual(await items(col['main.部门动态']), [], 'not shown before it is accepted');
});

test('accepted items show their source site and follow the original; a withdrawal removes them from both', async () => {
  const { people } = f;
  const id = await published(people.countyEditor, county.id, col['county.县区要闻'], '青溪区召开乡村振兴工作推进会');
  const share = (await f.post(people.countyEditor, `/api/v1/portal/articles/${id}/share`, { columnId: col['main.县区动态'] })).json();
  events.length = 0;
  const accepted = await f.post(people.officeEditor, `/api/v1/portal/shares/${share.id}/accept`, {});
  assert.equal(accepted.statusCode, 200, accepted.body);
  assert.equal(accepted.json().status, 'accepted');
  assert.equal((await f.post(people.officeEditor, `/api/v1/portal/shares/${share.id}/accept`, {})).statusCode, 409, 'decided once');
  const sharedEvent = events[0] as ArticleChanged;
  assert.equal(sharedEvent.change, 'shared');
  assert.deepEqual(sharedEvent.columnIds.sort(), [col['county.县区要闻'], col['main.县区动态']].sort());
  assert.deepEqual(sharedEvent.siteIds.sort(), [county.id, main.id].sort());
  assert.deepEqual(sharedEvent.placements.map((p) => p.url), [`/s/qingxi/gzdt/xqyw/${id}.html`, `/news/xqdt/${id}.html`]);

  let shown = await items(col['main.县区动态']);
  assert.deepEqual(shown.map((i) => [i.id, i.title, i.shared, i.sourceSiteName, i.url]), [[id, '青溪区召开乡村振兴工作推进会', true, '青溪区人民政府', `/news/xqdt/${id}.html`]]);

  // The original is edited: the shared column follows.
  events.length = 0;
  assert.equal((await f.patch(people.countyEditor, `/api/v1/portal/articles/${id}`, { title: '青溪区召开乡村振兴工作推进会（图文）' })).statusCode, 200);
  shown = await items(col['main.县区动态']);
  assert.equal(shown[0].title, '青溪区召开乡村振兴工作推进会（图文）');
  assert.equal((events[0] as ArticleChanged).change, 'updated');
  assert.ok((events[0] as ArticleChanged).columnIds.includes(col['main.县区动态']));

  // Withdrawn: gone from both, and the event names both pages.
  events.length = 0;
  assert.equal((await f.post(people.countyEditor, `/api/v1/portal/articles/${id}/withdraw`, { reason: '信息有误' })).statusCode, 200);
  assert.deepEqual(await items(col['main.县区动态']), []);
  assert.deepEqual(await items(col['county.县区要闻']), []);
  const withdrawn = events[0] as ArticleChanged;
  assert.deepEqual([withdrawn.change, withdrawn.visible, withdrawn.url, withdrawn.previousUrl], ['withdrawn', false, null, `/s/qingxi/gzdt/xqyw/${id}.html`]);
  assert.deepEqual(withdrawn.removedUrls.sort(), [`/s/qingxi/gzdt/xqyw/${id}.html`, `/news/xqdt/${id}.html`].sort());
  const article = (await f.get(people.countyEditor, `/api/v1/portal/articles/${id}`)).json();
  assert.equal(article.shares[0].status, 'removed');
});

test('declining needs a reason; the per-unit figures count pushes, acceptances and refusals', async () => {
  const { people } = f;
  const id = await published(people.eduEditor, edu.id, col['edu.部门动态'], '市教育局开展教师培训');
  const share = (await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/share`, { columnId: col['main.新闻'] })).json();
  assert.equal((await f.post(people.officeEditor, `/api/v1/portal/shares/${share.id}/decline`, {})).statusCode, 400);
  const declined = await f.post(people.officeEditor, `/api/v1/portal/shares/${share.id}/decline`, { reason: '与已发布内容重复' });
  assert.equal(declined.json().status, 'declined');
  assert.deepEqual(await items(col['main.新闻']), []);
  // It may be pushed again after a refusal.
  assert.equal((await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/share`, { columnId: col['main.新闻'] })).statusCode, 201);

  const day = new Date(f.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  const stats = await f.get(people.officeEditor, `/api/v1/portal/shares/stats?from=${day}&to=${day}`);
  assert.equal(stats.statusCode, 200, stats.body);
  const byUnit = new Map((stats.json().items as Array<{ unitId: string; pushed: number; accepted: number; declined: number; pending: number }>).map((i) => [i.unitId, i]));
  assert.deepEqual({ ...byUnit.get(f.units.edu), unitId: undefined, unitName: undefined, acceptRate: undefined }, { unitId: undefined, unitName: undefined, acceptRate: undefined, pushed: 3, accepted: 0, declined: 1, pending: 2 });
  assert.deepEqual([byUnit.get(f.units.county)?.pushed, byUnit.get(f.units.county)?.accepted], [1, 1]);
  assert.equal((await f.get(people.clerk, `/api/v1/portal/shares/stats?from=${day}&to=${day}`)).statusCode, 403);
  assert.equal((await f.get(people.officeEditor, `/api/v1/portal/shares/stats?from=2026-13-01&to=${day}`)).statusCode, 400);
});
