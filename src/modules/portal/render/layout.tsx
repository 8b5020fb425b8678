/**
 * The chrome of every public page of a site: the document head with the hashed assets, the
 * utility bar with the 长者模式 toggle, the masthead, the main navigation, breadcrumbs and the
 * footer with the record numbers. Structure and class names follow the platform's PortalLayout
 * (utility-bar, site-header, site-nav, site-main, site-footer) so a module page in the platform
 * shell and a site page look like one site.
 */
import { assetUrl } from '../../../platform/views/index.ts';
import { portalAssetUrl } from './assets.ts';
import { esc, html } from './format.ts';
import { TEXT } from './text.ts';
import type { Link, NavLink, SiteView } from './types.ts';

export interface SitePageSpec {
  /** The page's name for <title> (the site's name follows); null on the home page. */
  title: string | null;
  /** The finished content of <main>, under the breadcrumbs. */
  mainHtml: string;
  /** From the site's home to this page, both included; none on the home page. */
  crumbs?: Link[];
  /** A short description for search engines and link previews. */
  description?: string | null;
  /** RSS feeds of the page (a column's list). */
  feeds?: Link[];
  /** Pages that carry their own search form (the search page) leave the masthead's out. */
  headerSearch?: boolean;
  /** Extra class of <body>: page-home, page-list, page-article … */
  pageClass?: string;
  /**
   * Only for pages rendered per request (a module page in the site's chrome), never for published
   * ones: the account tools of the signed-in visitor (name, logout form with its token) in place of
   * the plain 我的/登录 links, and the 长者模式 already known from the cookie.
   */
  perRequest?: { accountToolsHtml?: string; displayLarge?: boolean; headHtml?: string };
}

/**
 * The site's home as a path (/ or /s/<slug>/): pages link within the host that serves them, so a
 * preview, a mirror or a test server works; feeds and sitemaps use the absolute baseUrl.
 */
export function sitePath(site: SiteView): string {
  try {
    return new URL(site.baseUrl).pathname;
  } catch {
    return site.baseUrl;
  }
}

const ICP_URL = 'https://beian.miit.gov.cn/';
const publicSecurityUrl = (code: string) => `https://beian.mps.gov.cn/#/query/webSearch?code=${encodeURIComponent(code)}`;

/** The navigation entry a page belongs to: as marked, else the deepest one its breadcrumbs pass through. */
function markCurrent(navigation: NavLink[], crumbs: Link[] | undefined, isHome: boolean): NavLink[] {
  if (navigation.some((n) => n.current)) return navigation;
  const trail = isHome ? [navigation[0]?.href] : (crumbs ?? []).slice(1).map((c) => c.href);
  let current = -1;
  navigation.forEach((n, i) => {
    if (trail.includes(n.href)) current = i;
  });
  return navigation.map((n, i) => ({ ...n, current: i === current }));
}

function NavItems({ items }: { items: NavLink[] }) {
  return (
    <>
      {items.map((item) => (
        <li>
          <a href={esc(item.href)} aria-current={item.current ? 'page' : undefined} safe>
            {item.label}
          </a>
        </li>
      ))}
    </>
  );
}

function Brand({ site }: { site: SiteView }) {
  return (
    <a class="brand" href={esc(sitePath(site))}>
      {site.logoUrl ? (
        <img class="brand-logo" src={esc(site.logoUrl)} alt="" />
      ) : (
        <span class="brand-mark" aria-hidden="true">
          政
        </span>
      )}
      <span class="brand-text">
        <span class="brand-name" safe>
          {site.name}
        </span>
        <span class="brand-sub" safe>
          {site.tagline ?? TEXT.taglines[site.kind]}
        </span>
      </span>
    </a>
  );
}

function HeaderSearch({ action }: { action: string }) {
  return (
    <form class="header-search" method="get" action={esc(action)} role="search" aria-label={TEXT.searchSite}>
      <label class="visually-hidden" for="site-search-q">
        {TEXT.searchSite}
      </label>
      <input id="site-search-q" class="header-search-input" type="search" name="q" maxlength="100" placeholder={TEXT.searchPlaceholder} />
      <button type="submit" class="header-search-button">
        {TEXT.searchSubmit}
      </button>
    </form>
  );
}

/**
 * The 长者模式 toggle. Without script it is a link to the accessibility statement (which explains
 * the browser's own zoom); site.js turns it into a button that switches `display-large` on <html>
 * and remembers the choice. Both labels are in the page and CSS shows the one that applies, so the
 * label is right before any script runs, also when the server set the mode by cookie.
 */
function DisplayToggle({ site }: { site: SiteView }) {
  return (
    <a class="tool-link display-toggle" href={esc(site.footer.accessibilityStatement.href)} data-display-toggle="" title={TEXT.displayToggleHint}>
      <span class="when-standard">{TEXT.displayLarge}</span>
      <span class="when-large">{TEXT.displayStandard}</span>
    </a>
  );
}

