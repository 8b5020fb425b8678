import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, Strict, actorOf, fieldError, invalid, notFound } from '../http/index.ts';
import type { Platform } from '../module.ts';
import { inTransaction } from '../db/work.ts';
import * as iam from '../iam/index.ts';
import { coversUnit, hasPermission, type Principal } from '../iam/principal.ts';
import { ROLES, isRole } from '../iam/roles.ts';
import * as org from '../org/service.ts';
import {
  attempt,
  attr,
  Csrf,
  DataTable,
  EmptyState,
  ErrorSummary,
  FormBody,
  formList,
  formRaw,
  formText,
  PageQueryFields,
  Pagination,
  PostButton,
  redirect,
  SelectField,
  setFlash,
  TextField,
  type FieldMessages,
} from '../views/index.ts';
import { describeRoles, RoleList } from './account.tsx';
import { renderConsole } from './shell.tsx';

const UsersQuery = Strict({
  unit: Type.Optional(Id),
  unitQ: Type.Optional(Type.String({ maxLength: 100 })),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  ...PageQueryFields,
});
const IdParams = Strict({ id: Id });
const RolesQuery = Strict({ ...PageQueryFields });

interface FormState {
  values?: Record<string, string>;
  summary?: string;
  fields?: FieldMessages;
  status?: number;
}

/** The unit whose accounts are shown: the one asked for, else the caller's own. Outside user.read scope: 404. */
async function chosenUnit(platform: Platform, principal: Principal, unitId: string | undefined) {
  const id = unitId ?? principal.unitId;
  if (!id) return null;
  const unit = await org.getUnit(platform.db, id);
  if (!unit || !coversUnit(principal, 'user.read', unit)) {
    if (unitId) throw notFound();
    return null;
  }
  return unit;
}

