/**
 * The public catalogue (政府信息公开目录): the units that keep one, a unit's catalogue with its
 * category tree at the side and the items as a table (blocks on a phone) under a filter form for
 * every field, and one item with its metadata table and text. No sign-in needed.
 */
import Html from '@kitajs/html';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { notFound, Strict } from '../../../../platform/http/index.ts';
import type { Platform } from '../../../../platform/module.ts';
import { renderPortal } from '../../../../platform/console/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../../../platform/db/work.ts';
import { getUnits } from '../../../../platform/org/service.ts';
import { attempt, attr, DataTable, EmptyRow, EmptyState, ErrorSummary, PageHeading, PageQueryFields, Pagination, SelectField, TextField, type ViewContext } from '../../../../platform/views/index.ts';
import { disclosureDb, LIMITS, VALIDITIES, type Validity } from '../model.ts';
import { unitByKey } from '../queries/access.ts';
import { categoryTree, hasCatalogue, type CategoryNode } from '../queries/catalogue.ts';
import { itemView, searchItems } from '../queries/items.ts';
import { ensureCatalogue } from '../commands/ensure-catalogue.ts';
import { catalogueCrumbs, day, PUBLIC_BASE, UnitTabs, unitPath, validityName } from './parts.tsx';

const PlainQuery = Strict({ ...PageQueryFields });
const UnitParams = Strict({ unit: Type.String({ minLength: 1, maxLength: 64 }) });
const ItemParams = Strict({ unit: Type.String({ minLength: 1, maxLength: 64 }), id: Type.String({ minLength: 1, maxLength: 64 }) });
const text = (max: number) => Type.Optional(Type.String({ maxLength: max }));
const CatalogueQuery = Strict({
  category: text(64),
  q: text(LIMITS.q),
  indexNo: text(40),
  docNumber: text(LIMITS.docNumber),
  validity: text(20),
  from: text(10),
  to: text(10),
  cursor: text(200),
  ...PageQueryFields,
});
const FORM = 'xxgk';

export const requestsInstalled = (platform: Platform) => platform.modules.modules.some((m) => m.name === 'interaction');

function CategoryTree({ ctx, base, tree, current }: { ctx: ViewContext; base: string; tree: CategoryNode[]; current?: string }) {
  const link = (node: CategoryNode) => (
    <a href={attr(`${base}?category=${encodeURIComponent(node.id)}`)} aria-current={node.id === current ? 'page' : undefined}>
      <span safe>{node.name}</span> <span class="muted">({node.itemCount})</span>
    </a>
  );
  return (
    <nav class="account-nav" aria-label={ctx.ta('page.portalDisclosure.public.tree')}>
      <ul>
        <li>
          <a href={attr(base)} aria-current={!current ? 'page' : undefined}>
            {ctx.t('page.portalDisclosure.public.all')}
          </a>
        </li>
        {tree.map((top) => (
          <li>
            {link(top)}
            {top.children.length ? <ul class="xxgk-sub">{top.children.map((child) => <li>{link(child)}</li>)}</ul> : ''}
          </li>
        ))}
      </ul>
    </nav>
  );
}

