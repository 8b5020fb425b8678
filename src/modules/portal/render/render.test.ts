/**
 * The site renderers as pure functions: text is escaped (titles with script and event handlers
 * come out as text), sanitised body HTML is kept, nothing per request or inline is in the page, the
 * same input gives the same bytes, and every page is valid HTML.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HtmlValidate } from 'html-validate';
import { parseDocument } from 'htmlparser2';
import type { Element } from 'domhandler';
import * as fx from '../../../../test/modules/portal-site/fixtures.ts';
import { renderArticle, renderColumnList, renderHome, renderNotFound, renderSearch, renderSinglePage, renderSitePage, type ArticleView, type SiteView } from './index.ts';
import { dateOf, dateTimeOf, fileSize, snippetHtml } from './format.ts';
import { pageWindow } from './parts.tsx';

const validator = new HtmlValidate({ extends: ['html-validate:standard'] });

const EVIL = ['<script>alert(1)</script>', '" onmouseover="alert(2)', "' onfocus='alert(3)", '<img src=x onerror=alert(4)>', '</title><script>alert(5)</script>', 'A & B < C > D'];
const evil = (i: number) => `标题${EVIL[i % EVIL.length]}结束`;

function allPages(site: SiteView = fx.mainSite()) {
  const column = fx.newsColumn(site);
  return {
    home: renderHome(site, fx.homeView()),
    list: renderColumnList(site, column, { items: fx.manyItems().slice(10, 20), pagination: { page: 2, pages: 5, hrefFor: (n) => (n === 1 ? '/c/news/' : `/c/news/index_${n}.html`) } }),
    single: renderSinglePage(site, { ...column, kind: 'single_page', children: [] }, { title: '机构概况', bodyHtml: '<p>云川市人民政府办公室是市人民政府的办事机构。</p>', updatedAt: '2026-12-01T02:00:00Z' }),
    article: renderArticle(site, column, fx.articleView()),
    search: renderSearch(site, fx.searchView()),
    searchEmpty: renderSearch(site, { q: '', items: [], total: 0, filters: [], pagination: null }),
    searchNone: renderSearch(site, { q: '火星移民', items: [], total: 0, filters: [], pagination: null }),
    notFound: renderNotFound(site),
  };
}

/** Every element of a page, parsed the way a browser's tokenizer would see the markup. */
function elements(page: string): Element[] {
  const out: Element[] = [];
  const walk = (nodes: unknown[]) => {
    for (const node of nodes as Array<Element & { children?: unknown[] }>) {
      if (node.type === 'tag' || node.type === 'script' || node.type === 'style') out.push(node);
      if (node.children) walk(node.children);
    }
  };
  walk(parseDocument(page).children);
  return out;
}

/** A site, column and article whose every text field carries markup and event handlers. */
function hostileViews() {
  const site: SiteView = {
    ...fx.mainSite(),
    name: evil(0),
    tagline: evil(1),
    navigation: fx.mainSite().navigation.map((n, i) => ({ ...n, label: evil(i) })),
    footer: { ...fx.mainSite().footer, sponsor: evil(2), organizer: evil(3), icp: evil(4), identCode: evil(5), contact: { address: evil(0), phone: evil(1), email: evil(2) }, links: [{ label: evil(3), href: '/a"b<c' }] },
  };
  const column = { ...fx.newsColumn(site), name: evil(4), description: evil(5), breadcrumbs: [{ label: evil(0), href: '/' }, { label: evil(1), href: '/c/x/' }], children: [{ label: evil(2), href: "/c/'y'/" }] };
  const article: ArticleView = {
    ...fx.articleView(),
    title: evil(0),
    subtitle: evil(1),
    summary: evil(2),
    source: evil(3),
    author: evil(4),
    keywords: [evil(5), evil(0)],
    attachments: [{ name: evil(1), url: '/f/"x".pdf', size: 10, kind: '<b>' }],
    attachmentContact: evil(2),
    facts: [{ label: evil(3), value: evil(4) }],
    sourceSite: { name: evil(5), url: '/s/"q"/' },
    previous: { label: evil(0), href: '/p' },
    next: { label: evil(1), href: '/n' },
  };
  return { site, column, article };
}

