import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, Id, ListQuery, actorOf } from '../http/index.ts';
import type { Platform } from '../module.ts';
import { SESSION_COOKIE } from './auth-hook.ts';
import { inTransaction } from '../db/work.ts';
import * as iam from './index.ts';
import { ROLES, TOTP_REQUIRED_ROLES } from './roles.ts';
import type { Principal } from './principal.ts';

const Username = Type.String({ minLength: 1, maxLength: 64 });
const Password = Type.String({ minLength: 1, maxLength: 256 });

const LoginBody = Strict({ username: Username, password: Password, totp: Type.Optional(Type.String({ pattern: '^\\d{6}$' })) });
const RegisterBody = Strict({
  username: Username,
  displayName: Type.String({ minLength: 1, maxLength: 100 }),
  password: Password,
  kind: Type.Union([Type.Literal('person'), Type.Literal('enterprise')]),
  phone: Type.Optional(Type.String({ maxLength: 20 })),
  email: Type.Optional(Type.String({ maxLength: 200 })),
});
const TokenBody = Strict({ name: Type.String({ minLength: 1, maxLength: 100 }), expiresInDays: Type.Integer({ minimum: 1, maximum: 366 }) });
const NewUserBody = Strict({
  username: Username,
  displayName: Type.String({ minLength: 1, maxLength: 100 }),
  password: Password,
  unitId: Id,
  phone: Type.Optional(Type.String({ maxLength: 20 })),
  email: Type.Optional(Type.String({ maxLength: 200 })),
});
const PatchUserBody = Strict({
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  phone: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
  email: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  unitId: Type.Optional(Id),
  version: Type.Optional(Type.Integer({ minimum: 1 })),
});
const Scope = Strict({ unitId: Type.Optional(Id), regionCode: Type.Optional(Type.String({ pattern: '^\\d{6}(\\d{3}){0,2}$' })) });
const RolesBody = Strict({ roles: Type.Array(Strict({ role: Type.String({ minLength: 1, maxLength: 40 }), scope: Type.Optional(Scope) }), { maxItems: 50 }) });
const PasswordBody = Strict({ currentPassword: Password, newPassword: Password });
const ResetBody = Strict({ password: Password });
const TotpConfirmBody = Strict({ code: Type.String({ pattern: '^\\d{6}$' }) });
const IdParams = Strict({ id: Id });
const UserListQuery = Strict({ unitId: Type.Optional(Id), q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), ...ListQuery });

export function meView(principal: Principal) {
  return {
    id: principal.userId,
    username: principal.username,
    displayName: principal.displayName,
    kind: principal.kind,
    unitId: principal.unitId,
    roles: principal.roles.map((r) => ({ role: r.role, scope: r.scope })),
    mustChangePassword: principal.mustChangePassword,
    totpEnrollmentRequired: principal.totpEnrollmentRequired,
  };
}

export function setSessionCookie(platform: Platform, reply: FastifyReply, token: string) {
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: platform.config.behindTls, maxAge: iam.SESSION_ABSOLUTE_MS / 1000 });
}

