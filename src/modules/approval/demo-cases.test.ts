import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestContext, type TestContext } from '../../../test/helpers.ts';
import { seedDemo, type DemoResult } from '../../platform/demo/seed.ts';
import { DEMO_PUBLIC_ACCOUNTS } from '../../platform/demo/city.ts';

const PASSWORD = 'Yunchuan-Demo-1';
const STATES = ['submitted', 'accepted', 'correction_requested', 'in_review', 'approved', 'rejected', 'withdrawn'];
let ctx: TestContext;
let first: DemoResult;
const lines: string[] = [];

before(async () => {
  ctx = await createTestContext({ env: { ZT_DEMO_PASSWORD: PASSWORD } });
  first = await seedDemo(ctx.platform, { cases: 24, progress: (line) => lines.push(line) });
});
after(() => ctx?.close());

const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(ctx.platform.db)).rows;

test('the demo city gets past cases in every state over the last three months, through the services', async () => {
  assert.equal(first.casesCreated, 24);
  const states = await rows(sql<{ state: string; n: number }>`select state, count(*)::int as n from approval_applications group by state`);
  const byState = new Map(states.map((r) => [r.state, r.n]));
  for (const state of STATES) assert.ok((byState.get(state) ?? 0) > 0, `no case ${state}: ${JSON.stringify(states)}`);
  const [span] = await rows(sql<{ oldest: Date; newest: Date }>`select min(submitted_at) as oldest, max(submitted_at) as newest from approval_applications`);
  const now = ctx.clock.now().getTime();
  assert.ok(now - new Date(span.oldest).getTime() > 30 * 86_400_000, 'cases go back months');
  assert.ok(now - new Date(span.oldest).getTime() <= 92 * 86_400_000, 'not more than three months');
  assert.ok(new Date(span.newest).getTime() <= now);
  // Made by the commands: every case has its events, its audit trail; approved ones a certificate.
  const [noEvents] = await rows(sql<{ n: number }>`select count(*)::int as n from approval_applications a where not exists (select 1 from approval_events e where e.application_id = a.id)`);
  assert.equal(noEvents.n, 0);
  const [audited] = await rows(sql<{ n: number }>`select count(distinct object_id)::int as n from audit_log where action = 'approval.application.submit'`);
  assert.equal(audited.n, 24);
  const [uncertified] = await rows(sql<{ n: number }>`select count(*)::int as n from approval_applications where state = 'approved' and certificate_id is null`);
  assert.equal(uncertified.n, 0);
  // Past SMS and e-mail were settled in the past: the first start does not send them now.
  const [waiting] = await rows(sql<{ n: number }>`select count(*)::int as n from notify_outbox where status in ('created', 'sending') and channel <> 'inapp' and created_at < ${new Date(now - 2 * 86_400_000)}`);
  assert.equal(waiting.n, 0);
  const [inbox] = await rows(sql<{ n: number }>`select count(*)::int as n from notify_inbox`);
  assert.ok(inbox.n > 0, 'in-app messages delivered');
  assert.ok(lines.some((l) => /演示数据：已生成 \d+\/24 件/.test(l)), lines.join('\n'));
});

test('supervision shows real figures: cards for late steps, ratings good and bad, complaints', async () => {
  const [cards] = await rows(sql<{ n: number }>`select count(*)::int as n from supervision_cards`);
  assert.ok(cards.n > 0, 'cards');
  const ratings = await rows(sql<{ score: number }>`select score from supervision_ratings`);
  assert.ok(ratings.some((r) => r.score >= 4) && ratings.some((r) => r.score <= 2), JSON.stringify(ratings));
  const [rectifications] = await rows(sql<{ n: number }>`select count(*)::int as n from supervision_rectifications`);
  assert.ok(rectifications.n > 0);
});

test('the demo citizen signs in with the mobile number and sees cases in every state', async () => {
  const citizen = DEMO_PUBLIC_ACCOUNTS.find((a) => a.kind === 'person')!;
  assert.deepEqual(first.publicAccounts.map((a) => a.username).sort(), DEMO_PUBLIC_ACCOUNTS.map((a) => a.phone).sort());
  const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: citizen.phone, password: PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  const states = await rows(sql<{ state: string }>`select distinct a.state from approval_applications a join users u on u.id = a.applicant_user_id where u.username = ${citizen.phone}`);
  assert.deepEqual(new Set(states.map((s) => s.state)), new Set(STATES));
});

test('a second load adds no cases', async () => {
  const before = await rows(sql<{ n: number }>`select count(*)::int as n from approval_applications`);
  const again = await seedDemo(ctx.platform, { cases: 24 });
  assert.equal(again.casesCreated, 0);
  assert.ok(again.publicAccounts.every((a) => !a.created));
  const after = await rows(sql<{ n: number }>`select count(*)::int as n from approval_applications`);
  assert.equal(after[0].n, before[0].n);
});
