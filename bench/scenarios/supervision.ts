import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { benchServer, machine, percentile } from '../support.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../src/platform/db/work.ts';
import { createRegion, createUnit } from '../../src/platform/org/service.ts';
import { shanghaiDate, workingDays, loadCalendar } from '../../src/platform/calendar/index.ts';
import type { Principal } from '../../src/platform/iam/principal.ts';
import type { Platform } from '../../src/platform/module.ts';
import { runScan } from '../../src/modules/supervision/scan.ts';
import { computeStats, computeStatsFromSteps, periodOf, rebuildStatistics } from '../../src/modules/supervision/stats.ts';
import { monitorSnapshot } from '../../src/modules/supervision/monitor.ts';

const UNITS = 60;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

function summary(label: string, samples: number[], budget: string) {
  const sorted = [...samples].sort((a, b) => a - b);
  console.log(`${label}: n=${sorted.length} p50=${percentile(sorted, 50).toFixed(1)} ms p95=${percentile(sorted, 95).toFixed(1)} ms max=${sorted[sorted.length - 1].toFixed(1)} ms (budget ${budget})`);
}

/**
 * Seeds, with INSERT ... SELECT generate_series (never row by row):
 * - `open` open steps of running approval cases (and their case rows), of which `atRisk` are due
 *   within a working day and the rest far beyond their yellow allowance;
 * - `finished` cases finished over the past year, two finished steps each (acceptance, review),
 *   about 8% of them overdue and a third early, 5% with a correction request.
 */
