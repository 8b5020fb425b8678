/**
 * What staff see of cases: the list of the caller's units' cases (open ones first, soonest
 * deadline first; the writer masked) and one case in full for the units it is or was with
 * (routing history, the open step, the draft and the answer); the writer's name and phone are
 * opened only for the staff of the unit that has it, and that read is audited.
 */
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { hasPermission, scopesFor } from '../../../platform/iam/principal.ts';
import { keysetPage, type Keyset } from '../../../platform/db/pagination.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { regionPrefix } from '../../../platform/org/codes.ts';
import { openField } from '../../../platform/crypto/fields.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import { mayHandle, type TaskRow } from '../../../platform/flow/service.ts';
import { displayNames } from '../../../platform/iam/holders.ts';
import { getFiles, listAttachedFiles } from '../../../platform/files/index.ts';
import { ANSWER_FILES_OWNER, ATTACHMENT_OWNER, APPROVE_PERMISSION, CASE_SUBJECT, HANDLE_PERMISSION, HOTLINE_PERMISSION, OVERSIGHT_PERMISSION, PUBLIC_CHANNELS, type CaseRow, type CaseState, type Channel } from '../model.ts';
import { currentRound } from '../process.ts';
import { caseEvents } from './events.ts';
import { isStaffOf, STAFF_PERMISSIONS } from '../commands/case-lock.ts';

export const OPEN_STATES: readonly CaseState[] = ['received', 'assigned', 'clarifying', 'reviewing'];

type Tables = {
  interaction_cases: CaseRow;
  units: { id: string; name: string; region_code: string; parent_id: string | null; disabled_at: Date | null };
};
const q = (db: Db) => db.withTables<Tables>();

export interface CaseListItem {
  id: string;
  trackingNo: string;
  channel: Channel;
  state: CaseState;
  title: string;
  writerNameMasked: string;
  handlingUnitId: string;
  handlingUnitName: string;
  isPublic: boolean;
  receivedAt: Date;
  dueDate: string;
  overdue: boolean;
  urgency: string | null;
}

/** Open first (0), then the rest (1); soonest deadline first; the id makes the order total. */
const LIST_ORDER: Keyset<{ closed: number; due_date: string; id: string }> = {
  keys: [
    { by: sql`(case when c.state in ('received', 'assigned', 'clarifying', 'reviewing') then 0 else 1 end)`, kind: 'integer', of: (r) => r.closed },
    { by: 'c.due_date', kind: 'date', of: (r) => r.due_date },
    { by: 'c.id', kind: 'text', of: (r) => r.id },
  ],
  order: 'asc',
};

/** Whether the caller oversees every unit's cases (supervisors). */
export const oversees = (principal: Principal) => hasPermission(principal, OVERSIGHT_PERMISSION);

/** The caller's units' cases (handling unit inside one of the caller's staff scopes); oversight: all. */
export async function listCases(db: Db, principal: Principal, options: { channel?: Channel; state?: CaseState; states?: readonly CaseState[]; limit: number; cursor?: string | null }, today: string) {
  const all = oversees(principal);
  // The hotline's operators see hotline tickets only; the units' staff every channel.
  const scopeSets = (permissions: readonly string[]) => {
    const scopes = permissions.flatMap((p) => scopesFor(principal, p));
    return { unitIds: [...new Set(scopes.flatMap((s) => ('unitId' in s ? [s.unitId] : [])))], prefixes: [...new Set(scopes.flatMap((s) => ('regionCode' in s ? [regionPrefix(s.regionCode)] : [])))] };
  };
  const { unitIds, prefixes } = scopeSets(STAFF_PERMISSIONS.filter((p) => p !== HOTLINE_PERMISSION));
  const hotline = scopeSets([HOTLINE_PERMISSION]);
  if (!all && !unitIds.length && !prefixes.length && !hotline.unitIds.length && !hotline.prefixes.length) return { items: [] as CaseListItem[], nextCursor: null };
  let query = q(db)
    .selectFrom('interaction_cases as c')
    .innerJoin('units as u', 'u.id', 'c.handling_unit_id')
    .select(['c.id', 'c.tracking_no', 'c.channel', 'c.state', 'c.title', 'c.writer_name_masked', 'c.handling_unit_id', 'u.name as unit_name', 'c.is_public', 'c.received_at', 'c.due_date', 'c.urgency'])
    .select(sql<number>`(case when c.state in ('received', 'assigned', 'clarifying', 'reviewing') then 0 else 1 end)`.as('closed'));
  if (!all) {
    query = query.where((eb) =>
      eb.or([
        ...(unitIds.length ? [eb('c.handling_unit_id', 'in', unitIds)] : []),
        ...prefixes.map((p) => eb('u.region_code', 'like', `${p}%`)),
        ...(hotline.unitIds.length ? [eb.and([eb('c.channel', '=', 'hotline'), eb('c.handling_unit_id', 'in', hotline.unitIds)])] : []),
        ...hotline.prefixes.map((p) => eb.and([eb('c.channel', '=', 'hotline'), eb('u.region_code', 'like', `${p}%`)])),
      ]),
    );
  }
  if (options.channel) query = query.where('c.channel', '=', options.channel);
  if (options.state) query = query.where('c.state', '=', options.state);
  if (options.states) query = query.where('c.state', 'in', [...options.states]);
  const page = await keysetPage(query, LIST_ORDER, { limit: options.limit, cursor: options.cursor });
  return {
    items: page.items.map(
      (r): CaseListItem => ({
        id: r.id,
        trackingNo: r.tracking_no,
        channel: r.channel,
        state: r.state,
        title: r.title,
        writerNameMasked: r.writer_name_masked,
        handlingUnitId: r.handling_unit_id,
        handlingUnitName: r.unit_name,
        isPublic: r.is_public,
        receivedAt: r.received_at,
        dueDate: String(r.due_date),
        overdue: OPEN_STATES.includes(r.state) && String(r.due_date) < today,
        urgency: r.urgency,
      }),
    ),
    nextCursor: page.nextCursor,
  };
}

