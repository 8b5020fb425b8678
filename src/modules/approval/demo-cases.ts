/**
 * The demo city's past: a few hundred cases over the last three months, in every state, filed and
 * handled through the same commands as the API's (submitApplication, completeApprovalTask,
 * submitCorrection, withdrawApplication) with the platform's clock set back to the moment of each
 * action, so that the monitor, the cards, the ratings and the statistics show real figures on the
 * first visit. Deterministic (a seeded random), and done once: nothing happens when cases exist.
 *
 * Works over whatever items are published, with their process definitions: each step is handled
 * by a member of staff holding its role in its unit (a demo account where there is one, else a
 * colleague created for it, who signs in only after an administrator resets the password).
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from '../../platform/db/index.ts';
import { inTransaction, Work, type Actor } from '../../platform/db/work.ts';
import type { DemoActivityHooks, Platform } from '../../platform/module.ts';
import type { Principal, RoleAssignment } from '../../platform/iam/principal.ts';
import type { Role } from '../../platform/iam/roles.ts';
import { grantRolesBySystem, insertStaffUser, staffHoldingRole } from '../../platform/iam/index.ts';
import { findUserByUsername, rolesOf, toAssignments } from '../../platform/iam/queries.ts';
import { hashPassword } from '../../platform/iam/passwords.ts';
import { recordStoredUpload, uploadFile, type FileInfo } from '../../platform/files/index.ts';
import { getUnit } from '../../platform/org/service.ts';
import { deliverAllDue, type NotifySenders } from '../../platform/notify/index.ts';
import { allSteps } from '../../platform/flow/engine.ts';
import { shanghaiDate } from '../../platform/calendar/index.ts';
import { q as itemsQ, toItem, type Item } from './queries/items.ts';
import { submitApplication } from './commands/submit-application.ts';
import { completeApprovalTask } from './commands/complete-task.ts';
import { submitCorrection } from './commands/correct-application.ts';
import { withdrawApplication } from './commands/withdraw-application.ts';
import { CASE_SUBJECT } from './queries/cases.ts';
import { demoApplicant, DEMO_PUBLIC_ACCOUNTS, mulberry32, type DemoApplicant } from './demo-people.ts';

const DAY_MS = 86_400_000;
const PAST_SENDERS: NotifySenders = {
  email: { kind: 'demo-past', send: async () => ({ ref: 'demo: past message, not sent' }), close: () => {} },
  sms: { kind: 'demo-past', send: async () => ({ ref: 'demo: past message, not sent' }) },
};
const SPAN_DAYS = 90;
const DEMO_ACTOR: Actor = { userId: null, username: 'system:demo', unitId: null, ip: null, requestId: null };

/** How a case goes: approved, corrected then approved, left waiting for a correction, rejected in review, not accepted, withdrawn, stalled (overdue). */
type Kind = 'approve' | 'correct' | 'correction_waiting' | 'reject' | 'not_accept' | 'withdraw' | 'stall' | 'stall_accepted' | 'stall_submitted';
const KIND_WEIGHTS: Array<[Kind, number]> = [
  ['approve', 52],
  ['correct', 9],
  ['correction_waiting', 4],
  ['reject', 8],
  ['not_accept', 6],
  ['withdraw', 5],
  ['stall', 12],
  ['stall_submitted', 4],
];

type Step = { type: 'submit' } | { type: 'accept' } | { type: 'ask_correction' } | { type: 'correct' } | { type: 'review' } | { type: 'reject_review' } | { type: 'not_accept' } | { type: 'withdraw' } | { type: 'after' };

interface Plan {
  n: number;
  item: Item;
  kind: Kind;
  applicant: DemoApplicant;
  /** The applicant's own account (online), else a window clerk files it. */
  account: Principal | null;
  steps: Array<{ at: number; step: Step }>;
  caseId: string | null;
}

export interface DemoCasesResult {
  created: number;
  skipped: boolean;
  seconds: number;
}

const OPINIONS = { approve: ['同意。', '材料齐全，符合条件，同意。', '经审查符合要求。', '同意，按程序办理。'], reject: '经审查，申请事项不符合法定条件，不予许可。', notAccept: '申请事项不属于本机关职权范围，不予受理。' };

