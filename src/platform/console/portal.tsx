import Html from '@kitajs/html';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, notFound } from '../http/index.ts';
import type { Platform } from '../module.ts';
import * as org from '../org/service.ts';
import { attr, DataTable, EmptyState, PageHeading, Pagination, PageQueryFields } from '../views/index.ts';
import { renderPortal } from './shell.tsx';

const DirectoryQuery = Strict({
  region: Type.Optional(Type.String({ pattern: '^\\d{6}(\\d{3}){0,2}$' })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  ...PageQueryFields,
});
const HomeQuery = Strict({ ...PageQueryFields });


export async function portalPages(app: FastifyInstance, platform: Platform) {
  app.get('/', { schema: { querystring: HomeQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const topRegions = await org.listRegions(platform.db, null);
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.portal.nav.home'),
      body: (
      <>
        <section class="hero" aria-labelledby="hero-title">
          <div>
            <h1 id="hero-title">{ctx.t('page.portal.hero.title')}</h1>
            <p class="lead">{ctx.t('page.portal.hero.lead')}</p>
          </div>
          <div class="hero-aside">
            <h2>{ctx.t('page.portal.staff.title')}</h2>
            <p>{ctx.t('page.portal.staff.text')}</p>
            <p>
              <a class="button" href={ctx.principal ? '/console' : '/console/login'}>
                {ctx.principal ? ctx.t('ui.console') : ctx.t('page.portal.staff.login')}
              </a>
            </p>
          </div>
        </section>
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

