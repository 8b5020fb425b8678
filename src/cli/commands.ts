import fs from 'node:fs';
import os from 'node:os';
import * as OTPAuth from 'otpauth';
import { ConfigError, loadConfig, type Config } from '../config/index.ts';
import { isUniqueViolation, sql } from '../platform/db/index.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { DataDirLockedError } from '../platform/db/lock.ts';
import { inTransaction, type Actor } from '../platform/db/work.ts';
import { verifyChain, type VerifyResult } from '../platform/audit/service.ts';
import { AuditKeyMissingError, useAuditKey } from '../platform/audit/keys.ts';
import { takeCheckpoint } from '../platform/audit/checkpoints.ts';
import { openDatabase, type Db } from '../platform/db/index.ts';
import { grantApplicationRole, prepareApplicationRole, roleOfUrl, RoleSetupError } from '../platform/db/roles.ts';
import { isValidDate, MAX_DATE, MIN_DATE } from '../platform/calendar/working-days.ts';
import { AppError, renderMessage } from '../platform/http/errors.ts';
import type { Lang } from '../platform/i18n/index.ts';
import { getRegion, getUnit, listRegions, regionContains, type Unit } from '../platform/org/service.ts';
import { prepareOrgImport, writeOrgImport } from '../platform/org/import.ts';
import { accountFieldErrors, createApiToken, grantRolesBySystem, insertStaffUser, resetPassword } from '../platform/iam/index.ts';
import { findUserByUsername } from '../platform/iam/queries.ts';
import { hashPassword, isStrongPassword } from '../platform/iam/passwords.ts';
import { isRole, ROLES, THREE_ADMINS, type Role } from '../platform/iam/roles.ts';
import type { Principal, Scope } from '../platform/iam/principal.ts';
import { createBackup } from '../platform/backup/backup.ts';
import { restoreStaged, stageBackup, type StagedBackup } from '../platform/backup/restore.ts';
import { BackupError } from '../platform/backup/manifest.ts';
import { DemoRefusedError, formatDemoLogins, seedDemo } from '../platform/demo/seed.ts';
import { makePlatform, openDataStore, redactUrl, type DataStore } from '../platform/db/store.ts';
import type { Platform } from '../platform/module.ts';
// The commands load only what they use, not every module of the application: they start in a
// fraction of the time. Error messages need the catalogues of the services they call.
import { ModuleRegistry } from '../platform/registry.ts';
import { httpManifest } from '../platform/http/module.ts';
import { orgManifest } from '../platform/org/module.ts';
import { iamManifest } from '../platform/iam/module.ts';
import { CommandError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './usage.ts';

const lang: Lang = /^zh/i.test(process.env.LC_ALL || process.env.LANG || '') ? 'zh-CN' : 'en';
const print = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
const note = (text: string) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);

function cliActor(): Actor {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry (containers) */
  }
  return { userId: null, username: `cli:${user}`, unitId: null, ip: null, requestId: null };
}

/** Opens the database for a command; refuses while a server holds the embedded database's folder. */
/** What to do instead while a server holds the embedded database. */
const WHILE_SERVER_RUNS: Record<string, string> = {
  'audit verify': 'Or ask the running server: GET /api/v1/audit/verify (as the auditor).',
  'audit checkpoint': 'The running server signs one every minute in which anything was written, and one when it stops.',
  'admin token': 'Or sign in and create one through the running server: POST /api/v1/tokens.',
  backup: 'Or download one from the running server: GET /api/v1/system/backup (as the system administrator).',
  publish: 'Or ask the running server: POST /api/v1/static/rebuilds with {"site": "<site>"} or {} (as the system administrator); its job rebuilds and GET /api/v1/static/status shows how far it got.',
};

