import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from '../../../test/helpers.ts';
import { interactionFixture, receiveTestCase, type InteractionFixture } from './testing.ts';
import { interactionDb } from './model.ts';
import { currentRound, openTask } from './process.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { openField } from '../../platform/crypto/fields.ts';

let ctx: TestContext;
let f: InteractionFixture;
before(async () => {
  ctx = await createTestContext();
  f = await interactionFixture(ctx.platform);
});
after(() => ctx?.close());

test("a letter to the mayor goes to the top government's office, sealed, with a deadline of 15 working days and a dispatch step", async () => {
  const got = await receiveTestCase(ctx.platform, { channel: 'mayor_mailbox' });
  assert.match(got.trackingNo, /^SZ\d{16}$/);
  assert.match(got.queryCode, /^[A-Z2-9]{8}$/);
  const row = await interactionDb(ctx.platform.db).selectFrom('interaction_cases').selectAll().where('id', '=', got.id).executeTakeFirstOrThrow();
  assert.equal(row.state, 'received');
  assert.equal(row.handling_unit_id, f.office.id);
  assert.equal(row.deadline_days, 15);
  assert.equal(row.writer_name_masked, '张**');
  assert.ok(!row.writer_phone_sealed.includes('13800138000'));
  assert.equal(openField(ctx.platform, row.writer_phone_sealed), '13800138000');
  const round = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => currentRound(work, got.id));
  assert.equal(openTask(round, 'dispatch')?.unitId, f.office.id);
});

test('the same letter posted twice at once is one case, and both posts get its number and code', async () => {
  const input = { channel: 'unit_mailbox' as const, targetUnitId: f.dept.id, title: '同一封信', body: '同时提交两次' };
  const [a, b] = await Promise.all([receiveTestCase(ctx.platform, input), receiveTestCase(ctx.platform, input)]);
  assert.equal(a.id, b.id);
  assert.equal(a.queryCode, b.queryCode);
  assert.equal([a, b].filter((r) => r.duplicate).length, 1);
});

test('a disclosure request needs a valid ID number and goes straight to its unit with 20 working days', async () => {
  await assert.rejects(receiveTestCase(ctx.platform, { channel: 'disclosure_request', targetUnitId: f.dept.id, idNumber: '110101199003071234' }), /VALIDATION_FAILED|提交的内容/);
  const got = await receiveTestCase(ctx.platform, { channel: 'disclosure_request', targetUnitId: f.dept.id, idNumber: '11010119900307803X', title: '申请公开2025年预算' });
  assert.equal(got.row.state, 'assigned');
  assert.equal(got.row.deadline_days, 20);
  const round = await inTransaction(ctx.platform.db, SYSTEM_ACTOR, (work) => currentRound(work, got.id));
  assert.equal(openTask(round, 'handle')?.unitId, f.dept.id);
});