/** What the caller may do on the case now (the page shows these actions; the commands check again). */
export interface CaseAbilities {
  assign: boolean;
  pass: boolean;
  transferBack: boolean;
  clarify: boolean;
  merge: boolean;
  answer: boolean;
  approve: boolean;
  return: boolean;
  /** A disclosure request not yet extended, still with the unit: its responder or leader may extend it once. */
  extend: boolean;
}

/** Every unit the case has been with (its rounds' tasks), for read-only access of former units. */
async function formerUnits(db: Db, caseId: string): Promise<string[]> {
  const { rows } = await sql<{ unit_id: string; region_code: string }>`
    select distinct t.unit_id, u.region_code from flow_tasks t join flow_instances i on i.id = t.instance_id join units u on u.id = t.unit_id
     where i.subject_type = ${CASE_SUBJECT} and i.subject_id = ${caseId}`.execute(db);
  return rows.map((r) => `${r.unit_id}\u0000${r.region_code}`);
}

type FileItem = { id: string; name: string; size: number; mime: string };

/** The writer's attachments, and the answer documents of the draft and of the answer sent, in their order. */
async function caseFiles(db: Db, row: Pick<CaseRow, 'id' | 'draft_answer_files' | 'answer_files'>): Promise<{ attachments: FileItem[]; draft: FileItem[]; answer: FileItem[] }> {
  const item = (f: FileItem): FileItem => ({ id: f.id, name: f.name, size: f.size, mime: f.mime });
  const attachments = (await listAttachedFiles(db, { ownerType: ATTACHMENT_OWNER, ownerId: row.id })).map(item);
  const draftIds: string[] = row.draft_answer_files ?? [];
  const answerIds: string[] = row.answer_files ?? [];
  const known = await getFiles(db, [...draftIds, ...answerIds]);
  const pick = (ids: string[]) => ids.flatMap((id) => (known.get(id)?.ownerType === ANSWER_FILES_OWNER ? [item(known.get(id)!)] : []));
  return { attachments, draft: pick(draftIds), answer: pick(answerIds) };
}

/** Whether the caller, not staff of the unit that has the case, may read it: oversight, or staff of a unit it was with before. */
async function mayReadAsFormer(db: Db, principal: Principal, row: Pick<CaseRow, 'id' | 'channel'>): Promise<boolean> {
  if (oversees(principal)) return true;
  const former = (await formerUnits(db, row.id)).map((k) => k.split('\u0000'));
  return former.some(([id, regionCode]) => isStaffOf(principal, { id, regionCode }, row.channel));
}

/**
 * Who downloads a case's files (the writer's attachments, the answer documents): those who may
 * read the case, staff of the unit that has it or had it, and supervisors. Never the public: the
 * writer downloads through the tracking number and query code, and the board lists no files.
 */
