/**
 * The console's 网站群 pages: the sites (and a new one from a template), a site's column tree with
 * a form to add a column, the review queue (稿件审核) and the shared-column inbox (信息报送). Forms
 * post and come back without script; every write goes through the same commands as the API.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { AppError, Id, Strict, actorOf } from '../../../platform/http/index.ts';
import type { Work } from '../../../platform/db/work.ts';
import { inTransactionPublishing } from '../../../platform/static/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { pageScope, renderConsole, type NavGroup } from '../../../platform/console/index.ts';
import { listUnits, type Unit } from '../../../platform/org/service.ts';
import { attempt, attr, Csrf, DataTable, EmptyRow, EmptyState, FormBody, formText, formatDateTime, redirect, SelectField, setFlash, TextField, type ViewContext } from '../../../platform/views/index.ts';
import { COLUMN_KINDS, EDIT_PERMISSION, MANAGE_PERMISSION, SITE_KINDS, type ColumnKind, type SiteKind } from '../model.ts';
import { TEMPLATES } from '../templates.ts';
import { listSites, siteColumns, getSite, type ColumnNode } from '../queries/sites.ts';
import { listArticles } from '../queries/articles.ts';
import { listShares } from '../queries/shares.ts';
import { mayManageUnit } from '../queries/access.ts';
import { createSite } from '../commands/create-site.ts';
import { createColumn } from '../commands/create-column.ts';
import { approveArticle } from '../commands/approve-article.ts';
import { rejectArticle } from '../commands/reject-article.ts';
import { acceptShare, declineShare } from '../commands/decide-share.ts';

const BASE = '/console/portal';
const IdParams = Strict({ id: Id });
type FormRoute = { Params: Static<typeof IdParams>; Body: Static<typeof FormBody> };

/** The console's 网站群 menu. */
export const portalNav: NavGroup = {
  id: 'portal-sites',
  key: 'page.portalAdmin.nav.group',
  items: [
    { href: BASE, key: 'page.portalAdmin.nav.sites', permission: EDIT_PERMISSION },
    { href: `${BASE}/new-site`, key: 'page.portalAdmin.nav.newSite', permission: MANAGE_PERMISSION },
    { href: `${BASE}/articles`, key: 'page.portalAdmin.nav.articles', permission: EDIT_PERMISSION },
    { href: `${BASE}/review`, key: 'page.portalAdmin.nav.review', permission: EDIT_PERMISSION },
    { href: `${BASE}/shares`, key: 'page.portalAdmin.nav.shares', permission: EDIT_PERMISSION },
    { href: `${BASE}/visits`, key: 'page.portalAdmin.nav.visits', permission: EDIT_PERMISSION },
  ],
};

/**
 * Runs a form's command. A refusal the editor can act on (a taken slug, a fourth level, a decision
 * already made) comes back to the page as a flash message in the caller's language; a missing
 * object (404) and faults go to the error page.
 */
async function formPost<T>(platform: Platform, request: FastifyRequest, reply: FastifyReply, run: (work: Work) => Promise<T>, success: string, target: (value: T) => string, back: string) {
  try {
    const result = await attempt(request.lang, () => inTransactionPublishing(platform, actorOf(request), run));
    setFlash(reply, result.ok ? { kind: 'success', key: success } : { kind: 'error', key: 'flash.portalAdmin.failed', params: { message: result.summary } });
    return redirect(reply, result.ok ? target(result.value) : back);
  } catch (error) {
    if (!(error instanceof AppError) || error.status === 404 || error.status >= 500) throw error;
    setFlash(reply, { kind: 'error', key: 'flash.portalAdmin.failed', params: { message: error.toProblem(request.lang).detail } });
    return redirect(reply, back);
  }
}

/** The units the caller may create sites for (sysadmin: every unit). */
async function manageableUnits(platform: Platform, request: FastifyRequest): Promise<Unit[]> {
  const out: Unit[] = [];
  let cursor: string | undefined;
  do {
    const page = await listUnits(platform.db, { limit: 200, cursor });
    out.push(...page.items.filter((u) => !u.disabledAt && mayManageUnit(request.principal!, u)));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < 5000);
  return out;
}

function ColumnTree({ ctx, nodes }: { ctx: ViewContext; nodes: ColumnNode[] }): JSX.Element {
  if (!nodes.length) return '';
  return (
    <ul class="home-list">
      {nodes.map((c) => (
        <li>
          <strong safe>{c.name}</strong> <span class="muted">{ctx.t(`page.portalAdmin.columnKind.${c.kind}`)}</span> <code safe>{c.url}</code>
          {c.shared ? <span class="tag">{ctx.t('page.portalAdmin.shared')}</span> : ''}
          {c.needsReview ? <span class="tag">{ctx.t('page.portalAdmin.needsReview')}</span> : ''}
          <ColumnTree ctx={ctx} nodes={c.children} />
        </li>
      ))}
    </ul>
  );
}

