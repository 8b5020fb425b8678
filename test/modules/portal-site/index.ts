/**
 * A module that exists only in the tests: the portal's site pages served from fixture data through
 * the pure renderers (src/modules/portal/render), under /t/ (the main site, 政务蓝), /t/s/jyj/
 * (a department, 清新绿) and /t/s/dongshan/ (a county, 政务红), with the portal's hashed assets. The browser test drives these pages;
 * the real portal module serves the same renderers from its database and published files.
 * Installed by `createTestContext({ modules: [portalSiteModule] })`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZtModule } from '../../../src/platform/module.ts';
import {
  portalAssetRoutes,
  renderArticle,
  renderColumnList,
  renderHome,
  renderNotFound,
  renderRss,
  renderSearch,
  renderSitemap,
  type SiteView,
} from '../../../src/modules/portal/render/index.ts';
import * as fx from './fixtures.ts';

export const BASE = '/t/';
const ORIGIN = 'https://www.yunchuan.gov.cn';
const PAGE_SIZE = 10;

const sites: Record<string, () => SiteView> = {
  [BASE]: () => fx.mainSite(`${ORIGIN}${BASE}`),
  [`${BASE}s/jyj/`]: () => ({ ...fx.educationSite(`${ORIGIN}${BASE}s/jyj/`), parentSite: { label: '云川市人民政府', href: BASE } }),
  [`${BASE}s/dongshan/`]: () => ({ ...fx.countySite(`${ORIGIN}${BASE}s/dongshan/`), parentSite: { label: '云川市人民政府', href: BASE } }),
};

const send = (reply: FastifyReply, body: string, status = 200, type = 'text/html; charset=utf-8') => reply.status(status).type(type).send(body);

/** The list page's address: page 1 is the column's index, the others index_<n>.html (as published). */
const listHref = (columnUrl: string) => (n: number) => (n === 1 ? columnUrl : `${columnUrl}index_${n}.html`);

async function portalSiteRoutes(app: FastifyInstance) {
  await portalAssetRoutes(app);
  for (const [prefix, siteOf] of Object.entries(sites)) {
    app.get(prefix, { config: { auth: 'public' } }, async (_request, reply) => {
      const site = siteOf();
      const home = fx.homeView();
      // The sub-site has no service hall of its own: the headline and its blocks only.
      return send(reply, renderHome(site, site.kind === 'main' ? home : { ...home, serviceHall: null, interaction: null }));
    });

    const listPage = async (reply: FastifyReply, page: number) => {
      const site = siteOf();
      const column = fx.newsColumn(site);
      const all = fx.manyItems();
      const pages = Math.ceil(all.length / PAGE_SIZE);
      if (page < 1 || page > pages) return send(reply, renderNotFound(site), 404);
      return send(reply, renderColumnList(site, column, { items: all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), pagination: { page, pages, hrefFor: listHref(column.url) } }));
    };
    app.get(`${prefix}c/news/`, { config: { auth: 'public' } }, async (_request, reply) => listPage(reply, 1));
    app.get<{ Params: { n: string } }>(`${prefix}c/news/index_:n.html`, { config: { auth: 'public' } }, async (request, reply) => listPage(reply, Number(request.params.n)));

    app.get(`${prefix}a/1002.html`, { config: { auth: 'public' } }, async (_request, reply) => {
      const site = siteOf();
      return send(reply, renderArticle(site, fx.newsColumn(site), fx.articleView()));
    });

    app.get<{ Querystring: { q?: string } }>(`${prefix}search`, { config: { auth: 'public' } }, async (request, reply) => {
      const site = siteOf();
      const q = typeof request.query.q === 'string' ? request.query.q.slice(0, 100) : '';
      const found = fx.searchView(q || '一网通办', prefix);
      return send(reply, renderSearch(site, q ? (q.includes('一网通办') ? found : { ...found, q, items: [], total: 0, pagination: null }) : { q: '', items: [], total: 0, filters: [], pagination: null }));
    });

    app.get(`${prefix}c/news/rss.xml`, { config: { auth: 'public' } }, async (_request, reply) => {
      const site = siteOf();
      return send(reply, renderRss(site, fx.newsColumn(site), { selfUrl: `${prefix}c/news/rss.xml`, items: fx.manyItems().slice(0, 20) }), 200, 'application/rss+xml; charset=utf-8');
    });
    app.get(`${prefix}sitemap.xml`, { config: { auth: 'public' } }, async (_request, reply) => {
      const site = siteOf();
      return send(reply, renderSitemap(site, [{ url: prefix }, { url: `${prefix}c/news/` }, { url: `${prefix}a/1002.html`, lastmod: fx.articleView().publishedAt }]), 200, 'application/xml; charset=utf-8');
    });
  }
  // Anything else under the main site is its 404 page.
  app.get(`${BASE}*`, { config: { auth: 'public' } }, async (_request, reply) => send(reply, renderNotFound(sites[BASE]()), 404));
}

export const portalSiteModule: ZtModule = {
  name: 'portalsite',
  migrations: {},
  routes: portalSiteRoutes,
};
