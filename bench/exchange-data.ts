/**
 * Generator of the document exchange benchmark data, in bulk on PostgreSQL (INSERT … SELECT
 * generate_series, never row by row): `units` units with a clerk (doc_clerk) each, documents
 * sent over the past year to ten units each until there are `receipts` receipts in all (98% signed,
 * 1% returned, 1% still delivered), among them one document sent to `matrixUnits` units (the
 * sender's receipt matrix). Accounts, roles and tokens go through the platform's services (one
 * password hash for all); the documents and receipts are written straight into the tables.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { Platform } from '../src/platform/module.ts';
import { inTransaction, SYSTEM_ACTOR } from '../src/platform/db/work.ts';
import { createRegion } from '../src/platform/org/service.ts';
import { createApiToken, grantRolesBySystem, insertStaffUser } from '../src/platform/iam/index.ts';
import { hashPassword } from '../src/platform/iam/passwords.ts';
import type { Role } from '../src/platform/iam/roles.ts';

export interface ExchangeBenchOptions {
  /** Units, each with one doc_clerk (at least matrixUnits + 1). */
  units: number;
  /** Receipts in all (the matrix document's included). */
  receipts: number;
  /** Recipients of the matrix document. */
  matrixUnits: number;
  /** Recipients of every other document. */
  perDocument: number;
  log?: (line: string) => void;
}

export interface ExchangeBenchData {
  unitIds: string[];
  /** Bearer tokens of each unit's clerk, by unit id; and of the first unit's leader. */
  clerkTokens: Map<string, string>;
  leaderToken: string;
  /** The document sent to matrixUnits units, from unitIds[0]. */
  matrixDocumentId: string;
  documents: number;
  receipts: number;
}

export const EXCHANGE_REGION = '330100';
const unitId = (n: number) => `xu-${String(n).padStart(5, '0')}`;
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** Units, their clerks (with tokens valid for a day) and the first unit's leader. */
export async function seedExchangeUnits(platform: Platform, count: number): Promise<Pick<ExchangeBenchData, 'unitIds' | 'clerkTokens' | 'leaderToken'>> {
  const db = platform.db;
  const exists = await sql<{ n: number }>`select count(*)::int as n from units where id like 'xu-%'`.execute(db);
  if (Number(exists.rows[0].n) === 0) {
    await inTransaction(db, SYSTEM_ACTOR, async (work) => {
      await createRegion(work, { code: '330000', name: '基准省', level: 'province' });
      await createRegion(work, { code: EXCHANGE_REGION, name: '基准市', level: 'city', parentCode: '330000' });
    });
    await sql`
      insert into units (id, name, region_code, kind, created_at, updated_at)
      select 'xu-' || lpad(g::text, 5, '0'), '基准单位' || g, ${EXCHANGE_REGION}, case when g = 0 then 'government' else 'department' end, now(), now()
        from generate_series(0, ${count - 1}) g`.execute(db);
  }
  const unitIds = Array.from({ length: count }, (_, n) => unitId(n));
  // One password hash for every account: argon2 runs once.
  const passwordHash = await hashPassword('Bench!Passw0rd');
  const clerkTokens = new Map<string, string>();
  const account = async (unit: string, role: Role, n: number) =>
    inTransaction(db, SYSTEM_ACTOR, async (work) => {
      const username = `xb-${unit}-${role}-${n}-${Date.now().toString(36)}`;
      const user = await insertStaffUser(work, platform, { username, displayName: `${unit}${role}`, unitId: unit, passwordHash }, { mustChangePassword: false });
      await grantRolesBySystem(work, user.id, [{ role, scope: { unitId: unit } }]);
      return (await createApiToken(work, platform, user.id, 'bench', 1)).token;
    });
  for (const unit of unitIds) clerkTokens.set(unit, await account(unit, 'doc_clerk', 0));
  const leaderToken = await account(unitIds[0], 'unit_leader', 0);
  return { unitIds, clerkTokens, leaderToken };
}

