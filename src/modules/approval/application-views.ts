/**
 * What callers see of cases: one case in full (masked personal data, steps, actions and events),
 * the caller's own applications, and the data of the printable notices (open tasks: tasks.ts,
 * through the platform's inbox).
 */
import type { Platform } from '../../platform/module.ts';
import type { Principal } from '../../platform/iam/principal.ts';
import { notFound } from '../../platform/http/errors.ts';
import { keysetPage, type Keyset, type PageRequest } from '../../platform/db/pagination.ts';
import { shanghaiDate } from '../../platform/calendar/index.ts';
import { getInstanceView, type InstanceView, type TaskRow } from '../../platform/flow/service.ts';
import { allSteps, type FlowAction } from '../../platform/flow/engine.ts';
import { openField } from '../../platform/crypto/fields.ts';
import { maskIdNumber, maskPhone } from '../../platform/org/codes.ts';
import { getUnits } from '../../platform/org/service.ts';
import { displayNames } from '../../platform/iam/index.ts';
import type { Item } from './queries/items.ts';
import { correctionOf, decisionOf, eventsOf, iso, loadItems, q, visibleCase } from './queries/cases.ts';

// ---------------------------------------------------------------- one case

export interface StepView {
  key: string;
  name: string;
  unitId: string;
  role: string;
  stage: number;
  state: string;
  dueDate: string | null;
  openedAt: string | null;
  finishedAt: string | null;
}

/** Staff see who acted by name (王小明), not by login name; the applicant sees no names. */
function actionView(action: InstanceView['actions'][number], staff: boolean, people: Map<string, string>) {
  const base = { seq: action.seq, type: action.type, at: action.at, ...(staff ? { actorName: (action.actorId && people.get(action.actorId)) || action.actorName } : {}) };
  const payload = action as FlowAction;
  switch (payload.type) {
    case 'complete':
      return { ...base, stepKey: payload.stepKey, outcome: payload.outcome, opinion: payload.opinion ?? null, returnTo: payload.returnTo ?? null };
    case 'suspend':
      return { ...base, reason: payload.reason, note: payload.note ?? null };
    case 'extend':
      return { ...base, days: payload.days, reason: payload.reason };
    case 'reassign':
      return { ...base, stepKey: payload.stepKey };
    default:
      return base;
  }
}

function stepsView(item: Item, view: InstanceView): StepView[] {
  const latest = new Map<string, TaskRow>();
  for (const task of view.tasks) {
    const seen = latest.get(task.step_key);
    if (!seen || task.round >= seen.round) latest.set(task.step_key, task);
  }
  const states = new Map(view.state.steps.map((s) => [s.key, s.state]));
  return allSteps(item.process).map((step) => {
    const task = latest.get(step.key);
    return {
      key: step.key,
      name: step.name,
      unitId: step.unitId,
      role: step.role,
      stage: step.stageIndex,
      state: states.get(step.key) ?? 'waiting',
      dueDate: task?.due_date ?? null,
      openedAt: task ? iso(task.opened_at) : null,
      finishedAt: task && task.state === 'done' ? iso(task.finished_at) : null,
    };
  });
}

/** A case as the caller may see it; another department's or a stranger's case is 404. */
export async function getApplicationView(platform: Platform, principal: Principal, id: string) {
  const db = platform.db;
  const { app, item } = await visibleCase(db, principal, id);
  const today = shanghaiDate(platform.clock.now());
  const [view, events, materials, certificate] = await Promise.all([
    getInstanceView(db, app.flow_instance_id, today),
    eventsOf(db, app.id),
    q(db).selectFrom('approval_materials').selectAll().where('application_id', '=', app.id).orderBy('round').orderBy('added_at').orderBy('material_key').execute(),
    app.certificate_id ? q(db).selectFrom('approval_certificates').select(['certificate_no', 'verification_code']).where('id', '=', app.certificate_id).executeTakeFirst() : undefined,
  ]);
  const staff = principal.kind === 'staff';
  const people = staff ? await displayNames(db, [...view!.actions.map((a) => a.actorId), ...events.map((e) => e.actor_id)].filter((a): a is string => !!a)) : new Map<string, string>();
  const names = new Map(item.materials.map((m) => [m.key, m.name]));
  const handed = new Set(materials.map((m) => m.material_key));
  const applicantId = openField(platform, app.applicant_id_sealed);
  return {
    id: app.id,
    receiptNo: app.receipt_no,
    itemId: app.item_id,
    itemCode: app.item_code,
    itemName: item.name,
    itemVersion: app.item_version,
    unitId: app.unit_id,
    channel: app.channel,
    state: app.state,
    submittedAt: iso(app.submitted_at)!,
    acceptDueDate: app.accept_due_date,
    acceptedAt: iso(app.accepted_at),
    dueDate: app.due_date,
    finishedAt: iso(app.finished_at),
    promisedDays: item.promisedDays,
    extensionDays: view!.state.extensionDays,
    clockStopped: view!.state.suspendedFor,
    applicant: {
      kind: app.applicant_kind,
      name: app.applicant_name,
      idNumber: app.applicant_kind === 'person' ? maskIdNumber(applicantId) : null,
      creditCode: app.applicant_kind === 'enterprise' ? applicantId : null,
      phone: maskPhone(openField(platform, app.applicant_phone_sealed)),
    },
    form: app.form,
    materials: materials.map((m) => ({ materialKey: m.material_key, name: names.get(m.material_key) ?? m.material_key, fileId: m.file_id, round: m.round, addedAt: iso(m.added_at)! })),
    pendingMaterials: item.materials.filter((m) => m.required && m.allowPending && !handed.has(m.key)).map((m) => ({ materialKey: m.key, name: m.name })),
    correction: correctionOf(events),
    decision: decisionOf(events),
    steps: stepsView(item, view!),
    actions: view!.actions.map((a) => actionView(a, staff, people)),
    // Who a task went to is the office's business, not the applicant's.
    events: events.filter((e) => staff || e.type !== 'reassigned').map((e) => ({ seq: e.seq, type: e.type, at: iso(e.at)!, payload: e.payload, ...(staff ? { actorName: (e.actor_id && people.get(e.actor_id)) || e.actor_name } : {}) })),
    result: certificate ? { certificateNo: certificate.certificate_no, verificationCode: certificate.verification_code } : null,
  };
}
export type ApplicationView = Awaited<ReturnType<typeof getApplicationView>>;

