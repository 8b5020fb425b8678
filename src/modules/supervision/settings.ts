import type { Db } from '../../platform/db/index.ts';
import type { Work } from '../../platform/db/work.ts';
import { recordAudit } from '../../platform/audit/service.ts';
import { fieldError, invalid, type FieldError } from '../../platform/http/errors.ts';
import { DEFAULT_SETTINGS, SETTING_LIMITS, type SupervisionSettings } from './rules.ts';
import type { SupervisionTables } from './model.ts';

const q = (db: Db) => db.withTables<SupervisionTables>();
const KEYS = Object.keys(DEFAULT_SETTINGS) as Array<keyof SupervisionSettings>;

/** The thresholds in force, read fresh at every decision (every process sees an edit at once). */
export async function loadSettings(db: Db): Promise<SupervisionSettings> {
  const rows = await q(db).selectFrom('supervision_settings').select(['key', 'value']).execute();
  const settings = { ...DEFAULT_SETTINGS };
  for (const row of rows) {
    const key = row.key as keyof SupervisionSettings;
    if (KEYS.includes(key) && typeof row.value === 'number') settings[key] = row.value;
  }
  return settings;
}

/** Changes some thresholds (supervisors); every value is checked against its bounds, and audited. */
export async function updateSettings(work: Work, patch: Partial<SupervisionSettings>, now: Date): Promise<SupervisionSettings> {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(patch) as Array<[keyof SupervisionSettings, number]>) {
    const [min, max] = SETTING_LIMITS[key];
    if (!Number.isInteger(value) || value < min || value > max) errors.push(fieldError(key, 'supervision.settings.outOfRange', { min, max }));
  }
  if (errors.length) throw invalid(errors);
  const before = await loadSettings(work.tx);
  for (const [key, value] of Object.entries(patch)) {
    await q(work.tx)
      .insertInto('supervision_settings')
      .values({ key, value: JSON.stringify(value), updated_at: now, updated_by: work.actor.userId })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now, updated_by: work.actor.userId }))
      .execute();
  }
  recordAudit(work, { action: 'supervision.settings.update', objectType: 'supervision_settings', objectId: 'thresholds', details: { before, changes: patch } }, now);
  return loadSettings(work.tx);
}
