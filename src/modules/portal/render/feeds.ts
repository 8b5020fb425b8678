/**
 * RSS 2.0 per column and sitemap.xml (sitemaps.org 0.9) as strings. Deterministic: the channel's
 * dates come from its items, never from the clock, so a republished feed is byte-identical when
 * nothing in it changed. Text is escaped for XML, and the characters XML 1.0 does not allow at all
 * (C0 controls but tab, CR, LF; lone surrogates; U+FFFE/U+FFFF) are dropped: one stray control
 * character in a title would otherwise make the whole feed unreadable for every reader.
 */
import type { ArticleListItem, ColumnView, FeedView, SiteView, SitemapEntry } from './types.ts';

// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text for XML element content and attribute values (both quotes escaped, so either quoting works). */
export function xmlEscape(value: string): string {
  return value
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A page's absolute address: feeds and sitemaps need them; pages may hold root-relative ones. */
export function absoluteUrl(url: string, base: string): string {
  try {
    return new URL(url, base).href;
  } catch {
    return url;
  }
}

/** RFC 822 date as RSS 2.0 wants it, in GMT: Mon, 07 Dec 2026 02:30:00 GMT. */
function rfc822(iso: string): string | null {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : new Date(t).toUTCString();
}

const element = (name: string, text: string | null | undefined) => (text ? `<${name}>${xmlEscape(text)}</${name}>` : '');

/** The RSS 2.0 feed of a column: its newest items first as given, absolute links, stable guids. */
export function renderRss(site: SiteView, column: ColumnView, feed: FeedView): string {
  const link = absoluteUrl(column.url, site.baseUrl);
  const newest = feed.items.reduce<string | null>((max, item) => (max === null || Date.parse(item.publishedAt) > Date.parse(max) ? item.publishedAt : max), null);
  const items = feed.items.map((item: ArticleListItem) => {
    const url = absoluteUrl(item.url, site.baseUrl);
    return (
      '<item>' +
      element('title', item.title) +
      element('link', url) +
      `<guid isPermaLink="true">${xmlEscape(url)}</guid>` +
      element('description', item.summary) +
      element('pubDate', rfc822(item.publishedAt)) +
      (item.sourceSite ? `<source url="${xmlEscape(absoluteUrl(item.sourceSite.url, site.baseUrl))}">${xmlEscape(item.sourceSite.name)}</source>` : '') +
      '</item>'
    );
  });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>' +
    element('title', `${column.name} - ${site.name}`) +
    element('link', link) +
    element('description', column.description || `${site.name}${column.name}`) +
    '<language>zh-cn</language>' +
    `<atom:link href="${xmlEscape(absoluteUrl(feed.selfUrl, site.baseUrl))}" rel="self" type="application/rss+xml"/>` +
    (newest ? element('lastBuildDate', rfc822(newest)) : '') +
    `\n${items.join('\n')}${items.length ? '\n' : ''}</channel>\n</rss>\n`
  );
}

/** The sitemaps.org limit of one file: callers split larger sites and list the parts in an index. */
export const SITEMAP_MAX_URLS = 50_000;

const lastmodOf = (value: string | null | undefined): string | null => {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
};

/** sitemap.xml: a <urlset> of absolute addresses with their last change. */
export function renderSitemap(site: SiteView, entries: SitemapEntry[]): string {
  if (entries.length > SITEMAP_MAX_URLS) throw new RangeError(`a sitemap holds at most ${SITEMAP_MAX_URLS} addresses`);
  const urls = entries.map((e) => {
    const lastmod = lastmodOf(e.lastmod);
    return `<url><loc>${xmlEscape(absoluteUrl(e.url, site.baseUrl))}</loc>${lastmod ? `<lastmod>${lastmod}</lastmod>` : ''}</url>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}${urls.length ? '\n' : ''}</urlset>\n`;
}

/** A sitemap index listing the parts of a site's sitemap. */
export function renderSitemapIndex(site: SiteView, sitemaps: SitemapEntry[]): string {
  const parts = sitemaps.map((e) => {
    const lastmod = lastmodOf(e.lastmod);
    return `<sitemap><loc>${xmlEscape(absoluteUrl(e.url, site.baseUrl))}</loc>${lastmod ? `<lastmod>${lastmod}</lastmod>` : ''}</sitemap>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${parts.join('\n')}${parts.length ? '\n' : ''}</sitemapindex>\n`;
}
