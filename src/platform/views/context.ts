import Html from '@kitajs/html';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasMessage, translate, type Lang } from '../i18n/index.ts';
import type { Principal } from '../iam/principal.ts';
import type { NavGroup } from './nav.ts';
import type { PortalLink } from '../module.ts';
import { hasPermission } from '../iam/principal.ts';
import { cityNameOf } from '../site.ts';

export const LANG_COOKIE = 'zt_lang';
export const DISPLAY_COOKIE = 'zt_display';
export const FLASH_COOKIE = 'zt_flash';
const YEAR_S = 365 * 24 * 3600;

export type DisplayMode = 'standard' | 'large';

export interface Flash {
  kind: 'success' | 'info' | 'error';
  key: string;
  params?: Record<string, string | number>;
}

/** What every page needs to render: language, caller, the request's path, preferences. */
export interface ViewContext {
  lang: Lang;
  /** Escaped text for element content. */
  t: (key: string, params?: Record<string, unknown>) => JSX.Element;
  /** Plain text for attribute values (attributes are quoted by the renderer). */
  ta: (key: string, params?: Record<string, unknown>) => string;
  /** The request path without the query string. */
  path: string;
  /** The query string as parsed, for links that keep it. */
  query: Record<string, string>;
  principal: Principal | null;
  csrfToken: string | null;
  display: DisplayMode;
  flash: Flash | null;
  can: (permission: string) => boolean;
  /** The console navigation of the installed modules, before filtering by permission. */
  navGroups: readonly NavGroup[];
  /** What the installed modules add to the public site's navigation and account menu. */
  site: { nav: readonly PortalLink[]; accountHome: PortalLink | null; cityName: string | null };
}

export function viewContext(request: FastifyRequest): ViewContext {
  const lang = request.lang;
  const principal = request.principal;
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries((request.query as Record<string, unknown> | undefined) ?? {})) {
    if (typeof value === 'string') query[key] = value;
  }
  return {
    lang,
    t: (key, params) => Html.escapeHtml(translate(lang, key, params)),
    ta: (key, params) => translate(lang, key, params),
    path: request.url.split('?')[0],
    query,
    principal,
    csrfToken: principal?.csrfToken ?? null,
    display: displayOf(request),
    flash: (request as FastifyRequest & { flash?: Flash | null }).flash ?? null,
    can: (permission) => !!principal && hasPermission(principal, permission),
    navGroups: request.server.platform.modules.nav,
    site: { nav: request.server.platform.modules.portalNav, accountHome: request.server.platform.modules.accountHome, cityName: cityNameOf(request.server.platform) },
  };
}

function displayOf(request: FastifyRequest): DisplayMode {
  const query = request.query as Record<string, unknown> | undefined;
  const chosen = query?.display ?? request.cookies[DISPLAY_COOKIE];
  return chosen === 'large' ? 'large' : 'standard';
}

/**
 * Remembers explicit choices made through ?lang= and ?display= in long-lived cookies, and
 * takes the one-time flash message out of its cookie.
 */
export function rememberPreferences(request: FastifyRequest, reply: FastifyReply) {
  const query = request.query as Record<string, unknown> | undefined;
  const cookieOptions = { path: '/', sameSite: 'lax' as const, httpOnly: true, maxAge: YEAR_S };
  if (query?.lang === 'zh-CN' || query?.lang === 'en') {
    if (request.cookies[LANG_COOKIE] !== query.lang) reply.setCookie(LANG_COOKIE, query.lang, cookieOptions);
  }
  if (query?.display === 'large' || query?.display === 'standard') {
    // Readable by script: the portal's published (static) pages apply the same choice before first
    // paint and set it from their own toggle. It is a preference, not a secret.
    if (request.cookies[DISPLAY_COOKIE] !== query.display) reply.setCookie(DISPLAY_COOKIE, query.display, { ...cookieOptions, httpOnly: false });
  }
  const rawFlash = request.cookies[FLASH_COOKIE];
  if (rawFlash) {
    (request as FastifyRequest & { flash?: Flash | null }).flash = parseFlash(rawFlash);
    reply.clearCookie(FLASH_COOKIE, { path: '/' });
  }
}

/** A message shown once on the next page (post, redirect, get). Only catalogue keys are accepted. */
export function setFlash(reply: FastifyReply, flash: Flash) {
  reply.setCookie(FLASH_COOKIE, Buffer.from(JSON.stringify(flash)).toString('base64url'), { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 120 });
}

function parseFlash(raw: string): Flash | null {
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Flash;
    if (!['success', 'info', 'error'].includes(value.kind) || typeof value.key !== 'string' || !value.key.startsWith('flash.') || !hasMessage(value.key)) return null;
    const params: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(value.params ?? {})) if (typeof v === 'string' || typeof v === 'number') params[k] = typeof v === 'string' ? v.slice(0, 200) : v;
    return { kind: value.kind, key: value.key, params };
  } catch {
    return null;
  }
}

/** A link to the current page with some query parameters changed (others kept). */
export function withQuery(path: string, query: Record<string, string>, changes: Record<string, string | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...changes })) if (value !== null && value !== undefined && value !== '') params.set(key, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Only a local path may be a redirect target: never another origin, never a scheme. */
export function safeNextPath(next: unknown, fallback = '/console'): string {
  if (typeof next !== 'string' || next.length > 500) return fallback;
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(next)) return fallback;
  if (next.startsWith('/login') || next.startsWith('/logout')) return fallback;
  return next;
}
