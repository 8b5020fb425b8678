/**
 * Generator of the citizen interaction benchmark data, in bulk on PostgreSQL (INSERT … SELECT
 * generate_series, never row by row): `units` units with a responder (responder) each, the first
 * one the city government's office that dispatches the mayor's mailbox, and `cases` cases received
 * over the past three years across the five channels. Older cases are answered (96%), most within
 * their deadline, many rated, hotline tickets with a return visit, 2% reopened; public answered
 * ones are published on the board; the cases of the last 30 days and 4% of the older ones are still
 * open in every open state (each unit's inbox). Accounts, roles and tokens go through the platform's services (one
 * password hash for all); the cases are written straight into the table (their sealed fields are
 * placeholders: the benchmarks never open them).
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { Platform } from '../src/platform/module.ts';
import { inTransaction, SYSTEM_ACTOR } from '../src/platform/db/work.ts';
import { createRegion } from '../src/platform/org/service.ts';
import { createApiToken, grantRolesBySystem, insertStaffUser } from '../src/platform/iam/index.ts';
import { hashPassword } from '../src/platform/iam/passwords.ts';

export interface InteractionBenchData {
  unitIds: string[];
  /** Bearer tokens of each unit's responder, by unit id. */
  responderTokens: Map<string, string>;
  cases: number;
}

export const INTERACTION_REGION = '340100';
const unitId = (n: number) => `iu-${String(n).padStart(5, '0')}`;
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** Units (the first the government office, which dispatches) and their responders, with tokens valid for a day. */
export async function seedInteractionUnits(platform: Platform, count: number): Promise<Pick<InteractionBenchData, 'unitIds' | 'responderTokens'>> {
  const db = platform.db;
  const exists = await sql<{ n: number }>`select count(*)::int as n from units where id like 'iu-%'`.execute(db);
  if (Number(exists.rows[0].n) === 0) {
    await inTransaction(db, SYSTEM_ACTOR, async (work) => {
      await createRegion(work, { code: '340000', name: '基准省', level: 'province' });
      await createRegion(work, { code: INTERACTION_REGION, name: '基准市', level: 'city', parentCode: '340000' });
    });
    await sql`
      insert into units (id, name, region_code, kind, created_at, updated_at)
      select 'iu-' || lpad(g::text, 5, '0'), case when g = 0 then '基准市人民政府办公室' else '基准单位' || g end, ${INTERACTION_REGION},
             case when g = 0 then 'government' else 'department' end, now(), now()
        from generate_series(0, ${count - 1}) g`.execute(db);
  }
  const unitIds = Array.from({ length: count }, (_, n) => unitId(n));
  const passwordHash = await hashPassword('Bench!Passw0rd');
  const responderTokens = new Map<string, string>();
  const stamp = Date.now().toString(36);
  for (const unit of unitIds) {
    const token = await inTransaction(db, SYSTEM_ACTOR, async (work) => {
      const user = await insertStaffUser(work, platform, { username: `ib-${unit}-${stamp}`, displayName: `${unit}responder`, unitId: unit, passwordHash }, { mustChangePassword: false });
      await grantRolesBySystem(work, user.id, [{ role: 'responder', scope: { unitId: unit } }]);
      return (await createApiToken(work, platform, user.id, 'bench', 1)).token;
    });
    responderTokens.set(unit, token);
  }
  return { unitIds, responderTokens };
}

/**
 * `cases` cases over the past three years (case g received g × (3 × 365 days / cases) before now),
 * in batches of 250,000 rows (one statement each), then VACUUM ANALYZE.
 */
