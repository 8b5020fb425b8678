import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, problem, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { buildApp } from '../../app.ts';
import { sql } from '../../platform/db/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { createPublicAccount, createApiToken } from '../../platform/iam/index.ts';
import { idCheckChar } from '../../platform/org/codes.ts';
import { fileBody, SAMPLES } from '../../platform/files/testing.ts';
import { deliverAllDue, LogEmailSender, type NotifySenders, type SmsMessage, type SmsProvider } from '../../platform/notify/index.ts';
import { silentLogger } from '../../platform/jobs/scheduler.ts';
import { verifyUnitSignature } from '../../platform/crypto/signing.ts';
import type { ProcessDefinition } from '../../platform/flow/engine.ts';
import type { ApprovalTables, ItemInput } from './model.ts';
import { certificateText } from './certificates.ts';
import { createItem } from './commands/create-item.ts';
import { publishItem } from './commands/publish-item.ts';
import { saveItem } from './commands/save-item.ts';

// Tokens are made at the latest instant any test uses; each test then sets its own time.
const clock = new TestClock(new Date('2026-12-30T00:00:00Z'));
let ctx: TestContext;
let units: { window: string; planning: string; fire: string; other: string };
let people: Record<'clerk' | 'clerk2' | 'planner' | 'planner2' | 'fireman' | 'leader' | 'stranger' | 'villager', TestUser>;
let citizen: TestUser;
let citizen2: TestUser;
let process: ProcessDefinition;
let itemId: string;

const MONDAY = new Date('2026-11-02T02:00:00Z'); // Monday 10:00 in Shanghai, no holidays near

const MATERIALS: ItemInput['materials'] = [
  { key: 'application_form', name: '申请表', required: true, copies: 1, allowPending: false },
  { key: 'id_copy', name: '身份证复印件', required: true, copies: 1, allowPending: false },
  { key: 'site_plan', name: '总平面图', required: true, copies: 2, allowPending: true },
  { key: 'other', name: '其他材料', required: false, copies: 0, allowPending: false },
];
const FORM_FIELDS: NonNullable<ItemInput['formFields']> = [
  { key: 'projectName', label: '项目名称', type: 'text', required: true },
  { key: 'area', label: '建筑面积', type: 'number', required: true },
  { key: 'startDate', label: '计划开工日期', type: 'date', required: false },
  { key: 'category', label: '类别', type: 'select', required: false, options: ['新建', '改建'] },
];

async function publicUser(name: string): Promise<TestUser> {
  const row = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createPublicAccount(work, ctx.platform, { name, password: 'Citizen#2026', kind: 'person', phone: phone() }));
  const username = row.username;
  const { token } = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createApiToken(work, ctx.platform, row.id, 'test', 30));
  return { id: row.id, username, password: 'Citizen#2026', unitId: '', token };
}

async function insertItem(options: { code?: string; version?: number; status?: 'draft' | 'published' | 'superseded' | 'withdrawn'; process?: ProcessDefinition; promisedDays?: number } = {}) {
  const id = crypto.randomUUID();
  const now = clock.now();
  await ctx.platform.db
    .withTables<ApprovalTables>()
    .insertInto('approval_items')
    .values({
      id,
      code: options.code ?? `T-${crypto.randomBytes(4).toString('hex')}`,
      version: options.version ?? 1,
      status: options.status ?? 'published',
      name: '建设工程规划许可',
      kind: 'licensing',
      unit_id: units.window,
      legal_basis: '《中华人民共和国城乡规划法》第四十条',
      conditions: '符合控制性详细规划',
      materials: JSON.stringify(MATERIALS) as never,
      statutory_days: 20,
      promised_days: options.promisedDays ?? 10,
      fee: JSON.stringify({ charged: false }) as never,
      result_name: '建设工程规划许可证',
      max_visits: 1,
      consult_phone: '0755-12345678',
      complaint_phone: '12345',
      process: JSON.stringify(options.process ?? process) as never,
      form_fields: JSON.stringify(FORM_FIELDS) as never,
      themes: JSON.stringify([]) as never,
      life_events: JSON.stringify([]) as never,
      created_by: null,
      created_at: now,
      updated_at: now,
      published_at: options.status === 'draft' ? null : now,
    })
    .execute();
  return id;
}

let sequence = 0;
function idNumber(): string {
  sequence += 1;
  const first17 = `110105${1970 + (sequence % 30)}01${String((sequence % 28) + 1).padStart(2, '0')}${String(sequence % 1000).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}
let phoneSequence = 0;
function phone(): string {
  phoneSequence += 1;
  return `139${String(crypto.randomInt(1000)).padStart(3, '0')}${String(phoneSequence).padStart(5, '0')}`;
}

async function upload(user: TestUser, content: Buffer = SAMPLES.pdf()): Promise<string> {
  const body = fileBody('材料.pdf', content);
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', payload: body.payload, headers: { ...body.headers, ...bearer(user) } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

const get = (user: TestUser, url: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(user) });
const post = (user: TestUser, url: string, payload: unknown, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: { ...bearer(user), ...headers } });

async function applicationBody(submitter: TestUser, overrides: Record<string, unknown> = {}) {
  return {
    itemId,
    channel: 'online',
    applicant: { kind: 'person', name: '张三', idNumber: idNumber(), phone: phone() },
    form: { projectName: '科技园一期', area: 12000, category: '新建' },
    materials: [
      { materialKey: 'application_form', fileId: await upload(submitter) },
      { materialKey: 'id_copy', fileId: await upload(submitter) },
    ],
    ...overrides,
  };
}

async function submit(submitter: TestUser = citizen, overrides: Record<string, unknown> = {}) {
  const body = await applicationBody(submitter, { ...(submitter === citizen || submitter === citizen2 ? {} : { channel: 'window' }), ...overrides });
  const res = await post(submitter, '/api/v1/approval/applications', body);
  assert.equal(res.statusCode, 201, res.body);
  return { ...(res.json() as { id: string; receiptNo: string; state: string }), body };
}

async function taskOf(user: TestUser, caseId: string, stepKey?: string) {
  const res = await get(user, '/api/v1/tasks?mine=true&limit=200');
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().items as Array<Record<string, unknown> & { id: string; caseId: string; stepKey: string; dueDate: string }>).find((t) => t.caseId === caseId && (!stepKey || t.stepKey === stepKey));
}

async function complete(user: TestUser, taskId: string, body: Record<string, unknown>) {
  return post(user, `/api/v1/tasks/${taskId}/complete`, body);
}

async function mustComplete(user: TestUser, caseId: string, stepKey: string, action: string, extra: Record<string, unknown> = {}) {
  const task = await taskOf(user, caseId, stepKey);
  assert.ok(task, `${user.username} has the ${stepKey} task`);
  const res = await complete(user, task.id, { action, ...extra });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

const view = async (user: TestUser, id: string) => {
  const res = await get(user, `/api/v1/approval/applications/${id}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
};

