import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, Strict, actorOf } from '../http/index.ts';
import type { Platform } from '../module.ts';
import { translate } from '../i18n/index.ts';
import { inTransaction } from '../db/work.ts';
import * as iam from '../iam/index.ts';
import { setSessionCookie } from '../iam/routes.ts';
import { SESSION_COOKIE } from '../iam/auth-hook.ts';
import { TOTP_REQUIRED_ROLES } from '../iam/roles.ts';
import { attr, ErrorSummary, FormBody, formatDateTime, formRaw, formText, PageQueryFields, redirect, safeNextPath, setFlash, TextField, type FieldMessages, type ViewContext } from '../views/index.ts';
import { renderPortal } from './shell.tsx';

const LoginQuery = Strict({ next: Type.Optional(Type.String({ maxLength: 500 })), restart: Type.Optional(Type.Literal('1')), ...PageQueryFields });

/** Proof, for five minutes, that this browser gave the right password of an account that also needs its one-time code. */
const PENDING_COOKIE = 'zt_login_pending';
const PENDING_MS = 5 * 60_000;

/**
 * Login forms carry a token that must match a SameSite=Strict cookie (double submit): a page
 * on another site cannot sign a browser into an account of its choosing.
 */
const LOGIN_COOKIE = 'zt_login';

interface LoginForm {
  username: string;
  next: string;
  token: string;
  askTotp: boolean;
  summary?: string;
  fields?: FieldMessages;
}

function LoginCard({ ctx, form }: { ctx: ViewContext; form: LoginForm }) {
  const labels = { username: ctx.ta('page.login.username'), password: ctx.ta('page.login.password'), totp: ctx.ta('page.login.totp') };
  return (
    <section class="login-card" aria-labelledby="login-title">
      <h2 id="login-title">{ctx.t('page.login.title')}</h2>
      <ErrorSummary ctx={ctx} form="login" summary={form.summary} fields={form.fields} labels={labels} />
      <form method="post" action="/console/login" novalidate>
        <input type="hidden" name="next" value={attr(form.next)} />
        <input type="hidden" name="_login" value={attr(form.token)} />
        {form.askTotp ? (
          <>
            <p class="login-step">{ctx.t('page.login.secondStep', { username: form.username })}</p>
            <input type="hidden" name="step" value="totp" />
            <input type="hidden" name="username" value={attr(form.username)} />
          </>
        ) : (
          <>
            <TextField ctx={ctx} form="login" name="username" label={labels.username} value={form.username} error={form.fields?.username} autocomplete="username" maxlength={64} required size="long" />
            <TextField ctx={ctx} form="login" name="password" type="password" label={labels.password} error={form.fields?.password} autocomplete="current-password" maxlength={256} required size="long" />
          </>
        )}
        {form.askTotp ? (
          <TextField
            ctx={ctx}
            form="login"
            name="totp"
            label={labels.totp}
            hint={ctx.ta('page.login.totpHint')}
            error={form.fields?.totp}
            autocomplete="one-time-code"
            inputmode="numeric"
            maxlength={6}
            required
            autofocus
            size="short"
          />
        ) : (
          ''
        )}
        <button type="submit" class="button button-block">
          {ctx.t(form.askTotp ? 'page.login.confirm' : 'page.login.submit')}
        </button>
      </form>
      {form.askTotp ? (
        <p class="login-help">
          <a href="/console/login?restart=1">{ctx.t('page.login.restart')}</a>
        </p>
      ) : (
        ''
      )}
      <p class="muted login-help">{ctx.t('page.login.help')}</p>
    </section>
  );
}

function loginPage(ctx: ViewContext, form: LoginForm) {
  return {
    title: ctx.t('page.login.title'),
    body: (
      <div class="login-layout">
        <div class="login-intro">
          <h1>{ctx.t('page.login.heading')}</h1>
          <p class="lead">{ctx.t('page.login.lead')}</p>
          <ul class="feature-list">
            <li>{ctx.t('page.login.feature.accounts')}</li>
            <li>{ctx.t('page.login.feature.security')}</li>
            <li>{ctx.t('page.login.feature.audit')}</li>
          </ul>
        </div>
        <LoginCard ctx={ctx} form={form} />
      </div>
    ),
  };
}

