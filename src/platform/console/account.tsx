import Html from '@kitajs/html';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import QRCode from 'qrcode';
import { Id, Strict, actorOf } from '../http/index.ts';
import type { Platform } from '../module.ts';
import { translate } from '../i18n/index.ts';
import { inTransaction } from '../db/work.ts';
import * as iam from '../iam/index.ts';
import { hasPermission, type Principal, type RoleAssignment } from '../iam/principal.ts';
import { getRegion, getUnits } from '../org/service.ts';
import { getDay, workingDays } from '../calendar/index.ts';
import {
  attr,
  consoleNav,
  Csrf,
  DataTable,
  ErrorSummary,
  FormBody,
  formatDateTime,
  formRaw,
  formText,
  Notice,
  PageQueryFields,
  PostButton,
  redirect,
  setFlash,
  attempt,
  TextField,
  type FieldMessages,
  type ViewContext,
} from '../views/index.ts';
import { renderConsole } from './shell.tsx';

const PageQuery = Strict({ ...PageQueryFields });
const IdParams = Strict({ id: Id });

/** Role assignments with the names of their units and regions, for display. */
export async function describeRoles(platform: Platform, roles: RoleAssignment[]) {
  const unitIds = [...new Set(roles.flatMap((r) => ('unitId' in r.scope ? [r.scope.unitId] : [])))];
  const units = new Map((await getUnits(platform.db, unitIds)).map((u) => [u.id, u.name]));
  const regions = new Map<string, string>();
  for (const r of roles) {
    if ('regionCode' in r.scope && !regions.has(r.scope.regionCode)) regions.set(r.scope.regionCode, (await getRegion(platform.db, r.scope.regionCode))?.name ?? r.scope.regionCode);
  }
  return roles.map((r) => ({
    role: r.role,
    scope: 'unitId' in r.scope ? (units.get(r.scope.unitId) ?? r.scope.unitId) : (regions.get(r.scope.regionCode) ?? r.scope.regionCode),
    scopeKind: 'unitId' in r.scope ? ('unit' as const) : ('region' as const),
  }));
}

export type DescribedRole = Awaited<ReturnType<typeof describeRoles>>[number];

export function RoleList({ ctx, roles }: { ctx: ViewContext; roles: DescribedRole[] }) {
  if (roles.length === 0) return <span class="muted">{ctx.t('console.roles.none')}</span>;
  return (
    <ul class="role-list">
      {roles.map((r) => (
        <li>
          <span class="tag">{ctx.t(`console.role.${r.role}`)}</span> <span class="muted">{ctx.t(r.scopeKind === 'unit' ? 'console.roles.scopeUnit' : 'console.roles.scopeRegion', { name: r.scope })}</span>
        </li>
      ))}
    </ul>
  );
}

function RestrictionNotices({ ctx, principal }: { ctx: ViewContext; principal: Principal }) {
  return (
    <>
      {principal.mustChangePassword ? (
        <Notice kind="warning" title={ctx.t('console.restricted.passwordTitle')}>
          <p>
            {ctx.t('console.restricted.passwordText')} <a href="/console/profile#password">{ctx.t('console.restricted.passwordLink')}</a>
          </p>
        </Notice>
      ) : (
        ''
      )}
      {principal.totpEnrollmentRequired ? (
        <Notice kind="warning" title={ctx.t('console.restricted.totpTitle')}>
          <p>
            {ctx.t('console.restricted.totpText')} <a href="/console/profile#totp">{ctx.t('console.restricted.totpLink')}</a>
          </p>
        </Notice>
      ) : (
        ''
      )}
    </>
  );
}

interface ProfileState {
  password?: { summary?: string; fields?: FieldMessages };
  enrolment?: { secret: string; uri: string; qr: string };
  totp?: { summary?: string; fields?: FieldMessages };
  status?: number;
}