export async function publicCataloguePages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof PlainQuery> }>(PUBLIC_BASE, { schema: { querystring: PlainQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const rows = await disclosureDb(platform.db).selectFrom('portal_disclosure_catalogues').select('unit_id').limit(2000).execute();
    const units = (await getUnits(platform.db, rows.map((r) => r.unit_id))).filter((u) => !u.disabledAt).sort((a, b) => a.regionCode.localeCompare(b.regionCode) || a.name.localeCompare(b.name, 'zh-CN'));
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.portalDisclosure.public.home'),
      crumbs: [{ label: ctx.t('page.portalDisclosure.public.home') }],
      body: (
        <>
          <PageHeading title={ctx.t('page.portalDisclosure.public.home')} lead={ctx.t('page.portalDisclosure.public.homeLead')} />
          {units.length ? (
            <ul class="home-chips">
              {units.map((u) => (
                <li>
                  <a href={attr(unitPath(u))} safe>
                    {u.name}
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <EmptyState>{ctx.t('page.portalDisclosure.public.noUnits')}</EmptyState>
          )}
        </>
      ),
    }));
  });

  app.get<{ Params: Static<typeof UnitParams>; Querystring: Static<typeof CatalogueQuery> }>(`${PUBLIC_BASE}/:unit`, { schema: { params: UnitParams, querystring: CatalogueQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const unit = await unitByKey(platform.db, request.params.unit);
    const now = platform.clock.now();
    if (!(await hasCatalogue(platform.db, unit.id))) await inTransaction(platform.db, SYSTEM_ACTOR, (work) => ensureCatalogue(work, unit.id, now));
    const tree = await categoryTree(platform.db, unit.id, { publicOnly: true, now });
    const query = request.query;
    const validity = (VALIDITIES as readonly string[]).includes(query.validity ?? '') ? (query.validity as Validity) : undefined;
    const found = await attempt(request.lang, () =>
      searchItems(platform.db, unit.id, { categoryId: query.category || undefined, q: query.q, indexNo: query.indexNo, docNumber: query.docNumber, validity, from: query.from || undefined, to: query.to || undefined, limit: 20, cursor: query.cursor }, { now }),
    );
    const page = found.ok ? found.value : { items: [], nextCursor: null };
    const fields = found.ok ? {} : Object.fromEntries(Object.entries(found.fields).map(([k, v]) => [k.replace(/^querystring\./, '').replace(/^categoryId$/, 'category'), v]));
    const all = tree.flatMap((t) => [t, ...t.children]);
    const current = all.find((c) => c.id === query.category);
    const base = unitPath(unit);
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.portalDisclosure.public.catalogueTitle', { unit: unit.name }),
      crumbs: catalogueCrumbs(ctx, unit),
      status: found.ok ? 200 : 400,
      body: (
        <>
          <PageHeading title={ctx.t('page.portalDisclosure.public.catalogueTitle', { unit: unit.name })} lead={ctx.t('page.portalDisclosure.public.catalogueLead')} />
          <UnitTabs ctx={ctx} unit={unit} current="catalogue" requests={requestsInstalled(platform)} />
          <div class="account-layout">
            <CategoryTree ctx={ctx} base={base} tree={tree} current={current?.id} />
            <div>
              <ErrorSummary ctx={ctx} form={FORM} summary={found.ok ? undefined : found.summary} fields={fields} status={found.ok ? undefined : 400} labels={{ from: ctx.ta('page.portalDisclosure.field.from'), to: ctx.ta('page.portalDisclosure.field.to'), category: ctx.ta('page.portalDisclosure.field.category') }} />
              <form method="get" action={attr(base)} class="search-bar" role="search" aria-label={ctx.ta('page.portalDisclosure.public.search')}>
                {current ? <input type="hidden" name="category" value={attr(current.id)} /> : ''}
                <TextField ctx={ctx} form={FORM} name="q" type="search" label={ctx.ta('page.portalDisclosure.field.titleContains')} value={query.q} maxlength={LIMITS.q} />
                <TextField ctx={ctx} form={FORM} name="indexNo" label={ctx.ta('page.portalDisclosure.field.indexNo')} value={query.indexNo} maxlength={40} />
                <TextField ctx={ctx} form={FORM} name="docNumber" label={ctx.ta('page.portalDisclosure.field.docNumber')} value={query.docNumber} maxlength={LIMITS.docNumber} />
                <SelectField ctx={ctx} form={FORM} name="validity" label={ctx.ta('page.portalDisclosure.field.validity')} value={validity ?? ''} placeholder={ctx.ta('page.portalDisclosure.public.any')} options={VALIDITIES.map((v) => ({ value: v, label: ctx.ta(`portal.disclosure.validity.${v}`) }))} />
                <TextField ctx={ctx} form={FORM} name="from" type="date" label={ctx.ta('page.portalDisclosure.field.from')} value={query.from} error={fields.from} size="short" />
                <TextField ctx={ctx} form={FORM} name="to" type="date" label={ctx.ta('page.portalDisclosure.field.to')} value={query.to} error={fields.to} size="short" />
                <button type="submit" class="button">
                  {ctx.t('page.portalDisclosure.public.searchButton')}
                </button>
              </form>
              <DataTable
                id="xxgk-items"
                stack
                caption={current ? Html.escapeHtml(current.name) : ctx.t('page.portalDisclosure.public.all')}
                head={[ctx.t('page.portalDisclosure.field.indexNo'), ctx.t('page.portalDisclosure.field.title'), ctx.t('page.portalDisclosure.field.docNumber'), ctx.t('page.portalDisclosure.field.publishedAt'), ctx.t('page.portalDisclosure.field.validity')]}
              >
                {page.items.length ? (
                  page.items.map((item) => (
                    <tr>
                      <td data-label={ctx.ta('page.portalDisclosure.field.indexNo')} class="mono" safe>
                        {item.indexNo}
                      </td>
                      <td data-label={ctx.ta('page.portalDisclosure.field.title')}>
                        <a href={attr(item.url)} safe>
                          {item.title}
                        </a>
                      </td>
                      <td data-label={ctx.ta('page.portalDisclosure.field.docNumber')} safe>
                        {item.docNumber ?? ''}
                      </td>
                      <td data-label={ctx.ta('page.portalDisclosure.field.publishedAt')}>{day(item.publishedAt)}</td>
                      <td data-label={ctx.ta('page.portalDisclosure.field.validity')}>{validityName(ctx, item.validity)}</td>
                    </tr>
                  ))
                ) : (
                  <EmptyRow columns={5}>{ctx.t('page.portalDisclosure.public.noItems')}</EmptyRow>
                )}
              </DataTable>
              <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!query.cursor} />
            </div>
          </div>
        </>
      ),
    }));
  });

  app.get<{ Params: Static<typeof ItemParams>; Querystring: Static<typeof PlainQuery> }>(`${PUBLIC_BASE}/:unit/items/:id`, { schema: { params: ItemParams, querystring: PlainQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const unit = await unitByKey(platform.db, request.params.unit);
    const item = await itemView(platform.db, request.params.id, { now: platform.clock.now(), principal: request.principal });
    if (item.unitId !== unit.id) throw notFound();
    return renderPortal(request, reply, (ctx) => {
      const facts: Array<[string, JSX.Element]> = [
        ['page.portalDisclosure.field.indexNo', <span class="mono" safe>{item.indexNo}</span>],
        ['page.portalDisclosure.field.category', Html.escapeHtml(item.categoryName)],
        ['page.portalDisclosure.field.issuingUnit', Html.escapeHtml(item.issuingUnit)],
        ['page.portalDisclosure.field.writtenDate', day(`${item.writtenDate}T12:00:00+08:00`)],
        ['page.portalDisclosure.field.publishedAt', day(item.publishedAt)],
        ['page.portalDisclosure.field.docNumber', Html.escapeHtml(item.docNumber ?? '')],
        [
          'page.portalDisclosure.field.validity',
          <>
            {validityName(ctx, item.validity)}
            {item.validityReason ? <span class="muted"> · <span safe>{item.validityReason}</span></span> : ''}
          </>,
        ],
        ['page.portalDisclosure.field.subjectTerms', Html.escapeHtml(item.subjectTerms ?? '')],
      ];
      return {
        title: Html.escapeHtml(item.title),
        crumbs: [...catalogueCrumbs(ctx, unit), { label: Html.escapeHtml(item.title) }],
        body: (
          <>
            <PageHeading title={Html.escapeHtml(item.title)} />
            <dl class="summary-list" aria-label={ctx.ta('page.portalDisclosure.public.metadata')}>
              {facts.map(([key, value]) => (
                <div>
                  <dt>{ctx.t(key)}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
            <article class="prose">
              {item.body
                .split(/\n\s*\n/)
                .filter((p) => p.trim())
                .map((p) => (
                  <p>
                    {p
                      .trim()
                      .split('\n')
                      .map((line, i) => (
                        <>
                          {i ? <br /> : ''}
                          {Html.escapeHtml(line)}
                        </>
                      ))}
                  </p>
                ))}
              {item.attachments.length ? (
                <>
                  <h2>{ctx.t('page.portalDisclosure.public.attachments')}</h2>
                  <ul>
                    {item.attachments.map((f) => (
                      <li>
                        <a href={attr(`/api/v1/files/${f.id}`)} safe>
                          {f.name}
                        </a>
                      </li>
                    ))}
                  </ul>
                </>
              ) : (
                ''
              )}
            </article>
            <p>
              <a href={attr(unitPath(unit))}>{ctx.t('page.portalDisclosure.public.back')}</a>
            </p>
          </>
        ),
      };
    });
  });
}
