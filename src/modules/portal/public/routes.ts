/**
 * The portal's public routes: pages that have no published file rendered on demand by the same
 * source (sub-sites under /s/<slug>/, sites with their own host name, the main site's columns and
 * articles at the top level), the search API and each site's search page, and the renderers' assets.
 *
 * The on-demand route is a GET wildcard: when the address is not a portal page it hands the
 * request to the platform's not-found handler (reply.callNotFound), so every other path keeps
 * its 404 (an HTML page, or problem+json under /api/).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, Strict, problems } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { searchDocuments, type SearchResult } from '../../../platform/search/index.ts';
import { portalAssetRoutes, renderSearch, type NavLink, type SearchFilter, type SearchView } from '../render/index.ts';
import { siteUrl } from '../urls.ts';
import { contextFor, renderPortalPage } from './pages.ts';
import { countVisit, DEFAULT_HOST } from '../../../platform/static/index.ts';
import { DEFAULT_CATALOGUE } from '../disclosure/index.ts';
import { hasPages, type SiteContext } from './views.ts';

const Key = Type.String({ minLength: 1, maxLength: 60 });
// q is checked by the search (its messages say what is wrong); the cap here only bounds the URL.
const SearchQuery = Strict({
  q: Type.String({ maxLength: 4000, description: 'Words to find (Chinese is cut into words); 1 to 100 characters that are not only punctuation' }),
  siteId: Type.Optional(Key),
  columnId: Type.Optional(Key),
  category: Type.Optional(Key),
  from: Type.Optional(Type.String({ maxLength: 10, description: 'YYYY-MM-DD (Asia/Shanghai), included' })),
  to: Type.Optional(Type.String({ maxLength: 10, description: 'YYYY-MM-DD (Asia/Shanghai), included' })),
  limit: Type.Optional(Type.Integer()),
  offset: Type.Optional(Type.Integer()),
});
const SearchAnswer = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      url: Type.String(),
      snippet: Type.String({ description: 'HTML: the text around the matches, escaped, the asked words in <mark>' }),
      publishedAt: Type.String({ format: 'date-time' }),
      siteId: Type.Union([Type.String(), Type.Null()]),
      columnId: Type.Union([Type.String(), Type.Null()]),
      source: Type.String(),
    }),
  ),
  total: Type.Integer(),
});
/** The search page's own query: loose (a visitor's typing), never an error page. */
const PageQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 4000 })),
    site: Type.Optional(Type.String({ maxLength: 60 })),
    column: Type.Optional(Type.String({ maxLength: 60 })),
    category: Type.Optional(Type.String({ maxLength: 60 })),
    within: Type.Optional(Type.String({ maxLength: 5 })),
    page: Type.Optional(Type.String({ maxLength: 6 })),
  },
  { additionalProperties: true },
);
type PageQueryT = Static<typeof PageQuery>;

const PAGE_SIZE = 10;
const publicRead = { auth: 'public' as const, rateLimit: { max: 120, timeWindow: '1 minute' } };

const hostOf = (request: FastifyRequest) => request.hostname.replace(/:\d+$/, '').toLowerCase();

/** The site a request's host names (one with its own host name) or null for the installation's address. */
async function siteHost(platform: Platform, request: FastifyRequest): Promise<string | null> {
  const host = hostOf(request);
  const found = await contextFor(platform, platform.db, { host, path: '/' });
  return found ? host : null;
}

function dateDaysAgo(now: Date, days: number): string {
  return new Date(now.getTime() + 8 * 3600_000 - days * 86_400_000).toISOString().slice(0, 10);
}