const flatten = (nodes: ColumnNode[]): ColumnNode[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);

export async function portalPages(app: FastifyInstance, platform: Platform) {
  pageScope(app);

  app.get(BASE, { config: { auth: 'user' } }, async (request, reply) => {
    const { items } = await listSites(platform.db, request.principal!);
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.portalAdmin.sites.title'),
      lead: ctx.t('page.portalAdmin.sites.lead'),
      crumbs: [{ label: ctx.ta('page.portalAdmin.sites.title') }],
      body: (
        <DataTable id="sites" caption={ctx.t('page.portalAdmin.sites.title')} head={[ctx.t('page.portalAdmin.field.name'), ctx.t('page.portalAdmin.field.kind'), ctx.t('page.portalAdmin.field.address'), ctx.t('page.portalAdmin.field.unit')]}>
          {items.length ? (
            items.map((s) => (
              <tr>
                <td>
                  <a href={attr(`${BASE}/sites/${s.id}`)} safe>
                    {s.name}
                  </a>
                </td>
                <td>{ctx.t(`page.portalAdmin.siteKind.${s.kind}`)}</td>
                <td>
                  <code safe>{s.url}</code>
                </td>
                <td safe>{s.unitName}</td>
              </tr>
            ))
          ) : (
            <EmptyRow columns={4}>{ctx.t('page.portalAdmin.sites.none')}</EmptyRow>
          )}
        </DataTable>
      ),
    }));
  });

  app.get(`${BASE}/new-site`, { config: { auth: MANAGE_PERMISSION } }, async (request, reply) => {
    const units = await manageableUnits(platform, request);
    const form = 'site';
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.portalAdmin.newSite.title'),
      lead: ctx.t('page.portalAdmin.newSite.lead'),
      crumbs: [{ label: ctx.ta('page.portalAdmin.sites.title'), href: BASE }, { label: ctx.ta('page.portalAdmin.newSite.title') }],
      body: (
        <form method="post" action={`${BASE}/new-site`} class="panel">
          <Csrf ctx={ctx} />
          <TextField ctx={ctx} form={form} name="name" label={ctx.ta('page.portalAdmin.field.name')} required maxlength={100} />
          <SelectField ctx={ctx} form={form} name="kind" label={ctx.ta('page.portalAdmin.field.kind')} required options={SITE_KINDS.map((k) => ({ value: k, label: ctx.ta(`page.portalAdmin.siteKind.${k}`) }))} />
          <SelectField ctx={ctx} form={form} name="unitId" label={ctx.ta('page.portalAdmin.field.unit')} required options={units.map((u) => ({ value: u.id, label: u.name }))} />
          <TextField ctx={ctx} form={form} name="slug" label={ctx.ta('page.portalAdmin.field.slug')} hint={ctx.ta('page.portalAdmin.field.slugHint')} required maxlength={40} pattern="[a-z0-9]+(-[a-z0-9]+)*" />
          <SelectField ctx={ctx} form={form} name="template" label={ctx.ta('page.portalAdmin.field.template')} hint={ctx.ta('page.portalAdmin.field.templateHint')} options={TEMPLATES.map((t) => ({ value: t, label: ctx.ta(`page.portalAdmin.theme.${t}`) }))} />
          <button type="submit" class="button button-primary">
            {ctx.t('page.portalAdmin.newSite.submit')}
          </button>
        </form>
      ),
    }));
  });

  app.post<{ Body: Static<typeof FormBody> }>(`${BASE}/new-site`, { schema: { body: FormBody }, config: { auth: MANAGE_PERMISSION } }, async (request, reply) =>
    formPost(
      platform,
      request,
      reply,
      (work) =>
        createSite(work, platform, request.principal!, {
          name: formText(request.body, 'name'),
          kind: formText(request.body, 'kind') as SiteKind,
          unitId: formText(request.body, 'unitId'),
          slug: formText(request.body, 'slug'),
          template: (formText(request.body, 'template') || undefined) as never,
        }),
      'flash.portalAdmin.siteCreated',
      (made) => `${BASE}/sites/${made.id}`,
      `${BASE}/new-site`,
    ),
  );

  app.get<{ Params: Static<typeof IdParams> }>(`${BASE}/sites/:id`, { schema: { params: IdParams }, config: { auth: 'user' } }, async (request, reply) => {
    const site = await getSite(platform.db, request.principal!, request.params.id);
    const tree = await siteColumns(platform.db, request.principal!, site.id);
    const parents = flatten(tree.items).filter((c) => c.depth < 3 && c.kind === 'article_list');
    const form = 'column';
    return renderConsole(platform, request, reply, (ctx) => ({
      title: <span safe>{site.name}</span>,
      lead: ctx.t('page.portalAdmin.site.lead', { url: site.url }),
      crumbs: [{ label: ctx.ta('page.portalAdmin.sites.title'), href: BASE }, { label: <span safe>{site.name}</span> }],
      body: (
        <>
          <p class="actions">
            <a class="button button-primary" href={attr(`${BASE}/articles/new?siteId=${site.id}`)}>
              {ctx.t('page.portalAdmin.article.new')}
            </a>{' '}
            <a class="button button-secondary" href={attr(`${BASE}/articles?siteId=${site.id}`)}>
              {ctx.t('page.portalAdmin.site.articles')}
            </a>
          </p>
          <section class="panel" aria-labelledby="columns-title">
            <h2 id="columns-title">{ctx.t('page.portalAdmin.site.columns')}</h2>
            {tree.items.length ? <ColumnTree ctx={ctx} nodes={tree.items} /> : <EmptyState>{ctx.t('page.portalAdmin.site.noColumns')}</EmptyState>}
          </section>
          <form method="post" action={attr(`${BASE}/sites/${site.id}/columns`)} class="panel" aria-labelledby="add-title">
            <h2 id="add-title">{ctx.t('page.portalAdmin.site.addColumn')}</h2>
            <Csrf ctx={ctx} />
            <TextField ctx={ctx} form={form} name="name" label={ctx.ta('page.portalAdmin.field.name')} required maxlength={100} />
            <TextField ctx={ctx} form={form} name="slug" label={ctx.ta('page.portalAdmin.field.slug')} hint={ctx.ta('page.portalAdmin.field.slugHint')} required maxlength={40} pattern="[a-z0-9]+(-[a-z0-9]+)*" />
            <SelectField ctx={ctx} form={form} name="kind" label={ctx.ta('page.portalAdmin.field.columnKind')} required options={COLUMN_KINDS.map((k) => ({ value: k, label: ctx.ta(`page.portalAdmin.columnKind.${k}`) }))} />
            <SelectField ctx={ctx} form={form} name="parentId" label={ctx.ta('page.portalAdmin.field.parent')} placeholder={ctx.ta('page.portalAdmin.field.topLevel')} options={parents.map((c) => ({ value: c.id, label: `${'—'.repeat(c.depth - 1)}${c.name}` }))} />
            <TextField ctx={ctx} form={form} name="externalUrl" label={ctx.ta('page.portalAdmin.field.externalUrl')} hint={ctx.ta('page.portalAdmin.field.externalUrlHint')} maxlength={500} />
            <button type="submit" class="button button-primary">
              {ctx.t('page.portalAdmin.site.addColumn')}
            </button>
          </form>
        </>
      ),
    }));
  });

  app.post<FormRoute>(`${BASE}/sites/:id/columns`, { schema: { params: IdParams, body: FormBody }, config: { auth: 'user' } }, async (request, reply) => {
    const back = `${BASE}/sites/${request.params.id}`;
    return formPost(
      platform,
      request,
      reply,
      (work) =>
        createColumn(work, platform, request.principal!, request.params.id, {
          name: formText(request.body, 'name'),
          slug: formText(request.body, 'slug'),
          kind: formText(request.body, 'kind') as ColumnKind,
          parentId: formText(request.body, 'parentId') || null,
          externalUrl: formText(request.body, 'externalUrl') || null,
        }),
      'flash.portalAdmin.columnAdded',
      () => back,
      back,
    );
  });

  app.get(`${BASE}/review`, { config: { auth: EDIT_PERMISSION } }, async (request, reply) => {
    const page = await listArticles(platform.db, request.principal!, { status: 'submitted', limit: 100 });
    const waiting = page.items.filter((a) => !a.scheduled);
    const me = request.principal!.userId;
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.portalAdmin.review.title'),
      lead: ctx.t('page.portalAdmin.review.lead'),
      crumbs: [{ label: ctx.ta('page.portalAdmin.review.title') }],
      body: waiting.length ? (
        <>
          {waiting.map((a) => (
            <article class="panel" aria-labelledby={`a-${attr(a.id)}`}>
              <h2 id={`a-${attr(a.id)}`} safe>
                {a.title}
              </h2>
              <p class="muted">{ctx.t('page.portalAdmin.review.meta', { at: formatDateTime(a.updatedAt, ctx.lang), revision: a.revision })}</p>
              <p class="actions">
                <a class="button button-secondary" href={attr(`${BASE}/articles/${a.id}/preview`)}>
                  {ctx.t('page.portalAdmin.review.preview')}
                </a>{' '}
                <a href={attr(`${BASE}/articles/${a.id}`)}>{ctx.t('page.portalAdmin.review.open')}</a>
              </p>
              {a.createdBy === me ? (
                <p>{ctx.t('page.portalAdmin.review.own')}</p>
              ) : (
                <>
                  <form method="post" action={attr(`${BASE}/review/${a.id}/approve`)}>
                    <Csrf ctx={ctx} />
                    <button type="submit" class="button button-primary">
                      {ctx.t('page.portalAdmin.review.approve')}
                    </button>
                  </form>
                  <form method="post" action={attr(`${BASE}/review/${a.id}/reject`)}>
                    <Csrf ctx={ctx} />
                    <TextField ctx={ctx} form={`reject-${a.id}`} name="reason" label={ctx.ta('page.portalAdmin.reason')} required maxlength={500} size="long" />
                    <button type="submit" class="button button-danger">
                      {ctx.t('page.portalAdmin.review.reject')}
                    </button>
                  </form>
                </>
              )}
            </article>
          ))}
        </>
      ) : (
        <EmptyState>{ctx.t('page.portalAdmin.review.none')}</EmptyState>
      ),
    }));
  });
  const review = `${BASE}/review`;
  app.post<FormRoute>(`${BASE}/review/:id/approve`, { schema: { params: IdParams, body: FormBody }, config: { auth: EDIT_PERMISSION } }, async (request, reply) =>
    formPost(platform, request, reply, (work) => approveArticle(work, platform, request.principal!, request.params.id), 'flash.portalAdmin.approved', () => review, review),
  );
  app.post<FormRoute>(`${BASE}/review/:id/reject`, { schema: { params: IdParams, body: FormBody }, config: { auth: EDIT_PERMISSION } }, async (request, reply) =>
    formPost(platform, request, reply, (work) => rejectArticle(work, platform, request.principal!, request.params.id, { reason: formText(request.body, 'reason') }), 'flash.portalAdmin.rejected', () => review, review),
  );

  app.get(`${BASE}/shares`, { config: { auth: EDIT_PERMISSION } }, async (request, reply) => {
    const page = await listShares(platform.db, request.principal!, { status: 'pending', direction: 'inbox', limit: 100 });
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.portalAdmin.shares.title'),
      lead: ctx.t('page.portalAdmin.shares.lead'),
      crumbs: [{ label: ctx.ta('page.portalAdmin.shares.title') }],
      body: page.items.length ? (
        <>
          {page.items.map((s) => (
            <article class="panel" aria-labelledby={`s-${attr(s.id)}`}>
              <h2 id={`s-${attr(s.id)}`} safe>
                {s.title}
              </h2>
              <p class="muted">{ctx.t('page.portalAdmin.shares.meta', { site: s.sourceSiteName, column: s.columnName, at: formatDateTime(s.pushedAt, ctx.lang) })}</p>
              {s.summary ? <p safe>{s.summary}</p> : ''}
              <form method="post" action={attr(`${BASE}/shares/${s.id}/accept`)}>
                <Csrf ctx={ctx} />
                <button type="submit" class="button button-primary">
                  {ctx.t('page.portalAdmin.shares.accept')}
                </button>
              </form>
              <form method="post" action={attr(`${BASE}/shares/${s.id}/decline`)}>
                <Csrf ctx={ctx} />
                <TextField ctx={ctx} form={`decline-${s.id}`} name="reason" label={ctx.ta('page.portalAdmin.reason')} required maxlength={500} size="long" />
                <button type="submit" class="button button-danger">
                  {ctx.t('page.portalAdmin.shares.decline')}
                </button>
              </form>
            </article>
          ))}
        </>
      ) : (
        <EmptyState>{ctx.t('page.portalAdmin.shares.none')}</EmptyState>
      ),
    }));
  });
  const shares = `${BASE}/shares`;
  app.post<FormRoute>(`${BASE}/shares/:id/accept`, { schema: { params: IdParams, body: FormBody }, config: { auth: EDIT_PERMISSION } }, async (request, reply) =>
    formPost(platform, request, reply, (work) => acceptShare(work, platform, request.principal!, request.params.id), 'flash.portalAdmin.accepted', () => shares, shares),
  );
  app.post<FormRoute>(`${BASE}/shares/:id/decline`, { schema: { params: IdParams, body: FormBody }, config: { auth: EDIT_PERMISSION } }, async (request, reply) =>
    formPost(platform, request, reply, (work) => declineShare(work, platform, request.principal!, request.params.id, { reason: formText(request.body, 'reason') }), 'flash.portalAdmin.declined', () => shares, shares),
  );
}
