/**
 * Test support for supervision: a small world of units and people, a published item, and cases
 * built through the approval HTTP API (a citizen applies online, departments handle the tasks).
 * The approval module is reached only over HTTP and, for the one catalogue row written directly,
 * through the table's name: supervision imports no module, not even in its tests.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { makeUnit, makeUser, bearer, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { createPublicAccount, createApiToken } from '../../platform/iam/index.ts';
import { idCheckChar } from '../../platform/org/codes.ts';
import { fileBody, SAMPLES } from '../../platform/files/testing.ts';
import type { ProcessDefinition } from '../../platform/flow/engine.ts';

export interface World {
  units: { window: string; planning: string; other: string };
  people: Record<'clerk' | 'planner' | 'leader' | 'planLeader' | 'otherLeader' | 'supervisor' | 'auditor', TestUser>;
  citizen: TestUser;
  citizen2: TestUser;
  process: ProcessDefinition;
  itemId: string;
}

let sequence = 0;
export function idNumber(): string {
  sequence += 1;
  const first17 = `110105${1970 + (sequence % 30)}01${String((sequence % 28) + 1).padStart(2, '0')}${String(sequence % 1000).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}
export function phone(): string {
  sequence += 1;
  return `137${String(crypto.randomInt(1000)).padStart(3, '0')}${String(sequence).padStart(5, '0')}`;
}

export async function publicUser(ctx: TestContext, name: string): Promise<TestUser> {
  const row = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createPublicAccount(work, ctx.platform, { name, password: 'Citizen#2026', kind: 'person', phone: phone() }));
  const username = row.username;
  const { token } = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => createApiToken(work, ctx.platform, row.id, 'test', 60));
  return { id: row.id, username, password: 'Citizen#2026', unitId: '', token };
}

export async function insertItem(ctx: TestContext, world: Pick<World, 'units' | 'process'>, options: { feeFen?: number; promisedDays?: number; process?: ProcessDefinition } = {}): Promise<string> {
  const id = crypto.randomUUID();
  const now = ctx.clock.now();
  const materials = [{ key: 'application_form', name: '申请表', required: true, copies: 1, allowPending: false }];
  await ctx.platform.db
    .withTables<{ approval_items: Record<string, unknown> }>()
    .insertInto('approval_items')
    .values({
      id,
      code: `S-${crypto.randomBytes(4).toString('hex')}`,
      version: 1,
      status: 'published',
      name: '食品经营许可',
      kind: 'licensing',
      unit_id: world.units.window,
      legal_basis: '《中华人民共和国食品安全法》第三十五条',
      conditions: '有与经营的食品品种、数量相适应的场所',
      materials: JSON.stringify(materials) as never,
      statutory_days: 20,
      promised_days: options.promisedDays ?? 10,
      fee: JSON.stringify(options.feeFen ? { charged: true, basis: '收费标准', amountFen: options.feeFen } : { charged: false }) as never,
      result_name: '食品经营许可证',
      max_visits: 1,
      consult_phone: '0755-12345678',
      complaint_phone: '12345',
      process: JSON.stringify(options.process ?? world.process) as never,
      form_fields: JSON.stringify([]) as never,
      themes: JSON.stringify([]) as never,
      life_events: JSON.stringify([]) as never,
      created_by: null,
      created_at: now,
      updated_at: now,
      published_at: now,
    })
    .execute();
  return id;
}

export async function makeWorld(ctx: TestContext): Promise<World> {
  const [w, p, o] = await Promise.all([makeUnit(ctx.platform, '市场监督管理局'), makeUnit(ctx.platform, '卫生健康委员会'), makeUnit(ctx.platform, '交通运输局')]);
  const units = { window: w.id, planning: p.id, other: o.id };
  const people = {
    clerk: await makeUser(ctx.platform, w.id, ['window_clerk']),
    planner: await makeUser(ctx.platform, p.id, ['approver']),
    leader: await makeUser(ctx.platform, w.id, ['unit_leader']),
    planLeader: await makeUser(ctx.platform, p.id, ['unit_leader']),
    otherLeader: await makeUser(ctx.platform, o.id, ['unit_leader']),
    supervisor: await makeUser(ctx.platform, o.id, ['supervisor']),
    auditor: await makeUser(ctx.platform, o.id, ['auditor']),
  };
  const process: ProcessDefinition = {
    stages: [
      { key: 'accept', name: '受理', unitId: units.window, role: 'window_clerk', days: 1 },
      { key: 'review', name: '审查', unitId: units.planning, role: 'approver', days: 3 },
      { key: 'decide', name: '决定', unitId: units.window, role: 'unit_leader', days: 2 },
    ],
  };
  const world = { units, people, process, citizen: await publicUser(ctx, 'citizen'), citizen2: await publicUser(ctx, 'citizen'), itemId: '' };
  world.itemId = await insertItem(ctx, world);
  return world;
}

export const get = (ctx: TestContext, user: TestUser | null, url: string) => ctx.app.inject({ method: 'GET', url, headers: user ? bearer(user) : {} });
export const post = (ctx: TestContext, user: TestUser | null, url: string, payload: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: { ...(user ? bearer(user) : {}), ...headers } });

async function upload(ctx: TestContext, user: TestUser): Promise<string> {
  const body = fileBody('材料.pdf', SAMPLES.pdf());
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/files', payload: body.payload, headers: { ...body.headers, ...bearer(user) } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

/** A citizen applies online; returns the case id, receipt number and the applicant's phone. */
export async function submitCase(ctx: TestContext, world: World, options: { citizen?: TestUser; itemId?: string } = {}) {
  const citizen = options.citizen ?? world.citizen;
  const applicantPhone = phone();
  const res = await post(ctx, citizen, '/api/v1/approval/applications', {
    itemId: options.itemId ?? world.itemId,
    channel: 'online',
    applicant: { kind: 'person', name: '李四', idNumber: idNumber(), phone: applicantPhone },
    form: {},
    materials: [{ materialKey: 'application_form', fileId: await upload(ctx, citizen) }],
  });
  assert.equal(res.statusCode, 201, res.body);
  const body = res.json() as { id: string; receiptNo: string };
  return { id: body.id, receiptNo: body.receiptNo, phone: applicantPhone };
}