async function count(table: string, where = sql`true`) {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${where}`.execute(ctx.platform.db);
  return rows[0].n;
}

async function outboxOf(caseId: string) {
  const { rows } = await sql<{ channel: string; template: string; dedupe_key: string; status: string; user_id: string | null }>`
    select channel, template, dedupe_key, status, user_id from notify_outbox where dedupe_key like ${`approval:${caseId}:%`} order by created_at`.execute(ctx.platform.db);
  return rows;
}

async function taskMessagesTo(userId: string, receiptNo: string) {
  const { rows } = await sql<{ id: string; status: string }>`
    select id, status from notify_outbox where user_id = ${userId} and template = 'approval.case.newTask' and params::text like ${`%${receiptNo}%`}`.execute(ctx.platform.db);
  return rows;
}

class CountingSms implements SmsProvider {
  readonly kind = 'count';
  readonly sent: SmsMessage[] = [];
  async send(sms: SmsMessage) {
    this.sent.push(sms);
    return { ref: null };
  }
}
const counting = () => {
  const sms = new CountingSms();
  const senders: NotifySenders = { email: new LogEmailSender(silentLogger), sms };
  return { sms, senders };
};

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  const [w, p, f, o] = await Promise.all([makeUnit(ctx.platform, '政务服务中心'), makeUnit(ctx.platform, '规划局'), makeUnit(ctx.platform, '消防救援支队'), makeUnit(ctx.platform, '其他局')]);
  const village = await makeUnit(ctx.platform, '甲村村委会', '990102001001', 'village');
  units = { window: w.id, planning: p.id, fire: f.id, other: o.id };
  people = {
    clerk: await makeUser(ctx.platform, w.id, ['window_clerk']),
    clerk2: await makeUser(ctx.platform, w.id, ['window_clerk']),
    planner: await makeUser(ctx.platform, p.id, ['approver']),
    planner2: await makeUser(ctx.platform, p.id, ['approver']),
    fireman: await makeUser(ctx.platform, f.id, ['approver']),
    leader: await makeUser(ctx.platform, w.id, ['unit_leader']),
    stranger: await makeUser(ctx.platform, o.id, ['approver', 'unit_leader', 'window_clerk']),
    villager: await makeUser(ctx.platform, village.id, ['village_officer']),
  };
  citizen = await publicUser('citizen');
  citizen2 = await publicUser('citizen');
  process = {
    stages: [
      { key: 'accept', name: '受理', unitId: units.window, role: 'window_clerk', days: 1 },
      {
        parallel: [
          { key: 'planning', name: '规划审查', unitId: units.planning, role: 'approver', days: 3 },
          { key: 'fire', name: '消防审查', unitId: units.fire, role: 'approver', days: 3 },
        ],
      },
      { key: 'decide', name: '决定', unitId: units.window, role: 'unit_leader', days: 2 },
    ],
  };
  itemId = await insertItem();
});
after(() => ctx.close());

// ---------------------------------------------------------------- the whole way

test('a parallel case goes from online submission through two departments to a signed certificate', async () => {
  clock.set(MONDAY);
  const body = await applicationBody(citizen);
  const created = await post(citizen, '/api/v1/approval/applications', body, { 'idempotency-key': `full-${crypto.randomUUID()}` });
  assert.equal(created.statusCode, 201, created.body);
  const { id, receiptNo, state } = created.json();
  assert.equal(state, 'submitted');
  assert.match(receiptNo, /^20261102\d{6,}$/);

  let c = await view(citizen, id);
  assert.equal(c.itemId, itemId);
  assert.equal(c.itemVersion, 1);
  assert.equal(c.channel, 'online');
  assert.equal(c.acceptDueDate, '2026-11-09', 'five working days after Monday 2 November');
  assert.equal(c.dueDate, '2026-11-09');
  assert.equal(c.applicant.phone.includes('****'), true, 'the phone is masked');
  assert.match(c.applicant.idNumber, /^\d{6}\*{8}\d{3}[\dX]$/);
  assert.deepEqual(
    c.steps.map((s: { key: string; state: string }) => [s.key, s.state]),
    [['accept', 'open'], ['planning', 'waiting'], ['fire', 'waiting'], ['decide', 'waiting']],
  );
  assert.deepEqual(c.pendingMaterials, [{ materialKey: 'site_plan', name: '总平面图' }], 'a 容缺 material may follow later');
  assert.equal(c.result, null);

  // The clerk's inbox names the case; the departments have nothing yet: no stage can be skipped.
  const accept = await taskOf(people.clerk, id, 'accept');
  assert.ok(accept);
  assert.equal(accept.receiptNo, receiptNo);
  assert.equal(accept.itemName, '建设工程规划许可');
  assert.equal(accept.applicantName, '张三');
  assert.equal(accept.dueDate, '2026-11-03');
  assert.equal(accept.remainingWorkingDays, 1);
  assert.equal(await taskOf(people.planner, id), undefined);
  assert.equal((await complete(people.planner, accept.id, { action: 'approve' })).statusCode, 404, 'a later department cannot act on the acceptance step');

  clock.set(new Date('2026-11-03T02:00:00Z'));
  assert.equal((await mustComplete(people.clerk, id, 'accept', 'accept', { opinion: '材料齐全' })).state, 'accepted');
  c = await view(citizen, id);
  assert.equal(c.state, 'accepted');
  assert.equal(c.dueDate, '2026-11-17', 'ten promised working days after acceptance on 3 November');

  // Each department sees its own task only, and the shared case file.
  const planning = await taskOf(people.planner, id, 'planning');
  const fire = await taskOf(people.fireman, id, 'fire');
  assert.ok(planning && fire);
  assert.equal(await taskOf(people.planner, id, 'fire'), undefined);
  assert.equal(await taskOf(people.fireman, id, 'planning'), undefined);
  assert.equal((await get(people.fireman, `/api/v1/approval/applications/${id}`)).statusCode, 200);
  assert.equal((await get(people.stranger, `/api/v1/approval/applications/${id}`)).statusCode, 404);
  assert.equal((await get(citizen2, `/api/v1/approval/applications/${id}`)).statusCode, 404);
  const fileId = c.materials[0].fileId;
  assert.equal((await get(people.fireman, `/api/v1/files/${fileId}`)).statusCode, 200, 'the case file is shared with the departments');
  assert.equal((await get(people.stranger, `/api/v1/files/${fileId}`)).statusCode, 404);

  await mustComplete(people.planner, id, 'planning', 'approve', { opinion: '符合规划' });
  c = await view(citizen, id);
  assert.equal(c.state, 'in_review');
  assert.equal(await taskOf(people.leader, id), undefined, 'the decision waits for the other department');
  await mustComplete(people.fireman, id, 'fire', 'approve', { opinion: '符合消防要求' });
  const decided = await mustComplete(people.leader, id, 'decide', 'approve', { opinion: '准予许可' });
  assert.equal(decided.state, 'approved');

  c = await view(citizen, id);
  assert.equal(c.state, 'approved');
  assert.ok(c.finishedAt);
  assert.ok(c.result);
  assert.match(c.result.certificateNo, /^2026\d{8}$/);
  assert.match(c.result.verificationCode, /^[A-HJ-NP-Z2-9]{16}$/);
  assert.deepEqual(
    c.steps.map((s: { key: string; state: string }) => [s.key, s.state]),
    [['accept', 'approved'], ['planning', 'approved'], ['fire', 'approved'], ['decide', 'approved']],
  );
  assert.deepEqual(
    c.events.map((e: { type: string }) => e.type),
    ['submitted', 'accepted', 'approved'],
  );

  // The certificate is SM3-hashed and SM2-signed by the implementing unit; one changed byte fails.
  const cert = await ctx.platform.db.withTables<ApprovalTables>().selectFrom('approval_certificates').selectAll().where('application_id', '=', id).executeTakeFirstOrThrow();
  const text = certificateText(cert.content);
  assert.equal(cert.content_sm3, ctx.platform.crypto.sm3(text));
  assert.equal(cert.unit_id, units.window);
  assert.equal(cert.content.resultName, '建设工程规划许可证');
  assert.equal(cert.content.applicantName, '张三');
  assert.equal(verifyUnitSignature(ctx.platform, cert.public_key, text, cert.signature), true);
  assert.equal(verifyUnitSignature(ctx.platform, cert.public_key, text.replace('张三', '李三'), cert.signature), false);

  // Notifications were written with the changes: SMS on acceptance and result, the rating link
  // (好差评) once the case ended, in-app for each new task.
  const outbox = await outboxOf(id);
  assert.deepEqual(
    outbox.map((m) => [m.channel, m.template]).sort(),
    [
      ['sms', 'approval.case.accepted'],
      ['sms', 'approval.case.approved'],
      ['sms', 'approval.case.rate'],
    ],
  );
  assert.equal((await taskMessagesTo(people.clerk.id, receiptNo)).length, 1);
  assert.equal((await taskMessagesTo(people.planner.id, receiptNo)).length, 1);
  assert.equal((await taskMessagesTo(people.fireman.id, receiptNo)).length, 1);
  assert.equal((await taskMessagesTo(people.leader.id, receiptNo)).length, 1);
  assert.equal((await taskMessagesTo(people.stranger.id, receiptNo)).length, 0);

  // Every mutation is audited.
  const { rows: audit } = await sql<{ action: string }>`select action from audit_log where object_id = ${id} and action like 'approval.%' order by id`.execute(ctx.platform.db);
  assert.deepEqual(
    audit.map((a) => a.action),
    ['approval.application.submit', 'approval.task.accept', 'approval.task.approve', 'approval.task.approve', 'approval.task.approve'],
  );

  // The acceptance notice prints for the applicant; there is no rejection notice.
  const notice = await get(citizen, `/approval/applications/${id}/notices/acceptance`);
  assert.equal(notice.statusCode, 200);
  assert.match(notice.headers['content-type'] as string, /text\/html/);
  assert.match(notice.body, /受理通知书/);
  assert.match(notice.body, new RegExp(receiptNo));
  assert.match(notice.body, /2026-11-17/);
  assert.match(notice.body, /<main id="main"/);
  assert.equal((await get(citizen, `/approval/applications/${id}/notices/rejection`)).statusCode, 404);
  assert.equal((await get(people.stranger, `/approval/applications/${id}/notices/acceptance`)).statusCode, 404);
  const anonymous = await ctx.app.inject({ method: 'GET', url: `/approval/applications/${id}/notices/acceptance` });
  assert.equal(anonymous.statusCode, 303);
  assert.match(anonymous.headers.location as string, /^\/login\?next=/);

  // The citizen's own list.
  const mine = await get(citizen, '/api/v1/approval/applications?mine=true');
  assert.equal(mine.statusCode, 200);
  assert.ok(mine.json().items.some((a: { id: string; state: string }) => a.id === id && a.state === 'approved'));
  assert.equal((await get(citizen2, '/api/v1/approval/applications?mine=true')).json().items.some((a: { id: string }) => a.id === id), false);
});

// ---------------------------------------------------------------- submission: bad input

test('an unpublished or withdrawn item cannot be applied to, and nothing is written', async () => {
  clock.set(MONDAY);
  const before = await count('approval_applications');
  for (const status of ['draft', 'withdrawn'] as const) {
    const id = await insertItem({ status });
    const body = await applicationBody(citizen, { itemId: id });
    const res = problem(await post(citizen, '/api/v1/approval/applications', body));
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'INVALID_STATE');
    assert.match(res.body.detail, /未发布或已停止受理/);
    const file = await sql<{ owner_id: string | null }>`select owner_id from files where id = ${body.materials[0].fileId}`.execute(ctx.platform.db);
    assert.equal(file.rows[0].owner_id, null, 'the uploads stay unattached');
  }
  const unknown = problem(await post(citizen, '/api/v1/approval/applications', await applicationBody(citizen, { itemId: crypto.randomUUID() })));
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.errors![0].path, 'itemId');
  assert.equal(await count('approval_applications'), before);
});

test('missing required materials are reported all at once; an unknown material key is refused', async () => {
  clock.set(MONDAY);
  const before = await count('approval_applications');
  const onlyOther = await applicationBody(citizen, { materials: [{ materialKey: 'other', fileId: await upload(citizen) }] });
  const missing = problem(await post(citizen, '/api/v1/approval/applications', onlyOther));
  assert.equal(missing.status, 400);
  assert.equal(missing.body.code, 'VALIDATION_FAILED');
  assert.deepEqual(missing.body.errors!.map((e) => e.path).sort(), ['materials.application_form', 'materials.id_copy']);
  assert.match(missing.body.detail, /缺少 2 项必交材料：申请表、身份证复印件/);
  assert.deepEqual((missing.body as unknown as { missingMaterials: unknown[] }).missingMaterials, [
    { materialKey: 'application_form', name: '申请表' },
    { materialKey: 'id_copy', name: '身份证复印件' },
  ]);

  const unknownKey = await applicationBody(citizen);
  unknownKey.materials.push({ materialKey: 'bribe_receipt', fileId: await upload(citizen) });
  const unknown = problem(await post(citizen, '/api/v1/approval/applications', unknownKey));
  assert.equal(unknown.status, 400);
  assert.deepEqual(unknown.body.errors!.map((e) => e.path), ['materials.2.materialKey']);

  // Everything else wrong in one answer: ID number, phone, form fields, someone else's file.
  const messy = await applicationBody(citizen, {
    applicant: { kind: 'person', name: '王五', idNumber: '110105199013450000', phone: '12345' },
    form: { projectName: '', area: '很大', startDate: '2026-02-30', category: '拆除', colour: 'red' },
  });
  messy.materials[0].fileId = await upload(citizen2);
  const many = problem(await post(citizen, '/api/v1/approval/applications', messy));
  assert.equal(many.status, 400);
  assert.deepEqual(many.body.errors!.map((e) => e.path).sort(), [
    'applicant.idNumber',
    'applicant.phone',
    'form.area',
    'form.category',
    'form.colour',
    'form.projectName',
    'form.startDate',
    'materials.0.fileId',
  ]);
  const enterprise = problem(await post(citizen, '/api/v1/approval/applications', await applicationBody(citizen, { applicant: { kind: 'enterprise', name: '某公司', creditCode: '91440300MA5XXXXXXI', phone: phone() } })));
  assert.deepEqual(enterprise.body.errors!.map((e) => e.path), ['applicant.creditCode']);

  // Shape errors from the schema: empty, wrong type, unknown field, huge.
  assert.equal((await post(citizen, '/api/v1/approval/applications', {})).statusCode, 400);
  assert.equal((await post(citizen, '/api/v1/approval/applications', { ...(await applicationBody(citizen)), channel: 'fax' })).statusCode, 400);
  assert.equal((await post(citizen, '/api/v1/approval/applications', { ...(await applicationBody(citizen)), priority: 'vip' })).statusCode, 400);
  const huge = await applicationBody(citizen, { applicant: { kind: 'person', name: '张'.repeat(5000), idNumber: idNumber(), phone: phone() } });
  assert.equal((await post(citizen, '/api/v1/approval/applications', huge)).statusCode, 400);
  assert.equal(await count('approval_applications'), before, 'nothing was written');
});

test('who may file: citizens online only, staff at the window only and with the intake permission', async () => {
  clock.set(MONDAY);
  const window = problem(await post(citizen, '/api/v1/approval/applications', await applicationBody(citizen, { channel: 'window' })));
  assert.equal(window.status, 400);
  assert.equal(window.body.errors![0].path, 'channel');
  const approver = problem(await post(people.planner, '/api/v1/approval/applications', await applicationBody(people.planner, { channel: 'window' })));
  assert.equal(approver.status, 403);
  const online = problem(await post(people.clerk, '/api/v1/approval/applications', await applicationBody(people.clerk)));
  assert.equal(online.status, 400);
  // A village officer files on a villager's behalf (代办); the channel and the filer are recorded.
  const proxy = await submit(people.villager);
  const c = await view(people.villager, proxy.id);
  assert.equal(c.channel, 'window');
  assert.equal((await get(citizen, `/api/v1/approval/applications/${proxy.id}`)).statusCode, 404);
  assert.ok((await get(people.villager, '/api/v1/approval/applications?mine=true')).json().items.some((a: { id: string }) => a.id === proxy.id));
});

test('the same submission twice: one case with an Idempotency-Key, a 409 naming the first case without one', async () => {
  clock.set(MONDAY);
  const before = await count('approval_applications');
  const body = await applicationBody(citizen);
  const key = `dup-${crypto.randomUUID()}`;
  const [first, second] = await Promise.all([
    post(citizen, '/api/v1/approval/applications', body, { 'idempotency-key': key }),
    post(citizen, '/api/v1/approval/applications', body, { 'idempotency-key': key }),
  ]);
  assert.equal(first.statusCode, 201, first.body);
  assert.equal(second.statusCode, 201, second.body);
  assert.deepEqual(first.json(), second.json());
  const third = await post(citizen, '/api/v1/approval/applications', body, { 'idempotency-key': key });
  assert.deepEqual(third.json(), first.json());
  assert.equal(await count('approval_applications'), before + 1);

  const plain = await applicationBody(citizen);
  const one = await post(citizen, '/api/v1/approval/applications', plain);
  assert.equal(one.statusCode, 201);
  clock.advance(600);
  const again = problem(await post(citizen, '/api/v1/approval/applications', plain));
  assert.equal(again.status, 409);
  assert.equal(again.body.code, 'DUPLICATE');
  assert.deepEqual((again.body as unknown as { existing: unknown }).existing, one.json());
  assert.equal(await count('approval_applications'), before + 2);

  // Two at the same moment without a key: the second waits for the first and sees it.
  const racing = await applicationBody(citizen);
  const both = await Promise.all([post(citizen, '/api/v1/approval/applications', racing), post(citizen, '/api/v1/approval/applications', racing)]);
  assert.deepEqual(both.map((r) => r.statusCode).sort(), [201, 409]);
  assert.equal(await count('approval_applications'), before + 3);
});

// ---------------------------------------------------------------- tasks: bad input

test('another unit’s task is 404, a completed task 409, two completions at once: one wins', async () => {
  clock.set(MONDAY);
  const { id } = await submit();
  await mustComplete(people.clerk, id, 'accept', 'accept');
  const planning = (await taskOf(people.planner, id, 'planning'))!;
  assert.equal((await complete(people.stranger, planning.id, { action: 'approve' })).statusCode, 404);
  assert.equal((await complete(people.fireman, planning.id, { action: 'approve' })).statusCode, 404);
  assert.equal((await complete(people.planner, crypto.randomUUID(), { action: 'approve' })).statusCode, 404);

  const [a, b] = await Promise.all([complete(people.planner, planning.id, { action: 'approve' }), complete(people.planner2, planning.id, { action: 'approve' })]);
  assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409]);
  assert.equal(problem(a.statusCode === 409 ? a : b).body.code, 'CONFLICT');
  const again = problem(await complete(people.planner, planning.id, { action: 'approve' }));
  assert.equal(again.status, 409);
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from flow_actions a join approval_applications c on c.flow_instance_id = a.instance_id where c.id = ${id} and a.type = 'complete'`.execute(ctx.platform.db);
  assert.equal(rows[0].n, 2, 'accept and one planning approval, no more');

  // Wrong verbs for the stage and a stale version are refused without writing.
  const fire = (await taskOf(people.fireman, id, 'fire'))!;
  assert.equal(problem(await complete(people.fireman, fire.id, { action: 'accept' })).body.errors![0].path, 'action');
  assert.equal((await complete(people.fireman, fire.id, { action: 'approve', expectedVersion: 99 })).statusCode, 409);
  assert.equal((await complete(people.fireman, fire.id, { action: 'approve', bogus: 1 })).statusCode, 400);
  assert.equal((await complete(people.fireman, fire.id, { action: 'approve', missing: [{ materialKey: 'id_copy', reason: 'x' }] })).statusCode, 400);
  assert.equal((await view(people.fireman, id)).state, 'in_review');
});

