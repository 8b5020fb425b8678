import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestContext, type TestContext } from '../../../test/helpers.ts';
import { seedDemo } from '../../platform/demo/seed.ts';
import { DEMO_LETTERS } from './demo-letters.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ env: { ZT_DEMO_PASSWORD: 'Yunchuan-Demo-1', ZT_DEMO_CASES: '0' } });
  await seedDemo(ctx.platform);
});
after(() => ctx?.close());

const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(ctx.platform.db)).rows;

test('the demo city has letters, requests and calls at every stage, made through the commands as its people', async () => {
  const cases = await rows(sql<{ title: string; state: string; moderation: string; channel: string; rating_score: number | null; extension_days: number; visit_satisfaction: number | null }>`select title, state, moderation, channel, rating_score, extension_days, visit_satisfaction from interaction_cases`);
  assert.equal(cases.length, DEMO_LETTERS.length);
  const states = new Set(cases.map((c) => c.state));
  for (const state of ['received', 'assigned', 'clarifying', 'reviewing', 'answered']) assert.ok(states.has(state), `a case ${state}`);
  assert.ok(cases.some((c) => c.moderation === 'published'), 'published on the board');
  assert.ok(cases.some((c) => c.rating_score === 5), 'rated by its writer');
  assert.ok(cases.some((c) => c.channel === 'disclosure_request' && c.extension_days === 15), 'an extended disclosure request');
  assert.ok(cases.some((c) => c.channel === 'hotline' && c.visit_satisfaction !== null), 'a visited call');
  // The people did it: the audit log names them, not the loader.
  const actors = await rows(sql<{ actor_name: string }>`select distinct actor_name from audit_log where action like 'interaction.%' and actor_name is not null`);
  const names = new Set(actors.map((a) => a.actor_name));
  for (const who of ['office_responder', 'responder', 'hrss_leader', 'editor', 'hotline_operator']) assert.ok(names.has(who), `${who} in the audit log: ${[...names]}`);
  // The board shows the published ones to the public.
  const board = await ctx.app.inject({ method: 'GET', url: '/api/v1/public/letters' });
  assert.equal(board.statusCode, 200);
  assert.ok(board.json().items.length >= 2);
  // A second load adds nothing.
  await seedDemo(ctx.platform);
  const [again] = await rows(sql<{ n: number }>`select count(*)::int as n from interaction_cases`);
  assert.equal(again.n, DEMO_LETTERS.length);
});
