import { AppError, fieldError, notFound } from '../../http/errors.ts';
import type { Work } from '../../db/work.ts';
import { recordAudit } from '../../audit/service.ts';
import { maskIdNumber, maskPhone } from '../../org/codes.ts';
import { openField } from '../../crypto/fields.ts';
import type { Platform } from '../../module.ts';
import type { Principal } from '../principal.ts';
import { findUserById, iam } from '../queries.ts';
import { createPublicAccount } from './register-public-user.ts';

/**
 * An enterprise's agents (经办人): public accounts acting for the company that added them. They
 * sign in with their own mobile number (by SMS code, or a password set by SMS reset).
 */
async function requireEnterpriseHolder(work: Work | null, platform: Platform, principal: Principal) {
  const user = await findUserById(work ? work.tx : platform.db, principal.userId);
  if (!user || user.kind !== 'public' || user.applicant_kind !== 'enterprise' || user.company_user_id) throw new AppError('FORBIDDEN', { detail: { key: 'iam.agentOnlyEnterprise' } });
  return user;
}

export async function addAgent(work: Work, platform: Platform, principal: Principal, input: { name: string; phone: string; idNumber: string }) {
  const company = await requireEnterpriseHolder(work, platform, principal);
  if (!input.idNumber.trim()) throw new AppError('VALIDATION_FAILED', { errors: [fieldError('idNumber', 'iam.idNumberRequired')] });
  // Nobody knows this password: the agent signs in by SMS code or sets one by SMS reset.
  const password = `Ag#${platform.crypto.randomToken(24)}`;
  const row = await createPublicAccount(
    work,
    platform,
    { kind: 'enterprise', phone: input.phone, password, name: input.name, idNumber: input.idNumber, creditCode: company.credit_code ?? undefined, companyName: company.company_name ?? undefined },
    { companyUserId: company.id, action: 'user.agent.add' },
  );
  return agentView(platform, row);
}

export async function listAgents(platform: Platform, principal: Principal) {
  const company = await requireEnterpriseHolder(null, platform, principal);
  const rows = await iam(platform.db).selectFrom('users').selectAll().where('company_user_id', '=', company.id).where('disabled_at', 'is', null).orderBy('created_at').execute();
  return rows.map((r) => agentView(platform, r));
}

export async function removeAgent(work: Work, platform: Platform, principal: Principal, agentId: string) {
  const company = await requireEnterpriseHolder(work, platform, principal);
  const now = platform.clock.now();
  const res = await iam(work.tx).updateTable('users').set({ disabled_at: now, updated_at: now }).where('id', '=', agentId).where('company_user_id', '=', company.id).where('disabled_at', 'is', null).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw notFound();
  await iam(work.tx).updateTable('sessions').set({ ended_at: now, end_reason: 'disabled' }).where('user_id', '=', agentId).where('ended_at', 'is', null).execute();
  recordAudit(work, { action: 'user.agent.remove', objectType: 'user', objectId: agentId, details: { companyUserId: company.id } }, now);
}

function agentView(platform: Platform, row: { id: string; real_name: string | null; display_name: string; phone_sealed: string | null; id_number_sealed: string | null; created_at: Date | string }) {
  return {
    id: row.id,
    name: row.real_name ?? row.display_name,
    phone: row.phone_sealed ? maskPhone(openField(platform, row.phone_sealed)) : null,
    idNumber: row.id_number_sealed ? maskIdNumber(openField(platform, row.id_number_sealed)) : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
