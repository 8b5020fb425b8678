/**
 * Articles through HTTP: the editorial workflow (draft → submitted → published / rejected →
 * withdrawn) with reasons, review by someone other than the author, sanitised titles and bodies,
 * revisions and their differences, attachments with their alternative-format contact, scheduled
 * publishing and unpublishing by the job when the clock moves, and bad input that writes nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, problem, type TestUser } from '../../../test/helpers.ts';
import { fileBody, SAMPLES } from '../../platform/files/testing.ts';
import { sql } from '../../platform/db/index.ts';
import { portalFixture, type PortalFixture } from './testing.ts';
import { runPortalSchedule } from './jobs.ts';
import { portalModule } from './index.ts';

let f: PortalFixture;
let edu: { id: string };
let columns: Record<string, { id: string; url: string }>;
const HOUR = 3600_000;

type Node = { id: string; name: string; url: string; children: Node[] };
const flatten = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);
const count = async (table: string) => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(f.ctx.platform.db)).rows[0].n);

before(async () => {
  f = await portalFixture();
  const made = await f.post(f.people.sysadmin, '/api/v1/portal/sites', { name: '云川市教育局', kind: 'department', unitId: f.units.edu, slug: 'edu' });
  assert.equal(made.statusCode, 201, made.body);
  edu = made.json();
  const tree = flatten((await f.get(f.people.eduEditor, `/api/v1/portal/sites/${edu.id}/columns`)).json().items);
  columns = Object.fromEntries(tree.map((c) => [c.name, c]));
  // 部门动态 publishes without review; 通知公告 needs it (the default).
  assert.equal((await f.patch(f.people.eduEditor, `/api/v1/portal/columns/${columns['部门动态'].id}`, { needsReview: false })).statusCode, 200);
});
after(() => f?.ctx.close());

const article = (overrides: Record<string, unknown> = {}) => ({
  siteId: edu.id,
  columnId: columns['通知公告'].id,
  title: '关于做好2027年寒假期间学生安全工作的通知',
  summary: '各县区教育局、市直各学校：寒假将至，现就做好学生安全工作通知如下。',
  body: '<p>一、高度重视寒假安全工作。</p><p>二、加强防溺水、防火、交通安全教育。</p>',
  source: '云川市教育局',
  author: '安全科',
  keywords: ['寒假', '安全'],
  ...overrides,
});

async function draft(user: TestUser, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await f.post(user, '/api/v1/portal/articles', article(overrides));
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

test('the workflow: draft, submit, the author may not approve, another editor approves; the url appears once published', async () => {
  const { people } = f;
  const created = await f.post(people.eduEditor, '/api/v1/portal/articles', article());
  assert.equal(created.statusCode, 201, created.body);
  assert.deepEqual(created.json(), { id: created.json().id, status: 'draft' });
  const id = created.json().id as string;
  let got = (await f.get(people.eduEditor, `/api/v1/portal/articles/${id}`)).json();
  assert.equal(got.url, null);
  assert.equal(got.revisions, 1);
  assert.equal(got.status, 'draft');

  // Approving a draft: wrong state.
  assert.equal((await f.post(people.eduEditor2, `/api/v1/portal/articles/${id}/approve`, {})).statusCode, 409);
  const submitted = await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/submit`, {});
  assert.equal(submitted.statusCode, 200, submitted.body);
  assert.equal(submitted.json().status, 'submitted');
  assert.equal((await f.patch(people.eduEditor, `/api/v1/portal/articles/${id}`, { title: '改' })).statusCode, 409, 'in review: not edited');

  const own = await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/approve`, {}, 'en');
  assert.equal(own.statusCode, 403);
  assert.equal(problem(own).body.code, 'PORTAL_OWN_ARTICLE');
  assert.match(problem(own).body.detail, /another editor/);
  // Another unit's editor: 404.
  assert.equal((await f.post(people.countyEditor, `/api/v1/portal/articles/${id}/approve`, {})).statusCode, 404);
  assert.equal((await f.get(people.countyEditor, `/api/v1/portal/articles/${id}`)).statusCode, 404);

  const approved = await f.post(people.eduAdmin, `/api/v1/portal/articles/${id}/approve`, {});
  assert.equal(approved.statusCode, 200, approved.body);
  assert.equal(approved.json().status, 'published');
  got = (await f.get(people.eduEditor, `/api/v1/portal/articles/${id}`)).json();
  assert.equal(got.url, `/s/edu/gzdt/tzgg/${id}.html`);
  assert.equal(got.reviewedBy, people.eduAdmin.id);
  assert.deepEqual(got.history.map((h: { action: string }) => h.action), ['create', 'submit', 'approve']);

  // A column without review: submit publishes.
  const quick = await draft(people.eduEditor, { columnId: columns['部门动态'].id, title: '市教育局召开全市教育工作会议' });
  const direct = await f.post(people.eduEditor, `/api/v1/portal/articles/${quick}/submit`, {});
  assert.equal(direct.json().status, 'published');
  assert.equal((await f.get(people.eduEditor, `/api/v1/portal/articles/${quick}`)).json().url, `/s/edu/gzdt/bmdt/${quick}.html`);
});

test('reject and withdraw need a reason; a rejected article is edited and submitted again; withdrawn leaves no url', async () => {
  const { people } = f;
  const id = await draft(people.eduEditor);
  await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/submit`, {});
  for (const body of [{}, { reason: '' }, { reason: '   ' }]) {
    const res = await f.post(people.eduEditor2, `/api/v1/portal/articles/${id}/reject`, body);
    assert.equal(res.statusCode, 400, JSON.stringify(body));
  }
  assert.equal((await f.get(people.eduEditor, `/api/v1/portal/articles/${id}`)).json().status, 'submitted', 'nothing changed');
  const rejected = await f.post(people.eduEditor2, `/api/v1/portal/articles/${id}/reject`, { reason: '请补充具体时间安排' });
  assert.equal(rejected.json().status, 'rejected');
  assert.equal((await f.get(people.eduEditor, `/api/v1/portal/articles/${id}`)).json().reason, '请补充具体时间安排');
  assert.equal((await f.patch(people.eduEditor, `/api/v1/portal/articles/${id}`, { body: '<p>一、1月15日前完成安全排查。</p>' })).statusCode, 200);
  await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/submit`, {});
  assert.equal((await f.post(people.eduEditor2, `/api/v1/portal/articles/${id}/approve`, {})).json().status, 'published');

  assert.equal((await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/withdraw`, {})).statusCode, 400);
  const withdrawn = await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/withdraw`, { reason: '内容有误，撤稿更正' });
  assert.equal(withdrawn.statusCode, 200, withdrawn.body);
  assert.equal(withdrawn.json().status, 'withdrawn');
  const got = (await f.get(people.eduEditor, `/api/v1/portal/articles/${id}`)).json();
  assert.equal(got.url, null);
  assert.equal(got.reason, '内容有误，撤稿更正');
  assert.equal((await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/withdraw`, { reason: '再撤' })).statusCode, 409);
});

test('script and event-handler injection in titles and bodies is stripped, never stored', async () => {
  const { people } = f;
  const id = await draft(people.eduEditor, {
    title: '<script>alert(1)</script>通知<img src=x onerror=alert(2)><b onclick="x()">公告</b>',
    subtitle: '<svg onload=alert(3)>副标题',
    body: '<p onclick="steal()">正文<script>document.cookie</script></p><a href="javascript:alert(4)">链接</a><a href="https://www.gov.cn/">中国政府网</a><iframe src="https://evil.example"></iframe><img src="https://img.example/a.png" onerror="alert(5)" alt="图">',
  });
  const got = (await f.get(people.eduEditor, `/api/v1/portal/articles/${id}`)).json();
  assert.equal(got.title, '通知公告');
  assert.equal(got.subtitle, '副标题');
  assert.doesNotMatch(got.body, /script|onclick|onerror|javascript:|iframe|cookie/i);
  assert.match(got.body, /<a href="https:\/\/www.gov.cn\/">中国政府网<\/a>/);
  assert.match(got.body, /<img src="https:\/\/img.example\/a.png" alt="图" \/>/);
  // A title that is only markup is empty once stripped: refused, nothing written.
  const before = await count('portal_articles');
  const empty = await f.post(people.eduEditor, '/api/v1/portal/articles', article({ title: '<script>alert(1)</script>', body: '<script>x</script>' }));
  assert.equal(empty.statusCode, 400);
  assert.deepEqual(problem(empty).body.errors?.map((e) => e.path).sort(), ['body.body', 'body.title']);
  assert.equal(await count('portal_articles'), before);
});

test('editing a published article makes a new revision and keeps it published; revisions and their difference', async () => {
  const { people } = f;
  const id = await draft(people.eduEditor, { columnId: columns['部门动态'].id, body: '<p>第一段。</p><p>第二段。</p><p>第三段。</p>' });
  await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/submit`, {});
  const edited = await f.patch(people.eduEditor, `/api/v1/portal/articles/${id}`, { title: '市教育局召开全市教育工作会议（更新）', body: '<p>第一段。</p><p>第二段（修订）。</p><p>第三段。</p><p>第四段。</p>' });
  assert.equal(edited.statusCode, 200, edited.body);
  assert.equal(edited.json().status, 'published');
  const got = (await f.get(people.eduEditor, `/api/v1/portal/articles/${id}`)).json();
  assert.equal(got.revisions, 2);
  assert.equal(got.status, 'published');
  const revisions = (await f.get(people.eduEditor, `/api/v1/portal/articles/${id}/revisions`)).json().items;
  assert.deepEqual(revisions.map((r: { revision: number; current: boolean }) => [r.revision, r.current]), [[2, true], [1, false]]);
  const diff = await f.get(people.eduEditor, `/api/v1/portal/articles/${id}/revisions/diff?from=1&to=2`);
  assert.equal(diff.statusCode, 200, diff.body);
  assert.deepEqual(diff.json().fields.map((x: { field: string }) => x.field), ['title']);
  assert.deepEqual(diff.json().body, [
    { op: 'equal', text: '第一段。' },
    { op: 'remove', text: '第二段。' },
    { op: 'add', text: '第二段（修订）。' },
    { op: 'equal', text: '第三段。' },
    { op: 'add', text: '第四段。' },
  ]);
  assert.equal((await f.get(people.eduEditor, `/api/v1/portal/articles/${id}/revisions/diff?from=1&to=9`)).statusCode, 400);
});

test('attachments need an alternative-format contact; they are public once the article is published', async () => {
  const { people } = f;
  const file = fileBody('安全告知书.pdf', SAMPLES.pdf());
  const upload = await f.ctx.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...file.headers, ...bearer(people.eduEditor) }, payload: file.payload });
  assert.equal(upload.statusCode, 201, upload.body);
  const fileId = upload.json().id as string;
  const missing = await f.post(people.eduEditor, '/api/v1/portal/articles', article({ attachments: [fileId] }));
  assert.equal(missing.statusCode, 400);
  assert.deepEqual(problem(missing).body.errors?.map((e) => e.path), ['body.attachmentContact']);
  const id = await draft(people.eduEditor, { columnId: columns['部门动态'].id, attachments: [fileId], attachmentContact: '如需其他格式，请致电 0731-12345678' });
  assert.equal((await f.get(null, `/api/v1/files/${fileId}`)).statusCode, 401, 'a draft’s file is not public');
  assert.equal((await f.get(people.countyEditor, `/api/v1/files/${fileId}`)).statusCode, 404, 'nor another unit’s');
  assert.equal((await f.get(people.eduEditor2, `/api/v1/files/${fileId}`)).statusCode, 200, 'the unit’s editors read it');
  await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/submit`, {});
  assert.equal((await f.get(null, `/api/v1/files/${fileId}`)).statusCode, 200, 'published: public');
  assert.equal((await f.get(people.eduEditor, `/api/v1/portal/articles/${id}`)).json().attachments[0].name, '安全告知书.pdf');
});

test('scheduled publishing: a time in the past is 422; the job publishes when the time comes and unpublishes at the end', async () => {
  const { people, clock } = f;
  const now = clock.now();
  const past = await f.post(people.eduEditor, '/api/v1/portal/articles', article({ publishAt: new Date(now.getTime() - 60_000).toISOString() }));
  assert.equal(past.statusCode, 422);
  assert.equal(problem(past).body.code, 'PORTAL_PUBLISH_AT_PAST');
  const badEnd = await f.post(people.eduEditor, '/api/v1/portal/articles', article({ publishAt: new Date(now.getTime() + 2 * HOUR).toISOString(), unpublishAt: new Date(now.getTime() + HOUR).toISOString() }));
  assert.equal(problem(badEnd).body.code, 'PORTAL_UNPUBLISH_AT_INVALID');

  const publishAt = new Date(now.getTime() + 2 * HOUR);
  const unpublishAt = new Date(now.getTime() + 26 * HOUR);
  const id = await draft(people.eduEditor, { publishAt: publishAt.toISOString(), unpublishAt: unpublishAt.toISOString() });
  await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/submit`, {});
  const approved = await f.post(people.eduEditor2, `/api/v1/portal/articles/${id}/approve`, {});
  assert.deepEqual([approved.json().status, approved.json().scheduled], ['submitted', true]);
  assert.equal((await f.get(people.eduEditor, `/api/v1/portal/articles/${id}`)).json().url, null, 'not visible before its time');

  assert.deepEqual(await runPortalSchedule(f.ctx.platform), { published: 0, unpublished: 0 });
  clock.advance(2 * HOUR + 1000);
  assert.deepEqual(await runPortalSchedule(f.ctx.platform), { published: 1, unpublished: 0 });
  let got = (await f.get(people.eduEditor, `/api/v1/portal/articles/${id}`)).json();
  assert.equal(got.status, 'published');
  assert.equal(new Date(got.publishedAt).getTime(), publishAt.getTime());
  assert.ok(got.url);
  clock.advance(24 * HOUR);
  assert.deepEqual(await runPortalSchedule(f.ctx.platform), { published: 0, unpublished: 1 });
  // Back to the start (the test accounts' tokens last a day).
  clock.set(now);
  got = (await f.get(people.eduEditor, `/api/v1/portal/articles/${id}`)).json();
  assert.equal(got.status, 'withdrawn');
  assert.equal(got.url, null);
  assert.ok(portalModule.jobs?.some((j) => j.name === 'portal.schedule' && j.everySeconds <= 60));
});

test('bad input writes nothing and is answered in the caller’s language', async () => {
  const { people } = f;
  const before = await count('portal_articles');
  const cases: Array<[string, unknown]> = [
    ['empty', {}],
    ['wrong types', article({ title: 12, keywords: 'x' })],
    ['huge title', article({ title: '长'.repeat(5000) })],
    ['huge body', article({ body: 'x'.repeat(200_001) })],
    ['unknown field', article({ colour: 'red' })],
    ['unknown column', article({ columnId: 'nope' })],
    ['a link column', article({ columnId: columns['政务服务'].id })],
    ['bad time', article({ publishAt: 'tomorrow' })],
  ];
  for (const [name, payload] of cases) {
    const res = await f.post(people.eduEditor, '/api/v1/portal/articles', payload, 'en');
    assert.ok([400, 413, 422].includes(res.statusCode), `${name}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/, name);
    assert.doesNotMatch(res.json().title, /[\u4e00-\u9fff]/, `${name}: English`);
  }
  const malformed = await f.ctx.app.inject({ method: 'POST', url: '/api/v1/portal/articles', headers: { ...bearer(people.eduEditor), 'content-type': 'application/json', 'accept-language': 'en' }, payload: '{"title": "x",' });
  assert.equal(malformed.statusCode, 400);
  const zh = await f.post(people.eduEditor, '/api/v1/portal/articles', {}, 'zh-CN');
  assert.match(zh.json().title, /[\u4e00-\u9fff]/);
  assert.equal(await count('portal_articles'), before);
  // Someone else's site: 404, a unit without portal rights: 403.
  assert.equal((await f.post(people.countyEditor, '/api/v1/portal/articles', article())).statusCode, 404);
  assert.equal((await f.post(people.clerk, '/api/v1/portal/articles', article())).statusCode, 403);
});

test('the editors’ list: filtered by site, column and state, page by page', async () => {
  const { people } = f;
  const all: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Array<{ id: string; status: string }>; nextCursor: string | null } = (await f.get(people.eduEditor, `/api/v1/portal/articles?siteId=${edu.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json();
    all.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor;
  } while (cursor);
  assert.equal(new Set(all).size, all.length);
  assert.equal(all.length, await count('portal_articles'));
  const published = (await f.get(people.eduEditor, `/api/v1/portal/articles?status=published&columnId=${columns['部门动态'].id}`)).json().items;
  assert.ok(published.length >= 2 && published.every((a: { status: string; columnId: string }) => a.status === 'published' && a.columnId === columns['部门动态'].id));
  assert.equal((await f.get(people.countyEditor, `/api/v1/portal/articles?siteId=${edu.id}`)).statusCode, 404);
  assert.deepEqual((await f.get(people.countyEditor, '/api/v1/portal/articles')).json().items, []);
});

test('a column that names its editors is written only by them (and the unit admin); a published article moved to another column keeps its state', async () => {
  const { people } = f;
  const made = await f.post(people.eduEditor, `/api/v1/portal/sites/${edu.id}/columns`, { name: '人事信息', slug: 'rsxx', kind: 'article_list', editorIds: [people.eduEditor2.id], needsReview: false });
  assert.equal(made.statusCode, 201, made.body);
  const refused = await f.post(people.eduEditor, '/api/v1/portal/articles', article({ columnId: made.json().id }));
  assert.equal(refused.statusCode, 403);
  assert.equal(problem(refused).body.code, 'PORTAL_COLUMN_NOT_YOURS');
  assert.equal((await f.post(people.eduEditor2, '/api/v1/portal/articles', article({ columnId: made.json().id }))).statusCode, 201);
  assert.equal((await f.post(people.eduAdmin, '/api/v1/portal/articles', article({ columnId: made.json().id }))).statusCode, 201);

  const id = await draft(people.eduEditor, { columnId: columns['部门动态'].id });
  await f.post(people.eduEditor, `/api/v1/portal/articles/${id}/submit`, {});
  const moved = await f.patch(people.eduEditor, `/api/v1/portal/articles/${id}`, { columnId: columns['通知公告'].id });
  assert.equal(moved.statusCode, 200, moved.body);
  const got = (await f.get(people.eduEditor, `/api/v1/portal/articles/${id}`)).json();
  assert.deepEqual([got.status, got.url], ['published', `/s/edu/gzdt/tzgg/${id}.html`]);
});