test('the clerk who registered an application at the window accepts it on the spot (当场受理)', async () => {
  clock.set(MONDAY);
  const { id } = await submit(people.clerk);
  assert.equal((await mustComplete(people.clerk, id, 'accept', 'accept')).state, 'accepted');
});

test('a stage cannot be skipped: later tasks do not exist until the stage before is done', async () => {
  clock.set(MONDAY);
  const { id } = await submit();
  assert.equal(await taskOf(people.planner, id), undefined);
  assert.equal(await taskOf(people.fireman, id), undefined);
  assert.equal(await taskOf(people.leader, id), undefined);
  await mustComplete(people.clerk, id, 'accept', 'accept');
  await mustComplete(people.planner, id, 'planning', 'approve');
  assert.equal(await taskOf(people.leader, id), undefined, 'the decision needs both departments');
  const c = await view(people.leader, id);
  assert.equal(c.steps.find((s: { key: string }) => s.key === 'decide').state, 'waiting');
});

// ---------------------------------------------------------------- correction (补正), one time only

test('a correction is requested once with the complete list, stops the clock and resumes with the materials', async () => {
  clock.set(MONDAY);
  const { id, receiptNo } = await submit();
  const accept = (await taskOf(people.clerk, id, 'accept'))!;
  assert.equal(problem(await complete(people.clerk, accept.id, { action: 'request_correction' })).body.errors![0].path, 'missing');
  const unknown = problem(await complete(people.clerk, accept.id, { action: 'request_correction', missing: [{ materialKey: 'passport', reason: '缺' }] }));
  assert.equal(unknown.body.errors![0].path, 'missing.0.materialKey');

  const requested = await complete(people.clerk, accept.id, {
    action: 'request_correction',
    opinion: '请补齐后再来',
    missing: [
      { materialKey: 'application_form', reason: '未签字' },
      { materialKey: 'site_plan', reason: '比例尺不符' },
    ],
  });
  assert.equal(requested.statusCode, 200, requested.body);
  assert.equal(requested.json().state, 'correction_requested');
  let c = await view(citizen, id);
  assert.equal(c.state, 'correction_requested');
  assert.equal(c.clockStopped, 'correction');
  assert.deepEqual(
    c.correction.missing.map((m: { materialKey: string; name: string }) => [m.materialKey, m.name]),
    [
      ['application_form', '申请表'],
      ['site_plan', '总平面图'],
    ],
  );
  const sms = (await outboxOf(id)).filter((m) => m.template === 'approval.case.correction');
  assert.equal(sms.length, 1);
  const params = await sql<{ params: string }>`select params::text as params from notify_outbox where dedupe_key = ${`approval:${id}:correction:sms`}`.execute(ctx.platform.db);
  assert.match(params.rows[0].params, /申请表、总平面图/);

  // While the clock stands the step cannot be completed, and the second request is refused.
  assert.equal(problem(await complete(people.clerk, accept.id, { action: 'accept' })).body.code, 'INVALID_STATE');
  const second = problem(await complete(people.clerk, accept.id, { action: 'request_correction', missing: [{ materialKey: 'id_copy', reason: '模糊' }] }));
  assert.equal(second.status, 409);
  assert.match(second.body.detail, /一次性告知/);

  // The one-time notice prints the list; user text is escaped.
  const notice = await get(citizen, `/approval/applications/${id}/notices/correction`);
  assert.equal(notice.statusCode, 200);
  assert.match(notice.body, /补正材料一次性告知书/);
  assert.match(notice.body, /比例尺不符/);
  assert.match(notice.body, new RegExp(receiptNo));

  // Two working days later the applicant hands in only one of two: both must come at once.
  clock.set(new Date('2026-11-04T02:00:00Z'));
  const partial = problem(await post(citizen, `/api/v1/approval/applications/${id}/corrections`, { materials: [{ materialKey: 'application_form', fileId: await upload(citizen) }] }));
  assert.equal(partial.status, 400);
  assert.deepEqual(partial.body.errors!.map((e) => e.path), ['materials.site_plan']);
  assert.equal((await post(citizen2, `/api/v1/approval/applications/${id}/corrections`, { materials: [{ materialKey: 'application_form', fileId: await upload(citizen2) }] })).statusCode, 404);
  const corrected = await post(citizen, `/api/v1/approval/applications/${id}/corrections`, {
    materials: [
      { materialKey: 'application_form', fileId: await upload(citizen) },
      { materialKey: 'site_plan', fileId: await upload(citizen) },
    ],
  });
  assert.equal(corrected.statusCode, 200, corrected.body);
  assert.equal(corrected.json().state, 'submitted');
  c = await view(citizen, id);
  assert.equal(c.clockStopped, null);
  assert.ok(c.correction.correctedAt);
  assert.equal(c.materials.length, 4);
  assert.deepEqual(c.pendingMaterials, []);
  // The stop ran from Monday to Wednesday: Tuesday and Wednesday do not count for acceptance.
  assert.equal(c.acceptDueDate, '2026-11-11');
  assert.equal((await post(citizen, `/api/v1/approval/applications/${id}/corrections`, { materials: [{ materialKey: 'other', fileId: await upload(citizen) }] })).statusCode, 409);

  const again = (await taskOf(people.clerk, id, 'accept'))!;
  const refused = problem(await complete(people.clerk, again.id, { action: 'request_correction', missing: [{ materialKey: 'id_copy', reason: '模糊' }] }));
  assert.equal(refused.status, 409, 'still refused after the first correction was answered');
  assert.equal((await mustComplete(people.clerk, id, 'accept', 'accept')).state, 'accepted');
  const { rows } = await sql<{ user_id: string }>`select user_id from notify_outbox where dedupe_key = ${`approval:${id}:corrected`}`.execute(ctx.platform.db);
  assert.deepEqual(rows, [{ user_id: people.clerk.id }], 'the clerk who asked is told');
});

