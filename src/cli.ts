import fs from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ROLES } from './platform/iam/roles.ts';
import { EXIT_OK, EXIT_USAGE } from './cli/usage.ts';

/**
 * The `zt` command line. The commands themselves (src/cli/commands.ts) load the database and
 * the application, so they are imported only when one runs: `zt --help` stays instant.
 */
const commands = () => import('./cli/commands.ts');
const version = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function program(setExit: (code: number) => void): Command {
  const zt = new Command('zt')
    .description('Zhengtong (政通) e-government platform. Settings come from the environment (PORT, HOST, ZT_DATA_DIR, DATABASE_URL, ZT_DEMO, ...): see docs/operations.md.')
    .version(version)
    .showHelpAfterError('(zt --help lists the commands)')
    .exitOverride()
    .addHelpText(
      'after',
      '\nOn the embedded database (no DATABASE_URL) every command that opens the database needs the data folder to itself:\n' +
        'while a server runs on it they refuse and name its process. Exit status: 0 done, 1 failed, 2 wrong usage.',
    );

  zt.command('start')
    .description('run the server: migrate, load the demo city on the first start (ZT_DEMO), listen on HOST:PORT; stops gracefully on SIGINT/SIGTERM')
    .action(async () => {
      // Straight to the server: the other commands' code is not needed here.
      const { loadConfig } = await import('./config/index.ts');
      const config = loadConfig();
      await (await import('./server.ts')).runServer(config);
    });

  zt.command('prepare', { hidden: true })
    .description('the first start\'s work on a new embedded database, run by `start` in a process of its own')
    .action(async () => {
      const { loadConfig } = await import('./config/index.ts');
      const config = loadConfig();
      await (await import('./server.ts')).prepareDataFolder(config);
    });

  zt.command('migrate')
    .description('apply pending database migrations, then sign an audit checkpoint; with the owner\'s URL, as that role, granting the server\'s role (DATABASE_URL) only its rights')
    .option('--owner-url <url>', 'PostgreSQL URL of the tables\' owner (default ZT_MIGRATE_DATABASE_URL)')
    .action(async (options) => (await commands()).migrate(options));

  zt.command('seed')
    .description('load the demo city 云川市 with one account per built-in role (idempotent; the password is ZT_DEMO_PASSWORD or generated)')
    .option('--demo', 'the demo data set')
    .option('--force-production', 'load it even with NODE_ENV=production')
    .action(async (options) => (await commands()).seed(options));

  const admin = zt.command('admin').description('accounts, from the server itself (the first administrator, recovery)');
  admin
    .command('create')
    .description(
      'create a staff account holding a role. The password is read from standard input (typed twice without echo on a terminal, ' +
        'or piped: the final newline is dropped). It is the final password: no change is forced at first sign-in, because the operator chose it. ' +
        'sysadmin, secadmin and auditor must still enrol a one-time-code app at their first sign-in.',
    )
    .requiredOption('--username <name>', 'user name (3-64 letters, digits, _ . @ -)')
    .addOption(
      new Option('--role <role>', `role to grant, repeat for several: ${ROLES.join(', ')}`)
        .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])
        .makeOptionMandatory(),
    )
    .option(
      '--unit <unitId>',
      'the unit the account belongs to and the scope of its unit roles (required for them); sysadmin, secadmin and auditor default to the unit at the top of the region tree, with the top region as scope',
    )
    .option('--region <code>', 'scope the roles to this region subtree instead')
    .option('--name <displayName>', 'display name (default: the user name)')
    .option('--password-stdin', 'read the password from standard input (required)')
    .action(async (options) => (await commands()).adminCreate(options));
  admin
    .command('token')
    .description('print a bearer token acting as that account: on standard output, and nothing else')
    .requiredOption('--username <name>', 'user name')
    .option('--days <n>', 'days until it expires (1-3650)', '30')
    .option('--name <label>', 'a label to recognise it in the token list', 'command line')
    .action(async (options) => (await commands()).adminToken(options));
  admin
    .command('reset-password')
    .description('set a new password read from standard input; it must be changed at next sign-in; unlocks the account and ends its sessions')
    .requiredOption('--username <name>', 'user name')
    .option('--password-stdin', 'read the password from standard input (required)')
    .action(async (options) => (await commands()).adminResetPassword(options));

  zt.command('import')
    .description('import data')
    .command('units')
    .description('import regions, units and staff from a CSV file (UTF-8 or GBK; format: docs/import-format.md): every row or none')
    .argument('<file>', 'CSV file')
    .action(async (file: string) => (await commands()).importUnits(file));

  const audit = zt.command('audit').description('the audit log');
  audit
    .command('verify')
    .description('walk the keyed SM3 chain, check it against the latest signed checkpoint and the data folder\'s checkpoint file; exit status 0 only when all is whole')
    .action(async () => setExit(await (await commands()).auditVerify()));
  audit
    .command('checkpoint')
    .description('sign a checkpoint of every lane\'s head now (kept in the database, the data folder and the log)')
    .action(async () => (await commands()).auditCheckpoint());

  zt.command('statistics')
    .description('supervision statistics')
    .command('rebuild')
    .description('rebuild the roll-up of finished steps from the steps themselves (after a calendar correction, or for steps written around the engine); a month per transaction')
    .option('--from <date>', 'first day, YYYY-MM-DD (with --to; without both: every day with finished steps)')
    .option('--to <date>', 'last day, YYYY-MM-DD')
    .action(async (options) => (await commands()).statisticsRebuild(options));

  zt.command('publish')
    .description('rebuild the static public pages of one site or of all (files under the data folder), printing progress and pages per second; a rebuild stopped half-way is finished by the server')
    .option('--site <site>', 'one site (as the publishing module names it)')
    .option('--all', 'every site')
    .action(async (options) => (await commands()).publish(options));

  zt.command('backup')
    .description('write a consistent snapshot (database, files, keys) to a .tar.gz; it holds the field-encryption key: keep it secret')
    .argument('<file>', 'archive to write')
    .option('--force', 'replace an existing file')
    .action(async (file: string, options) => (await commands()).backup(file, options));

  zt.command('restore')
    .description('restore an archive into an empty installation (no accounts, no audit records: a new data folder or database), then verify it')
    .argument('<file>', 'archive made by zt backup')
    .action(async (file: string) => (await commands()).restore(file));

  zt.command('totp')
    .description('print the current one-time code of a TOTP secret (for the demo accounts)')
    .argument('<secret>', 'base32 secret')
    .action(async (secret: string) => (await commands()).totpCode(secret));

  return zt;
}

async function main() {
  let exitCode = EXIT_OK;
  const zt = program((code) => (exitCode = code));
  try {
    await zt.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed the help or the usage error.
      exitCode = error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    } else {
      const described = await commands()
        .then((c) => c.describe(error))
        .catch(() => ({ message: String((error as Error)?.message ?? error), code: 1 }));
      process.stderr.write(`zt: ${described.message}\n`);
      exitCode = described.code;
    }
  }
  process.exitCode = exitCode;
}

await main();