export function Breadcrumbs({ crumbs }: { crumbs: Link[] }) {
  return (
    <nav class="breadcrumb" aria-label={TEXT.breadcrumb}>
      <ol>
        {crumbs.map((c, i) =>
          i < crumbs.length - 1 ? (
            <li>
              <a href={esc(c.href)} safe>
                {c.label}
              </a>
            </li>
          ) : (
            <li aria-current="page" safe>
              {c.label}
            </li>
          ),
        )}
      </ol>
    </nav>
  );
}

function Footer({ site }: { site: SiteView }) {
  const f = site.footer;
  return (
    <footer class="site-footer">
      <div class="wrap footer-inner">
        <ul class="footer-links">
          <li>
            <a href={esc(f.accessibilityStatement.href)} safe>
              {f.accessibilityStatement.label}
            </a>
          </li>
          {(f.links ?? []).map((l) => (
            <li>
              <a href={esc(l.href)} safe>
                {l.label}
              </a>
            </li>
          ))}
        </ul>
        <p class="footer-line">
          <span>
            {TEXT.sponsor}：<span safe>{f.sponsor}</span>
          </span>
          {f.organizer ? (
            <span>
              {TEXT.organizer}：<span safe>{f.organizer}</span>
            </span>
          ) : (
            ''
          )}
        </p>
        <address class="footer-line footer-contact">
          {/* A site that has not filled in its contact yet shows only what it has (no empty links). */}
          {f.contact.address ? (
            <span>
              {TEXT.address}：<span safe>{f.contact.address}</span>
            </span>
          ) : (
            ''
          )}
          {f.contact.phone ? (
            <span>
              {TEXT.phone}：
              <a href={esc(`tel:${f.contact.phone.replace(/[^\d+]/g, '')}`)} safe>
                {f.contact.phone}
              </a>
            </span>
          ) : (
            ''
          )}
          {f.contact.email ? (
            <span>
              {TEXT.email}：
              <a href={esc(`mailto:${f.contact.email}`)} safe>
                {f.contact.email}
              </a>
            </span>
          ) : (
            ''
          )}
        </address>
        <p class="footer-line footer-small">
          {f.icp ? (
            <span>
              {TEXT.icp}：
              <a href={ICP_URL} rel="noopener" safe>
                {f.icp}
              </a>
            </span>
          ) : (
            ''
          )}
          {f.publicSecurityRecord ? (
            <span>
              {TEXT.publicSecurity}：
              <a href={esc(publicSecurityUrl(f.publicSecurityRecord.code))} rel="noopener" safe>
                {f.publicSecurityRecord.text}
              </a>
            </span>
          ) : (
            ''
          )}
          {f.identCode ? (
            <span>
              {TEXT.identCode}：<span safe>{f.identCode}</span>
            </span>
          ) : (
            ''
          )}
        </p>
      </div>
    </footer>
  );
}

/**
 * The parts of a site's chrome that do not change from page to page, rendered once per SiteView
 * object: the publisher renders thousands of pages of one site with the same object, and the chrome
 * is most of a page's work. Views are therefore treated as immutable once rendered.
 */
interface SiteChrome {
  head: string;
  top: Map<boolean, string>;
  nav: Map<number, string>;
  footer: string;
}
const chromeCache = new WeakMap<SiteView, SiteChrome>();

function chromeOf(site: SiteView): SiteChrome {
  let chrome = chromeCache.get(site);
  if (!chrome) {
    chrome = { head: headAssets(), top: new Map(), nav: new Map(), footer: html(<Footer site={site} />) };
    chromeCache.set(site, chrome);
  }
  return chrome;
}

function headAssets(): string {
  return html(
    <>
      {/* Before any stylesheet: applies the remembered 长者模式 before the first paint. */}
      <script src={portalAssetUrl('display.js')}></script>
      <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
      <link rel="stylesheet" href={assetUrl('app.css')} />
      <link rel="stylesheet" href={portalAssetUrl('themes.css')} />
      <link rel="stylesheet" href={portalAssetUrl('site.css')} />
    </>,
  );
}

