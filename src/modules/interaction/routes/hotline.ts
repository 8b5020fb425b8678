/** The 12345 hotline's API: tickets (entry, 直接办结, 督办, 回访) and the knowledge base. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../../platform/module.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import { Answer, AppError, Id, Nullable, StringEnum, Strict, Timestamp, actorOf, problems } from '../../../platform/http/index.ts';
import { hasPermission } from '../../../platform/iam/principal.ts';
import { HOTLINE_PERMISSION, LIMITS, SETTINGS_PERMISSION, URGENCIES } from '../model.ts';
import { createTicket } from '../commands/create-ticket.ts';
import { closeTicket } from '../commands/close-ticket.ts';
import { superviseTicket } from '../commands/supervise-ticket.ts';
import { visitTicket } from '../commands/visit-ticket.ts';
import { createKnowledge, KNOWLEDGE_LIMITS, updateKnowledge } from '../commands/save-knowledge.ts';
import { searchKnowledge } from '../queries/knowledge.ts';
import { operatorUnit, recentTickets, ticketView, toTicketView } from '../queries/hotline.ts';

const tags = ['interaction'];
const Params = Strict({ id: Id });

export const TicketSchema = Answer({
  id: Type.String(),
  trackingNo: Type.String(),
  title: Type.String(),
  category: Nullable(Type.String()),
  urgency: Nullable(StringEnum(URGENCIES)),
  regionCode: Nullable(Type.String()),
  state: Type.String(),
  handlingUnitId: Type.String(),
  handlingUnitName: Type.String(),
  dispatcherUnitId: Nullable(Type.String()),
  callerName: Type.String({ description: 'masked: 张**' }),
  receivedAt: Timestamp(),
  dueDate: Type.String({ format: 'date' }),
  overdue: Type.Boolean(),
  answeredAt: Nullable(Timestamp()),
  answer: Nullable(Type.String()),
  knowledgeId: Nullable(Type.String()),
  supervisedAt: Nullable(Timestamp()),
  visitedAt: Nullable(Timestamp()),
  visitSatisfaction: Nullable(Type.Integer()),
  visitNote: Nullable(Type.String()),
});

const KnowledgeSchema = Answer({ id: Type.String(), category: Type.String(), question: Type.String(), answer: Type.String(), keywords: Type.Array(Type.String()), active: Type.Boolean(), updatedAt: Timestamp() });
const KnowledgeFields = {
  category: Type.String({ minLength: 1, maxLength: LIMITS.category }),
  question: Type.String({ minLength: 1, maxLength: KNOWLEDGE_LIMITS.question }),
  answer: Type.String({ minLength: 1, maxLength: LIMITS.answer }),
  keywords: Type.Array(Type.String({ minLength: 1, maxLength: KNOWLEDGE_LIMITS.keyword }), { maxItems: KNOWLEDGE_LIMITS.keywords }),
  active: Type.Boolean(),
};

/** The knowledge base is kept by whoever keeps the settings or answers calls. */
function mayKeepKnowledge(request: FastifyRequest) {
  const principal = request.principal!;
  if (!hasPermission(principal, SETTINGS_PERMISSION) && !hasPermission(principal, HOTLINE_PERMISSION)) throw new AppError('FORBIDDEN');
}

