import { sql, type Db } from './index.ts';

/**
 * Least privilege on PostgreSQL (decision 0013, docs/security.md): the tables belong to an owner
 * role that runs the migrations; the server's role reads and writes the ordinary tables, may only
 * add to and read the audit tables, and reads the migration history. It owns nothing, so it can
 * neither alter a table nor disable its triggers.
 */
export const APPEND_ONLY_TABLES = ['audit_log', 'audit_checkpoints'] as const;
export const READ_ONLY_TABLES = ['zt_migration', 'zt_migration_lock'] as const;

/** A role name as SQL (quoted identifier). */
const ident = (name: string) => sql.id(name);
const literal = (text: string) => sql.raw(`'${text.replace(/'/g, "''")}'`);

export class RoleSetupError extends Error {}

async function roleExists(db: Db, role: string): Promise<boolean> {
  const found = await sql<{ n: number }>`select count(*)::int as n from pg_roles where rolname = ${role}`.execute(db);
  return found.rows[0].n > 0;
}

/**
 * Before migrating as the owner: the application role must exist (created here, with the password
 * of the server's URL, when the owner may create roles) and must own nothing in the database
 * (an installation migrated by the server itself: its objects are handed to the owner).
 */
export async function prepareApplicationRole(db: Db, role: string, password: string | null): Promise<{ created: boolean; reassigned: boolean }> {
  const owner = (await sql<{ u: string }>`select current_user as u`.execute(db)).rows[0].u;
  if (owner === role) throw new RoleSetupError(`the owner's URL and DATABASE_URL name the same role (${role}): give the server a role of its own`);
  let created = false;
  if (!(await roleExists(db, role))) {
    try {
      await sql`create role ${ident(role)} login ${password ? sql`password ${literal(password)}` : sql``}`.execute(db);
      created = true;
    } catch (error) {
      throw new RoleSetupError(`the role ${role} of DATABASE_URL does not exist and ${owner} cannot create it (${(error as Error).message}): create it (CREATE ROLE ${role} LOGIN PASSWORD '…') and run zt migrate again`);
    }
  }
  const owned = await sql<{ n: number }>`
    select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and pg_get_userbyid(c.relowner) = ${role}`.execute(db);
  let reassigned = false;
  if (owned.rows[0].n > 0) {
    try {
      await sql`reassign owned by ${ident(role)} to ${ident(owner)}`.execute(db);
      reassigned = true;
    } catch (error) {
      throw new RoleSetupError(
        `${role} owns ${owned.rows[0].n} tables or sequences of this database, which makes it able to alter them: as a superuser run REASSIGN OWNED BY ${role} TO ${owner}; then zt migrate again (${(error as Error).message})`,
      );
    }
  }
  return { created, reassigned };
}

/**
 * The application role's rights, set again after every migration: ordinary tables read and
 * written, the audit tables INSERT and SELECT only, the migration history SELECT only, sequences
 * used; the same for tables and sequences the owner creates later (default privileges).
 */
export async function grantApplicationRole(db: Db, role: string): Promise<void> {
  const app = ident(role);
  const database = (await sql<{ d: string }>`select current_database() as d`.execute(db)).rows[0].d;
  await db.transaction().execute(async (tx) => {
    await sql`grant connect, temporary on database ${ident(database)} to ${app}`.execute(tx);
    await sql`grant usage on schema public to ${app}`.execute(tx);
    await sql`revoke create on schema public from ${app}`.execute(tx);
    await sql`grant select, insert, update, delete on all tables in schema public to ${app}`.execute(tx);
    await sql`revoke truncate, references, trigger on all tables in schema public from ${app}`.execute(tx);
    await sql`grant usage, select, update on all sequences in schema public to ${app}`.execute(tx);
    for (const table of APPEND_ONLY_TABLES) {
      await sql`revoke update, delete, truncate on ${ident(table)} from ${app}`.execute(tx);
    }
    for (const table of READ_ONLY_TABLES) {
      const exists = await sql<{ n: number }>`select count(*)::int as n from pg_tables where schemaname = 'public' and tablename = ${table}`.execute(tx);
      if (exists.rows[0].n) await sql`revoke insert, update, delete, truncate on ${ident(table)} from ${app}`.execute(tx);
    }
    // Tables of later migrations: ordinary rights at once (a new append-only table is revoked here after its migration).
    await sql`alter default privileges in schema public grant select, insert, update, delete on tables to ${app}`.execute(tx);
    await sql`alter default privileges in schema public grant usage, select, update on sequences to ${app}`.execute(tx);
  });
}

/** The role and password of a PostgreSQL URL. */
export function roleOfUrl(url: string): { role: string; password: string | null } {
  const parsed = new URL(url);
  const role = decodeURIComponent(parsed.username);
  if (!role) throw new RoleSetupError('DATABASE_URL names no user: the server\'s role is the user of its URL');
  return { role, password: parsed.password ? decodeURIComponent(parsed.password) : null };
}