/** A moment in the working hours of a working day (Asia/Shanghai), at or after `t`. */
function workingMoment(t: number, random: () => number): number {
  for (let guard = 0; guard < 14; guard++) {
    const local = new Date(t + 8 * 3600_000);
    const day = local.getUTCDay();
    const hour = local.getUTCHours() + local.getUTCMinutes() / 60;
    if (day !== 0 && day !== 6 && hour >= 8.75 && hour < 17.25 && !(hour >= 12 && hour < 14)) return t;
    // Next morning (or this afternoon) at a random minute.
    const base = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - 8 * 3600_000;
    const next = hour < 8.75 ? base : hour < 14 && hour >= 12 ? base + 14 * 3600_000 - 9 * 3600_000 : base + DAY_MS;
    t = next + 9 * 3600_000 + Math.floor(random() * 150) * 60_000;
  }
  return t;
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)];
}

function pickKind(random: () => number): Kind {
  const total = KIND_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  let r = random() * total;
  for (const [kind, w] of KIND_WEIGHTS) if ((r -= w) < 0) return kind;
  return 'approve';
}

/** The form of an item filled in plausibly. */
function formFor(item: Item, n: number): Record<string, string | number> {
  const form: Record<string, string | number> = {};
  for (const field of item.formFields) {
    if (field.type === 'number') form[field.key] = 20 + (n % 300);
    else if (field.type === 'select') form[field.key] = field.options?.[n % (field.options.length || 1)] ?? '';
    else if (field.type === 'date') form[field.key] = '2026-10-01';
    else form[field.key] = `${field.label}（演示）`.slice(0, field.maxLength ?? 100);
  }
  return form;
}

/** A small real PDF for a material. */
function materialPdf(name: string): Buffer {
  return Buffer.from(`%PDF-1.4\n% demo material\n1 0 obj\n<< /Type /Catalog /Title (${Buffer.from(name).toString('hex')}) >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`);
}

/**
 * The plan of one case: its steps at their times, from the submission on; steps later than now
 * are left out, so recent cases are open at the stage their time has reached.
 */
function planSteps(item: Item, kind: Kind, t0: number, now: number, random: () => number, online: boolean): Plan['steps'] {
  const stages = item.process.stages.length;
  const steps: Plan['steps'] = [{ at: t0, step: { type: 'submit' } }];
  let t = t0;
  const after = (minHours: number, maxDays: number) => (t = workingMoment(t + minHours * 3600_000 + random() * maxDays * DAY_MS, random));
  const stepDays = (stage: number) => {
    const s = item.process.stages[stage];
    const days = 'parallel' in s ? Math.max(...s.parallel.map((p) => p.days)) : s.days;
    return Math.max(0.3, days * 0.9);
  };
  switch (kind) {
    case 'stall_submitted':
      return steps;
    case 'withdraw':
      after(1, 1);
      steps.push({ at: t, step: { type: 'withdraw' } });
      break;
    case 'not_accept':
      after(1, stepDays(0));
      steps.push({ at: t, step: { type: 'not_accept' } });
      break;
    case 'correction_waiting':
    case 'correct':
      after(1, stepDays(0));
      steps.push({ at: t, step: { type: 'ask_correction' } });
      if (kind === 'correction_waiting') return steps.filter((s) => s.at <= now);
      after(20, 3);
      steps.push({ at: t, step: { type: 'correct' } });
      after(1, stepDays(0));
      steps.push({ at: t, step: { type: 'accept' } });
      for (let stage = 1; stage < stages; stage++) steps.push({ at: after(2, stepDays(stage)), step: { type: 'review' } });
      break;
    case 'reject':
      after(1, stepDays(0));
      steps.push({ at: t, step: { type: 'accept' } });
      if (stages < 2) {
        steps[steps.length - 1] = { at: t, step: { type: 'not_accept' } };
        break;
      }
      for (let stage = 1; stage < stages - 1 && random() < 0.5; stage++) steps.push({ at: after(2, stepDays(stage)), step: { type: 'review' } });
      steps.push({ at: after(2, stepDays(1)), step: { type: 'reject_review' } });
      break;
    case 'stall_accepted':
      after(1, stepDays(0));
      steps.push({ at: t, step: { type: 'accept' } });
      return steps.filter((s) => s.at <= now);
    case 'stall': {
      // Accepted, maybe reviewed once, then left: the open step runs past its deadline.
      after(1, stepDays(0));
      steps.push({ at: t, step: { type: 'accept' } });
      if (stages > 2 && random() < 0.6) steps.push({ at: after(2, stepDays(1)), step: { type: 'review' } });
      return steps.filter((s) => s.at <= now);
    }
    case 'approve':
      // 即办件 and quick windows: some accepted within the hour.
      after(online ? 1 : 0.2, random() < 0.3 ? 0.1 : stepDays(0));
      steps.push({ at: t, step: { type: 'accept' } });
      for (let stage = 1; stage < stages; stage++) steps.push({ at: after(2, stepDays(stage)), step: { type: 'review' } });
      break;
  }
  // A few days after a case ended: its rating, sometimes a complaint (other modules' hooks).
  steps.push({ at: workingMoment(t + (0.2 + random() * 3) * DAY_MS, random), step: { type: 'after' } });
  return steps.filter((s) => s.at <= now);
}