export async function taskOf(ctx: TestContext, user: TestUser, caseId: string, stepKey?: string) {
  const res = await get(ctx, user, '/api/v1/tasks?mine=true&limit=200');
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().items as Array<{ id: string; caseId: string; stepKey: string; dueDate: string }>).find((t) => t.caseId === caseId && (!stepKey || t.stepKey === stepKey));
}

/** Completes the caller's task of a step of a case through the approval API. */
export async function act(ctx: TestContext, user: TestUser, caseId: string, stepKey: string, action: string, extra: Record<string, unknown> = {}) {
  const task = await taskOf(ctx, user, caseId, stepKey);
  assert.ok(task, `${user.username} has the ${stepKey} task of ${caseId}`);
  const res = await post(ctx, user, `/api/v1/tasks/${task.id}/complete`, { action, ...extra });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** Runs a case through every step: accepted, reviewed, decided. */
export async function finishCase(ctx: TestContext, world: World, caseId: string) {
  await act(ctx, world.people.clerk, caseId, 'accept', 'accept', { opinion: '材料齐全，予以受理' });
  await act(ctx, world.people.planner, caseId, 'review', 'approve', { opinion: '符合条件' });
  await act(ctx, world.people.leader, caseId, 'decide', 'approve', { opinion: '准予许可' });
}

export async function cardsOf(ctx: TestContext, user: TestUser, query = '') {
  const res = await get(ctx, user, `/api/v1/supervision/cards?limit=200${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items as Array<{ id: string; caseId: string; stepKey: string | null; stepName?: string | null; unitId: string; color: string; reason: string; status: string; issuedAt: string; version: number; personId: string | null }>;
}

export async function scan(ctx: TestContext, world: World) {
  const res = await post(ctx, world.people.supervisor, '/api/v1/supervision/scan', {});
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { yellow: number; red: number };
}

/** An instant given as Asia/Shanghai wall time ('2026-11-03 23:59:59'). */
export const shanghai = (wall: string) => new Date(`${wall.replace(' ', 'T')}+08:00`);
