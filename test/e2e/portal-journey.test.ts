// The site group's journey in the browser: a unit administrator signs in to the console and creates
// a department sub-site from a template; the department's editor writes the article in the console's
// editor, previews it in the site's theme, publishes it and pushes it to a shared column of the
// main site; the main site's editor accepts it in the console's shared-column inbox; a visitor at /
// searches in Chinese, finds it and opens it — at 1366 and 390 px, axe clean, no sideways scroll.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible, assertNoSidewaysScroll, chromiumMissing, openBrowser, watchedPage } from './browser.ts';
import { bearer, createTestContext, makeUnit, makeUser, seedRegions, type TestContext, type TestUser } from '../helpers.ts';

const TITLE = '市教育局部署寒假校园消防安全检查工作';

describe('the portal site group in the browser', { skip: chromiumMissing }, () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  let people: { sysadmin: TestUser; eduAdmin: TestUser; eduEditor: TestUser; officeEditor: TestUser };
  const pageErrors: string[] = [];
  let sharedColumn = '';

  const api = (user: TestUser, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => ctx.app.inject({ method, url, payload, headers: bearer(user) });

  before(async () => {
    ctx = await createTestContext();
    await seedRegions(ctx.platform);
    const office = await makeUnit(ctx.platform, '云川市人民政府办公室');
    const edu = await makeUnit(ctx.platform, '云川市教育局');
    people = {
      sysadmin: await makeUser(ctx.platform, office.id, ['sysadmin']),
      eduAdmin: await makeUser(ctx.platform, edu.id, ['unit_admin']),
      eduEditor: await makeUser(ctx.platform, edu.id, ['editor']),
      officeEditor: await makeUser(ctx.platform, office.id, ['editor']),
    };
    const main = await api(people.sysadmin, 'POST', '/api/v1/portal/sites', { name: '云川市人民政府', kind: 'main', unitId: office.id, slug: 'www' });
    assert.equal(main.statusCode, 201, main.body);
    ({ base, browser } = await openBrowser(ctx));
  });

  after(async () => {
    await browser?.close();
    await ctx?.close();
    assert.deepEqual(pageErrors, [], 'pages run without script errors or CSP refusals');
  });

  const newPage = (width: number): Promise<Page> => watchedPage(browser, width, pageErrors);

  async function signIn(page: Page, user: TestUser) {
    await page.goto(`${base}/console/login`);
    await page.getByLabel('用户名').fill(user.username);
    await page.getByLabel('密码').fill(user.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/console/);
  }

  test('an editor makes a sub-site, publishes and pushes an article; the main site accepts it', async () => {
    const page = await newPage(1366);
    await signIn(page, people.eduAdmin);
    await page.goto(`${base}/console/portal/new-site`);
    await page.getByLabel('名称').fill('云川市教育局');
    await page.getByLabel('网站类型').selectOption('department');
    await page.getByLabel('标识').fill('jyj');
    await page.getByRole('button', { name: '新建网站' }).click();
    await page.waitForURL(/\/console\/portal\/sites\//);
    await page.context().close();

    const sites = (await api(people.eduEditor, 'GET', '/api/v1/portal/sites')).json().items as Array<{ id: string; slug: string }>;
    const site = sites.find((s) => s.slug === 'jyj')!;
    type Node = { id: string; name: string; children: Node[] };
    const flat = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flat(n.children)]);
    const column = flat((await api(people.eduEditor, 'GET', `/api/v1/portal/sites/${site.id}/columns`)).json().items).find((c) => c.name === '部门动态')!;
    assert.equal((await api(people.eduAdmin, 'PATCH', `/api/v1/portal/columns/${column.id}`, { needsReview: false })).statusCode, 200);

    // The editor writes it in the console: save and preview, then publish (the column needs no review), then push.
    const mainSite = sites.find((s) => s.slug === 'www') ?? (await api(people.officeEditor, 'GET', '/api/v1/portal/sites')).json().items[0];
    const mainColumns = flat((await api(people.officeEditor, 'GET', `/api/v1/portal/sites/${mainSite.id}/columns`)).json().items as Node[]);
    sharedColumn = mainColumns.find((c) => c.name === '部门动态')!.id;
    for (const width of [1366, 390]) {
      const editor = await newPage(width);
      await signIn(editor, people.eduEditor);
      await editor.goto(`${base}/console/portal/articles/new?siteId=${site.id}`);
      await assertAccessible(editor, `article editor ${width}`, 'portal-journey');
      await assertNoSidewaysScroll(editor, `article editor at ${width}`);
      if (width === 390) {
        await editor.context().close();
        continue;
      }
      await editor.getByLabel('栏目').selectOption(column.id);
      await editor.getByLabel(/^标题/).fill(TITLE);
      await editor.getByLabel('正文').fill('为切实做好寒假期间校园消防安全工作，市教育局部署开展校园消防安全检查。\n各校要对照清单逐项检查。');
      await editor.getByRole('button', { name: '保存并预览' }).click();
      await editor.waitForURL(/\/preview$/);
      assert.match(await editor.locator('.preview-banner').innerText(), /预览/);
      assert.equal(await editor.getByRole('heading', { level: 1 }).textContent(), TITLE);
      await assertAccessible(editor, 'article preview', 'portal-journey');
      // From the list of articles to the article's page.
      await editor.goto(`${base}/console/portal/articles?siteId=${site.id}`);
      await editor.getByRole('link', { name: TITLE }).click();
      await editor.waitForURL(/\/console\/portal\/articles\/[^/?]+$/);
      await editor.getByRole('button', { name: '保存并提交' }).click();
      await editor.waitForLoadState();
      assert.match(await editor.locator('main').innerText(), /文章已发布/);
      await assertAccessible(editor, 'article page', 'portal-journey');
      await editor.getByLabel('主站共享栏目').selectOption(sharedColumn);
      await editor.getByRole('button', { name: '报送' }).click();
      await editor.waitForLoadState();
      assert.match(await editor.locator('main').innerText(), /等待主站采用/);
      await editor.context().close();
    }

    const inbox = await newPage(1366);
    await signIn(inbox, people.officeEditor);
    await inbox.goto(`${base}/console/portal/shares`);
    assert.match(await inbox.locator('main').innerText(), new RegExp(TITLE));
    await inbox.getByRole('button', { name: '采用' }).first().click();
    await inbox.waitForLoadState();
    assert.doesNotMatch(await inbox.locator('main').innerText(), new RegExp(TITLE));
    await inbox.context().close();
  });

  for (const width of [1366, 390]) {
    test(`at ${width} px a visitor at / finds the article by searching in Chinese and opens it`, async () => {
      const page = await newPage(width);
      await page.goto(`${base}/`);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '云川市人民政府');
      assert.match(await page.locator('main').innerText(), new RegExp(TITLE), 'the shared column on the home page shows it');
      await assertAccessible(page, `portal main site ${width}`, 'portal-journey');
      await assertNoSidewaysScroll(page, `home at ${width}`);

      await page.goto(`${base}/search`);
      const box = page.getByRole('searchbox').first();
      await box.fill('消防 检查');
      await box.press('Enter');
      await page.waitForURL(/\/search\?q=/);
      const result = page.getByRole('link', { name: TITLE }).first();
      assert.ok(await result.isVisible(), 'the article is among the results');
      await assertAccessible(page, `portal search ${width}`, 'portal-journey');
      await assertNoSidewaysScroll(page, `search at ${width}`);

      await result.click();
      await page.waitForURL(/\.html$/);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), TITLE);
      assert.match(await page.locator('body').innerText(), /云川市教育局/, 'the sub-site it is published on');
      await assertAccessible(page, `portal article ${width}`, 'portal-journey');
      await assertNoSidewaysScroll(page, `article at ${width}`);
      await page.context().close();
    });
  }
});
