import { Migrator, type Migration, type MigrationResultSet } from 'kysely';
import { schemaChanged, type Db } from './index.ts';

export function collectMigrations(sets: Array<Record<string, Migration> | undefined>): Record<string, Migration> {
  const all: Record<string, Migration> = {};
  for (const set of sets) {
    for (const [name, migration] of Object.entries(set ?? {})) {
      if (all[name]) throw new Error(`migration ${name} is defined twice`);
      all[name] = migration;
    }
  }
  return all;
}

function migrator(db: Db, migrations: Record<string, Migration>) {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'zt_migration',
    migrationLockTableName: 'zt_migration_lock',
  });
}

/** Applies every pending migration in name order; forward only. Throws on the first failure. */
export async function migrateToLatest(db: Db, migrations: Record<string, Migration>): Promise<string[]> {
  const result: MigrationResultSet = await migrator(db, migrations).migrateToLatest();
  if (result.results?.length) schemaChanged();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const error = result.error instanceof Error ? result.error : new Error(String(result.error));
    error.message = `migration ${failed?.migrationName ?? '?'} failed: ${error.message}`;
    throw error;
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function pendingMigrations(db: Db, migrations: Record<string, Migration>): Promise<string[]> {
  const infos = await migrator(db, migrations).getMigrations();
  return infos.filter((m) => !m.executedAt).map((m) => m.name);
}
