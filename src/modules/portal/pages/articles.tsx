/**
 * The console's articles (稿件): the list of the caller's sites' articles, the editor (write, save,
 * preview in the site's own theme, submit), an article's page with its state, withdrawal (撤稿),
 * the push to a shared column of the main site, its revisions and what changed between two.
 * Forms post and come back without script; every write goes through the same commands as the API.
 */
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, Strict, StringEnum, actorOf } from '../../../platform/http/index.ts';
import { inTransactionPublishing } from '../../../platform/static/index.ts';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { pageScope, renderConsole } from '../../../platform/console/index.ts';
import { displayNames } from '../../../platform/iam/holders.ts';
import { translate } from '../../../platform/i18n/index.ts';
import { attr, Csrf, DataTable, EmptyRow, EmptyState, FormBody, formatDateTime, formText, PageQueryFields, Pagination, redirect, SelectField, setFlash, TextField, type ViewContext } from '../../../platform/views/index.ts';
import { ARTICLE_STATUSES, EDIT_PERMISSION, LIMITS, portalDb, type ArticleRow, type ArticleStatus, type SiteRow } from '../model.ts';
import { accessibleSite, mainSite, mayEditUnit, visibleSites } from '../queries/access.ts';
import { articleView, listArticles, listRevisions, readableArticle } from '../queries/articles.ts';
import { siteColumnRows } from '../queries/public.ts';
import { createArticle } from '../commands/create-article.ts';
import { updateArticle } from '../commands/update-article.ts';
import { submitArticle } from '../commands/submit-article.ts';
import { withdrawArticle } from '../commands/withdraw-article.ts';
import { shareArticle } from '../commands/share-article.ts';
import { previewArticle } from '../public/preview.ts';
import { attemptForm } from '../disclosure/pages/parts.tsx';
import { ArticleForm, inputOf, intentOf, patchOf, valuesOf, valuesOfArticle, type FormState, type FormValues } from './article-form.tsx';
import { DiffView, diffPage } from './article-diff.tsx';

export const ARTICLES = '/console/portal/articles';
const IdParams = Strict({ id: Id });
const ListQuery = Strict({ siteId: Type.Optional(Id), status: Type.Optional(StringEnum(ARTICLE_STATUSES)), cursor: Type.Optional(Type.String({ maxLength: 300 })), ...PageQueryFields });
const NewQuery = Strict({ siteId: Type.Optional(Id), ...PageQueryFields });
type IdRoute = { Params: Static<typeof IdParams>; Body: Static<typeof FormBody> };

const articleHref = (id: string) => `${ARTICLES}/${id}`;
const statusName = (ctx: ViewContext, status: ArticleStatus) => ctx.t(`page.portalAdmin.articleStatus.${status}`);
const StatusTag = ({ ctx, a }: { ctx: ViewContext; a: Pick<ArticleRow, 'status' | 'scheduled'> }) => (
  <span class={`tag tag-${a.status}`}>{a.scheduled && a.status === 'submitted' ? ctx.t('page.portalAdmin.articleStatus.scheduled') : statusName(ctx, a.status)}</span>
);

async function columnNames(platform: Platform, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await portalDb(platform.db).selectFrom('portal_columns').select(['id', 'name']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Shared columns of the main site a sub-site's article can be pushed to. */
async function sharedColumns(platform: Platform, site: SiteRow) {
  const main = await mainSite(platform.db);
  if (!main || main.id === site.id) return [];
  return (await siteColumnRows(platform.db, main.id)).filter((c) => c.shared && c.kind === 'article_list');
}

async function renderEditor(platform: Platform, request: FastifyRequest, reply: FastifyReply, site: SiteRow, article: ArticleRow | null, state: FormState = {}) {
  const columns = await siteColumnRows(platform.db, site.id);
  const values: FormValues = state.values ?? (article ? valuesOfArticle(article) : {});
  const action = article ? articleHref(article.id) : `${ARTICLES}/new?siteId=${encodeURIComponent(site.id)}`;
  if (article) return renderArticlePage(platform, request, reply, site, article, { values, state, action, columns });
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('page.portalAdmin.article.new'),
    lead: ctx.t('page.portalAdmin.article.newLead', { site: site.name }),
    crumbs: [{ label: ctx.ta('page.portalAdmin.articles.title'), href: ARTICLES }, { label: ctx.ta('page.portalAdmin.article.new') }],
    status: state.status,
    body: <ArticleForm ctx={ctx} action={action} values={values} state={state} columns={columns} submitKey="page.portalAdmin.article.saveAndSubmit" />,
  }));
}

