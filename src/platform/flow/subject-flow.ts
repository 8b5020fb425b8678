/**
 * One subject's process as supervision and the owning module read it: its latest instance with its
 * log and tasks, noted by the engine when an action of the same transaction wrote them.
 */
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Work } from '../db/work.ts';
import type { FlowTables } from './service.ts';
import type { FlowAction, ProcessDefinition } from './engine.ts';

const q = (db: Db) => db.withTables<FlowTables>();

export interface SubjectFlow {
  instanceId: string;
  status: string;
  definition: ProcessDefinition;
  actions: Array<{ seq: number; payload: FlowAction; actorId: string | null; at: Date }>;
  tasks: Array<{ id: string; stepKey: string; round: number; unitId: string; state: string; assignee: string | null; days: number; dueDate: string; openedAt: Date; finishedAt: Date | null; finishedBy: string | null; outcome: string | null }>;
}

const SUBJECT_FLOWS = 'flow.subject-flows';
const subjectKey = (subjectType: string, subjectId: string) => `${subjectType}\u0000${subjectId}`;

/**
 * The engine notes here what an action of this transaction left behind (log and tasks as just
 * written), so that flowOfSubject in the same transaction (the supervision hook, right after)
 * need not read them back.
 */
export function rememberSubjectFlow(work: Work, subjectType: string, subjectId: string, flow: SubjectFlow) {
  let known = work.bag.get(SUBJECT_FLOWS) as Map<string, SubjectFlow> | undefined;
  if (!known) work.bag.set(SUBJECT_FLOWS, (known = new Map()));
  known.set(subjectKey(subjectType, subjectId), flow);
}

/** The process of one subject (the latest instance): its log and its tasks, in one statement. */
export async function flowOfSubject(work: Work, subjectType: string, subjectId: string): Promise<SubjectFlow | null> {
  const known = (work.bag.get(SUBJECT_FLOWS) as Map<string, SubjectFlow> | undefined)?.get(subjectKey(subjectType, subjectId));
  if (known) return known;
  const db = work.tx;
  type TaskJson = { id: string; step_key: string; round: number; unit_id: string; state: string; assignee: string | null; days: number; due_date: string; opened_at: string; finished_at: string | null; finished_by: string | null; outcome: string | null };
  const { rows } = await sql<{ id: string; status: string; definition: ProcessDefinition; actions: Array<{ seq: number; payload: FlowAction; actor_id: string | null; at: string }>; tasks: TaskJson[] }>`
    select i.id, i.status, i.definition,
           coalesce((select json_agg(json_build_object('seq', a.seq, 'payload', a.payload, 'actor_id', a.actor_id, 'at', a.at) order by a.seq)
                       from flow_actions a where a.instance_id = i.id), '[]') as actions,
           coalesce((select json_agg(json_build_object('id', t.id, 'step_key', t.step_key, 'round', t.round, 'unit_id', t.unit_id, 'state', t.state,
                                                       'assignee', t.assignee, 'days', t.days, 'due_date', t.due_date, 'opened_at', t.opened_at,
                                                       'finished_at', t.finished_at, 'finished_by', t.finished_by, 'outcome', t.outcome) order by t.opened_at, t.step_key)
                       from flow_tasks t where t.instance_id = i.id), '[]') as tasks
      from flow_instances i
     where i.subject_type = ${subjectType} and i.subject_id = ${subjectId}
     order by i.started_at desc
     limit 1`.execute(db);
  const instance = rows[0];
  if (!instance) return null;
  return {
    instanceId: instance.id,
    status: instance.status,
    definition: instance.definition,
    actions: instance.actions.map((a) => ({ seq: a.seq, payload: a.payload, actorId: a.actor_id, at: new Date(a.at) })),
    tasks: instance.tasks.map((t) => ({
      id: t.id,
      stepKey: t.step_key,
      round: t.round,
      unitId: t.unit_id,
      state: t.state,
      assignee: t.assignee,
      days: t.days,
      dueDate: t.due_date,
      openedAt: new Date(t.opened_at),
      finishedAt: t.finished_at === null ? null : new Date(t.finished_at),
      finishedBy: t.finished_by,
      outcome: t.outcome,
    })),
  };
}

/** Status of the instances of some subjects (running, suspended...), by subject id. */
export async function instanceStatuses(db: Db, subjectType: string, subjectIds: string[]): Promise<Map<string, string>> {
  if (!subjectIds.length) return new Map();
  const rows = await q(db).selectFrom('flow_instances').select(['subject_id', 'status']).where('subject_type', '=', subjectType).where('subject_id', 'in', subjectIds).orderBy('started_at').execute();
  return new Map(rows.map((r) => [r.subject_id, r.status]));
}

// ---------------------------------------------------------------- statistics of finished steps

