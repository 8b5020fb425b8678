import type { Children } from '@kitajs/html';
import type { ViewContext } from './context.ts';
import { assetUrl } from './assets.ts';
import { attr, Breadcrumb, DisplaySwitch, FlashMessage, LangSwitch, SkipLink, Csrf, type Crumb } from './components.tsx';
import { consoleNav } from './nav.ts';

// htmx must not add inline styles or evaluate code: the CSP forbids both.
const HTMX_CONFIG = JSON.stringify({ includeIndicatorStyles: false, allowEval: false, allowScriptTags: false, historyCacheSize: 0 });

/** A heading's markup (a name in a <span>) as the plain text a <title> holds; the text stays escaped. */
const stripTags = (html: string) => html.replace(/<[^>]*>/g, '');
export const plainTitle = (title: JSX.Element): JSX.Element => (typeof title === 'string' ? stripTags(title) : title.then(stripTags));

/** The public site's name: the city's portal (云川市政务服务网) when a city is set, else the platform's. */
export function portalName(ctx: ViewContext): JSX.Element {
  return ctx.site.cityName ? ctx.t('site.portalName', { city: ctx.site.cityName }) : ctx.t('site.name');
}

/** The platform's scripts (htmx and the page behaviours) and their settings: every page's <head>, a site's chrome included. */
export function PlatformScripts() {
  return (
    <>
      <meta name="htmx-config" content={attr(HTMX_CONFIG)} />
      <script src={assetUrl('htmx.min.js')} defer></script>
      <script src={assetUrl('app.js')} defer></script>
    </>
  );
}

function Document({ ctx, title, bodyClass, children, siteName }: { ctx: ViewContext; title: JSX.Element; bodyClass: string; children: Children; siteName?: JSX.Element }) {
  return (
    <>
      {'<!doctype html>'}
      <html lang={ctx.lang} class={ctx.display === 'large' ? 'display-large' : undefined}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>
            {plainTitle(title)}
            {' - '}
            {siteName ? siteName : ctx.t('site.name')}
          </title>
          <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
          <link rel="stylesheet" href={assetUrl('app.css')} />
          <PlatformScripts />
        </head>
        <body class={bodyClass}>{children}</body>
      </html>
    </>
  );
}

function Brand({ ctx, href, sub, name }: { ctx: ViewContext; href: string; sub: JSX.Element; name?: JSX.Element }) {
  return (
    <a class="brand" href={href}>
      <span class="brand-mark" aria-hidden="true">
        政
      </span>
      <span class="brand-text">
        <span class="brand-name">{name ? name : ctx.t('site.name')}</span>
        <span class="brand-sub">{sub}</span>
      </span>
    </a>
  );
}

/** The portal's own links around those of the installed modules. */
const portalNav = (ctx: ViewContext) => [{ href: '/', key: 'page.portal.nav.home' }, ...ctx.site.nav, { href: '/directory', key: 'page.portal.nav.directory' }];

/** Signing out: a form, so the session ends only on a POST carrying the CSRF token. */
function LogoutForm({ ctx }: { ctx: ViewContext }) {
  return (
    <form method="post" action="/logout" class="inline-form">
      <Csrf ctx={ctx} />
      <button type="submit" class="tool-button">
        {ctx.t('ui.logout')}
      </button>
    </form>
  );
}

/** The visitor's account in the utility bar: name, 我的 and sign-out; staff's way to the console; else sign-in. */
export function AccountTools({ ctx }: { ctx: ViewContext }) {
  if (!ctx.principal) {
    return (
      <a class="tool-link" href="/login">
        {ctx.t('ui.login')}
      </a>
    );
  }
  if (ctx.principal.kind !== 'public') {
    return (
      <a class="tool-link" href="/console">
        {ctx.t('ui.console')}
      </a>
    );
  }
  return (
    <span class="account-tools">
      <span class="account-name" safe>
        {ctx.principal.displayName}
      </span>
      <a class="tool-link" href="/account">
        {ctx.t('ui.mine')}
      </a>
      <LogoutForm ctx={ctx} />
    </span>
  );
}

