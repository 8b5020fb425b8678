/**
 * Performance statistics (绩效测评) of a period, per unit or per person: finished steps, on time,
 * early (提前办结), overdue, rates, working days used against promised, the correction rate and
 * the cards by colour. Every figure is a count over rows the drill-down lists with the same
 * definitions, so a figure and the cases behind it always agree.
 */
import type { Db } from '../../platform/db/index.ts';
import { loadEcharts, loadExcel } from '../../platform/lazy.ts';
import type { Platform } from '../../platform/module.ts';
import { fieldError, forbidden, invalid } from '../../platform/http/errors.ts';
import { workingDays } from '../../platform/calendar/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { recordAudit } from '../../platform/audit/service.ts';
import { translate, type Lang } from '../../platform/i18n/index.ts';
import type { Principal } from '../../platform/iam/principal.ts';
import { getUnits } from '../../platform/org/service.ts';
import { displayNames } from '../../platform/iam/service.ts';
import {
  finishedStepDueRange,
  finishedStepsPage,
  finishedStepStats,
  finishedTaskDayRange,
  finishedTaskTotals,
  rebuildFinishedTaskDays,
  workingOrdinals,
  type StepOutcomeFilter,
  type StepStatsFilter,
  type StepStatsRow,
  type WorkingOrdinals,
} from '../../platform/flow/reports.ts';
import { APPROVAL_CASE_SUBJECT, correctionsByUnit, finishedCaseTotals } from '../approval/supervision-view.ts';
import { readScope, scopeUnitIds, type UnitScope } from './access.ts';
import { cardCounts, cardTotals, type CardTotalsRow } from './cards.ts';

/** The longest period one request may cover. */
export const MAX_PERIOD_DAYS = 1100;
/** The ordinals reach this far around the period; a due date beyond makes the query widen and run again. */
const ORDINAL_MARGIN_DAYS = 800;

export interface Period {
  from: string;
  to: string;
  /** [fromInstant, toInstant): the period's days in Asia/Shanghai. */
  fromInstant: Date;
  toInstant: Date;
}

/** A period of calendar dates, both included; checked (real dates, from ≤ to, at most MAX_PERIOD_DAYS). */
export function periodOf(from: string, to: string): Period {
  const errors = [];
  if (!workingDays.isValidDate(from)) errors.push(fieldError('from', 'supervision.dateInvalid', { value: from }));
  if (!workingDays.isValidDate(to)) errors.push(fieldError('to', 'supervision.dateInvalid', { value: to }));
  if (!errors.length && from > to) errors.push(fieldError('to', 'supervision.periodReversed'));
  if (!errors.length && workingDays.parseDate(to)! - workingDays.parseDate(from)! + 1 > MAX_PERIOD_DAYS) errors.push(fieldError('to', 'supervision.periodTooLong', { max: MAX_PERIOD_DAYS }));
  if (errors.length) throw invalid(errors);
  return { from, to, fromInstant: new Date(`${from}T00:00:00+08:00`), toInstant: new Date(`${workingDays.addCalendarDays(to, 1)}T00:00:00+08:00`) };
}

async function ordinalsFor(db: Db, period: Period): Promise<WorkingOrdinals> {
  return workingOrdinals(db, workingDays.addCalendarDays(period.from, -ORDINAL_MARGIN_DAYS), workingDays.addCalendarDays(period.to, ORDINAL_MARGIN_DAYS));
}

export interface StatsItem {
  unitId: string;
  unitName: string;
  personId?: string | null;
  personName?: string | null;
  finished: number;
  onTime: number;
  early: number;
  overdue: number;
  onTimeRate: number;
  earlyRate: number;
  overdueRate: number;
  avgWorkingDays: number;
  avgPromisedDays: number;
  finishedCases: number;
  correctedCases: number;
  correctionRate: number | null;
  cards: { yellow: number; red: number };
  confirmedCards: { yellow: number; red: number };
}

const ratio = (part: number, whole: number) => (whole ? Math.round((part / whole) * 10_000) / 10_000 : 0);
const average = (sum: number, count: number) => (count ? Math.round((sum / count) * 100) / 100 : 0);

