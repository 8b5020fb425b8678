import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestContext, TestClock } from '../../../test/helpers.ts';
import { seedDemo } from '../../platform/demo/seed.ts';
import { DEMO_PUBLIC_ACCOUNTS } from '../../platform/demo/city.ts';

const STATES = ['submitted', 'accepted', 'correction_requested', 'in_review', 'approved', 'rejected', 'withdrawn'];

// The demo is loaded on whatever day a newcomer starts it: a Monday morning (the weekend just
// behind), a Saturday, the last hours of a Friday. The citizen's 我的办件 shows a case in every
// state on each of them.
for (const moment of ['2026-12-07T09:10:00+08:00', '2026-12-12T15:00:00+08:00', '2027-01-01T08:00:00+08:00', '2026-12-11T18:30:00+08:00']) {
  test(`started at ${moment}, the demo citizen has a case in every state`, async () => {
    const ctx = await createTestContext({ env: { ZT_DEMO_PASSWORD: 'Yunchuan-Demo-1' }, clock: new TestClock(new Date(moment)) });
    try {
      await seedDemo(ctx.platform, { cases: 9 });
      const citizen = DEMO_PUBLIC_ACCOUNTS.find((a) => a.kind === 'person')!;
      const { rows } = await sql<{ state: string; submitted_at: Date }>`select a.state, a.submitted_at from approval_applications a join users u on u.id = a.applicant_user_id where u.username = ${citizen.phone}`.execute(ctx.platform.db);
      assert.deepEqual(new Set(rows.map((r) => r.state)), new Set(STATES), JSON.stringify(rows));
      for (const row of rows) assert.ok(new Date(row.submitted_at).getTime() <= ctx.clock.now().getTime());
    } finally {
      await ctx.close();
    }
  });
}
