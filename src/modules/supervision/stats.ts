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
import { readCursor, writeCursor } from '../../platform/db/pagination.ts';
import { translate, type Lang } from '../../platform/i18n/index.ts';
import type { Principal } from '../../platform/iam/principal.ts';
import { getUnits } from '../../platform/org/service.ts';
import { displayNames } from '../../platform/iam/index.ts';
import { finishedTaskDayRange, rebuildFinishedTaskDays, type StepOutcomeFilter, type StepStatsRow } from '../../platform/flow/reports.ts';
import type { FinishedSubjectTotals, SubjectFinishedStepDetail } from '../../platform/supervision.ts';
import { readScope, scopeUnitIds, type UnitScope } from './access.ts';
import { cardCounts, cardTotals, type CardTotalsRow } from './cards.ts';
import { subjectsOf, summariesOf } from './subjects.ts';

/** The longest period one request may cover. */
export const MAX_PERIOD_DAYS = 1100;

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

/** The figures of every installed subject type added up per unit (and person). */
function addSteps(parts: StepStatsRow[][]): StepStatsRow[] {
  const sums = new Map<string, StepStatsRow>();
  for (const row of parts.flat()) {
    const key = `${row.unitId}\u0000${row.personId ?? ''}`;
    const sum = sums.get(key);
    if (!sum) sums.set(key, { ...row });
    else
      for (const field of ['finished', 'onTime', 'early', 'overdue', 'workingDaysUsed', 'daysPromised', 'outsideRange'] as const) sum[field] += row[field];
  }
  return [...sums.values()].sort((a, b) => (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : (a.personId ?? '') < (b.personId ?? '') ? -1 : 1));
}

function addSubjects(parts: FinishedSubjectTotals[]): FinishedSubjectTotals {
  const sums: FinishedSubjectTotals = new Map();
  for (const part of parts) {
    for (const [unitId, t] of part) {
      const sum = sums.get(unitId) ?? { finishedCases: 0, correctedCases: 0 };
      sums.set(unitId, { finishedCases: sum.finishedCases + t.finishedCases, correctedCases: sum.correctedCases + t.correctedCases });
    }
  }
  return sums;
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
/** The finished-steps drill-down's cursor: (finishedAt, stepId). */
const FINISHED_STEP_KEYS = ['timestamp', 'text'] as const;

export async function computeStats(platform: Platform, principal: Principal | null, period: Period, groupBy: 'unit' | 'person', options: { unitId?: string } = {}): Promise<StatsItem[]> {
  const db = platform.db;
  const unitIds = await statsScope(platform, principal, options);
  const subjects = subjectsOf(platform);
  const [rows, corrections, cards] = await Promise.all([
    Promise.all(subjects.map((s) => s.finishedStepTotals(db, { fromDay: period.from, toDay: period.to, unitIds }, groupBy))).then(addSteps),
    Promise.all(subjects.map((s) => s.finishedSubjectTotals?.(db, period.from, period.to, unitIds) ?? new Map())).then(addSubjects),
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
  const subjects = subjectsOf(platform);
  const [rows, corrections, cards] = await Promise.all([
    Promise.all(subjects.map((s) => s.finishedStepCounts(db, { from: period.fromInstant, to: period.toInstant, unitIds }, groupBy))).then(addSteps),
    Promise.all(subjects.map((s) => s.finishedSubjectCounts?.(db, period.fromInstant, period.toInstant, unitIds) ?? new Map())).then(addSubjects),
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
  const cursor = readCursor(filter.cursor, FINISHED_STEP_KEYS);
  const after = cursor ? ([(cursor[0] as Date).toISOString(), String(cursor[1])] as [string, string]) : null;
  // Every subject type's page from the same cursor, merged in (finishedAt, stepId) order: the
  // first `limit` of the merge are the first `limit` of all.
  const page = { limit: filter.limit + 1, after };
  const base = { from: period.fromInstant, to: period.toInstant, unitIds, unitId: filter.unitId, personId: filter.personId, outcome: filter.outcome };
  const parts = await Promise.all(subjectsOf(platform).map(async (s) => (await s.finishedStepsPage(db, base, page)).map((r) => ({ ...r, subjectType: s.type }))));
  const order = (r: SubjectFinishedStepDetail) => [new Date(r.finishedAt).getTime(), r.stepId] as const;
  const rows = parts.flat().sort((a, b) => order(a)[0] - order(b)[0] || (order(a)[1] < order(b)[1] ? -1 : order(a)[1] > order(b)[1] ? 1 : 0));
  const shown = rows.slice(0, filter.limit);
  const last = shown[shown.length - 1];
  const subjects = await summariesOf(platform, db, shown.map((r) => ({ subject_type: r.subjectType, case_id: r.subjectId })));
  return {
    items: shown.map((r) => ({
      taskId: r.stepId,
      subjectType: r.subjectType,
      caseId: r.subjectId,
      receiptNo: subjects({ subject_type: r.subjectType, case_id: r.subjectId })?.trackingNo ?? null,
      link: subjects({ subject_type: r.subjectType, case_id: r.subjectId })?.staffLink ?? null,
      stepKey: r.stepKey,
      stepName: subjects({ subject_type: r.subjectType, case_id: r.subjectId })?.stepNames?.[r.stepKey] ?? null,
      unitId: r.unitId,
      personId: r.personId,
      days: r.days,
      dueDate: r.dueDate,
      finishedAt: new Date(r.finishedAt).toISOString(),
      workingDaysUsed: r.workingDaysUsed,
      outcome: r.outcome,
    })),
    nextCursor: rows.length > filter.limit && last ? writeCursor(FINISHED_STEP_KEYS, [last.finishedAt, last.stepId]) : null,
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
    // Names rotate once more than a few share the axis, are cut to a width and the grid makes room
    // for them (containLabel): labels never overlap each other or the legend.
    grid: { left: 24, right: 24, top: 70, bottom: 16, containLabel: true },
    xAxis: { type: 'category', data: labels, axisLabel: { rotate: labels.length > 4 ? 40 : 0, interval: 0, width: labels.length > 4 ? 120 : Math.floor(800 / Math.max(labels.length, 1)), overflow: 'truncate', fontSize: 12 } },
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
