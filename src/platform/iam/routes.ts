import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { fieldError, invalid } from '../http/errors.ts';
import { Strict, Id, ListQuery, Answer, NoContent, Nullable, Page, Ref, StringEnum, actorOf, problems } from '../http/index.ts';
import type { Platform } from '../module.ts';
import { SESSION_COOKIE } from './auth-hook.ts';
import { inTransaction } from '../db/work.ts';
import * as iam from './index.ts';
import { ROLES, TOTP_REQUIRED_ROLES } from './roles.ts';
import type { Principal } from './principal.ts';

const Username = Type.String({ minLength: 1, maxLength: 64 });
const Password = Type.String({ minLength: 1, maxLength: 256 });

const Phone = Type.String({ minLength: 1, maxLength: 20, description: 'mainland mobile number' });
const SmsCode = Type.String({ minLength: 1, maxLength: 10, description: 'the 6 digits sent by SMS' });
const LoginBody = Strict(
  {
    username: Type.Optional(Username),
    password: Type.Optional(Password),
    totp: Type.Optional(Type.String({ pattern: '^\\d{6}$' })),
    phone: Type.Optional(Phone),
    smsCode: Type.Optional(SmsCode),
  },
  { description: 'either username and password (and totp when enrolled), or a public account’s phone and an SMS code sent for purpose login' },
);
const RegisterBody = Strict(
  {
    kind: StringEnum(['person', 'enterprise']),
    phone: Phone,
    smsCode: SmsCode,
    password: Password,
    name: Type.String({ maxLength: 100, description: 'the person, or an enterprise’s legal representative' }),
    idNumber: Type.String({ maxLength: 30, description: 'GB 11643 ID card number of the person or legal representative' }),
    creditCode: Type.Optional(Type.String({ maxLength: 30, description: 'enterprise only: GB 32100 unified social credit code' })),
    companyName: Type.Optional(Type.String({ maxLength: 200, description: 'enterprise only' })),
  },
  { description: 'kind person: phone, smsCode, password, name, idNumber; kind enterprise adds creditCode and companyName' },
);
const SmsCodeBody = Strict({ phone: Phone, purpose: StringEnum(['register', 'login', 'reset']) });
const PasswordResetBody = Strict({ phone: Phone, smsCode: SmsCode, password: Password });
const Profile = Answer(
  {
    id: Type.String(),
    username: Type.String({ description: 'a public account’s mobile number, masked' }),
    displayName: Type.String(),
    applicantKind: Nullable(StringEnum(['person', 'enterprise'])),
    name: Nullable(Type.String({ description: 'the person, or the enterprise’s legal representative or agent' })),
    idNumber: Nullable(Type.String({ description: 'masked' })),
    phone: Nullable(Type.String({ description: 'masked' })),
    creditCode: Nullable(Type.String()),
    companyName: Nullable(Type.String()),
    companyUserId: Nullable(Type.String({ description: 'for an agent: the enterprise account it acts for' })),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Profile', title: 'Profile' },
);
const AgentBody = Strict({ name: Type.String({ maxLength: 100 }), phone: Phone, idNumber: Type.String({ maxLength: 30 }) });
const Agent = Answer(
  { id: Type.String(), name: Type.String(), phone: Nullable(Type.String({ description: 'masked' })), idNumber: Nullable(Type.String({ description: 'masked' })), createdAt: Type.String({ format: 'date-time' }) },
  { $id: 'Agent', title: 'Agent', description: 'an enterprise’s agent (经办人)' },
);
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

const ScopeAnswer = Type.Union([Type.Object({ unitId: Type.String() }), Type.Object({ regionCode: Type.String() })], { description: 'a unit, or a region and everything under it' });
const RoleAssignment = Type.Object({ role: Type.String({ description: 'a built-in role, e.g. approver' }), scope: ScopeAnswer });
const AccountKind = StringEnum(['staff', 'public']);
const Me = Answer(
  {
    id: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    kind: AccountKind,
    unitId: Nullable(Type.String()),
    roles: Type.Array(RoleAssignment),
    mustChangePassword: Type.Boolean(),
    totpEnrollmentRequired: Type.Boolean({ description: 'a role held requires TOTP and it is not enrolled yet' }),
  },
  { $id: 'Me', title: 'Me', description: 'the signed-in caller' },
);
const User = Answer(
  {
    id: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    kind: AccountKind,
    unitId: Nullable(Type.String()),
    phone: Nullable(Type.String({ description: 'masked unless the caller may see it' })),
    email: Nullable(Type.String()),
    roles: Type.Array(RoleAssignment),
    disabled: Type.Boolean(),
    mustChangePassword: Type.Boolean(),
    totpEnabled: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    version: Type.Integer({ description: 'send back in PATCH to detect concurrent changes' }),
  },
  { $id: 'User', title: 'User' },
);
const SessionAnswer = Answer(
  {
    id: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    lastSeenAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' }),
    ip: Nullable(Type.String()),
    userAgent: Nullable(Type.String()),
    current: Type.Boolean({ description: 'the session making this call' }),
  },
  { $id: 'Session', title: 'Session' },
);
const ApiToken = Answer(
  {
    id: Type.String(),
    name: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' }),
    revokedAt: Nullable(Type.String({ format: 'date-time' })),
    lastUsedAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'ApiToken', title: 'ApiToken', description: 'a bearer token, without its secret' },
);
const CreatedToken = Answer({ id: Type.String(), token: Type.String({ description: 'the secret, shown only in this answer' }), name: Type.String(), expiresAt: Type.String({ format: 'date-time' }) });
const LoginAnswer = Answer({ user: Ref(Me), csrfToken: Type.String({ description: 'send as X-CSRF-Token on writes made with the session cookie' }) });
const TotpSecret = Answer({ secret: Type.String({ description: 'base32' }), uri: Type.String({ description: 'otpauth:// URI for an authenticator app' }) });
const RoleWithPermissions = Answer({ role: Type.String(), permissions: Type.Array(Type.String()) });

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
  for (const schema of [Me, User, SessionAnswer, ApiToken, Profile, Agent]) app.addSchema(schema);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/api/v1/auth/login',
    {
      schema: { operationId: 'signIn', tags, summary: 'Sign in', body: LoginBody, response: { 200: LoginAnswer, ...problems(401, 403, 404, 423) } },
      config: { auth: 'public', rateLimit: { max: platform.config.loginRateLimitPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const { username, password, totp, phone, smsCode } = request.body;
      const bySms = phone !== undefined || smsCode !== undefined;
      const body: Record<string, unknown> = request.body;
      const required = bySms ? ['phone', 'smsCode'] : ['username', 'password'];
      const excluded = bySms ? ['username', 'password', 'totp'] : [];
      const errors = [
        ...required.filter((name) => body[name] === undefined).map((name) => fieldError(name, 'iam.loginFieldRequired')),
        ...excluded.filter((name) => body[name] !== undefined).map((name) => fieldError(name, 'iam.loginOneWay')),
      ];
      if (errors.length) throw invalid(errors);
      const userAgent = request.headers['user-agent'] ?? null;
      const result = bySms
        ? await iam.loginWithSmsCode(platform, { phone: phone!, smsCode: smsCode! }, actorOf(request), userAgent)
        : await iam.login(platform, { username: username!, password: password!, ...(totp ? { totp } : {}) }, actorOf(request), userAgent);
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

  api.post(
    '/api/v1/auth/logout',
    { schema: { operationId: 'signOut', tags, summary: 'Sign out: ends the session on the server', response: { 204: NoContent } }, config: { auth: 'user', allowRestricted: true } },
    async (request, reply) => {
      await inTransaction(platform.db, actorOf(request), (work) => iam.logout(work, platform, request.principal!));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  api.post(
    '/api/v1/auth/register',
    {
      schema: {
        operationId: 'registerAccount',
        tags,
        summary: 'Register a citizen or enterprise account with a mobile number proved by an SMS code; the user name is the number',
        body: RegisterBody,
        response: { 201: Answer({ id: Type.String(), username: Type.String() }), ...problems(409, 422) },
      },
      config: { auth: 'public', rateLimit: { max: platform.config.loginRateLimitPerMinute, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const user = await iam.registerPublicUser(platform, request.body, actorOf(request));
      return reply.status(201).send({ id: user.id, username: user.username });
    },
  );

  api.post(
    '/api/v1/auth/sms-codes',
    {
      schema: {
        operationId: 'sendSmsCode',
        tags,
        summary: 'Send a one-time code by SMS: valid 5 minutes, 5 tries, one a minute and ten a day per number and purpose',
        body: SmsCodeBody,
        response: { 202: Answer({ expiresAt: Type.String({ format: 'date-time' }) }), ...problems(404, 409, 429) },
      },
      config: { auth: 'public', rateLimit: { max: platform.config.loginRateLimitPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const sent = await inTransaction(platform.db, actorOf(request), (work) => iam.requestSmsCode(work, platform, request.body));
      return reply.status(202).send({ expiresAt: sent.expiresAt.toISOString() });
    },
  );

  api.post(
    '/api/v1/auth/password-reset',
    {
      schema: { operationId: 'resetPasswordBySms', tags, summary: 'A public account sets a new password with an SMS code (purpose reset); its sessions end', body: PasswordResetBody, response: { 204: NoContent, ...problems(404, 422) } },
      config: { auth: 'public', rateLimit: { max: platform.config.loginRateLimitPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      await iam.resetPasswordBySms(platform, request.body, actorOf(request));
      return reply.status(204).send();
    },
  );

  api.post(
    '/api/v1/me/agents',
    { schema: { operationId: 'addMyAgent', tags, summary: 'An enterprise adds an agent (经办人): a public account acting for it, signing in with its own mobile number', body: AgentBody, response: { 201: Ref(Agent), ...problems(409, 422) } }, config: { auth: 'user' } },
    async (request, reply) => reply.status(201).send(await inTransaction(platform.db, actorOf(request), (work) => iam.addAgent(work, platform, request.principal!, request.body))),
  );

  api.get('/api/v1/me/agents', { schema: { operationId: 'listMyAgents', tags, summary: 'The enterprise’s agents', response: { 200: Page(Ref(Agent)) } }, config: { auth: 'user' } }, async (request) => ({
    items: await iam.listAgents(platform, request.principal!),
    nextCursor: null,
  }));

  api.delete(
    '/api/v1/me/agents/:id',
    { schema: { operationId: 'removeMyAgent', tags, summary: 'Remove an agent: its account is disabled and its sessions end', params: IdParams, response: { 204: NoContent } }, config: { auth: 'user' } },
    async (request, reply) => {
      await inTransaction(platform.db, actorOf(request), (work) => iam.removeAgent(work, platform, request.principal!, request.params.id));
      return reply.status(204).send();
    },
  );

  api.get(
    '/api/v1/me/profile',
    { schema: { operationId: 'getMyProfile', tags, summary: 'Own real-name data, numbers masked', response: { 200: Ref(Profile) } }, config: { auth: 'user', allowRestricted: true } },
    async (request) => iam.publicProfile(platform, request.principal!),
  );

  api.get('/api/v1/me', { schema: { operationId: 'getMe', tags, summary: 'The caller', response: { 200: Ref(Me) } }, config: { auth: 'user', allowRestricted: true } }, async (request) => meView(request.principal!));

  api.post(
    '/api/v1/me/password',
    { schema: { operationId: 'changeMyPassword', tags, summary: 'Change own password', body: PasswordBody, response: { 204: NoContent, ...problems(422) } }, config: { auth: 'user', allowRestricted: true } },
    async (request, reply) => {
      await iam.changePassword(platform, request.principal!, request.body.currentPassword, request.body.newPassword, actorOf(request));
      return reply.status(204).send();
    },
  );

  api.get('/api/v1/me/sessions', { schema: { operationId: 'listMySessions', tags, summary: 'Own open sessions', response: { 200: Page(Ref(SessionAnswer)) } }, config: { auth: 'user', allowRestricted: true } }, async (request) => ({
    items: await iam.listSessions(platform, request.principal!),
    nextCursor: null,
  }));

  api.delete(
    '/api/v1/me/sessions/:id',
    { schema: { operationId: 'endMySession', tags, summary: 'End one of own sessions', params: IdParams, response: { 204: NoContent } }, config: { auth: 'user', allowRestricted: true } },
    async (request, reply) => {
      await inTransaction(platform.db, actorOf(request), (work) => iam.endSession(work, platform, request.principal!, request.params.id));
      return reply.status(204).send();
    },
  );

  api.post('/api/v1/me/totp', { schema: { operationId: 'beginTotpEnrolment', tags, summary: 'Begin TOTP enrolment: returns the secret once', response: { 200: TotpSecret, ...problems(409) } }, config: { auth: 'user', allowRestricted: true } }, async (request) =>
    inTransaction(platform.db, actorOf(request), (work) => iam.beginTotpEnrollment(work, platform, request.principal!)),
  );

  api.post(
    '/api/v1/me/totp/confirm',
    { schema: { operationId: 'confirmTotpEnrolment', tags, summary: 'Confirm TOTP enrolment with a code', body: TotpConfirmBody, response: { 204: NoContent, ...problems(409) } }, config: { auth: 'user', allowRestricted: true } },
    async (request, reply) => {
      await inTransaction(platform.db, actorOf(request), (work) => iam.confirmTotpEnrollment(work, platform, request.principal!, request.body.code));
      return reply.status(204).send();
    },
  );

  api.post(
    '/api/v1/tokens',
    { schema: { operationId: 'createApiToken', tags, summary: 'Create a bearer token acting as the caller', body: TokenBody, response: { 201: CreatedToken } }, config: { auth: 'user' } },
    async (request, reply) => {
      const created = await inTransaction(platform.db, actorOf(request), (work) => iam.createApiToken(work, platform, request.principal!.userId, request.body.name, request.body.expiresInDays));
      return reply.status(201).send(created);
    },
  );

  api.get('/api/v1/tokens', { schema: { operationId: 'listApiTokens', tags, summary: 'Own bearer tokens (never the secret)', response: { 200: Page(Ref(ApiToken)) } }, config: { auth: 'user' } }, async (request) => ({
    items: await iam.listApiTokens(platform, request.principal!),
    nextCursor: null,
  }));

  api.delete(
    '/api/v1/tokens/:id',
    { schema: { operationId: 'revokeApiToken', tags, summary: 'Revoke an own token', params: IdParams, response: { 204: NoContent } }, config: { auth: 'user' } },
    async (request, reply) => {
      await inTransaction(platform.db, actorOf(request), (work) => iam.revokeApiToken(work, platform, request.principal!, request.params.id));
      return reply.status(204).send();
    },
  );

  api.post(
    '/api/v1/users',
    {
      schema: {
        operationId: 'createUser',
        tags,
        summary: 'Create a staff account',
        body: NewUserBody,
        response: { 201: Answer({ id: Type.String(), username: Type.String(), unitId: Nullable(Type.String()) }), ...problems(404, 409, 422) },
      },
      config: { auth: 'user.write' },
    },
    async (request, reply) => {
      const user = await inTransaction(platform.db, actorOf(request), (work) => iam.createStaffUser(work, platform, request.principal!, request.body));
      return reply.status(201).send({ id: user.id, username: user.username, unitId: user.unit_id });
    },
  );

  api.get(
    '/api/v1/users',
    {
      schema: { operationId: 'listUsers', tags, summary: 'Staff accounts within the caller’s user.read scope, by username', querystring: UserListQuery, response: { 200: Page(Ref(User)) } }, config: { auth: 'user.read' } },
    async (request) => iam.listUsers(platform, request.principal!, request.query),
  );

  api.get(
    '/api/v1/users/:id',
    { schema: { operationId: 'getUser', tags, summary: 'An account', params: IdParams, response: { 200: Ref(User) } }, config: { auth: 'user' } },
    async (request) => {
      const { user, roles } = await iam.getVisibleUser(platform, request.principal!, request.params.id);
      return iam.toUserView(platform, user, roles);
    },
  );

  api.patch(
    '/api/v1/users/:id',
    { schema: { operationId: 'updateUser', tags, summary: 'Change an account', params: IdParams, body: PatchUserBody, response: { 200: Ref(User), ...problems(409) } }, config: { auth: 'user' } },
    async (request) => {
      const user = await inTransaction(platform.db, actorOf(request), (work) => iam.updateUser(work, platform, request.principal!, request.params.id, request.body));
      const { roles } = await iam.getVisibleUser(platform, request.principal!, user.id);
      return iam.toUserView(platform, user, roles);
    },
  );

  api.post(
    '/api/v1/users/:id/disable',
    { schema: { operationId: 'disableUser', tags, summary: 'Disable an account', params: IdParams, response: { 204: NoContent } }, config: { auth: 'user.write' } },
    async (request, reply) => {
      await inTransaction(platform.db, actorOf(request), (work) => iam.setUserDisabled(work, platform, request.principal!, request.params.id, true));
      return reply.status(204).send();
    },
  );

  api.post(
    '/api/v1/users/:id/enable',
    { schema: { operationId: 'enableUser', tags, summary: 'Enable an account again', params: IdParams, response: { 204: NoContent } }, config: { auth: 'user.write' } },
    async (request, reply) => {
      await inTransaction(platform.db, actorOf(request), (work) => iam.setUserDisabled(work, platform, request.principal!, request.params.id, false));
      return reply.status(204).send();
    },
  );

  api.post(
    '/api/v1/users/:id/password',
    {
      schema: { operationId: 'resetUserPassword', tags, summary: 'Reset an account password (must be changed at next sign-in)', params: IdParams, body: ResetBody, response: { 204: NoContent, ...problems(422) } }, config: { auth: 'user.write' } },
    async (request, reply) => {
      await inTransaction(platform.db, actorOf(request), (work) => iam.resetPassword(work, platform, request.principal!, request.params.id, request.body.password));
      return reply.status(204).send();
    },
  );

  api.put(
    '/api/v1/users/:id/roles',
    {
      schema: {
        operationId: 'setUserRoles',
        tags,
        summary: 'Replace the roles of an account (security administrator)',
        params: IdParams,
        body: RolesBody,
        response: { 200: Answer({ id: Type.String(), roles: Type.Array(RoleAssignment) }), ...problems(422) },
      }, config: { auth: 'role.assign' } },
    async (request) => {
      const roles = await inTransaction(platform.db, actorOf(request), (work) => iam.setUserRoles(work, platform, request.principal!, request.params.id, request.body.roles));
      return { id: request.params.id, roles };
    },
  );

  api.get('/api/v1/roles', { schema: { operationId: 'listRoles', tags, summary: 'Built-in roles and their permissions', response: { 200: Page(RoleWithPermissions) } }, config: { auth: 'user' } }, async () => ({
    items: ROLES.map((role) => ({ role, permissions: platform.modules.permissions.permissionsOf(role) })),
    nextCursor: null,
  }));
}
