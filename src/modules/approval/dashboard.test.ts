// The console home's 待办 come from the modules' dashboard counters: a clerk with an application
// to accept sees it counted there, with the link to the approval inbox; the same task is listed by
// the platform's inbox with its module, title and link.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { bearer, createTestContext, makeUnit, makeUser, seedRegions, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { idCheckChar } from '../../platform/org/codes.ts';
import type { Item } from './queries/items.ts';
import { publishTestItem } from './testing.ts';

const clock = new TestClock(new Date('2026-11-02T02:00:00Z')); // a Monday, 10:00 in Shanghai
let ctx: TestContext;
let clerk: TestUser;
let filer: TestUser;
let leader: TestUser;
let item: Item;

before(async () => {
  ctx = await createTestContext({ clock, env: { ZT_LOGIN_RATE_LIMIT: '100000' } });
  await seedRegions(ctx.platform);
  const window = await makeUnit(ctx.platform, '测试市政务服务中心', '990100', 'service_center');
  clerk = await makeUser(ctx.platform, window.id, ['window_clerk']);
  filer = await makeUser(ctx.platform, window.id, ['window_clerk']);
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

async function consoleHome(user: TestUser): Promise<string> {
  const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password: user.password } });
  assert.equal(login.statusCode, 200, login.body);
  const cookies = Object.fromEntries(login.cookies.map((c) => [c.name, c.value]));
  const res: LightMyRequestResponse = await ctx.app.inject({ method: 'GET', url: '/console', cookies });
  assert.equal(res.statusCode, 200, res.body.slice(0, 300));
  return res.body;
}

const counter = (page: string, label: string) => new RegExp(`<a href="([^"]+)"><span class="counter-number">(\\d+)</span> ${label}</a>`).exec(page);

test('the console home counts the clerk’s open tasks from the approval module, with the link to the inbox', async () => {
  let page = await consoleHome(clerk);
  assert.equal(counter(page, '待办审批任务')?.[2], '0');
  assert.match(page, /暂无待办。/);
  assert.doesNotMatch(page, /上线后/);

  const first17 = '11010519800101123';
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/approval/applications',
    headers: bearer(filer),
    payload: { itemId: item.id, channel: 'window', applicant: { kind: 'person', name: '李四', idNumber: first17 + idCheckChar(first17), phone: '13900001234' }, form: {}, materials: [] },
  });
  assert.equal(res.statusCode, 201, res.body);
  const { id: caseId, receiptNo } = res.json();

  page = await consoleHome(clerk);
  const found = counter(page, '待办审批任务');
  assert.ok(found, 'the approval counter is shown');
  assert.equal(found[1], '/console/approval/tasks');
  assert.equal(found[2], '1', 'the clerk sees 1 task');
  assert.doesNotMatch(page, /暂无待办/);

  // The platform's inbox lists the same task with its module, title and link.
  const inbox = await ctx.app.inject({ method: 'GET', url: '/api/v1/tasks?mine=true', headers: bearer(clerk) });
  assert.equal(inbox.statusCode, 200, inbox.body);
  const [task, ...more] = inbox.json().items;
  assert.equal(more.length, 0);
  assert.equal(task.caseId, caseId);
  assert.equal(task.module, 'approval');
  assert.equal(task.link, `/console/approval/cases/${caseId}`);
  assert.equal(task.title, `${receiptNo} · 临时占用道路审批 · 受理`);
  assert.equal(task.receiptNo, receiptNo);
});

test('a unit leader sees the supervision cards to explain; nobody sees counters of permissions they lack', async () => {
  const page = await consoleHome(leader);
  assert.equal(counter(page, '待说明的监察卡')?.[1], '/console/supervision/cards?status=open');
  assert.equal(counter(page, '待审核的说明'), null, 'reviewing explanations is the supervision office’s');
  assert.equal(counter(await consoleHome(clerk), '待说明的监察卡'), null);
});

test('a page title holds plain text: an item’s page is titled by its name without markup', async () => {
  const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: leader.username, password: leader.password } });
  const cookies = Object.fromEntries(login.cookies.map((c) => [c.name, c.value]));
  const res = await ctx.app.inject({ method: 'GET', url: `/console/approval/items/${item.id}`, cookies });
  assert.equal(res.statusCode, 200, res.body.slice(0, 300));
  const title = /<title>([\s\S]*?)<\/title>/.exec(res.body)![1];
  assert.doesNotMatch(title, /<|&lt;span/);
  assert.match(title, /临时占用道路审批/);
});

test('the supervisor’s home shows no message key', async () => {
  const supervisor = await makeUser(ctx.platform, leader.unitId, ['supervisor']);
  const page = await consoleHome(supervisor);
  assert.doesNotMatch(page, /page\.[a-z]+\.[a-zA-Z.]+/, 'no raw message key');
});
