/**
 * The public service hall (网上办事大厅): the catalogue as cards, by applicant (个人办事/法人办事),
 * department, theme and life event with search, the anonymous progress query and the public list
 * of results (结果公示). Each item's guide is in guide.tsx, certificate verification in verify.tsx.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, Strict, notFound } from '../../../platform/http/index.ts';
import { translate } from '../../../platform/i18n/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderPortal } from '../../../platform/console/index.ts';
import { attr, DataTable, EmptyState, ErrorSummary, FormBody, formText, liveSearchAttributes, Notice, PageHeading, PageQueryFields, Pagination, TextField, withQuery, type FieldMessages, type ViewContext } from '../../../platform/views/index.ts';
import type { Item } from '../queries/items.ts';
import { listPublicResults, progressByReceipt, type PublicProgress } from '../public.ts';
import { unitNames } from './data.ts';
import { cachedCatalogueFacets } from '../portal-home.ts';
import { publishedListing } from '../catalogue-cache.ts';
import { CaseStateRow, dateOf, ServiceNav, StateTag, StepStateTag } from './components.tsx';

const HallQuery = Strict({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  unit: Type.Optional(Type.String({ maxLength: 64 })),
  theme: Type.Optional(Type.String({ maxLength: 50 })),
  /** A life event (人生事件); `event` is its older name. */
  lifeEvent: Type.Optional(Type.String({ maxLength: 50 })),
  event: Type.Optional(Type.String({ maxLength: 50 })),
  /** 个人办事 (person) or 法人办事 (enterprise). */
  target: Type.Optional(Type.Union([Type.Literal('person'), Type.Literal('enterprise'), Type.Literal('')])),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  ...PageQueryFields,
});
const PlainQuery = Strict({ ...PageQueryFields });
const ResultsQuery = Strict({ cursor: Type.Optional(Type.String({ maxLength: 200 })), ...PageQueryFields });

const hallCrumb = (ctx: ViewContext) => ({ href: '/services', label: ctx.t('page.approval.hall.title') });

/**
 * The items as cards: a card keeps name, authority, who may apply and the time limit readable
 * at 360 px, where a five-column table scrolls sideways.
 */
