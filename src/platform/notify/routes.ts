import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, Id, ListQuery, actorOf } from '../http/index.ts';
import { inTransaction } from '../db/work.ts';
import type { Platform } from '../module.ts';
import { countUnread, listInbox, listOutbox, markInboxRead } from './service.ts';

const InboxQuery = Strict({ unread: Type.Optional(Type.Boolean()), ...ListQuery });
const OutboxQuery = Strict({
  status: Type.Optional(Type.Union([Type.Literal('created'), Type.Literal('sending'), Type.Literal('delivered'), Type.Literal('failed')])),
  ...ListQuery,
});
const IdParams = Strict({ id: Id });

const InboxItem = Type.Object({
  id: Type.String(),
  title: Type.String(),
  body: Type.String(),
  link: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export async function notifyRoutes(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof InboxQuery> }>(
    '/api/v1/me/messages',
    {
      schema: {
        tags: ['notify'],
        summary: "The caller's in-app messages, newest first; `unreadCount` counts all unread ones",
        querystring: InboxQuery,
        response: { 200: Type.Object({ items: Type.Array(InboxItem), nextCursor: Type.Union([Type.String(), Type.Null()]), unreadCount: Type.Integer() }) },
      },
      config: { auth: 'user' },
    },
    async (request) => {
      const userId = request.principal!.userId;
      const page = await listInbox(platform.db, userId, { unread: request.query.unread, limit: request.query.limit ?? 20, cursor: request.query.cursor });
      return { ...page, unreadCount: await countUnread(platform.db, userId) };
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/v1/me/messages/:id/read',
    { schema: { tags: ['notify'], summary: 'Mark one of your in-app messages read (repeating it changes nothing)', params: IdParams, response: { 200: InboxItem } }, config: { auth: 'user' } },
    async (request) => {
      const userId = request.principal!.userId;
      return inTransaction(platform.db, actorOf(request), (work) => markInboxRead(work, platform, userId, request.params.id));
    },
  );

  app.get<{ Querystring: Static<typeof OutboxQuery> }>(
    '/api/v1/notify/outbox',
    { schema: { tags: ['notify'], summary: 'Outgoing messages and their delivery status, newest first; addresses masked', querystring: OutboxQuery }, config: { auth: 'outbox.read' } },
    async (request) => {
      return listOutbox(platform, { status: request.query.status, limit: request.query.limit ?? 20, cursor: request.query.cursor });
    },
  );
}
