/**
 * The console's disclosure items (公开信息): the unit's list with a search, the form that files a
 * new item (the index number assigned unless typed), the same form to edit one, and its validity.
 */
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, actorOf, forbidden } from '../../../../platform/http/index.ts';
import { inTransaction } from '../../../../platform/db/work.ts';
import type { Platform } from '../../../../platform/module.ts';
import { renderConsole } from '../../../../platform/console/index.ts';
import { getUnit, type Unit } from '../../../../platform/org/service.ts';
import { shanghaiDate } from '../../../../platform/calendar/index.ts';
import { attr, Csrf, DataTable, EmptyRow, ErrorSummary, FormBody, formText, PageQueryFields, Pagination, redirect, SelectField, setFlash, TextField, type FieldMessages, type ViewContext } from '../../../../platform/views/index.ts';
import { DISCLOSURE_PERMISSION, LIMITS, VALIDITIES, type Validity } from '../model.ts';
import { edits } from '../queries/access.ts';
import { categoryTree, type CategoryNode } from '../queries/catalogue.ts';
import { itemView, searchItems, type ItemView } from '../queries/items.ts';
import { createItem } from '../commands/create-item.ts';
import { changeValidity, updateItem } from '../commands/update-item.ts';
import { ensureCatalogue } from '../commands/ensure-catalogue.ts';
import { attemptForm, CONSOLE_BASE, day, TextArea, validityName } from './parts.tsx';

const AUTH = DISCLOSURE_PERMISSION as `${string}.${string}`;
const ListQuery = Strict({ q: Type.Optional(Type.String({ maxLength: LIMITS.q })), cursor: Type.Optional(Type.String({ maxLength: 200 })), ...PageQueryFields });
const PlainQuery = Strict({ ...PageQueryFields });
const IdParams = Strict({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const FORM = 'item';
const FIELDS = ['categoryId', 'indexNo', 'title', 'docNumber', 'issuingUnit', 'writtenDate', 'publishedAt', 'validity', 'subjectTerms', 'body'] as const;

/** The caller's own unit, when they edit its catalogue (made on first use); else 403. */
export async function ownUnit(platform: Platform, request: FastifyRequest): Promise<Unit> {
  const principal = request.principal!;
  const unit = principal.unitId ? await getUnit(platform.db, principal.unitId) : null;
  if (!unit || !edits(principal, unit)) throw forbidden();
  await inTransaction(platform.db, actorOf(request), (work) => ensureCatalogue(work, unit.id, platform.clock.now()));
  return unit;
}

export const categoryOptions = (tree: CategoryNode[]) => tree.flatMap((top) => [{ value: top.id, label: top.name }, ...top.children.map((c) => ({ value: c.id, label: `${top.name} / ${c.name}` }))]);

function labels(ctx: ViewContext): Record<string, string> {
  return Object.fromEntries(FIELDS.map((f) => [f, ctx.ta(`page.portalDisclosure.field.${f === 'categoryId' ? 'category' : f}`)]));
}

async function renderList(platform: Platform, request: FastifyRequest<{ Querystring: Static<typeof ListQuery> }>, reply: FastifyReply) {
  const unit = await ownUnit(platform, request);
  const page = await searchItems(platform.db, unit.id, { q: request.query.q, limit: 50, cursor: request.query.cursor }, { now: platform.clock.now(), principal: request.principal });
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('page.portalDisclosure.items.title'),
    lead: ctx.t('page.portalDisclosure.items.lead', { unit: unit.name }),
    crumbs: [{ label: ctx.t('page.portalDisclosure.items.title') }],
    body: (
      <>
        <p class="actions">
          <a class="button" href={`${CONSOLE_BASE}/items/new`}>
            {ctx.t('page.portalDisclosure.nav.new')}
          </a>{' '}
          <a class="button button-secondary" href={attr(`/xxgk/${unit.id}`)}>
            {ctx.t('page.portalDisclosure.items.public')}
          </a>
        </p>
        <form method="get" action={CONSOLE_BASE} class="search-bar" role="search" aria-label={ctx.ta('page.portalDisclosure.public.search')}>
          <TextField ctx={ctx} form="items-search" name="q" type="search" label={ctx.ta('page.portalDisclosure.field.titleContains')} value={request.query.q} maxlength={LIMITS.q} />
          <button type="submit" class="button">
            {ctx.t('page.portalDisclosure.public.searchButton')}
          </button>
        </form>
        <DataTable id="items" stack caption={ctx.t('page.portalDisclosure.items.caption')} head={[ctx.t('page.portalDisclosure.field.indexNo'), ctx.t('page.portalDisclosure.field.title'), ctx.t('page.portalDisclosure.field.category'), ctx.t('page.portalDisclosure.field.publishedAt'), ctx.t('page.portalDisclosure.field.validity')]}>
          {page.items.length ? (
            page.items.map((item) => (
              <tr>
                <td data-label={ctx.ta('page.portalDisclosure.field.indexNo')} class="mono" safe>
                  {item.indexNo}
                </td>
                <td data-label={ctx.ta('page.portalDisclosure.field.title')}>
                  <a href={attr(`${CONSOLE_BASE}/items/${item.id}`)} safe>
                    {item.title}
                  </a>
                </td>
                <td data-label={ctx.ta('page.portalDisclosure.field.category')} safe>
                  {item.categoryName}
                </td>
                <td data-label={ctx.ta('page.portalDisclosure.field.publishedAt')}>{day(item.publishedAt)}</td>
                <td data-label={ctx.ta('page.portalDisclosure.field.validity')}>{validityName(ctx, item.validity)}</td>
              </tr>
            ))
          ) : (
            <EmptyRow columns={5}>{ctx.t('page.portalDisclosure.public.noItems')}</EmptyRow>
          )}
        </DataTable>
        <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
      </>
    ),
  }));
}

