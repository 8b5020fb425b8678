import type { Db } from '../../platform/db/index.ts';
import type { Lang } from '../../platform/i18n/index.ts';
import { iam } from '../../platform/iam/queries.ts';
import { regionPrefix } from '../../platform/org/codes.ts';

export interface Recipient {
  userId: string;
  lang: Lang;
}

/** At most this many people are told of one batch per unit (a runaway role grant must not flood the outbox). */
const MAX_PER_UNIT = 50;

/**
 * Who hears of a unit's cards: the unit's leaders (unit_leader covering the unit) and the
 * supervisors watching it (a unit-scoped supervisor watches every unit, a region-scoped one its
 * region). Returns, per unit, the active accounts to tell.
 */
export async function cardRecipients(db: Db, units: Array<{ id: string; regionCode: string }>): Promise<Map<string, Recipient[]>> {
  const out = new Map<string, Recipient[]>();
  if (!units.length) return out;
  const rows = await iam(db)
    .selectFrom('user_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['u.id', 'u.lang', 'r.role', 'r.scope_unit_id', 'r.scope_region_code'])
    .where('u.disabled_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('r.role', '=', 'supervisor'),
        eb.and([eb('r.role', '=', 'unit_leader'), eb.or([eb('r.scope_unit_id', 'in', units.map((u) => u.id)), eb('r.scope_region_code', 'is not', null)])]),
      ]),
    )
    .orderBy('u.id')
    .limit(5000)
    .execute();
  for (const unit of units) {
    const seen = new Map<string, Lang>();
    for (const row of rows) {
      const inRegion = row.scope_region_code !== null && unit.regionCode.startsWith(regionPrefix(row.scope_region_code));
      const covers = row.role === 'supervisor' ? row.scope_unit_id !== null || inRegion : row.scope_unit_id === unit.id || inRegion;
      if (covers && !seen.has(row.id)) seen.set(row.id, row.lang === 'en' ? 'en' : 'zh-CN');
    }
    out.set(
      unit.id,
      [...seen].slice(0, MAX_PER_UNIT).map(([userId, lang]) => ({ userId, lang })),
    );
  }
  return out;
}

/** Active supervisors whose scope covers the unit (complaints are routed to them). */
export async function supervisorsOf(db: Db, unit: { id: string; regionCode: string }): Promise<Recipient[]> {
  const all = await cardRecipients(db, [unit]);
  const rows = await iam(db).selectFrom('user_roles').select('user_id').where('role', '=', 'supervisor').execute();
  const supervisors = new Set(rows.map((r) => r.user_id));
  return (all.get(unit.id) ?? []).filter((r) => supervisors.has(r.userId));
}

/** Active unit leaders of a unit (rectification tasks go to them). */
export async function leadersOf(db: Db, unit: { id: string; regionCode: string }): Promise<Recipient[]> {
  const all = await cardRecipients(db, [unit]);
  const rows = await iam(db).selectFrom('user_roles').select('user_id').where('role', '=', 'unit_leader').execute();
  const leaders = new Set(rows.map((r) => r.user_id));
  return (all.get(unit.id) ?? []).filter((r) => leaders.has(r.userId));
}
