import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import { renderConsole } from '../../../platform/console/shell.tsx';
import { pageScope } from '../../../platform/console/index.ts';
import { attempt, attr, DataTable, EmptyState, RefusalNotice, type NavGroup, type ViewContext } from '../../../platform/views/index.ts';
import { CHANNELS, STATS_PERMISSION, type Channel } from '../model.ts';
import { interactionChannelStats, interactionStats, statsPeriod, type Measures } from '../queries/stats.ts';

const StatsQuery = Strict({
  from: Type.Optional(Type.String({ maxLength: 32 })),
  to: Type.Optional(Type.String({ maxLength: 32 })),
  channel: Type.Optional(Type.String({ maxLength: 32 })),
});

/** The 政民互动 menu's statistics item (the group's other items come with their pages). */
export const statsNav: NavGroup = {
  id: 'interaction',
  key: 'page.interaction.nav.group',
  items: [{ href: '/console/interaction/stats', key: 'page.interaction.nav.stats', permission: STATS_PERMISSION }],
};

const percent = (rate: number | null) => (rate === null ? null : `${(rate * 100).toFixed(1)}%`);
const COLUMNS = ['received', 'answered', 'answerRate', 'onTimeRate', 'avgWorkingDays', 'satisfaction', 'reopened'] as const;

/** The measures' cells, each labelled for the stacked phone layout. */
function MeasureCells({ ctx, m }: { ctx: ViewContext; m: Measures }) {
  const none = ctx.ta('page.interaction.stats.none');
  const label = (c: (typeof COLUMNS)[number]) => ctx.ta(`page.interaction.stats.col.${c}`);
  return (
    <>
      <td data-label={label('received')}>{m.received}</td>
      <td data-label={label('answered')}>{m.answered}</td>
      <td data-label={label('answerRate')} safe>
        {percent(m.answerRate)}
      </td>
      <td data-label={label('onTimeRate')} safe>
        {percent(m.onTimeRate) ?? none}
      </td>
      <td data-label={label('avgWorkingDays')} safe>
        {m.avgWorkingDays === null ? none : ctx.ta('page.interaction.stats.days', { days: m.avgWorkingDays.toFixed(1) })}
      </td>
      <td data-label={label('satisfaction')} safe>
        {m.satisfaction === null ? none : ctx.ta('page.interaction.stats.score', { score: m.satisfaction.toFixed(2) })}
      </td>
      <td data-label={label('reopened')}>{m.reopened}</td>
    </>
  );
}

const DARK = '#1f5fa8';
const LIGHT = '#a9c4e6';

/**
 * A horizontal bar chart drawn on the server: one or two bars per row, scaled to the largest
 * value; the chart is an image with a title and a description, each bar says what it shows.
 */
