/**
 * Generator of the approval benchmark data: 60 units, 402 published items with their processes,
 * staff with roles, citizens, and N cases (default 1,000,000) with their flow instances, actions,
 * tasks, case events, materials, files and certificates.
 *
 * Units, staff, items and two sample cases go through the real services. The cases are written
 * with a few set-based statements (INSERT ... SELECT over a plan table) from templates that the
 * real process engine derives: for every item and outcome (approved, corrected then approved,
 * rejected in review, not accepted, withdrawn) the action log, and for every prefix of it the
 * tasks, case state and events exactly as flow/service.ts and approval's commands write them.
 * A case is the prefix of its template whose actions lie in the past, so recent cases are open at
 * the stage their time has reached. The sample cases are then compared, row shape by row shape,
 * with generated cases of the same template.
 *
 * Not generated: audit records (a hash chain, written one by one by the services), notification
 * outbox rows and supervision cards of past cases. The statistics' daily roll-up of finished tasks
 * is rebuilt from the generated tasks; the case counters follow the rows by trigger. Certificates carry their real content and SM3
 * digest; only the newest `signed` ones carry an SM2 signature (signing every one would take about
 * 15 minutes), the older ones an empty signature that verification reports as not matching.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { sql } from 'kysely';
import type { Platform } from '../src/platform/module.ts';
import { inTransaction, SYSTEM_ACTOR } from '../src/platform/db/work.ts';
import { createRegion, createUnit } from '../src/platform/org/service.ts';
import { creditCheckChar, idCheckChar, maskIdNumber } from '../src/platform/org/codes.ts';
import { createApiToken, grantRolesBySystem, insertStaffUser } from '../src/platform/iam/service.ts';
import { hashPassword } from '../src/platform/iam/passwords.ts';
import { blindIndex, openField, sealField } from '../src/platform/crypto/fields.ts';
import { unitPublicKey, verifyUnitSignature } from '../src/platform/crypto/signing.ts';
import { loadCalendar, shanghaiDate, workingDays } from '../src/platform/calendar/index.ts';
import { allSteps, deriveState, openSteps, type FlowAction, type ProcessDefinition, type StageDefinition } from '../src/platform/flow/engine.ts';
import { fileBody, SAMPLES } from '../src/platform/files/testing.ts';
import { rebuildFinishedTaskDays } from '../src/platform/flow/reports.ts';
import { caseStateOf, type ItemInput } from '../src/modules/approval/model.ts';
import { createItem, publishItem } from '../src/modules/approval/catalogue.ts';
import { applicantIdIndex, applicantPhoneIndex } from '../src/modules/approval/applicant.ts';
import { certificateText } from '../src/modules/approval/certificates.ts';

/** Field key of benchmark databases, so that a kept database stays readable. Never used elsewhere. */
export const BENCH_FIELD_KEY = '5a54424e4348464945'.padEnd(32, '0');
export const BENCH_PASSWORD = 'Bench#Passw0rd';

export const UNIT_COUNT = 60;
export const ITEM_COUNT = 402;
const CLERKS_PER_UNIT = 3;
const APPROVERS_PER_UNIT = 5;
const CITIZENS = 3000;
const APPLICANTS = 4000;
const SPAN_DAYS = 365;

export interface BenchStaff {
  id: string;
  username: string;
  unitId: string;
  role: 'window_clerk' | 'approver' | 'unit_leader';
}
export interface ApprovalDataset {
  units: Array<{ id: string; name: string; regionCode: string }>;
  staff: BenchStaff[];
  items: Array<{ id: string; code: string; unitId: string; process: ProcessDefinition; materials: ItemInput['materials']; formFields: NonNullable<ItemInput['formFields']> }>;
  cases: number;
}

type Log = (line: string) => void;

// ---------------------------------------------------------------- reference data

const DEPARTMENTS = ['市场监督管理局', '自然资源和规划局', '住房和城乡建设局', '交通运输局', '生态环境局', '卫生健康局', '教育局', '民政局', '人力资源和社会保障局', '文化广电旅游局', '应急管理局', '农业农村局'];
const COUNTIES: Array<[string, string]> = [
  ['330102', '上城区'],
  ['330105', '拱墅区'],
  ['330106', '西湖区'],
  ['330108', '滨江区'],
  ['330109', '萧山区'],
  ['330110', '余杭区'],
];
const ITEM_NAMES = ['食品经营许可', '建设工程规划许可证核发', '排污许可', '公共场所卫生许可', '民办学校办学许可', '道路运输经营许可', '建筑工程施工许可', '医疗机构执业登记', '娱乐场所经营许可', '危险化学品经营许可', '养老机构备案', '职业介绍机构许可', '林木采伐许可', '取水许可', '户外广告设置许可'];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '华', '平'];

const MATERIALS_OF = (k: number): ItemInput['materials'] => [
  { key: 'application_form', name: '申请书', required: true, copies: 1, allowPending: false },
  { key: 'id_proof', name: '申请人身份证明', required: true, copies: 1, allowPending: false },
  { key: 'site_proof', name: '场所使用证明', required: k % 3 === 0, copies: 1, allowPending: false },
  { key: 'other', name: '其他材料', required: false, copies: 0, allowPending: false },
];
const FORM_FIELDS: NonNullable<ItemInput['formFields']> = [
  { key: 'projectName', label: '项目名称', type: 'text', required: true },
  { key: 'area', label: '面积（平方米）', type: 'number', required: false },
  { key: 'category', label: '类别', type: 'select', required: true, options: ['新办', '变更', '延续'] },
];

/**
 * The process of item k of a unit: acceptance, then one to three review stages; some with a
 * joint review by two or three units (会签, or 或签 where any one suffices). Item 0 (the most
 * applied-for) has a parallel stage, so the sample cases cover one.
 */
function processOf(k: number, unitIndex: number, units: string[]): { process: ProcessDefinition; promised: number } {
  const own = units[unitIndex];
  const other = (n: number) => units[(unitIndex + n) % units.length];
  const accept: StageDefinition = { key: 'accept', name: '受理', unitId: own, role: 'window_clerk', days: 1 + (k % 2) };
  const review = (days: number): StageDefinition => ({ key: 'review', name: '审查', unitId: own, role: 'approver', days });
  const decide: StageDefinition = { key: 'decide', name: '决定', unitId: own, role: 'unit_leader', days: 3 };
  const joint = (units: string[], mode: 'all' | 'any', days: number): StageDefinition => ({
    parallel: units.map((unitId, i) => ({ key: `joint_${i + 1}`, name: `会审${i + 1}`, unitId, role: 'approver', days: days - i })),
    mode,
  });
  const type = (k + 14) % 20;
  let stages: StageDefinition[];
  let promised: number;
  if (type < 8) {
    stages = [accept, review(5 + (k % 6))];
    promised = 5 + (k % 6);
  } else if (type < 14) {
    stages = [accept, review(5 + (k % 4)), decide];
    promised = 5 + (k % 4) + 3;
  } else if (type < 17) {
    stages = [accept, joint([own, other(7)], 'all', 8), decide];
    promised = 11;
  } else if (type < 19) {
    stages = [accept, review(5), joint([other(7), other(13)], 'any', 6), decide];
    promised = 14;
  } else {
    stages = [accept, joint([own, other(7), other(13)], 'all', 10)];
    promised = 10;
  }
  return { process: { stages }, promised };
}

// ---------------------------------------------------------------- templates from the engine

