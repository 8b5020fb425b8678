/** Reads of the documents being drafted and signed off: one document with its sign-off, a unit's list. */
import type { Db } from '../../../platform/db/index.ts';
import type { Work } from '../../../platform/db/work.ts';
import { keysetPage, type Keyset } from '../../../platform/db/pagination.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { coversUnit, type Principal } from '../../../platform/iam/principal.ts';
import { getUnit } from '../../../platform/org/service.ts';
import { getInstanceView, type FlowTables, type InstanceView } from '../../../platform/flow/service.ts';
import { shanghaiDate } from '../../../platform/calendar/working-days.ts';
import { listAttachedFiles, type FileInfo } from '../../../platform/files/service.ts';
import { ATTACHMENT_OWNER, DRAFT_PERMISSION, SIGNOFF_PERMISSION, SIGNOFF_SUBJECT, exchangeDb, type DocumentRow, type DocumentState } from '../model.ts';
import { mayReadDocument, principalUnitIds } from './access.ts';

export async function getDocumentRow(db: Db, id: string): Promise<DocumentRow | undefined> {
  return exchangeDb(db).selectFrom('exchange_documents').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Locks a document of the caller's own unit for a change by its drafting staff; another unit's
 * document (or none) is 404.
 */
export async function lockOwnDocument(work: Work, principal: Principal, id: string): Promise<DocumentRow> {
  const row = await exchangeDb(work.tx).selectFrom('exchange_documents').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound();
  const unit = await getUnit(work.tx, row.sending_unit_id);
  if (!unit || !coversUnit(principal, DRAFT_PERMISSION, unit)) throw notFound();
  return row;
}

/** Locks the document a sign-off process instance belongs to. */
export async function lockDocumentOfInstance(work: Work, instanceId: string): Promise<DocumentRow | undefined> {
  const flow = await work.tx.withTables<FlowTables>().selectFrom('flow_instances').select(['subject_id']).where('id', '=', instanceId).where('subject_type', '=', SIGNOFF_SUBJECT).executeTakeFirst();
  if (!flow) return undefined;
  return exchangeDb(work.tx).selectFrom('exchange_documents').selectAll().where('id', '=', flow.subject_id).forUpdate().executeTakeFirst();
}

/** The document's latest sign-off process, with its log and tasks; null before the first submission. */
export async function signoffProcess(db: Db, documentId: string, now: Date): Promise<InstanceView | null> {
  const latest = await db
    .withTables<FlowTables>()
    .selectFrom('flow_instances')
    .select('id')
    .where('subject_type', '=', SIGNOFF_SUBJECT)
    .where('subject_id', '=', documentId)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return latest ? getInstanceView(db, latest.id, shanghaiDate(now)) : null;
}

/** The kind of a step from its key: draft, review, countersign_<n>, sign. */
export const stepKind = (stepKey: string) => (stepKey.startsWith('countersign') ? 'countersign' : stepKey);

/** One opinion of the sign-off: who decided what at which step, in the engine's action log. */
export interface SignoffEntry {
  seq: number;
  stepKey: string;
  stepKind: string;
  unitId: string | null;
  action: string;
  opinion: string | null;
  by: string | null;
  byName: string | null;
  at: string;
}

/** A step waiting for someone: its unit and role, its deadline and its task. */
export interface OpenSignoffStep {
  taskId: string;
  stepKey: string;
  stepKind: string;
  unitId: string;
  role: string;
  dueDate: string;
}

export function signoffHistory(view: InstanceView | null): { history: SignoffEntry[]; open: OpenSignoffStep[] } {
  if (!view) return { history: [], open: [] };
  const stepUnits = new Map(view.tasks.map((t) => [t.step_key, t.unit_id]));
  const history = view.actions
    .filter((a): a is Extract<typeof a, { type: 'complete' }> => a.type === 'complete')
    .map((a) => ({ seq: a.seq, stepKey: a.stepKey, stepKind: stepKind(a.stepKey), unitId: stepUnits.get(a.stepKey) ?? null, action: a.outcome, opinion: a.opinion ?? null, by: a.actorId, byName: a.actorName, at: a.at }));
  const open = view.tasks.filter((t) => t.state === 'open').map((t) => ({ taskId: t.id, stepKey: t.step_key, stepKind: stepKind(t.step_key), unitId: t.unit_id, role: t.role, dueDate: t.due_date }));
  return { history, open };
}

export interface DocumentView {
  row: DocumentRow;
  attachments: FileInfo[];
  history: SignoffEntry[];
  open: OpenSignoffStep[];
}

/** A document as its readers see it; 404 for anyone mayReadDocument refuses. */
export async function readDocument(db: Db, principal: Principal, id: string, now: Date): Promise<DocumentView> {
  const row = await getDocumentRow(db, id);
  if (!row || !(await mayReadDocument(db, principal, row))) throw notFound();
  const [attachments, process] = await Promise.all([listAttachedFiles(db, { ownerType: ATTACHMENT_OWNER, ownerId: id }), signoffProcess(db, id, now)]);
  return { row, attachments, ...signoffHistory(process) };
}

/** The units whose documents the caller drafts or signs off (their own unit's). */
export async function senderUnitIds(db: Db, principal: Principal): Promise<string[]> {
  const ids: string[] = [];
  for (const id of principalUnitIds(principal)) {
    const unit = id ? await getUnit(db, id) : null;
    if (unit && (coversUnit(principal, DRAFT_PERMISSION, unit) || coversUnit(principal, SIGNOFF_PERMISSION, unit))) ids.push(id);
  }
  return ids;
}

const NEWEST_FIRST: Keyset<{ created_at: Date; id: string }> = {
  keys: [
    { by: 'created_at', kind: 'timestamp', of: (r) => r.created_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/** A page of the caller units' documents, newest first, of one state when named. */
export async function listUnitDocuments(db: Db, principal: Principal, options: { state?: DocumentState; limit: number; cursor?: string | null }) {
  const units = await senderUnitIds(db, principal);
  if (!units.length) return { items: [], nextCursor: null };
  let query = exchangeDb(db)
    .selectFrom('exchange_documents')
    .select(['id', 'sending_unit_id', 'state', 'doc_type', 'doc_number', 'title', 'urgency', 'secrecy', 'written_date', 'drafted_by', 'created_at', 'updated_at'])
    .where('sending_unit_id', 'in', units);
  if (options.state) query = query.where('state', '=', options.state);
  return keysetPage(query, NEWEST_FIRST, options);
}
export type DocumentListRow = Awaited<ReturnType<typeof listUnitDocuments>>['items'][number];

/** Whether the unit's sign-off has a 核稿 step (exchange_signoff_settings; none: no review). */
export async function reviewStepOf(db: Db, unitId: string): Promise<boolean> {
  const row = await exchangeDb(db).selectFrom('exchange_signoff_settings').select('review_step').where('unit_id', '=', unitId).executeTakeFirst();
  return row?.review_step ?? false;
}
