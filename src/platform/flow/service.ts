import crypto from 'node:crypto';
import { sql, type Generated, type Selectable } from 'kysely';
import type { Db } from '../db/index.ts';
import { keysetPage, type Keyset, type PageRequest } from '../db/pagination.ts';
import type { Work } from '../db/work.ts';
import { recordAudit } from '../audit/service.ts';
import { AppError, notFound } from '../http/errors.ts';
import { addWorkingDays } from '../calendar/service.ts';
import { shanghaiDate, type ClockStop } from '../calendar/working-days.ts';
import { getUnits } from '../org/service.ts';
import { regionPrefix } from '../org/codes.ts';
import type { Principal } from '../iam/principal.ts';
import type { Platform } from '../module.ts';
import { tallyFinishedTasksAtCommit, type FinishedTaskFact } from './reports.ts';
import { rememberSubjectFlow } from './subject-flow.ts';
import { allSteps, deriveState, FlowError, openSteps, type FlowAction, type InstanceState, type ProcessDefinition } from './engine.ts';

interface InstanceTable {
  id: string;
  subject_type: string;
  subject_id: string;
  definition: ProcessDefinition;
  status: string;
  version: Generated<number>;
  started_at: Date;
  finished_at: Date | null;
}
interface ActionTable {
  instance_id: string;
  seq: number;
  type: string;
  payload: FlowAction;
  actor_id: string | null;
  actor_name: string | null;
  at: Date;
}
interface TaskTable {
  id: string;
  instance_id: string;
  step_key: string;
  round: number;
  unit_id: string;
  unit_region: string;
  role: string;
  state: 'open' | 'done' | 'cancelled';
  assignee: string | null;
  opened_at: Date;
  opened_date: string;
  days: number;
  due_date: string;
  finished_at: Date | null;
  outcome: string | null;
  finished_by: string | null;
  version: Generated<number>;
}
export type FlowTables = { flow_instances: InstanceTable; flow_actions: ActionTable; flow_tasks: TaskTable };
export type TaskRow = Selectable<TaskTable>;
export type ActionRow = Selectable<ActionTable>;

const q = (db: Db) => db.withTables<FlowTables>();

export interface InstanceView {
  id: string;
  subjectType: string;
  subjectId: string;
  status: InstanceState['status'];
  version: number;
  state: InstanceState;
  actions: Array<FlowAction & { seq: number; at: string; actorId: string | null; actorName: string | null }>;
  tasks: TaskRow[];
  stops: ClockStop[];
}

function toFlowError(error: unknown): never {
  if (error instanceof FlowError) {
    if (error.reason === 'step_not_open') throw new AppError('CONFLICT', { detail: { key: 'flow.stepNotOpen' } });
    throw new AppError('INVALID_STATE', { detail: { key: 'flow.notAllowed' } });
  }
  throw error;
}

/** Clock stops from the log: each suspend until its resume (or until today while it lasts). */
export function stopsFromLog(actions: Array<{ payload: FlowAction; at: Date }>, today: string): ClockStop[] {
  const stops: ClockStop[] = [];
  let start: string | null = null;
  for (const action of actions) {
    if (action.payload.type === 'suspend') start = shanghaiDate(new Date(action.at));
    if (action.payload.type === 'resume' && start) {
      stops.push({ start, end: shanghaiDate(new Date(action.at)) });
      start = null;
    }
  }
  if (start) stops.push({ start, end: today });
  return stops;
}

async function loadActions(db: Db, instanceId: string) {
  return q(db).selectFrom('flow_actions').selectAll().where('instance_id', '=', instanceId).orderBy('seq').execute();
}

async function loadTasks(db: Db, instanceId: string) {
  return q(db).selectFrom('flow_tasks').selectAll().where('instance_id', '=', instanceId).orderBy('opened_at').orderBy('step_key').execute();
}

/** Rows read as JSON inside another statement, with their timestamps as Dates again. */
function actionsFromJson(rows: Array<Omit<ActionRow, 'at'> & { at: string }>): ActionRow[] {
  return rows.map((a) => ({ ...a, at: new Date(a.at) }));
}
function tasksFromJson(rows: Array<Omit<TaskRow, 'opened_at' | 'finished_at'> & { opened_at: string; finished_at: string | null }>): TaskRow[] {
  return rows.map((t) => ({ ...t, opened_at: new Date(t.opened_at), finished_at: t.finished_at === null ? null : new Date(t.finished_at) }));
}

