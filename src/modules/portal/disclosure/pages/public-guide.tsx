/**
 * A unit's disclosure guide (公开指南) and its annual report (政府信息公开工作年度报告): the items it
 * disclosed actively in the year by category, and the requests it received and answered by answer
 * type, from the interaction module's register.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict } from '../../../../platform/http/index.ts';
import type { Platform } from '../../../../platform/module.ts';
import { renderPortal } from '../../../../platform/console/index.ts';
import { attr, DataTable, PageHeading, PageQueryFields, redirect } from '../../../../platform/views/index.ts';
import { shanghaiDate } from '../../../../platform/calendar/index.ts';
import { ANSWER_TYPES } from '../../../interaction/index.ts';
import { unitByKey } from '../queries/access.ts';
import { guideBlocks, guideOf } from '../queries/guide.ts';
import { annualReport, FIRST_YEAR, reportYear } from '../queries/report.ts';
import { catalogueCrumbs, PUBLIC_BASE, UnitTabs, unitPath } from './parts.tsx';
import { requestsInstalled } from './public.tsx';

const PlainQuery = Strict({ ...PageQueryFields });
const UnitParams = Strict({ unit: Type.String({ minLength: 1, maxLength: 64 }) });
const ReportParams = Strict({ unit: Type.String({ minLength: 1, maxLength: 64 }), year: Type.Integer({ minimum: 1900, maximum: 9999 }) });

export async function publicGuidePages(app: FastifyInstance, platform: Platform) {
  app.get<{ Params: Static<typeof UnitParams>; Querystring: Static<typeof PlainQuery> }>(`${PUBLIC_BASE}/:unit/guide`, { schema: { params: UnitParams, querystring: PlainQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const unit = await unitByKey(platform.db, request.params.unit);
    const guide = await guideOf(platform.db, unit, request.lang);
    const requests = requestsInstalled(platform);
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.portalDisclosure.public.guideTitle', { unit: unit.name }),
      crumbs: [...catalogueCrumbs(ctx, unit), { label: ctx.t('page.portalDisclosure.public.tab.guide') }],
      body: (
        <>
          <PageHeading title={ctx.t('page.portalDisclosure.public.guideTitle', { unit: unit.name })} />
          <UnitTabs ctx={ctx} unit={unit} current="guide" requests={requests} />
          <article class="prose">
            {guideBlocks(guide.body).map((block) => (block.kind === 'heading' ? <h2 safe>{block.text}</h2> : <p safe>{block.text}</p>))}
            {requests ? (
              <p>
                <a class="button" href={attr(`/interaction/disclosure/apply?unit=${encodeURIComponent(unit.id)}`)}>
                  {ctx.t('page.portalDisclosure.public.apply')}
                </a>
              </p>
            ) : (
              ''
            )}
          </article>
        </>
      ),
    }));
  });

  // The report people look for is last year's (this year's is not finished).
  app.get<{ Params: Static<typeof UnitParams>; Querystring: Static<typeof PlainQuery> }>(`${PUBLIC_BASE}/:unit/report`, { schema: { params: UnitParams, querystring: PlainQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const unit = await unitByKey(platform.db, request.params.unit);
    return redirect(reply, `${unitPath(unit)}/report/${Number(shanghaiDate(platform.clock.now()).slice(0, 4)) - 1}`);
  });

  app.get<{ Params: Static<typeof ReportParams>; Querystring: Static<typeof PlainQuery> }>(`${PUBLIC_BASE}/:unit/report/:year`, { schema: { params: ReportParams, querystring: PlainQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const unit = await unitByKey(platform.db, request.params.unit);
    const now = platform.clock.now();
    const year = reportYear(request.params.year, now);
    const report = await annualReport(platform, unit, year);
    const current = Number(shanghaiDate(now).slice(0, 4));
    const years = Array.from({ length: Math.min(6, current - FIRST_YEAR + 1) }, (_, i) => current - i);
    const r = report.requests;
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.portalDisclosure.public.reportTitle', { unit: unit.name, year }),
      crumbs: [...catalogueCrumbs(ctx, unit), { label: ctx.t('page.portalDisclosure.public.reportYear', { year }) }],
      body: (
        <>
          <PageHeading title={ctx.t('page.portalDisclosure.public.reportTitle', { unit: unit.name, year })} lead={ctx.t('page.portalDisclosure.public.reportLead')} />
          <UnitTabs ctx={ctx} unit={unit} current="report" requests={requestsInstalled(platform)} />
          <nav class="year-nav" aria-label={ctx.ta('page.portalDisclosure.public.years')}>
            <ul class="home-chips">
              {years.map((y) => (
                <li>
                  <a href={attr(`${unitPath(unit)}/report/${y}`)} aria-current={y === year ? 'page' : undefined}>
                    {ctx.t('page.portalDisclosure.public.reportYear', { year: y })}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <h2>{ctx.t('page.portalDisclosure.public.activeTitle')}</h2>
          <DataTable id="report-active" stack caption={ctx.t('page.portalDisclosure.public.activeCaption', { year, total: report.active.total })} head={[ctx.t('page.portalDisclosure.field.category'), ctx.t('page.portalDisclosure.public.count')]}>
            {report.active.categories.flatMap((c) => [
              <tr>
                <th scope="row" safe>
                  {c.name}
                </th>
                <td data-label={ctx.ta('page.portalDisclosure.public.count')}>{c.count}</td>
              </tr>,
              ...c.children.map((child) => (
                <tr>
                  <td data-label={ctx.ta('page.portalDisclosure.field.category')}>
                    <span safe>{`${c.name} / ${child.name}`}</span>
                  </td>
                  <td data-label={ctx.ta('page.portalDisclosure.public.count')}>{child.count}</td>
                </tr>
              )),
            ])}
            <tr>
              <th scope="row">{ctx.t('page.portalDisclosure.public.total')}</th>
              <td data-label={ctx.ta('page.portalDisclosure.public.count')}>{report.active.total}</td>
            </tr>
          </DataTable>
          <h2>{ctx.t('page.portalDisclosure.public.requestsTitle')}</h2>
          {r ? (
            <DataTable id="report-requests" stack caption={ctx.t('page.portalDisclosure.public.requestsCaption', { year })} head={[ctx.t('page.portalDisclosure.public.figure'), ctx.t('page.portalDisclosure.public.count')]}>
              {(
                [
                  ['page.portalDisclosure.public.received', r.received],
                  ['page.portalDisclosure.public.carriedOver', r.carriedOver],
                  ...ANSWER_TYPES.map((t) => [`interaction.public.answerType.${t}`, r.answered[t]] as [string, number]),
                  ['page.portalDisclosure.public.answeredTotal', r.answeredTotal],
                  ['page.portalDisclosure.public.open', r.open],
                  ['page.portalDisclosure.public.extended', r.extended],
                ] as Array<[string, number]>
              ).map(([key, n]) => (
                <tr>
                  <th scope="row">{ctx.t(key)}</th>
                  <td data-label={ctx.ta('page.portalDisclosure.public.count')}>{n}</td>
                </tr>
              ))}
            </DataTable>
          ) : (
            <p class="muted">{ctx.t('page.portalDisclosure.public.noRequests')}</p>
          )}
        </>
      ),
    }));
  });
}
