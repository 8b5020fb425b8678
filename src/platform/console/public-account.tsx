import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, actorOf } from '../http/index.ts';
import type { Platform } from '../module.ts';
import { translate } from '../i18n/index.ts';
import * as iam from '../iam/index.ts';
import { listInbox } from '../notify/views.ts';
import { attempt, Csrf, EmptyState, ErrorSummary, FormBody, formatDateTime, formRaw, PageQueryFields, Pagination, redirect, setFlash, TextField, type FieldMessages, type ViewContext } from '../views/index.ts';
import { renderPortal } from './shell.tsx';

/**
 * "我的": a citizen's or an enterprise's own pages on the portal. The navigation leads to what the
 * modules offer (portal.account: 我的办件, 我的证照 … 我的信件) and to the account's profile,
 * password and messages; staff accounts have the console instead.
 */
const PageQuery = Strict({ ...PageQueryFields });
const MessagesQuery = Strict({ cursor: Type.Optional(Type.String({ maxLength: 200 })), ...PageQueryFields });

interface AccountLink {
  href: string;
  key: string;
}

function accountLinks(platform: Platform): AccountLink[] {
  // Every page the modules add to 我的 (我的办件, 我的证照 … 我的信件), else their home page.
  const pages = platform.modules.accountPages.length ? platform.modules.accountPages : platform.modules.accountHome ? [platform.modules.accountHome] : [];
  return [
    { href: '/account', key: 'page.account.home' },
    ...pages.map((page) => ({ href: page.href, key: page.key })),
    { href: '/account/profile', key: 'page.account.profile' },
    { href: '/account/password', key: 'page.account.password' },
    { href: '/account/messages', key: 'page.account.messages' },
  ];
}

