import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, toAppError } from '../http/index.ts';
import { getUnit } from '../org/service.ts';
import { SESSION_COOKIE } from '../iam/auth-hook.ts';
import type { Platform } from '../module.ts';
import { plainText } from '../views/rich-text.ts';
import { AccountTools, ConsoleLayout, FlashMessage, LangSwitch, PlatformScripts, PortalLayout, PageHeading, redirect, safeNextPath, sendPage, setFlash, viewContext, type Crumb, type ViewContext } from '../views/index.ts';

export interface PageSpec {
  title: JSX.Element;
  lead?: JSX.Element;
  crumbs?: Crumb[];
  status?: number;
  body: JSX.Element;
}

/** Renders a console page inside the shell (the account's unit is named in the top bar). */
export async function renderConsole(platform: Platform, request: FastifyRequest, reply: FastifyReply, page: (ctx: ViewContext) => PageSpec) {
  const ctx = viewContext(request);
  const unit = ctx.principal?.unitId ? await getUnit(platform.db, ctx.principal.unitId) : null;
  const { body, ...spec } = page(ctx);
  const crumbs = spec.crumbs ? [{ href: '/console', label: ctx.t('console.nav.overview') }, ...spec.crumbs] : undefined;
  return sendPage(
    reply,
    <ConsoleLayout ctx={ctx} title={spec.title} crumbs={crumbs} unitName={unit?.name ?? null}>
      <PageHeading title={spec.title} lead={spec.lead} />
      {body}
    </ConsoleLayout>,
    spec.status,
  );
}

/** Renders a portal page; the body brings its own heading. In the main site's chrome when a module gives one (Chinese pages). */
export async function renderPortal(request: FastifyRequest, reply: FastifyReply, page: (ctx: ViewContext) => PageSpec) {
  const ctx = viewContext(request);
  const { body, ...spec } = page(ctx);
  const crumbs = spec.crumbs ? [{ href: '/', label: ctx.t('page.portal.nav.home') }, ...spec.crumbs] : undefined;
  const inSite = ctx.lang === 'zh-CN' ? await inSiteChrome(request.server.platform, ctx, spec.title, crumbs ?? [{ href: '/', label: ctx.t('page.portal.nav.home') }], body) : null;
  if (inSite !== null) return sendPage(reply, inSite, spec.status);
  return sendPage(
    reply,
    <PortalLayout ctx={ctx} title={spec.title} crumbs={crumbs}>
      {body}
    </PortalLayout>,
    spec.status,
  );
}

/** Escaped markup as the plain text it shows (the site's renderer escapes it again). */
const textOf = async (element: JSX.Element): Promise<string> => plainText(await element);

/** The page inside the main site's header, navigation and footer, or null while no module gives them. */
async function inSiteChrome(platform: Platform, ctx: ViewContext, title: JSX.Element, crumbs: Crumb[], body: JSX.Element): Promise<string | null> {
  const sitePage = platform.modules.modules.find((m) => m.portal?.sitePage)?.portal?.sitePage;
  if (!sitePage) return null;
  return sitePage(platform, {
    title: await textOf(title),
    crumbs: await Promise.all(crumbs.map(async (c) => ({ label: await textOf(c.label), href: c.href ?? ctx.path }))),
    mainHtml: await (
      <>
        <FlashMessage ctx={ctx} />
        {body}
      </>
    ),
    headHtml: await (<PlatformScripts />),
    accountToolsHtml: await (
      <span class="account-tools">
        <LangSwitch ctx={ctx} /> <AccountTools ctx={ctx} />
      </span>
    ),
    displayLarge: ctx.display === 'large',
  });
}