function requireScope(principal: Principal | null): UnitScope {
  const scope = readScope(principal);
  if (!scope) throw forbidden();
  return scope;
}

async function statsScope(platform: Platform, principal: Principal | null, options: { unitId?: string }): Promise<string[] | null> {
  const scope = requireScope(principal);
  let unitIds = await scopeUnitIds(platform.db, scope);
  if (options.unitId) unitIds = unitIds === null || unitIds.includes(options.unitId) ? [options.unitId] : [];
  return unitIds;
}

const scopeOfUnits = (unitIds: string[] | null): UnitScope => (unitIds === null ? { all: true } : { all: false, unitIds, regionCodes: [] });

/**
 * The statistics of a period, one item per unit (or per unit and person) that finished steps in
 * it. Supervisors see every unit; a department sees its own. Read from the daily roll-ups kept in
 * the transactions that finish steps, finish cases and issue or decide cards: at most one row per
 * unit (or person) and day of the period, however many cases lie behind them.
 */
export async function computeStats(platform: Platform, principal: Principal | null, period: Period, groupBy: 'unit' | 'person', options: { unitId?: string } = {}): Promise<StatsItem[]> {
  const db = platform.db;
  const unitIds = await statsScope(platform, principal, options);
  const [rows, corrections, cards] = await Promise.all([
    finishedTaskTotals(db, { subjectType: APPROVAL_CASE_SUBJECT, fromDay: period.from, toDay: period.to, unitIds }, groupBy),
    finishedCaseTotals(db, period.from, period.to, unitIds),
    cardTotals(db, scopeOfUnits(unitIds), period.from, period.to, groupBy),
  ]);
  return statsItems(db, rows, corrections, cards, groupBy);
}

/**
 * The same statistics counted from the steps, cases and cards themselves (one pass over the
 * period's finished steps): the reference the roll-ups are reconciled with.
 */
export async function computeStatsFromSteps(platform: Platform, principal: Principal | null, period: Period, groupBy: 'unit' | 'person', options: { unitId?: string } = {}): Promise<StatsItem[]> {
  const db = platform.db;
  const unitIds = await statsScope(platform, principal, options);
  const filter: StepStatsFilter = { subjectType: APPROVAL_CASE_SUBJECT, from: period.fromInstant, to: period.toInstant, unitIds };
  let ordinals = await ordinalsFor(db, period);
  let rows = await finishedStepStats(db, filter, groupBy, ordinals);
  if (rows.some((r) => r.outsideRange > 0)) {
    const range = await finishedStepDueRange(db, filter);
    const first = [range.min ?? period.from, ordinals.first].sort()[0];
    const last = [range.max ?? period.to, ordinals.last].sort()[1];
    ordinals = await workingOrdinals(db, workingDays.addCalendarDays(first, -7), workingDays.addCalendarDays(last, 7));
    rows = await finishedStepStats(db, filter, groupBy, ordinals);
  }
  const [corrections, cards] = await Promise.all([
    correctionsByUnit(db, period.fromInstant, period.toInstant, unitIds),
    cardCounts(db, scopeOfUnits(unitIds), period.fromInstant, period.toInstant, groupBy),
  ]);
  return statsItems(db, rows, corrections, cards, groupBy);
}