function BarChart({ id, title, desc, rows, max }: { id: string; title: string; desc: string; rows: Array<{ label: string; bars: Array<{ value: number; color: string }>; text: string }>; max: number }) {
  const rowHeight = 28;
  const labelWidth = 190;
  const plot = 380;
  const height = rows.length * rowHeight + 8;
  return (
    <figure class="panel">
      <svg viewBox={`0 0 ${labelWidth + plot + 10} ${height}`} width="100%" role="img" aria-labelledby={`${id}-title ${id}-desc`} focusable="false">
        <title id={`${id}-title`} safe>
          {title}
        </title>
        <desc id={`${id}-desc`} safe>
          {desc}
        </desc>
        {rows.map((row, i) => {
          const y = 4 + i * rowHeight;
          const barHeight = (rowHeight - 8) / row.bars.length;
          return (
            <g>
              <title safe>{row.text}</title>
              <text x={String(labelWidth - 6)} y={String(y + rowHeight / 2 + 1)} text-anchor="end" dominant-baseline="middle" font-size="13" fill="currentColor" safe>
                {row.label.length > 14 ? `${row.label.slice(0, 13)}…` : row.label}
              </text>
              {row.bars.map((bar, j) => (
                <rect x={String(labelWidth)} y={String(y + 2 + j * barHeight)} width={String(max > 0 ? Math.max(0, (bar.value / max) * plot) : 0)} height={String(barHeight)} fill={bar.color} />
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption safe>{title}</figcaption>
    </figure>
  );
}

/** At most this many units in the chart (the table lists them all). */
const CHART_UNITS = 15;

export async function statsPages(app: FastifyInstance, platform: Platform) {
  pageScope(app);
  app.get<{ Querystring: Static<typeof StatsQuery> }>('/console/interaction/stats', { schema: { querystring: StatsQuery }, config: { auth: STATS_PERMISSION } }, async (request, reply) => {
    const now = platform.clock.now();
    const today = shanghaiDate(now);
    const from = request.query.from || `${today.slice(0, 8)}01`;
    const to = request.query.to || today;
    const channel = (CHANNELS as readonly string[]).includes(request.query.channel ?? '') ? (request.query.channel as Channel) : undefined;
    const result = await attempt(request.lang, async () => {
      const period = statsPeriod(from, to);
      const units = await interactionStats(platform.db, request.principal!, period, { channel, now });
      const channels = await interactionChannelStats(platform.db, request.principal!, period, { now });
      return { units, channels };
    });
    const query = `from=${encodeURIComponent(from)}&amp;to=${encodeURIComponent(to)}${channel ? `&amp;channel=${channel}` : ''}`;
    return renderConsole(platform, request, reply, (ctx) => {
      const channelName = (c: Channel) => ctx.ta(`page.interaction.stats.channel.${c}`);
      const head = (first: 'unit' | 'channel') => [first, ...COLUMNS].map((c) => <>{ctx.t(`page.interaction.stats.col.${c}`)}</>);
      let content: JSX.Element;
      if (!result.ok) {
        content = (
          <RefusalNotice failure={result} />
        );
      } else {
        const { units, channels } = result.value;
        const busiest = [...units].sort((a, b) => b.received - a.received).slice(0, CHART_UNITS).filter((u) => u.received > 0);
        content = (
          <>
            <div>
              <BarChart
                id="chart-channels"
                title={ctx.ta('page.interaction.stats.chart.received')}
                desc={ctx.ta('page.interaction.stats.chart.receivedDesc')}
                max={Math.max(0, ...channels.map((c) => c.received))}
                rows={channels.map((c) => ({
                  label: channelName(c.channel),
                  text: ctx.ta('page.interaction.stats.chart.bar', { label: channelName(c.channel), received: c.received, answered: c.answered }),
                  bars: [
                    { value: c.received, color: LIGHT },
                    { value: c.answered, color: DARK },
                  ],
                }))}
              />
              {busiest.length ? (
                <BarChart
                  id="chart-units"
                  title={ctx.ta('page.interaction.stats.chart.answerRate', { count: busiest.length })}
                  desc={ctx.ta('page.interaction.stats.chart.answerRateDesc')}
                  max={1}
                  rows={busiest.map((u) => ({ label: u.unitName, text: ctx.ta('page.interaction.stats.chart.rate', { label: u.unitName, rate: percent(u.answerRate) }), bars: [{ value: u.answerRate, color: DARK }] }))}
                />
              ) : (
                ''
              )}
            </div>
            <DataTable id="interaction-stats-channels" stack caption={<>{ctx.t('page.interaction.stats.channelCaption', { from, to })}</>} head={head('channel')}>
              {channels.map((c) => (
                <tr>
                  <th scope="row" safe>
                    {channelName(c.channel)}
                  </th>
                  <MeasureCells ctx={ctx} m={c} />
                </tr>
              ))}
            </DataTable>
            {units.length ? (
              <DataTable id="interaction-stats" stack caption={<>{ctx.t('page.interaction.stats.caption', { from, to })}</>} head={head('unit')}>
                {units.map((u) => (
                  <tr>
                    <th scope="row" safe>
                      {u.unitName}
                    </th>
                    <MeasureCells ctx={ctx} m={u} />
                  </tr>
                ))}
              </DataTable>
            ) : (
              <EmptyState>{ctx.t('page.interaction.stats.empty')}</EmptyState>
            )}
            <p>
              <a class="button button-secondary" href={`/api/v1/interaction/stats.xlsx?${query}`}>
                {ctx.t('page.interaction.stats.export')}
              </a>
            </p>
          </>
        );
      }
      return {
        title: ctx.t('page.interaction.stats.title'),
        lead: ctx.t('page.interaction.stats.lead'),
        crumbs: [{ label: ctx.t('page.interaction.nav.stats') }],
        status: result.ok ? undefined : result.error.status,
        body: (
          <>
            <form method="get" action="/console/interaction/stats" class="form-row">
              <label for="from">{ctx.t('page.interaction.stats.from')}</label>
              <input id="from" name="from" type="date" class="input input-short" value={attr(from)} />
              <label for="to">{ctx.t('page.interaction.stats.to')}</label>
              <input id="to" name="to" type="date" class="input input-short" value={attr(to)} />
              <label for="channel">{ctx.t('page.interaction.stats.channel')}</label>
              <select id="channel" name="channel" class="input input-short">
                <option value="">{ctx.t('page.interaction.stats.allChannels')}</option>
                {CHANNELS.map((c) => (
                  <option value={c} selected={c === channel} safe>
                    {channelName(c)}
                  </option>
                ))}
              </select>
              <button type="submit" class="button button-secondary">
                {ctx.t('page.interaction.stats.show')}
              </button>
            </form>
            {content}
          </>
        ),
      };
    });
  });
}