interface FormState {
  values?: Record<string, string>;
  fields?: FieldMessages;
  summary?: string;
  status?: number;
}

async function renderForm(platform: Platform, request: FastifyRequest, reply: FastifyReply, unit: Unit, item: ItemView | null, state: FormState = {}) {
  const tree = await categoryTree(platform.db, unit.id, { publicOnly: false, now: platform.clock.now() });
  const today = shanghaiDate(platform.clock.now());
  const v: Record<string, string> = state.values ?? (item ? { categoryId: item.categoryId, title: item.title, docNumber: item.docNumber ?? '', issuingUnit: item.issuingUnit, writtenDate: item.writtenDate, publishedAt: shanghaiDate(item.publishedAt), subjectTerms: item.subjectTerms ?? '', body: item.body } : { writtenDate: today, publishedAt: today, validity: 'valid' });
  const f = state.fields ?? {};
  const action = item ? `${CONSOLE_BASE}/items/${item.id}` : `${CONSOLE_BASE}/items/new`;
  return renderConsole(platform, request, reply, (ctx) => ({
    title: item ? Html.escapeHtml(item.title) : ctx.t('page.portalDisclosure.nav.new'),
    lead: item ? <span class="mono" safe>{item.indexNo}</span> : ctx.t('page.portalDisclosure.form.lead'),
    crumbs: [{ href: CONSOLE_BASE, label: ctx.t('page.portalDisclosure.items.title') }, { label: item ? Html.escapeHtml(item.title) : ctx.t('page.portalDisclosure.nav.new') }],
    status: state.status,
    body: (
      <>
        <ErrorSummary ctx={ctx} form={FORM} summary={state.summary} fields={f} status={state.status} labels={labels(ctx)} />
        <form method="post" action={attr(action)} class="form" novalidate>
          <Csrf ctx={ctx} />
          {item ? <input type="hidden" name="version" value={attr(String(item.version))} /> : ''}
          <SelectField ctx={ctx} form={FORM} name="categoryId" label={ctx.ta('page.portalDisclosure.field.category')} value={v.categoryId} error={f.categoryId} options={categoryOptions(tree)} placeholder={ctx.ta('page.portalDisclosure.form.choose')} required />
          {item ? '' : <TextField ctx={ctx} form={FORM} name="indexNo" label={ctx.ta('page.portalDisclosure.field.indexNo')} hint={ctx.ta('page.portalDisclosure.form.indexNoHint', { code: unit.creditCode ?? '' })} value={v.indexNo} error={f.indexNo} maxlength={40} />}
          <TextField ctx={ctx} form={FORM} name="title" label={ctx.ta('page.portalDisclosure.field.title')} value={v.title} error={f.title} maxlength={LIMITS.title} size="long" required />
          <TextField ctx={ctx} form={FORM} name="docNumber" label={ctx.ta('page.portalDisclosure.field.docNumber')} value={v.docNumber} error={f.docNumber} maxlength={LIMITS.docNumber} />
          <TextField ctx={ctx} form={FORM} name="issuingUnit" label={ctx.ta('page.portalDisclosure.field.issuingUnit')} hint={ctx.ta('page.portalDisclosure.form.issuingUnitHint', { unit: unit.name })} value={v.issuingUnit} error={f.issuingUnit} maxlength={LIMITS.issuingUnit} />
          <div class="form-row">
            <TextField ctx={ctx} form={FORM} name="writtenDate" type="date" label={ctx.ta('page.portalDisclosure.field.writtenDate')} value={v.writtenDate} error={f.writtenDate} required />
            <TextField ctx={ctx} form={FORM} name="publishedAt" type="date" label={ctx.ta('page.portalDisclosure.field.publishedAt')} value={v.publishedAt} error={f.publishedAt} />
          </div>
          {item ? '' : <SelectField ctx={ctx} form={FORM} name="validity" label={ctx.ta('page.portalDisclosure.field.validity')} value={v.validity ?? 'valid'} options={VALIDITIES.map((x) => ({ value: x, label: ctx.ta(`portal.disclosure.validity.${x}`) }))} />}
          <TextField ctx={ctx} form={FORM} name="subjectTerms" label={ctx.ta('page.portalDisclosure.field.subjectTerms')} hint={ctx.ta('page.portalDisclosure.form.subjectTermsHint')} value={v.subjectTerms} error={f.subjectTerms} maxlength={LIMITS.subjectTerms} />
          <TextArea ctx={ctx} form={FORM} name="body" label={ctx.ta('page.portalDisclosure.field.body')} value={v.body ?? ''} error={f.body} rows={10} />
          <button type="submit" class="button">
            {ctx.t('page.portalDisclosure.form.save')}
          </button>
        </form>
        {item ? (
          <section class="panel" aria-labelledby="validity-title">
            <h2 id="validity-title">{ctx.t('page.portalDisclosure.form.validityTitle')}</h2>
            <p>
              {ctx.t('page.portalDisclosure.form.validityNow')} {validityName(ctx, item.validity)}
            </p>
            <form method="post" action={attr(`${CONSOLE_BASE}/items/${item.id}/validity`)} class="form">
              <Csrf ctx={ctx} />
              <SelectField ctx={ctx} form="validity" name="validity" label={ctx.ta('page.portalDisclosure.field.validity')} value={item.validity} options={VALIDITIES.map((x) => ({ value: x, label: ctx.ta(`portal.disclosure.validity.${x}`) }))} />
              <TextField ctx={ctx} form="validity" name="reason" label={ctx.ta('page.portalDisclosure.form.reason')} maxlength={LIMITS.reason} size="long" />
              <button type="submit" class="button button-secondary">
                {ctx.t('page.portalDisclosure.form.changeValidity')}
              </button>
            </form>
            <p>
              <a href={attr(item.url)}>{ctx.t('page.portalDisclosure.form.viewPublic')}</a>
            </p>
          </section>
        ) : (
          ''
        )}
      </>
    ),
  }));
}