type Kind = 'A' | 'C' | 'R' | 'N' | 'W';
const KINDS: Kind[] = ['A', 'C', 'R', 'N', 'W'];
const SUBMITTER = null;
interface TemplateAction {
  action: FlowAction;
  /** Unit and role of the acting staff member; null: the submitter (citizen or clerk). */
  actor: { unitId: string; role: string } | null;
  /** Time of the action after submission, in units of the case's pace. */
  offset: number;
}
interface TemplateTask {
  stepKey: string;
  round: number;
  unitId: string;
  role: string;
  days: number;
  openedSeq: number;
  state: 'open' | 'done' | 'cancelled';
  outcome: string | null;
  finishedSeq: number | null;
  /** A clock stop that ended while the task was open moves its due date (recomputeDueDates). */
  stop: { from: number; to: number } | null;
  version: number;
}
interface TemplateEvent {
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  actionSeq: number;
  /** step_key:round of the task a `$task` placeholder stands for. */
  taskKey: string | null;
}
interface Prefix {
  len: number;
  instanceStatus: string;
  caseState: string;
  acceptedSeq: number | null;
  suspendSeq: number | null;
  resumeSeq: number | null;
  corrections: number;
  tasks: TemplateTask[];
  events: TemplateEvent[];
}

const REJECT_OPINION = '申请材料不符合法定条件和标准，依法不予许可。';
const NOT_ACCEPTED_OPINION = '申请事项不属于本机关职权范围，不予受理。';
const CORRECTION_OPINION = '请按清单补正材料';

function templateActions(process: ProcessDefinition, kind: Kind, firstMaterial: { key: string; name: string }): { actions: TemplateAction[]; missing: Array<{ materialKey: string; name: string; reason: string }> } {
  const accept = allSteps(process)[0];
  const staff = (step: { unitId: string; role: string }) => ({ unitId: step.unitId, role: step.role });
  const actions: TemplateAction[] = [{ action: { type: 'start' }, actor: SUBMITTER, offset: 0 }];
  let t = 0;
  const add = (action: FlowAction, actor: TemplateAction['actor'], dt: number) => {
    t += dt;
    actions.push({ action, actor, offset: Math.round(t * 1000) / 1000 });
  };
  const missing = [{ materialKey: firstMaterial.key, name: firstMaterial.name, reason: '复印件不清晰，请重新提交' }];
  if (kind === 'W') {
    add({ type: 'withdraw', by: '$by' }, SUBMITTER, 0.5);
    return { actions, missing };
  }
  if (kind === 'C') {
    add({ type: 'suspend', reason: 'correction', by: '$by', note: CORRECTION_OPINION }, staff(accept), 0.2);
    add({ type: 'resume', by: '$by' }, SUBMITTER, 2);
  }
  if (kind === 'N') {
    add({ type: 'complete', stepKey: accept.key, outcome: 'reject', by: '$by', opinion: NOT_ACCEPTED_OPINION }, staff(accept), 0.3);
    return { actions, missing };
  }
  add({ type: 'complete', stepKey: accept.key, outcome: 'approve', by: '$by' }, staff(accept), 0.3);
  for (let s = 1; s < process.stages.length; s++) {
    const stage = process.stages[s];
    const steps = 'parallel' in stage ? stage.parallel : [stage];
    if (kind === 'R' && s === 1) {
      add({ type: 'complete', stepKey: steps[0].key, outcome: 'reject', by: '$by', opinion: REJECT_OPINION }, staff(steps[0]), 1);
      return { actions, missing };
    }
    const finishing = 'parallel' in stage && stage.mode === 'any' ? steps.slice(0, 1) : steps;
    finishing.forEach((step, j) => add({ type: 'complete', stepKey: step.key, outcome: 'approve', by: '$by', opinion: '同意。' }, staff(step), j === 0 ? 1 : 0.3));
  }
  return { actions, missing };
}

/**
 * Every prefix of a template as the services leave it: tasks as syncTasks opens and closes them,
 * case state from caseStateOf, and the case events completeApprovalTask/syncCase add.
 */
function templatePrefixes(process: ProcessDefinition, actions: TemplateAction[], missing: Array<{ materialKey: string; name: string; reason: string }>, materialKey: string): Prefix[] {
  const steps = new Map(allSteps(process).map((s) => [s.key, s]));
  const prefixes: Prefix[] = [];
  const tasks: TemplateTask[] = [];
  const events: TemplateEvent[] = [];
  let acceptedSeq: number | null = null;
  let suspendSeq: number | null = null;
  let resumeSeq: number | null = null;
  for (let i = 0; i < actions.length; i++) {
    const log = actions.slice(0, i + 1).map((a) => a.action);
    const state = deriveState(process, log);
    const action = actions[i].action;
    // syncTasks
    const open = openSteps(state);
    const wanted = new Set(open.map((s) => `${s.key}#${s.openedAt}`));
    const current = tasks.filter((t) => t.state === 'open');
    for (const task of current) {
      if (wanted.has(`${task.stepKey}#${task.round}`)) continue;
      const step = state.steps.find((s) => s.key === task.stepKey);
      const done = !!step && (step.state === 'approved' || step.state === 'rejected') && step.finishedAt !== null;
      task.state = done ? 'done' : 'cancelled';
      task.outcome = done ? step!.state : null;
      task.finishedSeq = i;
      task.version += 1;
    }
    const have = new Set(current.map((t) => `${t.stepKey}#${t.round}`));
    for (const step of open) {
      if (have.has(`${step.key}#${step.openedAt}`)) continue;
      const def = steps.get(step.key)!;
      tasks.push({ stepKey: step.key, round: step.openedAt!, unitId: def.unitId, role: def.role, days: def.days, openedSeq: i, state: 'open', outcome: null, finishedSeq: null, stop: null, version: 1 });
    }
    if (action.type === 'suspend') suspendSeq = i;
    if (action.type === 'resume') {
      resumeSeq = i;
      for (const task of tasks) if (task.state === 'open') task.stop = { from: suspendSeq!, to: i };
    }
    // case events
    const event = (type: string, payload: Record<string, unknown>, taskKey: string | null = null) => events.push({ seq: events.length, type, payload, actionSeq: i, taskKey });
    const caseState = caseStateOf(state);
    if (action.type === 'start') event('submitted', { channel: '$channel', itemVersion: 1, pendingMaterials: [] });
    if (action.type === 'suspend') {
      const task = tasks.find((t) => t.state === 'open')!;
      event('correction_requested', { taskId: '$task', stepKey: task.stepKey, unitId: task.unitId, missing, opinion: CORRECTION_OPINION }, `${task.stepKey}:${task.round}`);
    }
    if (action.type === 'resume') event('corrected', { materials: [materialKey] });
    if (action.type === 'withdraw') event('withdrawn', { reason: null });
    if (action.type === 'complete' && action.outcome === 'reject') {
      const def = steps.get(action.stepKey)!;
      const task = tasks.find((t) => t.stepKey === action.stepKey && t.finishedSeq === i)!;
      event('rejected', { taskId: '$task', stepKey: def.key, stepName: def.name, unitId: def.unitId, stage: def.stageIndex, reason: action.opinion }, `${task.stepKey}:${task.round}`);
    }
    if (acceptedSeq === null && (state.stageIndex > 0 || state.status === 'completed') && ['submitted', 'accepted', 'correction_requested', 'in_review', 'approved'].includes(caseState)) {
      acceptedSeq = i;
      event('accepted', { dueDate: '$due' });
    }
    if (caseState === 'approved') event('approved', { certificateNo: '$cert' });
    prefixes.push({
      len: i + 1,
      instanceStatus: state.status,
      caseState,
      acceptedSeq,
      suspendSeq,
      resumeSeq,
      corrections: suspendSeq === null ? 0 : 1,
      tasks: tasks.map((t) => ({ ...t, stop: t.stop ? { ...t.stop } : null })),
      events: events.map((e) => ({ ...e })),
    });
  }
  return prefixes;
}

// ---------------------------------------------------------------- people