/** Documents and receipts of the past year, in bulk; returns what it wrote. */
export async function seedExchangeDocuments(platform: Platform, options: ExchangeBenchOptions): Promise<Pick<ExchangeBenchData, 'matrixDocumentId' | 'documents' | 'receipts'>> {
  const db = platform.db;
  const log = options.log ?? (() => undefined);
  const { units, perDocument, matrixUnits } = options;
  if (matrixUnits >= units) throw new Error('the matrix document needs more units than recipients');
  // Recipient k of a document is `sender + 1 + k * stride` (mod units): distinct, never the sender.
  const stride = Math.floor((units - 1) / perDocument);
  const documents = Math.floor((options.receipts - matrixUnits) / perDocument);
  const now = platform.clock.now();
  const t = performance.now();
  // Document g is sent g * (365 days / documents) before now, from unit g % units.
  await sql`
    insert into exchange_documents (id, sending_unit_id, drafted_by, state, doc_type, urgency, issuing_authority, doc_number, title, body,
                                    main_recipient_ids, written_date, content_hash, sent_at, sent_by, created_at, updated_at)
    select 'xd-' || g, 'xu-' || lpad((g % ${units})::text, 5, '0'), 'bench', 'sent', 'notice', case when g % 10 = 0 then 'urgent' else 'normal' end,
           '基准单位' || (g % ${units}), '基准发〔2026〕' || g || '号', '关于第' || g || '项工作的通知', '<p>正文</p>',
           '[]', (s - interval '1 day')::date, md5(g::text), s, 'bench', s - interval '1 day', s
      from generate_series(1, ${documents}) g, lateral (select ${now}::timestamptz - (g * (365.0 / ${documents})) * interval '1 day' as s) x`.execute(db);
  log(`  ${documents.toLocaleString('en')} documents in ${seconds(t)}`);
  const t2 = performance.now();
  // Receipts: 98% signed within 0–47 hours, 1% returned, 1% (the most recent ones first) still delivered.
  await sql`
    insert into exchange_receipts (id, document_id, unit_id, copy_kind, state, delivered_at, chase_at, signed_at, signed_by, returned_at, returned_by, reason)
    select 'xr-' || g || '-' || k, 'xd-' || g, 'xu-' || lpad((((g % ${units}) + 1 + k * ${stride}) % ${units})::text, 5, '0'),
           'main', st, s, s + interval '1 day',
           case when st = 'signed' then s + ((g + k) % 48) * interval '1 hour' end, case when st = 'signed' then 'bench' end,
           case when st = 'returned' then s + interval '2 hours' end, case when st = 'returned' then 'bench' end, case when st = 'returned' then '不属于本单位' end
      from generate_series(1, ${documents}) g
     cross join generate_series(0, ${perDocument - 1}) k,
     lateral (select ${now}::timestamptz - (g * (365.0 / ${documents})) * interval '1 day' as s,
                     case when (g * ${perDocument} + k) % 100 = 0 then 'delivered' when (g * ${perDocument} + k) % 100 = 1 then 'returned' else 'signed' end as st) x`.execute(db);
  log(`  ${(documents * perDocument).toLocaleString('en')} receipts in ${seconds(t2)}`);
  // The matrix document: from unit 0 to units 1..matrixUnits, a day ago, half of them signed.
  const matrixDocumentId = 'xd-matrix';
  await sql`
    insert into exchange_documents (id, sending_unit_id, drafted_by, state, issuing_authority, doc_number, title, body, written_date, content_hash, sent_at, sent_by, created_at, updated_at)
    values (${matrixDocumentId}, ${unitId(0)}, 'bench', 'sent', '基准单位0', '基准发〔2026〕0号', '关于全市工作的通知', '<p>正文</p>', ${now}::date, 'x',
            ${now}::timestamptz - interval '1 day', 'bench', ${now}::timestamptz - interval '2 days', ${now}::timestamptz - interval '1 day')`.execute(db);
  await sql`
    insert into exchange_receipts (id, document_id, unit_id, copy_kind, state, delivered_at, chase_at, signed_at, signed_by)
    select 'xm-' || g, ${matrixDocumentId}, 'xu-' || lpad(g::text, 5, '0'), case when g % 5 = 0 then 'cc' else 'main' end,
           case when g % 2 = 0 then 'signed' else 'delivered' end, ${now}::timestamptz - interval '1 day', ${now}::timestamptz,
           case when g % 2 = 0 then ${now}::timestamptz - interval '20 hours' end, case when g % 2 = 0 then 'bench' end
      from generate_series(1, ${matrixUnits}) g`.execute(db);
  const t3 = performance.now();
  await sql`vacuum analyze exchange_documents`.execute(db);
  await sql`vacuum analyze exchange_receipts`.execute(db);
  log(`  vacuum analyze in ${seconds(t3)}; all in ${seconds(t)}`);
  return { matrixDocumentId, documents: documents + 1, receipts: documents * perDocument + matrixUnits };
}