async function openStore(config: Config, command: string, options: Parameters<typeof openDataStore>[2] = {}): Promise<DataStore> {
  try {
    return await openDataStore(config, command, options);
  } catch (error) {
    if (error instanceof DataDirLockedError && WHILE_SERVER_RUNS[command]) error.message += ` ${WHILE_SERVER_RUNS[command]}`;
    throw error;
  }
}

/** A table or column missing: the database predates this version's migrations. */
function isNotMigrated(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '42P01' || code === '42703';
}

async function withStore<T>(command: string, fn: (store: DataStore, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore(config, command);
  try {
    return await fn(store, config);
  } catch (error) {
    if (isNotMigrated(error)) throw new CommandError(`the database is not migrated to this version (${(error as Error).message}): run \`zt migrate\` first`);
    throw error;
  } finally {
    await store.close();
  }
}

/** Every migration of the installation: this loads every module, so only the commands that migrate ask for it. */
async function allMigrations() {
  return (await import('../app.ts')).allMigrations();
}

/**
 * What the commands need of the platform (the strings of their errors, the account permissions),
 * without loading the pages and business modules that only the server needs.
 */
let cliModules: ModuleRegistry | null = null;
const commandLineModules = () => (cliModules ??= new ModuleRegistry([httpManifest, orgManifest, iamManifest]));

async function withPlatform<T>(command: string, fn: (platform: Platform) => Promise<T>): Promise<T> {
  return withStore(command, (store, config) => fn(makePlatform(config, store.database, commandLineModules())));
}

// ---------------------------------------------------------------- passwords

/** Reads a password: typed without echo on a terminal (twice), or the whole of piped input minus its final newline. */
async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    const first = await readHidden('Password: ');
    const second = await readHidden('Password again: ');
    if (first !== second) throw new UsageError('the two passwords differ');
    return first;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (!text) throw new UsageError('no password on standard input');
  if (/[\r\n]/.test(text)) throw new UsageError('the password on standard input must be one line');
  return text;
}

function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003' || ch === '\u0004') return finish(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

function parseDays(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 3650) throw new UsageError(`--days must be a whole number from 1 to 3650, got "${raw}"`);
  return Number(raw);
}

// ---------------------------------------------------------------- admin

/**
 * The unit an administrator belongs to by default: the unit highest in the region tree,
 * a government office first. Read here because only the operator's bootstrap needs it.
 */
async function topUnit(platform: Platform): Promise<Unit | null> {
  const row = await sql<{ id: string }>`
    select u.id from units u join regions r on r.code = u.region_code
    order by array_position(array['province', 'city', 'county', 'town', 'village'], r.level), (u.kind = 'government') desc, u.created_at, u.name
    limit 1`.execute(platform.db);
  return row.rows[0] ? getUnit(platform.db, row.rows[0].id) : null;
}

/** The top region containing `unit`: the whole installation, for the three administrators. */
async function topRegionOf(platform: Platform, unit: Unit): Promise<string> {
  const roots = await listRegions(platform.db, null);
  return roots.find((r) => regionContains(r.code, unit.regionCode))?.code ?? unit.regionCode;
}

interface AdminCreateOptions {
  username: string;
  role: string[];
  unit?: string;
  region?: string;
  name?: string;
  passwordStdin?: boolean;
}