test('a material accepted as pending (容缺) is handed in later while the case goes on', async () => {
  clock.set(MONDAY);
  const { id } = await submit();
  await mustComplete(people.clerk, id, 'accept', 'accept');
  const notPending = problem(await post(citizen, `/api/v1/approval/applications/${id}/corrections`, { materials: [{ materialKey: 'id_copy', fileId: await upload(citizen) }] }));
  assert.equal(notPending.status, 400);
  assert.equal(notPending.body.errors![0].path, 'materials.0.materialKey');
  const handed = await post(citizen, `/api/v1/approval/applications/${id}/corrections`, { materials: [{ materialKey: 'site_plan', fileId: await upload(citizen) }] });
  assert.equal(handed.statusCode, 200, handed.body);
  assert.equal(handed.json().state, 'accepted');
  const c = await view(citizen, id);
  assert.deepEqual(c.pendingMaterials, []);
  assert.equal(c.clockStopped, null);
  assert.equal(c.events.at(-1).type, 'materials_added');
  assert.equal((await post(citizen, `/api/v1/approval/applications/${id}/corrections`, { materials: [{ materialKey: 'site_plan', fileId: await upload(citizen) }] })).statusCode, 409, 'nothing is pending any more');
});

// ---------------------------------------------------------------- rejection, return, withdrawal

