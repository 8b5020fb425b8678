import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, actorOf, fieldError, invalid, notFound } from '../http/index.ts';
import { inTransaction } from '../db/work.ts';
import type { Platform } from '../module.ts';
import { coversUnit } from '../iam/principal.ts';
import * as org from '../org/service.ts';
import { REGION_LEVELS, regionLevelOf, type RegionLevel } from '../org/codes.ts';
import {
  attempt,
  attr,
  Csrf,
  DataTable,
  EmptyRow,
  EmptyState,
  ErrorSummary,
  FormBody,
  formText,
  liveSearchAttributes,
  PageQueryFields,
  Pagination,
  redirect,
  SelectField,
  setFlash,
  TextField,
  type FieldMessages,
} from '../views/index.ts';
import { renderConsole } from './shell.tsx';

const RegionCodePattern = '^\\d{6}(\\d{3}){0,2}$';
const RegionsQuery = Strict({ parent: Type.Optional(Type.String({ pattern: RegionCodePattern })), ...PageQueryFields });
const UnitsQuery = Strict({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  region: Type.Optional(Type.String({ maxLength: 12 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  ...PageQueryFields,
});

interface FormState {
  values?: Record<string, string>;
  summary?: string;
  fields?: FieldMessages;
  status?: number;
}

function childLevel(parent: org.Region | null): RegionLevel {
  if (!parent) return 'province';
  return REGION_LEVELS[Math.min(REGION_LEVELS.indexOf(parent.level) + 1, REGION_LEVELS.length - 1)];
}

async function renderRegions(platform: Platform, request: FastifyRequest, reply: FastifyReply, parentCode: string | null, state: FormState = {}) {
  const parent = parentCode ? await org.getRegionWithAncestors(platform.db, parentCode) : null;
  if (parentCode && !parent) throw notFound();
  const children = await org.listRegions(platform.db, parentCode);
  const canAdd = !parent || parent.level !== 'village';
  return renderConsole(platform, request, reply, (ctx) => {
    const labels = { code: ctx.ta('page.regions.code'), name: ctx.ta('page.regions.name'), level: ctx.ta('page.regions.level'), parentCode: ctx.ta('page.regions.parent') };
    return {
      title: ctx.t('console.nav.regions'),
      lead: ctx.t('page.regions.lead'),
      crumbs: parent
        ? [{ href: '/console/regions', label: ctx.t('console.nav.regions') }, ...parent.ancestors.map((a) => ({ href: `/console/regions?parent=${a.code}`, label: Html.escapeHtml(a.name) })), { label: Html.escapeHtml(parent.name) }]
        : [{ label: ctx.t('console.nav.regions') }],
      status: state.status,
      body: (
        <>
          <DataTable
            id="regions"
            caption={parent ? ctx.t('page.regions.childrenOf', { name: parent.name }) : ctx.t('page.regions.top')}
            head={[ctx.t('page.regions.code'), ctx.t('page.regions.name'), ctx.t('page.regions.level'), ctx.t('ui.actions')]}
          >
            {children.length ? (
              children.map((r) => (
                <tr>
                  <td class="mono" safe>
                    {r.code}
                  </td>
                  <td safe>{r.name}</td>
                  <td>{ctx.t(`console.level.${r.level}`)}</td>
                  <td class="cell-actions">
                    {r.level !== 'village' ? (
                      <a href={`/console/regions?parent=${r.code}`} aria-label={ctx.ta('page.regions.browseOf', { name: r.name })}>
                        {ctx.t('page.regions.browse')}
                      </a>
                    ) : (
                      ''
                    )}
                    {ctx.can('unit.write') ? (
                      <a href={`/console/units?region=${r.code}`} aria-label={ctx.ta('page.regions.unitsOf', { name: r.name })}>
                        {ctx.t('page.regions.units')}
                      </a>
                    ) : (
                      ''
                    )}
                  </td>
                </tr>
              ))
            ) : (
              <EmptyRow columns={4}>{ctx.t('page.regions.none')}</EmptyRow>
            )}
          </DataTable>
          {canAdd ? (
            <section class="panel" aria-labelledby="add-region-title">
              <h2 id="add-region-title">{parent ? ctx.t('page.regions.addUnder', { name: parent.name }) : ctx.t('page.regions.addTop')}</h2>
              <ErrorSummary ctx={ctx} form="region" summary={state.summary} fields={state.fields} labels={labels} />
              <form method="post" action="/console/regions" class="form" novalidate>
                <Csrf ctx={ctx} />
                <input type="hidden" name="parentCode" value={attr(parentCode ?? '')} />
                <div class="form-row">
                  <TextField
                    ctx={ctx}
                    form="region"
                    name="code"
                    label={labels.code}
                    hint={ctx.ta(`page.regions.codeHint.${childLevel(parent)}`)}
                    value={state.values?.code}
                    error={state.fields?.code ?? state.fields?.level ?? state.fields?.parentCode}
                    inputmode="numeric"
                    maxlength={12}
                    required
                    size="short"
                  />
                  <TextField ctx={ctx} form="region" name="name" label={labels.name} value={state.values?.name} error={state.fields?.name} maxlength={100} required />
                </div>
                <button type="submit" class="button">
                  {ctx.t('page.regions.add')}
                </button>
              </form>
            </section>
          ) : (
            ''
          )}
        </>
      ),
    };
  });
}

async function renderUnits(platform: Platform, request: FastifyRequest<{ Querystring: Static<typeof UnitsQuery> }>, reply: FastifyReply, state: FormState = {}) {
  const q = request.query.q?.trim() || undefined;
  const region = request.query.region?.trim() || undefined;
  const filterError = region && !/^\d{6}(\d{3}){0,2}$/.test(region);
  const page = filterError ? { items: [], nextCursor: null } : await org.listUnits(platform.db, { q, regionCode: region, cursor: request.query.cursor, limit: 20 });
  return renderConsole(platform, request, reply, (ctx) => {
    const labels = { name: ctx.ta('console.units.name'), regionCode: ctx.ta('console.units.regionCode'), kind: ctx.ta('console.units.kind'), creditCode: ctx.ta('console.units.creditCode') };
    const values = state.values ?? { regionCode: region ?? '' };
    return {
      title: ctx.t('console.nav.units'),
      lead: ctx.t('page.units.lead'),
      crumbs: [{ label: ctx.t('console.nav.units') }],
      status: state.status,
      body: (
        <>
          <form method="get" action="/console/units" class="search-bar" role="search" aria-label={ctx.ta('page.units.search')}>
            <div class="field">
              <label for="units-q">{ctx.t('page.units.q')}</label>
              <input
                class="input"
                id="units-q"
                name="q"
                type="search"
                value={attr(q)}
                maxlength="100"
                {...liveSearchAttributes('/console/units', 'units-results')}
              />
            </div>
            <div class="field">
              <label for="units-region">{ctx.t('page.units.region')}</label>
              <input
                class={['input', 'input-short']}
                id="units-region"
                name="region"
                value={attr(region)}
                inputmode="numeric"
                maxlength="12"
                aria-invalid={filterError ? 'true' : undefined}
                aria-describedby={filterError ? 'units-region-error' : undefined}
              />
              {filterError ? (
                <p class="field-error" id="units-region-error">
                  {ctx.t('page.units.regionInvalid')}
                </p>
              ) : (
                ''
              )}
            </div>
            <button type="submit" class="button">
              {ctx.t('page.units.searchButton')}
            </button>
          </form>
          <div id="units-results">
            <p class="visually-hidden" role="status">
              {ctx.t('page.units.shown', { count: page.items.length })}
            </p>
            {page.items.length ? (
              <>
                <DataTable id="units" caption={ctx.t('page.units.caption')} head={[ctx.t('console.units.name'), ctx.t('console.units.kind'), ctx.t('console.units.region'), ctx.t('console.units.creditCode')]}>
                  {page.items.map((u) => (
                    <tr>
                      <td safe>{u.name}</td>
                      <td>{ctx.t(`console.kind.${u.kind}`)}</td>
                      <td class="mono" safe>
                        {u.regionCode}
                      </td>
                      <td class="mono" safe>
                        {u.creditCode ?? '—'}
                      </td>
                    </tr>
                  ))}
                </DataTable>
                <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
              </>
            ) : (
              <EmptyState>{ctx.t('page.units.none')}</EmptyState>
            )}
          </div>
          <section class="panel" aria-labelledby="add-unit-title">
            <h2 id="add-unit-title">{ctx.t('page.units.add')}</h2>
            <ErrorSummary ctx={ctx} form="unit" summary={state.summary} fields={state.fields} labels={labels} />
            <form method="post" action="/console/units" class="form form-wide" novalidate>
              <Csrf ctx={ctx} />
              <TextField ctx={ctx} form="unit" name="name" label={labels.name} value={values.name} error={state.fields?.name} maxlength={200} required size="long" />
              <div class="form-row">
                <TextField ctx={ctx} form="unit" name="regionCode" label={labels.regionCode} hint={ctx.ta('page.units.regionHint')} value={values.regionCode} error={state.fields?.regionCode} inputmode="numeric" maxlength={12} required size="short" />
                <SelectField ctx={ctx} form="unit" name="kind" label={labels.kind} value={values.kind ?? 'department'} error={state.fields?.kind} options={org.UNIT_KINDS.map((k) => ({ value: k, label: ctx.ta(`console.kind.${k}`) }))} required />
                <TextField ctx={ctx} form="unit" name="creditCode" label={labels.creditCode} hint={ctx.ta('page.units.creditHint')} value={values.creditCode} error={state.fields?.creditCode} maxlength={18} />
              </div>
              <button type="submit" class="button">
                {ctx.t('page.units.addButton')}
              </button>
            </form>
          </section>
        </>
      ),
    };
  });
}

export async function orgPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof RegionsQuery> }>('/console/regions', { schema: { querystring: RegionsQuery }, config: { auth: 'region.write' } }, async (request, reply) =>
    renderRegions(platform, request, reply, request.query.parent ?? null),
  );

  app.post<{ Body: Static<typeof FormBody> }>('/console/regions', { schema: { body: FormBody }, config: { auth: 'region.write' } }, async (request, reply) => {
    const parentCode = formText(request.body, 'parentCode') || null;
    if (parentCode && !/^\d{6}(\d{3}){0,2}$/.test(parentCode)) throw notFound();
    const parent = parentCode ? await org.getRegion(platform.db, parentCode) : null;
    if (parentCode && !parent) throw notFound();
    const values = { code: formText(request.body, 'code'), name: formText(request.body, 'name') };
    const result = await attempt(request.lang, async () => {
      const errors = [];
      if (!values.code) errors.push(fieldError('code', 'page.regions.codeRequired'));
      if (!values.name) errors.push(fieldError('name', 'org.nameRequired'));
      if (values.name.length > 100) errors.push(fieldError('name', 'console.tooLong', { max: 100 }));
      if (errors.length) throw invalid(errors);
      const level = regionLevelOf(values.code) ?? childLevel(parent);
      return inTransaction(platform.db, actorOf(request), (work) => org.createRegion(work, { code: values.code, name: values.name, level, parentCode }));
    });
    if (!result.ok) return renderRegions(platform, request, reply, parentCode, { values, summary: result.summary, fields: result.fields, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'flash.regionCreated', params: { name: result.value.name, code: result.value.code } });
    return redirect(reply, parentCode ? `/console/regions?parent=${parentCode}` : '/console/regions');
  });

  app.get<{ Querystring: Static<typeof UnitsQuery> }>('/console/units', { schema: { querystring: UnitsQuery }, config: { auth: 'unit.write' } }, async (request, reply) => renderUnits(platform, request, reply));

  app.post<{ Body: Static<typeof FormBody>; Querystring: Static<typeof UnitsQuery> }>('/console/units', { schema: { body: FormBody, querystring: UnitsQuery }, config: { auth: 'unit.write' } }, async (request, reply) => {
    const principal = request.principal!;
    const values = { name: formText(request.body, 'name'), regionCode: formText(request.body, 'regionCode'), kind: formText(request.body, 'kind'), creditCode: formText(request.body, 'creditCode').toUpperCase() };
    const result = await attempt(request.lang, async () => {
      const errors = [];
      if (!values.name) errors.push(fieldError('name', 'org.nameRequired'));
      if (values.name.length > 200) errors.push(fieldError('name', 'console.tooLong', { max: 200 }));
      if (!/^\d{6}(\d{3}){0,2}$/.test(values.regionCode)) errors.push(fieldError('regionCode', 'page.units.regionInvalid'));
      else if (!coversUnit(principal, 'unit.write', { id: '', regionCode: values.regionCode })) errors.push(fieldError('regionCode', 'page.units.outOfScope'));
      if (!(org.UNIT_KINDS as string[]).includes(values.kind)) errors.push(fieldError('kind', 'page.units.kindRequired'));
      if (values.creditCode.length > 18) errors.push(fieldError('creditCode', 'org.unit.creditCodeInvalid', { code: values.creditCode }));
      if (errors.length) throw invalid(errors);
      return inTransaction(platform.db, actorOf(request), (work) =>
        org.createUnit(work, { name: values.name, regionCode: values.regionCode, kind: values.kind as org.UnitKind, creditCode: values.creditCode || null }),
      );
    });
    if (!result.ok) return renderUnits(platform, request, reply, { values, summary: result.summary, fields: result.fields, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'flash.unitCreated', params: { name: result.value.name } });
    return redirect(reply, `/console/units?region=${result.value.regionCode}&q=${encodeURIComponent(result.value.name)}`);
  });
}