async function renderProfile(platform: Platform, request: FastifyRequest, reply: Parameters<typeof renderConsole>[2], state: ProfileState = {}) {
  const principal = request.principal!;
  const { user, roles } = await iam.getVisibleUser(platform, principal, principal.userId);
  const view = iam.toUserView(platform, user, roles);
  const described = await describeRoles(platform, roles);
  const unitName = user.unit_id ? (await getUnits(platform.db, [user.unit_id]))[0]?.name : null;
  return renderConsole(platform, request, reply, (ctx) => {
    const pwLabels = { currentPassword: ctx.ta('page.profile.currentPassword'), newPassword: ctx.ta('page.profile.newPassword'), confirmPassword: ctx.ta('page.profile.confirmPassword') };
    return {
      title: ctx.t('console.nav.profile'),
      crumbs: [{ label: ctx.t('console.nav.profile') }],
      status: state.status,
      body: (
        <>
          <RestrictionNotices ctx={ctx} principal={principal} />
          <div class="panel-grid">
            <section class="panel" aria-labelledby="details-title">
              <h2 id="details-title">{ctx.t('page.profile.details')}</h2>
              <dl class="stat-list">
                <dt>{ctx.t('page.profile.displayName')}</dt>
                <dd safe>{view.displayName}</dd>
                <dt>{ctx.t('page.profile.username')}</dt>
                <dd class="mono" safe>
                  {view.username}
                </dd>
                <dt>{ctx.t('page.profile.unit')}</dt>
                <dd safe>{unitName ?? '—'}</dd>
                <dt>{ctx.t('page.profile.phone')}</dt>
                <dd safe>{view.phone ?? '—'}</dd>
                <dt>{ctx.t('page.profile.email')}</dt>
                <dd safe>{view.email ?? '—'}</dd>
                <dt>{ctx.t('page.profile.roles')}</dt>
                <dd>
                  <RoleList ctx={ctx} roles={described} />
                </dd>
                <dt>{ctx.t('page.profile.totp')}</dt>
                <dd>{view.totpEnabled ? <span class="tag tag-ok">{ctx.t('page.profile.totpOn')}</span> : <span class="tag">{ctx.t('page.profile.totpOff')}</span>}</dd>
              </dl>
            </section>

            <section class="panel" id="password" aria-labelledby="password-title">
              <h2 id="password-title">{ctx.t('page.profile.changePassword')}</h2>
              {principal.mustChangePassword ? <p>{ctx.t('page.profile.mustChange')}</p> : ''}
              <ErrorSummary ctx={ctx} form="password" summary={state.password?.summary} fields={state.password?.fields} labels={pwLabels} />
              <form method="post" action="/console/profile/password" class="form" novalidate>
                <Csrf ctx={ctx} />
                <TextField ctx={ctx} form="password" name="currentPassword" type="password" label={pwLabels.currentPassword} error={state.password?.fields?.currentPassword} autocomplete="current-password" maxlength={256} required />
                <TextField
                  ctx={ctx}
                  form="password"
                  name="newPassword"
                  type="password"
                  label={pwLabels.newPassword}
                  hint={ctx.ta('page.profile.passwordRule')}
                  error={state.password?.fields?.newPassword}
                  autocomplete="new-password"
                  maxlength={256}
                  required
                />
                <TextField ctx={ctx} form="password" name="confirmPassword" type="password" label={pwLabels.confirmPassword} error={state.password?.fields?.confirmPassword} autocomplete="new-password" maxlength={256} required />
                <button type="submit" class="button">
                  {ctx.t('page.profile.savePassword')}
                </button>
              </form>
            </section>
          </div>

          <section class="panel" id="totp" aria-labelledby="totp-title">
            <h2 id="totp-title">{ctx.t('page.profile.totpTitle')}</h2>
            {view.totpEnabled ? (
              <p>{ctx.t('page.profile.totpEnabledText')}</p>
            ) : state.enrolment ? (
              <TotpEnrolment ctx={ctx} enrolment={state.enrolment} state={state.totp} />
            ) : (
              <>
                <p>{principal.totpEnrollmentRequired ? ctx.t('page.profile.totpRequiredText') : ctx.t('page.profile.totpOptionalText')}</p>
                <ErrorSummary ctx={ctx} form="totp" summary={state.totp?.summary} fields={state.totp?.fields} />
                <form method="post" action="/console/profile/totp">
                  <Csrf ctx={ctx} />
                  <button type="submit" class="button">
                    {ctx.t('page.profile.totpBegin')}
                  </button>
                </form>
              </>
            )}
          </section>
        </>
      ),
    };
  });
}