export async function seedInteractionCases(platform: Platform, options: { units: number; cases: number; log?: (line: string) => void }): Promise<number> {
  const db = platform.db;
  const log = options.log ?? (() => undefined);
  const { units, cases } = options;
  const now = platform.clock.now();
  const span = 3 * 365;
  const batch = 250_000;
  const t = performance.now();
  for (let first = 1; first <= cases; first += batch) {
    const last = Math.min(cases, first + batch - 1);
    const t1 = performance.now();
    // Channel by g % 20: 6 mayor's mailbox, 4 unit mailboxes, 4 message board, 1 disclosure request, 5 hotline.
    // The handling unit: the office (unit 0) for 1 in 50, else one of the others.
    await sql`
      insert into interaction_cases (id, tracking_no, channel, state, title, body, is_public, category, target_unit_id, dispatcher_unit_id, handling_unit_id,
                                     urgency, writer_name_sealed, writer_phone_sealed, writer_name_masked, writer_phone_hash, query_code_sealed, dedupe_key,
                                     deadline_days, received_at, due_date, answered_at, answer_body, answered_by, answer_approved_by, moderation, published_at,
                                     public_body, public_answer, rating_score, rated_at, reopen_count, visited_at, visit_satisfaction, created_at, updated_at)
      select 'ic-' || g, 'BN' || lpad(g::text, 10, '0'), ch,
             case when a is null then (array['received', 'assigned', 'assigned', 'clarifying', 'reviewing'])[1 + g % 5] else 'answered' end,
             '关于第' || g || '号小区' || (array['路灯', '噪音', '停车', '供暖', '物业'])[1 + g % 5] || '问题的反映',
             '尊敬的领导：我是本市居民，' || repeat('小区存在的问题已经持续较长时间，影响居民正常生活，希望有关部门尽快协调处理。', 1 + g % 4),
             ch in ('mayor_mailbox', 'unit_mailbox', 'message_board') and g % 3 <> 0, (array['城乡建设', '社会保障', '交通出行', '教育', '医疗卫生'])[1 + g % 5],
             case when ch in ('unit_mailbox', 'disclosure_request') then unit end,
             case when ch in ('mayor_mailbox', 'hotline') then 'iu-00000' end, unit,
             case when ch = 'hotline' then (array['urgent', 'high', 'normal', 'normal', 'low'])[1 + g % 5] end,
             'sealed', 'sealed', '张**', md5('phone' || g), 'sealed', md5('dedupe' || g),
             days, r, (r::date + (days * 7 / 5 + 1)),
             a, case when a is not null then '您好，您反映的问题已转有关单位处理，现答复如下。' end, case when a is not null then 'bench' end, case when a is not null then 'bench' end,
             case when pub then 'published' else 'none' end, case when pub then a + interval '1 hour' end,
             case when pub then '（已隐去个人信息）问题描述' end, case when pub then '答复内容' end,
             case when a is not null and g % 3 = 0 then 1 + (g / 3) % 5 end, case when a is not null and g % 3 = 0 then a + interval '2 days' end,
             case when a is not null and g % 50 = 7 then 1 else 0 end,
             case when a is not null and ch = 'hotline' and g % 2 = 0 then a + interval '1 day' end,
             case when a is not null and ch = 'hotline' and g % 2 = 0 then 1 + (g / 2) % 5 end,
             r, coalesce(a, r)
        from generate_series(${first}::int, ${last}::int) g,
     lateral (select (array['mayor_mailbox', 'mayor_mailbox', 'mayor_mailbox', 'mayor_mailbox', 'mayor_mailbox', 'mayor_mailbox', 'unit_mailbox', 'unit_mailbox', 'unit_mailbox', 'unit_mailbox',
                            'message_board', 'message_board', 'message_board', 'message_board', 'disclosure_request', 'hotline', 'hotline', 'hotline', 'hotline', 'hotline'])[1 + g % 20] as ch,
                     case when g % 50 = 0 then 'iu-00000' else 'iu-' || lpad((1 + (g::bigint * 7919) % ${units - 1}::int)::text, 5, '0') end as unit,
                     ${now}::timestamptz - (g * ${span / cases}::float8) * interval '1 day' as r) x,
     lateral (select case ch when 'mayor_mailbox' then 15 when 'unit_mailbox' then 15 when 'message_board' then 10 when 'disclosure_request' then 20 else 5 end as days,
                     ${now}::timestamptz - r < interval '30 days' and g % 4 <> 0 as open) y,
     lateral (select case when open or g % 25 = 3 then null else r + ((g % 23) * interval '1 day') + ((g % 9) * interval '1 hour') end as a) z,
     lateral (select a is not null and ch in ('mayor_mailbox', 'unit_mailbox', 'message_board') and g % 3 <> 0 as pub) w`.execute(db);
    log(`  cases ${first.toLocaleString('en')}–${last.toLocaleString('en')} in ${seconds(t1)}`);
  }
  const t2 = performance.now();
  await sql`vacuum analyze interaction_cases`.execute(db);
  log(`  vacuum analyze in ${seconds(t2)}; all in ${seconds(t)}`);
  return cases;
}
