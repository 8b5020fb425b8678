import type { Db } from '../../platform/db/index.ts';
import type { Lang } from '../../platform/i18n/index.ts';
import { accountsCoveringUnits } from '../../platform/iam/index.ts';

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
  // One after the other: `db` is often a transaction, which runs one statement at a time anyway.
  const leaders = await leadersByUnit(db, units);
  const supervisors = await supervisorsByUnit(db, units);
  for (const unit of units) {
    const seen = new Map<string, Lang>();
    const everyone = [...(leaders.get(unit.id) ?? []), ...(supervisors.get(unit.id) ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const account of everyone) if (!seen.has(account.id)) seen.set(account.id, account.lang);
    out.set(
      unit.id,
      [...seen].slice(0, MAX_PER_UNIT).map(([userId, lang]) => ({ userId, lang })),
    );
  }
  return out;
}

/** Active supervisors whose scope covers the unit (complaints are routed to them). */
export async function supervisorsOf(db: Db, unit: { id: string; regionCode: string }): Promise<Recipient[]> {
  return toRecipients((await supervisorsByUnit(db, [unit])).get(unit.id));
}

/** Active unit leaders of a unit (rectification tasks go to them). */
export async function leadersOf(db: Db, unit: { id: string; regionCode: string }): Promise<Recipient[]> {
  return toRecipients((await leadersByUnit(db, [unit])).get(unit.id));
}

function supervisorsByUnit(db: Db, units: Array<{ id: string; regionCode: string }>) {
  return accountsCoveringUnits(db, 'supervisor', units, { unitScopeCoversAll: true });
}

function leadersByUnit(db: Db, units: Array<{ id: string; regionCode: string }>) {
  return accountsCoveringUnits(db, 'unit_leader', units);
}

function toRecipients(accounts: Array<{ id: string; lang: Lang }> | undefined): Recipient[] {
  return (accounts ?? []).slice(0, MAX_PER_UNIT).map((a) => ({ userId: a.id, lang: a.lang }));
}
