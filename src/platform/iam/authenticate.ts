import type { Platform } from '../module.ts';
import type { Principal, RoleAssignment } from './principal.ts';
import { TOTP_REQUIRED_ROLES } from './roles.ts';
import { iam, sessionWithUser, tokenWithUser, toAssignments } from './queries.ts';

/** Turning a session cookie or a bearer token into the principal of a request. */

export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
const TOUCH_EVERY_MS = 60 * 1000;

export const tokenHash = (platform: Platform, token: string) => platform.crypto.sm3(`zt-token:${token}`);

function needsTotp(roles: RoleAssignment[]): boolean {
  return roles.some((r) => TOTP_REQUIRED_ROLES.includes(r.role));
}

export type SessionLookup = { principal: Principal } | { expired: true } | null;

/** Resolves a session cookie; ends it on the server when idle or past its absolute lifetime. */
export async function authenticateSession(platform: Platform, token: string): Promise<SessionLookup> {
  const row = await sessionWithUser(platform.db, tokenHash(platform, token));
  if (!row || row.ended_at) return row ? { expired: true } : null;
  const now = platform.clock.now();
  const idle = now.getTime() - new Date(row.last_seen_at).getTime() > SESSION_IDLE_MS;
  const absolute = now.getTime() >= new Date(row.expires_at).getTime();
  if (idle || absolute || row.disabled_at) {
    await iam(platform.db)
      .updateTable('sessions')
      .set({ ended_at: now, end_reason: row.disabled_at ? 'disabled' : idle ? 'idle' : 'expired' })
      .where('id', '=', row.session_id)
      .where('ended_at', 'is', null)
      .execute();
    return { expired: true };
  }
  if (now.getTime() - new Date(row.last_seen_at).getTime() > TOUCH_EVERY_MS) {
    await iam(platform.db).updateTable('sessions').set({ last_seen_at: now }).where('id', '=', row.session_id).execute();
  }
  const roles = toAssignments(row.roles);
  return {
    principal: {
      userId: row.id,
      username: row.username,
      displayName: row.display_name,
      kind: row.kind,
      unitId: row.unit_id,
      roles,
      sessionId: row.session_id,
      tokenId: null,
      csrfToken: row.csrf_token,
      mustChangePassword: row.must_change_password,
      totpEnrollmentRequired: needsTotp(roles) && !row.totp_enabled,
      grants: platform.modules.permissions,
    },
  };
}

export async function authenticateBearer(platform: Platform, token: string): Promise<Principal | null> {
  const row = await tokenWithUser(platform.db, tokenHash(platform, token));
  const now = platform.clock.now();
  if (!row || row.revoked_at || row.disabled_at || new Date(row.expires_at).getTime() <= now.getTime()) return null;
  if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() > TOUCH_EVERY_MS) {
    await iam(platform.db).updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.token_id).execute();
  }
  return {
    userId: row.id,
    username: row.username,
    displayName: row.display_name,
    kind: row.kind,
    unitId: row.unit_id,
    roles: toAssignments(row.roles),
    sessionId: null,
    tokenId: row.token_id,
    csrfToken: null,
    mustChangePassword: false,
    totpEnrollmentRequired: false,
    grants: platform.modules.permissions,
  };
}