/**
 * Brings the task table in step with the state derived from the log: closes tasks whose step is no
 * longer open, opens one task per newly opened step with its due date in working days. Returns
 * every task of the instance as it now stands, so callers need not read them again.
 */
async function syncTasks(work: Work, platform: Platform, instance: { id: string; subject_type: string }, definition: ProcessDefinition, state: InstanceState, actions: ActionRow[], now: Date, finishedBy: string | null, known?: TaskRow[]): Promise<TaskRow[]> {
  const instanceId = instance.id;
  const all = known ?? (await loadTasks(work.tx, instanceId));
  const current = all.filter((t) => t.state === 'open');
  const finished: FinishedTaskFact[] = [];
  const open = openSteps(state);
  const wanted = new Set(open.map((s) => `${s.key}#${s.openedAt}`));
  for (const task of current) {
    if (wanted.has(`${task.step_key}#${task.round}`)) {
      const assignee = open.find((s) => s.key === task.step_key)?.assignee ?? null;
      if (assignee !== task.assignee) {
        await q(work.tx).updateTable('flow_tasks').set({ assignee, version: (eb) => eb('version', '+', 1) }).where('id', '=', task.id).execute();
        Object.assign(task, { assignee, version: task.version + 1 });
      }
      continue;
    }
    const step = state.steps.find((s) => s.key === task.step_key);
    const done = step && (step.state === 'approved' || step.state === 'rejected') && step.finishedAt !== null;
    const change = { state: done ? ('done' as const) : ('cancelled' as const), finished_at: now, outcome: done ? step!.state : null, finished_by: done ? finishedBy : null };
    await q(work.tx)
      .updateTable('flow_tasks')
      .set({ ...change, version: (eb) => eb('version', '+', 1) })
      .where('id', '=', task.id)
      .execute();
    Object.assign(task, change, { version: task.version + 1 });
    if (done) finished.push({ unitId: task.unit_id, finishedBy, days: task.days, dueDate: task.due_date });
  }
  // The daily roll-up of finished tasks (statistics) moves with the tasks, in this transaction.
  tallyFinishedTasksAtCommit(work, instance.subject_type, now, finished);
  const have = new Set(current.map((t) => `${t.step_key}#${t.round}`));
  const definitions = new Map(allSteps(definition).map((s) => [s.key, s]));
  const today = shanghaiDate(now);
  const stops = stopsFromLog(actions, today);
  const opened: TaskRow[] = [];
  const opening = open.filter((step) => !have.has(`${step.key}#${step.openedAt}`));
  // The units of all the steps a stage opens (parallel approval opens several) in one read.
  const units = new Map((await getUnits(work.tx, [...new Set(opening.map((step) => definitions.get(step.key)!.unitId))])).map((u) => [u.id, u]));
  for (const step of opening) {
    const def = definitions.get(step.key)!;
    const unit = units.get(def.unitId);
    const { date: due } = await addWorkingDays(work.tx, today, def.days, { stops: stops.filter((s) => s.end >= today) });
    const row = {
      id: crypto.randomUUID(),
      instance_id: instanceId,
      step_key: step.key,
      round: step.openedAt!,
      unit_id: def.unitId,
      unit_region: unit?.regionCode ?? '',
      role: def.role,
      state: 'open' as const,
      assignee: step.assignee,
      opened_at: now,
      opened_date: today,
      days: def.days,
      due_date: due,
    };
    opened.push({ ...row, finished_at: null, outcome: null, finished_by: null, version: 1 });
  }
  // One statement for all the steps a stage opens (parallel approval opens several).
  if (opened.length) await q(work.tx).insertInto('flow_tasks').values(opened.map(({ finished_at: _f, outcome: _o, finished_by: _b, version: _v, ...row }) => row)).execute();
  return [...all, ...opened].sort((a, b) => new Date(a.opened_at).getTime() - new Date(b.opened_at).getTime() || a.step_key.localeCompare(b.step_key));
}

