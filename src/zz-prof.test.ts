import { test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import fs from 'node:fs';
import { createTestContext } from '/work/wt/hall/test/helpers.ts';
import { seedDemo } from '/work/wt/hall/src/platform/demo/seed.ts';
import { generateDemoCases } from '/work/wt/hall/src/modules/approval/demo-cases.ts';
import { supervisionDemoHooks } from '/work/wt/hall/src/modules/supervision/demo.ts';

test('prof', async () => {
  const ctx = await createTestContext({ env: { ZT_DEMO_PASSWORD: 'Yunchuan-Demo-1' } });
  let t = performance.now();
  await seedDemo(ctx.platform, { cases: 0 });
  console.log('seed no cases', performance.now() - t);
  const times: Record<string, number> = { day: 0, fin: 0, end: 0 };
  const wrap = {
    onDay: async (p: any) => { const s = performance.now(); await supervisionDemoHooks.onDay!(p); times.day += performance.now() - s; },
    onFinished: async (p: any, s2: any, r: any) => { const s = performance.now(); await supervisionDemoHooks.onFinished!(p, s2, r); times.fin += performance.now() - s; },
    onEnd: async (p: any) => { const s = performance.now(); await supervisionDemoHooks.onEnd!(p); times.end += performance.now() - s; },
  };
  const session = new Session(); session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start');
  t = performance.now();
  const r = await generateDemoCases(ctx.platform, { count: 60, hooks: [wrap], progress: console.log });
  const { profile } = await session.post('Profiler.stop') as any; fs.writeFileSync(process.env.PROF_OUT!, JSON.stringify(profile));
  console.log('gen', performance.now() - t, times, r);
  await ctx.close();
});