interface EditorParts {
  values: FormValues;
  state: FormState;
  action: string;
  columns: Awaited<ReturnType<typeof siteColumnRows>>;
}

async function renderArticlePage(platform: Platform, request: FastifyRequest, reply: FastifyReply, site: SiteRow, article: ArticleRow, editor?: EditorParts) {
  const view = await articleView(platform.db, request.principal!, article.id);
  const revisions = (await listRevisions(platform.db, request.principal!, article.id)).items;
  const names = await displayNames(platform.db, [...view.history.map((h) => h.actorId), ...revisions.map((r) => r.createdBy)].filter((id): id is string => !!id));
  const columns = editor?.columns ?? (await siteColumnRows(platform.db, site.id));
  const column = columns.find((c) => c.id === article.column_id);
  const targets = article.status === 'published' ? await sharedColumns(platform, site) : [];
  const taken = new Set(view.shares.filter((s) => s.status !== 'declined' && s.status !== 'removed').map((s) => s.columnId));
  const pushable = targets.filter((c) => !taken.has(c.id));
  const editable = article.status !== 'submitted';
  return renderConsole(platform, request, reply, (ctx) => ({
    title: Html.escapeHtml(article.title),
    lead: ctx.t('page.portalAdmin.article.lead', { site: site.name, column: column?.name ?? '', revision: article.revision }),
    crumbs: [{ label: ctx.ta('page.portalAdmin.articles.title'), href: ARTICLES }, { label: Html.escapeHtml(article.title) }],
    status: editor?.state.status,
    body: (
      <>
        <section class="panel" aria-labelledby="state-title">
          <h2 id="state-title">{ctx.t('page.portalAdmin.article.state')}</h2>
          <p>
            <StatusTag ctx={ctx} a={article} /> {ctx.t('page.portalAdmin.article.updatedAt', { at: formatDateTime(article.updated_at, ctx.lang) })}
            {article.scheduled && article.publish_at ? <> {ctx.t('page.portalAdmin.article.scheduledAt', { at: formatDateTime(article.publish_at, ctx.lang) })}</> : ''}
          </p>
          {article.reason && (article.status === 'rejected' || article.status === 'withdrawn') ? <p>{ctx.t(`page.portalAdmin.article.reason.${article.status}`, { reason: article.reason })}</p> : ''}
          {article.status === 'submitted' ? <p>{ctx.t('page.portalAdmin.article.inReview')}</p> : ''}
          <p class="actions">
            <a class="button button-secondary" href={attr(`${articleHref(article.id)}/preview`)}>
              {ctx.t('page.portalAdmin.article.preview')}
            </a>{' '}
            {view.url ? (
              <a class="button button-secondary" href={attr(view.url)}>
                {ctx.t('page.portalAdmin.article.viewPublic')}
              </a>
            ) : (
              ''
            )}
          </p>
        </section>
        {editable ? (
          <section class="panel" aria-labelledby="edit-title">
            <h2 id="edit-title">{ctx.t('page.portalAdmin.article.edit')}</h2>
            {article.status === 'published' ? <p class="muted">{ctx.t('page.portalAdmin.article.editPublished')}</p> : ''}
            <ArticleForm
              ctx={ctx}
              action={articleHref(article.id)}
              values={editor?.values ?? valuesOfArticle(article)}
              state={editor?.state ?? {}}
              columns={columns}
              submitKey={article.status === 'published' ? null : 'page.portalAdmin.article.saveAndSubmit'}
              version={article.version}
            />
          </section>
        ) : (
          ''
        )}
        {article.status === 'published' ? (
          <section class="panel" aria-labelledby="withdraw-title">
            <h2 id="withdraw-title">{ctx.t('page.portalAdmin.article.withdraw')}</h2>
            <p class="muted">{ctx.t('page.portalAdmin.article.withdrawLead')}</p>
            <form method="post" action={attr(`${articleHref(article.id)}/withdraw`)} class="form">
              <Csrf ctx={ctx} />
              <TextField ctx={ctx} form="withdraw" name="reason" label={ctx.ta('page.portalAdmin.reason')} required maxlength={LIMITS.reason} size="long" />
              <button type="submit" class="button button-danger">
                {ctx.t('page.portalAdmin.article.withdraw')}
              </button>
            </form>
          </section>
        ) : (
          ''
        )}
        {targets.length || view.shares.length ? (
          <section class="panel" aria-labelledby="share-title">
            <h2 id="share-title">{ctx.t('page.portalAdmin.article.share')}</h2>
            {view.shares.length ? (
              <ul class="home-list">
                {view.shares.map((s) => (
                  <li>
                    <span safe>{s.columnName}</span> · {ctx.t(`page.portalAdmin.shareStatus.${s.status}`)} · {Html.escapeHtml(formatDateTime(s.pushedAt, ctx.lang))}
                    {s.reason ? <> · <span safe>{s.reason}</span></> : ''}
                  </li>
                ))}
              </ul>
            ) : (
              ''
            )}
            {pushable.length ? (
              <form method="post" action={attr(`${articleHref(article.id)}/share`)} class="form">
                <Csrf ctx={ctx} />
                <SelectField ctx={ctx} form="share" name="columnId" label={ctx.ta('page.portalAdmin.article.shareColumn')} required options={pushable.map((c) => ({ value: c.id, label: c.name }))} />
                <button type="submit" class="button">
                  {ctx.t('page.portalAdmin.article.sharePush')}
                </button>
              </form>
            ) : (
              ''
            )}
          </section>
        ) : (
          ''
        )}
        <DataTable id="revisions" caption={ctx.t('page.portalAdmin.article.revisions')} head={[ctx.t('page.portalAdmin.article.col.revision'), ctx.t('page.portalAdmin.article.field.title'), ctx.t('page.portalAdmin.article.col.by'), ctx.t('page.portalAdmin.article.col.at'), ctx.t('page.portalAdmin.article.col.changes')]}>
          {revisions.map((r) => (
            <tr>
              <td>{ctx.t('page.portalAdmin.article.revision', { revision: r.revision })}</td>
              <td safe>{r.title}</td>
              <td safe>{names.get(r.createdBy) ?? ''}</td>
              <td>{Html.escapeHtml(formatDateTime(r.createdAt, ctx.lang))}</td>
              <td>
                {r.revision > 1 ? (
                  <a href={attr(`${articleHref(article.id)}/diff?from=${r.revision - 1}&to=${r.revision}`)}>{ctx.t('page.portalAdmin.article.compare', { revision: r.revision - 1 })}</a>
                ) : (
                  ctx.t('page.portalAdmin.article.firstRevision')
                )}
              </td>
            </tr>
          ))}
        </DataTable>
        <section class="panel" aria-labelledby="history-title">
          <h2 id="history-title">{ctx.t('page.portalAdmin.article.history')}</h2>
          <ol class="home-list">
            {view.history.map((h) => (
              <li>
                {Html.escapeHtml(formatDateTime(h.at, ctx.lang))} · {ctx.t(`page.portalAdmin.article.action.${h.action}`)}
                {h.actorId ? <> · <span safe>{names.get(h.actorId) ?? ''}</span></> : <> · {ctx.t('page.portalAdmin.article.bySchedule')}</>}
                {h.reason ? <> · <span safe>{h.reason}</span></> : ''}
              </li>
            ))}
          </ol>
        </section>
      </>
    ),
  }));
}

