import type { Work } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { notFound } from '../../http/errors.ts';
import type { Platform } from '../../module.ts';
import type { Principal } from '../principal.ts';
import { iam } from '../queries.ts';
import { SESSION_IDLE_MS } from '../authenticate.ts';

export async function logout(work: Work, platform: Platform, principal: Principal) {
  if (!principal.sessionId) return;
  await endSession(work, platform, principal, principal.sessionId, 'logout');
}

export async function listSessions(platform: Platform, principal: Principal) {
  const rows = await iam(platform.db)
    .selectFrom('sessions')
    .select(['id', 'created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent'])
    .where('user_id', '=', principal.userId)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', platform.clock.now())
    .where('last_seen_at', '>', new Date(platform.clock.now().getTime() - SESSION_IDLE_MS))
    .orderBy('created_at', 'desc')
    .limit(200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    createdAt: new Date(r.created_at).toISOString(),
    lastSeenAt: new Date(r.last_seen_at).toISOString(),
    expiresAt: new Date(r.expires_at).toISOString(),
    ip: r.ip,
    userAgent: r.user_agent,
    current: r.id === principal.sessionId,
  }));
}

/** Ends one of the caller's own sessions; another user's session id is 404. */
export async function endSession(work: Work, platform: Platform, principal: Principal, sessionId: string, reason = 'ended_by_user') {
  const ended = await iam(work.tx)
    .updateTable('sessions')
    .set({ ended_at: platform.clock.now(), end_reason: reason })
    .where('id', '=', sessionId)
    .where('user_id', '=', principal.userId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  if (Number(ended.numUpdatedRows) === 0) throw notFound();
  recordAudit(work, { action: reason === 'logout' ? 'auth.logout' : 'session.end', objectType: 'session', objectId: sessionId });
}