export async function mayReadCaseFiles(platform: Platform, principal: Principal | null, caseId: string): Promise<boolean> {
  if (!principal || principal.kind === 'public') return false;
  const row = await q(platform.db).selectFrom('interaction_cases as c').innerJoin('units as u', 'u.id', 'c.handling_unit_id').select(['c.id', 'c.channel', 'c.handling_unit_id', 'u.region_code']).where('c.id', '=', caseId).executeTakeFirst();
  if (!row) return false;
  return isStaffOf(principal, { id: row.handling_unit_id, regionCode: row.region_code }, row.channel) || mayReadAsFormer(platform.db, principal, row);
}

/**
 * One case for staff. 404 unless the caller is staff of the unit that has it, of a unit it was with
 * before (read-only), or oversees every unit (read-only). Runs in a unit of work: opening the
 * writer's personal data is audited.
 */
export async function getCaseView(work: Work, platform: Platform, principal: Principal, caseId: string) {
  const db = work.tx;
  const row = await q(db).selectFrom('interaction_cases as c').innerJoin('units as u', 'u.id', 'c.handling_unit_id').selectAll('c').select(['u.name as unit_name', 'u.region_code as unit_region']).where('c.id', '=', caseId).executeTakeFirst();
  if (!row) throw notFound();
  const current = isStaffOf(principal, { id: row.handling_unit_id, regionCode: row.unit_region }, row.channel);
  if (!current && !(await mayReadAsFormer(db, principal, row))) throw notFound();
  const now = platform.clock.now();
  const today = shanghaiDate(now);
  const [events, round] = await Promise.all([caseEvents(db, caseId), currentRound(work, caseId)]);
  const openTasks = (round?.tasks ?? []).filter((t) => t.state === 'open');
  const taskRows = openTasks.length ? await sql<TaskRow>`select * from flow_tasks where id in (${sql.join(openTasks.map((t) => t.id))})`.execute(db) : { rows: [] as TaskRow[] };
  const can = (step: string) => current && taskRows.rows.some((t) => t.step_key === step && t.state === 'open' && mayHandle(principal, t)) && round?.status === 'running';
  const unitNames = await sql<{ id: string; name: string }>`select id, name from units where id in (${sql.join([...new Set([row.handling_unit_id, ...events.map((e) => e.unit_id).filter((u): u is string => !!u), ...events.map((e) => e.details?.fromUnitId).filter((u): u is string => typeof u === 'string')])])})`.execute(db);
  const names = new Map(unitNames.rows.map((u) => [u.id, u.name]));
  const people = await displayNames(db, [...new Set([...events.map((e) => e.actor_id), row.answered_by, row.answer_approved_by].filter((a): a is string => !!a))]);
  let writer: { name: string; phone: string; email: string | null } | null = null;
  if (current) {
    writer = { name: openField(platform, row.writer_name_sealed), phone: openField(platform, row.writer_phone_sealed), email: row.writer_email_sealed ? openField(platform, row.writer_email_sealed) : null };
    recordAudit(work, { action: 'interaction.case.writer.read', objectType: 'interaction_case', objectId: row.id, details: { fields: ['name', 'phone', ...(writer.email ? ['email'] : [])] } }, now);
  }
  const step = openTasks[0] ?? null;
  const files = await caseFiles(db, row);
  const abilities: CaseAbilities = {
    assign: row.state === 'received' && can('dispatch'),
    pass: row.state === 'assigned' && can('handle'),
    transferBack: row.state === 'assigned' && can('handle'),
    clarify: row.state === 'assigned' && can('handle'),
    merge: (row.state === 'assigned' && can('handle')) || (row.state === 'received' && can('dispatch')),
    answer: row.state === 'assigned' && can('handle'),
    approve: row.state === 'reviewing' && can('review'),
    return: row.state === 'reviewing' && can('review'),
    extend:
      current &&
      row.channel === 'disclosure_request' &&
      row.extension_days === 0 &&
      ['assigned', 'clarifying', 'reviewing'].includes(row.state) &&
      [HANDLE_PERMISSION, APPROVE_PERMISSION].some((p) => hasPermission(principal, p)),
  };
  return {
    id: row.id,
    trackingNo: row.tracking_no,
    channel: row.channel,
    state: row.state,
    title: row.title,
    body: row.body,
    isPublic: row.is_public,
    publicChannel: PUBLIC_CHANNELS.includes(row.channel),
    category: row.category,
    urgency: row.urgency,
    regionCode: row.region_code,
    writerNameMasked: row.writer_name_masked,
    writer,
    readOnly: !current,
    handlingUnitId: row.handling_unit_id,
    handlingUnitName: row.unit_name,
    dispatcherUnitId: row.dispatcher_unit_id,
    targetUnitId: row.target_unit_id,
    receivedAt: row.received_at,
    dueDate: String(row.due_date),
    overdue: OPEN_STATES.includes(row.state) && String(row.due_date) < today,
    deadlineDays: row.deadline_days,
    stoppedDays: row.stopped_days,
    extensionDays: row.extension_days,
    mergedIntoId: row.merged_into_id,
    currentStep: step ? { key: step.stepKey, unitId: step.unitId, dueDate: step.dueDate, taskId: step.id, suspended: round?.status === 'suspended' } : null,
    attachments: files.attachments,
    draft: row.draft_answer_body !== null ? { attachments: files.draft, body: row.draft_answer_body, answerType: row.draft_answer_type, publish: row.draft_publish, by: row.answered_by, byName: row.answered_by ? (people.get(row.answered_by) ?? null) : null } : null,
    answer:
      row.answer_body !== null
        ? { attachments: files.answer, body: row.answer_body, answerType: row.answer_type, answeredAt: row.answered_at, approvedBy: row.answer_approved_by, approvedByName: row.answer_approved_by ? (people.get(row.answer_approved_by) ?? null) : null, moderation: row.moderation }
        : null,
    events: events.map((e) => ({
      id: Number(e.id),
      type: e.type,
      at: e.at,
      unitId: e.unit_id,
      unitName: e.unit_id ? (names.get(e.unit_id) ?? null) : null,
      fromUnitName: typeof e.details?.fromUnitId === 'string' ? (names.get(e.details.fromUnitId) ?? null) : null,
      actorName: e.actor_id ? (people.get(e.actor_id) ?? null) : null,
      details: e.details ?? {},
    })),
    may: abilities,
    version: row.version,
  };
}
export type CaseView = Awaited<ReturnType<typeof getCaseView>>;