function idNumber(n: number): string {
  const birth = `${1960 + (n % 45)}${String((n % 12) + 1).padStart(2, '0')}${String((n % 28) + 1).padStart(2, '0')}`;
  const first17 = `330106${birth}${String(n % 1000).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}
function creditCode(n: number): string {
  const first17 = `91330106${String(100000000 + n).slice(-9)}`;
  return first17 + creditCheckChar(first17);
}
const phoneOf = (n: number) => `139${String(10_000_000 + n * 7).slice(-8)}`;
const personName = (n: number) => `${SURNAMES[n % SURNAMES.length]}${GIVEN[Math.floor(n / SURNAMES.length) % GIVEN.length]}${n >= SURNAMES.length * GIVEN.length ? GIVEN[n % 7] : ''}`;

interface Applicant {
  n: number;
  kind: 'person' | 'enterprise';
  name: string;
  id: string;
  phone: string;
}
function applicantOf(n: number): Applicant {
  // Citizens (the first CITIZENS) apply online as persons; a tenth of the rest are enterprises.
  if (n >= CITIZENS && n % 10 === 0) return { n, kind: 'enterprise', name: `示范${n}科技有限公司`, id: creditCode(n), phone: phoneOf(n) };
  return { n, kind: 'person', name: personName(n), id: idNumber(n), phone: phoneOf(n) };
}

// ---------------------------------------------------------------- SQL helpers

type Column = [name: string, type: string];

/** Inserts JS rows with unnest over one array per column, in chunks. */
async function insertRows(client: pg.Client, table: string, columns: Column[], rows: unknown[][], chunk = 5000) {
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const arrays = columns.map((_, c) => part.map((r) => r[c]));
    const select = columns.map(([, type], c) => `$${c + 1}::${type}[]`).join(', ');
    await client.query(`insert into ${table} (${columns.map(([name]) => name).join(', ')}) select * from unnest(${select})`, arrays);
  }
}

interface SavedSchema {
  foreignKeys: Array<{ table: string; name: string; def: string }>;
  keys: Array<{ table: string; name: string; def: string }>;
  indexes: Array<{ name: string; def: string }>;
}

/**
 * Drops the keys, foreign keys and indexes of the tables about to be filled, remembering their
 * exact definitions: building an index once over sorted data is much faster than millions of
 * random insertions into it. restoreSchema puts back the same definitions (and checks the keys).
 */
async function dropKeysAndIndexes(client: pg.Client, tables: string[]): Promise<SavedSchema> {
  const { rows: fks } = await client.query<{ table: string; name: string; def: string }>(
    `select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as def from pg_constraint
      where contype = 'f' and (conrelid::regclass::text = any($1) or confrelid::regclass::text = any($1))`,
    [tables],
  );
  const { rows: keys } = await client.query<{ table: string; name: string; def: string }>(
    `select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as def from pg_constraint
      where contype in ('p', 'u') and conrelid::regclass::text = any($1)`,
    [tables],
  );
  const { rows: indexes } = await client.query<{ name: string; def: string }>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def from pg_index i
      where i.indrelid::regclass::text = any($1) and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
    [tables],
  );
  for (const fk of fks) await client.query(`alter table ${fk.table} drop constraint ${fk.name}`);
  for (const key of keys) await client.query(`alter table ${key.table} drop constraint ${key.name}`);
  for (const index of indexes) await client.query(`drop index ${index.name}`);
  return { foreignKeys: fks, keys, indexes };
}

async function restoreSchema(client: pg.Client, saved: SavedSchema, log: Log) {
  const t = performance.now();
  for (const key of saved.keys) await client.query(`alter table ${key.table} add constraint ${key.name} ${key.def}`);
  for (const index of saved.indexes) await client.query(index.def);
  for (const fk of saved.foreignKeys) await client.query(`alter table ${fk.table} add constraint ${fk.name} ${fk.def}`);
  log(`  keys, indexes and foreign keys rebuilt (and checked) in ${seconds(t)}`);
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------- setup through the services

async function setupOrganisation(platform: Platform, log: Log) {
  const t = performance.now();
  const units = await inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
    await createRegion(work, { code: '330000', name: '示范省', level: 'province' });
    await createRegion(work, { code: '330100', name: '示范市', level: 'city', parentCode: '330000' });
    for (const [code, name] of COUNTIES) await createRegion(work, { code, name, level: 'county', parentCode: '330100' });
    const made: Array<{ id: string; name: string; regionCode: string }> = [];
    for (const name of DEPARTMENTS) made.push(await createUnit(work, { name: `示范市${name}`, regionCode: '330100', kind: 'department' }));
    for (const [code, county] of COUNTIES) {
      for (const name of DEPARTMENTS.slice(0, 8)) made.push(await createUnit(work, { name: `${county}${name}`, regionCode: code, kind: 'department' }));
    }
    return made.map((u) => ({ id: u.id, name: u.name, regionCode: u.regionCode }));
  });
  if (units.length !== UNIT_COUNT) throw new Error(`expected ${UNIT_COUNT} units, made ${units.length}`);
  // One password hash for every benchmark account: argon2 runs once, not 540 times.
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const staff: BenchStaff[] = [];
  const roles: Array<[BenchStaff['role'], number]> = [
    ['window_clerk', CLERKS_PER_UNIT],
    ['approver', APPROVERS_PER_UNIT],
    ['unit_leader', 1],
  ];
  for (const [u, unit] of units.entries()) {
    await inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
      for (const [role, count] of roles) {
        for (let n = 0; n < count; n++) {
          const username = `b${String(u).padStart(2, '0')}-${role.replace('_', '')}-${n}`;
          const row = await insertStaffUser(work, platform, { username, displayName: `${unit.name}${role}${n}`, unitId: unit.id, passwordHash }, { mustChangePassword: false });
          await grantRolesBySystem(work, row.id, [{ role, scope: { unitId: unit.id } }]);
          staff.push({ id: row.id, username, unitId: unit.id, role });
        }
      }
    });
  }
  // Signing keys of every unit, made now rather than by the first certificate.
  for (const unit of units) await unitPublicKey(platform.db, platform, unit.id);
  log(`  ${units.length} units, ${staff.length} staff with roles and unit signing keys in ${seconds(t)}`);
  return { units, staff, passwordHash };
}

async function setupCatalogue(platform: Platform, units: Array<{ id: string }>, log: Log) {
  const t = performance.now();
  const unitIds = units.map((u) => u.id);
  const items: ApprovalDataset['items'] = [];
  for (let k = 0; k < ITEM_COUNT; k++) {
    const unitIndex = k % UNIT_COUNT;
    const { process, promised } = processOf(k, unitIndex, unitIds);
    const input: ItemInput = {
      name: `${ITEM_NAMES[k % ITEM_NAMES.length]}（${Math.floor(k / ITEM_NAMES.length) + 1}）`,
      kind: k % 5 === 4 ? 'public_service' : 'licensing',
      unitId: unitIds[unitIndex],
      legalBasis: '《中华人民共和国行政许可法》及相关法律法规',
      conditions: '申请人具有相应的条件和资格；申请材料齐全、符合法定形式。',
      materials: MATERIALS_OF(k),
      statutoryDays: promised + 10,
      promisedDays: promised,
      fee: { charged: false },
      resultName: `${ITEM_NAMES[k % ITEM_NAMES.length]}证`,
      maxVisits: k % 3 === 0 ? 1 : 0,
      consultPhone: '0571-12345678',
      complaintPhone: '12345',
      // Roles of the steps are the ones processOf writes (window_clerk, approver, unit_leader).
      process: process as ItemInput['process'],
      formFields: FORM_FIELDS,
      themes: [],
      lifeEvents: [],
    };
    const item = await inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
      const draft = await createItem(work, platform, null, input);
      return publishItem(work, platform, null, draft.id);
    });
    items.push({ id: item.id, code: item.code, unitId: item.unitId, process: item.process, materials: item.materials, formFields: item.formFields });
  }
  log(`  ${items.length} items created and published through the catalogue in ${seconds(t)}`);
  return items;
}

// ---------------------------------------------------------------- sample cases through the API

interface SampleCase {
  kind: Kind;
  /** How many actions of the template were taken (null: all, a finished case). */
  len: number | null;
  caseId: string;
}

async function api(baseUrl: string, token: string, method: string, url: string, body?: unknown, extra: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

async function upload(baseUrl: string, token: string, name: string, content: Buffer): Promise<string> {
  const body = fileBody(name, content);
  const res = await fetch(`${baseUrl}/api/v1/files`, { method: 'POST', headers: { ...body.headers, authorization: `Bearer ${token}` }, body: body.payload });
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/**
 * Two cases of item 0 through the HTTP API: approved straight through (kind A) and approved after
 * a correction request (kind C), at a window. Their rows are the reference for the shape check.
 */
async function sampleCases(platform: Platform, baseUrl: string, dataset: Omit<ApprovalDataset, 'cases'>): Promise<SampleCase[]> {
  const item = dataset.items[0];
  const tokens = new Map<string, string>();
  const tokenOf = async (member: BenchStaff) => {
    if (!tokens.has(member.id)) tokens.set(member.id, (await createApiToken(platform, member.id, 'bench-sample', 1, SYSTEM_ACTOR)).token);
    return tokens.get(member.id)!;
  };
  const holder = (unitId: string, role: string, n = 0) => dataset.staff.filter((s) => s.unitId === unitId && s.role === role)[n];
  const clerk = await tokenOf(holder(item.unitId, 'window_clerk', 0));
  const samples: SampleCase[] = [];
  const wanted: Array<{ kind: Kind; len: number | null }> = [
    { kind: 'A', len: null },
    { kind: 'C', len: null },
    { kind: 'R', len: null },
    { kind: 'N', len: null },
    { kind: 'W', len: null },
    { kind: 'A', len: 3 },
    { kind: 'C', len: 2 },
  ];
  for (const { kind, len } of wanted) {
    let caseId = '';
    const openTask = async (stepKey: string) => {
      const row = await platform.db
        .withTables<{ flow_tasks: { id: string; instance_id: string; step_key: string; state: string }; approval_applications: { id: string; flow_instance_id: string } }>()
        .selectFrom('flow_tasks')
        .innerJoin('approval_applications', 'approval_applications.flow_instance_id', 'flow_tasks.instance_id')
        .select('flow_tasks.id')
        .where('approval_applications.id', '=', caseId)
        .where('flow_tasks.step_key', '=', stepKey)
        .where('flow_tasks.state', '=', 'open')
        .executeTakeFirstOrThrow();
      return row.id;
    };
    const accepter = await tokenOf(holder(item.unitId, 'window_clerk', 1));
    const first = item.materials[0];
    const reviews = allSteps(item.process).slice(1);
    const complete = async (token: string, stepKey: string, body: unknown) => api(baseUrl, token, 'POST', `/api/v1/tasks/${await openTask(stepKey)}/complete`, body);
    const submit = async () => {
      const materials = [];
      for (const m of item.materials.filter((x) => x.required)) materials.push({ materialKey: m.key, fileId: await upload(baseUrl, clerk, `${m.name}.pdf`, SAMPLES.pdf()) });
      const applicant = applicantOf(APPLICANTS + samples.length + 1);
      const created = await api(baseUrl, clerk, 'POST', '/api/v1/approval/applications', {
        itemId: item.id,
        channel: 'window',
        applicant: { kind: 'person', name: applicant.name, idNumber: applicant.id, phone: applicant.phone },
        form: { projectName: '示范项目', area: 120, category: '新办' },
        materials,
      });
      caseId = created.id as string;
    };
    const accept = () => complete(accepter, 'accept', { action: 'accept' });
    const approveAll = reviews.map((step) => async () => complete(await tokenOf(holder(step.unitId, step.role, 0)), step.key, { action: 'approve', opinion: '同意。' }));
    // One entry per action of the template, in its order.
    const actions: Record<Kind, Array<() => Promise<unknown>>> = {
      A: [submit, accept, ...approveAll],
      C: [
        submit,
        () => complete(accepter, 'accept', { action: 'request_correction', opinion: CORRECTION_OPINION, missing: [{ materialKey: first.key, reason: '复印件不清晰，请重新提交' }] }),
        async () => api(baseUrl, clerk, 'POST', `/api/v1/approval/applications/${caseId}/corrections`, { materials: [{ materialKey: first.key, fileId: await upload(baseUrl, clerk, `${first.name}.pdf`, SAMPLES.pdf()) }] }),
        accept,
        ...approveAll,
      ],
      R: [submit, accept, async () => complete(await tokenOf(holder(reviews[0].unitId, reviews[0].role, 0)), reviews[0].key, { action: 'reject', opinion: REJECT_OPINION })],
      N: [submit, () => complete(accepter, 'accept', { action: 'reject', opinion: NOT_ACCEPTED_OPINION })],
      W: [submit, () => api(baseUrl, clerk, 'POST', `/api/v1/approval/applications/${caseId}/withdraw`, {})],
    };
    for (const action of actions[kind].slice(0, len ?? undefined)) await action();
    samples.push({ kind, len, caseId });
  }
  return samples;
}

// ---------------------------------------------------------------- shape check

/** Keys and value types of a value, recursively; some fields compared by value. */
function shapeOf(value: unknown, exact: Set<string>, key = ''): unknown {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return 'date';
  if (Array.isArray(value)) return value.map((v) => shapeOf(v, exact));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) out[k] = shapeOf((value as Record<string, unknown>)[k], exact, k);
    return out;
  }
  if (exact.has(key)) return value;
  return typeof value;
}

const EXACT = new Set(['type', 'state', 'status', 'outcome', 'step_key', 'stepKey', 'round', 'seq', 'version', 'correction_count', 'channel', 'role', 'reason', 'stage', 'item_version', 'itemVersion', 'applicant_kind', 'subject_type', 'owner_type', 'material_key']);

async function caseRows(client: pg.Client, caseId: string) {
  const one = async (text: string) => (await client.query(text, [caseId])).rows;
  return {
    application: await one(`select * from approval_applications where id = $1`),
    instance: await one(`select i.* from flow_instances i join approval_applications a on a.flow_instance_id = i.id where a.id = $1`),
    actions: await one(`select f.* from flow_actions f join approval_applications a on a.flow_instance_id = f.instance_id where a.id = $1 order by seq`),
    tasks: await one(`select t.* from flow_tasks t join approval_applications a on a.flow_instance_id = t.instance_id where a.id = $1 order by round, step_key`),
    events: await one(`select * from approval_events where application_id = $1 order by seq`),
    materials: await one(`select * from approval_materials where application_id = $1 order by round, material_key`),
    files: await one(`select f.* from files f where f.owner_id = $1 order by f.attached_at, f.name`),
    certificate: await one(`select * from approval_certificates where application_id = $1`),
  };
}

/** Generated certificates verify as issued ones do: digest of the canonical content, and the signature where there is one. */
async function checkCertificates(platform: Platform, client: pg.Client, log: Log) {
  const { rows } = await client.query<{ content: Record<string, unknown>; content_sm3: string; signature: string; public_key: string }>(
    `(select content, content_sm3, signature, public_key from approval_certificates where signature = '' order by random() limit 200)
     union all (select content, content_sm3, signature, public_key from approval_certificates where signature <> '' order by random() limit 50)`,
  );
  let signed = 0;
  for (const row of rows) {
    const text = certificateText(row.content);
    if (platform.crypto.sm3(text) !== row.content_sm3) throw new Error(`certificate ${String(row.content.certificateNo)}: content does not match its SM3 digest`);
    if (row.signature) {
      if (!verifyUnitSignature(platform, row.public_key, text, row.signature)) throw new Error(`certificate ${String(row.content.certificateNo)}: signature does not verify`);
      signed += 1;
    }
  }
  log(`  certificates: ${rows.length} random ones match their SM3 digest, ${signed} signed ones verify`);
}

async function checkShapes(client: pg.Client, samples: SampleCase[], log: Log) {
  for (const sample of samples) {
    const { rows } = await client.query<{ id: string }>(
      `select p.case_id as id from bench_plan p join bench_prefix x using (pid) join bench_tpl t on t.tpl_id = p.tpl_id
         join approval_applications a on a.id = p.case_id and a.applicant_kind = 'person'
        where p.item_idx = 0 and t.kind = $1 and p.channel = 'window' and (case when $2::int is null then x.finished else x.len = $2::int end)
        order by p.g desc limit 1`,
      [sample.kind, sample.len],
    );
    const label = `${sample.kind}${sample.len === null ? '' : ` after ${sample.len} actions`}`;
    if (!rows.length) {
      log(`  shape check of ${label}: no generated case of item 0 to compare with (too few cases)`);
      continue;
    }
    const real = await caseRows(client, sample.caseId);
    const made = await caseRows(client, rows[0].id);
    const differences: string[] = [];
    for (const table of Object.keys(real) as Array<keyof typeof real>) {
      const a = JSON.stringify(shapeOf(real[table], EXACT));
      const b = JSON.stringify(shapeOf(made[table], EXACT));
      if (a !== b) differences.push(`${table}:\n    service:   ${a}\n    generated: ${b}`);
    }
    if (differences.length) throw new Error(`generated rows differ from the services' rows (${label}):\n  ${differences.join('\n  ')}`);
    log(`  shape check of ${label}: generated case ${rows[0].id} has the rows and payload shapes of case ${sample.caseId} made through the API`);
  }
}

