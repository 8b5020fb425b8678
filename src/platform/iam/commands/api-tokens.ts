import crypto from 'node:crypto';
import type { Work } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { notFound } from '../../http/errors.ts';
import type { Platform } from '../../module.ts';
import type { Principal } from '../principal.ts';
import { iam } from '../queries.ts';
import { tokenHash } from '../authenticate.ts';

export async function createApiToken(work: Work, platform: Platform, userId: string, name: string, days: number) {
  const token = `zt_${platform.crypto.randomToken()}`;
  const id = crypto.randomUUID();
  const expiresAt = new Date(platform.clock.now().getTime() + days * 86400_000);
  await iam(work.tx).insertInto('api_tokens').values({ id, token_hash: tokenHash(platform, token), user_id: userId, name, expires_at: expiresAt }).execute();
  recordAudit(work, { action: 'token.create', objectType: 'api_token', objectId: id, details: { name, userId, expiresAt: expiresAt.toISOString() } });
  return { id, token, name, expiresAt: expiresAt.toISOString() };
}

export async function listApiTokens(platform: Platform, principal: Principal) {
  const rows = await iam(platform.db)
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'])
    .where('user_id', '=', principal.userId)
    .orderBy('created_at', 'desc')
    .limit(200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: new Date(r.created_at).toISOString(),
    expiresAt: new Date(r.expires_at).toISOString(),
    revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
  }));
}

export async function revokeApiToken(work: Work, platform: Platform, principal: Principal, id: string) {
  const res = await iam(work.tx)
    .updateTable('api_tokens')
    .set({ revoked_at: platform.clock.now() })
    .where('id', '=', id)
    .where('user_id', '=', principal.userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw notFound();
  recordAudit(work, { action: 'token.revoke', objectType: 'api_token', objectId: id });
}
