import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, Strict, actorOf } from '../http/index.ts';
import type { Platform } from '../module.ts';
import { translate, type Lang } from '../i18n/index.ts';
import { inTransaction } from '../db/work.ts';
import * as iam from '../iam/index.ts';
import { setSessionCookie } from '../iam/routes.ts';
import { attempt, attr, ErrorSummary, FormBody, formatDateTime, formRaw, formText, Notice, PageQueryFields, redirect, safeNextPath, setFlash, TextField, type FieldMessages, type ViewContext } from '../views/index.ts';
import { renderPortal } from './shell.tsx';

/**
 * The public's own doors: sign-in for citizens (个人) and enterprises (法人) by password or SMS
 * code, registration with a verified mobile number, and a password reset by SMS. Staff sign in
 * on /console/login. Every form carries a token matching a SameSite=Strict cookie (double
 * submit); "获取验证码" is a submit button of the same form, so it works without JavaScript.
 */
type Kind = 'person' | 'enterprise';
const AuthQuery = Strict({
  next: Type.Optional(Type.String({ maxLength: 500 })),
  kind: Type.Optional(Type.Union([Type.Literal('person'), Type.Literal('enterprise')])),
  method: Type.Optional(Type.Union([Type.Literal('password'), Type.Literal('sms')])),
  ...PageQueryFields,
});

export const ACCOUNT_HOME = '/account';
const PUBLIC_FORM_COOKIE = 'zt_public_form';

interface FormState {
  kind: Kind;
  next: string;
  token: string;
  values: Record<string, string>;
  summary?: string;
  notice?: string;
  fields?: FieldMessages;
  status?: number;
}

const withNext = (path: string, next: string, extra: Record<string, string> = {}) => {
  const query = new URLSearchParams({ ...extra, ...(next && next !== ACCOUNT_HOME ? { next } : {}) }).toString();
  return query ? `${path}?${query}` : path;
};

