/**
 * The monitor's chart, drawn on the server as SVG with ECharts (as the statistics' chart): open
 * cases per unit, stacked by state, as horizontal bars so that long unit names read in full beside
 * them (wrapped when longer than the label column), never overlapping.
 */
import { translate, type Lang } from '../../platform/i18n/index.ts';
import { loadEcharts } from '../../platform/lazy.ts';
import type { MonitorSnapshot } from './monitor.ts';
import { MONITOR_CHART_UNITS, monitorChartHeight } from './monitor-views.tsx';

const PALETTE = ['#1565c0', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f', '#ad1457', '#5d4037', '#455a64'];
/** Characters of a unit's name on one line of the label column; longer names wrap. */
const LABEL_CHARS = 12;

const wrap = (name: string) => {
  const chars = [...name];
  const lines: string[] = [];
  for (let i = 0; i < chars.length && lines.length < 2; i += LABEL_CHARS) lines.push(chars.slice(i, i + LABEL_CHARS).join(''));
  if (chars.length > LABEL_CHARS * 2) lines[1] = `${lines[1].slice(0, LABEL_CHARS - 1)}…`;
  return lines.join('\n');
};

export async function monitorChartSvg(board: MonitorSnapshot, lang: Lang): Promise<string> {
  const rows = [...board.openCases].sort((a, b) => b.total - a.total).slice(0, MONITOR_CHART_UNITS).reverse();
  const width = 900;
  const height = monitorChartHeight(Math.max(rows.length, 1));
  const echarts = await loadEcharts();
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  const states = [...new Set(board.states.map((s) => s.state))].map((state) => ({ state, label: translate(lang, board.states.find((s) => s.state === state)!.labelKey) }));
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: 'sans-serif' },
    title: { text: translate(lang, 'page.supervision.monitorChartTitle'), left: 'center', textStyle: { fontSize: 14 } },
    legend: { top: 28, data: states.map((s) => s.label) },
    // Room for two lines of 12 characters at the left; the labels never rotate into each other.
    grid: { left: 16, right: 24, top: 64, bottom: 24, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map((r) => wrap(r.unitName)), axisLabel: { interval: 0, lineHeight: 14, fontSize: 12 } },
    series: states.map((s, i) => ({
      name: s.label,
      type: 'bar',
      stack: 'open',
      barMaxWidth: 18,
      itemStyle: { color: PALETTE[i % PALETTE.length] },
      data: rows.map((r) => r.states[s.state] ?? 0),
    })),
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