/** After a clock stop ends, every open task's due date moves by the working days the stop took. */
async function recomputeDueDates(work: Work, tasks: TaskRow[], actions: ActionRow[], now: Date): Promise<TaskRow[]> {
  const stops = stopsFromLog(actions, shanghaiDate(now));
  for (const task of tasks) {
    if (task.state !== 'open') continue;
    const relevant = stops.filter((s) => s.end >= task.opened_date);
    const { date } = await addWorkingDays(work.tx, task.opened_date, task.days, { stops: relevant });
    if (date === task.due_date) continue;
    await q(work.tx).updateTable('flow_tasks').set({ due_date: date }).where('id', '=', task.id).execute();
    task.due_date = date;
  }
  return tasks;
}

/** What an action left behind: the state, the log and every task, as getInstanceView would read them. */
export interface ActionResult {
  state: InstanceState;
  view: InstanceView;
}

interface KnownProcess {
  actions: ActionRow[];
  tasks: TaskRow[];
}

async function appendAndSync(work: Work, platform: Platform, instance: { id: string; definition: ProcessDefinition; subject_type: string; subject_id: string }, action: FlowAction, options: { fresh?: boolean; known?: KnownProcess } = {}): Promise<ActionResult> {
  const now = platform.clock.now();
  // A new instance has no log and no tasks yet: nothing to read.
  const previous = options.fresh ? [] : (options.known?.actions ?? (await loadActions(work.tx, instance.id)));
  const log = [...previous.map((a) => a.payload), action];
  let state: InstanceState;
  try {
    state = deriveState(instance.definition, log);
  } catch (error) {
    toFlowError(error);
  }
  const row = { instance_id: instance.id, seq: previous.length, type: action.type, payload: JSON.stringify(action) as never, actor_id: work.actor.userId, actor_name: work.actor.username, at: now };
  const finished = ['completed', 'rejected', 'withdrawn'].includes(state.status);
  // The action and the instance's new status in one statement; a new instance is inserted with
  // its first action (version 1 before it, as the column's default).
  const updated = options.fresh
    ? await q(work.tx)
        .with('created', (db) =>
          db.insertInto('flow_instances').values({ id: instance.id, subject_type: instance.subject_type, subject_id: instance.subject_id, definition: JSON.stringify(instance.definition) as never, status: state.status, version: 2, started_at: now, finished_at: finished ? now : null }),
        )
        .insertInto('flow_actions')
        .values(row)
        .returning(sql<number>`2`.as('version'))
        .executeTakeFirstOrThrow()
    : await q(work.tx)
        .with('appended', (db) => db.insertInto('flow_actions').values(row))
        .updateTable('flow_instances')
        .set({ status: state.status, version: (eb) => eb('version', '+', 1), finished_at: finished ? now : null })
        .where('id', '=', instance.id)
        .returning('version')
        .executeTakeFirstOrThrow();
  const actions = [...previous, { ...row, payload: action }];
  let tasks = await syncTasks(work, platform, instance, instance.definition, state, actions, now, work.actor.userId, options.fresh ? [] : options.known?.tasks);
  if (action.type === 'resume') tasks = await recomputeDueDates(work, tasks, actions, now);
  recordAudit(work, { action: `flow.${action.type}`, objectType: instance.subject_type, objectId: instance.id, details: { ...('stepKey' in action ? { stepKey: action.stepKey } : {}), ...('outcome' in action ? { outcome: action.outcome } : {}) } }, now);
  rememberSubjectFlow(work, instance.subject_type, instance.subject_id, {
    instanceId: instance.id,
    status: state.status,
    definition: instance.definition,
    actions: actions.map((a) => ({ seq: a.seq, payload: a.payload, actorId: a.actor_id, at: new Date(a.at) })),
    tasks: tasks.map((t) => ({ id: t.id, stepKey: t.step_key, round: t.round, unitId: t.unit_id, state: t.state, assignee: t.assignee, days: t.days, dueDate: t.due_date, openedAt: new Date(t.opened_at), finishedAt: t.finished_at === null ? null : new Date(t.finished_at), finishedBy: t.finished_by, outcome: t.outcome })),
  });
  return { state, view: toView(instance, state.status, updated.version, state, actions, tasks, shanghaiDate(now)) };
}

function toView(instance: { id: string; subject_type: string; subject_id: string }, status: string, version: number, state: InstanceState, actions: ActionRow[], tasks: TaskRow[], today: string): InstanceView {
  return {
    id: instance.id,
    subjectType: instance.subject_type,
    subjectId: instance.subject_id,
    status: status as InstanceState['status'],
    version,
    state,
    actions: actions.map((a) => ({ ...a.payload, seq: a.seq, at: new Date(a.at).toISOString(), actorId: a.actor_id, actorName: a.actor_name })),
    tasks,
    stops: stopsFromLog(actions, today),
  };
}