/** The search page of a site: the query kept, filters (site, column, time) as links, results. */
async function searchPage(platform: Platform, ctx: SiteContext, query: PageQueryT): Promise<string> {
  const q = (query.q ?? '').trim().slice(0, 100);
  const base = `${siteUrl(ctx.site)}search`;
  const params = { q, site: query.site, column: query.column, category: query.category, within: query.within };
  const href = (over: Partial<typeof params> & { page?: number }) => {
    const all = { ...params, ...over };
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(all)) if (v !== undefined && v !== '' && !(k === 'page' && v === 1)) search.set(k, String(v));
    return `${base}?${search.toString()}`;
  };
  // A sub-site searches itself unless asked for the whole group; the main site the whole group.
  const siteFilter = query.site === 'all' ? undefined : (query.site ?? (ctx.site.kind === 'main' ? undefined : ctx.site.id));
  const within = Number(query.within);
  const from = within === 7 || within === 30 || within === 365 ? dateDaysAgo(platform.clock.now(), within) : undefined;
  const page = Math.min(Math.max(1, Number.parseInt(query.page ?? '1', 10) || 1), 20);
  let result: SearchResult = { items: [], total: 0 } as unknown as SearchResult;
  if (q) {
    try {
      result = await searchDocuments(platform.db, { q, siteId: query.category ? undefined : siteFilter, columnId: query.column || undefined, category: query.category || undefined, from, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    } catch (error) {
      // A query that is only punctuation, or too long: an empty result, the words kept in the box.
      if (!(error instanceof AppError) || error.status >= 500) throw error;
    }
  }
  const option = (label: string, over: Partial<typeof params>, current: boolean): NavLink => ({ label, href: href({ ...over, page: 1 }), current });
  const siteOptions: NavLink[] = [
    option('全部站点', { site: ctx.site.kind === 'main' ? undefined : 'all', column: undefined }, siteFilter === undefined),
    ...(ctx.site.kind === 'main' ? [option('本站', { site: ctx.site.id, column: undefined }, siteFilter === ctx.site.id)] : [option('本站', { site: undefined, column: undefined }, siteFilter === ctx.site.id)]),
  ];
  const filters: SearchFilter[] = [
    { label: '站点', options: siteOptions },
    {
      label: '栏目',
      options: [option('全部栏目', { column: undefined }, !query.column), ...ctx.columns.filter((c) => hasPages(c) && c.kind === 'article_list').map((c) => option(c.name, { column: c.id, site: ctx.site.id }, query.column === c.id))],
    },
    {
      // Disclosure items (政府信息公开) by their first-level category, in every unit's catalogue.
      label: '公开类别',
      options: [option('不限', { category: undefined }, !query.category), ...DEFAULT_CATALOGUE.map((c) => option(c.name, { category: c.code, column: undefined, site: ctx.site.kind === 'main' ? undefined : 'all' }, query.category === c.code))],
    },
    {
      label: '时间',
      options: [option('不限', { within: undefined }, !from), option('一周内', { within: '7' }, within === 7), option('一月内', { within: '30' }, within === 30), option('一年内', { within: '365' }, within === 365)],
    },
  ];
  const sites = ctx.group.sites;
  const pages = Math.min(20, Math.ceil(result.total / PAGE_SIZE));
  const view: SearchView = {
    q,
    total: result.total,
    filters,
    items: result.items.map((hit) => {
      const source = hit.siteId && hit.siteId !== ctx.site.id ? sites.get(hit.siteId) : undefined;
      return { title: hit.title, url: hit.url, snippetHtml: hit.snippet, publishedAt: hit.publishedAt.toISOString(), sourceSite: source ? { name: source.name, url: siteUrl(source) } : null };
    }),
    pagination: pages > 1 ? { page, pages, hrefFor: (n) => href({ page: n }) } : null,
  };
  return renderSearch(ctx.view, view);
}

const html = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').send(body);

export async function portalPublicRoutes(app: FastifyInstance, platform: Platform) {
  await portalAssetRoutes(app);

  app.get<{ Querystring: Static<typeof SearchQuery> }>(
    '/api/v1/portal/search',
    {
      schema: {
        operationId: 'searchPortal',
        tags: ['portal'],
        summary: 'Full-text search of the published articles of every site or one (public)',
        description: 'Chinese is cut into words; results are ranked by relevance and freshness. Filters: site, column, disclosure category, dates. Rate-limited per address.',
        querystring: SearchQuery,
        response: { 200: SearchAnswer, ...problems(422) },
      },
      config: publicRead,
    },
    async (request) => {
      const result = await searchDocuments(platform.db, request.query);
      return { total: result.total, items: result.items.map((i) => ({ id: i.id, title: i.title, url: i.url, snippet: i.snippet, publishedAt: i.publishedAt.toISOString(), siteId: i.siteId, columnId: i.columnId, source: i.source })) };
    },
  );

  const searchRoute = async (request: FastifyRequest<{ Querystring: PageQueryT }>, reply: FastifyReply, path: string) => {
    const host = await siteHost(platform, request);
    const found = await contextFor(platform, platform.db, { host, path });
    if (!found) return reply.callNotFound();
    return html(reply, await searchPage(platform, found.ctx, request.query));
  };
  app.get<{ Querystring: PageQueryT }>('/search', { schema: { querystring: PageQuery, hide: true }, config: publicRead }, (request, reply) => searchRoute(request, reply, '/'));
  app.get<{ Querystring: PageQueryT; Params: { slug: string } }>('/s/:slug/search', { schema: { querystring: PageQuery, hide: true }, config: publicRead }, (request, reply) =>
    searchRoute(request, reply, `/s/${request.params.slug}/`),
  );

  // Any other address: a portal page not (yet) published, or the platform's 404.
  const maxParamLength = app.initialConfig.maxParamLength ?? 100;
  app.get('/*', { schema: { hide: true }, config: { auth: 'public' } }, async (request, reply) => {
    const path = request.url.split('?')[0];
    // The router answers 414 for a parameter longer than its limit only when no wildcard
    // matches; this route is that wildcard, so it keeps the same answer for every address.
    if (path.split('/').some((segment) => decodedLength(segment) > maxParamLength)) throw new AppError('URI_TOO_LONG');
    if (path.startsWith('/api/') || path.startsWith('/console/') || path.startsWith('/assets/')) return reply.callNotFound();
    let decoded: string;
    try {
      decoded = decodeURI(path);
    } catch {
      return reply.callNotFound();
    }
    const host = await siteHost(platform, request);
    const page = await renderPortalPage(platform, { host, path: decoded });
    if (!page) return reply.callNotFound();
    // Counted like a page served from its file (a visitor with 长者模式 or signed in gets it rendered).
    if ((page.contentType ?? 'text/html').startsWith('text/html')) countVisit(platform, host ?? DEFAULT_HOST, decoded);
    return reply.type(page.contentType ?? 'text/html; charset=utf-8').send(page.body);
  });
}

function decodedLength(segment: string): number {
  try {
    return decodeURIComponent(segment).length;
  } catch {
    return segment.length;
  }
}