async function statsItems(db: Db, rows: StepStatsRow[], corrections: Map<string, { finishedCases: number; correctedCases: number }>, cards: CardTotalsRow[], groupBy: 'unit' | 'person'): Promise<StatsItem[]> {
  if (!rows.length) return [];
  const units = await getUnits(db, [...new Set(rows.map((r) => r.unitId))]);
  const unitNames = new Map(units.map((u) => [u.id, u.name]));
  const cardsOf = new Map(cards.map((c) => [`${c.unitId}\u0000${c.personId ?? ''}`, c]));
  const people = groupBy === 'person' ? await displayNames(db, rows.map((r) => r.personId).filter((p): p is string => !!p)) : new Map<string, string>();
  return rows.map((r) => {
    const c = cardsOf.get(`${r.unitId}\u0000${r.personId ?? ''}`);
    const corr = corrections.get(r.unitId);
    return {
      unitId: r.unitId,
      unitName: unitNames.get(r.unitId) ?? r.unitId,
      ...(groupBy === 'person' ? { personId: r.personId, personName: r.personId ? (people.get(r.personId) ?? null) : null } : {}),
      finished: r.finished,
      onTime: r.onTime,
      early: r.early,
      overdue: r.overdue,
      onTimeRate: ratio(r.onTime, r.finished),
      earlyRate: ratio(r.early, r.finished),
      overdueRate: ratio(r.overdue, r.finished),
      avgWorkingDays: average(r.workingDaysUsed, r.finished),
      avgPromisedDays: average(r.daysPromised, r.finished),
      finishedCases: corr?.finishedCases ?? 0,
      correctedCases: corr?.correctedCases ?? 0,
      correctionRate: corr && corr.finishedCases ? ratio(corr.correctedCases, corr.finishedCases) : null,
      cards: { yellow: c?.yellow ?? 0, red: c?.red ?? 0 },
      confirmedCards: { yellow: c?.confirmedYellow ?? 0, red: c?.confirmedRed ?? 0 },
    };
  });
}

/** Days rebuilt per transaction: the engine's increments wait for at most one such chunk. */
const REBUILD_CHUNK_DAYS = 31;

/**
 * The backfill of the statistics' roll-up of finished steps, from the steps themselves: every day
 * with finished steps (no period), or the days of a period (after a correction of the calendar,
 * since working days used are counted with the calendar of the day they were tallied). A month
 * per transaction. The cases' and cards' counters are kept by the database from their rows and
 * need no backfill. Audited.
 */
export async function rebuildStatistics(platform: Platform, period: { from: string; to: string } | null = null): Promise<{ days: number; steps: number }> {
  const range = period ?? (await finishedTaskDayRange(platform.db));
  if (!range) return { days: 0, steps: 0 };
  let steps = 0;
  let days = 0;
  for (let from = range.from; from <= range.to; from = workingDays.addCalendarDays(from, REBUILD_CHUNK_DAYS)) {
    const last = workingDays.addCalendarDays(from, REBUILD_CHUNK_DAYS - 1);
    const to = last < range.to ? last : range.to;
    const result = await inTransaction(platform.db, SYSTEM_ACTOR, (work) => rebuildFinishedTaskDays(work.tx, { from, to }));
    steps += result?.tasks ?? 0;
    days += workingDays.parseDate(to)! - workingDays.parseDate(from)! + 1;
  }
  await inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
    recordAudit(work, { action: 'supervision.stats.rebuild', objectType: 'supervision_stats', objectId: `${range.from}..${range.to}`, details: { days, steps } }, platform.clock.now());
  });
  return { days, steps };
}

/** The finished steps behind a figure (drill-down), with the same definitions as the figures. */
export async function statsSteps(
  platform: Platform,
  principal: Principal | null,
  period: Period,
  filter: { unitId?: string; personId?: string; outcome?: StepOutcomeFilter; limit: number; cursor?: string },
) {
  const db = platform.db;
  const scope = requireScope(principal);
  const unitIds = await scopeUnitIds(db, scope);
  let ordinals = await ordinalsFor(db, period);
  const page = { limit: filter.limit, cursor: filter.cursor };
  const base = { subjectType: APPROVAL_CASE_SUBJECT, from: period.fromInstant, to: period.toInstant, unitIds, unitId: filter.unitId, personId: filter.personId, outcome: filter.outcome };
  let steps = await finishedStepsPage(db, base, ordinals, page);
  if (steps.items.some((r) => r.workingDaysUsed === null)) {
    const dues = steps.items.map((r) => r.dueDate).sort();
    ordinals = await workingOrdinals(db, [dues[0], ordinals.first].sort()[0], [dues[dues.length - 1], ordinals.last].sort()[1]);
    steps = await finishedStepsPage(db, base, ordinals, page);
  }
  return {
    items: steps.items.map((r) => ({
      taskId: r.taskId,
      caseId: r.subjectId,
      stepKey: r.stepKey,
      unitId: r.unitId,
      personId: r.finishedBy,
      days: r.days,
      dueDate: r.dueDate,
      finishedAt: new Date(r.finishedAt).toISOString(),
      workingDaysUsed: r.workingDaysUsed,
      outcome: r.outcome,
    })),
    nextCursor: steps.nextCursor,
  };
}