export async function articlePages(app: FastifyInstance, platform: Platform) {
  pageScope(app);

  app.get<{ Querystring: Static<typeof ListQuery> }>(ARTICLES, { schema: { querystring: ListQuery }, config: { auth: EDIT_PERMISSION } }, async (request, reply) => {
    const sites = (await visibleSites(platform.db, request.principal!)).map(({ site }) => site);
    const { siteId, status, cursor } = request.query;
    const page = await listArticles(platform.db, request.principal!, { siteId, status, cursor, limit: 50 });
    const siteNames = new Map(sites.map((s) => [s.id, s.name]));
    const columns = await columnNames(platform, page.items.map((a) => a.columnId));
    const newHref = siteId ? `${ARTICLES}/new?siteId=${encodeURIComponent(siteId)}` : `${ARTICLES}/new`;
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.portalAdmin.articles.title'),
      lead: ctx.t('page.portalAdmin.articles.lead'),
      crumbs: [{ label: ctx.ta('page.portalAdmin.articles.title') }],
      body: (
        <>
          <p class="actions">
            <a class="button button-primary" href={attr(newHref)}>
              {ctx.t('page.portalAdmin.article.new')}
            </a>
          </p>
          <form method="get" action={ARTICLES} class="search-bar" aria-label={ctx.ta('page.portalAdmin.articles.filter')}>
            <SelectField ctx={ctx} form="filter" name="siteId" label={ctx.ta('page.portalAdmin.visits.site')} value={siteId} placeholder={ctx.ta('page.portalAdmin.articles.allSites')} options={sites.map((s) => ({ value: s.id, label: s.name }))} />
            <SelectField ctx={ctx} form="filter" name="status" label={ctx.ta('page.portalAdmin.articles.status')} value={status} placeholder={ctx.ta('page.portalAdmin.articles.allStatuses')} options={ARTICLE_STATUSES.map((s) => ({ value: s, label: ctx.ta(`page.portalAdmin.articleStatus.${s}`) }))} />
            <button type="submit" class="button">
              {ctx.t('page.portalAdmin.articles.show')}
            </button>
          </form>
          <DataTable id="articles" stack caption={ctx.t('page.portalAdmin.articles.title')} head={[ctx.t('page.portalAdmin.article.field.title'), ctx.t('page.portalAdmin.visits.site'), ctx.t('page.portalAdmin.article.field.columnId'), ctx.t('page.portalAdmin.articles.status'), ctx.t('page.portalAdmin.article.col.at')]}>
            {page.items.length ? (
              page.items.map((a) => (
                <tr>
                  <td data-label={ctx.ta('page.portalAdmin.article.field.title')}>
                    <a href={attr(articleHref(a.id))} safe>
                      {a.title}
                    </a>
                  </td>
                  <td data-label={ctx.ta('page.portalAdmin.visits.site')} safe>
                    {siteNames.get(a.siteId) ?? ''}
                  </td>
                  <td data-label={ctx.ta('page.portalAdmin.article.field.columnId')} safe>
                    {columns.get(a.columnId) ?? ''}
                  </td>
                  <td data-label={ctx.ta('page.portalAdmin.articles.status')}>
                    <StatusTag ctx={ctx} a={a} />
                  </td>
                  <td data-label={ctx.ta('page.portalAdmin.article.col.at')}>{Html.escapeHtml(formatDateTime(a.updatedAt, ctx.lang))}</td>
                </tr>
              ))
            ) : (
              <EmptyRow columns={5}>{ctx.t('page.portalAdmin.articles.none')}</EmptyRow>
            )}
          </DataTable>
          <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!cursor} />
        </>
      ),
    }));
  });

  app.get<{ Querystring: Static<typeof NewQuery> }>(`${ARTICLES}/new`, { schema: { querystring: NewQuery }, config: { auth: EDIT_PERMISSION } }, async (request, reply) => {
    const principal = request.principal!;
    const editable = (await visibleSites(platform.db, principal)).filter(({ unit }) => mayEditUnit(principal, unit)).map(({ site }) => site);
    const chosen = request.query.siteId ?? (editable.length === 1 ? editable[0].id : undefined);
    if (chosen) return renderEditor(platform, request, reply, (await accessibleSite(platform.db, principal, chosen, 'edit')).site, null);
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.portalAdmin.article.new'),
      lead: ctx.t('page.portalAdmin.article.chooseSite'),
      crumbs: [{ label: ctx.ta('page.portalAdmin.articles.title'), href: ARTICLES }, { label: ctx.ta('page.portalAdmin.article.new') }],
      body: editable.length ? (
        <ul class="home-list">
          {editable.map((s) => (
            <li>
              <a href={attr(`${ARTICLES}/new?siteId=${encodeURIComponent(s.id)}`)} safe>
                {s.name}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        <EmptyState>{ctx.t('page.portalAdmin.article.noSite')}</EmptyState>
      ),
    }));
  });

  app.post<{ Querystring: Static<typeof NewQuery>; Body: Static<typeof FormBody> }>(`${ARTICLES}/new`, { schema: { querystring: NewQuery, body: FormBody }, config: { auth: EDIT_PERMISSION } }, async (request, reply) => {
    const principal = request.principal!;
    const { site } = await accessibleSite(platform.db, principal, request.query.siteId ?? '', 'edit');
    const values = valuesOf(request.body);
    const intent = intentOf(request.body);
    const result = await attemptForm(request.lang, () =>
      inTransactionPublishing(platform, actorOf(request), async (work) => {
        const made = await createArticle(work, platform, principal, inputOf(site.id, values));
        return intent === 'submit' ? await submitArticle(work, platform, principal, made.id) : made;
      }),
    );
    if (!result.ok) return renderEditor(platform, request, reply, site, null, { values, fields: result.fields, summary: result.summary, status: result.error.status });
    return afterSave(reply, result.value.id, intent, result.value.status);
  });

  app.get<{ Params: Static<typeof IdParams> }>(`${ARTICLES}/:id`, { schema: { params: IdParams }, config: { auth: EDIT_PERMISSION } }, async (request, reply) => {
    const article = await readableArticle(platform.db, request.principal!, request.params.id);
    const { site } = await accessibleSite(platform.db, request.principal!, article.site_id, 'configure');
    return renderArticlePage(platform, request, reply, site, article);
  });

  app.post<IdRoute>(`${ARTICLES}/:id`, { schema: { params: IdParams, body: FormBody }, config: { auth: EDIT_PERMISSION } }, async (request, reply) => {
    const principal = request.principal!;
    const article = await readableArticle(platform.db, principal, request.params.id);
    const values = valuesOf(request.body);
    const intent = intentOf(request.body);
    // A form opened before someone else's save (another tab, the back button) must not undo it.
    const startedFrom = Number(formText(request.body, 'version'));
    if (Number.isInteger(startedFrom) && startedFrom > 0 && startedFrom !== article.version) {
      const { site } = await accessibleSite(platform.db, principal, article.site_id, 'configure');
      return renderEditor(platform, request, reply, site, article, { values, summary: translate(request.lang, 'page.portalAdmin.article.stale', { revision: article.revision }), status: 409 });
    }
    // Saved again unchanged (to preview or submit): no new revision.
    const changed = JSON.stringify(values) !== JSON.stringify(valuesOfArticle(article));
    const result = await attemptForm(request.lang, () =>
      inTransactionPublishing(platform, actorOf(request), async (work) => {
        const saved = changed ? await updateArticle(work, platform, principal, article.id, patchOf(values)) : { id: article.id, status: article.status };
        return intent === 'submit' && saved.status !== 'published' ? await submitArticle(work, platform, principal, article.id) : saved;
      }),
    );
    if (!result.ok) {
      const { site } = await accessibleSite(platform.db, principal, article.site_id, 'configure');
      return renderEditor(platform, request, reply, site, await readableArticle(platform.db, principal, article.id), { values, fields: result.fields, summary: result.summary, status: result.error.status });
    }
    return afterSave(reply, article.id, intent, result.value.status);
  });

  const action = (name: string, run: (request: FastifyRequest<IdRoute>) => (work: Work) => Promise<unknown>, success: string) =>
    app.post<IdRoute>(`${ARTICLES}/:id/${name}`, { schema: { params: IdParams, body: FormBody }, config: { auth: EDIT_PERMISSION } }, async (request, reply) => {
      const article = await readableArticle(platform.db, request.principal!, request.params.id);
      const result = await attemptForm(request.lang, () => inTransactionPublishing(platform, actorOf(request), run(request)));
      setFlash(reply, result.ok ? { kind: 'success', key: success } : { kind: 'error', key: 'flash.portalAdmin.failed', params: { message: result.summary } });
      return redirect(reply, articleHref(article.id));
    });
  action('withdraw', (r) => (work) => withdrawArticle(work, platform, r.principal!, r.params.id, { reason: formText(r.body, 'reason') }), 'flash.portalAdmin.withdrawn');
  action('share', (r) => (work) => shareArticle(work, platform, r.principal!, r.params.id, { columnId: formText(r.body, 'columnId') }), 'flash.portalAdmin.pushed');

  app.get<{ Params: Static<typeof IdParams> }>(`${ARTICLES}/:id/preview`, { schema: { params: IdParams }, config: { auth: EDIT_PERMISSION } }, async (request, reply) => {
    const article = await readableArticle(platform.db, request.principal!, request.params.id);
    const banner = translate(request.lang, 'page.portalAdmin.article.previewBanner', { status: translate(request.lang, `page.portalAdmin.articleStatus.${article.status}`) });
    const html = await previewArticle(platform, article, banner);
    if (html === null) return redirect(reply, articleHref(article.id));
    return reply.header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(html);
  });

  app.get<{ Params: Static<typeof IdParams>; Querystring: { from: number; to: number } }>(
    `${ARTICLES}/:id/diff`,
    { schema: { params: IdParams, querystring: Strict({ from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }), ...PageQueryFields }) }, config: { auth: EDIT_PERMISSION } },
    async (request, reply) => {
      const article = await readableArticle(platform.db, request.principal!, request.params.id);
      const diff = await diffPage(platform, request.principal!, article.id, request.query.from, request.query.to);
      return renderConsole(platform, request, reply, (ctx) => ({
        title: ctx.t('page.portalAdmin.diff.title', { from: diff.from, to: diff.to }),
        lead: Html.escapeHtml(article.title),
        crumbs: [{ label: ctx.ta('page.portalAdmin.articles.title'), href: ARTICLES }, { label: Html.escapeHtml(article.title), href: articleHref(article.id) }, { label: ctx.ta('page.portalAdmin.diff.crumb') }],
        body: <DiffView ctx={ctx} diff={diff} />,
      }));
    },
  );
}

function afterSave(reply: FastifyReply, id: string, intent: string, status: ArticleStatus) {
  if (intent === 'preview') return redirect(reply, `${articleHref(id)}/preview`);
  setFlash(reply, { kind: 'success', key: intent === 'submit' ? (status === 'published' ? 'flash.portalAdmin.published' : 'flash.portalAdmin.submitted') : 'flash.portalAdmin.saved' });
  return redirect(reply, articleHref(id));
}