// ---------------------------------------------------------------- the bulk load

const ACTOR_N = (g: string, seq: string, role: string) =>
  `(case ${role} when 'window_clerk' then (${g} + 1) % ${CLERKS_PER_UNIT} when 'approver' then (${g} + ${seq}) % ${APPROVERS_PER_UNIT} else 0 end)`;
const AT = (offset: string) => `(p.t0 + ${offset} * p.gap)`;
const LOCAL_DATE = (ts: string) => `((${ts}) at time zone 'Asia/Shanghai')::date`;
const DUE = (from: string, days: string) => `(select due from bench_due where d = ${from} and n = ${days})`;
const WORKING_BETWEEN = (from: string, to: string) => `((select ord from bench_due where d = ${to} and n = 1) - (select ord from bench_due where d = ${from} and n = 1))`;

async function bulkLoad(platform: Platform, client: pg.Client, databaseUrl: string, dataset: Omit<ApprovalDataset, 'cases'>, citizens: Array<{ id: string; username: string }>, options: { cases: number; signed: number }, log: Log) {
  const now = platform.clock.now();
  const today = shanghaiDate(now);
  const start = new Date(now.getTime() - SPAN_DAYS * 86400_000);
  await client.query(`set synchronous_commit = off`);
  await client.query(`set maintenance_work_mem = '512MB'`);
  await client.query(`set work_mem = '512MB'`);

  // Helper tables: items, staff, citizens, applicants, templates, working days, blobs.
  let t = performance.now();
  await client.query(`
    create unlogged table bench_items (item_idx int primary key, item_id text, item_code text, unit_id text, promised int, material_keys text, material_names text);
    create unlogged table bench_staff (unit_id text, role text, n int, id text, username text, primary key (unit_id, role, n));
    create unlogged table bench_citizens (n int primary key, id text, username text);
    create unlogged table bench_applicants (n int primary key, kind text, name text, id_sealed text, id_index text, phone_sealed text, phone_index text);
    create unlogged table bench_tpl (tpl_id int primary key, item_idx int, kind text, offs text);
    create unlogged table bench_prefix (pid int primary key, tpl_id int, len int, instance_status text, case_state text, finished boolean, accepted_off float8, suspend_off float8, resume_off float8, last_off float8, corrections int, unique (tpl_id, len));
    create unlogged table bench_actions (pid int, seq int, type text, payload text, actor_unit text, actor_role text, off float8);
    create unlogged table bench_tasks (pid int, step_key text, round int, unit_id text, unit_region text, role text, days int, state text, outcome text, opened_off float8, finished_off float8, finished_seq int, stop_from_off float8, stop_to_off float8, version int);
    create unlogged table bench_events (pid int, seq int, type text, payload text, actor_unit text, actor_role text, actor_seq int, off float8, task_key text);
    create unlogged table bench_due (d date, n int, due date, ord int, primary key (d, n));
    create unlogged table bench_blobs (n int primary key, sm3 text, size bigint, mime text);
  `);
  const regionOf = new Map(dataset.units.map((u) => [u.id, u.regionCode]));
  await insertRows(client, 'bench_items', [['item_idx', 'int'], ['item_id', 'text'], ['item_code', 'text'], ['unit_id', 'text'], ['promised', 'int'], ['material_keys', 'text'], ['material_names', 'text']],
    dataset.items.map((item, k) => {
      const required = item.materials.filter((m) => m.required);
      return [k, item.id, item.code, item.unitId, processOf(k, k % UNIT_COUNT, dataset.units.map((u) => u.id)).promised, `{${required.map((m) => m.key).join(',')}}`, `{${required.map((m) => m.name).join(',')}}`];
    }),
  );
  const staffN = new Map<string, number>();
  await insertRows(client, 'bench_staff', [['unit_id', 'text'], ['role', 'text'], ['n', 'int'], ['id', 'text'], ['username', 'text']],
    dataset.staff.map((s) => {
      const key = `${s.unitId}/${s.role}`;
      const n = staffN.get(key) ?? 0;
      staffN.set(key, n + 1);
      return [s.unitId, s.role, n, s.id, s.username];
    }),
  );
  await insertRows(client, 'bench_citizens', [['n', 'int'], ['id', 'text'], ['username', 'text']], citizens.map((c, n) => [n, c.id, c.username]));
  // A few thousand distinct applicants, sealed with the real field functions and reused.
  const applicants = Array.from({ length: APPLICANTS }, (_, n) => applicantOf(n));
  const plainOfSealed = new Map<string, string>();
  await insertRows(client, 'bench_applicants', [['n', 'int'], ['kind', 'text'], ['name', 'text'], ['id_sealed', 'text'], ['id_index', 'text'], ['phone_sealed', 'text'], ['phone_index', 'text']],
    applicants.map((a) => {
      const sealed = sealField(platform, a.id);
      plainOfSealed.set(sealed, a.id);
      return [a.n, a.kind, a.name, sealed, applicantIdIndex(platform, a.id), sealField(platform, a.phone), applicantPhoneIndex(platform, a.phone)];
    }),
  );

  // Templates and their prefixes, derived by the engine.
  const tplRows: unknown[][] = [];
  const prefixRows: unknown[][] = [];
  const actionRows: unknown[][] = [];
  const taskRows: unknown[][] = [];
  const eventRows: unknown[][] = [];
  let tplId = 0;
  let pid = 0;
  for (const [k, item] of dataset.items.entries()) {
    const first = item.materials.find((m) => m.required)!;
    for (const kind of KINDS) {
      tplId += 1;
      const { actions, missing } = templateActions(item.process, kind, first);
      tplRows.push([tplId, k, kind, `{${actions.map((a) => a.offset).join(',')}}`]);
      for (const prefix of templatePrefixes(item.process, actions, missing, first.key)) {
        pid += 1;
        const off = (seq: number | null) => (seq === null ? null : actions[seq].offset);
        prefixRows.push([pid, tplId, prefix.len, prefix.instanceStatus, prefix.caseState, ['completed', 'rejected', 'withdrawn'].includes(prefix.instanceStatus), off(prefix.acceptedSeq), off(prefix.suspendSeq), off(prefix.resumeSeq), off(prefix.len - 1), prefix.corrections]);
        for (let seq = 0; seq < prefix.len; seq++) {
          const a = actions[seq];
          actionRows.push([pid, seq, a.action.type, JSON.stringify(a.action), a.actor?.unitId ?? null, a.actor?.role ?? null, a.offset]);
        }
        for (const task of prefix.tasks) {
          taskRows.push([pid, task.stepKey, task.round, task.unitId, regionOf.get(task.unitId) ?? '', task.role, task.days, task.state, task.outcome, off(task.openedSeq), off(task.finishedSeq), task.finishedSeq, off(task.stop?.from ?? null), off(task.stop?.to ?? null), task.version]);
        }
        for (const event of prefix.events) {
          const a = actions[event.actionSeq];
          eventRows.push([pid, event.seq, event.type, JSON.stringify(event.payload), a.actor?.unitId ?? null, a.actor?.role ?? null, event.actionSeq, a.offset, event.taskKey]);
        }
      }
    }
  }
  await insertRows(client, 'bench_tpl', [['tpl_id', 'int'], ['item_idx', 'int'], ['kind', 'text'], ['offs', 'text']], tplRows);
  await insertRows(client, 'bench_prefix', [['pid', 'int'], ['tpl_id', 'int'], ['len', 'int'], ['instance_status', 'text'], ['case_state', 'text'], ['finished', 'boolean'], ['accepted_off', 'float8'], ['suspend_off', 'float8'], ['resume_off', 'float8'], ['last_off', 'float8'], ['corrections', 'int']], prefixRows);
  await insertRows(client, 'bench_actions', [['pid', 'int'], ['seq', 'int'], ['type', 'text'], ['payload', 'text'], ['actor_unit', 'text'], ['actor_role', 'text'], ['off', 'float8']], actionRows);
  await insertRows(client, 'bench_tasks', [['pid', 'int'], ['step_key', 'text'], ['round', 'int'], ['unit_id', 'text'], ['unit_region', 'text'], ['role', 'text'], ['days', 'int'], ['state', 'text'], ['outcome', 'text'], ['opened_off', 'float8'], ['finished_off', 'float8'], ['finished_seq', 'int'], ['stop_from_off', 'float8'], ['stop_to_off', 'float8'], ['version', 'int']], taskRows);
  await insertRows(client, 'bench_events', [['pid', 'int'], ['seq', 'int'], ['type', 'text'], ['payload', 'text'], ['actor_unit', 'text'], ['actor_role', 'text'], ['actor_seq', 'int'], ['off', 'float8'], ['task_key', 'text']], eventRows);
  await client.query(`alter table bench_tpl alter column offs type float8[] using offs::float8[]`);
  await client.query(`alter table bench_items alter column material_keys type text[] using material_keys::text[], alter column material_names type text[] using material_names::text[]`);

  // Due dates in working days, from the real calendar: every start date of the period × 0..120 days.
  const first = workingDays.addCalendarDays(shanghaiDate(start), -1);
  const calendar = await loadCalendar(platform.db, first, workingDays.addCalendarDays(today, 400));
  const dueRows: unknown[][] = [];
  let ord = 0;
  for (let d = first; d <= today; d = workingDays.addCalendarDays(d, 1)) {
    if (workingDays.isWorkingDay(d, calendar)) ord += 1;
    for (let n = 0; n <= 120; n++) dueRows.push([d, n, n === 0 ? d : workingDays.addWorkingDays(d, n, calendar), ord]);
  }
  await insertRows(client, 'bench_due', [['d', 'date'], ['n', 'int'], ['due', 'date'], ['ord', 'int']], dueRows, 20000);
  log(`  templates: ${tplRows.length} (${prefixRows.length} prefixes, derived by the engine); ${applicants.length} applicants sealed; working-day table (${dueRows.length} rows) in ${seconds(t)}`);

  // Real blobs for the materials: a few uploads, shared by many file rows (content-addressed).
  const blobs = (await client.query<{ sm3: string; size: string; mime: string }>(`select distinct sm3, size, mime from files order by sm3`)).rows;
  await insertRows(client, 'bench_blobs', [['n', 'int'], ['sm3', 'text'], ['size', 'bigint'], ['mime', 'text']], blobs.map((b, n) => [n, b.sm3, b.size, b.mime]));

  // The plan: one row per case with its item, outcome, channel, applicant, submission time and
  // pace; the prefix of its template whose actions have happened by now.
  t = performance.now();
  const N = options.cases;
  await client.query(`select setseed(0.2026)`);
  await client.query(
    `create unlogged table bench_plan as
     select p.*, t.tpl_id, x.pid,
            case when p.channel = 'online' then c.id else s.id end as submitter_id,
            case when p.channel = 'online' then c.username else s.username end as submitter_name
       from (select r.g,
                    md5('case:' || r.g)::uuid::text as case_id,
                    md5('flow:' || r.g)::uuid::text as instance_id,
                    (case when r.r_item < 0.8 then floor(r.r_item2 * 80) else 80 + floor(r.r_item2 * ${ITEM_COUNT - 80}) end)::int as item_idx,
                    case when r.r_kind < 0.85 then 'A' when r.r_kind < 0.90 then 'C' when r.r_kind < 0.94 then 'R' when r.r_kind < 0.97 then 'N' else 'W' end as kind,
                    case when r.r_channel < 0.6 then 'online' else 'window' end as channel,
                    case when r.r_channel < 0.6 then floor(r.r_ident * ${CITIZENS}) else floor(r.r_ident * ${APPLICANTS}) end::int as ident,
                    '${start.toISOString()}'::timestamptz + ((r.g - 1 + r.r_jitter) * ${(SPAN_DAYS * 86400) / N}) * interval '1 second' as t0,
                    (3 + r.r_gap * 12) * interval '1 day' as gap
               from (select g, random() as r_item, random() as r_item2, random() as r_kind, random() as r_channel, random() as r_ident, random() as r_gap, random() as r_jitter
                       from generate_series(1, ${N}) g) r) p
       join bench_tpl t on t.item_idx = p.item_idx and t.kind = p.kind
       join bench_prefix x on x.tpl_id = t.tpl_id and x.len = (select count(*) from unnest(t.offs) o where p.t0 + o * p.gap <= '${now.toISOString()}'::timestamptz)
       join bench_items i on i.item_idx = p.item_idx
       left join bench_citizens c on p.channel = 'online' and c.n = p.ident
       left join bench_staff s on p.channel = 'window' and s.unit_id = i.unit_id and s.role = 'window_clerk' and s.n = p.g % ${CLERKS_PER_UNIT}`,
  );
  await client.query(`alter table bench_plan add primary key (g)`);
  await client.query(`analyze bench_plan`);
  const { rows: share } = await client.query<{ open: string; all: string }>(`select count(*) filter (where not x.finished) as open, count(*) as all from bench_plan p join bench_prefix x using (pid)`);
  log(`  plan of ${N.toLocaleString('en')} cases (${Number(share[0].open).toLocaleString('en')} open, ${((100 * Number(share[0].open)) / N).toFixed(1)}%) in ${seconds(t)}`);

  // Rows go in in the order the services would have written them (creation time), so that recent
  // (mostly open) cases sit together in the tables as they do in a database that has run a year.
  const tables = ['flow_instances', 'flow_actions', 'flow_tasks', 'approval_applications', 'approval_events', 'approval_materials', 'approval_certificates', 'files'];
  const saved = await dropKeysAndIndexes(client, tables);
  const step = async (label: string, text: string, params: unknown[] = []) => {
    const s = performance.now();
    const result = await client.query(text, params);
    log(`  ${label}: ${(result.rowCount ?? 0).toLocaleString('en')} rows in ${seconds(s)}`);
  };
  const staffJoin = (alias: string, unit: string, role: string, seq: string) =>
    `left join bench_staff ${alias} on ${alias}.unit_id = ${unit} and ${alias}.role = ${role} and ${alias}.n = ${ACTOR_N('p.g', seq, role)}`;

  await step(
    'flow_instances',
    `insert into flow_instances (id, subject_type, subject_id, definition, status, version, started_at, finished_at)
     select p.instance_id, 'approval_case', p.case_id, it.process, x.instance_status, x.len + 1, p.t0, case when x.finished then ${AT('x.last_off')} end
       from bench_plan p join bench_prefix x using (pid) join bench_items i using (item_idx) join approval_items it on it.id = i.item_id
      order by p.t0`,
  );
  await step(
    'flow_actions',
    `insert into flow_actions (instance_id, seq, type, payload, actor_id, actor_name, at)
     select p.instance_id, a.seq, a.type, replace(a.payload, '"$by"', to_json(coalesce(s.id, p.submitter_id))::text)::jsonb,
            coalesce(s.id, p.submitter_id), coalesce(s.username, p.submitter_name), ${AT('a.off')}
       from bench_plan p join bench_actions a using (pid) ${staffJoin('s', 'a.actor_unit', 'a.actor_role', 'a.seq')}
      order by ${AT('a.off')}`,
  );
  await step(
    'flow_tasks',
    `insert into flow_tasks (id, instance_id, step_key, round, unit_id, unit_region, role, state, assignee, opened_at, opened_date, days, due_date, finished_at, outcome, finished_by, version)
     select md5(p.case_id || ':' || k.step_key || ':' || k.round)::uuid::text, p.instance_id, k.step_key, k.round, k.unit_id, k.unit_region, k.role, k.state, null,
            ${AT('k.opened_off')}, ${LOCAL_DATE(AT('k.opened_off'))}, k.days,
            ${DUE(LOCAL_DATE(AT('k.opened_off')), `k.days + coalesce(${WORKING_BETWEEN(LOCAL_DATE(AT('k.stop_from_off')), LOCAL_DATE(AT('k.stop_to_off')))}, 0)`)},
            case when k.finished_off is not null then ${AT('k.finished_off')} end, k.outcome, case when k.state = 'done' then s.id end, k.version
       from bench_plan p join bench_tasks k using (pid) ${staffJoin('s', 'k.unit_id', 'k.role', 'k.finished_seq')}
      order by ${AT('k.opened_off')}`,
  );
  // Case deadlines as syncCase leaves them: acceptance within 5 working days of submission (moved
  // by a correction stop), then the promised days from acceptance.
  await step(
    'approval_applications',
    `insert into approval_applications (id, receipt_no, item_id, item_code, item_version, unit_id, channel, applicant_kind, applicant_name, applicant_id_sealed, applicant_id_index,
                                        applicant_phone_sealed, applicant_phone_index, applicant_user_id, submitted_by, form, state, flow_instance_id, submitted_at, accept_due_date,
                                        accepted_at, due_date, finished_at, correction_count, certificate_id, version, submission_key)
     select p.case_id, to_char(p.t0 at time zone 'Asia/Shanghai', 'YYYYMMDD') || lpad(p.g::text, 6, '0'), i.item_id, i.item_code, 1, i.unit_id, p.channel,
            ap.kind, ap.name, ap.id_sealed, ap.id_index, ap.phone_sealed, ap.phone_index, case when p.channel = 'online' then p.submitter_id end, p.submitter_id,
            jsonb_build_object('projectName', '项目' || p.g, 'area', 20 + p.g % 500, 'category', (array['新办', '变更', '延续'])[1 + p.g % 3]),
            x.case_state, p.instance_id, p.t0, c.accept_due, ${AT('x.accepted_off')},
            case when x.accepted_off is null then c.accept_due else ${DUE(LOCAL_DATE(AT('x.accepted_off')), 'i.promised')} end,
            case when x.finished then ${AT('x.last_off')} end, x.corrections,
            case when x.case_state = 'approved' then md5('certificate:' || p.g)::uuid::text end, x.len, encode(sha256(convert_to('bench:' || p.g, 'UTF8')), 'hex')
       from bench_plan p join bench_prefix x using (pid) join bench_items i using (item_idx)
       join bench_applicants ap on ap.n = p.ident
       cross join lateral (select ${DUE(LOCAL_DATE('p.t0'), `5 + coalesce(${WORKING_BETWEEN(LOCAL_DATE(AT('x.suspend_off')), `coalesce(${LOCAL_DATE(AT('x.resume_off'))}, $1::date)`)}, 0)`)} as accept_due) c
      order by p.t0`,
    [today],
  );

  // Certificates of approved cases: real content and SM3 digest; SM2 signatures for the newest.
  t = performance.now();
  const keys = new Map((await client.query<{ unit_id: string; public_key: string; private_key_sealed: string }>(`select unit_id, public_key, private_key_sealed from unit_signing_keys`)).rows.map((r) => [r.unit_id, r]));
  const units = new Map(dataset.units.map((u) => [u.id, u.name]));
  const itemsById = new Map((await client.query<{ id: string; name: string; code: string; version: number; result_name: string }>(`select id, name, code, version, result_name from approval_items`)).rows.map((r) => [r.id, r]));
  const { rows: countRow } = await client.query<{ n: string }>(`select count(*) as n from bench_plan p join bench_prefix x using (pid) where x.case_state = 'approved'`);
  const total = Number(countRow[0].n);
  let seq = Number((await client.query<{ n: string }>(`select last_value as n from approval_certificate_seq`)).rows[0].n);
  let written = 0;
  const privateKeys = new Map<string, string>();
  let writing: Promise<void> = Promise.resolve();
  // One sorted pass through a cursor (the indexes are not there during the load), read on a second
  // connection so that building one batch overlaps with writing the previous one.
  const reader = new pg.Client({ connectionString: databaseUrl });
  await reader.connect();
  await reader.query('begin');
  await reader.query(
    `declare approved no scroll cursor for
     select a.id, a.receipt_no, a.item_id, a.applicant_kind, a.applicant_name, a.applicant_id_sealed, a.unit_id, a.finished_at, a.certificate_id
       from approval_applications a join bench_plan p on p.case_id = a.id
      where a.state = 'approved' order by a.finished_at, a.id`,
  );
  for (;;) {
    const { rows } = await reader.query<{ id: string; receipt_no: string; item_id: string; applicant_kind: string; applicant_name: string; applicant_id_sealed: string; unit_id: string; finished_at: Date; certificate_id: string }>(
      'fetch 20000 from approved',
    );
    if (!rows.length) break;
    await writing;
    const batch: unknown[][] = [];
    for (const row of rows) {
      seq += 1;
      written += 1;
      const item = itemsById.get(row.item_id)!;
      const issuedAt = new Date(row.finished_at);
      const applicantId = plainOfSealed.get(row.applicant_id_sealed) ?? openField(platform, row.applicant_id_sealed);
      const code = Array.from(crypto.randomBytes(16), (b) => 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'[b % 31]).join('');
      const content = {
        certificateNo: `${shanghaiDate(issuedAt).slice(0, 4)}${String(seq).padStart(8, '0')}`,
        verificationCode: code,
        resultName: item.result_name,
        itemName: item.name,
        itemCode: item.code,
        itemVersion: item.version,
        receiptNo: row.receipt_no,
        applicantKind: row.applicant_kind,
        applicantName: row.applicant_name,
        applicantId: row.applicant_kind === 'person' ? maskIdNumber(applicantId) : applicantId,
        unitId: row.unit_id,
        unitName: units.get(row.unit_id) ?? '',
        issuedAt: issuedAt.toISOString(),
        issuedDate: shanghaiDate(issuedAt),
      };
      const text = certificateText(content);
      const key = keys.get(row.unit_id)!;
      let signature = '';
      if (written > total - options.signed) {
        if (!privateKeys.has(row.unit_id)) privateKeys.set(row.unit_id, openField(platform, key.private_key_sealed));
        signature = platform.crypto.sm2Sign(privateKeys.get(row.unit_id)!, text);
      }
      batch.push([row.certificate_id, row.id, content.certificateNo, code, row.unit_id, JSON.stringify(content), platform.crypto.sm3(text), signature, key.public_key, issuedAt]);
    }
    writing = insertRows(client, 'approval_certificates', [['id', 'text'], ['application_id', 'text'], ['certificate_no', 'text'], ['verification_code', 'text'], ['unit_id', 'text'], ['content', 'jsonb'], ['content_sm3', 'text'], ['signature', 'text'], ['public_key', 'text'], ['issued_at', 'timestamptz']], batch, 20000);
  }
  await writing;
  await reader.query('commit');
  await reader.end();
  await client.query(`select setval('approval_certificate_seq', $1)`, [Math.max(seq, 1)]);
  log(`  approval_certificates: ${written.toLocaleString('en')} rows (${Math.min(options.signed, written).toLocaleString('en')} newest signed) in ${seconds(t)}`);

  await step(
    'approval_events',
    `insert into approval_events (application_id, seq, type, payload, actor_id, actor_name, at)
     select p.case_id, e.seq, e.type,
            replace(replace(replace(replace(e.payload,
              '"$channel"', to_json(p.channel)::text),
              '"$task"', coalesce(to_json(md5(p.case_id || ':' || e.task_key)::uuid::text)::text, 'null')),
              '"$due"', coalesce(to_json(a.due_date)::text, 'null')),
              '"$cert"', coalesce(to_json(c.certificate_no)::text, 'null'))::jsonb,
            coalesce(s.id, p.submitter_id), coalesce(s.username, p.submitter_name), ${AT('e.off')}
       from bench_plan p join bench_events e using (pid)
       join approval_applications a on a.id = p.case_id
       left join approval_certificates c on e.type = 'approved' and c.id = a.certificate_id
       ${staffJoin('s', 'e.actor_unit', 'e.actor_role', 'e.actor_seq')}
      order by ${AT('e.off')}`,
  );
  // Materials: every required material at submission (round 0); the one asked for again after a
  // correction (round 1, handed in with the resume). Each is a file row attached to the case.
  await client.query(
    `create unlogged table bench_materials as
     select p.case_id, p.g, p.submitter_id, m.key as material_key, m.name as material_name, m.ord, 0 as round, p.t0 as added_at
       from bench_plan p join bench_items i using (item_idx) cross join lateral unnest(i.material_keys, i.material_names) with ordinality as m(key, name, ord)
     union all
     select p.case_id, p.g, p.submitter_id, i.material_keys[1], i.material_names[1], 1, 1, ${AT('x.resume_off')}
       from bench_plan p join bench_prefix x using (pid) join bench_items i using (item_idx) where x.resume_off is not null`,
  );
  const blobCount = blobs.length;
  await step(
    'files',
    `insert into files (id, sm3, size, mime, name, uploaded_by, uploaded_at, owner_type, owner_id, attached_at)
     select md5('file:' || m.case_id || ':' || m.material_key || ':' || m.round)::uuid::text, b.sm3, b.size, b.mime, m.material_name || '.pdf', m.submitter_id,
            m.added_at - interval '5 minutes', 'approval.application', m.case_id, m.added_at
       from bench_materials m join bench_blobs b on b.n = (m.g + m.ord) % ${blobCount}
      order by m.added_at`,
  );
  await step(
    'approval_materials',
    `insert into approval_materials (application_id, material_key, file_id, round, added_at)
     select m.case_id, m.material_key, md5('file:' || m.case_id || ':' || m.material_key || ':' || m.round)::uuid::text, m.round, m.added_at from bench_materials m
      order by m.added_at`,
  );
  await restoreSchema(client, saved, log);
  // The tasks were written around the engine: their daily roll-up (statistics) is rebuilt from them,
  // as after any backfill. The case counters follow approval_applications by trigger already.
  t = performance.now();
  const rebuilt = await inTransaction(platform.db, SYSTEM_ACTOR, (work) => rebuildFinishedTaskDays(work.tx, null));
  log(`  daily roll-up of ${(rebuilt?.tasks ?? 0).toLocaleString('en')} finished tasks rebuilt in ${seconds(t)}`);
  // New receipts and certificates continue after the generated ones.
  await client.query(`select setval('approval_receipt_seq', greatest((select last_value from approval_receipt_seq), $1))`, [N + 1000]);
  t = performance.now();
  await client.query(`analyze`);
  log(`  analyze in ${seconds(t)}`);
}

// ---------------------------------------------------------------- entry points

/** Reads a dataset generated earlier (kept database). */
export async function loadDataset(platform: Platform): Promise<ApprovalDataset> {
  const rows = async <T>(text: string) => (await sql.raw<T>(text).execute(platform.db)).rows;
  const [info] = await rows<{ cases: number }>(`select cases from bench_approval_info`);
  return {
    units: await rows(`select id, name, region_code as "regionCode" from units order by name`),
    staff: await rows(`select u.id, u.username, u.unit_id as "unitId", r.role from users u join user_roles r on r.user_id = u.id where u.username like 'b__-%' order by u.username`),
    items: await rows(`select id, code, unit_id as "unitId", process, materials, form_fields as "formFields" from approval_items where status = 'published' order by created_at, code`),
    cases: Number(info.cases),
  };
}

/** Whether the database holds a complete generated dataset. */
export async function hasDataset(platform: Platform): Promise<boolean> {
  const found = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name = 'bench_approval_info'`.execute(platform.db);
  return found.rows[0].n === 1;
}

/**
 * Generates the dataset in the server's (empty) database and returns what the scenarios need.
 * Prints each step with its time.
 */
export async function generateDataset(server: { platform: Platform; baseUrl: string; databaseUrl: string }, options: { cases: number; signed?: number; log?: Log }): Promise<ApprovalDataset> {
  const log = options.log ?? ((line: string) => console.log(line));
  const platform = server.platform;
  const begin = performance.now();
  log(`generating ${options.cases.toLocaleString('en')} approval cases (${UNIT_COUNT} units, ${ITEM_COUNT} items)`);
  const { units, staff, passwordHash } = await setupOrganisation(platform, log);
  const items = await setupCatalogue(platform, units, log);
  const dataset = { units, staff, items };

  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  try {
    // Citizens with accounts (online applicants): the same password hash, their own sealed phones.
    const citizens = Array.from({ length: CITIZENS }, (_, n) => ({ id: crypto.randomUUID(), username: `c${String(n).padStart(4, '0')}`, applicant: applicantOf(n) }));
    await insertRows(client, 'users', [['id', 'text'], ['username', 'text'], ['display_name', 'text'], ['kind', 'text'], ['phone_sealed', 'text'], ['phone_index', 'text'], ['password_hash', 'text']],
      citizens.map((c) => [c.id, c.username, c.applicant.name, 'public', sealField(platform, c.applicant.phone), blindIndex(platform, `public:${c.applicant.phone}`), passwordHash]),
    );
    // Real blobs: one upload per material kind; file rows of the generated cases share them.
    const clerk = staff.find((s) => s.role === 'window_clerk')!;
    const token = (await createApiToken(platform, clerk.id, 'bench-generator', 1, SYSTEM_ACTOR)).token;
    for (let n = 0; n < 4; n++) await upload(server.baseUrl, token, `材料${n}.pdf`, Buffer.concat([SAMPLES.pdf(), Buffer.from(`\n% ${n}\n`)]));
    const samples = await sampleCases(platform, server.baseUrl, dataset);
    log(`  ${CITIZENS} citizens, sample blobs and ${samples.length} sample cases through the API`);

    await bulkLoad(platform, client, server.databaseUrl, dataset, citizens, { cases: options.cases, signed: options.signed ?? 10_000 }, log);
    await checkShapes(client, samples, log);
    await checkCertificates(platform, client, log);
    await client.query(`drop table bench_plan, bench_prefix, bench_tpl, bench_actions, bench_tasks, bench_events, bench_items, bench_staff, bench_citizens, bench_applicants, bench_due, bench_blobs, bench_materials`);
    await client.query(`create table bench_approval_info (cases integer not null, generated_at timestamptz not null default now())`);
    await client.query(`insert into bench_approval_info (cases) values ($1)`, [options.cases]);
  } finally {
    await client.end();
  }
  log(`generated in ${seconds(begin)}`);
  return { ...dataset, cases: options.cases };
}
