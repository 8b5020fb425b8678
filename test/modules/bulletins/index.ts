/**
 * A module that exists only in the tests: bulletins (公告) that an editor posts and anyone finds,
 * through the platform's search index and nothing else (no tables of its own). It shows what a
 * module does with search: index its documents in its own unit of work, remove them, and expose
 * a search route that turns the search's refusals into problem+json. Installed by
 * `createTestContext({ modules: [bulletinsModule] })`.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, actorOf } from '../../../src/platform/http/index.ts';
import { inTransaction } from '../../../src/platform/db/work.ts';
import { recordAudit } from '../../../src/platform/audit/service.ts';
import type { Platform, ZtModule } from '../../../src/platform/module.ts';
import { indexDocuments, removeDocuments, searchDocuments } from '../../../src/platform/search/index.ts';

export const POST_BULLETINS = 'bulletin.post';
export const SOURCE = 'bulletin';

const Key = Type.String({ minLength: 1, maxLength: 60 });
const PostBody = Strict({
  items: Type.Array(
    Strict({
      id: Key,
      siteId: Type.Optional(Key),
      columnId: Type.Optional(Key),
      category: Type.Optional(Key),
      title: Type.String({ minLength: 1, maxLength: 300 }),
      body: Type.Optional(Type.String({ maxLength: 100_000 })),
      html: Type.Optional(Type.String({ maxLength: 100_000 })),
      publishedAt: Type.String({ format: 'date-time' }),
    }),
    { minItems: 1, maxItems: 500 },
  ),
});
const RemoveBody = Strict({ ids: Type.Array(Key, { minItems: 1, maxItems: 500 }) });
// q is checked by the search itself (its messages say what is wrong); the cap here only bounds the URL.
const SearchQuery = Strict({
  q: Type.String({ maxLength: 4000 }),
  siteId: Type.Optional(Key),
  columnId: Type.Optional(Key),
  category: Type.Optional(Key),
  from: Type.Optional(Type.String({ maxLength: 10 })),
  to: Type.Optional(Type.String({ maxLength: 10 })),
  limit: Type.Optional(Type.Integer()),
  offset: Type.Optional(Type.Integer()),
});

async function bulletinRoutes(app: FastifyInstance, platform: Platform) {
  app.post<{ Body: Static<typeof PostBody> }>('/api/v1/bulletins', { schema: { operationId: 'postBulletins', body: PostBody }, config: { auth: POST_BULLETINS } }, async (request) =>
    inTransaction(platform.db, actorOf(request), async (work) => {
      const now = platform.clock.now();
      await indexDocuments(
        work,
        request.body.items.map((b) => ({ ...b, source: SOURCE, url: `/bulletins/${encodeURIComponent(b.id)}`, publishedAt: new Date(b.publishedAt) })),
        now,
      );
      recordAudit(work, { action: 'bulletin.post', objectType: 'bulletin', objectId: request.body.items[0].id, details: { count: request.body.items.length } }, now);
      return { indexed: request.body.items.length };
    }),
  );
  app.post<{ Body: Static<typeof RemoveBody> }>('/api/v1/bulletins/remove', { schema: { operationId: 'removeBulletins', body: RemoveBody }, config: { auth: POST_BULLETINS } }, async (request) =>
    inTransaction(platform.db, actorOf(request), async (work) => {
      const removed = await removeDocuments(work, SOURCE, request.body.ids);
      recordAudit(work, { action: 'bulletin.remove', objectType: 'bulletin', objectId: request.body.ids[0], details: { count: removed } }, platform.clock.now());
      return { removed };
    }),
  );
  app.get<{ Querystring: Static<typeof SearchQuery> }>('/api/v1/bulletins/search', { schema: { operationId: 'searchBulletins', querystring: SearchQuery }, config: { auth: 'public' } }, async (request) => {
    const result = await searchDocuments(platform.db, request.query);
    return { ...result, items: result.items.map((i) => ({ ...i, publishedAt: i.publishedAt.toISOString() })) };
  });
}

export const bulletinsModule: ZtModule = {
  name: 'bulletin',
  routes: bulletinRoutes,
  permissions: [{ name: POST_BULLETINS, roles: ['editor'] }],
  messages: [
    {
      'zh-CN': { 'audit.action.bulletin.post': '发布公告', 'audit.action.bulletin.remove': '撤下公告', 'audit.object.bulletin': '公告' },
      en: { 'audit.action.bulletin.post': 'Post bulletins', 'audit.action.bulletin.remove': 'Remove bulletins', 'audit.object.bulletin': 'Bulletin' },
    },
  ],
};
