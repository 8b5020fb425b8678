/**
 * The rating invitation (好差评邀请): when a case ends (approved or rejected), its applicant gets an
 * SMS with a link that opens the rating page without signing in. The link carries a random token
 * of 256 bits; only its SM3 digest is stored, with an expiry, and it works once.
 */
import type { Db } from '../../platform/db/index.ts';
import type { Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import { AppError, notFound } from '../../platform/http/errors.ts';
import { notifyApplicant } from './notifications.ts';
import type { CaseRow } from './queries/cases.ts';

/** How long the link works. */
export const INVITATION_DAYS = 15;

interface InvitationTable {
  application_id: string;
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}
export type InvitationTables = { approval_rating_invitations: InvitationTable };
const q = (db: Db) => db.withTables<InvitationTables>();

/** Token shape: base64url of 32 random bytes. Anything else is not a token of ours. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const digest = (platform: Pick<Platform, 'crypto'>, token: string) => platform.crypto.sm3(`approval-rating:${token}`);

/** Issues the invitation of a case that just ended and sends its link, in the caller's unit of work; once per case. */
export async function inviteRating(work: Work, platform: Platform, app: CaseRow, itemName: string) {
  const token = platform.crypto.randomToken(32);
  const now = platform.clock.now();
  const row = await q(work.tx)
    .insertInto('approval_rating_invitations')
    .values({ application_id: app.id, token_hash: digest(platform, token), created_at: now, expires_at: new Date(now.getTime() + INVITATION_DAYS * 86_400_000), used_at: null })
    .onConflict((oc) => oc.column('application_id').doNothing())
    .returning('application_id')
    .executeTakeFirst();
  if (!row) return;
  const url = `${platform.config.publicUrl}/services/rate/${token}`;
  await notifyApplicant(work, platform, app, 'approval.case.rate', { receiptNo: app.receipt_no, itemName, url, days: INVITATION_DAYS }, 'rate');
}

/**
 * The invitation a token names, checked: unknown (or not a token) is 404; used or expired is 409
 * INVALID_STATE with its reason. With `work`, the row is locked until the caller's commit.
 */
export async function invitationOf(platform: Platform, token: string, work?: Work) {
  if (!TOKEN_PATTERN.test(token)) throw notFound();
  let query = q(work?.tx ?? platform.db).selectFrom('approval_rating_invitations').selectAll().where('token_hash', '=', digest(platform, token));
  if (work) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw notFound();
  if (row.used_at) throw new AppError('INVALID_STATE', { detail: { key: 'approval.rating.linkUsed' } });
  if (platform.clock.now().getTime() >= new Date(row.expires_at).getTime()) throw new AppError('INVALID_STATE', { detail: { key: 'approval.rating.linkExpired' } });
  return row;
}

export async function markInvitationUsed(work: Work, platform: Platform, applicationId: string) {
  await q(work.tx).updateTable('approval_rating_invitations').set({ used_at: platform.clock.now() }).where('application_id', '=', applicationId).where('used_at', 'is', null).execute();
}