export async function seedSupervisionBench(platform: Platform, options: { open: number; atRisk: number; finished: number }) {
  const units = await inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
    await createRegion(work, { code: '330000', name: '基准省', level: 'province' });
    await createRegion(work, { code: '330100', name: '基准市', level: 'city', parentCode: '330000' });
    const ids: string[] = [];
    for (let i = 0; i < UNITS; i++) ids.push((await createUnit(work, { name: `基准局${i}`, regionCode: '330100', kind: 'department' })).id);
    return ids;
  });
  const now = platform.clock.now();
  const today = shanghaiDate(now);
  const calendar = await loadCalendar(platform.db, workingDays.addCalendarDays(today, -400), workingDays.addCalendarDays(today, 120));
  const nextWorkingDay = workingDays.addWorkingDays(today, 1, calendar);
  const farDue = workingDays.addWorkingDays(today, 30, calendar);
  const db = platform.db;
  const process = JSON.stringify({ stages: [{ key: 'accept', name: '受理', unitId: units[0], role: 'window_clerk', days: 1 }, { key: 'review', name: '审查', unitId: units[1], role: 'approver', days: 20 }] });

  await sql`
    insert into approval_items (id, code, version, status, name, kind, unit_id, legal_basis, conditions, materials, statutory_days, promised_days, fee,
                                result_name, max_visits, consult_phone, complaint_phone, process, created_at, updated_at, published_at)
    values ('bench-item', 'BENCH-1', 1, 'published', '基准事项', 'licensing', ${units[0]}, '依据', '条件', '[]', 30, 20, '{"charged": false}',
            '许可证', 1, '12345', '12345', ${process}::jsonb, ${now}, ${now}, ${now})`.execute(db);
  await sql`select setseed(0.42)`.execute(db);

  const t0 = performance.now();
  // Open cases: instance, case row, one open review step each.
  await sql`
    insert into flow_instances (id, subject_type, subject_id, definition, status, started_at)
    select 'oi' || g, 'approval_case', 'oc' || g, ${process}::jsonb, 'running', ${now}::timestamptz - interval '3 days'
      from generate_series(1, ${options.open}) g`.execute(db);
  await sql`
    insert into flow_tasks (id, instance_id, step_key, round, unit_id, unit_region, role, state, opened_at, opened_date, days, due_date)
    select 'ot' || g, 'oi' || g, 'review', 1, (${units}::text[])[1 + g % ${UNITS}], '330100', 'approver', 'open',
           ${now}::timestamptz - interval '3 days', ${today}::date - 3, 10 + g % 20,
           case when g <= ${options.atRisk} then (case when g % 2 = 0 then ${today}::date else ${nextWorkingDay}::date end)
                else ${farDue}::date + (g % 30) end
      from generate_series(1, ${options.open}) g`.execute(db);
  await sql`
    insert into approval_applications (id, receipt_no, item_id, item_code, item_version, unit_id, channel, applicant_kind, applicant_name,
        applicant_id_sealed, applicant_id_index, applicant_phone_sealed, applicant_phone_index, form, state, flow_instance_id,
        submitted_at, accept_due_date, accepted_at, due_date)
    select 'oc' || g, 'O' || lpad(g::text, 10, '0'), 'bench-item', 'BENCH-1', 1, (${units}::text[])[1 + g % ${UNITS}], 'online', 'person', '申请人',
           'x', 'x' || g, 'x', 'p' || g, '{}', 'in_review', 'oi' || g,
           ${now}::timestamptz - interval '3 days', ${today}::date + 2, ${now}::timestamptz - interval '3 days',
           case when g <= ${options.atRisk} then ${nextWorkingDay}::date else ${farDue}::date + 20 + (g % 30) end
      from generate_series(1, ${options.open}) g`.execute(db);
  console.log(`seeded ${options.open} open steps in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // Finished cases over the past year: finished_at spread over 365 days, two done steps each.
  const t1 = performance.now();
  await sql`
    insert into flow_instances (id, subject_type, subject_id, definition, status, started_at, finished_at)
    select 'fi' || g, 'approval_case', 'fc' || g, ${process}::jsonb, 'completed', ${now}::timestamptz - (g % 365 + 10) * interval '1 day', ${now}::timestamptz - (g % 365) * interval '1 day'
      from generate_series(1, ${options.finished}) g`.execute(db);
  await sql`
    insert into flow_tasks (id, instance_id, step_key, round, unit_id, unit_region, role, state, opened_at, opened_date, days, due_date, finished_at, outcome, finished_by)
    select 'fa' || g, 'fi' || g, 'accept', 0, (${units}::text[])[1 + g % ${UNITS}], '330100', 'window_clerk', 'done',
           f - interval '2 days', (f - interval '2 days')::date, 1, (f - interval '1 day')::date + (case when g % 13 = 0 then -2 else 0 end),
           f - interval '1 day', 'approved', 'clerk' || (g % 600)
      from generate_series(1, ${options.finished}) g, lateral (select ${now}::timestamptz - (g % 365) * interval '1 day' as f) x`.execute(db);
  await sql`
    insert into flow_tasks (id, instance_id, step_key, round, unit_id, unit_region, role, state, opened_at, opened_date, days, due_date, finished_at, outcome, finished_by)
    select 'fr' || g, 'fi' || g, 'review', 1, (${units}::text[])[1 + (g * 7) % ${UNITS}], '330100', 'approver', 'done',
           f - interval '8 days', (f - interval '8 days')::date, 5, f::date + (g % 3) - 1,
           f, 'approved', 'approver' || (g % 900)
      from generate_series(1, ${options.finished}) g, lateral (select ${now}::timestamptz - (g % 365) * interval '1 day' as f) x`.execute(db);
  await sql`
    insert into approval_applications (id, receipt_no, item_id, item_code, item_version, unit_id, channel, applicant_kind, applicant_name,
        applicant_id_sealed, applicant_id_index, applicant_phone_sealed, applicant_phone_index, form, state, flow_instance_id,
        submitted_at, accept_due_date, accepted_at, due_date, finished_at, correction_count)
    select 'fc' || g, 'F' || lpad(g::text, 10, '0'), 'bench-item', 'BENCH-1', 1, (${units}::text[])[1 + g % ${UNITS}], 'online', 'person', '申请人',
           'x', 'y' || g, 'x', 'q' || g, '{}', 'approved', 'fi' || g,
           f - interval '10 days', (f - interval '5 days')::date, f - interval '9 days', f::date, f, case when g % 20 = 0 then 1 else 0 end
      from generate_series(1, ${options.finished}) g, lateral (select ${now}::timestamptz - (g % 365) * interval '1 day' as f) x`.execute(db);
  console.log(`seeded ${options.finished} finished cases (${options.finished * 2} finished steps) in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  // The steps were written around the engine: the backfill builds their daily roll-up (the cases'
  // and cards' counters follow their rows by trigger, so the inserts above already kept them).
  const t2 = performance.now();
  const rebuilt = await rebuildStatistics(platform);
  console.log(`backfill of the statistics roll-up: ${rebuilt.steps.toLocaleString('en')} finished steps over ${rebuilt.days} days in ${((performance.now() - t2) / 1000).toFixed(1)} s`);
  await sql`analyze`.execute(db);
  return { units, today };
}