function ItemCards({ ctx, items, units, caption }: { ctx: ViewContext; items: Item[]; units: Map<string, string>; caption: JSX.Element }) {
  return (
    <section aria-labelledby="hall-items-caption">
      <h2 id="hall-items-caption" class="visually-hidden">
        {caption}
      </h2>
      <ul class="item-cards" id="hall-items">
        {items.map((item) => (
          <li class="item-card">
            <h3 class="item-card-title">
              <a href={`/services/items/${attr(item.id)}`} safe>
                {item.name}
              </a>
            </h3>
            <p class="item-card-tags">
              <span class="tag">{ctx.t(`page.approval.kind.${item.kind}`)}</span>
              <span class={item.handlingType === 'instant' ? 'tag tag-ok' : 'tag'}>{ctx.t(`page.approval.guide.handling.${item.handlingType}`)}</span>
              {item.targets.map((t) => (
                <span class="tag">{ctx.t(`page.approval.hall.target.${t}`)}</span>
              ))}
            </p>
            <dl class="item-card-facts">
              <dt>{ctx.t('page.approval.hall.unitLabel')}</dt>
              <dd safe>{units.get(item.unitId) ?? ''}</dd>
              <dt>{ctx.t('page.approval.hall.daysLabel')}</dt>
              <dd>{item.handlingType === 'instant' ? ctx.t('page.approval.guide.instantDays') : ctx.t('page.approval.guide.workingDays', { days: item.promisedDays })}</dd>
            </dl>
            <p class="item-card-actions">
              <a class="button button-small" href={`/services/items/${attr(item.id)}/apply`} aria-label={ctx.ta('page.approval.hall.applyTo', { name: item.name })}>
                {ctx.t('page.approval.hall.apply')}
              </a>
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function FacetList({ ctx, id, title, entries }: { ctx: ViewContext; id: string; title: JSX.Element; entries: Array<{ href: string; label: string; count: number; current: boolean }> }) {
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {entries.length ? (
        <ul class="role-list">
          {entries.map((e) => (
            <li>
              <a href={attr(e.href)} aria-current={e.current ? 'true' : undefined}>
                <span safe>{e.label}</span>
              </a>{' '}
              <span class="muted">{ctx.t('page.approval.hall.count', { count: e.count })}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{ctx.t('page.approval.hall.noFacet')}</p>
      )}
    </section>
  );
}

function ProgressView({ ctx, progress }: { ctx: ViewContext; progress: PublicProgress }) {
  return (
    <section class="panel" aria-labelledby="progress-result" id="progress">
      <h2 id="progress-result">{ctx.t('page.approval.progress.resultTitle', { receiptNo: progress.receiptNo })}</h2>
      <dl class="stat-list">
        <CaseStateRow ctx={ctx} state={progress.state} clockStopped={progress.clockStopped} />
        <dt>{ctx.t('page.approval.guide.name')}</dt>
        <dd safe>{progress.itemName}</dd>
        <dt>{ctx.t('page.approval.guide.unit')}</dt>
        <dd safe>{progress.unitName}</dd>
        <dt>{ctx.t('page.approval.case.submittedAt')}</dt>
        <dd>{dateOf(progress.submittedAt, ctx)}</dd>
        <dt>{ctx.t('page.approval.case.acceptedAt')}</dt>
        <dd>{dateOf(progress.acceptedAt, ctx)}</dd>
        <dt>{ctx.t('page.approval.case.dueDate')}</dt>
        <dd safe>{progress.dueDate ?? '—'}</dd>
        <dt>{ctx.t('page.approval.case.finishedAt')}</dt>
        <dd>{dateOf(progress.finishedAt, ctx)}</dd>
      </dl>
      {progress.correction && !progress.correction.correctedAt ? (
        <Notice kind="warning" title={ctx.t('page.approval.case.correctionTitle')}>
          <ul>
            {progress.correction.missing.map((m) => (
              <li>
                <strong safe>{m.name}</strong>
                {ctx.t('ui.colon')}
                <span safe>{m.reason}</span>
              </li>
            ))}
          </ul>
          <p>{ctx.t('page.approval.progress.correctionHint')}</p>
        </Notice>
      ) : (
        ''
      )}
      {progress.decision ? (
        <Notice kind="error" title={ctx.t(progress.decision.notAccepted ? 'page.approval.case.notAcceptedTitle' : 'page.approval.case.rejectedTitle')}>
          <p safe>{progress.decision.reason}</p>
        </Notice>
      ) : (
        ''
      )}
      {progress.result ? (
        <Notice kind="success" title={ctx.t('page.approval.case.resultTitle')}>
          <p>
            {ctx.t('page.approval.case.certificateNo', { no: progress.result.certificateNo })}{' '}
            <a href={`/services/certificates/${attr(progress.result.verificationCode)}`}>{ctx.t('page.approval.case.viewCertificate')}</a>
          </p>
        </Notice>
      ) : (
        ''
      )}
      <DataTable id="progress-steps" caption={ctx.t('page.approval.case.steps')} head={[ctx.t('page.approval.case.step'), ctx.t('page.approval.guide.unit'), ctx.t('page.approval.case.stepState'), ctx.t('page.approval.case.stepDue'), ctx.t('page.approval.case.stepFinished')]}>
        {progress.steps.map((s) => (
          <tr>
            <td safe>{s.name}</td>
            <td safe>{s.unitName}</td>
            <td>
              <StepStateTag ctx={ctx} state={s.state} />
            </td>
            <td safe>{s.dueDate ?? '—'}</td>
            <td>{dateOf(s.finishedAt, ctx)}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

interface ProgressForm {
  receiptNo: string;
  phone: string;
  fields?: FieldMessages;
  summary?: string;
  progress?: PublicProgress;
  status?: number;
}

function progressPage(request: FastifyRequest, reply: FastifyReply, form: ProgressForm) {
  return renderPortal(request, reply, (ctx) => {
    const labels = { receiptNo: ctx.ta('page.approval.progress.receiptNo'), phone: ctx.ta('page.approval.progress.phone') };
    return {
      title: ctx.t('page.approval.progress.title'),
      crumbs: [hallCrumb(ctx), { label: ctx.t('page.approval.progress.title') }],
      status: form.status,
      body: (
        <>
          <PageHeading title={ctx.t('page.approval.progress.title')} lead={ctx.t('page.approval.progress.lead')} />
          <ServiceNav ctx={ctx} />
          <section class="panel" aria-labelledby="progress-form-title">
            <h2 id="progress-form-title">{ctx.t('page.approval.progress.formTitle')}</h2>
            <ErrorSummary ctx={ctx} form="progress" summary={form.summary} fields={form.fields} labels={labels} status={form.status} />
            <form method="post" action="/services/progress" class="form" novalidate>
              <div class="form-row">
                <TextField ctx={ctx} form="progress" name="receiptNo" label={labels.receiptNo} hint={ctx.ta('page.approval.progress.receiptHint')} value={form.receiptNo} error={form.fields?.receiptNo} inputmode="numeric" maxlength={40} required size="medium" />
                <TextField ctx={ctx} form="progress" name="phone" type="tel" label={labels.phone} hint={ctx.ta('page.approval.progress.phoneHint')} value={form.phone} error={form.fields?.phone} inputmode="tel" maxlength={20} required size="medium" autocomplete="tel" />
              </div>
              <button type="submit" class="button">
                {ctx.t('page.approval.progress.submit')}
              </button>
            </form>
          </section>
          {form.progress ? <ProgressView ctx={ctx} progress={form.progress} /> : ''}
        </>
      ),
    };
  });
}

export async function hallPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof HallQuery> }>('/services', { schema: { querystring: HallQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const { q, unit, theme, cursor } = request.query;
    const event = request.query.lifeEvent || request.query.event || undefined;
    const target = request.query.target || undefined;
    const text = q?.trim() || undefined;
    const filtered = !!(text || unit || theme || event || target);
    const [facets, page] = await Promise.all([
      cachedCatalogueFacets(platform),
      publishedListing(platform, { q: text, unitId: unit || undefined, theme: theme || undefined, lifeEvent: event, target, cursor, limit: 20 }),
    ]);
    const units = new Map(facets.units.map((u) => [u.unit.id, u.unit.name]));
    const missing = page.items.filter((i) => !units.has(i.unitId)).map((i) => i.unitId);
    for (const [id, name] of await unitNames(platform.db, missing)) units.set(id, name);
    const labelOf = (ctx: ViewContext) =>
      [text, unit ? (units.get(unit) ?? '') : undefined, theme, event, target ? ctx.ta(`page.approval.hall.target.${target}`) : undefined].filter((x): x is string => !!x).join(ctx.ta('page.approval.guide.listSeparator'));
    // Facet links keep the other filters: 法人办事 within 开办企业, say.
    const keep: Record<string, string | null> = { q: text ?? null, unit: unit ?? null, theme: theme ?? null, lifeEvent: event ?? null, target: target ?? null };
    const facetHref = (change: Record<string, string | undefined>) => withQuery('/services', {}, { ...keep, ...Object.fromEntries(Object.entries(change).map(([k, v]) => [k, v ?? null])) });
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.approval.hall.title'),
      crumbs: [{ label: ctx.t('page.approval.hall.title') }],
      body: (
        <>
          <PageHeading title={ctx.t('page.approval.hall.title')} lead={ctx.t('page.approval.hall.lead')} />
          <ServiceNav ctx={ctx} />
          <nav class="target-tabs" aria-label={ctx.ta('page.approval.hall.byTarget')}>
            <ul>
              {(['person', 'enterprise'] as const).map((t) => (
                <li>
                  <a href={attr(facetHref({ target: target === t ? undefined : t, cursor: undefined }))} aria-current={target === t ? 'true' : undefined}>
                    {ctx.t(`page.approval.hall.target.${t}`)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <form method="get" action="/services" class="search-bar" role="search" aria-label={ctx.ta('page.approval.hall.search')}>
            {target ? <input type="hidden" name="target" value={attr(target)} /> : ''}
            <div class="field">
              <label for="hall-q">{ctx.t('page.approval.hall.q')}</label>
              <input
                class="input"
                id="hall-q"
                name="q"
                type="search"
                value={attr(text)}
                maxlength="100"
                {...liveSearchAttributes('/services', 'hall-results')}
              />
            </div>
            <button type="submit" class="button">
              {ctx.t('page.approval.hall.searchButton')}
            </button>
          </form>
          <div id="hall-results">
            <p class="visually-hidden" role="status">
              {ctx.t('page.approval.hall.shown', { count: page.items.length })}
            </p>
            {filtered ? (
              <p>
                {ctx.t('page.approval.hall.filter', { filter: labelOf(ctx) })} <a href="/services">{ctx.t('page.approval.hall.clear')}</a>
              </p>
            ) : (
              ''
            )}
            {page.items.length ? (
              <>
                <ItemCards ctx={ctx} items={page.items} units={units} caption={filtered ? ctx.t('page.approval.hall.results') : ctx.t('page.approval.hall.all')} />
                <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!cursor} />
              </>
            ) : (
              <EmptyState>{ctx.t('page.approval.hall.none')}</EmptyState>
            )}
          </div>
          <div class="panel-grid">
            <FacetList
              ctx={ctx}
              id="by-unit"
              title={ctx.t('page.approval.hall.byUnit')}
              entries={facets.units.map((u) => ({ href: facetHref({ unit: u.unit.id }), label: u.unit.name, count: u.count, current: unit === u.unit.id }))}
            />
            <FacetList ctx={ctx} id="by-theme" title={ctx.t('page.approval.hall.byTheme')} entries={facets.themes.map((f) => ({ href: facetHref({ theme: f.value }), label: f.value, count: f.count, current: theme === f.value }))} />
            <FacetList ctx={ctx} id="by-event" title={ctx.t('page.approval.hall.byEvent')} entries={facets.lifeEvents.map((f) => ({ href: facetHref({ lifeEvent: f.value }), label: f.value, count: f.count, current: event === f.value }))} />
          </div>
        </>
      ),
    }));
  });

  app.get<{ Querystring: Static<typeof PlainQuery> }>('/services/progress', { schema: { querystring: PlainQuery }, config: { auth: 'public' } }, async (request, reply) => progressPage(request, reply, { receiptNo: '', phone: '' }));

  // A POST keeps the phone number out of the address bar, the history and the logs.
  app.post<{ Body: Static<typeof FormBody> }>(
    '/services/progress',
    { schema: { body: FormBody }, config: { auth: 'public', rateLimit: { max: platform.config.loginRateLimitPerMinute, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const lang = request.lang;
      const form: ProgressForm = { receiptNo: formText(request.body, 'receiptNo').slice(0, 40), phone: formText(request.body, 'phone').slice(0, 20) };
      const fields: FieldMessages = {};
      if (!form.receiptNo) fields.receiptNo = translate(lang, 'page.approval.progress.receiptRequired');
      if (!form.phone) fields.phone = translate(lang, 'page.approval.progress.phoneRequired');
      if (Object.keys(fields).length) return progressPage(request, reply, { ...form, fields, status: 400 });
      try {
        const progress = await progressByReceipt(platform, form.receiptNo, form.phone);
        return progressPage(request, reply, { ...form, progress });
      } catch (error) {
        if (error instanceof AppError && error.code === 'NOT_FOUND') return progressPage(request, reply, { ...form, summary: translate(lang, 'page.approval.progress.notFound'), status: 404 });
        throw error;
      }
    },
  );

  app.get<{ Querystring: Static<typeof ResultsQuery> }>('/services/results', { schema: { querystring: ResultsQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const page = await listPublicResults(platform.db, { cursor: request.query.cursor, limit: 20 }).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'VALIDATION_FAILED') throw notFound();
      throw error;
    });
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.approval.results.title'),
      crumbs: [hallCrumb(ctx), { label: ctx.t('page.approval.results.title') }],
      body: (
        <>
          <PageHeading title={ctx.t('page.approval.results.title')} lead={ctx.t('page.approval.results.lead')} />
          <ServiceNav ctx={ctx} />
          {page.items.length ? (
            <>
              <DataTable
                id="results"
                caption={ctx.t('page.approval.results.caption')}
                head={[
                  ctx.t('page.approval.case.receiptNo'),
                  ctx.t('page.approval.guide.name'),
                  ctx.t('page.approval.guide.unit'),
                  ctx.t('page.approval.results.outcome'),
                  ctx.t('page.approval.results.finished'),
                  ctx.t('page.approval.certificate.number'),
                  ctx.t('page.approval.results.enterprise'),
                ]}
              >
                {page.items.map((r) => (
                  <tr>
                    <td class="mono" safe>
                      {r.receiptNo}
                    </td>
                    <td safe>{r.itemName}</td>
                    <td safe>{r.unitName}</td>
                    <td>
                      <StateTag ctx={ctx} state={r.outcome} />
                    </td>
                    <td safe>{r.finishedDate}</td>
                    <td class="mono" safe>
                      {r.certificateNo ?? '—'}
                    </td>
                    <td safe>{r.enterpriseName ?? '—'}</td>
                  </tr>
                ))}
              </DataTable>
              <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
            </>
          ) : (
            <EmptyState>{ctx.t('page.approval.results.none')}</EmptyState>
          )}
        </>
      ),
    }));
  });
}
