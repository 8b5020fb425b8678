/** What the approval pages read beyond the services: facets of the catalogue, units to choose from, a case's open tasks. */
import { sql, type Db } from '../../../platform/db/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { coversUnit, scopesFor, type Principal } from '../../../platform/iam/principal.ts';
import { getInstanceView, mayHandle, type TaskRow } from '../../../platform/flow/service.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import { getUnits, listUnits, type Unit } from '../../../platform/org/service.ts';
import { notFound } from '../../../platform/http/index.ts';
import { staffHoldingRole } from '../../../platform/iam/index.ts';
import type { Role } from '../../../platform/iam/roles.ts';
import type { ApprovalTables } from '../model.ts';
import { CATALOGUE_PERMISSION } from '../queries/items.ts';

const q = (db: Db) => db.withTables<ApprovalTables>();

export interface Facet {
  value: string;
  count: number;
}

/** How the published catalogue divides: by implementing unit, by theme, by life event, with counts. */
export async function catalogueFacets(db: Db): Promise<{ units: Array<{ unit: Unit; count: number }>; themes: Facet[]; lifeEvents: Facet[] }> {
  const [unitRows, themeRows, eventRows] = await Promise.all([
    q(db).selectFrom('approval_items').select(['unit_id', (eb) => eb.fn.countAll<number>().as('n')]).where('status', '=', 'published').groupBy('unit_id').execute(),
    sql<{ value: string; n: number }>`select t.value, count(*)::int as n from approval_items, jsonb_array_elements_text(themes) as t(value) where status = 'published' group by t.value order by t.value`.execute(db),
    sql<{ value: string; n: number }>`select e.value, count(*)::int as n from approval_items, jsonb_array_elements_text(life_events) as e(value) where status = 'published' group by e.value order by e.value`.execute(db),
  ]);
  const units = await getUnits(db, unitRows.map((r) => r.unit_id));
  const counts = new Map(unitRows.map((r) => [r.unit_id, Number(r.n)]));
  return {
    units: units.map((unit) => ({ unit, count: counts.get(unit.id) ?? 0 })).sort((a, b) => a.unit.name.localeCompare(b.unit.name, 'zh-CN')),
    themes: themeRows.rows.map((r) => ({ value: r.value, count: Number(r.n) })),
    lifeEvents: eventRows.rows.map((r) => ({ value: r.value, count: Number(r.n) })),
  };
}

/** Most units offered in a choice list; an installation with more types the unit's id instead. */
export const UNIT_CHOICES_MAX = 1000;

/** Every unit, for choosing the unit of a process step (any unit may hold a step). */
export async function allUnits(db: Db): Promise<Unit[]> {
  const out: Unit[] = [];
  let cursor: string | undefined;
  do {
    const page = await listUnits(db, { limit: 200, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < UNIT_CHOICES_MAX);
  return out;
}

/** Units whose catalogue the caller manages (the item's own unit must be one of them). */
export async function catalogueUnits(db: Db, principal: Principal, units?: Unit[]): Promise<Unit[]> {
  if (!scopesFor(principal, CATALOGUE_PERMISSION).length) return [];
  const candidates = units ?? (await allUnits(db));
  return candidates.filter((u) => coversUnit(principal, CATALOGUE_PERMISSION, u));
}

export async function unitNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter(Boolean))];
  if (!unique.length) return new Map();
  return new Map((await getUnits(db, unique)).map((u) => [u.id, u.name]));
}

export interface CaseTasks {
  /** Open tasks of the case the caller may complete now. */
  mine: TaskRow[];
  /** Open tasks the caller may hand to someone else (a unit leader over the task's unit), with whom to. */
  reassignable: Array<{ task: TaskRow; candidates: Array<{ id: string; name: string }> }>;
  /** The process is suspended (a clock stop): nothing can be completed until it resumes. */
  suspended: boolean;
}

/**
 * The open tasks of a case the caller may handle or reassign. The caller must already have been
 * allowed to see the case (getApplicationView); an unknown case is 404.
 */
export async function caseTasks(platform: Platform, principal: Principal, caseId: string): Promise<CaseTasks> {
  const row = await q(platform.db).selectFrom('approval_applications').select(['flow_instance_id', 'applicant_user_id', 'submitted_by']).where('id', '=', caseId).executeTakeFirst();
  if (!row) throw notFound();
  const view = await getInstanceView(platform.db, row.flow_instance_id, shanghaiDate(platform.clock.now()));
  if (!view || principal.kind !== 'staff') return { mine: [], reassignable: [], suspended: view?.state.status === 'suspended' };
  const open = view.tasks.filter((t) => t.state === 'open');
  const suspended = view.state.status === 'suspended';
  // The process takes no reassignment while the clock is stopped.
  const led = suspended ? [] : open.filter((t) => coversUnit(principal, 'approval.lead', { id: t.unit_id, regionCode: t.unit_region }));
  // The same people reassignTask accepts: not the applicant nor the filer, not who holds it now.
  const excluded = new Set([row.applicant_user_id, row.submitted_by].filter((id): id is string => !!id));
  const reassignable = await Promise.all(
    led.map(async (task) => ({
      task,
      candidates: (await staffHoldingRole(platform.db, task.role as Role, { id: task.unit_id, regionCode: task.unit_region })).filter((u) => !excluded.has(u.id) && u.id !== task.assignee),
    })),
  );
  return { mine: open.filter((t) => mayHandle(principal, t)), reassignable, suspended };
}

/** What the caller may do on a case besides its tasks, as the services check it (scope over one of the case's units). */
export interface CasePowers {
  /** Stop and resume the clock (approval.handle). */
  handle: boolean;
  /** Extend the time limit (approval.lead). */
  lead: boolean;
  /** Record fees (approval.intake or approval.handle). */
  fee: boolean;
}

export function casePowers(principal: Principal, units: Unit[]): CasePowers {
  const any = (permission: string) => principal.kind === 'staff' && units.some((u) => coversUnit(principal, permission, u));
  return { handle: any('approval.handle'), lead: any('approval.lead'), fee: any('approval.handle') || any('approval.intake') };
}
