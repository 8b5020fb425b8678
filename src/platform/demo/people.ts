/**
 * The demo's people at work: a module's demo data is made through its own commands as the person
 * who would do it, so that audit records and process logs name 郑丽娟 or 何静, not the loader.
 */
import { Work } from '../db/work.ts';
import type { Platform } from '../module.ts';
import type { Principal } from '../iam/principal.ts';
import { rolesOf, toAssignments } from '../iam/queries.ts';

/** The principal of a demo account by its user name, with its roles, as a signed-in request would have it. */
export async function demoPrincipal(work: Work, platform: Platform, username: string, kind: 'staff' | 'public' = 'staff'): Promise<Principal> {
  const user = await work.tx
    .withTables<{ users: { id: string; username: string; display_name: string; unit_id: string | null } }>()
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'unit_id'])
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  return {
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    kind,
    unitId: user.unit_id,
    roles: toAssignments(await rolesOf(work.tx, user.id)),
    sessionId: null,
    tokenId: null,
    csrfToken: null,
    mustChangePassword: false,
    totpEnrollmentRequired: false,
    grants: platform.modules.permissions,
  };
}

/**
 * Runs `fn` as `principal` (or as nobody: a member of the public without an account): a unit of
 * work of its own on the demo's transaction, flushed at once, so its audit records name the person.
 */
export async function actAs<T>(work: Work, principal: Principal | null, fn: (own: Work) => Promise<T>): Promise<T> {
  const own = new Work(work.tx, { userId: principal?.userId ?? null, username: principal?.username ?? null, unitId: principal?.unitId ?? null, ip: null, requestId: null }, work.root);
  const value = await fn(own);
  await own.flush();
  return value;
}
