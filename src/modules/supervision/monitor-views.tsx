/**
 * The supervision pages' parts: the monitor's live board, its open-cases table and chart, the
 * card and statistics tables. Steps are shown by their names, people and units by theirs.
 */
import { attr, DataTable, EmptyState, formatDateTime, withQuery, type ViewContext } from '../../platform/views/index.ts';
import type { CardView } from './cards.ts';
import type { MonitorSnapshot, MonitorStep } from './monitor.ts';
import type { StatsItem } from './stats.ts';

export const num = (n: number) => String(n) as 'safe';
export const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`) as 'safe';

export function ColorTag({ ctx, color }: { ctx: ViewContext; color: 'yellow' | 'red' | null }) {
  if (!color) return <span class="tag tag-ok">{ctx.t('page.supervision.onTrack')}</span>;
  return <span class={color === 'red' ? 'tag tag-off' : 'badge'}>{ctx.t(`supervision.color.${color}`)}</span>;
}

/** A subject's tracking number, linked to its owner's staff page when the subject's module is installed. */
export function SubjectLink({ href, text }: { href: string | null; text: string }) {
  return href ? (
    <a href={attr(href)} class="mono" safe>
      {text}
    </a>
  ) : (
    <span class="mono" safe>
      {text}
    </span>
  );
}

function StepRows({ ctx, steps }: { ctx: ViewContext; steps: MonitorStep[] }) {
  return (
    <>
      {steps.map((s) => (
        <tr>
          <td>
            <SubjectLink href={s.link} text={s.receiptNo ?? s.caseId} />
          </td>
          <td safe>{s.itemName ?? '—'}</td>
          <td safe>{s.stepName ?? s.stepKey}</td>
          <td safe>{s.unitName}</td>
          <td safe>{s.dueDate}</td>
          <td>{s.suspended ? <span class="tag tag-workday">{ctx.t('page.supervision.stopped')}</span> : <ColorTag ctx={ctx} color={s.color} />}</td>
        </tr>
      ))}
    </>
  );
}

/** The part of the monitor that refreshes itself (htmx polling every 15 s; without JavaScript, reload the page). */
export function LiveBoard({ ctx, board }: { ctx: ViewContext; board: MonitorSnapshot }) {
  const stepHead = [ctx.t('page.supervision.col.receipt'), ctx.t('page.supervision.col.item'), ctx.t('page.supervision.col.step'), ctx.t('page.supervision.col.unit'), ctx.t('page.supervision.col.due'), ctx.t('page.supervision.col.status')];
  return (
    <div id="live" data-hx-get="/console/supervision/live" data-hx-trigger="every 15s" data-hx-swap="outerHTML" aria-live="polite">
      <p class="muted">{ctx.t('page.supervision.asOf', { at: formatDateTime(board.at, ctx.lang) })}</p>
      <div class="panel-grid">
        <section class="panel" aria-labelledby="risk-title">
          <h2 id="risk-title">{ctx.t('page.supervision.atRisk')}</h2>
          <dl class="stat-list">
            <dt>{ctx.t('supervision.color.red')}</dt>
            <dd>{num(board.atRisk.red)}</dd>
            <dt>{ctx.t('supervision.color.yellow')}</dt>
            <dd>{num(board.atRisk.yellow)}</dd>
          </dl>
        </section>
        <section class="panel" aria-labelledby="today-title">
          <h2 id="today-title">{ctx.t('page.supervision.cardsToday')}</h2>
          <dl class="stat-list">
            <dt>{ctx.t('supervision.color.red')}</dt>
            <dd>
              <a href="/console/supervision/cards?color=red&amp;today=1">{num(board.cardsToday.red)}</a>
            </dd>
            <dt>{ctx.t('supervision.color.yellow')}</dt>
            <dd>
              <a href="/console/supervision/cards?color=yellow&amp;today=1">{num(board.cardsToday.yellow)}</a>
            </dd>
            <dt>{ctx.t('page.supervision.complaintsOverdue')}</dt>
            <dd>{num(board.complaintsOverdue)}</dd>
            <dt>{ctx.t('page.supervision.rectificationsOverdue')}</dt>
            <dd>{num(board.rectificationsOverdue)}</dd>
          </dl>
        </section>
      </div>
      <DataTable id="risk-steps" caption={ctx.t('page.supervision.atRiskSteps')} head={stepHead}>
        {board.atRisk.steps.length ? <StepRows ctx={ctx} steps={board.atRisk.steps} /> : ''}
      </DataTable>
      {board.atRisk.steps.length ? '' : <EmptyState>{ctx.t('page.supervision.nothingAtRisk')}</EmptyState>}
      <DataTable id="waiting-steps" caption={ctx.t('page.supervision.longestWaiting')} head={stepHead}>
        <StepRows ctx={ctx} steps={board.longestWaiting} />
      </DataTable>
    </div>
  );
}

export function OpenCases({ ctx, board }: { ctx: ViewContext; board: MonitorSnapshot }) {
  if (!board.openCases.length) return <EmptyState>{ctx.t('page.supervision.noOpenCases')}</EmptyState>;
  return (
    <DataTable id="open-cases" caption={ctx.t('page.supervision.openCases')} head={[ctx.t('page.supervision.col.unit'), ...board.states.map((s) => ctx.t(s.labelKey)), ctx.t('page.supervision.col.total')]}>
      {board.openCases.map((u) => (
        <tr>
          <td safe>{u.unitName}</td>
          {board.states.map(({ subjectType, state }) => {
            const count = u.subjects[subjectType]?.[state];
            return <td>{count ? <a href={`/console/supervision/cases?unitId=${attr(u.unitId)}&amp;subjectType=${attr(subjectType)}&amp;state=${attr(state)}`}>{num(count)}</a> : '0'}</td>;
          })}
          <td>{num(u.total)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

export function CardTable({ ctx, cards, caption }: { ctx: ViewContext; cards: CardView[]; caption: JSX.Element }) {
  return (
    <DataTable
      id="cards"
      caption={caption}
      head={[ctx.t('page.supervision.col.card'), ctx.t('page.supervision.col.reason'), ctx.t('page.supervision.col.receipt'), ctx.t('page.supervision.col.step'), ctx.t('page.supervision.col.status'), ctx.t('page.supervision.col.issued')]}
    >
      {cards.map((c) => (
        <tr>
          <td>
            <a href={`/console/supervision/cards/${attr(c.id)}`}>
              <ColorTag ctx={ctx} color={c.color} />
            </a>
          </td>
          <td>{ctx.t(`supervision.reason.${c.reason}`)}</td>
          <td class="mono" safe>
            {c.receiptNo ?? c.caseId}
          </td>
          <td safe>{c.stepName ?? c.stepKey ?? '—'}</td>
          <td>{ctx.t(`supervision.status.${c.status}`)}</td>
          <td safe>{formatDateTime(c.issuedAt, ctx.lang)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

export function StatsTable({ ctx, items, from, to, groupBy }: { ctx: ViewContext; items: StatsItem[]; from: string; to: string; groupBy: 'unit' | 'person' }) {
  const t = (key: string) => ctx.t(`supervision.stats.col.${key}`);
  const drill = (item: StatsItem, outcome: string | null) =>
    withQuery('/console/supervision/stats/steps', {}, { from, to, unitId: item.unitId, personId: item.personId ?? null, outcome });
  return (
    <DataTable
      id="stats"
      caption={ctx.t('page.supervision.statsCaption', { from, to })}
      head={[
        ...(groupBy === 'person' ? [t('person')] : []),
        t('unit'),
        t('finished'),
        t('onTime'),
        t('early'),
        t('overdue'),
        t('onTimeRate'),
        t('earlyRate'),
        t('avgWorkingDays'),
        t('avgPromisedDays'),
        t('correctionRate'),
        t('yellow'),
        t('red'),
        t('confirmed'),
      ]}
    >
      {items.map((i) => (
        <tr>
          {groupBy === 'person' ? <td safe>{i.personName ?? '—'}</td> : ''}
          <td safe>{i.unitName}</td>
          <td>
            <a href={attr(drill(i, null))}>{num(i.finished)}</a>
          </td>
          <td>
            <a href={attr(drill(i, 'onTime'))}>{num(i.onTime)}</a>
          </td>
          <td>
            <a href={attr(drill(i, 'early'))}>{num(i.early)}</a>
          </td>
          <td>
            <a href={attr(drill(i, 'overdue'))}>{num(i.overdue)}</a>
          </td>
          <td>{percent(i.onTimeRate)}</td>
          <td>{percent(i.earlyRate)}</td>
          <td>{num(i.avgWorkingDays)}</td>
          <td>{num(i.avgPromisedDays)}</td>
          <td>{percent(i.correctionRate)}</td>
          <td>{num(i.cards.yellow)}</td>
          <td>{num(i.cards.red)}</td>
          <td>{num(i.confirmedCards.yellow + i.confirmedCards.red)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

/**
 * Open cases per unit as a chart (drawn on the server, /console/supervision/chart.svg): one bar
 * per unit, the units' names beside the bars where long names have room.
 */
export function OpenCasesChart({ ctx, board }: { ctx: ViewContext; board: MonitorSnapshot }) {
  if (!board.openCases.length) return '';
  const units = Math.min(board.openCases.length, MONITOR_CHART_UNITS);
  const height = monitorChartHeight(units);
  return (
    <figure class="chart">
      <img src={`/console/supervision/chart.svg?lang=${ctx.lang}`} alt={ctx.ta('page.supervision.monitorChartAlt', { units })} width="900" height={String(height)} />
      <figcaption>{ctx.t('page.supervision.monitorChartCaption')}</figcaption>
    </figure>
  );
}

export const MONITOR_CHART_UNITS = 25;
export const monitorChartHeight = (units: number) => 90 + units * 28;