export async function adminCreate(options: AdminCreateOptions) {
  if (!options.passwordStdin) throw new UsageError('--password-stdin is required: the password is read from standard input, never from the command line');
  const roles = [...new Set(options.role)];
  const unknown = roles.filter((r) => !isRole(r));
  if (unknown.length) throw new UsageError(`unknown role "${unknown[0]}"; the roles are ${ROLES.join(', ')}`);
  const admins = roles.filter((r) => THREE_ADMINS.includes(r as Role));
  if (admins.length > 1) throw new UsageError(`${admins.join(' and ')} cannot be held by one account (the three administrators are separate people)`);
  const unitRoles = roles.filter((r) => !THREE_ADMINS.includes(r as Role));
  if (unitRoles.length && !options.unit) throw new UsageError(`--unit is required for ${unitRoles.join(', ')}`);
  const fieldErrors = accountFieldErrors({ username: options.username, displayName: options.name ?? options.username });
  if (fieldErrors.length) {
    commandLineModules(); // their messages
    throw new UsageError(fieldErrors.map((e) => `${e.path}: ${renderMessage(e.message, lang)}`).join('; '));
  }

  const password = await readPassword();
  if (!isStrongPassword(password)) throw new AppError('PASSWORD_WEAK');

  await withPlatform('admin create', async (platform) => {
    const unit = options.unit ? await getUnit(platform.db, options.unit) : await topUnit(platform);
    if (!unit) {
      throw new CommandError(options.unit ? `no unit has the id ${options.unit}` : 'there is no unit yet: import the organisation first (`zt import units FILE`) or pass --unit');
    }
    if (options.region && !(await getRegion(platform.db, options.region))) throw new CommandError(`no region has the code ${options.region}`);
    const adminScope: Scope = { regionCode: options.region ?? (await topRegionOf(platform, unit)) };
    const unitScope: Scope = options.region ? { regionCode: options.region } : { unitId: unit.id };
    const grants = roles.map((role) => ({ role: role as Role, scope: THREE_ADMINS.includes(role as Role) ? adminScope : unitScope }));
    const passwordHash = await hashPassword(password);
    try {
      const user = await inTransaction(platform.db, cliActor(), async (work) => {
        // The operator chose this password: no change is forced at first sign-in.
        const row = await insertStaffUser(work, platform, { username: options.username, displayName: options.name ?? options.username, unitId: unit.id, passwordHash }, { mustChangePassword: false });
        if (grants.length) await grantRolesBySystem(work, row.id, grants);
        return row;
      });
      const granted = grants.map((g) => `${g.role} (${'unitId' in g.scope ? `unit ${unit.name}` : `region ${g.scope.regionCode}`})`).join(', ');
      print(`Created account ${user.username} (id ${user.id}) in ${unit.name}${granted ? `, roles: ${granted}` : ''}.`);
      if (grants.some((g) => THREE_ADMINS.includes(g.role) || g.role === 'supervisor')) print('It must enrol a one-time-code app (TOTP) at its first sign-in.');
    } catch (error) {
      if (isUniqueViolation(error)) throw new CommandError(`an account named ${options.username} already exists`);
      throw error;
    }
  });
}

export async function adminToken(options: { username: string; days: string; name: string }) {
  const days = parseDays(options.days);
  await withPlatform('admin token', async (platform) => {
    const user = await findUserByUsername(platform.db, options.username);
    if (!user) throw new CommandError(`no account is named ${options.username}`);
    if (user.disabled_at) throw new CommandError(`the account ${options.username} is disabled`);
    const { token } = await inTransaction(platform.db, cliActor(), (work) => createApiToken(work, platform, user.id, options.name, days));
    print(token);
  });
}

export async function adminResetPassword(options: { username: string; passwordStdin?: boolean }) {
  if (!options.passwordStdin) throw new UsageError('--password-stdin is required');
  const password = await readPassword();
  if (!isStrongPassword(password)) throw new AppError('PASSWORD_WEAK');
  await withPlatform('admin reset-password', async (platform) => {
    const user = await findUserByUsername(platform.db, options.username);
    if (!user) throw new CommandError(`no account is named ${options.username}`);
    const unit = user.unit_id ? await getUnit(platform.db, user.unit_id) : null;
    if (!unit) throw new CommandError(`${options.username} is a public account: its owner resets the password by phone or e-mail`);
    // The operator at the server has every power over accounts: act as a system administrator of that unit.
    const operator: Principal = {
      userId: 'cli',
      username: cliActor().username!,
      displayName: 'command line',
      kind: 'staff',
      unitId: null,
      roles: [{ role: 'sysadmin', scope: { unitId: unit.id } }],
      sessionId: null,
      tokenId: null,
      csrfToken: null,
      mustChangePassword: false,
      totpEnrollmentRequired: false,
      grants: platform.modules.permissions,
    };
    await inTransaction(platform.db, cliActor(), (work) => resetPassword(work, platform, operator, user.id, password));
    print(`The password of ${user.username} was reset; it must be changed at the next sign-in. The account is unlocked and its sessions ended.`);
  });
}