/** An error as a page: in the console shell for signed-in staff on console paths, else in the portal. */
export async function renderErrorPage(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  const ctx = viewContext(request);
  const title = ctx.t(`error.${error.code}`);
  const detail = error.toProblem(ctx.lang).detail;
  const body = (
    <div class="panel error-page">
      <p class="muted">{ctx.t('console.error.status', { status: error.status })}</p>
      {detail !== error.toProblem(ctx.lang).title ? <p safe>{detail}</p> : ''}
      <ul class="actions">
        <li>
          <a class="button" href={ctx.principal ? '/console' : '/'}>
            {ctx.principal ? ctx.t('console.error.toConsole') : ctx.t('console.error.toHome')}
          </a>
        </li>
        {ctx.principal ? (
          ''
        ) : (
          <li>
            <a class="button button-secondary" href="/login">
              {ctx.t('ui.login')}
            </a>
          </li>
        )}
      </ul>
    </div>
  );
  const inConsole = ctx.principal && ctx.path.startsWith('/console');
  if (error.status === 429) reply.header('Retry-After', '60');
  // A visitor's refusal inside the main site's chrome too; a fault (5xx) never reads the site again.
  if (!inConsole && ctx.lang === 'zh-CN' && error.status < 500) {
    const home = ctx.t('page.portal.nav.home');
    const page = (
      <>
        <PageHeading title={title} />
        {body}
      </>
    );
    const inSite = await inSiteChrome(request.server.platform, ctx, title, [{ href: '/', label: home }, { href: ctx.path, label: title }], page).catch(() => null);
    if (inSite !== null) return sendPage(reply, inSite, error.status);
  }
  return sendPage(
    reply,
    inConsole ? (
      <ConsoleLayout ctx={ctx} title={title}>
        <PageHeading title={title} />
        {body}
      </ConsoleLayout>
    ) : (
      <PortalLayout ctx={ctx} title={title}>
        <PageHeading title={title} />
        {body}
      </PortalLayout>
    ),
    error.status,
  );
}

/**
 * Errors of page routes: a missing or expired session goes to the sign-in page and comes
 * back; an account that must first change its password or enrol TOTP goes to its profile;
 * everything else is an HTML error page with the right status.
 */
export function pageErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const appError = toAppError(error, request);
  if (appError.status >= 500) request.log.error({ err: error }, 'page failed');
  else request.log.info({ code: appError.code }, 'page refused');

  if (appError.code === 'AUTH_REQUIRED' || appError.code === 'SESSION_EXPIRED') {
    if (appError.code === 'SESSION_EXPIRED') {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      setFlash(reply, { kind: 'info', key: 'flash.sessionExpired' });
    }
    const back = request.method === 'GET' ? request.url : refererPath(request);
    const next = safeNextPath(back, '');
    // Staff sign in on their own page; the public on the portal's.
    const login = request.url.startsWith('/console') ? '/console/login' : '/login';
    return redirect(reply, next ? `${login}?next=${encodeURIComponent(next)}` : login);
  }
  if (request.principal?.kind === 'public' && (request.url === '/console' || request.url.startsWith('/console/') || request.url.startsWith('/console?'))) {
    // No citizen is shown a staff page: their own pages are on the portal.
    return redirect(reply, '/account');
  }
  if (appError.code === 'PASSWORD_CHANGE_REQUIRED') {
    setFlash(reply, { kind: 'info', key: 'flash.passwordChangeRequired' });
    return redirect(reply, '/console/profile');
  }
  if (appError.code === 'FORBIDDEN' && request.principal?.totpEnrollmentRequired) {
    setFlash(reply, { kind: 'info', key: 'flash.totpEnrollmentRequired' });
    return redirect(reply, '/console/profile#totp');
  }
  return renderErrorPage(request, reply, appError);
}

/** The local page a form was posted from, so signing in again returns there. */
function refererPath(request: FastifyRequest): string {
  const referer = request.headers.referer;
  if (!referer) return '';
  try {
    const url = new URL(referer);
    if (url.host !== request.headers.host) return '';
    return url.pathname + url.search;
  } catch {
    return '';
  }
}

export { AppError };