test('a rejection by one department ends the case with that department’s reasons', async () => {
  clock.set(MONDAY);
  const { id } = await submit();
  await mustComplete(people.clerk, id, 'accept', 'accept');
  const planning = (await taskOf(people.planner, id, 'planning'))!;
  assert.equal(problem(await complete(people.planner, planning.id, { action: 'reject' })).body.errors![0].path, 'opinion');
  assert.equal(problem(await complete(people.planner, planning.id, { action: 'reject', opinion: '   ' })).body.errors![0].path, 'opinion');
  const fire = (await taskOf(people.fireman, id, 'fire'))!;

  const rejected = await complete(people.planner, planning.id, { action: 'reject', opinion: '不符合控制性详细规划 <b>第3条</b>' });
  assert.equal(rejected.statusCode, 200, rejected.body);
  assert.equal(rejected.json().state, 'rejected');
  const c = await view(citizen, id);
  assert.equal(c.state, 'rejected');
  assert.ok(c.finishedAt);
  assert.equal(c.result, null);
  assert.deepEqual([c.decision.stepKey, c.decision.unitId, c.decision.reason, c.decision.notAccepted], ['planning', units.planning, '不符合控制性详细规划 <b>第3条</b>', false]);
  assert.equal(await taskOf(people.fireman, id), undefined, 'the other department’s task is closed');
  assert.equal((await complete(people.fireman, fire.id, { action: 'approve' })).statusCode, 409);
  assert.equal(await count('approval_certificates', sql`application_id = ${id}`), 0);
  assert.deepEqual((await outboxOf(id)).map((m) => m.template).sort(), ['approval.case.accepted', 'approval.case.rate', 'approval.case.rejected']);

  const notice = await get(citizen, `/approval/applications/${id}/notices/rejection`);
  assert.equal(notice.statusCode, 200);
  assert.match(notice.body, /不予许可决定书/);
  assert.match(notice.body, /&lt;b>第3条&lt;\/b>/);
  assert.doesNotMatch(notice.body, /<b>第3条/);
  assert.match(notice.body, /行政复议/);
});