function KindTabs({ ctx, path, kind, next, extra = {} }: { ctx: ViewContext; path: string; kind: Kind; next: string; extra?: Record<string, string> }) {
  return (
    <nav class="tabs" aria-label={ctx.ta('page.public.kind.label')}>
      <ul>
        {(['person', 'enterprise'] as const).map((k) => (
          <li>
            <a href={attr(withNext(path, next, { ...extra, kind: k }))} aria-current={k === kind ? 'page' : undefined}>
              {ctx.t(`page.public.kind.${k}`)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Hidden({ fields }: { fields: Record<string, string> }) {
  return (
    <>
      {Object.entries(fields).map(([name, value]) => (
        <input type="hidden" name={attr(name)} value={attr(value)} />
      ))}
    </>
  );
}

/** Phone, the 获取验证码 button (posts the same form to `codeAction`) and the code. */
function PhoneAndCode({ ctx, form, name, state, codeAction }: { ctx: ViewContext; form: string; name: string; state: FormState; codeAction: string }) {
  return (
    <>
      <TextField ctx={ctx} form={form} name="phone" type="tel" label={ctx.ta('page.public.phone')} value={state.values.phone} error={state.fields?.phone} autocomplete="tel" inputmode="tel" maxlength={20} required size="long" />
      <p class="sms-send">
        <button type="submit" class="button button-secondary" formaction={codeAction} formnovalidate>
          {ctx.t('page.public.sendCode')}
        </button>
      </p>
      <TextField ctx={ctx} form={form} name={name} label={ctx.ta('page.public.smsCode')} hint={ctx.ta('page.public.smsCodeHint')} value={state.values[name]} error={state.fields?.[name]} autocomplete="one-time-code" inputmode="numeric" maxlength={6} required size="short" />
    </>
  );
}

function Card({ ctx, id, title, state, labels, children }: { ctx: ViewContext; id: string; title: JSX.Element; state: FormState; labels: Record<string, string>; children: JSX.Element }) {
  return (
    <section class="login-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {state.notice ? (
        <Notice kind="success">
          <span safe>{state.notice}</span>
        </Notice>
      ) : (
        ''
      )}
      <ErrorSummary ctx={ctx} form={id} summary={state.summary} fields={state.fields} labels={labels} />
      {children}
    </section>
  );
}

function loginPage(ctx: ViewContext, state: FormState & { method: 'password' | 'sms' }) {
  const labels = { username: ctx.ta('page.public.phone'), password: ctx.ta('page.login.password'), phone: ctx.ta('page.public.phone'), smsCode: ctx.ta('page.public.smsCode') };
  const hidden = { next: state.next, _form: state.token, kind: state.kind, method: state.method };
  return {
    title: ctx.t('page.public.login.title'),
    crumbs: [{ label: ctx.t('page.public.login.title') }],
    status: state.status,
    body: (
      <div class="login-layout">
        <div class="login-intro">
          <h1>{ctx.t('page.public.login.heading')}</h1>
          <p class="lead">{ctx.t('page.public.login.lead')}</p>
          <p>
            {ctx.t('page.public.login.noAccount')} <a href={attr(withNext('/register', state.next, { kind: state.kind }))}>{ctx.t('page.public.register.title')}</a>
          </p>
        </div>
        <Card ctx={ctx} id="login" title={ctx.t(`page.public.login.${state.kind}`)} state={state} labels={labels}>
          <>
            <KindTabs ctx={ctx} path="/login" kind={state.kind} next={state.next} extra={{ method: state.method }} />
            <p class="method-switch">
              <a href={attr(withNext('/login', state.next, { kind: state.kind, method: state.method === 'sms' ? 'password' : 'sms' }))}>
                {ctx.t(state.method === 'sms' ? 'page.public.login.byPassword' : 'page.public.login.bySms')}
              </a>
            </p>
            <form method="post" action="/login" novalidate>
              <Hidden fields={hidden} />
              {state.method === 'sms' ? (
                <PhoneAndCode ctx={ctx} form="login" name="smsCode" state={state} codeAction="/login/sms-code" />
              ) : (
                <>
                  <TextField ctx={ctx} form="login" name="username" label={labels.username} value={state.values.username} error={state.fields?.username} autocomplete="username" inputmode="tel" maxlength={64} required size="long" />
                  <TextField ctx={ctx} form="login" name="password" type="password" label={labels.password} error={state.fields?.password} autocomplete="current-password" maxlength={256} required size="long" />
                </>
              )}
              <button type="submit" class="button button-block">
                {ctx.t('page.login.submit')}
              </button>
            </form>
            <ul class="login-links">
              <li>
                <a href={attr(withNext('/register', state.next, { kind: state.kind }))}>{ctx.t('page.public.register.title')}</a>
              </li>
              <li>
                <a href="/password-reset">{ctx.t('page.public.reset.title')}</a>
              </li>
            </ul>
          </>
        </Card>
      </div>
    ),
  };
}

function registerPage(ctx: ViewContext, state: FormState) {
  const enterprise = state.kind === 'enterprise';
  const labels: Record<string, string> = {
    companyName: ctx.ta('page.public.companyName'),
    creditCode: ctx.ta('page.public.creditCode'),
    name: ctx.ta(enterprise ? 'page.public.legalRepName' : 'page.public.name'),
    idNumber: ctx.ta(enterprise ? 'page.public.legalRepId' : 'page.public.idNumber'),
    phone: ctx.ta('page.public.phone'),
    smsCode: ctx.ta('page.public.smsCode'),
    password: ctx.ta('page.login.password'),
    password2: ctx.ta('page.public.password2'),
  };
  const v = state.values;
  return {
    title: ctx.t('page.public.register.title'),
    crumbs: [{ label: ctx.t('page.public.register.title') }],
    status: state.status,
    body: (
      <div class="login-layout">
        <div class="login-intro">
          <h1>{ctx.t('page.public.register.heading')}</h1>
          <p class="lead">{ctx.t('page.public.register.lead')}</p>
          <p>
            {ctx.t('page.public.register.haveAccount')} <a href={attr(withNext('/login', state.next, { kind: state.kind }))}>{ctx.t('ui.login')}</a>
          </p>
        </div>
        <Card ctx={ctx} id="register" title={ctx.t(`page.public.register.${state.kind}`)} state={state} labels={labels}>
          <>
            <KindTabs ctx={ctx} path="/register" kind={state.kind} next={state.next} />
            <form method="post" action="/register" novalidate>
              <Hidden fields={{ next: state.next, _form: state.token, kind: state.kind }} />
              {enterprise ? (
                <>
                  <TextField ctx={ctx} form="register" name="companyName" label={labels.companyName} value={v.companyName} error={state.fields?.companyName} autocomplete="organization" maxlength={200} required size="long" />
                  <TextField ctx={ctx} form="register" name="creditCode" label={labels.creditCode} hint={ctx.ta('page.public.creditCodeHint')} value={v.creditCode} error={state.fields?.creditCode} maxlength={18} required size="long" />
                </>
              ) : (
                ''
              )}
              <TextField ctx={ctx} form="register" name="name" label={labels.name} value={v.name} error={state.fields?.name} autocomplete="name" maxlength={100} required size="long" />
              <TextField ctx={ctx} form="register" name="idNumber" label={labels.idNumber} hint={ctx.ta('page.public.idNumberHint')} value={v.idNumber} error={state.fields?.idNumber} maxlength={18} required size="long" />
              <PhoneAndCode ctx={ctx} form="register" name="smsCode" state={state} codeAction="/register/sms-code" />
              <TextField ctx={ctx} form="register" name="password" type="password" label={labels.password} hint={ctx.ta('page.public.passwordHint')} error={state.fields?.password} autocomplete="new-password" maxlength={256} required size="long" />
              <TextField ctx={ctx} form="register" name="password2" type="password" label={labels.password2} error={state.fields?.password2} autocomplete="new-password" maxlength={256} required size="long" />
              <button type="submit" class="button button-block">
                {ctx.t('page.public.register.submit')}
              </button>
            </form>
          </>
        </Card>
      </div>
    ),
  };
}

function resetPage(ctx: ViewContext, state: FormState) {
  const labels = { phone: ctx.ta('page.public.phone'), smsCode: ctx.ta('page.public.smsCode'), password: ctx.ta('page.public.newPassword'), password2: ctx.ta('page.public.password2') };
  return {
    title: ctx.t('page.public.reset.title'),
    crumbs: [{ href: '/login', label: ctx.t('page.public.login.title') }, { label: ctx.t('page.public.reset.title') }],
    status: state.status,
    body: (
      <div class="login-layout">
        <div class="login-intro">
          <h1>{ctx.t('page.public.reset.title')}</h1>
          <p class="lead">{ctx.t('page.public.reset.lead')}</p>
        </div>
        <Card ctx={ctx} id="reset" title={ctx.t('page.public.reset.title')} state={state} labels={labels}>
          <form method="post" action="/password-reset" novalidate>
            <Hidden fields={{ _form: state.token }} />
            <PhoneAndCode ctx={ctx} form="reset" name="smsCode" state={state} codeAction="/password-reset/sms-code" />
            <TextField ctx={ctx} form="reset" name="password" type="password" label={labels.password} hint={ctx.ta('page.public.passwordHint')} error={state.fields?.password} autocomplete="new-password" maxlength={256} required size="long" />
            <TextField ctx={ctx} form="reset" name="password2" type="password" label={labels.password2} error={state.fields?.password2} autocomplete="new-password" maxlength={256} required size="long" />
            <button type="submit" class="button button-block">
              {ctx.t('page.public.reset.submit')}
            </button>
          </form>
        </Card>
      </div>
    ),
  };
}

/** The message of a refused sign-in or code: the lock names its end. */
function refusal(error: AppError, lang: Lang, fields: FieldMessages, summary: string): { fields: FieldMessages; summary: string } {
  if ((error.code === 'AUTH_LOCKED' || error.code === 'AUTH_THROTTLED') && typeof error.extra?.lockedUntil === 'string') {
    return { fields, summary: translate(lang, error.code === 'AUTH_LOCKED' ? 'page.login.lockedUntil' : 'page.login.throttledUntil', { until: formatDateTime(error.extra.lockedUntil, lang) }) };
  }
  return { fields, summary };
}

export async function publicAuthPages(app: FastifyInstance, platform: Platform) {
  function formToken(request: FastifyRequest, reply: FastifyReply, fresh = false): string {
    const held = request.cookies[PUBLIC_FORM_COOKIE];
    if (!fresh && held && /^[\w-]{20,100}$/.test(held)) return held;
    const token = platform.crypto.randomToken(24);
    reply.setCookie(PUBLIC_FORM_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: platform.config.behindTls, maxAge: 12 * 3600 });
    return token;
  }
  const tokenOk = (request: FastifyRequest) => {
    const held = request.cookies[PUBLIC_FORM_COOKIE];
    return !!held && formText(request.body, '_form') === held;
  };
  const kindOf = (value: string): Kind => (value === 'enterprise' ? 'enterprise' : 'person');
  const landing = (next: string) => (next === '/console' || next.startsWith('/console/') ? ACCOUNT_HOME : next);
  const values = (body: unknown, names: string[]) => Object.fromEntries(names.map((n) => [n, formText(body, n)]));
  const sendCode = (request: FastifyRequest, phone: string, purpose: iam.SmsPurpose) =>
    attempt(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => iam.requestSmsCode(work, platform, { phone, purpose })));

  // ---------------------------------------------------------------- sign-in
  app.get<{ Querystring: Static<typeof AuthQuery> }>('/login', { schema: { querystring: AuthQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const next = safeNextPath(request.query.next, ACCOUNT_HOME);
    if (next.startsWith('/console')) return redirect(reply, `/console/login?next=${encodeURIComponent(next)}`);
    if (request.principal) return redirect(reply, request.principal.kind === 'staff' ? '/console' : landing(next));
    const state = { kind: request.query.kind ?? 'person', method: request.query.method ?? 'password', next, token: formToken(request, reply), values: {} };
    return renderPortal(request, reply, (ctx) => loginPage(ctx, state));
  });

  const loginRate = { rateLimit: { max: platform.config.loginRateLimitPerMinute, timeWindow: '1 minute' } };
  app.post<{ Body: Static<typeof FormBody> }>('/login', { schema: { body: FormBody }, config: { auth: 'public', ...loginRate } }, async (request, reply) => {
    const body = request.body;
    const lang = request.lang;
    const method = formText(body, 'method') === 'sms' ? 'sms' : 'password';
    const state = { kind: kindOf(formText(body, 'kind')), method, next: safeNextPath(formText(body, 'next'), ACCOUNT_HOME), values: values(body, ['username', 'phone', 'smsCode']) } as const;
    const again = (extra: Partial<FormState>, fresh = false) => renderPortal(request, reply, (ctx) => loginPage(ctx, { ...state, token: formToken(request, reply, fresh), ...extra }));
    if (!tokenOk(request)) return again({ summary: translate(lang, 'page.login.expired'), status: 403 }, true);
    const fields: FieldMessages = {};
    const password = formRaw(body, 'password');
    if (method === 'sms') {
      if (!state.values.phone) fields.phone = translate(lang, 'page.public.phoneRequired');
      if (!state.values.smsCode) fields.smsCode = translate(lang, 'iam.smsCodeFormat');
    } else {
      if (!state.values.username) fields.username = translate(lang, 'page.public.phoneRequired');
      if (!password) fields.password = translate(lang, 'page.login.passwordRequired');
      if (state.values.username.length > 64 || password.length > 256) fields.username = translate(lang, 'iam.accountNotFound');
    }
    if (Object.keys(fields).length) return again({ fields, status: 400 });
    const result = await attempt(lang, () =>
      method === 'sms'
        ? iam.loginWithSmsCode(platform, { phone: state.values.phone, smsCode: state.values.smsCode }, actorOf(request), request.headers['user-agent'] ?? null)
        : iam.login(platform, { username: state.values.username, password }, actorOf(request), request.headers['user-agent'] ?? null),
    ).catch((error: unknown) => {
      // A staff account with a second factor signs in on the staff page.
      if (error instanceof AppError && error.code === 'TOTP_REQUIRED') return 'totp' as const;
      throw error;
    });
    if (result === 'totp') {
      setFlash(reply, { kind: 'info', key: 'flash.staffSignIn' });
      return redirect(reply, '/console/login');
    }
    if (!result.ok) return again({ ...refusal(result.error, lang, result.fields, result.summary), status: result.error.status });
    setSessionCookie(platform, reply, result.value.token);
    if (result.value.user.kind === 'staff') return redirect(reply, result.value.user.must_change_password ? '/console/profile' : '/console');
    return redirect(reply, landing(state.next));
  });

  app.post<{ Body: Static<typeof FormBody> }>('/login/sms-code', { schema: { body: FormBody }, config: { auth: 'public', ...loginRate } }, async (request, reply) => {
    const body = request.body;
    const state = { kind: kindOf(formText(body, 'kind')), method: 'sms', next: safeNextPath(formText(body, 'next'), ACCOUNT_HOME), values: values(body, ['phone']) } as const;
    const again = (extra: Partial<FormState>, fresh = false) => renderPortal(request, reply, (ctx) => loginPage(ctx, { ...state, token: formToken(request, reply, fresh), ...extra }));
    if (!tokenOk(request)) return again({ summary: translate(request.lang, 'page.login.expired'), status: 403 }, true);
    const sent = await sendCode(request, state.values.phone, 'login');
    if (!sent.ok) return again({ fields: sent.fields, summary: sent.summary, status: sent.error.status });
    return again({ notice: translate(request.lang, 'page.public.codeSent') });
  });

  // ---------------------------------------------------------------- registration
  const REGISTER_FIELDS = ['phone', 'smsCode', 'name', 'idNumber', 'creditCode', 'companyName'];
  app.get<{ Querystring: Static<typeof AuthQuery> }>('/register', { schema: { querystring: AuthQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const next = safeNextPath(request.query.next, ACCOUNT_HOME);
    if (request.principal?.kind === 'public') return redirect(reply, landing(next));
    const state = { kind: request.query.kind ?? 'person', next, token: formToken(request, reply), values: {} };
    return renderPortal(request, reply, (ctx) => registerPage(ctx, state));
  });

  app.post<{ Body: Static<typeof FormBody> }>('/register', { schema: { body: FormBody }, config: { auth: 'public', ...loginRate } }, async (request, reply) => {
    const body = request.body;
    const lang = request.lang;
    const state = { kind: kindOf(formText(body, 'kind')), next: safeNextPath(formText(body, 'next'), ACCOUNT_HOME), values: values(body, REGISTER_FIELDS) };
    const again = (extra: Partial<FormState>, fresh = false) => renderPortal(request, reply, (ctx) => registerPage(ctx, { ...state, token: formToken(request, reply, fresh), ...extra }));
    if (!tokenOk(request)) return again({ summary: translate(lang, 'page.login.expired'), status: 403 }, true);
    const password = formRaw(body, 'password');
    const v = state.values;
    const input = {
      kind: state.kind,
      phone: v.phone,
      smsCode: v.smsCode,
      password,
      name: v.name,
      idNumber: v.idNumber,
      ...(state.kind === 'enterprise' ? { creditCode: v.creditCode, companyName: v.companyName } : {}),
    };
    // Every field's problem at once: the account's own checks, then the form's.
    const fields: FieldMessages = {};
    for (const e of iam.checkPublicAccount(input, { requireIdNumber: true }).errors) fields[e.path] ??= translate(lang, 'key' in e.message ? e.message.key : 'error.VALIDATION_FAILED', 'key' in e.message ? e.message.params : undefined);
    if (!/^\d{6}$/.test(v.smsCode)) fields.smsCode = translate(lang, 'iam.smsCodeFormat');
    if (password && password !== formRaw(body, 'password2')) fields.password2 = translate(lang, 'page.public.passwordMismatch');
    if (Object.keys(fields).length) return again({ fields, status: 400 });
    const result = await attempt(lang, () => iam.registerPublicUser(platform, input, actorOf(request)));
    if (!result.ok) return again({ fields: result.fields, summary: result.summary, status: result.error.status });
    const session = await iam.login(platform, { username: result.value.username, password }, actorOf(request), request.headers['user-agent'] ?? null);
    setSessionCookie(platform, reply, session.token);
    setFlash(reply, { kind: 'success', key: 'flash.public.registered', params: { name: result.value.display_name } });
    return redirect(reply, landing(state.next));
  });

  app.post<{ Body: Static<typeof FormBody> }>('/register/sms-code', { schema: { body: FormBody }, config: { auth: 'public', ...loginRate } }, async (request, reply) => {
    const body = request.body;
    const state = { kind: kindOf(formText(body, 'kind')), next: safeNextPath(formText(body, 'next'), ACCOUNT_HOME), values: values(body, REGISTER_FIELDS) };
    const again = (extra: Partial<FormState>, fresh = false) => renderPortal(request, reply, (ctx) => registerPage(ctx, { ...state, token: formToken(request, reply, fresh), ...extra }));
    if (!tokenOk(request)) return again({ summary: translate(request.lang, 'page.login.expired'), status: 403 }, true);
    const sent = await sendCode(request, state.values.phone, 'register');
    if (!sent.ok) return again({ fields: sent.fields, summary: sent.summary, status: sent.error.status });
    return again({ notice: translate(request.lang, 'page.public.codeSent') });
  });

  // ---------------------------------------------------------------- password reset
  app.get<{ Querystring: Static<typeof AuthQuery> }>('/password-reset', { schema: { querystring: AuthQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const state = { kind: 'person' as const, next: ACCOUNT_HOME, token: formToken(request, reply), values: {} };
    return renderPortal(request, reply, (ctx) => resetPage(ctx, state));
  });

  app.post<{ Body: Static<typeof FormBody> }>('/password-reset', { schema: { body: FormBody }, config: { auth: 'public', ...loginRate } }, async (request, reply) => {
    const body = request.body;
    const lang = request.lang;
    const state = { kind: 'person' as const, next: ACCOUNT_HOME, values: values(body, ['phone', 'smsCode']) };
    const again = (extra: Partial<FormState>, fresh = false) => renderPortal(request, reply, (ctx) => resetPage(ctx, { ...state, token: formToken(request, reply, fresh), ...extra }));
    if (!tokenOk(request)) return again({ summary: translate(lang, 'page.login.expired'), status: 403 }, true);
    const password = formRaw(body, 'password');
    if (password !== formRaw(body, 'password2')) return again({ fields: { password2: translate(lang, 'page.public.passwordMismatch') }, status: 400 });
    const result = await attempt(lang, () => iam.resetPasswordBySms(platform, { phone: state.values.phone, smsCode: state.values.smsCode, password }, actorOf(request)));
    if (!result.ok) return again({ fields: result.fields, summary: result.summary, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'flash.public.passwordReset' });
    return redirect(reply, '/login');
  });

  app.post<{ Body: Static<typeof FormBody> }>('/password-reset/sms-code', { schema: { body: FormBody }, config: { auth: 'public', ...loginRate } }, async (request, reply) => {
    const body = request.body;
    const state = { kind: 'person' as const, next: ACCOUNT_HOME, values: values(body, ['phone']) };
    const again = (extra: Partial<FormState>, fresh = false) => renderPortal(request, reply, (ctx) => resetPage(ctx, { ...state, token: formToken(request, reply, fresh), ...extra }));
    if (!tokenOk(request)) return again({ summary: translate(request.lang, 'page.login.expired'), status: 403 }, true);
    const sent = await sendCode(request, state.values.phone, 'reset');
    if (!sent.ok) return again({ fields: sent.fields, summary: sent.summary, status: sent.error.status });
    return again({ notice: translate(request.lang, 'page.public.codeSent') });
  });
}