export async function iamRoutes(app: FastifyInstance, platform: Platform) {
  const tags = ['iam'];

  app.post<{ Body: Static<typeof LoginBody> }>(
    '/api/v1/auth/login',
    {
      schema: { tags, summary: 'Sign in', body: LoginBody },
      config: { auth: 'public', rateLimit: { max: platform.config.loginRateLimitPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const result = await iam.login(platform, request.body, actorOf(request), request.headers['user-agent'] ?? null);
      setSessionCookie(platform, reply, result.token);
      const principal: Principal = {
        userId: result.user.id,
        username: result.user.username,
        displayName: result.user.display_name,
        kind: result.user.kind,
        unitId: result.user.unit_id,
        roles: result.roles,
        sessionId: result.sessionId,
        tokenId: null,
        csrfToken: result.csrfToken,
        mustChangePassword: result.user.must_change_password,
        totpEnrollmentRequired: result.roles.some((r) => TOTP_REQUIRED_ROLES.includes(r.role)) && !result.user.totp_enabled,
        grants: platform.modules.permissions,
      };
      return { user: meView(principal), csrfToken: result.csrfToken };
    },
  );

  app.post('/api/v1/auth/logout', { schema: { tags, summary: 'Sign out: ends the session on the server' }, config: { auth: 'user', allowRestricted: true } }, async (request, reply) => {
    await inTransaction(platform.db, actorOf(request), (work) => iam.logout(work, platform, request.principal!));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.post<{ Body: Static<typeof RegisterBody> }>(
    '/api/v1/auth/register',
    { schema: { tags, summary: 'Register a citizen or enterprise account', body: RegisterBody }, config: { auth: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const user = await inTransaction(platform.db, actorOf(request), (work) => iam.registerPublicUser(work, platform, request.body));
      return reply.status(201).send({ id: user.id, username: user.username });
    },
  );

  app.get('/api/v1/me', { schema: { tags, summary: 'The caller' }, config: { auth: 'user', allowRestricted: true } }, async (request) => meView(request.principal!));

  app.post<{ Body: Static<typeof PasswordBody> }>(
    '/api/v1/me/password',
    { schema: { tags, summary: 'Change own password', body: PasswordBody }, config: { auth: 'user', allowRestricted: true } },
    async (request, reply) => {
      await iam.changePassword(platform, request.principal!, request.body.currentPassword, request.body.newPassword, actorOf(request));
      return reply.status(204).send();
    },
  );

  app.get('/api/v1/me/sessions', { schema: { tags, summary: 'Own open sessions' }, config: { auth: 'user', allowRestricted: true } }, async (request) => ({
    items: await iam.listSessions(platform, request.principal!),
    nextCursor: null,
  }));

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/v1/me/sessions/:id',
    { schema: { tags, summary: 'End one of own sessions', params: IdParams }, config: { auth: 'user', allowRestricted: true } },
    async (request, reply) => {
      await inTransaction(platform.db, actorOf(request), (work) => iam.endSession(work, platform, request.principal!, request.params.id));
      return reply.status(204).send();
    },
  );

  app.post('/api/v1/me/totp', { schema: { tags, summary: 'Begin TOTP enrolment: returns the secret once' }, config: { auth: 'user', allowRestricted: true } }, async (request) =>
    inTransaction(platform.db, actorOf(request), (work) => iam.beginTotpEnrollment(work, platform, request.principal!)),
  );

  app.post<{ Body: Static<typeof TotpConfirmBody> }>(
    '/api/v1/me/totp/confirm',
    { schema: { tags, summary: 'Confirm TOTP enrolment with a code', body: TotpConfirmBody }, config: { auth: 'user', allowRestricted: true } },
    async (request, reply) => {
      await inTransaction(platform.db, actorOf(request), (work) => iam.confirmTotpEnrollment(work, platform, request.principal!, request.body.code));
      return reply.status(204).send();
    },
  );

  app.post<{ Body: Static<typeof TokenBody> }>('/api/v1/tokens', { schema: { tags, summary: 'Create a bearer token acting as the caller', body: TokenBody }, config: { auth: 'user' } }, async (request, reply) => {
    const created = await inTransaction(platform.db, actorOf(request), (work) => iam.createApiToken(work, platform, request.principal!.userId, request.body.name, request.body.expiresInDays));
    return reply.status(201).send(created);
  });

  app.get('/api/v1/tokens', { schema: { tags, summary: 'Own bearer tokens (never the secret)' }, config: { auth: 'user' } }, async (request) => ({
    items: await iam.listApiTokens(platform, request.principal!),
    nextCursor: null,
  }));

  app.delete<{ Params: Static<typeof IdParams> }>('/api/v1/tokens/:id', { schema: { tags, summary: 'Revoke an own token', params: IdParams }, config: { auth: 'user' } }, async (request, reply) => {
    await inTransaction(platform.db, actorOf(request), (work) => iam.revokeApiToken(work, platform, request.principal!, request.params.id));
    return reply.status(204).send();
  });

  app.post<{ Body: Static<typeof NewUserBody> }>('/api/v1/users', { schema: { tags, summary: 'Create a staff account', body: NewUserBody }, config: { auth: 'user.write' } }, async (request, reply) => {
    const user = await inTransaction(platform.db, actorOf(request), (work) => iam.createStaffUser(work, platform, request.principal!, request.body));
    return reply.status(201).send({ id: user.id, username: user.username, unitId: user.unit_id });
  });

  app.get<{ Querystring: Static<typeof UserListQuery> }>(
    '/api/v1/users',
    { schema: { tags, summary: 'Staff accounts within the caller’s user.read scope, by username', querystring: UserListQuery }, config: { auth: 'user.read' } },
    async (request) => iam.listUsers(platform, request.principal!, request.query),
  );

  app.get<{ Params: Static<typeof IdParams> }>('/api/v1/users/:id', { schema: { tags, summary: 'An account', params: IdParams }, config: { auth: 'user' } }, async (request) => {
    const { user, roles } = await iam.getVisibleUser(platform, request.principal!, request.params.id);
    return iam.toUserView(platform, user, roles);
  });

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof PatchUserBody> }>(
    '/api/v1/users/:id',
    { schema: { tags, summary: 'Change an account', params: IdParams, body: PatchUserBody }, config: { auth: 'user' } },
    async (request) => {
      const user = await inTransaction(platform.db, actorOf(request), (work) => iam.updateUser(work, platform, request.principal!, request.params.id, request.body));
      const { roles } = await iam.getVisibleUser(platform, request.principal!, user.id);
      return iam.toUserView(platform, user, roles);
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>('/api/v1/users/:id/disable', { schema: { tags, summary: 'Disable an account', params: IdParams }, config: { auth: 'user.write' } }, async (request, reply) => {
    await inTransaction(platform.db, actorOf(request), (work) => iam.setUserDisabled(work, platform, request.principal!, request.params.id, true));
    return reply.status(204).send();
  });

  app.post<{ Params: Static<typeof IdParams> }>('/api/v1/users/:id/enable', { schema: { tags, summary: 'Enable an account again', params: IdParams }, config: { auth: 'user.write' } }, async (request, reply) => {
    await inTransaction(platform.db, actorOf(request), (work) => iam.setUserDisabled(work, platform, request.principal!, request.params.id, false));
    return reply.status(204).send();
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ResetBody> }>(
    '/api/v1/users/:id/password',
    { schema: { tags, summary: 'Reset an account password (must be changed at next sign-in)', params: IdParams, body: ResetBody }, config: { auth: 'user.write' } },
    async (request, reply) => {
      await inTransaction(platform.db, actorOf(request), (work) => iam.resetPassword(work, platform, request.principal!, request.params.id, request.body.password));
      return reply.status(204).send();
    },
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof RolesBody> }>(
    '/api/v1/users/:id/roles',
    { schema: { tags, summary: 'Replace the roles of an account (security administrator)', params: IdParams, body: RolesBody }, config: { auth: 'role.assign' } },
    async (request) => {
      const roles = await inTransaction(platform.db, actorOf(request), (work) => iam.setUserRoles(work, platform, request.principal!, request.params.id, request.body.roles));
      return { id: request.params.id, roles };
    },
  );

  app.get('/api/v1/roles', { schema: { tags, summary: 'Built-in roles and their permissions' }, config: { auth: 'user' } }, async () => ({
    items: ROLES.map((role) => ({ role, permissions: platform.modules.permissions.permissionsOf(role) })),
    nextCursor: null,
  }));
}