test('rejection at acceptance is a decision not to accept (不予受理)', async () => {
  clock.set(MONDAY);
  const { id } = await submit();
  await mustComplete(people.clerk, id, 'accept', 'reject', { opinion: '不属于本机关职权范围' });
  const c = await view(citizen, id);
  assert.equal(c.state, 'rejected');
  assert.equal(c.decision.notAccepted, true);
  assert.deepEqual((await outboxOf(id)).map((m) => m.template).sort(), ['approval.case.notAccepted', 'approval.case.rate']);
  const notice = await get(citizen, `/approval/applications/${id}/notices/rejection`);
  assert.match(notice.body, /不予受理决定书/);
  assert.equal((await get(citizen, `/approval/applications/${id}/notices/acceptance`)).statusCode, 404);
});

test('a step returns the case to an earlier step with a reason', async () => {
  clock.set(MONDAY);
  const { id } = await submit();
  await mustComplete(people.clerk, id, 'accept', 'accept');
  await mustComplete(people.planner, id, 'planning', 'approve');
  await mustComplete(people.fireman, id, 'fire', 'approve');
  const decide = (await taskOf(people.leader, id, 'decide'))!;
  assert.equal(problem(await complete(people.leader, decide.id, { action: 'return', returnTo: 'planning' })).body.errors![0].path, 'opinion');
  assert.equal(problem(await complete(people.leader, decide.id, { action: 'return', opinion: '再看', returnTo: 'decide' })).body.errors![0].path, 'returnTo');
  const back = await complete(people.leader, decide.id, { action: 'return', opinion: '请规划局复核退线距离', returnTo: 'planning' });
  assert.equal(back.statusCode, 200, back.body);
  assert.ok(['accepted', 'in_review'].includes(back.json().state));
  assert.ok(await taskOf(people.planner, id, 'planning'), 'planning is open again');
  assert.equal(await taskOf(people.fireman, id), undefined, 'fire keeps its approval');
  assert.equal((await complete(people.leader, decide.id, { action: 'approve' })).statusCode, 409);
  await mustComplete(people.planner, id, 'planning', 'approve');
  assert.equal((await mustComplete(people.leader, id, 'decide', 'approve')).state, 'approved');
});

test('the applicant withdraws before acceptance, not after; others cannot', async () => {
  clock.set(MONDAY);
  const { id } = await submit();
  assert.equal((await post(citizen2, `/api/v1/approval/applications/${id}/withdraw`, {})).statusCode, 404);
  assert.equal(problem(await post(people.clerk, `/api/v1/approval/applications/${id}/withdraw`, {})).status, 403);
  const withdrawn = await post(citizen, `/api/v1/approval/applications/${id}/withdraw`, { reason: '暂不办理' });
  assert.equal(withdrawn.statusCode, 200, withdrawn.body);
  assert.equal(withdrawn.json().state, 'withdrawn');
  assert.equal(await taskOf(people.clerk, id), undefined);
  assert.equal((await view(citizen, id)).state, 'withdrawn');
  assert.equal((await post(citizen, `/api/v1/approval/applications/${id}/withdraw`, {})).statusCode, 409);

  const accepted = await submit();
  await mustComplete(people.clerk, accepted.id, 'accept', 'accept');
  const late = problem(await post(citizen, `/api/v1/approval/applications/${accepted.id}/withdraw`, {}));
  assert.equal(late.status, 409);
  assert.match(late.body.detail, /已受理/);
});

// ---------------------------------------------------------------- deadlines

test('deadlines cross National Day 2026 and the make-up Saturday', async () => {
  clock.set(new Date('2026-09-28T02:00:00Z')); // Monday 28 September, 10:00 in Shanghai
  const { id } = await submit();
  let c = await view(citizen, id);
  // 29, 30 September; 1-7 October off; 8, 9 and Saturday 10 October (调休上班).
  assert.equal(c.acceptDueDate, '2026-10-10');
  const accept = (await taskOf(people.clerk, id, 'accept'))!;
  assert.equal(accept.dueDate, '2026-09-29');

  clock.set(new Date('2026-09-30T02:00:00Z'));
  await mustComplete(people.clerk, id, 'accept', 'accept');
  c = await view(citizen, id);
  // Ten working days from 30 September: 8, 9, 10, 12, 13, 14, 15, 16, 19, 20 October.
  assert.equal(c.dueDate, '2026-10-20');
  const planning = (await taskOf(people.planner, id, 'planning'))!;
  assert.equal(planning.dueDate, '2026-10-10');
  assert.equal(planning.remainingWorkingDays, 3);
  assert.equal(c.steps.find((s: { key: string }) => s.key === 'fire').dueDate, '2026-10-10');
});