async function renderUsers(platform: Platform, request: FastifyRequest<{ Querystring: Static<typeof UsersQuery> }>, reply: FastifyReply, unitId: string | undefined, state: FormState = {}) {
  const principal = request.principal!;
  const unit = await chosenUnit(platform, principal, unitId);
  const q = request.query.q?.trim() || undefined;
  const unitQ = request.query.unitQ?.trim() || undefined;
  const page = unit ? await iam.listUsers(platform, principal, { unitId: unit.id, q, cursor: request.query.cursor, limit: 20 }) : { items: [], nextCursor: null };
  const unitMatches = unitQ ? (await org.listUnits(platform.db, { q: unitQ, limit: 50 })).items.filter((u) => coversUnit(principal, 'user.read', u)).slice(0, 15) : [];
  const roleNames = new Map<string, Awaited<ReturnType<typeof describeRoles>>>();
  for (const user of page.items) roleNames.set(user.id, await describeRoles(platform, user.roles));
  const mayWrite = !!unit && coversUnit(principal, 'user.write', unit);
  const mayAssign = hasPermission(principal, 'role.assign');

  return renderConsole(platform, request, reply, (ctx) => {
    const labels = {
      username: ctx.ta('page.users.username'),
      displayName: ctx.ta('page.users.displayName'),
      password: ctx.ta('page.users.password'),
      phone: ctx.ta('page.users.phone'),
      email: ctx.ta('page.users.email'),
    };
    const values = state.values ?? {};
    return {
      title: ctx.t('console.nav.users'),
      lead: unit ? ctx.t('page.users.leadUnit', { unit: unit.name }) : ctx.t('page.users.leadNoUnit'),
      crumbs: [{ label: ctx.t('console.nav.users') }],
      status: state.status,
      body: (
        <>
          <details class={['panel', 'picker']} open={!unit || !!unitQ}>
            <summary>{unit ? ctx.t('page.users.switchUnit') : ctx.t('page.users.pickUnit')}</summary>
            <form method="get" action="/console/users" class="search-bar" role="search" aria-label={ctx.ta('page.users.pickUnit')}>
              <div class="field">
                <label for="users-unitq">{ctx.t('page.users.unitQ')}</label>
                <input class="input" id="users-unitq" name="unitQ" type="search" value={attr(unitQ)} maxlength="100" />
              </div>
              <button type="submit" class="button button-secondary">
                {ctx.t('page.units.searchButton')}
              </button>
            </form>
            {unitQ ? (
              unitMatches.length ? (
                <ul class="region-path unit-matches">
                  {unitMatches.map((u) => (
                    <li>
                      <a href={`/console/users?unit=${encodeURIComponent(u.id)}`} aria-current={u.id === unit?.id ? 'true' : undefined} safe>
                        {u.name}
                      </a>
                    </li>
                  ))}
                </ul>
              ) : (
                <p class="muted">{ctx.t('page.units.none')}</p>
              )
            ) : (
              ''
            )}
          </details>

          {unit ? (
            <>
              <form method="get" action="/console/users" class="search-bar" role="search" aria-label={ctx.ta('page.users.search')}>
                <input type="hidden" name="unit" value={attr(unit.id)} />
                <div class="field">
                  <label for="users-q">{ctx.t('page.users.q')}</label>
                  <input class="input" id="users-q" name="q" type="search" value={attr(q)} maxlength="100" />
                </div>
                <button type="submit" class="button">
                  {ctx.t('page.units.searchButton')}
                </button>
              </form>
              {page.items.length ? (
                <>
                  <DataTable id="users" caption={ctx.t('page.users.caption', { unit: unit.name })} head={[ctx.t('page.users.username'), ctx.t('page.users.displayName'), ctx.t('page.users.status'), ctx.t('page.profile.roles'), ctx.t('ui.actions')]}>
                    {page.items.map((u) => (
                      <tr>
                        <td class="mono" safe>
                          {u.username}
                        </td>
                        <td id={`user-${attr(u.id)}`} safe>
                          {u.displayName}
                        </td>
                        <td>
                          {u.disabled ? <span class="tag tag-off">{ctx.t('page.users.disabled')}</span> : <span class="tag tag-ok">{ctx.t('page.users.active')}</span>}
                          {u.mustChangePassword ? (
                            <>
                              {' '}
                              <span class="tag">{ctx.t('page.users.mustChange')}</span>
                            </>
                          ) : (
                            ''
                          )}
                        </td>
                        <td>
                          <RoleList ctx={ctx} roles={roleNames.get(u.id) ?? []} />
                        </td>
                        <td class="cell-actions">
                          {mayAssign ? (
                            <a href={`/console/users/${encodeURIComponent(u.id)}/roles`} aria-describedby={`user-${attr(u.id)}`}>
                              {ctx.t('page.users.editRoles')}
                            </a>
                          ) : (
                            ''
                          )}
                          {mayWrite && u.id !== principal.userId ? (
                            <PostButton
                              ctx={ctx}
                              action={`/console/users/${encodeURIComponent(u.id)}/${u.disabled ? 'enable' : 'disable'}`}
                              label={u.disabled ? ctx.ta('page.users.enable') : ctx.ta('page.users.disable')}
                              variant={u.disabled ? 'secondary' : 'danger'}
                              describedBy={`user-${u.id}`}
                            />
                          ) : (
                            ''
                          )}
                        </td>
                      </tr>
                    ))}
                  </DataTable>
                  <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
                </>
              ) : (
                <EmptyState>{ctx.t('page.users.none')}</EmptyState>
              )}
              {mayWrite ? (
                <section class="panel" aria-labelledby="add-user-title">
                  <h2 id="add-user-title">{ctx.t('page.users.add', { unit: unit.name })}</h2>
                  <p class="muted">{ctx.t('page.users.addNote')}</p>
                  <ErrorSummary ctx={ctx} form="user" summary={state.summary} fields={state.fields} labels={labels} />
                  <form method="post" action="/console/users" class="form form-wide" novalidate>
                    <Csrf ctx={ctx} />
                    <input type="hidden" name="unitId" value={attr(unit.id)} />
                    <div class="form-row">
                      <TextField ctx={ctx} form="user" name="username" label={labels.username} hint={ctx.ta('page.users.usernameHint')} value={values.username} error={state.fields?.username} autocomplete="off" maxlength={64} required />
                      <TextField ctx={ctx} form="user" name="displayName" label={labels.displayName} value={values.displayName} error={state.fields?.displayName} autocomplete="off" maxlength={100} required />
                    </div>
                    <TextField ctx={ctx} form="user" name="password" type="password" label={labels.password} hint={ctx.ta('page.profile.passwordRule')} error={state.fields?.password} autocomplete="new-password" maxlength={256} required />
                    <div class="form-row">
                      <TextField ctx={ctx} form="user" name="phone" type="tel" label={labels.phone} value={values.phone} error={state.fields?.phone} autocomplete="off" maxlength={20} />
                      <TextField ctx={ctx} form="user" name="email" type="email" label={labels.email} value={values.email} error={state.fields?.email} autocomplete="off" maxlength={200} />
                    </div>
                    <button type="submit" class="button">
                      {ctx.t('page.users.addButton')}
                    </button>
                  </form>
                </section>
              ) : (
                ''
              )}
            </>
          ) : (
            <EmptyState>{ctx.t('page.users.chooseUnit')}</EmptyState>
          )}
        </>
      ),
    };
  });
}