const valuesOf = (body: unknown) => Object.fromEntries(FIELDS.map((n) => [n, n === 'body' ? String((body as Record<string, unknown>)?.body ?? '') : formText(body, n)]));

export async function consoleItemPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof ListQuery> }>(CONSOLE_BASE, { schema: { querystring: ListQuery }, config: { auth: AUTH } }, (request, reply) => renderList(platform, request, reply));

  app.get<{ Querystring: Static<typeof PlainQuery> }>(`${CONSOLE_BASE}/items/new`, { schema: { querystring: PlainQuery }, config: { auth: AUTH } }, async (request, reply) => renderForm(platform, request, reply, await ownUnit(platform, request), null));
  app.post<{ Body: Static<typeof FormBody> }>(`${CONSOLE_BASE}/items/new`, { schema: { body: FormBody }, config: { auth: AUTH } }, async (request, reply) => {
    const unit = await ownUnit(platform, request);
    const values = valuesOf(request.body);
    const result = await attemptForm(request.lang, () =>
      inTransaction(platform.db, actorOf(request), (work) =>
        createItem(work, platform, request.principal!, {
          unitId: unit.id,
          categoryId: values.categoryId,
          indexNo: values.indexNo || undefined,
          title: values.title,
          docNumber: values.docNumber || null,
          issuingUnit: values.issuingUnit || null,
          writtenDate: values.writtenDate,
          publishedAt: values.publishedAt || undefined,
          validity: (VALIDITIES as readonly string[]).includes(values.validity) ? (values.validity as Validity) : 'valid',
          subjectTerms: values.subjectTerms || null,
          body: values.body,
        }),
      ),
    );
    if (!result.ok) return renderForm(platform, request, reply, unit, null, { values, fields: result.fields, summary: result.summary, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'page.portalDisclosure.form.created', params: { indexNo: result.value.indexNo } });
    return redirect(reply, `${CONSOLE_BASE}/items/${result.value.id}`);
  });

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PlainQuery> }>(`${CONSOLE_BASE}/items/:id`, { schema: { params: IdParams, querystring: PlainQuery }, config: { auth: AUTH } }, async (request, reply) => {
    const item = await itemView(platform.db, request.params.id, { now: platform.clock.now(), principal: request.principal });
    const unit = await getUnit(platform.db, item.unitId);
    if (!unit || !edits(request.principal, unit)) throw forbidden();
    return renderForm(platform, request, reply, unit, item);
  });
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>(`${CONSOLE_BASE}/items/:id`, { schema: { params: IdParams, body: FormBody }, config: { auth: AUTH } }, async (request, reply) => {
    const values = valuesOf(request.body);
    const version = Number(formText(request.body, 'version'));
    const result = await attemptForm(request.lang, () =>
      inTransaction(platform.db, actorOf(request), (work) =>
        updateItem(work, platform, request.principal!, request.params.id, {
          categoryId: values.categoryId,
          title: values.title,
          docNumber: values.docNumber || null,
          issuingUnit: values.issuingUnit || null,
          writtenDate: values.writtenDate,
          publishedAt: values.publishedAt || undefined,
          subjectTerms: values.subjectTerms || null,
          body: values.body,
          ...(Number.isInteger(version) && version > 0 ? { version } : {}),
        }),
      ),
    );
    const item = await itemView(platform.db, request.params.id, { now: platform.clock.now(), principal: request.principal });
    if (!result.ok) return renderForm(platform, request, reply, (await getUnit(platform.db, item.unitId))!, item, { values, fields: result.fields, summary: result.summary, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'page.portalDisclosure.form.saved' });
    return redirect(reply, `${CONSOLE_BASE}/items/${item.id}`);
  });
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>(`${CONSOLE_BASE}/items/:id/validity`, { schema: { params: IdParams, body: FormBody }, config: { auth: AUTH } }, async (request, reply) => {
    const validity = formText(request.body, 'validity');
    const result = await attemptForm(request.lang, () =>
      inTransaction(platform.db, actorOf(request), (work) =>
        changeValidity(work, platform, request.principal!, request.params.id, { validity: ((VALIDITIES as readonly string[]).includes(validity) ? validity : 'valid') as Validity, reason: formText(request.body, 'reason') || undefined }),
      ),
    );
    setFlash(reply, result.ok ? { kind: 'success', key: 'page.portalDisclosure.form.validityChanged' } : { kind: 'error', key: 'portal.disclosure.validity.same' });
    return redirect(reply, `${CONSOLE_BASE}/items/${request.params.id}`);
  });
}