// ---------------------------------------------------------------- other commands

/** Signs a checkpoint of the audit chain after a command changed the database (or on demand). */
async function anchorChain(db: Db, config: Config, force = false) {
  const cp = await takeCheckpoint(db, useAuditKey(db, config), { dataDir: config.dataDir, force });
  if (cp) {
    const body = JSON.parse(cp.body) as { records: number; lanes: unknown[] };
    print(`Audit checkpoint ${cp.seq} signed: ${body.records} records in ${body.lanes.length} lanes (kept in audit_checkpoints and ${config.dataDir}/audit/checkpoints.jsonl).`);
  }
}

/**
 * `zt migrate`. With the owner's URL (--owner-url or ZT_MIGRATE_DATABASE_URL), migrations run as
 * the owner and the server's role (the user of DATABASE_URL) gets only its rights (decision 0013).
 */
export async function migrate(options: { ownerUrl?: string } = {}) {
  const migrations = await allMigrations();
  const config = loadConfig();
  const ownerUrl = options.ownerUrl ?? config.migrateDatabaseUrl;
  if (!ownerUrl) {
    await withStore('migrate', async (store) => {
      const applied = await migrateToLatest(store.database.db, migrations);
      print(applied.length ? `Applied ${applied.length} migrations to the ${store.where}:\n${applied.map((m) => `  ${m}`).join('\n')}` : `The ${store.where} is up to date.`);
      await anchorChain(store.database.db, config);
    });
    return;
  }
  if (!/^postgres(ql)?:\/\//.test(ownerUrl)) throw new UsageError('the owner\'s URL must start with postgres:// or postgresql://');
  if (!config.databaseUrl) throw new UsageError('the owner\'s URL needs DATABASE_URL too: the server\'s role is the user of that URL');
  const [owner, server] = [new URL(ownerUrl), new URL(config.databaseUrl)];
  if (owner.host !== server.host || owner.pathname !== server.pathname) throw new UsageError('the owner\'s URL and DATABASE_URL name different databases');
  const { role, password } = roleOfUrl(config.databaseUrl);
  const database = await openDatabase({ databaseUrl: ownerUrl, pgliteDir: null, poolSize: 2 });
  try {
    const prepared = await prepareApplicationRole(database.db, role, password);
    if (prepared.created) print(`Created the role ${role}.`);
    if (prepared.reassigned) print(`Its tables and sequences now belong to ${decodeURIComponent(owner.username)}.`);
    const applied = await migrateToLatest(database.db, migrations);
    await grantApplicationRole(database.db, role);
    const where = `PostgreSQL ${redactUrl(ownerUrl)}`;
    print(applied.length ? `Applied ${applied.length} migrations to the ${where}:\n${applied.map((m) => `  ${m}`).join('\n')}` : `The ${where} is up to date.`);
    print(`The role ${role} may read and write the tables, only add to and read audit_log and audit_checkpoints, and owns none of them.`);
    await anchorChain(database.db, config);
  } catch (error) {
    if (error instanceof RoleSetupError) throw new CommandError(error.message);
    throw error;
  } finally {
    await database.close();
  }
}

export async function seed(options: { demo?: boolean; forceProduction?: boolean }) {
  if (!options.demo) throw new UsageError('say what to load: `zt seed --demo` (the demo city) is the only data set');
  // The installed modules add their own demo data: this command loads them all.
  const { moduleRegistry } = await import('../app.ts');
  await withStore('seed', async (store, config) => {
    const result = await seedDemo(makePlatform(config, store.database, moduleRegistry(config)), { forceProduction: options.forceProduction, progress: print });
    print(`Demo city 云川市: ${result.regionsCreated} regions and ${result.unitsCreated} units created (existing ones left as they were); ${result.casesCreated} past cases generated.`);
    print(formatDemoLogins({ accounts: result.accounts, publicAccounts: result.publicAccounts, password: result.password }));
    if (result.passwordGenerated) print('The password was generated; set ZT_DEMO_PASSWORD to choose it.');
    if (result.accountsFile) print(`These logins are also in ${result.accountsFile}.`);
  });
}

export async function importUnits(file: string) {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new CommandError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  await withPlatform('import units', async (platform) => {
    const prepared = await prepareOrgImport(platform, bytes);
    const result = await inTransaction(platform.db, cliActor(), (work) => writeOrgImport(work, platform, prepared));
    print(`Imported ${result.regions} regions, ${result.units} units and ${result.staff} staff accounts from ${file}.`);
    if (result.credentials.length) {
      print('Generated passwords (shown once; each must be changed at first sign-in):');
      for (const c of result.credentials) print(`  ${c.username}\t${c.password}`);
    }
  });
}

const PROBLEMS: Record<string, string> = {
  record: 'its hash or its link does not fit its lane (edited, moved, or a record before it deleted)',
  keyless: 'a keyless record where only keyed ones may be (rewritten without the audit key)',
  checkpoint: 'it is not the record the signed checkpoint names at this place of its lane',
  truncated: 'the lane has fewer records than the signed checkpoint counted (its newest were deleted)',
  signature: 'the latest checkpoint is not signed with the audit key',
  'checkpoint-missing': 'checkpoints of the data folder\'s file are missing from the table or differ',
};

export function describeVerify(result: VerifyResult): string {
  const lines: string[] = [];
  if (result.ok) lines.push(`The audit chain is whole: ${result.checked} records checked.`);
  else if (result.firstBrokenId !== null) lines.push(`The audit chain is BROKEN at record ${result.firstBrokenId} (lane ${result.firstBrokenLane}): ${PROBLEMS[result.problem!]}. The ${result.checked} records before it are whole.`);
  else if (result.firstBrokenLane !== null) lines.push(`The audit chain is BROKEN in lane ${result.firstBrokenLane}: ${PROBLEMS[result.problem!]}.`);
  else lines.push(`The audit chain is BROKEN: ${PROBLEMS[result.problem!]}${result.checkpointsMissing.length ? ` (checkpoints ${result.checkpointsMissing.join(', ')})` : ''}.`);
  if (result.checkpoint) {
    lines.push(`Latest checkpoint: ${result.checkpoint.seq} at ${result.checkpoint.at}, ${result.checkpoint.records} records, signature ${result.checkpoint.signatureValid ? 'valid' : 'INVALID'}; ${result.sinceCheckpoint} records written since.`);
  } else {
    lines.push(`No checkpoint yet: none of the ${result.sinceCheckpoint} records is anchored.`);
  }
  return lines.join('\n');
}

export async function auditVerify(): Promise<number> {
  return withStore('audit verify', async (store, config) => {
    let keys = null;
    try {
      // Verification never invents a key: without the one the chain was written with, it says so.
      keys = useAuditKey(store.database.db, config, { create: false });
    } catch (error) {
      if (!(error instanceof AuditKeyMissingError)) throw error;
    }
    try {
      const result = await verifyChain(store.database.db, { keys, dataDir: config.dataDir });
      print(describeVerify(result));
      return result.ok ? EXIT_OK : EXIT_FAILURE;
    } catch (error) {
      if (error instanceof AuditKeyMissingError) throw new CommandError(error.message);
      throw error;
    }
  });
}

/** `zt audit checkpoint`: signs a checkpoint of every lane's head now. */
export async function auditCheckpoint(): Promise<void> {
  await withStore('audit checkpoint', (store, config) => anchorChain(store.database.db, config, true));
}

/** `zt statistics rebuild`: the supervision statistics' roll-up of finished steps, rebuilt from the steps. */
export async function statisticsRebuild(options: { from?: string; to?: string }): Promise<void> {
  if (!options.from !== !options.to) throw new UsageError('give both --from and --to, or neither (every day with finished steps)');
  for (const [name, value] of [['--from', options.from], ['--to', options.to]] as const) {
    if (value !== undefined && !isValidDate(value)) throw new UsageError(`${name}: a date YYYY-MM-DD between ${MIN_DATE} and ${MAX_DATE}, not "${value}"`);
  }
  if (options.from && options.to && options.from > options.to) throw new UsageError('--from is after --to');
  const period = options.from && options.to ? { from: options.from, to: options.to } : null;
  await withPlatform('statistics rebuild', async (platform) => {
    const { rebuildStatistics } = await import('../modules/supervision/stats.ts');
    const result = await rebuildStatistics(platform, period);
    print(result.days ? `Rebuilt the statistics of ${result.days} days: ${result.steps} finished steps counted.` : 'No finished steps: nothing to rebuild.');
  });
}

/** `zt publish --site S | --all`: every static page of one site or of all, written again where it changed. */
export async function publish(options: { site?: string; all?: boolean }) {
  if (!options.site === !options.all) throw new UsageError('give --site <site> or --all');
  await withStore('publish', async (store, config) => {
    // The sources are the installed modules' (manifest staticPages): this one loads them all.
    const { moduleRegistry } = await import('../app.ts');
    const { rebuildStatic, publicRoot } = await import('../platform/static/index.ts');
    const platform = makePlatform(config, store.database, moduleRegistry(config));
    if (!platform.modules.staticSources.size) {
      print('No installed module publishes static pages: nothing to rebuild.');
      return;
    }
    let shown = 0;
    const result = await rebuildStatic(platform, options.site ? { site: options.site } : {}, {
      requestedBy: cliActor().username,
      progress: (p) => {
        if (p.seconds - shown < 2) return;
        shown = p.seconds;
        note(`${p.source}: ${p.pages} pages, ${Math.round(p.pagesPerSecond)} pages/s`);
      },
    });
    print(
      `Published ${result.pages} pages ${options.site ? `of site ${options.site} ` : ''}in ${result.seconds.toFixed(1)} s (${Math.round(result.pagesPerSecond)} pages/s): ` +
        `${result.written} files written, ${result.pages - result.written} unchanged` +
        (result.swept ? `, ${result.swept} no longer produced checked again (${result.removed} removed)` : '') +
        `, under ${publicRoot(config)}.`,
    );
  });
}

export async function backup(file: string, options: { force?: boolean }) {
  if (fs.existsSync(file) && !options.force) throw new UsageError(`${file} exists; pass --force to replace it`);
  await withPlatform('backup', async (platform) => {
    const result = await createBackup(platform, file);
    const rows = result.manifest.tables.reduce((n, t) => n + t.rows, 0);
    const mb = (result.bytes / 1024 / 1024).toFixed(1);
    print(
      `Backup written to ${result.file} (${mb} MB): ${result.manifest.tables.length} tables, ${rows} rows, ${result.manifest.files.length} files, ` +
        `${result.manifest.audit.records} audit records.`,
    );
    if (platform.config.s3) note(`Note: attachments are stored in the S3 bucket ${platform.config.s3.bucket} and are NOT in the archive; back the bucket up with the storage's own tools.`);
    if (platform.config.fieldKeyHex) note('Note: the field-encryption key comes from ZT_FIELD_KEY and is NOT in the archive; keep that key with the backup.');
    else note('Note: the archive holds the field-encryption key (keys/field.key): keep it as secret as the data itself.');
    if (platform.config.auditKeyHex) note('Note: the audit key comes from ZT_AUDIT_KEY and is NOT in the archive; the restore needs it (set ZT_AUDIT_KEY).');
    else note('Note: the archive holds the audit key (keys/audit.key): whoever holds the archive could rewrite a restored chain; keep it as secret as the key file.');
  });
}

export async function restore(file: string) {
  const config = loadConfig();
  const refused = (error: unknown) => {
    throw error instanceof BackupError ? new BackupError(`restore refused: ${error.message}`) : error;
  };
  let staged: StagedBackup | null = null;
  // The archive is checked while holding the folder, before the database is opened (or created).
  const store = await openStore(config, 'restore', {
    beforeOpen: async () => {
      staged = await stageBackup(config, file).catch(refused);
    },
  });
  try {
    const report = await restoreStaged({ config, db: store.database.db, migrations: await allMigrations(), actor: cliActor() }, staged!).catch(refused);
    // The restored chain anchored in this data folder too (the source's checkpoints came with the rows).
    await anchorChain(store.database.db, config);
    print(
      `Restored ${file} (made ${report.backupCreatedAt} by version ${report.backupAppVersion} on ${report.sourceDatabase}) into the ${store.where}:\n` +
        `  ${report.tables} tables, ${report.rows} rows, ${report.files} files${report.keyRestored ? ', the field key' : ''}\n` +
        `  audit chain whole: ${report.audit.checked} records\n` +
        (report.migrationsAppliedAfter.length ? `  then applied ${report.migrationsAppliedAfter.length} newer migrations\n` : ''),
    );
  } finally {
    await (staged as StagedBackup | null)?.dispose();
    await store.close();
  }
}

export function totpCode(secret: string) {
  let parsed: OTPAuth.Secret;
  try {
    parsed = OTPAuth.Secret.fromBase32(secret.replace(/\s/g, '').toUpperCase());
  } catch {
    throw new UsageError('not a base32 secret');
  }
  if (parsed.bytes.length < 10) throw new UsageError('not a base32 secret');
  print(new OTPAuth.TOTP({ secret: parsed }).generate());
}

/** One line for standard error and the exit status, for any error a command throws. */
export function describe(error: unknown): { message: string; code: number } {
  if (error instanceof UsageError) return { message: error.message, code: EXIT_USAGE };
  if (error instanceof ConfigError || error instanceof CommandError) return { message: error.message, code: EXIT_FAILURE };
  if (error instanceof DataDirLockedError || error instanceof DemoRefusedError) return { message: error.message, code: EXIT_FAILURE };
  if (error instanceof BackupError) return { message: error.message, code: EXIT_FAILURE };
  if (error instanceof AppError) {
    // A command may refuse before it opened the platform: the messages are installed here too.
    commandLineModules();
    const problem = error.toProblem(lang);
    const details = (problem.errors ?? []).map((e) => `\n  ${e.path}: ${e.message}`).join('');
    return { message: `${problem.detail}${details}`, code: EXIT_FAILURE };
  }
  const e = error as NodeJS.ErrnoException & { code?: string; address?: string; port?: number };
  if (e?.code === 'EADDRINUSE' || e?.code === 'EACCES' || e?.code === 'EADDRNOTAVAIL') {
    const why = e.code === 'EADDRINUSE' ? 'another program listens there' : e.code === 'EACCES' ? 'not allowed (ports below 1024 need privileges)' : 'no such address here';
    if (e.syscall === 'listen' || e.syscall === 'bind') return { message: `cannot listen on ${e.address}:${e.port}: ${why}; choose another PORT or HOST`, code: EXIT_FAILURE };
  }
  if (e?.code && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|28P01|28000|3D000)$/.test(e.code)) {
    return { message: `cannot reach the database (DATABASE_URL): ${e.message}`, code: EXIT_FAILURE };
  }
  return { message: process.env.ZT_DEBUG ? String(e?.stack ?? error) : (e?.message ?? String(error)), code: EXIT_FAILURE };
}

