/** Shared columns (信息报送) over HTTP: the inbox, decisions, per-unit figures, and a column's public items. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../../platform/module.ts';
import type { Work } from '../../../platform/db/work.ts';
import { inTransactionPublishing } from '../../../platform/static/index.ts';
import { Answer, Id, Nullable, StringEnum, Strict, actorOf, problems } from '../../../platform/http/index.ts';
import { fieldError, forbidden, invalid } from '../../../platform/http/errors.ts';
import { hasPermission } from '../../../platform/iam/principal.ts';
import { EDIT_PERMISSION, LIMITS, MANAGE_PERMISSION, SHARE_STATUSES } from '../model.ts';
import { acceptShare, declineShare, removeShare } from '../commands/decide-share.ts';
import { columnItems, listShares, shareStats } from '../queries/shares.ts';
import { isSysadmin } from '../queries/access.ts';

const tags = ['portal'];
const Params = Strict({ id: Id });
const Any = Answer({});
const Decided = Answer({ id: Type.String(), status: StringEnum(SHARE_STATUSES) });
const Reason = Strict({ reason: Type.String({ minLength: 1, maxLength: LIMITS.reason }) });
const Paging = { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })), cursor: Type.Optional(Type.String({ maxLength: 300 })) };
const Day = Type.String({ format: 'date', description: 'a calendar date in Asia/Shanghai' });

/** [from 00:00, the day after `to` 00:00) in Shanghai. */
function dayRange(from: string, to: string) {
  const start = new Date(`${from}T00:00:00+08:00`);
  const end = new Date(new Date(`${to}T00:00:00+08:00`).getTime() + 86_400_000);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) throw invalid([fieldError('from', 'portal.check.time')]);
  if (end <= start) throw invalid([fieldError('to', 'portal.check.rangeOrder')]);
  return { from: start, to: end };
}

export async function shareRoutes(app: FastifyInstance, platform: Platform) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const write = <T>(request: FastifyRequest, fn: (work: Work) => Promise<T>) => inTransactionPublishing(platform, actorOf(request), fn);

  api.get(
    '/api/v1/portal/shares',
    {
      schema: {
        operationId: 'listPortalShares',
        tags,
        summary: 'Shares, newest push first: inbox (default) — pushed to the shared columns of the caller’s sites (the main site’s editors); outbox — pushed from the caller’s sites',
        querystring: Strict({ status: Type.Optional(StringEnum(SHARE_STATUSES)), direction: Type.Optional(StringEnum(['inbox', 'outbox'] as const)), ...Paging }),
        response: { 200: Answer({ items: Type.Array(Any), nextCursor: Nullable(Type.String()) }) },
      },
      config: { auth: 'user' },
    },
    async (request) => listShares(platform.db, request.principal!, { status: request.query.status, direction: request.query.direction ?? 'inbox', limit: request.query.limit ?? 20, cursor: request.query.cursor }),
  );

  api.get(
    '/api/v1/portal/shares/stats',
    {
      schema: {
        operationId: 'portalShareStats',
        tags,
        summary: 'Per unit: items pushed in the period, accepted, declined and pending (信息报送 figures)',
        querystring: Strict({ from: Day, to: Day }),
        response: { 200: Answer({ items: Type.Array(Answer({ unitId: Type.String(), unitName: Type.String(), pushed: Type.Integer(), accepted: Type.Integer(), declined: Type.Integer(), pending: Type.Integer(), acceptRate: Type.Number() })) }) },
      },
      config: { auth: 'user' },
    },
    async (request) => {
      const p = request.principal!;
      if (!isSysadmin(p) && !hasPermission(p, EDIT_PERMISSION) && !hasPermission(p, MANAGE_PERMISSION)) throw forbidden();
      return shareStats(platform.db, dayRange(request.query.from, request.query.to));
    },
  );

  api.post(
    '/api/v1/portal/shares/:id/accept',
    { schema: { operationId: 'acceptPortalShare', tags, summary: 'Accept a pushed article into the shared column: shown with its source site, in step with the original', params: Params, body: Strict({}), response: { 200: Decided, ...problems(409) } }, config: { auth: EDIT_PERMISSION } },
    async (request) => write(request, (work) => acceptShare(work, platform, request.principal!, request.params.id)),
  );
  api.post(
    '/api/v1/portal/shares/:id/decline',
    { schema: { operationId: 'declinePortalShare', tags, summary: 'Decline a pushed article with a reason', params: Params, body: Reason, response: { 200: Decided, ...problems(409) } }, config: { auth: EDIT_PERMISSION } },
    async (request) => write(request, (work) => declineShare(work, platform, request.principal!, request.params.id, request.body)),
  );
  api.post(
    '/api/v1/portal/shares/:id/remove',
    { schema: { operationId: 'removePortalShare', tags, summary: 'Take an accepted item off the shared column with a reason (the original stays)', params: Params, body: Reason, response: { 200: Decided, ...problems(409) } }, config: { auth: EDIT_PERMISSION } },
    async (request) => write(request, (work) => removeShare(work, platform, request.principal!, request.params.id, request.body)),
  );

  api.get(
    '/api/v1/portal/columns/:id/items',
    {
      schema: {
        operationId: 'listPortalColumnItems',
        tags,
        summary: 'What the public sees in a column, newest first: its published articles and, in a shared column, the accepted items with their source site',
        params: Params,
        querystring: Strict(Paging),
        response: { 200: Answer({ columnId: Type.String(), siteId: Type.String(), items: Type.Array(Any), nextCursor: Nullable(Type.String()) }) },
      },
      config: { auth: 'public' },
    },
    async (request) => columnItems(platform.db, request.params.id, { limit: request.query.limit ?? 20, cursor: request.query.cursor }),
  );
}