/**
 * The deadline scan over 1,000,000 open steps (1,000 due within a working day), repeated scans,
 * the statistics of one year over 1,000,000 finished cases, and the monitor's figures. PostgreSQL.
 */
export async function supervisionScenario(args: string[]) {
  const open = Number(args[0] ?? 1_000_000);
  const finished = Number(args[1] ?? 1_000_000);
  const server = await benchServer();
  try {
    const { units, today } = await seedSupervisionBench(server.platform, { open, atRisk: 1000, finished });
    const supervisor: Principal = {
      userId: 'bench-supervisor',
      username: 'bench-supervisor',
      displayName: '监察',
      kind: 'staff',
      unitId: units[0],
      roles: [{ role: 'supervisor', scope: { unitId: units[0] } }],
      sessionId: null,
      tokenId: null,
      csrfToken: null,
      mustChangePassword: false,
      totpEnrollmentRequired: false,
      grants: server.platform.modules.permissions,
    };

    const first = await timed(() => runScan(server.platform, SYSTEM_ACTOR));
    console.log(`first scan: ${first.ms.toFixed(1)} ms, issued ${first.value.yellow} yellow and ${first.value.red} red cards (deadline cards for 1,000 steps and case-deadline cards for their cases, with history and notifications)`);
    const repeated: number[] = [];
    let issuedAgain = 0;
    for (let i = 0; i < 30; i++) {
      const run = await timed(() => runScan(server.platform, SYSTEM_ACTOR));
      repeated.push(run.ms);
      issuedAgain += run.value.yellow + run.value.red;
    }
    summary(`repeated scan over ${open.toLocaleString('en')} open steps`, repeated, 'one full scan < 100 ms');
    console.log(`cards issued by the 30 repeated scans: ${issuedAgain} (must be 0)`);

    const year = periodOf(workingDays.addCalendarDays(today, -364), today);
    for (const groupBy of ['unit', 'person'] as const) {
      const samples: number[] = [];
      let items = 0;
      let steps = 0;
      for (let i = 0; i < 6; i++) {
        const run = await timed(() => computeStats(server.platform, supervisor, year, groupBy));
        if (i > 0) samples.push(run.ms);
        items = run.value.length;
        steps = run.value.reduce((sum, item) => sum + item.finished, 0);
      }
      summary(`statistics of one year per ${groupBy} (${items} items, ${steps.toLocaleString('en')} finished steps of ${finished.toLocaleString('en')} cases)`, samples, '< 1 s');
      const direct = await timed(() => computeStatsFromSteps(server.platform, supervisor, year, groupBy));
      const same = JSON.stringify(direct.value) === JSON.stringify(await computeStats(server.platform, supervisor, year, groupBy));
      console.log(`  the same figures counted from the steps, cases and cards: ${direct.ms.toFixed(0)} ms, equal to the roll-up's: ${same ? 'yes' : 'NO'}`);
    }

    const board: number[] = [];
    for (let i = 0; i < 21; i++) {
      const run = await timed(() => monitorSnapshot(server.platform, supervisor));
      if (i > 0) board.push(run.ms);
    }
    summary('monitor figures (open cases per unit and state, at risk, cards today, longest waiting)', board, 'first paint p95 < 200 ms');
    console.log(`machine: ${machine()}`);
  } finally {
    await server.close();
  }
}