export async function hotlineRoutes(app: FastifyInstance, platform: Platform) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const work = <T>(request: Parameters<typeof actorOf>[0], fn: Parameters<typeof inTransaction<T>>[2]) => inTransaction(platform.db, actorOf(request), fn);
  const today = () => shanghaiDate(platform.clock.now());

  api.post(
    '/api/v1/hotline/tickets',
    {
      schema: {
        operationId: 'createHotlineTicket',
        tags,
        summary: 'Enter a 12345 ticket from a call: an interaction case dispatched by the operator’s unit',
        description: 'The urgency gives the deadline (1, 3, 5 or 10 working days by default). A region outside the installation: 422 naming regionCode. An efficiency complaint (category 效能投诉) is also filed with supervision.',
        body: Strict({
          callerName: Type.String({ minLength: 1, maxLength: LIMITS.name }),
          phone: Type.String({ minLength: 7, maxLength: 20 }),
          regionCode: Type.String({ minLength: 1, maxLength: 12 }),
          category: Type.String({ minLength: 1, maxLength: LIMITS.category }),
          urgency: StringEnum(URGENCIES),
          title: Type.String({ minLength: 1, maxLength: LIMITS.title }),
          body: Type.String({ minLength: 1, maxLength: LIMITS.body }),
        }),
        response: { 201: Type.Object({ id: Type.String(), trackingNo: Type.String() }), ...problems(403, 422) },
      },
      config: { auth: HOTLINE_PERMISSION },
    },
    async (request, reply) => {
      const created = await work(request, (w) => createTicket(w, platform, request.principal!, request.body));
      return reply.status(201).send({ id: created.id, trackingNo: created.trackingNo });
    },
  );

  api.get(
    '/api/v1/hotline/tickets',
    {
      schema: {
        operationId: 'listHotlineTickets',
        tags,
        summary: "The operator's hotline tickets, newest first",
        querystring: Strict({ state: Type.Optional(StringEnum(['received', 'assigned', 'clarifying', 'reviewing', 'answered', 'merged'])), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })) }),
        response: { 200: Type.Object({ items: Type.Array(TicketSchema), nextCursor: Nullable(Type.String()) }) },
      },
      config: { auth: HOTLINE_PERMISSION },
    },
    async (request) => {
      const unit = await operatorUnit(platform.db, request.principal!);
      return { items: await recentTickets(platform.db, unit.id, today(), { state: request.query.state, limit: request.query.limit }), nextCursor: null };
    },
  );

  api.get(
    '/api/v1/hotline/tickets/:id',
    { schema: { operationId: 'getHotlineTicket', tags, summary: 'One ticket of the operator’s hotline', params: Params, response: { 200: TicketSchema } }, config: { auth: HOTLINE_PERMISSION } },
    async (request) => ticketView(platform.db, request.principal!, request.params.id, today()),
  );

  api.post(
    '/api/v1/hotline/tickets/:id/close',
    {
      schema: {
        operationId: 'closeHotlineTicket',
        tags,
        summary: '直接办结: answer the caller at once (from the knowledge base); the dispatch step ends with the outcome close',
        params: Params,
        body: Strict({ knowledgeId: Type.Optional(Nullable(Id)), answer: Type.String({ minLength: 1, maxLength: LIMITS.answer }) }),
        response: { 200: TicketSchema, ...problems(409, 422) },
      },
      config: { auth: HOTLINE_PERMISSION },
    },
    async (request) => toTicketView(await work(request, (w) => closeTicket(w, platform, request.principal!, request.params.id, request.body)), today()),
  );

  api.post(
    '/api/v1/hotline/tickets/:id/supervise',
    {
      schema: {
        operationId: 'superviseHotlineTicket',
        tags,
        summary: '督办: press the unit that has an open ticket (overdue or not); its leader and responders are told',
        params: Params,
        body: Strict({ note: Type.String({ minLength: 1, maxLength: LIMITS.reason }) }),
        response: { 200: TicketSchema, ...problems(409) },
      },
      config: { auth: HOTLINE_PERMISSION },
    },
    async (request) => toTicketView(await work(request, (w) => superviseTicket(w, platform, request.principal!, request.params.id, request.body)), today()),
  );

  api.post(
    '/api/v1/hotline/tickets/:id/visit',
    {
      schema: {
        operationId: 'visitHotlineTicket',
        tags,
        summary: '回访: record the caller’s satisfaction with an answered ticket, once',
        params: Params,
        body: Strict({ satisfaction: Type.Integer({ minimum: 1, maximum: 5 }), note: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.comment }))) }),
        response: { 200: TicketSchema, ...problems(409) },
      },
      config: { auth: HOTLINE_PERMISSION },
    },
    async (request) => toTicketView(await work(request, (w) => visitTicket(w, platform, request.principal!, request.params.id, request.body)), today()),
  );

  api.get(
    '/api/v1/hotline/knowledge',
    {
      schema: {
        operationId: 'searchHotlineKnowledge',
        tags,
        summary: 'Search the knowledge base: question, answer and keywords contain q (substring), in category',
        querystring: Strict({ q: Type.Optional(Type.String({ maxLength: 50 })), category: Type.Optional(Type.String({ maxLength: LIMITS.category })), all: Type.Optional(Type.Boolean({ description: 'inactive entries too' })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })) }),
        response: { 200: Type.Object({ items: Type.Array(KnowledgeSchema), nextCursor: Nullable(Type.String()) }) },
      },
      config: { auth: 'user' },
    },
    async (request) => {
      mayKeepKnowledge(request);
      return { items: await searchKnowledge(platform.db, request.query), nextCursor: null };
    },
  );

  api.post(
    '/api/v1/hotline/knowledge',
    {
      schema: {
        operationId: 'createHotlineKnowledge',
        tags,
        summary: 'Add an entry to the knowledge base',
        body: Strict({ category: KnowledgeFields.category, question: KnowledgeFields.question, answer: KnowledgeFields.answer, keywords: Type.Optional(KnowledgeFields.keywords), active: Type.Optional(KnowledgeFields.active) }),
        response: { 201: KnowledgeSchema, ...problems(403) },
      },
      config: { auth: 'user' },
    },
    async (request, reply) => {
      mayKeepKnowledge(request);
      return reply.status(201).send(await work(request, (w) => createKnowledge(w, platform, request.body)));
    },
  );

  api.patch(
    '/api/v1/hotline/knowledge/:id',
    {
      schema: {
        operationId: 'updateHotlineKnowledge',
        tags,
        summary: 'Change an entry of the knowledge base (or deactivate it)',
        params: Params,
        body: Strict({ category: Type.Optional(KnowledgeFields.category), question: Type.Optional(KnowledgeFields.question), answer: Type.Optional(KnowledgeFields.answer), keywords: Type.Optional(KnowledgeFields.keywords), active: Type.Optional(KnowledgeFields.active) }),
        response: { 200: KnowledgeSchema, ...problems(403) },
      },
      config: { auth: 'user' },
    },
    async (request) => {
      mayKeepKnowledge(request);
      return work(request, (w) => updateKnowledge(w, platform, request.params.id, request.body));
    },
  );
}
