import Html from '@kitajs/html';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, notFound } from '../http/index.ts';
import type { Platform, PortalHomeBlock, PortalHomeLink } from '../module.ts';
import type { ViewContext } from '../views/context.ts';
import { portalName } from '../views/layout.tsx';
import * as org from '../org/service.ts';
import { attr, DataTable, EmptyState, PageHeading, Pagination, PageQueryFields } from '../views/index.ts';
import { renderPortal } from './shell.tsx';

const DirectoryQuery = Strict({
  region: Type.Optional(Type.String({ pattern: '^\\d{6}(\\d{3}){0,2}$' })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  ...PageQueryFields,
});
const HomeQuery = Strict({ ...PageQueryFields });


const TOP_REGIONS_FRESH_MS = 60_000;
const topRegionsCache = new WeakMap<object, { at: number; regions: ReturnType<typeof org.listRegions> }>();

/** The top regions for the home page's directory teaser, read at most once a minute (they change with a new province). */
function topRegionsOf(platform: Platform): ReturnType<typeof org.listRegions> {
  const hit = topRegionsCache.get(platform.db);
  if (hit && Date.now() - hit.at < TOP_REGIONS_FRESH_MS) return hit.regions;
  const regions = org.listRegions(platform.db, null);
  topRegionsCache.set(platform.db, { at: Date.now(), regions });
  regions.catch(() => topRegionsCache.delete(platform.db));
  return regions;
}

/** The installed modules' home page blocks, in module order; empty ones without a note are left out. */
async function homeBlocks(platform: Platform): Promise<PortalHomeBlock[]> {
  const parts = await Promise.all(platform.modules.portalHome.map((home) => home(platform)));
  return parts.flat().filter((block) => block.links.length || block.emptyKey);
}

function LinkLabel({ ctx, link }: { ctx: ViewContext; link: PortalHomeLink }) {
  return link.key ? <>{ctx.t(link.key)}</> : <span safe>{link.text ?? ''}</span>;
}

function LinkNote({ ctx, link }: { ctx: ViewContext; link: PortalHomeLink }) {
  return link.noteKey ? <span class="note">{ctx.t(link.noteKey, link.count === undefined ? undefined : { count: link.count })}</span> : '';
}

function HomeBlockView({ ctx, block }: { ctx: ViewContext; block: PortalHomeBlock }) {
  const titleId = `home-${block.id}-title`;
  return (
    <section class={`home-block home-block-${block.layout}`} id={`home-${attr(block.id)}`} aria-labelledby={titleId}>
      <h2 id={titleId}>{ctx.t(block.titleKey)}</h2>
      {!block.links.length ? (
        <p class="muted">{ctx.t(block.emptyKey!)}</p>
      ) : block.layout === 'cards' ? (
        <ul class="home-cards">
          {block.links.map((link) => (
            <li>
              <a href={attr(link.href)}>
                <strong>
                  <LinkLabel ctx={ctx} link={link} />
                </strong>
                <LinkNote ctx={ctx} link={link} />
              </a>
            </li>
          ))}
        </ul>
      ) : block.layout === 'list' ? (
        <ol class="home-list">
          {block.links.map((link) => (
            <li>
              <a href={attr(link.href)}>
                <LinkLabel ctx={ctx} link={link} />
              </a>
              <LinkNote ctx={ctx} link={link} />
            </li>
          ))}
        </ol>
      ) : (
        <ul class="home-chips">
          {block.links.map((link) => (
            <li>
              <a href={attr(link.href)}>
                <LinkLabel ctx={ctx} link={link} />
                {link.noteKey ? ' ' : ''}
                <LinkNote ctx={ctx} link={link} />
              </a>
            </li>
          ))}
        </ul>
      )}
      {block.more ? (
        <p>
          <a href={attr(block.more.href)}>{ctx.t(block.more.key)}</a>
        </p>
      ) : (
        ''
      )}
    </section>
  );
}

export async function portalPages(app: FastifyInstance, platform: Platform) {
  app.get('/', { schema: { querystring: HomeQuery }, config: { auth: 'public' } }, async (request, reply) => {
    // A module's own home page (the portal's main site), when one exists. Its pages are Chinese
    // only (they are published as files): a visitor who chose another language keeps this one.
    for (const module of request.lang === 'zh-CN' ? platform.modules.modules : []) {
      const page = module.portal?.homePage ? await module.portal.homePage(platform) : null;
      if (page !== null) return reply.type('text/html; charset=utf-8').send(page);
    }
    const [topRegions, blocks] = await Promise.all([topRegionsOf(platform), homeBlocks(platform)]);
    const search = platform.modules.portalSearch;
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.portal.nav.home'),
      body: (
      <>
        <section class="hero" aria-labelledby="hero-title">
          <div>
            <h1 id="hero-title">{portalName(ctx)}</h1>
            <p class="lead">
              <strong>{ctx.t('page.portal.hero.title')}</strong>
              {ctx.t('ui.colon')}
              {ctx.t('page.portal.hero.lead')}
            </p>
            {search ? (
              <form class="home-search" method="get" action={attr(search.action)} role="search">
                <label for="home-q">{ctx.t('page.portal.search.label')}</label>
                <input id="home-q" type="search" name="q" maxlength="100" placeholder={ctx.ta('page.portal.search.placeholder')} />
                <button type="submit" class="button">
                  {ctx.t('page.portal.search.submit')}
                </button>
              </form>
            ) : (
              ''
            )}
          </div>
          <div class="hero-aside">
            <h2>{ctx.t('page.portal.staff.title')}</h2>
            <p>{ctx.t('page.portal.staff.text')}</p>
            <p>
              <a class="button button-secondary" href={ctx.principal?.kind === 'staff' ? '/console' : '/console/login'}>
                {ctx.principal?.kind === 'staff' ? ctx.t('ui.console') : ctx.t('page.portal.staff.login')}
              </a>
            </p>
          </div>
        </section>
        {blocks.length ? (
          <div class="home-blocks">
            {blocks.map((block) => (
              <HomeBlockView ctx={ctx} block={block} />
            ))}
          </div>
        ) : (
          ''
        )}
        <div class="sections">
          {platform.modules.portalSections.map((section) => (
            <section class="section-card" id={section.id} aria-labelledby={`${section.id}-title`}>
              <h2 id={`${section.id}-title`}>{ctx.t(section.key)}</h2>
              <p>{ctx.t(section.textKey)}</p>
              <p>
                <a class="button" href={section.href}>
                  {ctx.t(section.linkKey)}
                </a>
              </p>
              <ul>
                {section.items.map((key) => (
                  <li>{ctx.t(key)}</li>
                ))}
              </ul>
            </section>
          ))}
        </div>
        <section class="panel directory-teaser" aria-labelledby="directory-title">
          <h2 id="directory-title">{ctx.t('page.portal.nav.directory')}</h2>
          <p>{ctx.t('page.portal.directory.text')}</p>
          {topRegions.length ? (
            <ul class="region-path">
              {topRegions.map((r) => (
                <li>
                  <a href={`/directory?region=${r.code}`} safe>
                    {r.name}
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">{ctx.t('page.portal.directory.empty')}</p>
          )}
        </section>
      </>
      ),
    }));
  });

  app.get<{ Querystring: Static<typeof DirectoryQuery> }>('/directory', { schema: { querystring: DirectoryQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const code = request.query.region ?? null;
    const region = code ? await org.getRegionWithAncestors(platform.db, code) : null;
    if (code && !region) throw notFound();
    const children = await org.listRegions(platform.db, code);
    const units = code ? await org.listUnits(platform.db, { regionCode: code, cursor: request.query.cursor, limit: 20 }) : { items: [], nextCursor: null };
    return renderPortal(request, reply, (ctx) => ({
      title: region ? Html.escapeHtml(region.name) : ctx.t('page.portal.nav.directory'),
      crumbs: region ? [{ href: '/directory', label: ctx.t('page.portal.nav.directory') }, { label: Html.escapeHtml(region.name) }] : [{ label: ctx.t('page.portal.nav.directory') }],
      body: (
        <>
          <PageHeading title={region ? <span safe>{region.name}</span> : ctx.t('page.portal.nav.directory')} lead={ctx.t('page.portal.directory.lead')} />
          {region ? (
            <nav aria-label={ctx.ta('page.portal.directory.path')}>
              <ol class="region-path">
                <li>
                  <a href="/directory">{ctx.t('page.portal.directory.all')}</a>
                </li>
                {region.ancestors.map((a) => (
                  <li>
                    <a href={`/directory?region=${a.code}`} safe>
                      {a.name}
                    </a>
                  </li>
                ))}
                <li aria-current="page" safe>
                  {region.name}
                </li>
              </ol>
            </nav>
          ) : (
            ''
          )}
          {children.length ? (
            <section class="panel" aria-labelledby="subregions-title">
              <h2 id="subregions-title">{region ? ctx.t('page.portal.directory.subregions') : ctx.t('page.portal.directory.topRegions')}</h2>
              <ul class="region-path">
                {children.map((r) => (
                  <li>
                    <a href={`/directory?region=${r.code}`} safe>
                      {r.name}
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          ) : (
            ''
          )}
          {region ? (
            units.items.length ? (
              <>
                <DataTable id="directory-units" caption={ctx.t('page.portal.directory.unitsIn', { region: region.name })} head={[ctx.t('console.units.name'), ctx.t('console.units.kind'), ctx.t('console.units.region')]}>
                  {units.items.map((u) => (
                    <tr>
                      <td safe>{u.name}</td>
                      <td>{ctx.t(`console.kind.${u.kind}`)}</td>
                      <td class="mono" safe>
                        {u.regionCode}
                      </td>
                    </tr>
                  ))}
                </DataTable>
                <Pagination ctx={ctx} nextCursor={units.nextCursor} hasPrevious={!!request.query.cursor} />
              </>
            ) : (
              <EmptyState>{ctx.t('page.portal.directory.noUnits')}</EmptyState>
            )
          ) : children.length ? (
            ''
          ) : (
            <EmptyState>{ctx.t('page.portal.directory.empty')}</EmptyState>
          )}
        </>
      ),
    }));
  });

  app.get('/accessibility', { schema: { querystring: HomeQuery }, config: { auth: 'public' } }, async (request, reply) =>
    renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.a11y.title'),
      crumbs: [{ label: ctx.t('page.a11y.title') }],
      body: (
      <article class="prose">
        <h1>{ctx.t('page.a11y.title')}</h1>
        <p>{ctx.t('page.a11y.intro')}</p>
        <h2>{ctx.t('page.a11y.standards.title')}</h2>
        <p>{ctx.t('page.a11y.standards.text')}</p>
        <h2>{ctx.t('page.a11y.features.title')}</h2>
        <ul>
          {['keyboard', 'skip', 'large', 'lang', 'noscript', 'forms'].map((k) => (
            <li>{ctx.t(`page.a11y.features.${k}`)}</li>
          ))}
        </ul>
        <p>
          <a href={attr(`/accessibility?display=${ctx.display === 'large' ? 'standard' : 'large'}`)}>{ctx.display === 'large' ? ctx.t('ui.displayStandard') : ctx.t('ui.displayLarge')}</a>
        </p>
        <h2>{ctx.t('page.a11y.testing.title')}</h2>
        <p>{ctx.t('page.a11y.testing.text')}</p>
        <h2>{ctx.t('page.a11y.limits.title')}</h2>
        <p>{ctx.t('page.a11y.limits.text')}</p>
        <h2>{ctx.t('page.a11y.feedback.title')}</h2>
        <p>{ctx.t('page.a11y.feedback.text')}</p>
      </article>
      ),
    })),
  );
}

