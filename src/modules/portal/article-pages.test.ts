/**
 * The console's article pages: an editor writes an article in the browser's forms (no script),
 * previews it in the site's theme, edits it (a new revision, the difference shown), submits it; a
 * colleague approves it; the editor pushes it to the main site and withdraws it. A refused form
 * comes back with the text typed and writes nothing; another unit's editor sees nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { loginSession, type TestUser } from '../../../test/helpers.ts';
import { portalFixture, type PortalFixture } from './testing.ts';

let f: PortalFixture;
let eduSite: string;
let notices: string;
let mainShared: string;
before(async () => {
  f = await portalFixture();
  const { people, units } = f;
  const main = await f.post(people.sysadmin, '/api/v1/portal/sites', { name: '云川市人民政府', kind: 'main', unitId: units.office, slug: 'www' });
  assert.equal(main.statusCode, 201, main.body);
  const edu = await f.post(people.sysadmin, '/api/v1/portal/sites', { name: '云川市教育局', kind: 'department', unitId: units.edu, slug: 'jyj' });
  assert.equal(edu.statusCode, 201, edu.body);
  eduSite = edu.json().id;
  type Node = { id: string; name: string; children: Node[] };
  const flat = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flat(n.children)]);
  notices = flat((await f.get(people.eduEditor, `/api/v1/portal/sites/${eduSite}/columns`)).json().items).find((c) => c.name === '通知公告')!.id;
  mainShared = flat((await f.get(people.officeEditor, `/api/v1/portal/sites/${main.json().id}/columns`)).json().items).find((c) => c.name === '部门动态')!.id;
});
after(() => f?.ctx.close());

type Session = { cookie: string; csrfToken: string };
const session = (user: TestUser) => loginSession(f.ctx.app, user.username) as Promise<Session>;
const page = (s: Session, url: string) => f.ctx.app.inject({ method: 'GET', url, headers: { cookie: s.cookie } });
const form = (s: Session, url: string, fields: Record<string, string>) =>
  f.ctx.app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: s.csrfToken, ...fields }).toString() });
const noRawKeys = (html: string) => assert.doesNotMatch(html, /page\.portalAdmin\.|portal\.[a-z]+\.[a-z]|flash\.portalAdmin/);
const articleCount = async () => Number((await sql<{ n: string }>`select count(*) as n from portal_articles`.execute(f.ctx.platform.db)).rows[0].n);
const fields = (over: Record<string, string> = {}) => ({ columnId: notices, title: '', subtitle: '', summary: '', body: '', source: '', author: '', keywords: '', publishAt: '', unpublishAt: '', ...over });

test('an editor writes, previews, edits and submits an article; a colleague approves it; it is pushed to the main site and withdrawn', async () => {
  const editor = await session(f.people.eduEditor);
  // One site to edit: the editor goes straight to the form.
  const blank = await page(editor, '/console/portal/articles/new');
  assert.equal(blank.statusCode, 200, blank.body);
  assert.ok(blank.body.includes('name="title"') && blank.body.includes('name="body"') && blank.body.includes('通知公告'));
  noRawKeys(blank.body);

  // Refused: no title. The page comes back with what was typed; nothing is written.
  const before = await articleCount();
  const refused = await form(editor, `/console/portal/articles/new?siteId=${eduSite}`, fields({ body: '第一段正文\n第二段正文', intent: 'save' }));
  assert.equal(refused.statusCode, 400, refused.body);
  assert.ok(refused.body.includes('第一段正文') && refused.body.includes('第二段正文'), 'the text typed is kept');
  noRawKeys(refused.body);
  assert.equal(await articleCount(), before);

  // Saved and previewed: script in the title and body is never run, the page is the site's theme.
  const made = await form(editor, `/console/portal/articles/new?siteId=${eduSite}`, fields({ title: '寒假安全<script>alert(1)</script>提示', body: '请各校做好寒假安全工作。\n<img src=x onerror=alert(1)>务必落实。', keywords: '寒假，安全、学校', intent: 'preview' }));
  assert.equal(made.statusCode, 303, made.body);
  const previewUrl = String(made.headers.location);
  assert.match(previewUrl, /^\/console\/portal\/articles\/[^/]+\/preview$/);
  const id = previewUrl.split('/')[4];
  const preview = await page(editor, previewUrl);
  assert.equal(preview.statusCode, 200);
  assert.ok(preview.body.includes('class="preview-banner"') && preview.body.includes('草稿'));
  assert.ok(preview.body.includes('请各校做好寒假安全工作。') && preview.body.includes('/assets/portal/'));
  assert.doesNotMatch(preview.body, /<script>alert|onerror/);
  assert.equal(preview.headers['cache-control'], 'no-store');

  const draft = await page(editor, `/console/portal/articles/${id}`);
  assert.equal(draft.statusCode, 200);
  assert.ok(draft.body.includes('草稿') && draft.body.includes('第 1 版') && draft.body.includes('寒假，安全，学校'));
  noRawKeys(draft.body);

  // Edited: a second revision, and the difference shown line by line.
  const opened = /name="version" value="(\d+)"/.exec(draft.body)?.[1];
  assert.ok(opened, 'the form carries the version it was opened at');
  const edited = await form(editor, `/console/portal/articles/${id}`, fields({ title: '寒假安全提示', body: '请各校做好寒假安全工作。\n务必在放假前落实。', keywords: '寒假', version: opened!, intent: 'save' }));
  assert.equal(edited.statusCode, 303, edited.body);
  // The same old form sent again (another tab, the back button): refused, what was typed kept, nothing undone.
  const stale = await form(editor, `/console/portal/articles/${id}`, fields({ title: '旧标题', body: '旧的正文', version: opened!, intent: 'save' }));
  assert.equal(stale.statusCode, 409, stale.body);
  assert.ok(stale.body.includes('已被修改（现为第 2 版）') && stale.body.includes('旧的正文'));
  assert.equal((await f.get(f.people.eduEditor, `/api/v1/portal/articles/${id}`)).json().title, '寒假安全提示');
  const diff = await page(editor, `/console/portal/articles/${id}/diff?from=1&to=2`);
  assert.equal(diff.statusCode, 200, diff.body);
  assert.ok(diff.body.includes('<ins>务必在放假前落实。</ins>') && diff.body.includes('<del>'));
  noRawKeys(diff.body);
  // Saved again unchanged and submitted (a browser sends the text box's line breaks as CRLF): no new revision.
  const submitted = await form(editor, `/console/portal/articles/${id}`, fields({ title: '寒假安全提示', body: '请各校做好寒假安全工作。\r\n务必在放假前落实。', keywords: '寒假', intent: 'submit' }));
  assert.equal(submitted.statusCode, 303, submitted.body);
  const state = (await f.get(f.people.eduEditor, `/api/v1/portal/articles/${id}`)).json();
  assert.deepEqual([state.status, state.revision], ['submitted', 2]);
  // In review: no form to edit.
  assert.ok(!(await page(editor, `/console/portal/articles/${id}`)).body.includes('name="intent"'));

  const reviewer = await session(f.people.eduEditor2);
  const queue = await page(reviewer, '/console/portal/review');
  assert.ok(queue.body.includes(`/console/portal/articles/${id}/preview`), 'the reviewer can read it in full');
  assert.equal((await page(reviewer, `/console/portal/articles/${id}/preview`)).statusCode, 200);
  assert.equal((await form(reviewer, `/console/portal/review/${id}/approve`, {})).statusCode, 303);
  const published = await page(editor, `/console/portal/articles/${id}`);
  assert.ok(published.body.includes('已发布') && published.body.includes('/s/jyj/') && published.body.includes(`value="${mainShared}"`));

  // Pushed to the main site's shared column, then withdrawn with a reason: gone from its address.
  assert.equal((await form(editor, `/console/portal/articles/${id}/share`, { columnId: mainShared })).statusCode, 303);
  assert.equal((await f.get(f.people.officeEditor, '/api/v1/portal/shares?status=pending')).json().items.length, 1);
  const url = (await f.get(f.people.eduEditor, `/api/v1/portal/articles/${id}`)).json().url as string;
  assert.equal((await f.ctx.app.inject({ url })).statusCode, 200);
  const noReason = await form(editor, `/console/portal/articles/${id}/withdraw`, { reason: '' });
  assert.equal(noReason.statusCode, 303);
  assert.equal((await f.get(f.people.eduEditor, `/api/v1/portal/articles/${id}`)).json().status, 'published', 'no reason, no withdrawal');
  assert.equal((await form(editor, `/console/portal/articles/${id}/withdraw`, { reason: '内容已过时' })).statusCode, 303);
  assert.equal((await f.get(f.people.eduEditor, `/api/v1/portal/articles/${id}`)).json().status, 'withdrawn');
  assert.equal((await f.ctx.app.inject({ url })).statusCode, 404);
  const withdrawn = await page(editor, `/console/portal/articles/${id}?lang=en`);
  assert.ok(withdrawn.body.includes('Withdrawn: 内容已过时'));
  noRawKeys(withdrawn.body);

  const list = await page(editor, `/console/portal/articles?siteId=${eduSite}`);
  assert.ok(list.body.includes('寒假安全提示') && list.body.includes('已撤稿'));
  noRawKeys(list.body);
});

test("another unit's editor sees neither the article nor the form for the site", async () => {
  const made = await f.post(f.people.eduEditor, '/api/v1/portal/articles', { siteId: eduSite, columnId: notices, title: '内部草稿', body: '草稿正文' });
  const id = made.json().id as string;
  const other = await session(f.people.otherEditor);
  assert.equal((await page(other, `/console/portal/articles/${id}`)).statusCode, 404);
  assert.equal((await page(other, `/console/portal/articles/${id}/preview`)).statusCode, 404);
  assert.equal((await page(other, `/console/portal/articles/new?siteId=${eduSite}`)).statusCode, 404);
  const before = await articleCount();
  assert.equal((await form(other, `/console/portal/articles/${id}`, fields({ title: '改掉', body: 'x', intent: 'save' }))).statusCode, 404);
  assert.equal((await form(other, `/console/portal/articles/new?siteId=${eduSite}`, fields({ title: '混进来', body: 'x', intent: 'save' }))).statusCode, 404);
  assert.equal(await articleCount(), before);
  assert.equal((await f.get(f.people.eduEditor, `/api/v1/portal/articles/${id}`)).json().title, '内部草稿');
  assert.ok(!(await page(other, '/console/portal/articles')).body.includes('内部草稿'));
});
