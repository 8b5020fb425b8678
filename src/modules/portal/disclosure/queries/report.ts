/**
 * The annual report on open government information (政府信息公开工作年度报告) of a unit and year:
 * the items it disclosed actively that year by category, and its disclosure requests received and
 * answered by answer type, from the interaction module's register when that module is installed.
 */
import { sql } from 'kysely';
import type { Platform } from '../../../../platform/module.ts';
import type { Unit } from '../../../../platform/org/service.ts';
import { fieldError, invalid } from '../../../../platform/http/errors.ts';
import { disclosureRequestFigures, type DisclosureRequestFigures } from '../../../interaction/index.ts';
import { categoryRows } from './catalogue.ts';

export const FIRST_YEAR = 2000;

export interface ReportCategory {
  id: string;
  name: string;
  count: number;
  children: Array<{ id: string; name: string; count: number }>;
}

export interface AnnualReport {
  unitId: string;
  unitName: string;
  year: number;
  /** Items published in the year (Asia/Shanghai) and by now, by top category and sub-category. */
  active: { total: number; byValidity: Record<string, number>; categories: ReportCategory[] };
  /** The register of disclosure requests; null when the interaction module is not installed. */
  requests: DisclosureRequestFigures | null;
}

/** A report's year: from 2000 to the current one, else 400. */
export function reportYear(value: number, now: Date): number {
  const current = Number(new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 4));
  if (!Number.isInteger(value) || value < FIRST_YEAR || value > current) throw invalid([fieldError('year', 'portal.disclosure.report.yearInvalid', { from: FIRST_YEAR, to: current })]);
  return value;
}

export async function annualReport(platform: Platform, unit: Unit, year: number): Promise<AnnualReport> {
  const db = platform.db;
  const now = platform.clock.now();
  const start = new Date(`${year}-01-01T00:00:00+08:00`);
  const end = new Date(Math.min(new Date(`${year + 1}-01-01T00:00:00+08:00`).getTime(), now.getTime() + 1));
  const { rows } = await sql<{ category_id: string; validity: string; n: number }>`
    select category_id, validity, count(*)::int as n from portal_disclosure_items
     where unit_id = ${unit.id} and published_at >= ${start} and published_at < ${end}
     group by category_id, validity`.execute(db);
  const byCategory = new Map<string, number>();
  const byValidity: Record<string, number> = { valid: 0, invalid: 0, repealed: 0 };
  let total = 0;
  for (const r of rows) {
    const n = Number(r.n);
    byCategory.set(r.category_id, (byCategory.get(r.category_id) ?? 0) + n);
    byValidity[r.validity] = (byValidity[r.validity] ?? 0) + n;
    total += n;
  }
  const cats = await categoryRows(db, unit.id);
  // Hidden categories are shown only when something was filed under them that year, so the sum still holds.
  const categories: ReportCategory[] = cats
    .filter((c) => !c.parent_id)
    .map((top) => {
      const children = cats.filter((c) => c.parent_id === top.id && (!c.hidden || byCategory.get(c.id))).map((c) => ({ id: c.id, name: c.name, count: byCategory.get(c.id) ?? 0 }));
      const own = byCategory.get(top.id) ?? 0;
      return { id: top.id, name: top.name, count: own + children.reduce((sum, c) => sum + c.count, 0), children, hidden: top.hidden };
    })
    .filter((c) => !c.hidden || c.count > 0)
    .map(({ hidden: _hidden, ...c }) => c);
  const installed = platform.modules.modules.some((m) => m.name === 'interaction');
  return {
    unitId: unit.id,
    unitName: unit.name,
    year,
    active: { total, byValidity, categories },
    requests: installed ? await disclosureRequestFigures(db, unit.id, year) : null,
  };
}