/**
 * A plan whose handling steps all happen before `limit`: when the last one would come later, the
 * steps are drawn closer to the submission in proportion. The rating step after the end is kept
 * only when it is already past.
 */
function fitBefore(steps: Plan['steps'], limit: number): Plan['steps'] {
  const handling = steps.filter((s) => s.step.type !== 'after');
  const start = handling[0].at;
  const last = handling[handling.length - 1].at;
  const end = Math.max(limit, start);
  if (last <= end) return steps.filter((s) => s.at <= end);
  const scale = (end - start) / (last - start);
  return handling.map((s) => ({ ...s, at: Math.round(start + (s.at - start) * scale) }));
}

interface Staff {
  holders: Map<string, Principal[]>;
  intake: Principal;
}

function principalOf(platform: Platform, user: { id: string; username: string; display_name: string; unit_id: string | null }, roles: RoleAssignment[], kind: 'staff' | 'public' = 'staff'): Principal {
  return {
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    kind,
    unitId: user.unit_id,
    roles,
    sessionId: null,
    tokenId: null,
    csrfToken: null,
    mustChangePassword: false,
    totpEnrollmentRequired: false,
    grants: platform.modules.permissions,
  };
}

async function loadPrincipal(platform: Platform, userId: string, kind: 'staff' | 'public' = 'staff'): Promise<Principal> {
  const user = await itemsQ(platform.db).withTables<{ users: { id: string; username: string; display_name: string; unit_id: string | null } }>().selectFrom('users').select(['id', 'username', 'display_name', 'unit_id']).where('id', '=', userId).executeTakeFirstOrThrow();
  return principalOf(platform, user, toAssignments(await rolesOf(platform.db, userId)), kind);
}

const HANDLER_NAMES = ['陈静怡', '黄立峰', '许文博', '沈佳慧', '邓子涵', '程志明', '蒋雨桐', '韩晓峰', '唐思远', '冯丽萍', '曹建华', '彭欣怡', '曾国栋', '萧雅琴', '田俊杰', '董淑芬', '袁海波', '潘晓雯', '蔡永刚', '于婷婷'];

/** A member of staff for every (unit, role) that the published items' steps name, and a second window clerk who files at the window. */
async function staffFor(platform: Platform, items: Item[]): Promise<Staff> {
  const holders = new Map<string, Principal[]>();
  let hash: string | null = null;
  let created = 0;
  const create = async (unitId: string, role: Role, username: string) => {
    hash ??= await hashPassword(crypto.randomBytes(24).toString('base64url'));
    const existing = await findUserByUsername(platform.db, username);
    if (existing) return loadPrincipal(platform, existing.id);
    const id = await inTransaction(platform.db, DEMO_ACTOR, async (work) => {
      const user = await insertStaffUser(work, platform, { username, displayName: HANDLER_NAMES[created % HANDLER_NAMES.length], unitId, passwordHash: hash! }, { mustChangePassword: true });
      await grantRolesBySystem(work, user.id, [{ role, scope: { unitId } }]);
      return user.id;
    });
    created += 1;
    return loadPrincipal(platform, id);
  };
  const pairs = new Map<string, { unitId: string; role: Role }>();
  for (const item of items) for (const step of allSteps(item.process)) pairs.set(`${step.unitId}:${step.role}`, { unitId: step.unitId, role: step.role as Role });
  let n = 0;
  for (const [key, { unitId, role }] of pairs) {
    const unit = await getUnit(platform.db, unitId);
    if (!unit) continue;
    const found = await staffHoldingRole(platform.db, role, unit, 5);
    const list: Principal[] = [];
    for (const s of found) list.push(await loadPrincipal(platform, s.id));
    if (!list.length) list.push(await create(unitId, role, `demo_${role}_${++n}`));
    holders.set(key, list);
  }
  // Window filings by a clerk of their own, so that the colleague who accepts never filed the case.
  const firstUnit = items[0].unitId;
  const intake = await create(firstUnit, 'window_clerk', 'demo_intake_clerk');
  return { holders, intake };
}

