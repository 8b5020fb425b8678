/**
 * RSS 2.0 and sitemap.xml are well-formed XML whatever the titles hold: parsed here with a strict
 * XML parser (saxes, which exceljs brings), and what was escaped reads back as the original text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SaxesParser } from 'saxes';
import * as fx from '../../../../test/modules/portal-site/fixtures.ts';
import { renderRss, renderSitemap, renderSitemapIndex, SITEMAP_MAX_URLS, xmlEscape } from './index.ts';

interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlNode[];
}

/** A strict parse (throws on anything not well-formed) into a small tree. */
function parseXml(xml: string): XmlNode {
  const parser = new SaxesParser({ xmlns: false });
  const root: XmlNode = { name: '#document', attributes: {}, text: '', children: [] };
  const stack = [root];
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (tag) => {
    const node: XmlNode = { name: tag.name, attributes: tag.attributes as Record<string, string>, text: '', children: [] };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  });
  parser.on('text', (text) => {
    stack[stack.length - 1].text += text;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(xml).close();
  return root.children[0];
}

const child = (node: XmlNode, name: string) => node.children.find((c) => c.name === name);
const children = (node: XmlNode, name: string) => node.children.filter((c) => c.name === name);

const NASTY = `A&B <C> "D" 'E' 标题<script>alert(1)</script> & 云川市\u0001\u001f\uFFFE\uD800 末尾 😀`;
const NASTY_READ = `A&B <C> "D" 'E' 标题<script>alert(1)</script> & 云川市 末尾 😀`;

test('RSS 2.0 per column: well-formed with & < > " \' and CJK, text reads back exactly, absolute links, RFC 822 dates, self link', () => {
  const site = fx.mainSite();
  const column = { ...fx.newsColumn(site), name: `要闻 & "动态" <最新>`, description: NASTY };
  const items = [
    { title: NASTY, url: '/a/2026/12/1.html?x=1&y=2', publishedAt: '2026-12-06T07:30:00Z', summary: NASTY },
    { ...fx.NEWS[2] },
    { ...fx.NEWS[0] },
  ];
  const xml = renderRss(site, column, { selfUrl: '/c/news/rss.xml', items });
  const rss = parseXml(xml);
  assert.equal(rss.name, 'rss');
  assert.equal(rss.attributes.version, '2.0');
  const channel = child(rss, 'channel')!;
  assert.equal(child(channel, 'title')!.text, `要闻 & "动态" <最新> - 云川市人民政府`);
  assert.equal(child(channel, 'link')!.text, 'https://www.yunchuan.gov.cn/c/news/');
  assert.equal(child(channel, 'description')!.text, NASTY_READ);
  assert.equal(child(channel, 'language')!.text, 'zh-cn');
  assert.equal(child(channel, 'atom:link')!.attributes.href, 'https://www.yunchuan.gov.cn/c/news/rss.xml');
  assert.equal(child(channel, 'lastBuildDate')!.text, 'Mon, 07 Dec 2026 01:30:00 GMT', 'the newest item’s date, not the clock');
  const [first, second] = children(channel, 'item');
  assert.equal(children(channel, 'item').length, 3);
  assert.equal(child(first, 'title')!.text, NASTY_READ);
  assert.equal(child(first, 'link')!.text, 'https://www.yunchuan.gov.cn/a/2026/12/1.html?x=1&y=2');
  assert.equal(child(first, 'guid')!.attributes.isPermaLink, 'true');
  assert.equal(child(first, 'pubDate')!.text, 'Sun, 06 Dec 2026 07:30:00 GMT');
  assert.equal(child(second, 'source')!.text, '云川市教育局');
  assert.equal(child(second, 'source')!.attributes.url, 'https://www.yunchuan.gov.cn/s/jyj/');
  assert.equal(renderRss(site, column, { selfUrl: '/c/news/rss.xml', items }), xml, 'the same bytes again');
  // An empty column still gives a valid feed.
  assert.equal(children(child(parseXml(renderRss(site, column, { selfUrl: '/r.xml', items: [] })), 'channel')!, 'item').length, 0);
});

test('sitemap.xml: a urlset of absolute, escaped addresses with their last change; at most 50,000 per file; an index of the parts', () => {
  const site = fx.educationSite();
  const xml = renderSitemap(site, [
    { url: '/s/jyj/', lastmod: '2026-12-07T01:30:00.000Z' },
    { url: '/s/jyj/c/news/?a=1&b=<2>', lastmod: null },
    { url: 'a/2026/12/招生公告.html', lastmod: '2026-12-05' },
  ]);
  const urlset = parseXml(xml);
  assert.equal(urlset.name, 'urlset');
  assert.equal(urlset.attributes.xmlns, 'http://www.sitemaps.org/schemas/sitemap/0.9');
  const urls = children(urlset, 'url');
  assert.deepEqual(
    urls.map((u) => child(u, 'loc')!.text),
    ['https://www.yunchuan.gov.cn/s/jyj/', 'https://www.yunchuan.gov.cn/s/jyj/c/news/?a=1&b=%3C2%3E', 'https://www.yunchuan.gov.cn/s/jyj/a/2026/12/%E6%8B%9B%E7%94%9F%E5%85%AC%E5%91%8A.html'],
  );
  assert.equal(child(urls[0], 'lastmod')!.text, '2026-12-07T01:30:00Z');
  assert.equal(child(urls[1], 'lastmod'), undefined);
  assert.throws(() => renderSitemap(site, Array.from({ length: SITEMAP_MAX_URLS + 1 }, (_, i) => ({ url: `/a/${i}.html` }))), RangeError);
  const index = parseXml(renderSitemapIndex(site, [{ url: 'sitemap-1.xml', lastmod: '2026-12-07T00:00:00Z' }, { url: 'sitemap-2.xml' }]));
  assert.equal(index.name, 'sitemapindex');
  assert.deepEqual(children(index, 'sitemap').map((s) => child(s, 'loc')!.text), ['https://www.yunchuan.gov.cn/s/jyj/sitemap-1.xml', 'https://www.yunchuan.gov.cn/s/jyj/sitemap-2.xml']);
});

test('xmlEscape: the five characters, and what XML cannot hold at all is dropped', () => {
  assert.equal(xmlEscape(`&<>"'`), '&amp;&lt;&gt;&quot;&apos;');
  assert.equal(xmlEscape('政务\u0000\u0008\u000b\u000c\u000e\u001f\uFFFF公开\t\n\r'), '政务公开\t\n\r');
  assert.equal(xmlEscape('a\uDC00b\uD83D\uDE00'), 'b\uD83D\uDE00'.replace(/^/, 'a'), 'lone surrogates go, pairs stay');
});
