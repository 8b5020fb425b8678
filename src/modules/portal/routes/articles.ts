/** Articles and their editorial workflow over HTTP. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../../platform/module.ts';
import type { Work } from '../../../platform/db/work.ts';
import { inTransactionPublishing } from '../../../platform/static/index.ts';
import { idempotent } from '../../../platform/http/idempotency.ts';
import { Answer, Id, Nullable, StringEnum, Strict, actorOf, problems } from '../../../platform/http/index.ts';
import { MAX_BODY_CHARS } from '../../../platform/views/rich-text.ts';
import { ARTICLE_STATUSES, EDIT_PERMISSION, type ArticleStatus, LIMITS, MAX_ATTACHMENTS, MAX_KEYWORDS } from '../model.ts';
import { createArticle } from '../commands/create-article.ts';
import { updateArticle } from '../commands/update-article.ts';
import { submitArticle } from '../commands/submit-article.ts';
import { approveArticle } from '../commands/approve-article.ts';
import { rejectArticle } from '../commands/reject-article.ts';
import { withdrawArticle } from '../commands/withdraw-article.ts';
import { shareArticle } from '../commands/share-article.ts';
import { articleView, diffRevisions, listArticles, listRevisions } from '../queries/articles.ts';

const tags = ['portal'];
const Params = Strict({ id: Id });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const OptText = (max: number) => Type.Optional(Nullable(Type.String({ maxLength: max })));
const Time = (description: string) => Type.Optional(Nullable(Type.String({ format: 'date-time', maxLength: 40, description })));
const Any = Answer({});
const Empty = Strict({});
const ReasonBody = Strict({ reason: Text(LIMITS.reason) });
const StateAnswer = Answer({ id: Type.String(), status: StringEnum(ARTICLE_STATUSES), scheduled: Type.Optional(Type.Boolean({ description: 'approved, waiting for its publishAt (the schedule job publishes it)' })) });

const Content = {
  title: Text(LIMITS.title),
  subtitle: OptText(LIMITS.subtitle),
  summary: OptText(LIMITS.summary),
  body: Type.String({ minLength: 1, maxLength: MAX_BODY_CHARS, description: 'rich text (HTML) or plain text; sanitised: scripts, styles and event handlers are removed' }),
  source: OptText(LIMITS.source),
  author: OptText(LIMITS.author),
  keywords: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.keyword }), { maxItems: MAX_KEYWORDS })),
  attachments: Type.Optional(Type.Array(Id, { maxItems: MAX_ATTACHMENTS, description: 'ids of files uploaded through POST /api/v1/files' })),
  attachmentContact: OptText(LIMITS.contact),
  publishAt: Time('publish at this time once approved (in the future: else 422 PORTAL_PUBLISH_AT_PAST)'),
  unpublishAt: Time('take it down at this time'),
};
const ArticleBody = Strict({ siteId: Id, columnId: Id, ...Content });
const ArticlePatchBody = Strict(
  {
    columnId: Type.Optional(Id),
    title: Type.Optional(Content.title),
    subtitle: Content.subtitle,
    summary: Content.summary,
    body: Type.Optional(Content.body),
    source: Content.source,
    author: Content.author,
    keywords: Content.keywords,
    attachments: Content.attachments,
    attachmentContact: Content.attachmentContact,
    publishAt: Content.publishAt,
    unpublishAt: Content.unpublishAt,
  },
  { minProperties: 1 },
);
const ListParams = Strict({
  siteId: Type.Optional(Id),
  columnId: Type.Optional(Id),
  status: Type.Optional(StringEnum(ARTICLE_STATUSES)),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 300 })),
});
const DiffParams = Strict({ from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }) });

export async function articleRoutes(app: FastifyInstance, platform: Platform) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const write = <T>(request: FastifyRequest, fn: (work: Work) => Promise<T>) => inTransactionPublishing(platform, actorOf(request), fn);

  api.post(
    '/api/v1/portal/articles',
    {
      schema: {
        operationId: 'createPortalArticle',
        tags,
        summary: 'Write an article in a column (a draft)',
        description: 'An editor (or unit_admin) of the site’s unit; a column that names its editors only for them. Attachments need an alternative-format contact (attachmentContact).',
        body: ArticleBody,
        response: { 201: Answer({ id: Type.String(), status: Type.Literal('draft') }), ...problems(409, 422) },
      },
      config: { auth: EDIT_PERMISSION },
    },
    async (request, reply) => {
      const result = await idempotent(platform, request, actorOf(request), async (work) => ({ status: 201 as const, body: await createArticle(work, platform, request.principal!, request.body) }));
      return reply.status(201).send(result.body);
    },
  );

  api.get(
    '/api/v1/portal/articles',
    { schema: { operationId: 'listPortalArticles', tags, summary: 'Articles of the caller’s sites, newest change first', querystring: ListParams, response: { 200: Answer({ items: Type.Array(Any), nextCursor: Nullable(Type.String()) }) } }, config: { auth: 'user' } },
    async (request) => listArticles(platform.db, request.principal!, { ...request.query, limit: request.query.limit ?? 20 }),
  );

  api.get(
    '/api/v1/portal/articles/:id',
    { schema: { operationId: 'getPortalArticle', tags, summary: 'One article in full: url (its public address once published, else null), revisions (their count), shares, history', params: Params, response: { 200: Any } }, config: { auth: 'user' } },
    async (request) => articleView(platform.db, request.principal!, request.params.id),
  );

  api.patch(
    '/api/v1/portal/articles/:id',
    {
      schema: {
        operationId: 'updatePortalArticle',
        tags,
        summary: 'Edit an article: a new revision; a published one stays published and its pages follow',
        description: 'A submitted article waits for its review: 409.',
        params: Params,
        body: ArticlePatchBody,
        response: { 200: Any, ...problems(409, 422) },
      },
      config: { auth: EDIT_PERMISSION },
    },
    async (request) => write(request, (work) => updateArticle(work, platform, request.principal!, request.params.id, request.body)),
  );

  const action = (name: string, operationId: string, summary: string, run: (work: Work, request: FastifyRequest<{ Params: { id: string }; Body: { reason?: string } }>) => Promise<{ id: string; status: ArticleStatus; scheduled?: boolean }>, withReason: boolean) =>
    api.post(
      `/api/v1/portal/articles/:id/${name}`,
      { schema: { operationId, tags, summary, params: Params, body: withReason ? ReasonBody : Empty, response: { 200: StateAnswer, ...problems(409, 422) } }, config: { auth: EDIT_PERMISSION } },
      async (request) => write(request, (work) => run(work, request as never)),
    );
  action('submit', 'submitPortalArticle', 'Submit: to review, or (a column without review) published at once or at publishAt', (work, r) => submitArticle(work, platform, r.principal!, r.params.id), false);
  action('approve', 'approvePortalArticle', 'Approve: published at once, or at publishAt (scheduled). Not by the author: 403 PORTAL_OWN_ARTICLE', (work, r) => approveArticle(work, platform, r.principal!, r.params.id), false);
  action('reject', 'rejectPortalArticle', 'Send back to the author with a reason. Not by the author', (work, r) => rejectArticle(work, platform, r.principal!, r.params.id, { reason: r.body.reason! }), true);
  action('withdraw', 'withdrawPortalArticle', '撤稿: take a published article down with a reason, from its column and every shared column', (work, r) => withdrawArticle(work, platform, r.principal!, r.params.id, { reason: r.body.reason! }), true);

  api.post(
    '/api/v1/portal/articles/:id/share',
    {
      schema: {
        operationId: 'sharePortalArticle',
        tags,
        summary: 'Push a published article to a shared column of the main site (信息报送): waits for the main site’s editors',
        description: 'A column that is not a shared column of the main site: 422 PORTAL_COLUMN_NOT_SHARED; already waiting or shown there: 409 PORTAL_ALREADY_SHARED.',
        params: Params,
        body: Strict({ columnId: Id }),
        response: { 201: Answer({ id: Type.String(), status: Type.Literal('pending') }), ...problems(409, 422) },
      },
      config: { auth: EDIT_PERMISSION },
    },
    async (request, reply) => {
      const result = await idempotent(platform, request, actorOf(request), async (work) => ({ status: 201 as const, body: await shareArticle(work, platform, request.principal!, request.params.id, request.body) }));
      return reply.status(201).send(result.body);
    },
  );

  api.get(
    '/api/v1/portal/articles/:id/revisions',
    { schema: { operationId: 'listPortalArticleRevisions', tags, summary: 'The article’s revisions, newest first', params: Params, response: { 200: Answer({ items: Type.Array(Any) }) } }, config: { auth: 'user' } },
    async (request) => listRevisions(platform.db, request.principal!, request.params.id),
  );

  api.get(
    '/api/v1/portal/articles/:id/revisions/diff',
    { schema: { operationId: 'diffPortalArticleRevisions', tags, summary: 'What changed between two revisions: fields side by side, the body line by line', params: Params, querystring: DiffParams, response: { 200: Any } }, config: { auth: 'user' } },
    async (request) => diffRevisions(platform.db, request.principal!, request.params.id, request.query.from, request.query.to),
  );
}
