import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Strict, Id, ListQuery, Answer, Nullable, Page, Ref, StringEnum, actorOf } from '../http/index.ts';
import { inTransaction } from '../db/work.ts';
import type { Platform } from '../module.ts';
import { countUnread, listInbox, listOutbox, markInboxRead } from './views.ts';

const InboxQuery = Strict({ unread: Type.Optional(Type.Boolean()), ...ListQuery });
const OutboxQuery = Strict({
  status: Type.Optional(StringEnum(['created', 'sending', 'delivered', 'failed'])),
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
}, { $id: 'InboxMessage', title: 'InboxMessage' });
const OutboxMessage = Answer(
  {
    id: Type.String(),
    channel: StringEnum(['sms', 'email', 'inapp']),
    userId: Nullable(Type.String()),
    address: Nullable(Type.String({ description: 'masked' })),
    template: Type.String(),
    lang: Type.String(),
    status: StringEnum(['created', 'sending', 'delivered', 'failed']),
    attempts: Type.Integer(),
    nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
    leaseUntil: Nullable(Type.String({ format: 'date-time' })),
    lastError: Nullable(Type.String()),
    providerRef: Nullable(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
    deliveredAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'OutboxMessage', title: 'OutboxMessage' },
);

export async function notifyRoutes(app: FastifyInstance, platform: Platform) {
  app.addSchema(InboxItem);
  app.addSchema(OutboxMessage);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/api/v1/me/messages',
    {
      schema: {
        operationId: 'listMyMessages',
        tags: ['notify'],
        summary: "The caller's in-app messages, newest first; `unreadCount` counts all unread ones",
        querystring: InboxQuery,
        response: { 200: Type.Object({ items: Type.Array(Ref(InboxItem)), nextCursor: Type.Union([Type.String(), Type.Null()]), unreadCount: Type.Integer() }) },
      },
      config: { auth: 'user' },
    },
    async (request) => {
      const userId = request.principal!.userId;
      const page = await listInbox(platform.db, userId, { unread: request.query.unread, limit: request.query.limit ?? 20, cursor: request.query.cursor });
      return { ...page, unreadCount: await countUnread(platform.db, userId) };
    },
  );

  api.post(
    '/api/v1/me/messages/:id/read',
    { schema: { operationId: 'markMyMessageRead', tags: ['notify'], summary: 'Mark one of your in-app messages read (repeating it changes nothing)', params: IdParams, response: { 200: Ref(InboxItem) } }, config: { auth: 'user' } },
    async (request) => {
      const userId = request.principal!.userId;
      return inTransaction(platform.db, actorOf(request), (work) => markInboxRead(work, platform, userId, request.params.id));
    },
  );

  api.get(
    '/api/v1/notify/outbox',
    {
      schema: {
        operationId: 'listOutbox',
        tags: ['notify'],
        summary: 'Outgoing messages and their delivery status, newest first; addresses masked',
        querystring: OutboxQuery,
        response: { 200: Page(Ref(OutboxMessage)) },
      },
      config: { auth: 'outbox.read' },
    },
    async (request) => {
      return listOutbox(platform, { status: request.query.status, limit: request.query.limit ?? 20, cursor: request.query.cursor });
    },
  );
}