// ---------------------------------------------------------------- Excel and chart

/** The statistics as an Excel workbook (one sheet, a header row in the caller's language). */
export async function statsWorkbook(items: StatsItem[], period: Period, groupBy: 'unit' | 'person', lang: Lang): Promise<Buffer> {
  const t = (key: string) => translate(lang, `supervision.stats.col.${key}`);
  const ExcelJS = await loadExcel();
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Zhengtong';
  const sheet = workbook.addWorksheet(translate(lang, 'supervision.stats.sheet'));
  const columns = [
    ...(groupBy === 'person' ? [{ key: 'personName', header: t('person'), width: 16 }] : []),
    { key: 'unitName', header: t('unit'), width: 30 },
    { key: 'finished', header: t('finished'), width: 10 },
    { key: 'onTime', header: t('onTime'), width: 10 },
    { key: 'early', header: t('early'), width: 10 },
    { key: 'overdue', header: t('overdue'), width: 10 },
    { key: 'onTimeRate', header: t('onTimeRate'), width: 12, style: { numFmt: '0.00%' } },
    { key: 'earlyRate', header: t('earlyRate'), width: 12, style: { numFmt: '0.00%' } },
    { key: 'overdueRate', header: t('overdueRate'), width: 12, style: { numFmt: '0.00%' } },
    { key: 'avgWorkingDays', header: t('avgWorkingDays'), width: 14 },
    { key: 'avgPromisedDays', header: t('avgPromisedDays'), width: 14 },
    { key: 'correctionRate', header: t('correctionRate'), width: 12, style: { numFmt: '0.00%' } },
    { key: 'yellow', header: t('yellow'), width: 10 },
    { key: 'red', header: t('red'), width: 10 },
    { key: 'confirmed', header: t('confirmed'), width: 12 },
  ];
  sheet.columns = columns;
  for (const item of items) {
    sheet.addRow({
      ...item,
      // A name starting with =, +, - or @ would be a formula in a spreadsheet program.
      unitName: safeCell(item.unitName),
      personName: safeCell(item.personName ?? ''),
      correctionRate: item.correctionRate ?? '',
      yellow: item.cards.yellow,
      red: item.cards.red,
      confirmed: item.confirmedCards.yellow + item.confirmedCards.red,
    });
  }
  sheet.getRow(1).font = { bold: true };
  sheet.addRow([]);
  sheet.addRow([translate(lang, 'supervision.stats.periodLine', { from: period.from, to: period.to })]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const safeCell = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** A stacked bar chart (early, on time, overdue per unit) rendered on the server as SVG. */
export async function statsChartSvg(items: StatsItem[], lang: Lang, size: { width: number; height: number } = { width: 900, height: 420 }): Promise<string> {
  const echarts = await loadEcharts();
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  const t = (key: string) => translate(lang, `supervision.stats.col.${key}`);
  const labels = items.map((i) => (i.personName ? `${i.personName}` : i.unitName).slice(0, 20));
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: 'sans-serif' },
    title: { text: translate(lang, 'supervision.stats.chartTitle'), left: 'center', textStyle: { fontSize: 14 } },
    legend: { top: 28, data: [t('early'), t('onTimeNotEarly'), t('overdue')] },
    grid: { left: 50, right: 20, top: 70, bottom: 90 },
    xAxis: { type: 'category', data: labels, axisLabel: { rotate: labels.length > 6 ? 30 : 0, interval: 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: t('early'), type: 'bar', stack: 'all', data: items.map((i) => i.early), itemStyle: { color: '#2e7d32' } },
      { name: t('onTimeNotEarly'), type: 'bar', stack: 'all', data: items.map((i) => i.onTime - i.early), itemStyle: { color: '#1565c0' } },
      { name: t('overdue'), type: 'bar', stack: 'all', data: items.map((i) => i.overdue), itemStyle: { color: '#c62828' } },
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
