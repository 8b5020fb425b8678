/** Moderation of the message board: the queue, publish and hide, and the sensitive-word list. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../../platform/module.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import { Answer, AppError, Id, Nullable, StringEnum, Strict, Timestamp, actorOf, problems } from '../../../platform/http/index.ts';
import { hasPermission } from '../../../platform/iam/principal.ts';
import { CHANNELS, LIMITS, MODERATE_PERMISSION, MODERATION_STATES, SENSITIVE_WORDS_MAX, SETTINGS_PERMISSION } from '../model.ts';
import { listModeration, moderatedCase, sensitiveWords, toModerationItem } from '../queries/moderation.ts';
import { publishCase } from '../commands/publish-case.ts';
import { hideCase } from '../commands/hide-case.ts';
import { saveSensitiveWords } from '../commands/save-sensitive-words.ts';

const tags = ['interaction'];
const Params = Strict({ id: Id });
const ItemSchema = Answer({
  id: Type.String(),
  trackingNo: Type.String(),
  channel: StringEnum(CHANNELS),
  title: Type.String(),
  category: Nullable(Type.String()),
  handlingUnitId: Type.String(),
  handlingUnitName: Type.String(),
  writerName: Type.String({ description: 'masked' }),
  body: Type.String({ description: "the writer's text as received" }),
  answer: Nullable(Type.String()),
  answeredAt: Nullable(Timestamp()),
  publicBody: Type.String({ description: 'what the board shows (or would show by default): personal data removed' }),
  publicAnswer: Type.String(),
  flaggedWords: Type.Array(Type.String()),
  moderation: StringEnum(MODERATION_STATES),
  reason: Nullable(Type.String()),
  publishedAt: Nullable(Timestamp()),
  receivedAt: Timestamp(),
});
const WordsSchema = Type.Object({ words: Type.Array(Type.String()) });

function mayKeepWords(request: FastifyRequest) {
  const principal = request.principal!;
  if (!hasPermission(principal, SETTINGS_PERMISSION) && !hasPermission(principal, MODERATE_PERMISSION)) throw new AppError('FORBIDDEN');
}

export async function moderationRoutes(app: FastifyInstance, platform: Platform) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const work = <T>(request: Parameters<typeof actorOf>[0], fn: Parameters<typeof inTransaction<T>>[2]) => inTransaction(platform.db, actorOf(request), fn);
  const view = async (id: string, request: FastifyRequest) => toModerationItem(platform, await moderatedCase(platform.db, request.principal!, id), await sensitiveWords(platform.db));

  api.get(
    '/api/v1/interaction/moderation',
    {
      schema: {
        operationId: 'listInteractionModeration',
        tags,
        summary: "The message board's moderation queue in the caller's scope: pending oldest first, published and hidden newest first",
        querystring: Strict({ status: Type.Optional(StringEnum(['pending', 'published', 'hidden'] as const, { default: 'pending' })), cursor: Type.Optional(Type.String({ maxLength: 300 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })) }),
        response: { 200: Type.Object({ items: Type.Array(ItemSchema), nextCursor: Nullable(Type.String()) }) },
      },
      config: { auth: MODERATE_PERMISSION },
    },
    async (request) => listModeration(platform, request.principal!, { status: request.query.status ?? 'pending', limit: request.query.limit ?? 20, cursor: request.query.cursor }),
  );

  api.post(
    '/api/v1/interaction/cases/:id/publish',
    {
      schema: {
        operationId: 'publishInteractionCase',
        tags,
        summary: 'Publish an answered case on the message board (the texts default to the redacted question and answer)',
        params: Params,
        body: Type.Optional(Strict({ publicBody: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.body }))), publicAnswer: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.answer }))) })),
        response: { 200: ItemSchema, ...problems(409) },
      },
      config: { auth: MODERATE_PERMISSION },
    },
    async (request) => {
      await work(request, (w) => publishCase(w, platform, request.principal!, request.params.id, request.body ?? {}));
      return view(request.params.id, request);
    },
  );

  api.post(
    '/api/v1/interaction/cases/:id/hide',
    {
      schema: {
        operationId: 'hideInteractionCase',
        tags,
        summary: 'Keep a case off the message board, or take a published one down, with a reason',
        params: Params,
        body: Strict({ reason: Type.String({ minLength: 1, maxLength: LIMITS.reason }) }),
        response: { 200: ItemSchema, ...problems(409) },
      },
      config: { auth: MODERATE_PERMISSION },
    },
    async (request) => {
      await work(request, (w) => hideCase(w, platform, request.principal!, request.params.id, request.body));
      return view(request.params.id, request);
    },
  );

  api.get(
    '/api/v1/interaction/sensitive-words',
    { schema: { operationId: 'getInteractionSensitiveWords', tags, summary: 'The sensitive-word list of the board’s moderation', response: { 200: WordsSchema } }, config: { auth: 'user' } },
    async (request) => {
      mayKeepWords(request);
      return { words: await sensitiveWords(platform.db) };
    },
  );

  api.put(
    '/api/v1/interaction/sensitive-words',
    {
      schema: {
        operationId: 'putInteractionSensitiveWords',
        tags,
        summary: 'Replace the sensitive-word list (at most 2,000 words of 1–20 characters; duplicates kept once)',
        body: Strict({ words: Type.Array(Type.String({ maxLength: 100 }), { maxItems: SENSITIVE_WORDS_MAX * 2 }) }),
        response: { 200: WordsSchema, ...problems(403) },
      },
      config: { auth: 'user' },
    },
    async (request) => {
      mayKeepWords(request);
      return work(request, (w) => saveSensitiveWords(w, platform, request.body));
    },
  );
}