test('titles and every other text field come out as text: no script, no event handler, nothing broken out of an attribute', async () => {
  const { site, column, article } = hostileViews();
  const items = [{ title: evil(2), url: '/a/1.html', publishedAt: '2026-12-07T01:00:00Z', summary: evil(3), sourceSite: { name: evil(4), url: '/s/x/' } }];
  const pages = [
    renderArticle(site, column, article),
    renderColumnList(site, column, { items, pagination: { page: 1, pages: 2, hrefFor: (n) => `/c/x/index_${n}.html?a=1&b="2"` } }),
    renderHome(site, { headline: items[0], blocks: [{ id: '"><script>', title: evil(5), items, more: { label: evil(0), href: '/m' } }], serviceHall: { title: evil(1), searchAction: '/services?x="y"', hotItems: [{ label: evil(2), href: '/h' }], more: null }, interaction: { title: evil(3), entries: [{ label: evil(4), href: '/i', description: evil(5) }], more: null } }),
    renderSearch(site, { q: evil(1), items: [{ title: evil(0), url: '/r', snippetHtml: '<mark>命中</mark><img src=x onerror=alert(6)><script>alert(7)</script> <b', publishedAt: '2026-12-07T01:00:00Z', sourceSite: { name: evil(2), url: '/s' } }], total: 1, filters: [{ label: evil(3), options: [{ label: evil(4), href: '/f?"', current: true }] }], pagination: null }),
    renderNotFound(site),
  ];
  for (const page of pages) {
    const els = elements(page);
    const scripts = els.filter((e) => e.name === 'script');
    assert.ok(scripts.every((s) => s.attribs.src?.startsWith('/assets/portal/')), 'only the portal’s own script files');
    assert.equal(els.filter((e) => e.name === 'img').length, 0, 'no injected image');
    for (const e of els) for (const name of Object.keys(e.attribs)) assert.ok(!name.startsWith('on'), `no event handler attribute (${e.name} ${name})`);
    assert.ok(page.includes('标题&lt;script>alert(1)&lt;/script>结束'), 'the text is shown escaped (kitajs escapes <, & and quotes; a > alone opens nothing)');
    const report = await validator.validateString(page);
    assert.deepEqual(report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`)), [], 'still valid HTML');
  }
  // The search snippet keeps its <mark> and shows everything else as text.
  assert.match(pages[3], /<p class="search-snippet"><mark>命中<\/mark>&lt;img src=x onerror=alert\(6\)>&lt;script>alert\(7\)&lt;\/script> &lt;b<\/p>/);
  // The <title> holds the escaped text, not a second element.
  assert.match(pages[0], /<title>标题&lt;script>alert\(1\)&lt;\/script>结束 - 标题&lt;script>/);
});

test('the sanitised body HTML is written as it is', () => {
  const body = '<p>第一段<strong>加粗</strong>，<a href="/c/news/">链接</a>。</p><ul><li>一</li></ul>';
  const page = renderArticle(fx.mainSite(), fx.newsColumn(fx.mainSite()), { ...fx.articleView(), bodyHtml: body });
  assert.ok(page.includes(`<div class="article-body" data-article-body="">${body}</div>`));
});

test('no per-request value and nothing inline: no nonce, no token, no inline script or style; lang is zh-CN', () => {
  for (const [name, page] of Object.entries(allPages())) {
    assert.doesNotMatch(page, /nonce/i, name);
    assert.doesNotMatch(page, /csrf/i, name);
    assert.doesNotMatch(page, /<style/i, name);
    assert.doesNotMatch(page, /\sstyle=/i, name);
    const els = elements(page);
    for (const s of els.filter((e) => e.name === 'script')) assert.ok(s.attribs.src && s.children.length === 0, `${name}: every script is a file`);
    const html = els.find((e) => e.name === 'html')!;
    assert.equal(html.attribs.lang, 'zh-CN');
    assert.equal(html.attribs.class, 'theme-blue palette-blue');
    // The skip link is the first thing to focus, and leads to <main id="main">.
    const firstLink = els.find((e) => e.name === 'a' || e.name === 'button' || e.name === 'input')!;
    assert.equal(firstLink.attribs.href, '#main', `${name}: the skip link comes first`);
    assert.ok(els.some((e) => e.name === 'main' && e.attribs.id === 'main'));
    // The display script is in <head> before the stylesheets (applied before the first paint).
    assert.ok(page.indexOf('/assets/portal/display.js') < page.indexOf('rel="stylesheet"'), name);
  }
});

test('the same input gives the same bytes (pages are published as files)', () => {
  const first = allPages();
  const second = allPages();
  for (const name of Object.keys(first) as Array<keyof typeof first>) assert.equal(first[name], second[name], name);
  // A different site colour changes only what it should.
  const green = allPages({ ...fx.mainSite(), theme: 'green', palette: 'teal' });
  assert.equal(green.home.replace('theme-green palette-teal', 'theme-blue palette-blue'), first.home);
});

test('every page is valid HTML', async () => {
  for (const site of [fx.mainSite(), fx.educationSite(), fx.countySite()]) {
    for (const [name, page] of Object.entries(allPages(site))) {
      const report = await validator.validateString(page, name);
      assert.deepEqual(report.results.flatMap((r) => r.messages.map((m) => `${name}:${m.line}:${m.column} ${m.ruleId} ${m.message}`)), [], `${site.id} ${name}`);
    }
  }
});

test('the footer: sponsor, ICP record linked to beian.miit.gov.cn, public security record linked by its number, site code, contact, accessibility statement', () => {
  const page = allPages().home;
  assert.match(page, /主办单位：<span>云川市人民政府办公室<\/span>/);
  assert.match(page, /<a href="https:\/\/beian\.miit\.gov\.cn\/" rel="noopener">云ICP备05001234号-1<\/a>/);
  assert.match(page, /<a href="https:\/\/beian\.mps\.gov\.cn\/#\/query\/webSearch\?code=53010202000123" rel="noopener">云公网安备 53010202000123号<\/a>/);
  assert.match(page, /网站标识码：<span>5301000001<\/span>/);
  assert.match(page, /<a href="tel:087112345678">0871-12345678<\/a>/);
  assert.match(page, /<a href="\/accessibility">无障碍声明<\/a>/);
  // A sub-site without the optional parts still renders.
  const bare = renderNotFound({ ...fx.educationSite(), footer: { ...fx.educationSite().footer, icp: null, publicSecurityRecord: null, identCode: null, organizer: null, links: [] } });
  assert.doesNotMatch(bare, /beian/);
  assert.match(bare, /返回主站/);
});

test('navigation: the section of the page is marked current; account links are plain links', () => {
  const { list, article, home } = allPages();
  for (const page of [list, article]) assert.equal((page.match(/<a href="\/c\/news\/" aria-current="page">要闻动态<\/a>/g) ?? []).length, 2, 'in the row and in the phone menu');
  assert.equal((home.match(/<a href="\/" aria-current="page">首页<\/a>/g) ?? []).length, 2);
  assert.match(home, /<details class="site-nav-menu"><summary class="wrap">栏目导航<\/summary>/);
  assert.match(home, /<a class="tool-link" href="\/login">登录<\/a>/);
  assert.match(home, /<a class="tool-link" href="\/account">我的<\/a>/);
  assert.doesNotMatch(renderHome({ ...fx.mainSite(), accountLinks: null }, fx.homeView()), /登录/);
});

test('pagination: first, previous, numbers with the current one marked, next, last; page 2 onwards say so in the title', () => {
  assert.deepEqual(pageWindow(1, 1), [1]);
  assert.deepEqual(pageWindow(1, 10), [1, 2, 3, null, 10]);
  assert.deepEqual(pageWindow(6, 10), [1, null, 4, 5, 6, 7, 8, null, 10]);
  assert.deepEqual(pageWindow(10, 10), [1, null, 8, 9, 10]);
  const { list } = allPages();
  assert.match(list, /<title>要闻动态（第 2 页） - 云川市人民政府<\/title>/);
  assert.match(list, /<a href="\/c\/news\/">首页<\/a>/);
  assert.match(list, /<a href="\/c\/news\/" rel="prev">上一页<\/a>/);
  assert.match(list, /<a href="\/c\/news\/index_2.html" aria-label="第 2 页" aria-current="page">2<\/a>/);
  assert.match(list, /<a href="\/c\/news\/index_3.html" rel="next">下一页<\/a>/);
  assert.match(list, /<a href="\/c\/news\/index_5.html">末页<\/a>/);
  assert.match(list, /第 2 页，共 5 页/);
  assert.match(list, /<link rel="alternate" type="application\/rss\+xml" title="要闻动态" href="\/c\/news\/rss.xml"\/>/);
  const one = renderColumnList(fx.mainSite(), fx.newsColumn(fx.mainSite()), { items: [], pagination: { page: 1, pages: 1, hrefFor: () => '/c/news/' } });
  assert.doesNotMatch(one, /class="pagination/);
  assert.match(one, /本栏目暂无信息。/);
});

test('the article: breadcrumbs to its column, metadata, facts, attachments with type, size and the alternative-format contact, previous and next', () => {
  const { article } = allPages();
  assert.match(article, /<li><a href="\/c\/news\/">要闻动态<\/a><\/li><li aria-current="page">云川市“一网通办”/);
  assert.match(article, /<time datetime="2026-12-06T15:30:00\+08:00">2026-12-06 15:30<\/time>/);
  assert.match(article, /<dt>来源<\/dt><dd>云川市政务服务管理局<\/dd>/);
  assert.match(article, /<dt>索引号<\/dt><dd>11530100MB0000001X\/2026-00126<\/dd>/);
  assert.match(article, /<a href="\/files\/att\/8f3a1c.pdf">新增高频事项清单.pdf<\/a><span class="attachment-facts">（PDF文件，1.2 MB）<\/span>/);
  assert.match(article, /如需无障碍格式或其他格式的附件，请联系：<span>云川市政务服务管理局办公室/);
  assert.match(article, /下一篇<\/span>：没有了/);
  const alone = renderArticle(fx.mainSite(), fx.newsColumn(fx.mainSite()), { ...fx.articleView(), previous: null, next: null });
  assert.doesNotMatch(alone, /article-pager|没有了/, 'no neighbours, no pager');
  assert.match(article, /data-article-tools="" hidden/, 'the reading tools wait for the script');
  // A shared copy names its source site.
  const shared = renderArticle(fx.mainSite(), fx.newsColumn(fx.mainSite()), { ...fx.articleView(), sourceSite: { name: '云川市教育局', url: '/s/jyj/' } });
  assert.match(shared, /信息来源网站：<a href="\/s\/jyj\/">云川市教育局<\/a>/);
});

test('the search page: the query kept in the box, filters, totals, an empty query and no results', () => {
  const { search, searchEmpty, searchNone } = allPages();
  assert.match(search, /<input id="search-q" type="search" name="q" maxlength="100" value="一网通办"/);
  assert.match(search, /“一网通办”共找到 2 条结果/);
  assert.match(search, /<a href="\/search\?q=%E4%B8%80%E7%BD%91%E9%80%9A%E5%8A%9E" aria-current="true">全部站点<\/a>/);
  assert.match(search, /<span class="source-badge">云川市教育局<\/span>/);
  assert.doesNotMatch(search, /header-search/, 'one search form on the search page');
  assert.match(searchEmpty, /请输入要查找的内容/);
  assert.match(searchNone, /没有找到与“火星移民”相关的内容/);
});

test('formatting: dates in Asia/Shanghai across midnight, file sizes, snippets', () => {
  assert.equal(dateOf('2026-12-31T16:30:00Z'), '2027-01-01');
  assert.equal(dateTimeOf('2026-12-31T16:30:00Z'), '2027-01-01 00:30');
  assert.equal(dateOf('not a date'), '');
  assert.equal(fileSize(512), '512 B');
  assert.equal(fileSize(86_016), '84 KB');
  assert.equal(fileSize(1_258_291), '1.2 MB');
  assert.equal(snippetHtml('a <mark>b</mark> <i>c</i>'), 'a <mark>b</mark> &lt;i>c&lt;/i>');
});

test('renderSitePage wraps other content in the same chrome (what a module page in the site would use)', () => {
  const page = renderSitePage(fx.mainSite(), { title: '办事服务', mainHtml: '<h1>办事服务</h1>', crumbs: [{ label: '首页', href: '/' }, { label: '办事服务', href: '/services' }] });
  assert.match(page, /<title>办事服务 - 云川市人民政府<\/title>/);
  assert.match(page, /<a href="\/services" aria-current="page">办事服务<\/a>/);
  assert.match(page, /<main id="main" class="site-main" tabindex="-1"><div class="wrap"><nav class="breadcrumb"/);
});

test('a site’s logo replaces the emblem (its name stays text); a navigation marked by the caller is kept as marked', () => {
  const site = { ...fx.educationSite(), logoUrl: '/files/logo/jyj.png?v=1&s=2' };
  const page = renderHome(site, fx.homeView());
  assert.match(page, /<a class="brand" href="\/s\/jyj\/"><img class="brand-logo" src="\/files\/logo\/jyj.png\?v=1&amp;s=2" alt=""\/><span class="brand-text"><span class="brand-name">云川市教育局<\/span>/);
  assert.doesNotMatch(page, /brand-mark/);
  const marked = { ...fx.mainSite(), navigation: fx.mainSite().navigation.map((n) => ({ ...n, current: n.label === '政民互动' })) };
  const list = renderColumnList(marked, fx.newsColumn(marked), { items: [], pagination: { page: 1, pages: 1, hrefFor: () => '/' } });
  assert.match(list, /<a href="\/interaction" aria-current="page">政民互动<\/a>/);
  assert.doesNotMatch(list, /<a href="\/c\/news\/" aria-current="page">/);
});

test('per-request parts for a module page in the site’s chrome: the visitor’s account tools and the known 长者模式; published pages never have them', () => {
  const site = fx.mainSite();
  const page = renderSitePage(site, { title: '我的办件', mainHtml: '<h1>我的办件</h1>', perRequest: { accountToolsHtml: '<span class="account-name">张三</span>', displayLarge: true } });
  assert.match(page, /<html lang="zh-CN" class="theme-blue palette-blue display-large">/);
  assert.match(page, /<li><span class="account-name">张三<\/span><\/li><\/ul>/);
  assert.doesNotMatch(page, /href="\/login"/);
  // The cached chrome of the site is not touched by it.
  const after = renderSitePage(site, { title: '我的办件', mainHtml: '<h1>我的办件</h1>' });
  assert.doesNotMatch(after, /张三|display-large/);
  assert.match(after, /<a class="tool-link" href="\/login">登录<\/a>/);
});