/** Skip link, utility bar and masthead (with or without the masthead's search form). */
function Top({ site, headerSearch, accountToolsHtml }: { site: SiteView; headerSearch: boolean; accountToolsHtml?: string }) {
  const account = site.accountLinks === undefined ? { login: '/login', mine: '/account' } : site.accountLinks;
  // Rendered by the platform's views for the visitor of this request.
  const safeAccountTools = accountToolsHtml;
  return (
    <>
      <a class="skip-link" href="#main">
        {TEXT.skipToContent}
      </a>
      <div class="utility-bar">
        <div class="wrap utility-inner">
          <p class="utility-welcome">
            {TEXT.welcome}
            <span safe>{site.name}</span>
          </p>
          <ul class="tool-list">
            {site.parentSite ? (
              <li>
                <a class="tool-link" href={esc(site.parentSite.href)}>
                  {TEXT.backToMain}
                </a>
              </li>
            ) : (
              ''
            )}
            <li>
              <DisplayToggle site={site} />
            </li>
            <li>
              <a class="tool-link" href={esc(site.footer.accessibilityStatement.href)}>
                {TEXT.accessibility}
              </a>
            </li>
            {safeAccountTools !== undefined ? (
              <li>{safeAccountTools}</li>
            ) : account ? (
              <>
                <li>
                  <a class="tool-link" href={esc(account.mine)}>
                    {TEXT.mine}
                  </a>
                </li>
                <li>
                  <a class="tool-link" href={esc(account.login)}>
                    {TEXT.login}
                  </a>
                </li>
              </>
            ) : (
              ''
            )}
          </ul>
        </div>
      </div>
      <header class="site-header">
        <div class="wrap site-header-inner">
          <Brand site={site} />
          {site.searchUrl && headerSearch ? <HeaderSearch action={site.searchUrl} /> : ''}
        </div>
      </header>
    </>
  );
}

function MainNav({ navigation }: { navigation: NavLink[] }) {
  if (!navigation.length) return '';
  return (
    <nav class="site-nav" aria-label={TEXT.mainNav}>
      {/* Wide screens: one row. Phones: a disclosure that works without script (only one of the two is ever shown). */}
      <ul class="wrap site-nav-list">
        <NavItems items={navigation} />
      </ul>
      <details class="site-nav-menu">
        <summary class="wrap">{TEXT.menu}</summary>
        <ul class="site-nav-menu-list">
          <NavItems items={navigation} />
        </ul>
      </details>
    </nav>
  );
}

function cached<K>(map: Map<K, string>, key: K, render: () => JSX.Element): string {
  let value = map.get(key);
  if (value === undefined) {
    value = html(render());
    map.set(key, value);
  }
  return value;
}

/** A complete page of a site around content already rendered. Also what a platform shell would call to wrap a module page in the site's chrome. */
export function renderSitePage(site: SiteView, spec: SitePageSpec): string {
  const chrome = chromeOf(site);
  const isHome = spec.title === null;
  const navigation = markCurrent(site.navigation, spec.crumbs, isHome);
  const current = navigation.findIndex((n) => n.current);
  const headerSearch = spec.headerSearch !== false;
  const title = isHome ? site.name : `${spec.title} - ${site.name}`;
  // Rendered by the page renderers from escaped parts (or, for a module page, by the platform's views).
  const safeMain = spec.mainHtml;
  // A module page's own scripts and settings, as the platform's views render them.
  const safeModuleHead = spec.perRequest?.headHtml ?? '';
  // The cached parts are rendered from escaped text above.
  const [safeHead, safeTop, safeNav, safeFooter] = [
    chrome.head,
    spec.perRequest?.accountToolsHtml !== undefined
      ? html(<Top site={site} headerSearch={headerSearch} accountToolsHtml={spec.perRequest.accountToolsHtml} />)
      : cached(chrome.top, headerSearch, () => <Top site={site} headerSearch={headerSearch} />),
    // A navigation marked by the caller may not follow its breadcrumbs: only the derived one is cached.
    site.navigation.some((n) => n.current) ? html(<MainNav navigation={navigation} />) : cached(chrome.nav, current, () => <MainNav navigation={navigation} />),
    chrome.footer,
  ];
  return html(
    <>
      {'<!doctype html>'}
      <html lang={site.lang} class={`theme-${esc(site.theme)} palette-${esc(site.palette)}${spec.perRequest?.displayLarge ? ' display-large' : ''}`}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title safe>{title}</title>
          {spec.description ? <meta name="description" content={esc(spec.description)} /> : ''}
          {safeHead}
          {safeModuleHead}
          {(spec.feeds ?? []).map((feed) => (
            <link rel="alternate" type="application/rss+xml" title={esc(feed.label)} href={esc(feed.href)} />
          ))}
          <script src={portalAssetUrl('site.js')} defer></script>
        </head>
        <body class={`portal site site-kind-${esc(site.kind)}${spec.pageClass ? ` ${esc(spec.pageClass)}` : ''}`}>
          {safeTop}
          {safeNav}
          <main id="main" class="site-main" tabindex="-1">
            <div class="wrap">
              {spec.crumbs && spec.crumbs.length > 1 ? <Breadcrumbs crumbs={spec.crumbs} /> : ''}
              {safeMain}
            </div>
          </main>
          {safeFooter}
        </body>
      </html>
    </>,
  );
}
