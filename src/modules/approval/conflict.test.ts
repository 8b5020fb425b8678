// 回避 looks at who the applicant is, not at who typed the application in: the window clerk who
// registers a citizen's papers accepts them on the spot (当场受理); a member of staff whose own
// mobile number is the applicant's, or who submitted online as the applicant's agent, neither
// accepts, rejects nor approves it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, createTestContext, makeUnit, makeUser, problem, seedRegions, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { sealField, blindIndex } from '../../platform/crypto/fields.ts';
import { idCheckChar } from '../../platform/org/codes.ts';
import { createApiToken, createPublicAccount } from '../../platform/iam/index.ts';
import type { Item } from './queries/items.ts';
import { publishTestItem } from './testing.ts';

const clock = new TestClock(new Date('2026-11-02T02:00:00Z')); // a Monday, 10:00 in Shanghai
let ctx: TestContext;
let clerk: TestUser;
let colleague: TestUser;
let leader: TestUser;
let item: Item;
let sequence = 0;

const idNumber = () => {
  sequence += 1;
  const first17 = `11010519800101${String(sequence).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
};
const phone = () => `1390000${String(1000 + sequence).padStart(4, '0')}`;

/** Gives a staff account a mobile number (as the profile page would). */
async function setPhone(user: TestUser, number: string) {
  await ctx.platform.db
    .updateTable('users' as never)
    .set({ phone_sealed: sealField(ctx.platform, number), phone_index: blindIndex(ctx.platform, `staff:${number}`) } as never)
    .where('id' as never, '=', user.id as never)
    .execute();
}

before(async () => {
  ctx = await createTestContext({ clock });
  await seedRegions(ctx.platform);
  const window = await makeUnit(ctx.platform, '测试市政务服务中心', '990100', 'service_center');
  clerk = await makeUser(ctx.platform, window.id, ['window_clerk']);
  colleague = await makeUser(ctx.platform, window.id, ['window_clerk']);
  leader = await makeUser(ctx.platform, window.id, ['unit_leader']);
  item = await publishTestItem(ctx.platform, {
    name: '临时占用道路审批',
    unitId: window.id,
    materials: [{ key: 'application_form', name: '申请表', required: false, copies: 1, allowPending: false }],
    promisedDays: 5,
    process: {
      stages: [
        { key: 'accept', name: '受理', unitId: window.id, role: 'window_clerk', days: 1 },
        { key: 'decide', name: '决定', unitId: window.id, role: 'unit_leader', days: 2 },
      ],
    },
  });
});
after(() => ctx?.close());

async function file(by: TestUser, channel: 'window' | 'online', applicantPhone = phone()) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/approval/applications',
    headers: bearer(by),
    payload: { itemId: item.id, channel, applicant: { kind: 'person', name: '李四', idNumber: idNumber(), phone: applicantPhone }, form: {}, materials: [] },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as string;
}

async function taskOf(user: TestUser, caseId: string) {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/tasks?mine=true&limit=200', headers: bearer(user) });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().items as Array<{ id: string; caseId: string }>).find((t) => t.caseId === caseId);
}

const complete = (user: TestUser, taskId: string, payload: Record<string, unknown>) =>
  ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${taskId}/complete`, headers: bearer(user), payload });

test('当场受理: the clerk who registered the application at the window for a citizen accepts it', async () => {
  const id = await file(clerk, 'window');
  const task = (await taskOf(clerk, id))!;
  const res = await complete(clerk, task.id, { action: 'accept' });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().state, 'accepted');

  // The case's history names the clerk by name, not by login name, on the page and in the API.
  await ctx.platform.db.updateTable('users' as never).set({ display_name: '窗口张明' } as never).where('id' as never, '=', clerk.id as never).execute();
  const view = await ctx.app.inject({ method: 'GET', url: `/api/v1/approval/applications/${id}`, headers: bearer(colleague) });
  assert.equal(view.statusCode, 200, view.body);
  const actors = (view.json().actions as Array<{ actorName: string | null }>).map((a) => a.actorName);
  assert.ok(actors.includes('窗口张明'), actors.join(','));
  assert.ok(!actors.includes(clerk.username));
  const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: colleague.username, password: colleague.password } });
  const cookies = Object.fromEntries(login.cookies.map((c) => [c.name, c.value]));
  const page = await ctx.app.inject({ method: 'GET', url: `/console/approval/cases/${id}`, cookies });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /窗口张明/);
  assert.doesNotMatch(page.body, new RegExp(clerk.username));
});

test('a member of staff who is the applicant (same mobile number) neither accepts, rejects nor decides it', async () => {
  await setPhone(colleague, '13911112222');
  const id = await file(clerk, 'window', '139 1111 2222');
  const task = (await taskOf(colleague, id))!;
  for (const payload of [{ action: 'accept' }, { action: 'reject', opinion: '材料不齐全，不符合受理条件' }]) {
    const refused = problem(await complete(colleague, task.id, payload));
    assert.equal(refused.status, 403);
    assert.match(refused.body.detail, /回避/);
  }
  // Another clerk accepts it; at the decision the applicant, now a leader, is refused again.
  assert.equal((await complete(clerk, task.id, { action: 'accept' })).statusCode, 200);
  await setPhone(colleague, '13900009999');
  await setPhone(leader, '13911112222');
  const decide = (await taskOf(leader, id))!;
  const refused = problem(await complete(leader, decide.id, { action: 'approve' }));
  assert.equal(refused.status, 403);
  assert.match(refused.body.detail, /回避/);
});

test('the account that submitted online as the applicant’s agent, and a person with its number, are parties', async () => {
  const agentPhone = '13933334444';
  const agent = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) =>
    createPublicAccount(work, ctx.platform, { kind: 'person', phone: agentPhone, password: 'Citizen#2026', name: '王五' }),
  );
  const { token } = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createApiToken(work, ctx.platform, agent.id, 'test', 30));
  const id = await file({ id: agent.id, username: 'agent2026', password: '', unitId: '', token }, 'online');
  await setPhone(colleague, agentPhone);
  const task = (await taskOf(colleague, id))!;
  const refused = problem(await complete(colleague, task.id, { action: 'accept' }));
  assert.equal(refused.status, 403, 'the agent’s own staff account is a party');
  assert.equal((await complete(clerk, task.id, { action: 'accept' })).statusCode, 200, 'an unrelated clerk accepts');
});