export async function authPages(app: FastifyInstance, platform: Platform) {
  /** The token of this browser's login form: the one it already holds, else a new one. */
  function loginToken(request: FastifyRequest, reply: FastifyReply, fresh = false): string {
    const held = request.cookies[LOGIN_COOKIE];
    if (!fresh && held && /^[\w-]{20,100}$/.test(held)) return held;
    const token = platform.crypto.randomToken(24);
    reply.setCookie(LOGIN_COOKIE, token, { path: '/console/login', httpOnly: true, sameSite: 'strict', secure: platform.config.behindTls, maxAge: 12 * 3600 });
    return token;
  }
  const pendingMac = (userId: string, until: number) => platform.crypto.hmacSm3(platform.fieldKey, `zt-login-pending:${userId}:${until}`);
  function setPending(reply: FastifyReply, userId: string) {
    const until = platform.clock.now().getTime() + PENDING_MS;
    reply.setCookie(PENDING_COOKIE, `${userId}.${until}.${pendingMac(userId, until)}`, { path: '/console/login', httpOnly: true, sameSite: 'strict', secure: platform.config.behindTls, maxAge: PENDING_MS / 1000 });
  }
  /** The account whose password this browser proved, while the proof lasts. */
  function pendingUser(request: FastifyRequest): string | null {
    const [userId, until, mac] = (request.cookies[PENDING_COOKIE] ?? '').split('.');
    if (!userId || !until || !mac || Number(until) < platform.clock.now().getTime()) return null;
    return mac === pendingMac(userId, Number(until)) ? userId : null;
  }
  const clearPending = (reply: FastifyReply) => reply.clearCookie(PENDING_COOKIE, { path: '/console/login' });

  app.get<{ Querystring: Static<typeof LoginQuery> }>('/console/login', { schema: { querystring: LoginQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const next = safeNextPath(request.query.next);
    if (request.principal) return redirect(reply, request.principal.kind === 'staff' ? next : publicLanding(platform, next));
    if (request.query.restart) clearPending(reply);
    const token = loginToken(request, reply);
    return renderPortal(request, reply, (ctx) => loginPage(ctx, { username: '', next, token, askTotp: false }));
  });

  app.post<{ Body: Static<typeof FormBody> }>(
    '/console/login',
    {
      schema: { body: FormBody },
      config: { auth: 'public', rateLimit: { max: platform.config.loginRateLimitPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const username = formText(request.body, 'username');
      const password = formRaw(request.body, 'password');
      const totp = formText(request.body, 'totp');
      const next = safeNextPath(formText(request.body, 'next'));
      const lang = request.lang;
      const again = (status: number, form: Omit<LoginForm, 'username' | 'next' | 'token'>, freshToken = false) => {
        const token = loginToken(request, reply, freshToken);
        return renderPortal(request, reply, (ctx) => ({ ...loginPage(ctx, { username, next, token, ...form }), status }));
      };

      const held = request.cookies[LOGIN_COOKIE];
      if (!held || formText(request.body, '_login') !== held) {
        return again(403, { askTotp: !!totp, summary: translate(lang, 'page.login.expired') }, true);
      }

      if (formText(request.body, 'step') === 'totp') {
        const userId = pendingUser(request);
        if (!userId) return again(401, { askTotp: false, summary: translate(lang, 'page.login.stepExpired') }, true);
        if (!/^\d{6}$/.test(totp)) return again(400, { askTotp: true, fields: { totp: translate(lang, 'page.login.totpFormat') } });
        try {
          const result = await iam.loginWithTotp(platform, userId, totp, actorOf(request), request.headers['user-agent'] ?? null);
          clearPending(reply);
          setSessionCookie(platform, reply, result.token);
          return redirect(reply, result.user.must_change_password ? '/console/profile' : next);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          if (error.code === 'TOTP_INVALID') return again(error.status, { askTotp: true, fields: { totp: error.toProblem(lang).title } });
          clearPending(reply);
          return again(error.status, { askTotp: false, summary: error.toProblem(lang).detail });
        }
      }

      const fields: FieldMessages = {};
      if (!username) fields.username = translate(lang, 'page.login.usernameRequired');
      if (!password) fields.password = translate(lang, 'page.login.passwordRequired');
      if (totp && !/^\d{6}$/.test(totp)) fields.totp = translate(lang, 'page.login.totpFormat');
      if (username.length > 64 || password.length > 256) fields.username = translate(lang, 'error.AUTH_INVALID');
      if (Object.keys(fields).length) return again(400, { askTotp: !!totp, fields });

      try {
        const result = await iam.login(platform, { username, password, ...(totp ? { totp } : {}) }, actorOf(request), request.headers['user-agent'] ?? null);
        setSessionCookie(platform, reply, result.token);
        const restricted = result.user.must_change_password || (result.roles.some((r) => TOTP_REQUIRED_ROLES.includes(r.role)) && !result.user.totp_enabled);
        if (result.user.kind !== 'staff') return redirect(reply, publicLanding(platform, next));
        return redirect(reply, restricted ? '/console/profile' : next);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const message = error.toProblem(lang).detail;
        switch (error.code) {
          case 'AUTH_INVALID':
            return again(error.status, { askTotp: false, summary: message, fields: { password: message } });
          case 'IAM_ACCOUNT_NOT_FOUND':
            return again(error.status, { askTotp: false, summary: message, fields: { username: message } });
          case 'AUTH_DISABLED':
            return again(error.status, { askTotp: false, summary: message });
          case 'AUTH_LOCKED':
          case 'AUTH_THROTTLED': {
            const until = typeof error.extra?.lockedUntil === 'string' ? formatDateTime(error.extra.lockedUntil, lang) : null;
            const key = error.code === 'AUTH_LOCKED' ? 'page.login.lockedUntil' : 'page.login.throttledUntil';
            if (typeof error.extra?.retryAfter === 'number') reply.header('Retry-After', String(error.extra.retryAfter));
            return again(error.status, { askTotp: false, summary: until ? translate(lang, key, { until }) : message });
          }
          case 'AUTH_SECOND_FACTOR_REQUIRED':
            return again(error.status, { askTotp: false, summary: message });
          case 'TOTP_REQUIRED': {
            // The password was right: the code is the second step, not an error.
            const user = await iam.findAccountByUsername(platform, username);
            if (!user) throw error;
            setPending(reply, user.id);
            return again(200, { askTotp: true });
          }
          case 'TOTP_INVALID':
            return again(error.status, { askTotp: true, fields: { totp: message } });
          default:
            throw error;
        }
      }
    },
  );

  app.post<{ Body: Static<typeof FormBody> }>('/logout', { schema: { body: FormBody }, config: { auth: 'user', allowRestricted: true } }, async (request, reply) => {
    await inTransaction(platform.db, actorOf(request), (work) => iam.logout(work, platform, request.principal!));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    setFlash(reply, { kind: 'success', key: 'flash.loggedOut' });
    return redirect(reply, request.principal!.kind === 'public' ? '/' : '/console/login');
  });
}

/** Citizens and enterprises go back to the public page they came from, else to their own matters (or the home page). */
function publicLanding(platform: Platform, next: string): string {
  if (next !== '/console' && !next.startsWith('/console/')) return next;
  return '/account';
}
