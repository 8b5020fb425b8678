import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict } from '../../../platform/http/index.ts';
import type { DashboardCounter, Platform } from '../../../platform/module.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import { scopesFor } from '../../../platform/iam/principal.ts';
import { renderConsole } from '../../../platform/console/shell.tsx';
import { attempt, attr, DataTable, EmptyState, RefusalNotice } from '../../../platform/views/index.ts';
import { countOpenTasks } from '../../../platform/flow/service.ts';
import { RECEIVE_PERMISSION, SIGNOFF_PERMISSION, SIGNOFF_SUBJECT, STATS_PERMISSION } from '../model.ts';
import { countUnsigned, exchangeStats, statsPeriod, type UnitStats } from '../queries/stats.ts';

const StatsQuery = Strict({
  from: Type.Optional(Type.String({ maxLength: 32 })),
  to: Type.Optional(Type.String({ maxLength: 32 })),
});

/** 待签收公文: the delivered, unsigned receipts of the units where the caller signs for documents. */
export const unsignedCounter: DashboardCounter = {
  id: 'exchange.unsigned',
  key: 'exchange.dashboard.unsigned',
  permission: RECEIVE_PERMISSION,
  href: '/console/exchange/inbox',
  count: (platform, principal) =>
    countUnsigned(
      platform.db,
      scopesFor(principal, RECEIVE_PERMISSION).flatMap((s) => ('unitId' in s ? [s.unitId] : [])),
    ),
};

/** 待签发公文: the sign-off steps (核稿, 会签, 签发) waiting for the caller, listed on the 发文 page. */
export const signoffCounter: DashboardCounter = {
  id: 'exchange.signoff',
  key: 'exchange.dashboard.signoff',
  permission: SIGNOFF_PERMISSION,
  href: '/console/exchange/documents?state=in_signoff',
  count: (platform, principal) => countOpenTasks(platform.db, principal, [SIGNOFF_SUBJECT]),
};

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

export async function statsPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof StatsQuery> }>('/console/exchange/stats', { schema: { querystring: StatsQuery }, config: { auth: STATS_PERMISSION } }, async (request, reply) => {
    const today = shanghaiDate(platform.clock.now());
    const from = request.query.from || `${today.slice(0, 8)}01`;
    const to = request.query.to || today;
    const result = await attempt(request.lang, async () => exchangeStats(platform.db, request.principal!, statsPeriod(from, to), { now: platform.clock.now() }));
    const query = `from=${encodeURIComponent(from)}&amp;to=${encodeURIComponent(to)}`;
    return renderConsole(platform, request, reply, (ctx) => {
      const head = ['unit', 'sent', 'received', 'signed', 'returned', 'signRate', 'avgHours', 'overdue'].map((c) => <>{ctx.t(`page.exchange.stats.col.${c}`)}</>);
      const row = (item: UnitStats) => (
        <tr>
          <th scope="row" safe>
            {item.unitName}
          </th>
          <td>{item.sent}</td>
          <td>{item.received}</td>
          <td>{item.signed}</td>
          <td>{item.returned}</td>
          <td safe>{percent(item.signRate)}</td>
          <td>{item.avgHoursToSign === null ? ctx.t('page.exchange.stats.none') : ctx.t('page.exchange.stats.hours', { hours: item.avgHoursToSign.toFixed(1) })}</td>
          <td>{item.overdue}</td>
        </tr>
      );
      return {
        title: ctx.t('page.exchange.stats.title'),
        lead: ctx.t('page.exchange.stats.lead'),
        crumbs: [{ label: ctx.t('page.exchange.nav.stats') }],
        status: result.ok ? undefined : result.error.status,
        body: (
          <>
            <form method="get" action="/console/exchange/stats" class="form-row">
              <label for="from">{ctx.t('page.exchange.stats.from')}</label>
              <input id="from" name="from" type="date" class="input input-short" value={attr(from)} />
              <label for="to">{ctx.t('page.exchange.stats.to')}</label>
              <input id="to" name="to" type="date" class="input input-short" value={attr(to)} />
              <button type="submit" class="button button-secondary">
                {ctx.t('page.exchange.stats.show')}
              </button>
            </form>
            {!result.ok ? (
              <RefusalNotice failure={result} />
            ) : result.value.length ? (
              <>
                <DataTable id="exchange-stats" caption={<>{ctx.t('page.exchange.stats.caption', { from, to })}</>} head={head}>
                  {result.value.map(row)}
                </DataTable>
                <p>
                  <a class="button button-secondary" href={`/api/v1/exchange/stats.xlsx?${query}`}>
                    {ctx.t('page.exchange.stats.export')}
                  </a>
                </p>
              </>
            ) : (
              <EmptyState>{ctx.t('page.exchange.stats.empty')}</EmptyState>
            )}
          </>
        ),
      };
    });
  });
}
