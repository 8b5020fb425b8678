/** The chase of unsigned received documents (催办): each due receipt once, its unit's clerks notified. */
import { sql } from '../../platform/db/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import type { JobDefinition, Platform } from '../../platform/module.ts';
import { recordAudit } from '../../platform/audit/service.ts';
import { notifyUnitClerks } from './notify.ts';
import { joinedDb } from './groups.ts';

const BATCH = 1000;

/** Marks up to BATCH due unsigned receipts chased and notifies their units; returns how many. */
export async function chaseDueReceipts(platform: Platform): Promise<number> {
  return inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
    const now = platform.clock.now();
    const { rows } = await sql<{ id: string; document_id: string; unit_id: string }>`
      update exchange_receipts set chased_at = ${now}
      where id in (
        select id from exchange_receipts
        where state = 'delivered' and chase_at <= ${now} and chased_at is null
        order by chase_at limit ${BATCH} for update skip locked)
      returning id, document_id, unit_id`.execute(work.tx);
    if (!rows.length) return 0;
    const byDocument = new Map<string, string[]>();
    for (const r of rows) byDocument.set(r.document_id, [...(byDocument.get(r.document_id) ?? []), r.unit_id]);
    const documents = await joinedDb(work.tx)
      .selectFrom('exchange_documents as d')
      .innerJoin('units as u', 'u.id', 'd.sending_unit_id')
      .select(['d.id', 'd.title', 'd.doc_number', 'u.name'])
      .where('d.id', 'in', [...byDocument.keys()])
      .execute();
    for (const d of documents) {
      await notifyUnitClerks(work, platform, byDocument.get(d.id)!, 'exchange.chased', { title: d.title, docNumber: d.doc_number, fromUnit: d.name });
    }
    recordAudit(work, { action: 'exchange.receipt.chase', objectType: 'exchange_receipt', objectId: null, details: { receipts: rows.length, documents: byDocument.size } }, now);
    return rows.length;
  });
}

export const distributionJobs: JobDefinition[] = [
  {
    name: 'exchange.chase',
    everySeconds: 600,
    async run(platform) {
      while ((await chaseDueReceipts(platform)) === BATCH);
    },
  },
];