function TotpEnrolment({ ctx, enrolment, state }: { ctx: ViewContext; enrolment: { secret: string; uri: string; qr: string }; state?: { summary?: string; fields?: FieldMessages } }) {
  const codeLabel = ctx.ta('page.profile.totpCode');
  return (
    <div class="totp-setup">
      <img class="qr" src={attr(enrolment.qr)} alt={ctx.ta('page.profile.totpQrAlt')} width="192" height="192" />
      <div>
        <ol>
          <li>{ctx.t('page.profile.totpStep1')}</li>
          <li>
            {ctx.t('page.profile.totpStep2')}
            <br />
            <span class="secret" id="totp-secret" safe>
              {enrolment.secret}
            </span>
          </li>
          <li>{ctx.t('page.profile.totpStep3')}</li>
        </ol>
        <details>
          <summary>{ctx.t('page.profile.totpUri')}</summary>
          <p class="uri mono" id="totp-uri" safe>
            {enrolment.uri}
          </p>
        </details>
        <ErrorSummary ctx={ctx} form="totp" summary={state?.summary} fields={state?.fields} labels={{ code: codeLabel }} />
        <form method="post" action="/console/profile/totp/confirm" class="form" novalidate>
          <Csrf ctx={ctx} />
          <input type="hidden" name="secret" value={attr(enrolment.secret)} />
          <TextField ctx={ctx} form="totp" name="code" label={codeLabel} error={state?.fields?.code} autocomplete="one-time-code" inputmode="numeric" maxlength={6} required size="short" />
          <div class="actions">
            <button type="submit" class="button">
              {ctx.t('page.profile.totpConfirm')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

async function enrolmentView(secret: string, username: string, givenUri?: string) {
  const uri = givenUri ?? `otpauth://totp/Zhengtong:${encodeURIComponent(username)}?issuer=Zhengtong&secret=${secret}&algorithm=SHA1&digits=6&period=30`;
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  return { secret, uri, qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}

/** The numbers the installed modules declare for the console home that the account may see (待办, cards …). */
async function dashboardCounters(platform: Platform, principal: Principal) {
  const visible = principal.kind === 'staff' ? platform.modules.dashboard.filter((counter) => hasPermission(principal, counter.permission)) : [];
  return Promise.all(visible.map(async (counter) => ({ key: counter.key, href: counter.href, count: await counter.count(platform, principal) })));
}

export async function accountPages(app: FastifyInstance, platform: Platform) {
  const restricted = { allowRestricted: true } as const;

  app.get('/console', { schema: { querystring: PageQuery }, config: { auth: 'user', ...restricted } }, async (request, reply) => {
    const principal = request.principal!;
    const described = await describeRoles(platform, principal.roles);
    const today = await getDay(platform.db, workingDays.shanghaiDate(platform.clock.now()));
    const counters = await dashboardCounters(platform, principal);
    return renderConsole(platform, request, reply, (ctx) => {
      const links = consoleNav(ctx)
        .flatMap((g) => g.items)
        .filter((i) => i.href !== '/console');
      return {
        title: ctx.t('console.overview.title'),
        lead: ctx.t('console.overview.lead', { name: principal.displayName }),
        body: (
          <>
            <RestrictionNotices ctx={ctx} principal={principal} />
            <div class="panel-grid">
              <section class="panel" aria-labelledby="today-title">
                <h2 id="today-title">{ctx.t('console.today.title')}</h2>
                <p>
                  {ctx.t(today.working ? 'console.today.working' : 'console.today.rest', { date: today.date, weekday: ctx.ta(`page.calendar.weekday.${workingDays.weekdayOf(today.date)}`) })}
                  {today.name ? (
                    <>
                      {' '}
                      <span class={`tag tag-${today.kind}`} safe>
                        {today.name}
                      </span>
                    </>
                  ) : (
                    ''
                  )}
                </p>
                <h3>{ctx.t('console.today.tasks')}</h3>
                {counters.length ? (
                  <ul class="counters" id="dashboard-counters">
                    {counters.map((counter) => (
                      <li>
                        <a href={counter.href}>
                          <span class="counter-number">{counter.count}</span> {ctx.t(counter.key)}
                        </a>
                      </li>
                    ))}
                  </ul>
                ) : (
                  ''
                )}
                {counters.every((counter) => counter.count === 0) ? <p class="muted">{ctx.t('console.today.noTasks')}</p> : ''}
              </section>
              <section class="panel" aria-labelledby="quick-title">
                <h2 id="quick-title">{ctx.t('console.overview.quick')}</h2>
                <ul class="quick-links">
                  {links.map((item) => (
                    <li>
                      <a href={item.href}>
                        <span class="quick-title">{ctx.t(item.key)}</span>
                        <span class="quick-desc">{ctx.t(`${item.key}.desc`)}</span>
                      </a>
                    </li>
                  ))}
                </ul>
              </section>
              <section class="panel" aria-labelledby="me-title">
                <h2 id="me-title">{ctx.t('console.overview.account')}</h2>
                <dl class="stat-list">
                  <dt>{ctx.t('page.profile.displayName')}</dt>
                  <dd safe>{principal.displayName}</dd>
                  <dt>{ctx.t('page.profile.username')}</dt>
                  <dd class="mono" safe>
                    {principal.username}
                  </dd>
                  <dt>{ctx.t('page.profile.roles')}</dt>
                  <dd>
                    <RoleList ctx={ctx} roles={described} />
                  </dd>
                </dl>
              </section>
            </div>
          </>
        ),
      };
    });
  });

  app.get('/console/profile', { schema: { querystring: PageQuery }, config: { auth: 'user', ...restricted } }, async (request, reply) => renderProfile(platform, request, reply));

  app.post<{ Body: Static<typeof FormBody> }>('/console/profile/password', { schema: { body: FormBody }, config: { auth: 'user', ...restricted } }, async (request, reply) => {
    const principal = request.principal!;
    const lang = request.lang;
    const current = formRaw(request.body, 'currentPassword');
    const next = formRaw(request.body, 'newPassword');
    const confirm = formRaw(request.body, 'confirmPassword');
    const fields: FieldMessages = {};
    if (!current) fields.currentPassword = translate(lang, 'page.profile.currentRequired');
    if (!next) fields.newPassword = translate(lang, 'page.profile.newRequired');
    else if (next !== confirm) fields.confirmPassword = translate(lang, 'page.profile.confirmMismatch');
    if (Object.keys(fields).length) return renderProfile(platform, request, reply, { password: { fields }, status: 400 });
    const result = await attempt(lang, () => iam.changePassword(platform, principal, current, next, actorOf(request)));
    if (!result.ok) return renderProfile(platform, request, reply, { password: { summary: result.summary, fields: result.fields }, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'flash.passwordChanged' });
    return redirect(reply, principal.totpEnrollmentRequired ? '/console/profile#totp' : '/console');
  });

  app.post<{ Body: Static<typeof FormBody> }>('/console/profile/totp', { schema: { body: FormBody }, config: { auth: 'user', ...restricted } }, async (request, reply) => {
    const principal = request.principal!;
    const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => iam.beginTotpEnrollment(work, platform, principal)));
    if (!result.ok) return renderProfile(platform, request, reply, { totp: { summary: result.summary }, status: result.error.status });
    return renderProfile(platform, request, reply, { enrolment: await enrolmentView(result.value.secret, principal.username, result.value.uri) });
  });

  app.post<{ Body: Static<typeof FormBody> }>('/console/profile/totp/confirm', { schema: { body: FormBody }, config: { auth: 'user', ...restricted } }, async (request, reply) => {
    const principal = request.principal!;
    const lang = request.lang;
    const code = formText(request.body, 'code');
    // The secret travels back only to be shown again if the code was wrong; the server
    // confirms against the secret it stored, never against this field.
    const shownSecret = formText(request.body, 'secret').toUpperCase();
    const enrolment = /^[A-Z2-7]{16,64}$/.test(shownSecret) ? await enrolmentView(shownSecret, principal.username) : undefined;
    if (!/^\d{6}$/.test(code)) return renderProfile(platform, request, reply, { enrolment, totp: { fields: { code: translate(lang, 'page.login.totpFormat') } }, status: 400 });
    const result = await attempt(lang, () => inTransaction(platform.db, actorOf(request), (work) => iam.confirmTotpEnrollment(work, platform, principal, code)));
    if (!result.ok) {
      const fields = { code: result.summary };
      return renderProfile(platform, request, reply, { enrolment, totp: { fields }, status: result.error.status });
    }
    setFlash(reply, { kind: 'success', key: 'flash.totpEnabled' });
    return redirect(reply, principal.mustChangePassword ? '/console/profile#password' : '/console');
  });

  app.get('/console/sessions', { schema: { querystring: PageQuery }, config: { auth: 'user', ...restricted } }, async (request, reply) => {
    const sessions = await iam.listSessions(platform, request.principal!);
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('console.nav.sessions'),
      lead: ctx.t('page.sessions.lead'),
      crumbs: [{ label: ctx.t('console.nav.sessions') }],
      body: (
        <DataTable id="sessions" caption={ctx.t('page.sessions.caption', { count: sessions.length })} head={[ctx.t('page.sessions.started'), ctx.t('page.sessions.lastSeen'), ctx.t('page.sessions.ip'), ctx.t('page.sessions.agent'), ctx.t('ui.actions')]}>
          {sessions.map((s) => (
            <tr>
              <td>
                {Html.escapeHtml(formatDateTime(s.createdAt, ctx.lang))}
                {s.current ? (
                  <>
                    {' '}
                    <span class="tag tag-ok">{ctx.t('page.sessions.current')}</span>
                  </>
                ) : (
                  ''
                )}
              </td>
              <td>{Html.escapeHtml(formatDateTime(s.lastSeenAt, ctx.lang))}</td>
              <td class="mono" safe>
                {s.ip ?? '—'}
              </td>
              <td safe>{summariseAgent(s.userAgent)}</td>
              <td class="cell-actions">
                {s.current ? (
                  <span class="muted">{ctx.t('page.sessions.thisOne')}</span>
                ) : (
                  <PostButton ctx={ctx} action={`/console/sessions/${encodeURIComponent(s.id)}/end`} label={ctx.ta('page.sessions.end')} variant="danger" />
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      ),
    }));
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>(
    '/console/sessions/:id/end',
    { schema: { params: IdParams, body: FormBody }, config: { auth: 'user', ...restricted } },
    async (request, reply) => {
      await inTransaction(platform.db, actorOf(request), (work) => iam.endSession(work, platform, request.principal!, request.params.id));
      setFlash(reply, { kind: 'success', key: 'flash.sessionEnded' });
      return redirect(reply, '/console/sessions');
    },
  );
}

/** Browser and system in a few words, from the User-Agent header. */
function summariseAgent(agent: string | null): string {
  if (!agent) return '—';
  const browser = /Edg\/[\d.]+/.exec(agent)?.[0] ?? /(Chrome|Chromium|Firefox|Safari)\/[\d.]+/.exec(agent)?.[0] ?? agent.slice(0, 40);
  const system = /Windows|Mac OS X|Android|iPhone|Linux/.exec(agent)?.[0];
  return system ? `${browser} · ${system}` : browser;
}