/** Applications as their applicants see them: newest first. */
const NEWEST_FIRST: Keyset<{ submitted_at: Date | string; id: string }> = {
  keys: [
    { by: 'submitted_at', kind: 'timestamp', of: (r) => r.submitted_at },
    { by: 'id', kind: 'text', of: (r) => r.id },
  ],
  order: 'desc',
};

/** The caller's own applications, newest first: a citizen's applications, or those a clerk filed. */
export async function listMyApplications(platform: Platform, principal: Principal, options: PageRequest) {
  const column = principal.kind === 'public' ? 'applicant_user_id' : 'submitted_by';
  const query = q(platform.db)
    .selectFrom('approval_applications')
    .select(['id', 'receipt_no', 'item_id', 'item_code', 'item_version', 'channel', 'applicant_name', 'state', 'submitted_at', 'due_date', 'finished_at'])
    .where(column, '=', principal.userId);
  const { items: page, nextCursor } = await keysetPage(query, NEWEST_FIRST, options);
  const items = await loadItems(platform.db, page.map((r) => r.item_id));
  return {
    items: page.map((r) => ({
      id: r.id,
      receiptNo: r.receipt_no,
      itemId: r.item_id,
      itemCode: r.item_code,
      itemName: items.get(r.item_id)?.name ?? '',
      itemVersion: r.item_version,
      channel: r.channel,
      applicantName: r.applicant_name,
      state: r.state,
      submittedAt: iso(r.submitted_at)!,
      dueDate: r.due_date,
      finishedAt: iso(r.finished_at),
    })),
    nextCursor,
  };
}


// ---------------------------------------------------------------- notices

export const NOTICE_KINDS = ['acceptance', 'correction', 'rejection'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/**
 * What a printable notice shows: the acceptance notice (受理通知书) once accepted, the one-time
 * notice of missing materials (一次性告知书) once a correction was requested, the decision not to
 * accept or not to grant (不予受理/不予许可决定书) once rejected. Otherwise 404.
 */
export async function getNoticeData(platform: Platform, principal: Principal, id: string, kind: NoticeKind) {
  const { app, item } = await visibleCase(platform.db, principal, id);
  const events = await eventsOf(platform.db, app.id);
  const correction = correctionOf(events);
  const decision = decisionOf(events);
  if (kind === 'acceptance' && !app.accepted_at) throw notFound();
  if (kind === 'correction' && !correction) throw notFound();
  if (kind === 'rejection' && !decision) throw notFound();
  const unitIds = [item.unitId, correction?.unitId, decision?.unitId].filter((u): u is string => !!u);
  const units = new Map((await getUnits(platform.db, unitIds)).map((u) => [u.id, u.name]));
  const accepted = events.find((e) => e.type === 'accepted');
  return {
    id: app.id,
    kind,
    receiptNo: app.receipt_no,
    itemName: item.name,
    itemCode: item.code,
    resultName: item.resultName,
    legalBasis: item.legalBasis,
    consultPhone: item.consultPhone,
    complaintPhone: item.complaintPhone,
    promisedDays: item.promisedDays,
    unitName: units.get(item.unitId) ?? '',
    applicantName: app.applicant_name,
    submittedDate: shanghaiDate(new Date(app.submitted_at)),
    acceptedDate: app.accepted_at ? shanghaiDate(new Date(app.accepted_at)) : null,
    dueDate: (accepted?.payload as { dueDate?: string } | undefined)?.dueDate ?? app.due_date,
    correction: correction ? { ...correction, date: shanghaiDate(new Date(correction.requestedAt)), unitName: units.get(correction.unitId) ?? '' } : null,
    decision: decision ? { ...decision, date: shanghaiDate(new Date(decision.decidedAt)), unitName: units.get(decision.unitId) ?? '' } : null,
  };
}
export type NoticeData = Awaited<ReturnType<typeof getNoticeData>>;