async function openTasks(platform: Platform, caseId: string) {
  return itemsQ(platform.db)
    .withTables<{ flow_tasks: { id: string; instance_id: string; step_key: string; state: string; unit_id: string; role: string }; approval_applications: { id: string; flow_instance_id: string } }>()
    .selectFrom('flow_tasks')
    .innerJoin('approval_applications', 'approval_applications.flow_instance_id', 'flow_tasks.instance_id')
    .select(['flow_tasks.id', 'flow_tasks.step_key', 'flow_tasks.unit_id', 'flow_tasks.role'])
    .where('approval_applications.id', '=', caseId)
    .where('flow_tasks.state', '=', 'open')
    .orderBy('flow_tasks.step_key')
    .execute();
}

/** Whether the demo city has any case: then nothing is generated. */
export async function hasCases(platform: Platform): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select exists (select 1 from approval_applications) as found`.execute(platform.db);
  return rows[0].found;
}

/**
 * Generates `count` cases over the last 90 days over the published items, each action at its time
 * in the past through the commands; calls the hooks of the other modules as days pass and cases end.
 */
export async function generateDemoCases(platform: Platform, options: { count: number; progress?: (line: string) => void; hooks?: DemoActivityHooks[]; seed?: number }): Promise<DemoCasesResult> {
  const begin = performance.now();
  const progress = options.progress ?? (() => {});
  const hooks = options.hooks ?? [];
  if (options.count <= 0 || (await hasCases(platform))) return { created: 0, skipped: true, seconds: 0 };
  const items = (await itemsQ(platform.db).selectFrom('approval_items').selectAll().where('status', '=', 'published').orderBy('code').execute()).map(toItem);
  if (!items.length) return { created: 0, skipped: true, seconds: 0 };
  const random = mulberry32(options.seed ?? 20261207);
  const staff = await staffFor(platform, items);

  // The demo citizen's and company's accounts, when loaded: part of the cases are theirs.
  const accounts = new Map<string, Principal>();
  for (const account of DEMO_PUBLIC_ACCOUNTS) {
    const user = await findUserByUsername(platform.db, account.phone);
    if (user) accounts.set(account.kind, await loadPrincipal(platform, user.id, 'public'));
  }

  const realNow = platform.clock.now().getTime();
  let current = realNow - SPAN_DAYS * DAY_MS;
  const at: Platform = { ...platform, clock: { now: () => new Date(current) } };
  const plans: Plan[] = [];
  // The citizen's own cases first: one in every state, so that 我的办件 shows them all.
  const showcase: Array<[Kind, number]> = [['approve', 40], ['correct', 30], ['reject', 25], ['not_accept', 20], ['withdraw', 12], ['correction_waiting', 4], ['stall', 6], ['stall_accepted', 3], ['stall_submitted', 0.2]];
  // Applicants apply for what is offered to them (an item's 申请对象: persons, enterprises or both).
  const offeredTo = (kind: 'person' | 'enterprise') => {
    const offered = items.filter((i) => i.targets.includes(kind));
    return offered.length ? offered : items;
  };
  const multiStage = offeredTo('person').find((i) => i.process.stages.length > 2) ?? offeredTo('person')[0];
  for (let n = 0; n < options.count; n++) {
    let kind = pickKind(random);
    // Newer cases are more frequent than old ones (a service that is catching on).
    let ageDays = SPAN_DAYS * Math.pow(random(), 1.3);
    const pick = random();
    let item: (typeof items)[number] | null = null;
    let owner: 'person' | 'enterprise' | null = null;
    if (n < showcase.length && accounts.has('person')) {
      [kind, ageDays] = showcase[n];
      owner = 'person';
      if (kind === 'stall') item = multiStage;
    } else if (n % 9 === 0 && accounts.has('person')) owner = 'person';
    else if (n % 11 === 0 && accounts.has('enterprise')) owner = 'enterprise';
    let t0 = workingMoment(realNow - ageDays * DAY_MS, random);
    for (let back = 1; t0 > realNow; back++) t0 = workingMoment(realNow - (ageDays + back) * DAY_MS, random);
    const online = owner !== null || random() < 0.55;
    const applicant = owner ? DEMO_PUBLIC_ACCOUNTS.find((a) => a.kind === owner)!.applicant : demoApplicant(n, random() < 0.3 ? 'enterprise' : 'person');
    const offered = offeredTo(applicant.kind);
    if (!item) item = offered[Math.floor(Math.pow(pick, 1.6) * offered.length)];
    // The showcase must reach its state whatever today's date: its steps are fitted before now.
    let steps = n < showcase.length ? fitBefore(planSteps(item, kind, t0, Infinity, random, online), realNow - 3600_000) : planSteps(item, kind, t0, realNow, random, online);
    // The showcase's stalled case sits in review: one review done, the next one open.
    if (n < showcase.length && kind === 'stall' && item.process.stages.length > 2 && !steps.some((s) => s.step.type === 'review')) {
      steps = [...steps, { at: Math.min(realNow - 3600_000, steps[steps.length - 1].at + 3 * 3600_000), step: { type: 'review' } }];
    }
    plans.push({ n, item, kind, applicant, account: owner ? accounts.get(owner)! : null, steps, caseId: null });
  }
  const timeline = plans.flatMap((plan) => plan.steps.map((s, index) => ({ plan, index, ...s }))).sort((a, b) => a.at - b.at || a.plan.n - b.plan.n || a.index - b.index);

  const handler = (unitId: string, role: string, n: number) => {
    const list = staff.holders.get(`${unitId}:${role}`);
    if (!list?.length) throw new Error(`no demo staff for ${role} in ${unitId}`);
    return list[n % list.length];
  };
  const filer = (plan: Plan) => plan.account ?? staff.intake;
  // Each material's sample content is stored once; every case gets its own file rows of it.
  const samples = new Map<string, Pick<FileInfo, 'sm3' | 'size' | 'mime'>>();
  for (const item of items) {
    for (const m of item.materials) {
      if (samples.has(m.name)) continue;
      const content = materialPdf(m.name);
      const file = await uploadFile(at, staff.intake, actorOf(staff.intake), { content: (async function* () { yield content; })(), filename: `${m.name}.pdf` });
      samples.set(m.name, file);
    }
  }

  /**
   * One day's actions: each its own unit of work (audit, events, notifications flushed as by
   * inTransaction), committed together, which spares the embedded database a commit per action.
   */
  const runDay = async (entries: typeof timeline) => {
    const works: Work[] = [];
    await at.db.transaction().execute(async (tx) => {
      const db: Platform = { ...at, db: tx as never };
      const unit = async <T>(principal: Principal, fn: (work: Work) => Promise<T>): Promise<T> => {
        const work = new Work(tx, actorOf(principal), at.db);
        const value = await fn(work);
        await work.flush();
        works.push(work);
        return value;
      };
      const materialsOf = async (plan: Plan, principal: Principal, materials: Item['materials']) => {
        const out: Array<{ materialKey: string; fileId: string }> = [];
        for (const m of materials) {
          const file = await unit(principal, (work) => recordStoredUpload(work, db, principal, { ...samples.get(m.name)!, name: `${m.name}.pdf` }));
          out.push({ materialKey: m.key, fileId: file.id });
        }
        return out;
      };
      const complete = async (plan: Plan, action: 'accept' | 'approve' | 'reject' | 'request_correction', opinion?: string) => {
        const tasks = await openTasks(db, plan.caseId!);
        for (const [i, task] of tasks.entries()) {
          // 或签 (any one suffices) closes the other branches with the first.
          if (i > 0 && !(await openTasks(db, plan.caseId!)).some((t) => t.id === task.id)) continue;
          const principal = handler(task.unit_id, task.role, plan.n);
          const input =
            action === 'request_correction'
              ? { action, opinion: '请补正材料。', missing: [{ materialKey: plan.item.materials[0].key, reason: '复印件不清晰，请重新提交。' }] }
              : { action, opinion: opinion ?? pick(random, OPINIONS.approve) };
          await unit(principal, (work) => completeApprovalTask(work, db, principal, task.id, input));
          if (action !== 'approve') break;
        }
      };
      for (const entry of entries) {
        current = entry.at;
        const { plan } = entry;
        const s = entry.step;
        if (s.type !== 'submit' && !plan.caseId) continue;
        switch (s.type) {
          case 'submit': {
            const principal = filer(plan);
            const materials = await materialsOf(plan, principal, plan.item.materials.filter((x) => x.required));
            const result = await unit(principal, (work) =>
              submitApplication(work, db, principal, {
                itemId: plan.item.id,
                channel: plan.account ? 'online' : 'window',
                applicant: plan.applicant.kind === 'person' ? { kind: 'person', name: plan.applicant.name, idNumber: plan.applicant.id, phone: plan.applicant.phone } : { kind: 'enterprise', name: plan.applicant.name, creditCode: plan.applicant.id, phone: plan.applicant.phone },
                form: formFor(plan.item, plan.n),
                materials,
              }),
            );
            plan.caseId = result.id;
            submitted += 1;
            break;
          }
          case 'accept':
            await complete(plan, 'accept');
            break;
          case 'not_accept':
            await complete(plan, 'reject', OPINIONS.notAccept);
            break;
          case 'ask_correction':
            await complete(plan, 'request_correction');
            break;
          case 'correct': {
            const principal = filer(plan);
            const handedIn = await materialsOf(plan, principal, plan.item.materials.slice(0, 1));
            await unit(principal, (work) => submitCorrection(work, db, principal, plan.caseId!, { materials: handedIn }));
            break;
          }
          case 'review':
            await complete(plan, 'approve');
            break;
          case 'reject_review':
            await complete(plan, 'reject', OPINIONS.reject);
            break;
          case 'withdraw': {
            const principal = filer(plan);
            await unit(principal, (work) => withdrawApplication(work, db, principal, plan.caseId!, { reason: '信息填写有误，撤回后重新申请。' }));
            break;
          }
          case 'after':
            break;
        }
      }
    });
    for (const work of works) work.runAfterCommit();
    // Ratings and complaints a while after a case ended, in the other modules' own units of work.
    for (const entry of entries) {
      if (entry.step.type !== 'after' || !entry.plan.caseId) continue;
      current = entry.at;
      const { plan } = entry;
      for (const h of hooks) {
        if (h.onFinished) await h.onFinished(at, { type: CASE_SUBJECT, id: plan.caseId!, applicantUserId: plan.account?.userId ?? null, applicantName: plan.applicant.name, applicantPhone: plan.applicant.phone }, random);
      }
    }
  };
  const endOfDay = async (date: string) => {
    current = Date.parse(`${date}T18:00:00+08:00`);
    // The day's messages go out that day: in-app ones to their inboxes; SMS and e-mail of the past
    // are recorded as sent without being sent (their numbers are invented), so that the first start
    // does not write hundreds of old messages to the log.
    await deliverAllDue(at, { senders: PAST_SENDERS, batch: 200, maxRounds: 1000 });
    // The end-of-day work on Mondays, Wednesdays and Fridays: the scan also catches the steps
    // finished late since the last one, and it is the generator's costliest part.
    if (![1, 3, 5].includes(new Date(current).getUTCDay())) return;
    for (const h of hooks) if (h.onDay) await h.onDay(at);
  };

  let submitted = 0;
  let reported = 0;
  const total = plans.length;
  const every = Math.max(1, Math.round(total / 10));
  let day = shanghaiDate(new Date(current));
  for (let i = 0; i < timeline.length; ) {
    const entryDay = shanghaiDate(new Date(timeline[i].at));
    // Days that passed: the other modules' end-of-day work (the supervision scan).
    for (; day < entryDay; day = nextDay(day)) await endOfDay(day);
    let j = i;
    while (j < timeline.length && shanghaiDate(new Date(timeline[j].at)) === entryDay) j++;
    await runDay(timeline.slice(i, j));
    i = j;
    if (submitted - reported >= every || (submitted === total && reported < total)) {
      reported = submitted;
      progress(`演示数据：已生成 ${submitted}/${total} 件`);
    }
  }
  // The days up to today.
  for (const today = shanghaiDate(new Date(realNow)); day < today; day = nextDay(day)) await endOfDay(day);
  for (const h of hooks) if (h.onEnd) await h.onEnd(platform);
  const seconds = (performance.now() - begin) / 1000;
  progress(`演示数据：${submitted} 件办件已生成，用时 ${seconds.toFixed(1)} 秒`);
  return { created: submitted, skipped: false, seconds };
}

function nextDay(date: string): string {
  return shanghaiDate(new Date(Date.parse(`${date}T12:00:00+08:00`) + DAY_MS));
}

function actorOf(principal: Principal): Actor {
  return { userId: principal.userId, username: principal.username, unitId: principal.unitId, ip: null, requestId: null };
}