/** The page inside the account's navigation (a side list on wide screens, a wrapping row on phones). */
function AccountFrame({ platform, ctx, current, children }: { platform: Platform; ctx: ViewContext; current: string; children: JSX.Element }) {
  return (
    <div class="account-layout">
      <nav class="account-nav" aria-label={ctx.ta('page.account.nav')}>
        <ul>
          {accountLinks(platform).map((link) => (
            <li>
              <a href={link.href} aria-current={link.href === current ? 'page' : undefined}>
                {ctx.t(link.key)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="account-main">{children}</div>
    </div>
  );
}

function publicOnly(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.principal?.kind === 'public') return true;
  redirect(reply, '/console/profile');
  return false;
}

export async function publicAccountPages(app: FastifyInstance, platform: Platform) {
  const crumb = (ctx: ViewContext) => ({ href: '/account', label: ctx.t('page.account.home') });

  app.get('/account', { schema: { querystring: PageQuery }, config: { auth: 'user' } }, async (request, reply) => {
    if (!publicOnly(request, reply)) return reply;
    const profile = await iam.publicProfile(platform, request.principal!);
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.account.home'),
      crumbs: [{ label: ctx.t('page.account.home') }],
      body: (
        <AccountFrame platform={platform} ctx={ctx} current="/account">
          <>
            <h1>{ctx.t('page.account.welcome', { name: profile.displayName })}</h1>
            <p class="lead">{ctx.t(profile.applicantKind === 'enterprise' ? 'page.account.leadEnterprise' : 'page.account.leadPerson')}</p>
            <ul class="account-cards">
              {accountLinks(platform)
                .slice(1)
                .map((link) => (
                  <li class="section-card">
                    <h2>
                      <a href={link.href}>{ctx.t(link.key)}</a>
                    </h2>
                  </li>
                ))}
            </ul>
          </>
        </AccountFrame>
      ),
    }));
  });

  app.get('/account/profile', { schema: { querystring: PageQuery }, config: { auth: 'user' } }, async (request, reply) => {
    if (!publicOnly(request, reply)) return reply;
    const p = await iam.publicProfile(platform, request.principal!);
    return renderPortal(request, reply, (ctx) => {
      const rows: Array<[JSX.Element, string | null]> = [
        [ctx.t('page.account.kind'), p.applicantKind ? ctx.ta(`page.public.kind.${p.applicantKind}`) : null],
        ...(p.applicantKind === 'enterprise' ? ([[ctx.t('page.public.companyName'), p.companyName], [ctx.t('page.public.creditCode'), p.creditCode]] as Array<[JSX.Element, string | null]>) : []),
        [ctx.t(p.applicantKind === 'enterprise' ? 'page.public.legalRepName' : 'page.public.name'), p.name ?? p.displayName],
        [ctx.t(p.applicantKind === 'enterprise' ? 'page.public.legalRepId' : 'page.public.idNumber'), p.idNumber],
        [ctx.t('page.public.phone'), p.phone],
        [ctx.t('page.account.since'), formatDateTime(p.createdAt, ctx.lang)],
      ];
      return {
        title: ctx.t('page.account.profile'),
        crumbs: [crumb(ctx), { label: ctx.t('page.account.profile') }],
        body: (
          <AccountFrame platform={platform} ctx={ctx} current="/account/profile">
            <>
              <h1>{ctx.t('page.account.profile')}</h1>
              <dl class="summary-list">
                {rows.map(([label, value]) => (
                  <div>
                    <dt>{label}</dt>
                    <dd safe>{value ?? ctx.t('page.account.none')}</dd>
                  </div>
                ))}
              </dl>
              <p class="muted">{ctx.t('page.account.maskedNote')}</p>
            </>
          </AccountFrame>
        ),
      };
    });
  });

  function passwordPage(request: FastifyRequest, reply: FastifyReply, state: { fields?: FieldMessages; summary?: string; status?: number } = {}) {
    return renderPortal(request, reply, (ctx) => {
      const labels = { currentPassword: ctx.ta('page.profile.currentPassword'), newPassword: ctx.ta('page.public.newPassword'), confirmPassword: ctx.ta('page.public.password2') };
      return {
        title: ctx.t('page.account.password'),
        crumbs: [crumb(ctx), { label: ctx.t('page.account.password') }],
        status: state.status,
        body: (
          <AccountFrame platform={platform} ctx={ctx} current="/account/password">
            <>
              <h1>{ctx.t('page.account.password')}</h1>
              <ErrorSummary ctx={ctx} form="password" summary={state.summary} fields={state.fields} labels={labels} />
              <form method="post" action="/account/password" novalidate class="narrow-form">
                <Csrf ctx={ctx} />
                <TextField ctx={ctx} form="password" name="currentPassword" type="password" label={labels.currentPassword} error={state.fields?.currentPassword} autocomplete="current-password" maxlength={256} required size="long" />
                <TextField ctx={ctx} form="password" name="newPassword" type="password" label={labels.newPassword} hint={ctx.ta('page.public.passwordHint')} error={state.fields?.newPassword} autocomplete="new-password" maxlength={256} required size="long" />
                <TextField ctx={ctx} form="password" name="confirmPassword" type="password" label={labels.confirmPassword} error={state.fields?.confirmPassword} autocomplete="new-password" maxlength={256} required size="long" />
                <button type="submit" class="button">
                  {ctx.t('page.account.passwordSubmit')}
                </button>
              </form>
            </>
          </AccountFrame>
        ),
      };
    });
  }

  app.get('/account/password', { schema: { querystring: PageQuery }, config: { auth: 'user' } }, async (request, reply) => {
    if (!publicOnly(request, reply)) return reply;
    return passwordPage(request, reply);
  });

  app.post<{ Body: Static<typeof FormBody> }>('/account/password', { schema: { body: FormBody }, config: { auth: 'user' } }, async (request, reply) => {
    if (!publicOnly(request, reply)) return reply;
    const lang = request.lang;
    const current = formRaw(request.body, 'currentPassword');
    const next = formRaw(request.body, 'newPassword');
    const fields: FieldMessages = {};
    if (!current) fields.currentPassword = translate(lang, 'page.profile.currentRequired');
    if (!next) fields.newPassword = translate(lang, 'page.profile.newRequired');
    else if (next !== formRaw(request.body, 'confirmPassword')) fields.confirmPassword = translate(lang, 'page.profile.confirmMismatch');
    if (Object.keys(fields).length) return passwordPage(request, reply, { fields, status: 400 });
    const result = await attempt(lang, () => iam.changePassword(platform, request.principal!, current, next, actorOf(request)));
    if (!result.ok) return passwordPage(request, reply, { fields: result.fields, summary: result.summary, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'flash.passwordChanged' });
    return redirect(reply, '/account');
  });

  app.get<{ Querystring: Static<typeof MessagesQuery> }>('/account/messages', { schema: { querystring: MessagesQuery }, config: { auth: 'user' } }, async (request, reply) => {
    if (!publicOnly(request, reply)) return reply;
    const page = await listInbox(platform.db, request.principal!.userId, { limit: 20, cursor: request.query.cursor });
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.account.messages'),
      crumbs: [crumb(ctx), { label: ctx.t('page.account.messages') }],
      body: (
        <AccountFrame platform={platform} ctx={ctx} current="/account/messages">
          <>
            <h1>{ctx.t('page.account.messages')}</h1>
            {page.items.length ? (
              <ul class="message-list">
                {page.items.map((m) => (
                  <li class={m.readAt ? 'message' : 'message message-unread'}>
                    <h2 class="message-title">{m.link && m.link.startsWith('/') ? <a href={m.link} safe>{m.title}</a> : <span safe>{m.title}</span>}</h2>
                    <p class="muted">
                      <time datetime={m.createdAt} safe>
                        {formatDateTime(m.createdAt, ctx.lang)}
                      </time>
                      {m.readAt ? '' : <span> · {ctx.t('page.account.unread')}</span>}
                    </p>
                    <p safe>{m.body}</p>
                  </li>
                ))}
              </ul>
            ) : (
              <EmptyState>{ctx.t('page.account.noMessages')}</EmptyState>
            )}
            <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
          </>
        </AccountFrame>
      ),
    }));
  });
}