/** Starts an instance of a definition for a subject (an application, a document, a ticket). */
export async function startInstance(work: Work, platform: Platform, input: { definition: ProcessDefinition; subjectType: string; subjectId: string }) {
  const id = crypto.randomUUID();
  // The instance row is written with its first action (appendAndSync, fresh).
  const { state, view } = await appendAndSync(work, platform, { id, definition: input.definition, subject_type: input.subjectType, subject_id: input.subjectId }, { type: 'start' }, { fresh: true });
  return { id, state, view };
}

/** Locks the instance row so that actions on one instance apply one after another. */
async function lockInstance(work: Work, instanceId: string) {
  const instance = await q(work.tx).selectFrom('flow_instances').selectAll().where('id', '=', instanceId).forUpdate().executeTakeFirst();
  if (!instance) throw notFound();
  return instance;
}

/** Applies an instance-level action (suspend, resume, extend, withdraw, reassign). */
export async function applyInstanceAction(work: Work, platform: Platform, instanceId: string, action: Exclude<FlowAction, { type: 'start' | 'complete' }>): Promise<ActionResult> {
  const instance = await lockInstance(work, instanceId);
  return appendAndSync(work, platform, instance, action);
}

/** Whether the caller holds the task's role with a scope covering the task's unit. */
export function mayHandle(principal: Principal, task: Pick<TaskRow, 'role' | 'unit_id' | 'unit_region' | 'assignee'>): boolean {
  if (task.assignee) return task.assignee === principal.userId;
  return principal.roles.some((r) => r.role === task.role && ('unitId' in r.scope ? r.scope.unitId === task.unit_id : task.unit_region.startsWith(regionPrefix(r.scope.regionCode))));
}

/**
 * Completes a task. Another unit's task is 404; a task already completed (or completed by someone
 * else a moment ago) is 409; `expectedVersion`, when given, must match the task's version. The
 * task and its instance are read and locked in one statement.
 */
export async function completeTask(work: Work, platform: Platform, principal: Principal, taskId: string, input: { outcome: string; opinion?: string; returnTo?: string; expectedVersion?: number }) {
  // The instance's log and tasks come with the lock. They are read with the statement's snapshot,
  // taken before a lock wait: when another action committed in between, the locked version is
  // ahead of the log read (one action per version) and they are read again.
  const found = await q(work.tx)
    .selectFrom('flow_tasks as t')
    .innerJoin('flow_instances as i', 'i.id', 't.instance_id')
    .selectAll('t')
    .select(['i.subject_type as instance_subject_type', 'i.subject_id as instance_subject_id', 'i.definition as instance_definition', 'i.status as instance_status', 'i.version as instance_version'])
    .select(sql<Array<Omit<ActionRow, 'at'> & { at: string }>>`coalesce((select json_agg(a order by a.seq) from flow_actions a where a.instance_id = i.id), '[]')`.as('instance_actions'))
    .select(
      sql<Array<Omit<TaskRow, 'opened_at' | 'finished_at'> & { opened_at: string; finished_at: string | null }>>`coalesce((select json_agg(o order by o.opened_at, o.step_key) from flow_tasks o where o.instance_id = i.id), '[]')`.as('instance_tasks'),
    )
    .where('t.id', '=', taskId)
    .forUpdate()
    .executeTakeFirst();
  if (!found || !mayHandle(principal, found)) throw notFound();
  const { instance_subject_type, instance_subject_id, instance_definition, instance_status, instance_version, instance_actions, instance_tasks, ...task } = found;
  if (task.state !== 'open') throw new AppError('CONFLICT', { detail: { key: 'flow.taskClosed' } });
  if (input.expectedVersion !== undefined && input.expectedVersion !== task.version) throw new AppError('CONFLICT');
  if (instance_status === 'suspended') throw new AppError('INVALID_STATE', { detail: { key: 'flow.suspended' } });
  const instance = { id: task.instance_id, subject_type: instance_subject_type, subject_id: instance_subject_id, definition: instance_definition };
  const current = instance_actions.length === instance_version - 1;
  const known = current ? { actions: actionsFromJson(instance_actions), tasks: tasksFromJson(instance_tasks) } : undefined;
  const result = await appendAndSync(work, platform, instance, { type: 'complete', stepKey: task.step_key, outcome: input.outcome, by: principal.userId, opinion: input.opinion, returnTo: input.returnTo }, { known });
  return { task, state: result.state, view: result.view, instanceId: instance.id };
}