test('a leader extends the time limit with a reason, up to ten working days in all', async () => {
  clock.set(MONDAY);
  const { id } = await submit();
  assert.equal(problem(await post(people.leader, `/api/v1/approval/applications/${id}/extensions`, { days: 2, reason: '情况复杂' })).status, 409, 'not accepted yet');
  await mustComplete(people.clerk, id, 'accept', 'accept');
  assert.equal((await view(citizen, id)).dueDate, '2026-11-16');
  assert.equal((await post(people.planner, `/api/v1/approval/applications/${id}/extensions`, { days: 2, reason: '情况复杂' })).statusCode, 403, 'an approver is not a leader');
  assert.equal((await post(people.stranger, `/api/v1/approval/applications/${id}/extensions`, { days: 2, reason: '情况复杂' })).statusCode, 404, 'another unit’s leader');
  assert.equal((await post(people.leader, `/api/v1/approval/applications/${id}/extensions`, { days: 2 })).statusCode, 400);
  assert.equal((await post(people.leader, `/api/v1/approval/applications/${id}/extensions`, { days: 11, reason: '情况复杂' })).statusCode, 400);

  const extended = await post(people.leader, `/api/v1/approval/applications/${id}/extensions`, { days: 3, reason: '需组织专家论证' });
  assert.equal(extended.statusCode, 201, extended.body);
  assert.equal(extended.json().dueDate, '2026-11-19');
  assert.equal(extended.json().extensionDays, 3);
  const tooMuch = problem(await post(people.leader, `/api/v1/approval/applications/${id}/extensions`, { days: 8, reason: '再延' }));
  assert.equal(tooMuch.status, 400);
  assert.match(tooMuch.body.errors![0].message, /还可延长 7 个工作日/);
  const c = await view(citizen, id);
  assert.equal(c.dueDate, '2026-11-19');
  assert.equal(c.extensionDays, 3);
  assert.ok((await outboxOf(id)).some((m) => m.template === 'approval.case.extended'));
});

test('hearings, inspections and public notices stop the clock with a reason', async () => {
  clock.set(MONDAY);
  const { id } = await submit();
  assert.equal((await post(people.planner, `/api/v1/approval/applications/${id}/clock-stops`, { reason: 'hearing', note: '依申请举行听证' })).statusCode, 409, 'not accepted yet');
  await mustComplete(people.clerk, id, 'accept', 'accept');
  assert.equal((await post(people.planner, `/api/v1/approval/applications/${id}/clock-stops`, { reason: 'correction', note: 'x' })).statusCode, 400);
  assert.equal((await post(people.planner, `/api/v1/approval/applications/${id}/clock-stops`, { reason: 'hearing' })).statusCode, 400);
  assert.equal((await post(people.stranger, `/api/v1/approval/applications/${id}/clock-stops`, { reason: 'hearing', note: '听证' })).statusCode, 404);
  assert.equal((await post(people.planner, `/api/v1/approval/applications/${id}/clock-stops/resume`, {})).statusCode, 409, 'nothing to resume');

  const stopped = await post(people.planner, `/api/v1/approval/applications/${id}/clock-stops`, { reason: 'hearing', note: '利害关系人申请听证' });
  assert.equal(stopped.statusCode, 201, stopped.body);
  let c = await view(people.planner, id);
  assert.equal(c.state, 'in_review');
  assert.equal(c.clockStopped, 'hearing');
  const planning = (await taskOf(people.planner, id, 'planning'))!;
  assert.equal(planning.suspended, true);
  assert.equal(problem(await complete(people.planner, planning.id, { action: 'approve' })).body.code, 'INVALID_STATE');
  assert.equal((await post(people.fireman, `/api/v1/approval/applications/${id}/clock-stops`, { reason: 'public_notice', note: '公示' })).statusCode, 409, 'one stop at a time');

  // Stopped from Monday to Thursday: Tuesday to Thursday do not count.
  clock.set(new Date('2026-11-05T02:00:00Z'));
  const resumed = await post(people.planner, `/api/v1/approval/applications/${id}/clock-stops/resume`, { note: '听证结束' });
  assert.equal(resumed.statusCode, 200, resumed.body);
  c = await view(people.planner, id);
  assert.equal(c.clockStopped, null);
  assert.equal(c.dueDate, '2026-11-19', 'the 16 November deadline moves by three working days');
  assert.equal((await taskOf(people.planner, id, 'planning'))!.dueDate, '2026-11-10');
  assert.deepEqual(
    c.events.map((e: { type: string }) => e.type),
    ['submitted', 'accepted', 'clock_stopped', 'clock_resumed'],
  );
});

// ---------------------------------------------------------------- versions

test('a case filed under version 1 keeps version 1 after version 2 is published', async () => {
  clock.set(MONDAY);
  const input: ItemInput = {
    name: '临时占用城市道路许可',
    kind: 'licensing',
    unitId: units.window,
    legalBasis: '《城市道路管理条例》第三十一条',
    conditions: '因特殊情况需要临时占用城市道路',
    materials: MATERIALS,
    statutoryDays: 20,
    promisedDays: 10,
    fee: { charged: false },
    resultName: '临时占用城市道路许可决定书',
    maxVisits: 1,
    consultPhone: '0755-12345678',
    complaintPhone: '12345',
    process: process as ItemInput['process'],
    formFields: FORM_FIELDS,
  };
  const v1 = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => publishItem(work, ctx.platform, null, (await createItem(work, ctx.platform, null, input)).id));
  assert.equal(v1.version, 1);
  const { id } = await submit(citizen, { itemId: v1.id });

  const v2Process: ItemInput['process'] = {
    stages: [
      { key: 'accept', name: '受理', unitId: units.window, role: 'window_clerk', days: 1 },
      { key: 'decide', name: '决定', unitId: units.window, role: 'unit_leader', days: 1 },
    ],
  };
  const v2 = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, async (work) => {
    const { item } = await saveItem(work, ctx.platform, null, v1.id, { ...input, process: v2Process, promisedDays: 5 });
    return publishItem(work, ctx.platform, null, item.id);
  });
  assert.equal(v2.version, 2);
  assert.equal(v2.code, v1.code);

  const stale = problem(await post(citizen, '/api/v1/approval/applications', await applicationBody(citizen, { itemId: v1.id })));
  assert.equal(stale.status, 409);
  assert.equal((stale.body as unknown as { currentItemId: string }).currentItemId, v2.id);
  const fresh = await submit(citizen, { itemId: v2.id });
  assert.equal((await view(citizen, fresh.id)).itemVersion, 2);

  let c = await view(citizen, id);
  assert.equal(c.itemId, v1.id);
  assert.equal(c.itemVersion, 1);
  assert.deepEqual(c.steps.map((s: { key: string }) => s.key), ['accept', 'planning', 'fire', 'decide']);
  await mustComplete(people.clerk, id, 'accept', 'accept');
  c = await view(citizen, id);
  assert.equal(c.dueDate, '2026-11-16', 'version 1 promised ten days');
  assert.ok(await taskOf(people.planner, id, 'planning'), 'the case runs the version 1 process');
  await mustComplete(people.planner, id, 'planning', 'approve');
  await mustComplete(people.fireman, id, 'fire', 'approve');
  await mustComplete(people.leader, id, 'decide', 'approve');
  const cert = await ctx.platform.db.withTables<ApprovalTables>().selectFrom('approval_certificates').select('content').where('application_id', '=', id).executeTakeFirstOrThrow();
  assert.equal(cert.content.itemVersion, 1);
});