/** A kept assignment travels in the form as "role|unit:<id>" or "role|region:<code>". */
function encodeAssignment(a: { role: string; scope: { unitId: string } | { regionCode: string } }) {
  return 'unitId' in a.scope ? `${a.role}|unit:${a.scope.unitId}` : `${a.role}|region:${a.scope.regionCode}`;
}

function decodeAssignment(value: string): iam.RoleInput | null {
  const match = /^([a-z_]{1,40})\|(unit|region):([^|]{1,64})$/.exec(value);
  if (!match) return null;
  return { role: match[1], scope: match[2] === 'unit' ? { unitId: match[3] } : { regionCode: match[3] } };
}

async function renderRoles(platform: Platform, request: FastifyRequest, reply: FastifyReply, userId: string, state: FormState & { kept?: string[] } = {}) {
  const principal = request.principal!;
  const { user, roles } = await iam.getVisibleUser(platform, principal, userId);
  const described = await describeRoles(platform, roles);
  const unit = user.unit_id ? await org.getUnit(platform.db, user.unit_id) : null;
  return renderConsole(platform, request, reply, (ctx) => {
    const values = state.values ?? {};
    const kept = state.kept ?? roles.map(encodeAssignment);
    return {
      title: ctx.t('page.roles.title', { name: user.display_name }),
      lead: ctx.t('page.roles.lead'),
      crumbs: [{ href: unit ? `/console/users?unit=${encodeURIComponent(unit.id)}` : '/console/users', label: ctx.t('console.nav.users') }, { label: Html.escapeHtml(user.display_name) }],
      status: state.status,
      body: (
        <section class="panel" aria-labelledby="roles-form-title">
          <h2 id="roles-form-title">{ctx.t('page.roles.formTitle')}</h2>
          <dl class="stat-list">
            <dt>{ctx.t('page.users.username')}</dt>
            <dd class="mono" safe>
              {user.username}
            </dd>
            <dt>{ctx.t('page.profile.unit')}</dt>
            <dd safe>{unit?.name ?? '—'}</dd>
          </dl>
          <ErrorSummary ctx={ctx} form="roles" summary={state.summary} fields={state.fields} labels={{ newRole: ctx.ta('page.roles.newRole'), newScope: ctx.ta('page.roles.newScope') }} />
          <form method="post" action={`/console/users/${encodeURIComponent(user.id)}/roles`} class="form" novalidate>
            <Csrf ctx={ctx} />
            <fieldset>
              <legend class="fieldset-legend">{ctx.t('page.roles.current')}</legend>
              {roles.length ? (
                roles.map((r, i) => (
                  <div class="checkbox">
                    <input type="checkbox" id={`keep-${i}`} name="keep" value={attr(encodeAssignment(r))} checked={kept.includes(encodeAssignment(r))} />
                    <label for={`keep-${i}`}>
                      {ctx.t(`console.role.${r.role}`)} <span class="muted">{ctx.t(described[i].scopeKind === 'unit' ? 'console.roles.scopeUnit' : 'console.roles.scopeRegion', { name: described[i].scope })}</span>
                    </label>
                  </div>
                ))
              ) : (
                <p class="muted">{ctx.t('console.roles.none')}</p>
              )}
              {roles.length ? <p class="field-hint">{ctx.t('page.roles.uncheckHint')}</p> : ''}
            </fieldset>
            <fieldset>
              <legend class="fieldset-legend">{ctx.t('page.roles.add')}</legend>
              <div class="form-row">
                <SelectField ctx={ctx} form="roles" name="newRole" label={ctx.ta('page.roles.newRole')} value={values.newRole} error={state.fields?.newRole} placeholder={ctx.ta('page.roles.noNewRole')} options={ROLES.map((r) => ({ value: r, label: ctx.ta(`console.role.${r}`) }))} />
                <TextField ctx={ctx} form="roles" name="newScope" label={ctx.ta('page.roles.newScope')} hint={ctx.ta('page.roles.newScopeHint')} value={values.newScope} error={state.fields?.newScope} inputmode="numeric" maxlength={12} size="short" />
              </div>
            </fieldset>
            <p class="field-hint">{ctx.t('page.roles.threeAdmins')}</p>
            <div class="actions">
              <button type="submit" class="button">
                {ctx.t('page.roles.save')}
              </button>
              <a href={unit ? `/console/users?unit=${encodeURIComponent(unit.id)}` : '/console/users'}>{ctx.t('ui.cancel')}</a>
            </div>
          </form>
        </section>
      ),
    };
  });
}