export async function getInstanceView(db: Db, instanceId: string, today: string): Promise<InstanceView | null> {
  const instance = await q(db).selectFrom('flow_instances').selectAll().where('id', '=', instanceId).executeTakeFirst();
  if (!instance) return null;
  const actions = await loadActions(db, instanceId);
  const tasks = await q(db).selectFrom('flow_tasks').selectAll().where('instance_id', '=', instanceId).orderBy('opened_at').orderBy('step_key').execute();
  return toView(instance, instance.status, instance.version, deriveState(instance.definition, actions.map((a) => a.payload)), actions, tasks, today);
}

/** Open tasks, oldest deadline first. */
const DEADLINE_FIRST: Keyset<{ due_date: string; id: string }> = {
  keys: [
    { by: 't.due_date', kind: 'date', of: (t) => t.due_date },
    { by: 't.id', kind: 'text', of: (t) => t.id },
  ],
  order: 'asc',
};

/**
 * The caller's open tasks: those whose step's role and unit (or region) match one of the caller's
 * role assignments, not handed to somebody else. Served by the partial indexes on open tasks.
 */
function openTasksOf(db: Db, principal: Principal, subjectTypes?: readonly string[]) {
  const unitScopes = principal.roles.filter((r) => 'unitId' in r.scope).map((r) => ({ role: r.role, unitId: (r.scope as { unitId: string }).unitId }));
  const regionScopes = principal.roles.filter((r) => 'regionCode' in r.scope).map((r) => ({ role: r.role, prefix: regionPrefix((r.scope as { regionCode: string }).regionCode) }));
  if ((!unitScopes.length && !regionScopes.length) || subjectTypes?.length === 0) return null;
  let query = q(db)
    .selectFrom('flow_tasks as t')
    .innerJoin('flow_instances as i', 'i.id', 't.instance_id')
    .where('t.state', '=', 'open')
    .where((eb) =>
      eb.or([
        ...unitScopes.map((s) => eb.and([eb('t.role', '=', s.role), eb('t.unit_id', '=', s.unitId)])),
        ...regionScopes.map((s) => eb.and([eb('t.role', '=', s.role), eb('t.unit_region', 'like', `${s.prefix}%`)])),
      ]),
    )
    .where((eb) => eb.or([eb('t.assignee', 'is', null), eb('t.assignee', '=', principal.userId)]));
  if (subjectTypes) query = query.where('i.subject_type', 'in', subjectTypes);
  return query;
}

/** One page of the caller's open tasks, oldest deadline first; only of the given subject types when named. */
export async function listOpenTasks(db: Db, principal: Principal, options: PageRequest & { subjectTypes?: readonly string[] }) {
  const open = openTasksOf(db, principal, options.subjectTypes);
  if (!open) return { items: [], nextCursor: null };
  const query = open.select(['t.id', 't.instance_id', 'i.subject_type', 'i.subject_id', 't.step_key', 't.unit_id', 't.role', 't.due_date', 't.opened_at', 't.assignee', 't.version', 'i.status']);
  return keysetPage(query, DEADLINE_FIRST, options);
}
export type OpenTaskRow = Awaited<ReturnType<typeof listOpenTasks>>['items'][number];

/** How many open tasks the caller has (of the given subject types when named): a counter on the console home. */
export async function countOpenTasks(db: Db, principal: Principal, subjectTypes?: readonly string[]): Promise<number> {
  const open = openTasksOf(db, principal, subjectTypes);
  if (!open) return 0;
  const row = await open.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The subject type of a task's instance (which module's task it is), or undefined for an unknown task. */
export async function taskSubjectType(db: Db, taskId: string): Promise<string | undefined> {
  const row = await q(db).selectFrom('flow_tasks as t').innerJoin('flow_instances as i', 'i.id', 't.instance_id').select('i.subject_type').where('t.id', '=', taskId).executeTakeFirst();
  return row?.subject_type;
}

export async function getTask(db: Db, id: string): Promise<TaskRow | undefined> {
  return q(db).selectFrom('flow_tasks').selectAll().where('id', '=', id).executeTakeFirst();
}
