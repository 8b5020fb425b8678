/**
 * The public service hall (网上办事大厅): the catalogue by department, theme and life event with
 * search, each item's guide (办事指南), the anonymous progress query, certificate verification
 * with its QR code, and the public list of results (结果公示).
 */
import Html from '@kitajs/html';
import QRCode from 'qrcode';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, Id, Strict, notFound } from '../../../platform/http/index.ts';
import { translate } from '../../../platform/i18n/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderPortal } from '../../../platform/console/index.ts';
import { attr, DataTable, EmptyState, ErrorSummary, FormBody, formText, liveSearchAttributes, Notice, PageHeading, PageQueryFields, Pagination, redirect, TextField, withQuery, type FieldMessages, type ViewContext } from '../../../platform/views/index.ts';
import { getItemFor, getPublishedItemByCode, listItems, type Item } from '../queries/items.ts';
import { listPublicResults, normalizeVerificationCode, progressByReceipt, verifyCertificate, type CertificateCheck, type PublicProgress } from '../public.ts';
import { catalogueFacets, unitNames } from './data.ts';
import { CaseStateRow, dateOf, Guide, ServiceNav, StateTag, StepStateTag } from './components.tsx';

const HallQuery = Strict({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  unit: Type.Optional(Type.String({ maxLength: 64 })),
  theme: Type.Optional(Type.String({ maxLength: 50 })),
  event: Type.Optional(Type.String({ maxLength: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  ...PageQueryFields,
});
const ItemParams = Strict({ id: Id });
const PlainQuery = Strict({ ...PageQueryFields });
const CodeParams = Strict({ code: Type.String({ minLength: 1, maxLength: 40 }) });
const CodeQuery = Strict({ code: Type.Optional(Type.String({ maxLength: 40 })), ...PageQueryFields });
const ResultsQuery = Strict({ cursor: Type.Optional(Type.String({ maxLength: 200 })), ...PageQueryFields });

const hallCrumb = (ctx: ViewContext) => ({ href: '/services', label: ctx.t('page.approval.hall.title') });

function ItemsTable({ ctx, items, units, caption }: { ctx: ViewContext; items: Item[]; units: Map<string, string>; caption: JSX.Element }) {
  return (
    <DataTable id="hall-items" caption={caption} head={[ctx.t('page.approval.guide.name'), ctx.t('page.approval.guide.unit'), ctx.t('page.approval.guide.kind'), ctx.t('page.approval.guide.promisedDays'), ctx.t('ui.actions')]}>
      {items.map((item) => (
        <tr>
          <td>
            <a href={`/services/items/${attr(item.id)}`} safe>
              {item.name}
            </a>
          </td>
          <td safe>{units.get(item.unitId) ?? ''}</td>
          <td>{ctx.t(`page.approval.kind.${item.kind}`)}</td>
          <td>{ctx.t('page.approval.guide.workingDays', { days: item.promisedDays })}</td>
          <td class="cell-actions">
            <a href={`/services/items/${attr(item.id)}/apply`} aria-label={ctx.ta('page.approval.hall.applyTo', { name: item.name })}>
              {ctx.t('page.approval.hall.apply')}
            </a>
          </td>
        </tr>
      ))}
    </DataTable>
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

/** The QR code of a verification URL as an SVG image in a data: URL (allowed by the CSP). */
export async function qrDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

function CertificateView({ ctx, check, url, qr }: { ctx: ViewContext; check: CertificateCheck; url: string; qr: string }) {
  return (
    <>
      {check.valid ? (
        <Notice kind="success" title={ctx.t('page.approval.certificate.valid')}>
          <p>{ctx.t('page.approval.certificate.validText', { unit: check.unitName })}</p>
        </Notice>
      ) : (
        <Notice kind="error" title={ctx.t('page.approval.certificate.invalid')}>
          <p>{ctx.t(check.checks.revoked ? 'page.approval.certificate.revokedText' : 'page.approval.certificate.invalidText')}</p>
        </Notice>
      )}
      <div class="panel-grid">
        <section class="panel" aria-labelledby="certificate-fields">
          <h2 id="certificate-fields">{ctx.t('page.approval.certificate.fields')}</h2>
          <dl class="stat-list">
            <dt>{ctx.t('page.approval.certificate.resultName')}</dt>
            <dd safe>{check.resultName}</dd>
            <dt>{ctx.t('page.approval.certificate.number')}</dt>
            <dd class="mono" safe>
              {check.certificateNo}
            </dd>
            <dt>{ctx.t('page.approval.certificate.holder')}</dt>
            <dd safe>{check.applicantName}</dd>
            <dt>{ctx.t(check.applicantKind === 'enterprise' ? 'page.approval.apply.creditCode' : 'page.approval.apply.idNumber')}</dt>
            <dd class="mono" safe>
              {check.applicantId}
            </dd>
            <dt>{ctx.t('page.approval.guide.name')}</dt>
            <dd safe>{check.itemName}</dd>
            <dt>{ctx.t('page.approval.certificate.issuer')}</dt>
            <dd safe>{check.unitName}</dd>
            <dt>{ctx.t('page.approval.certificate.issuedDate')}</dt>
            <dd safe>{check.issuedDate}</dd>
            <dt>{ctx.t('page.approval.certificate.code')}</dt>
            <dd class="mono" safe>
              {check.verificationCode}
            </dd>
          </dl>
        </section>
        <section class="panel" aria-labelledby="certificate-checks">
          <h2 id="certificate-checks">{ctx.t('page.approval.certificate.checks')}</h2>
          <dl class="stat-list">
            <dt>{ctx.t('page.approval.certificate.digest')}</dt>
            <dd>{check.checks.digest ? <span class="tag tag-ok">{ctx.t('page.approval.certificate.pass')}</span> : <span class="tag tag-off">{ctx.t('page.approval.certificate.fail')}</span>}</dd>
            <dt>{ctx.t('page.approval.certificate.signature')}</dt>
            <dd>{check.checks.signature ? <span class="tag tag-ok">{ctx.t('page.approval.certificate.pass')}</span> : <span class="tag tag-off">{ctx.t('page.approval.certificate.fail')}</span>}</dd>
            <dt>{ctx.t('page.approval.certificate.status')}</dt>
            <dd>{check.checks.revoked ? <span class="tag tag-off">{ctx.t('page.approval.certificate.revoked')}</span> : <span class="tag tag-ok">{ctx.t('page.approval.certificate.notRevoked')}</span>}</dd>
            <dt>{ctx.t('page.approval.certificate.sm3')}</dt>
            <dd class="mono uri" safe>
              {check.contentSm3}
            </dd>
          </dl>
          <img class="qr" src={attr(qr)} alt={ctx.ta('page.approval.certificate.qrAlt')} width="192" height="192" />
          <p class="uri">
            {ctx.t('page.approval.certificate.url')}
            <a href={attr(url)} safe>
              {url}
            </a>
          </p>
        </section>
      </div>
    </>
  );
}

function CodeForm({ ctx, code, error }: { ctx: ViewContext; code: string; error?: string }) {
  return (
    <section class="panel" aria-labelledby="code-form-title">
      <h2 id="code-form-title">{ctx.t('page.approval.certificate.checkTitle')}</h2>
      <form method="get" action="/services/certificates" class="search-bar" novalidate>
        <TextField ctx={ctx} form="certificate" name="code" label={ctx.ta('page.approval.certificate.code')} hint={ctx.ta('page.approval.certificate.codeHint')} value={code} error={error} maxlength={40} required size="medium" />
        <button type="submit" class="button">
          {ctx.t('page.approval.certificate.check')}
        </button>
      </form>
    </section>
  );
}

export async function hallPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof HallQuery> }>('/services', { schema: { querystring: HallQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const { q, unit, theme, event, cursor } = request.query;
    const text = q?.trim() || undefined;
    const filtered = !!(text || unit || theme || event);
    const [facets, page] = await Promise.all([catalogueFacets(platform.db), listItems(platform.db, null, { q: text, unitId: unit || undefined, theme: theme || undefined, lifeEvent: event || undefined, cursor, limit: 20 })]);
    const units = new Map(facets.units.map((u) => [u.unit.id, u.unit.name]));
    const missing = page.items.filter((i) => !units.has(i.unitId)).map((i) => i.unitId);
    for (const [id, name] of await unitNames(platform.db, missing)) units.set(id, name);
    const filterLabel = unit ? (units.get(unit) ?? '') : (theme ?? event ?? text ?? '');
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.approval.hall.title'),
      crumbs: [{ label: ctx.t('page.approval.hall.title') }],
      body: (
        <>
          <PageHeading title={ctx.t('page.approval.hall.title')} lead={ctx.t('page.approval.hall.lead')} />
          <ServiceNav ctx={ctx} />
          <form method="get" action="/services" class="search-bar" role="search" aria-label={ctx.ta('page.approval.hall.search')}>
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
                {ctx.t('page.approval.hall.filter', { filter: filterLabel })} <a href="/services">{ctx.t('page.approval.hall.clear')}</a>
              </p>
            ) : (
              ''
            )}
            {page.items.length ? (
              <>
                <ItemsTable ctx={ctx} items={page.items} units={units} caption={filtered ? ctx.t('page.approval.hall.results') : ctx.t('page.approval.hall.all')} />
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
              entries={facets.units.map((u) => ({ href: withQuery('/services', {}, { unit: u.unit.id }), label: u.unit.name, count: u.count, current: unit === u.unit.id }))}
            />
            <FacetList ctx={ctx} id="by-theme" title={ctx.t('page.approval.hall.byTheme')} entries={facets.themes.map((f) => ({ href: withQuery('/services', {}, { theme: f.value }), label: f.value, count: f.count, current: theme === f.value }))} />
            <FacetList ctx={ctx} id="by-event" title={ctx.t('page.approval.hall.byEvent')} entries={facets.lifeEvents.map((f) => ({ href: withQuery('/services', {}, { event: f.value }), label: f.value, count: f.count, current: event === f.value }))} />
          </div>
        </>
      ),
    }));
  });

  app.get<{ Params: Static<typeof ItemParams>; Querystring: Static<typeof PlainQuery> }>('/services/items/:id', { schema: { params: ItemParams, querystring: PlainQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const item = await getItemFor(platform.db, request.principal, request.params.id);
    const current = item.status === 'published' ? item : await getPublishedItemByCode(platform.db, item.code);
    const units = await unitNames(platform.db, [item.unitId, ...item.process.stages.flatMap((s) => ('parallel' in s ? s.parallel : [s]).map((step) => step.unitId))]);
    return renderPortal(request, reply, (ctx) => ({
      title: Html.escapeHtml(item.name),
      crumbs: [hallCrumb(ctx), { label: Html.escapeHtml(item.name) }],
      body: (
        <>
          <PageHeading title={<span safe>{item.name}</span>} lead={ctx.t('page.approval.guide.lead')} />
          <ServiceNav ctx={ctx} />
          {item.status === 'published' ? (
            <p class="actions">
              <a class="button" href={`/services/items/${attr(item.id)}/apply`}>
                {ctx.t('page.approval.hall.apply')}
              </a>
              {ctx.can('approval.intake') ? (
                <a class="button button-secondary" href={`/console/approval/intake/${attr(item.id)}`}>
                  {ctx.t('page.approval.intake.title')}
                </a>
              ) : (
                ''
              )}
            </p>
          ) : (
            <Notice kind="warning" title={ctx.t(`page.approval.guide.status.${item.status}`)}>
              {current && current.id !== item.id ? (
                <p>
                  <a href={`/services/items/${attr(current.id)}`}>{ctx.t('page.approval.guide.toCurrent', { version: current.version })}</a>
                </p>
              ) : (
                <p>{ctx.t('page.approval.guide.notOpen')}</p>
              )}
            </Notice>
          )}
          <Guide ctx={ctx} item={item} units={units} />
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

  app.get<{ Querystring: Static<typeof CodeQuery> }>('/services/certificates', { schema: { querystring: CodeQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const code = request.query.code?.trim();
    if (code) return redirect(reply, `/services/certificates/${encodeURIComponent(normalizeVerificationCode(code))}`);
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.approval.certificate.checkTitle'),
      crumbs: [hallCrumb(ctx), { label: ctx.t('page.approval.certificate.checkTitle') }],
      body: (
        <>
          <PageHeading title={ctx.t('page.approval.certificate.checkTitle')} lead={ctx.t('page.approval.certificate.lead')} />
          <ServiceNav ctx={ctx} />
          <CodeForm ctx={ctx} code="" />
        </>
      ),
    }));
  });

  app.get<{ Params: Static<typeof CodeParams>; Querystring: Static<typeof PlainQuery> }>(
    '/services/certificates/:code',
    { schema: { params: CodeParams, querystring: PlainQuery }, config: { auth: 'public' } },
    async (request, reply) => {
      let check: CertificateCheck | null = null;
      try {
        check = await verifyCertificate(platform, request.params.code);
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
      }
      const url = check ? `${platform.config.publicUrl}/services/certificates/${check.verificationCode}` : '';
      const qr = check ? await qrDataUrl(url) : '';
      return renderPortal(request, reply, (ctx) => ({
        title: check ? Html.escapeHtml(check.resultName) : ctx.t('page.approval.certificate.checkTitle'),
        crumbs: [hallCrumb(ctx), { href: '/services/certificates', label: ctx.t('page.approval.certificate.checkTitle') }, { label: check ? Html.escapeHtml(check.certificateNo) : ctx.t('page.approval.certificate.unknown') }],
        status: check ? 200 : 404,
        body: (
          <>
            <PageHeading title={check ? <span safe>{check.resultName}</span> : ctx.t('page.approval.certificate.checkTitle')} lead={ctx.t('page.approval.certificate.lead')} />
            <ServiceNav ctx={ctx} />
            {check ? <CertificateView ctx={ctx} check={check} url={url} qr={qr} /> : <CodeForm ctx={ctx} code={request.params.code} error={ctx.ta('page.approval.certificate.notFound')} />}
          </>
        ),
      }));
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