export async function userPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof UsersQuery> }>('/console/users', { schema: { querystring: UsersQuery }, config: { auth: 'user.read' } }, async (request, reply) =>
    renderUsers(platform, request, reply, request.query.unit),
  );

  app.post<{ Body: Static<typeof FormBody>; Querystring: Static<typeof UsersQuery> }>('/console/users', { schema: { body: FormBody, querystring: UsersQuery }, config: { auth: 'user.write' } }, async (request, reply) => {
    const principal = request.principal!;
    const unitId = formText(request.body, 'unitId');
    const unit = unitId ? await org.getUnit(platform.db, unitId) : null;
    if (!unit || !coversUnit(principal, 'user.read', unit)) throw notFound();
    const values = {
      username: formText(request.body, 'username'),
      displayName: formText(request.body, 'displayName'),
      phone: formText(request.body, 'phone'),
      email: formText(request.body, 'email'),
    };
    const password = formRaw(request.body, 'password');
    const result = await attempt(request.lang, async () => {
      const errors = [];
      if (!password) errors.push(fieldError('password', 'page.users.passwordRequired'));
      if (values.displayName.length > 100) errors.push(fieldError('displayName', 'console.tooLong', { max: 100 }));
      if (values.username.length > 64) errors.push(fieldError('username', 'iam.usernameInvalid'));
      if (errors.length) throw invalid(errors);
      return inTransaction(platform.db, actorOf(request), (work) =>
        iam.createStaffUser(work, platform, principal, {
          username: values.username,
          displayName: values.displayName,
          password,
          unitId: unit.id,
          ...(values.phone ? { phone: values.phone } : {}),
          ...(values.email ? { email: values.email } : {}),
        }),
      );
    });
    if (!result.ok) return renderUsers(platform, request, reply, unit.id, { values, summary: result.summary, fields: result.fields, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'flash.userCreated', params: { username: result.value.username } });
    return redirect(reply, `/console/users?unit=${encodeURIComponent(unit.id)}`);
  });

  for (const action of ['disable', 'enable'] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>(
      `/console/users/:id/${action}`,
      { schema: { params: IdParams, body: FormBody }, config: { auth: 'user.write' } },
      async (request, reply) => {
        const principal = request.principal!;
        const { user } = await iam.getVisibleUser(platform, principal, request.params.id);
        await inTransaction(platform.db, actorOf(request), (work) => iam.setUserDisabled(work, platform, principal, user.id, action === 'disable'));
        setFlash(reply, { kind: 'success', key: action === 'disable' ? 'flash.userDisabled' : 'flash.userEnabled', params: { username: user.username } });
        return redirect(reply, user.unit_id ? `/console/users?unit=${encodeURIComponent(user.unit_id)}` : '/console/users');
      },
    );
  }

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof RolesQuery> }>(
    '/console/users/:id/roles',
    { schema: { params: IdParams, querystring: RolesQuery }, config: { auth: 'role.assign' } },
    async (request, reply) => renderRoles(platform, request, reply, request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>(
    '/console/users/:id/roles',
    { schema: { params: IdParams, body: FormBody }, config: { auth: 'role.assign' } },
    async (request, reply) => {
      const principal = request.principal!;
      const { user } = await iam.getVisibleUser(platform, principal, request.params.id);
      const kept = formList(request.body, 'keep');
      const values = { newRole: formText(request.body, 'newRole'), newScope: formText(request.body, 'newScope') };
      const result = await attempt(request.lang, async () => {
        const errors = [];
        const input: iam.RoleInput[] = [];
        for (const value of kept) {
          const decoded = decodeAssignment(value);
          if (decoded) input.push(decoded);
        }
        if (values.newRole) {
          if (!isRole(values.newRole)) errors.push(fieldError('newRole', 'iam.roleUnknown', { role: values.newRole }));
          if (values.newScope && !/^\d{6}(\d{3}){0,2}$/.test(values.newScope)) errors.push(fieldError('newScope', 'page.roles.scopeInvalid'));
          input.push({ role: values.newRole, ...(values.newScope ? { scope: { regionCode: values.newScope } } : {}) });
        } else if (values.newScope) {
          errors.push(fieldError('newRole', 'page.roles.roleForScope'));
        }
        if (errors.length) throw invalid(errors);
        return inTransaction(platform.db, actorOf(request), (work) => iam.setUserRoles(work, platform, principal, user.id, input));
      });
      if (!result.ok) {
        // The service names entries by position (roles.3.scope...): they are shown in the summary.
        return renderRoles(platform, request, reply, user.id, { values, kept, summary: result.summary, fields: result.fields, status: result.error.status });
      }
      setFlash(reply, { kind: 'success', key: 'flash.rolesSaved', params: { name: user.display_name } });
      return redirect(reply, user.unit_id ? `/console/users?unit=${encodeURIComponent(user.unit_id)}` : '/console/users');
    },
  );
}