/** The public portal: utility bar, masthead, main navigation, footer with the accessibility statement. */
export function PortalLayout({ ctx, title, crumbs, children }: { ctx: ViewContext; title: JSX.Element; crumbs?: Crumb[]; children: Children }) {
  return (
    <Document ctx={ctx} title={title} bodyClass="portal" siteName={portalName(ctx)}>
      <SkipLink ctx={ctx} />
      <div class="utility-bar">
        <div class="wrap utility-inner">
          <p class="utility-welcome">{ctx.t('page.portal.welcome', { site: portalName(ctx) })}</p>
          <ul class="tool-list">
            <li>
              <DisplaySwitch ctx={ctx} />
            </li>
            <li>
              <LangSwitch ctx={ctx} />
            </li>
            <li>
              <AccountTools ctx={ctx} />
            </li>
          </ul>
        </div>
      </div>
      <header class="site-header">
        <div class="wrap">
          <Brand ctx={ctx} href="/" name={portalName(ctx)} sub={ctx.t(ctx.site.cityName ? 'site.portalTagline' : 'site.tagline')} />
        </div>
      </header>
      <nav class="site-nav" aria-label={ctx.ta('page.portal.nav.label')}>
        <ul class="wrap">
          {portalNav(ctx).map((item) => (
            <li>
              <a href={item.href} aria-current={item.href === ctx.path ? 'page' : undefined}>
                {ctx.t(item.key)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" class="site-main" tabindex="-1">
        <div class="wrap">
          {crumbs ? <Breadcrumb ctx={ctx} items={crumbs} /> : ''}
          <FlashMessage ctx={ctx} />
          {children}
        </div>
      </main>
      <footer class="site-footer">
        <div class="wrap footer-inner">
          <ul class="footer-links">
            <li>
              <a href="/accessibility">{ctx.t('page.portal.footer.accessibility')}</a>
            </li>
            <li>
              <a href="/directory">{ctx.t('page.portal.nav.directory')}</a>
            </li>
            <li>
              <a href="/api/docs">{ctx.t('page.portal.footer.api')}</a>
            </li>
          </ul>
          <p>{ctx.t('page.portal.footer.about')}</p>
          <p class="footer-small">{ctx.t('page.portal.footer.license')}</p>
        </div>
      </footer>
    </Document>
  );
}

/** The staff console: top bar with the account, side navigation by role, main area. */
export function ConsoleLayout({ ctx, title, crumbs, children, unitName }: { ctx: ViewContext; title: JSX.Element; crumbs?: Crumb[]; children: Children; unitName?: string | null }) {
  const principal = ctx.principal!;
  const groups = consoleNav(ctx);
  return (
    <Document ctx={ctx} title={title} bodyClass="console">
      <SkipLink ctx={ctx} />
      <header class="console-header">
        <Brand ctx={ctx} href="/console" sub={ctx.t('console.name')} />
        <div class="console-tools">
          <p class="console-user">
            <span class="visually-hidden">{ctx.t('console.signedInAs')}</span>
            <span class="console-user-name" safe>
              {principal.displayName}
            </span>
            {unitName ? (
              <span class="console-user-unit" safe>
                {unitName}
              </span>
            ) : (
              ''
            )}
          </p>
          <ul class="tool-list">
            <li>
              <a class="tool-link" href="/">
                {ctx.t('console.toPortal')}
              </a>
            </li>
            <li>
              <DisplaySwitch ctx={ctx} />
            </li>
            <li>
              <LangSwitch ctx={ctx} />
            </li>
            <li>
              <LogoutForm ctx={ctx} />
            </li>
          </ul>
        </div>
      </header>
      <div class="console-body">
        <nav class="console-nav" aria-label={ctx.ta('console.nav.label')}>
          {groups.map((group) => (
            <div class="nav-group">
              <h2 class="nav-group-title" id={`nav-${group.id}`}>
                {ctx.t(group.key)}
              </h2>
              <ul aria-labelledby={`nav-${group.id}`}>
                {group.items.map((item) => (
                  <li>
                    <a href={item.href} aria-current={item.current ? 'page' : undefined}>
                      {ctx.t(item.key)}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <main id="main" class="console-main" tabindex="-1">
          {crumbs ? <Breadcrumb ctx={ctx} items={crumbs} /> : ''}
          <FlashMessage ctx={ctx} />
          {children}
        </main>
      </div>
      <footer class="console-footer">
        <p>
          {ctx.t('site.name')} · {ctx.t('console.footer')} · <a href="/api/docs">{ctx.t('page.portal.footer.api')}</a> · <a href="/accessibility">{ctx.t('page.portal.footer.accessibility')}</a>
        </p>
      </footer>
    </Document>
  );
}
