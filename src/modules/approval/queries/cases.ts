/**
 * Shared reads of approval cases: the case row and its events, the item versions cases are filed
 * under, and who may see a case. Commands and views read through these; nothing here writes.
 */
import { type Db } from '../../../platform/db/index.ts';
import type { Work } from '../../../platform/db/work.ts';
import { coversUnit, type Principal } from '../../../platform/iam/principal.ts';
import { AppError, notFound } from '../../../platform/http/errors.ts';
import { allSteps } from '../../../platform/flow/engine.ts';
import type { FileAccessPolicy } from '../../../platform/files/service.ts';
import { getUnits, type Unit } from '../../../platform/org/service.ts';
import { OPEN_CASE_STATES, type ApplicationTable, type ApprovalTables, type CaseState } from '../model.ts';
import { getItem, type Item } from './items.ts';

/** Subject type of approval cases in the process engine. */
export const CASE_SUBJECT = 'approval_case';
/** Owner type of application materials in the files module. */
export const MATERIAL_OWNER = 'approval.application';

const VIEW_PERMISSIONS = ['approval.handle', 'approval.intake', 'supervision.read'];

type ApplicationRecord = ApplicationTable & { submission_key: string | null };
export type Tables = Omit<ApprovalTables, 'approval_applications'> & { approval_applications: ApplicationRecord };
export type CaseRow = Omit<ApplicationRecord, 'correction_count' | 'version'> & { correction_count: number; version: number };

export const q = (db: Db) => db.withTables<Tables>();
export const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
export const isOpen = (state: CaseState) => OPEN_CASE_STATES.includes(state);

// ---------------------------------------------------------------- readers

/**
 * The item version a case is filed under (getItem of the catalogue: a published version never
 * changes, so a case keeps the version, and the process, it was filed under).
 */
export const loadItem = getItem;

/** Names and processes of several item versions at once, for lists (one query, not one per row). */
export async function loadItems(db: Db, ids: string[]): Promise<Map<string, { id: string; name: string; process: Item['process'] }>> {
  if (!ids.length) return new Map();
  const rows = await q(db).selectFrom('approval_items').select(['id', 'name', 'process']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

// ---------------------------------------------------------------- visibility

export function stepUnitIds(item: Pick<Item, 'process' | 'unitId'>): string[] {
  return [...new Set([item.unitId, ...allSteps(item.process).map((s) => s.unitId)])];
}

export const isParty = (principal: Principal, app: Pick<CaseRow, 'applicant_user_id' | 'submitted_by'>) => app.applicant_user_id === principal.userId || app.submitted_by === principal.userId;

export async function coveredUnits(db: Db, principal: Principal, item: Pick<Item, 'process' | 'unitId'>, permissions: string[]): Promise<Unit[]> {
  if (principal.kind !== 'staff' || !principal.roles.length) return [];
  const units = await getUnits(db, stepUnitIds(item));
  return units.filter((unit) => permissions.some((p) => coversUnit(principal, p, unit)));
}

/** The applicant, the submitting clerk, and staff whose scope covers a unit of one of the case's steps. */
export async function mayView(db: Db, principal: Principal, app: CaseRow, item: Item): Promise<boolean> {
  if (isParty(principal, app)) return true;
  return (await coveredUnits(db, principal, item, VIEW_PERMISSIONS)).length > 0;
}

export async function visibleCase(db: Db, principal: Principal, id: string, options: { lock?: Work } = {}) {
  let query = q(options.lock?.tx ?? db)
    .selectFrom('approval_applications')
    .selectAll()
    .where('id', '=', id);
  if (options.lock) query = query.forUpdate();
  const app = (await query.executeTakeFirst()) as CaseRow | undefined;
  if (!app) throw notFound();
  const item = await loadItem(options.lock?.tx ?? db, app.item_id);
  if (!item || !(await mayView(options.lock?.tx ?? db, principal, app, item))) throw notFound();
  return { app, item };
}

/** Who may download an application's materials: whoever may see the case. */
export const mayDownloadMaterials: FileAccessPolicy = async (platform, principal, ownerId) => {
  if (!principal) return false;
  try {
    await visibleCase(platform.db, principal, ownerId);
    return true;
  } catch {
    return false;
  }
};

/** An open, accepted case the caller holds `permission` for (scope over one of its step units); else 404. */
export async function caseForStaff(work: Work, principal: Principal, id: string, permission: string) {
  const found = await visibleCase(work.tx, principal, id, { lock: work });
  if (!(await coveredUnits(work.tx, principal, found.item, [permission])).length) throw notFound();
  if (!isOpen(found.app.state)) throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.finished' } });
  if (!found.app.accepted_at) throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.notAccepted' } });
  return found;
}


export async function lockCaseOfInstance(work: Work, instanceId: string) {
  return (await q(work.tx).selectFrom('approval_applications').selectAll().where('flow_instance_id', '=', instanceId).forUpdate().executeTakeFirst()) as CaseRow | undefined;
}

export async function eventsOf(db: Db, id: string) {
  return q(db).selectFrom('approval_events').selectAll().where('application_id', '=', id).orderBy('seq').execute();
}

/** The correction request of a case and whether it was answered. */
export function correctionOf(events: Awaited<ReturnType<typeof eventsOf>>) {
  const request = events.find((e) => e.type === 'correction_requested');
  if (!request) return null;
  const answer = events.find((e) => e.type === 'corrected' && e.seq > request.seq);
  const payload = request.payload as { missing: Array<{ materialKey: string; name: string; reason: string }>; opinion: string | null; stepKey: string; unitId: string };
  return { requestedAt: iso(request.at)!, stepKey: payload.stepKey, unitId: payload.unitId, missing: payload.missing, opinion: payload.opinion, correctedAt: answer ? iso(answer.at) : null };
}

export function decisionOf(events: Awaited<ReturnType<typeof eventsOf>>) {
  const rejected = events.find((e) => e.type === 'rejected');
  if (!rejected) return null;
  const p = rejected.payload as { stepKey: string; stepName: string; unitId: string; reason: string; stage: number };
  return { outcome: 'rejected' as const, stepKey: p.stepKey, stepName: p.stepName, unitId: p.unitId, reason: p.reason, notAccepted: p.stage === 0, decidedAt: iso(rejected.at)! };
}