// ---------------------------------------------------------------- inbox

test('the inbox lists open tasks oldest deadline first, page by page', async () => {
  clock.set(new Date('2026-12-01T02:00:00Z'));
  const first = await submit();
  clock.set(new Date('2026-12-02T02:00:00Z'));
  const second = await submit();
  const all: Array<{ id: string; dueDate: string; caseId: string }> = [];
  let cursor: string | null = null;
  do {
    const res = await get(people.clerk, `/api/v1/tasks?mine=true&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.statusCode, 200, res.body);
    all.push(...res.json().items);
    cursor = res.json().nextCursor;
  } while (cursor);
  const dues = all.map((t) => t.dueDate);
  assert.deepEqual(dues, [...dues].sort());
  assert.equal(new Set(all.map((t) => t.id)).size, all.length, 'no task twice');
  const a = all.findIndex((t) => t.caseId === first.id);
  const b = all.findIndex((t) => t.caseId === second.id);
  assert.ok(a >= 0 && b > a);
  assert.equal((await get(people.clerk, '/api/v1/tasks?mine=true&cursor=garbage')).statusCode, 400);
  assert.equal((await get(people.clerk, '/api/v1/tasks?mine=false')).statusCode, 400);
  assert.equal((await get(people.clerk, '/api/v1/tasks?limit=500')).statusCode, 400);
  assert.deepEqual((await get(citizen, '/api/v1/tasks?mine=true')).json(), { items: [], nextCursor: null });
});

test('an applicant name with markup is printed as text', async () => {
  clock.set(MONDAY);
  const { id } = await submit(citizen, { applicant: { kind: 'person', name: '<script>alert(1)</script>', idNumber: idNumber(), phone: phone() } });
  await mustComplete(people.clerk, id, 'accept', 'accept');
  const notice = await get(citizen, `/approval/applications/${id}/notices/acceptance`);
  assert.equal(notice.statusCode, 200);
  assert.doesNotMatch(notice.body, /<script>alert/);
  assert.match(notice.body, /&lt;script>alert\(1\)&lt;\/script>/);
});

test('reassigning a task to a colleague', async () => {
  clock.set(MONDAY);
  const { id } = await submit();
  await mustComplete(people.clerk, id, 'accept', 'accept');
  const planning = (await taskOf(people.planner, id, 'planning'))!;
  const leaderOfPlanning = await makeUser(ctx.platform, units.planning, ['unit_leader']);
  assert.equal((await post(leaderOfPlanning, `/api/v1/tasks/${planning.id}/reassign`, { userId: people.fireman.id })).statusCode, 400, 'not of that unit');
  const disabled = await makeUser(ctx.platform, units.planning, ['approver']);
  await sql`update users set disabled_at = now() where id = ${disabled.id}`.execute(ctx.platform.db);
  for (const [userId, why] of [
    [disabled.id, 'a disabled account'],
    [citizen.id, 'a citizen'],
    ['no-such-user', 'nobody'],
  ]) {
    const refused = await post(leaderOfPlanning, `/api/v1/tasks/${planning.id}/reassign`, { userId });
    assert.equal(refused.statusCode, 400, why);
    assert.equal(problem(refused).body.errors?.[0]?.path, 'userId', why);
  }
  const res = await post(leaderOfPlanning, `/api/v1/tasks/${planning.id}/reassign`, { userId: people.planner2.id });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(await taskOf(people.planner, id, 'planning'), undefined, 'only the assignee has it now');
  assert.ok(await taskOf(people.planner2, id, 'planning'));
  assert.ok((await view(people.planner, id)).events.some((e: { type: string }) => e.type === 'reassigned'));
  assert.equal((await view(citizen, id)).events.some((e: { type: string }) => e.type === 'reassigned'), false, 'the applicant is not shown who handles it');
  assert.equal((await post(people.planner, `/api/v1/tasks/${planning.id}/reassign`, { userId: people.planner.id })).statusCode, 403, 'an approver cannot reassign');
  await mustComplete(people.planner2, id, 'planning', 'approve');
});

// ---------------------------------------------------------------- crash between the change and its notifications

test('a restart after completing a task delivers each notification exactly once and the case is whole', async () => {
  clock.set(MONDAY);
  await deliverAllDue(ctx.platform, { senders: counting().senders });
  const { id, receiptNo, body } = await submit();
  await deliverAllDue(ctx.platform, { senders: counting().senders });

  // The process "dies" right after the commit: nothing is delivered by it.
  await mustComplete(people.clerk, id, 'accept', 'accept');
  const pending = await sql<{ n: number }>`select count(*)::int as n from notify_outbox where status = 'created'`.execute(ctx.platform.db);
  assert.ok(pending.rows[0].n >= 3);

  const restarted = await buildApp({ config: ctx.config, database: ctx.database, clock, logger: false });
  await restarted.ready();
  try {
    const { sms, senders } = counting();
    await deliverAllDue(restarted.platform, { senders });
    await deliverAllDue(restarted.platform, { senders });
    const applicantPhone = (body.applicant as { phone: string }).phone;
    assert.equal(sms.sent.filter((m) => m.to === applicantPhone).length, 1, 'one acceptance SMS');
    assert.match(sms.sent.find((m) => m.to === applicantPhone)!.text, new RegExp(receiptNo));
    for (const user of [people.planner, people.planner2, people.fireman]) {
      const messages = await taskMessagesTo(user.id, receiptNo);
      assert.equal(messages.length, 1);
      assert.equal(messages[0].status, 'delivered');
      const inbox = await sql<{ n: number }>`select count(*)::int as n from notify_inbox where user_id = ${user.id} and body like ${`%${receiptNo}%`}`.execute(ctx.platform.db);
      assert.equal(inbox.rows[0].n, 1);
    }
    const res = await restarted.inject({ method: 'GET', url: `/api/v1/approval/applications/${id}`, headers: bearer(citizen) });
    const c = res.json();
    assert.equal(c.state, 'accepted');
    assert.deepEqual(
      c.steps.map((s: { key: string; state: string }) => [s.key, s.state]),
      [['accept', 'approved'], ['planning', 'open'], ['fire', 'open'], ['decide', 'waiting']],
    );
    const row = await sql<{ state: string; accepted_at: Date | null }>`select state, accepted_at from approval_applications where id = ${id}`.execute(ctx.platform.db);
    assert.equal(row.rows[0].state, 'accepted');
    assert.ok(row.rows[0].accepted_at);
  } finally {
    await restarted.close();
  }
});
