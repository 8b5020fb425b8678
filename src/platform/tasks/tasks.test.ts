// The platform's task inbox over a module that is not approval: a document sign-off declared by a
// test-only module in its manifest, on the process engine with its own outcomes. Its tasks are
// listed with module, title and link, completed through its own command and body; tasks of a
// module that is not installed are neither listed nor completed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, createTestContext, makeUnit, makeUser, seedRegions, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../db/work.ts';
import { Strict } from '../http/schemas.ts';
import type { ZtModule } from '../module.ts';
import type { ProcessDefinition } from '../flow/engine.ts';
import { completeTask, listOpenTasks, startInstance } from '../flow/service.ts';
import { authenticateBearer } from '../iam/index.ts';
import type { TaskKind } from './kinds.ts';

const clock = new TestClock(new Date('2026-11-02T02:00:00Z')); // a Monday, 10:00 in Shanghai
let ctx: TestContext;
let clerk: TestUser;
let reviewer: TestUser;
let signOff: ProcessDefinition;
/** The test module keeps its documents' titles here instead of a table of its own. */
const titles = new Map<string, string>();

const signOffTasks: TaskKind = {
  subjectType: 'signoff_document',
  fields: { documentTitle: Type.String() },
  async describe(_platform, _principal, tasks) {
    return new Map(tasks.map((task) => [task.id, { title: `核签：${titles.get(task.subject_id)}`, link: `/console/signoff/${task.subject_id}`, stepName: task.step_key === 'draft' ? '拟稿' : '核稿', fields: { documentTitle: titles.get(task.subject_id) } }]));
  },
  complete: {
    body: Strict({ outcome: Type.Union([Type.Literal('pass'), Type.Literal('send_back'), Type.Literal('sign')]), opinion: Type.Optional(Type.String({ maxLength: 500 })) }),
    result: Type.Object({ taskId: Type.String(), documentId: Type.String(), status: Type.String() }),
    async run(work, platform, principal, taskId, body) {
      const { view, state } = await completeTask(work, platform, principal, taskId, { outcome: body.outcome as string, opinion: body.opinion as string | undefined });
      return { taskId, documentId: view.subjectId, status: state.status };
    },
  },
};
const signOffModule: ZtModule = { name: 'signoff', tasks: [signOffTasks] };

before(async () => {
  ctx = await createTestContext({ clock, modules: [signOffModule] });
  await seedRegions(ctx.platform);
  const office = await makeUnit(ctx.platform, '测试市政府办公室', '990100');
  clerk = await makeUser(ctx.platform, office.id, ['window_clerk']);
  reviewer = await makeUser(ctx.platform, office.id, ['unit_leader']);
  signOff = {
    outcomes: [
      { key: 'pass', effect: 'advance' },
      { key: 'send_back', effect: 'return' },
      { key: 'sign', effect: 'advance' },
    ],
    clockStops: ['awaiting_reply'],
    stages: [
      { key: 'draft', name: '拟稿', unitId: office.id, role: 'window_clerk', days: 2, outcomes: ['pass'] },
      { key: 'review', name: '核稿', unitId: office.id, role: 'unit_leader', days: 1, outcomes: ['sign', 'send_back'] },
    ],
  };
});
after(() => ctx?.close());

async function startDocument(subjectType: string, title: string) {
  const id = crypto.randomUUID();
  titles.set(id, title);
  await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => startInstance(work, ctx.platform, { definition: signOff, subjectType, subjectId: id }));
  return id;
}

const inbox = async (user: TestUser) => {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/tasks?mine=true', headers: bearer(user) });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items as Array<Record<string, unknown> & { id: string; caseId: string }>;
};
const complete = (user: TestUser, taskId: string, body: object) => ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${taskId}/complete`, headers: bearer(user), payload: body });

test('a module’s tasks are listed with its module, title and link, and completed with its own words', async () => {
  const documentId = await startDocument('signoff_document', '关于做好冬季供暖工作的通知');
  const [task, ...others] = (await inbox(clerk)).filter((t) => t.caseId === documentId);
  assert.equal(others.length, 0);
  assert.equal(task.module, 'signoff');
  assert.equal(task.title, '核签：关于做好冬季供暖工作的通知');
  assert.equal(task.link, `/console/signoff/${documentId}`);
  assert.equal(task.stepKey, 'draft');
  assert.equal(task.stepName, '拟稿');
  assert.equal(task.documentTitle, '关于做好冬季供暖工作的通知');
  assert.equal(task.dueDate, '2026-11-04');
  assert.equal(task.remainingWorkingDays, 2);
  assert.equal(task.receiptNo, undefined, 'another module’s fields are not on this task');

  // Another module's body is refused by this module's schema; a word the step does not offer, by the engine.
  const wrongBody = await complete(clerk, task.id, { action: 'approve' });
  assert.equal(wrongBody.statusCode, 400, wrongBody.body);
  const wrongWord = await complete(clerk, task.id, { outcome: 'sign' });
  assert.equal(wrongWord.statusCode, 409, wrongWord.body);

  const done = await complete(clerk, task.id, { outcome: 'pass', opinion: '请核稿' });
  assert.equal(done.statusCode, 200, done.body);
  assert.deepEqual(done.json(), { taskId: task.id, documentId, status: 'running' });
  assert.equal((await inbox(clerk)).some((t) => t.caseId === documentId), false);
  const review = (await inbox(reviewer)).find((t) => t.caseId === documentId)!;
  assert.equal(review.stepKey, 'review');
  const signed = await complete(reviewer, review.id, { outcome: 'sign' });
  assert.deepEqual(signed.json(), { taskId: review.id, documentId, status: 'completed' });
});

test('tasks of a module that is not installed are neither listed nor completed', async () => {
  const orphan = await startDocument('letters_letter', '群众来信');
  assert.equal((await inbox(clerk)).some((t) => t.caseId === orphan), false);
  const principal = (await authenticateBearer(ctx.platform, clerk.token))!;
  const task = (await listOpenTasks(ctx.platform.db, principal, { limit: 200 })).items.find((t) => t.subject_id === orphan)!;
  assert.ok(task, 'the engine has the task; the inbox does not offer it');
  const res = await complete(clerk, task.id, { outcome: 'pass' });
  assert.equal(res.statusCode, 404, res.body);
});

test('the inbox is paginated by deadline with a cursor, and a bad cursor is refused', async () => {
  for (const name of ['一', '二', '三']) await startDocument('signoff_document', `通知${name}`);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res: LightMyRequestResponse = await ctx.app.inject({ method: 'GET', url: `/api/v1/tasks?mine=true&limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: bearer(clerk) });
    assert.equal(res.statusCode, 200, res.body);
    const page = res.json() as { items: Array<{ id: string; dueDate: string }>; nextCursor: string | null };
    assert.ok(page.items.length <= 2);
    seen.push(...page.items.map((t) => `${t.dueDate}|${t.id}`));
    cursor = page.nextCursor;
  } while (cursor);
  assert.ok(seen.length >= 3);
  assert.deepEqual(seen, [...seen].sort(), 'oldest deadline first, then by id');
  assert.equal(new Set(seen).size, seen.length, 'no task twice');
  const bad = await ctx.app.inject({ method: 'GET', url: '/api/v1/tasks?mine=true&cursor=garbage', headers: bearer(clerk) });
  assert.equal(bad.statusCode, 400);
});