/** Open cases of the same unit a case may be merged into (the case page's merge picker). */
export async function mergeCandidates(db: Db, row: { id: string; handlingUnitId: string }) {
  return q(db)
    .selectFrom('interaction_cases')
    .select(['id', 'tracking_no', 'title'])
    .where('handling_unit_id', '=', row.handlingUnitId)
    .where('id', '<>', row.id)
    .where('state', 'in', [...OPEN_STATES])
    .orderBy('received_at', 'desc')
    .limit(100)
    .execute();
}

/** Units a case may be assigned to (all live units) or passed down to (under the unit), for the pickers. */
export async function unitChoices(db: Db, under?: { id: string; regionCode: string }) {
  let query = q(db).selectFrom('units').select(['id', 'name', 'region_code']).where('disabled_at', 'is', null);
  if (under) {
    const prefix = regionPrefix(under.regionCode);
    query = query.where('id', '<>', under.id).where((eb) => eb.or([eb('parent_id', '=', under.id), eb.and([eb('region_code', 'like', `${prefix}%`), eb('region_code', '<>', under.regionCode)])]));
  }
  return query.orderBy('region_code').orderBy('name').limit(500).execute();
}

/** The caller's open tasks of one step of the cases' rounds (dispatch, handle, review): the console home's counters. */
export async function countOpenSteps(db: Db, principal: Principal, stepKey: 'dispatch' | 'handle' | 'review'): Promise<number> {
  const unitScopes = principal.roles.filter((r) => 'unitId' in r.scope).map((r) => ({ role: r.role, unitId: (r.scope as { unitId: string }).unitId }));
  const regionScopes = principal.roles.filter((r) => 'regionCode' in r.scope).map((r) => ({ role: r.role, prefix: regionPrefix((r.scope as { regionCode: string }).regionCode) }));
  if (!unitScopes.length && !regionScopes.length) return 0;
  const scopes = [...unitScopes.map((s) => sql`(t.role = ${s.role} and t.unit_id = ${s.unitId})`), ...regionScopes.map((s) => sql`(t.role = ${s.role} and t.unit_region like ${`${s.prefix}%`})`)];
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from flow_tasks t join flow_instances i on i.id = t.instance_id
     where t.state = 'open' and i.subject_type = ${CASE_SUBJECT} and t.step_key = ${stepKey}
       and (t.assignee is null or t.assignee = ${principal.userId})
       and (${sql.join(scopes, sql` or `)})`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
