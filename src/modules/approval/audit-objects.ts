/** Applications and items in the audit log: by receipt number and item name, linked to their staff pages. */
import type { AuditObjectResolver } from '../../platform/module.ts';
import type { ApprovalTables } from './model.ts';

export const approvalAuditObjects: Record<string, AuditObjectResolver> = {
  approval_application: async (db, ids) => {
    const rows = await db
      .withTables<ApprovalTables>()
      .selectFrom('approval_applications as a')
      .innerJoin('approval_items as i', 'i.id', 'a.item_id')
      .select(['a.id', 'a.receipt_no', 'i.name'])
      .where('a.id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.id, { name: `${r.receipt_no} ${r.name}`, href: `/console/approval/cases/${encodeURIComponent(r.id)}` }]));
  },
  approval_item: async (db, ids) => {
    const rows = await db.withTables<ApprovalTables>().selectFrom('approval_items').select(['id', 'name', 'version']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, { name: r.name, href: `/console/approval/items/${encodeURIComponent(r.id)}` }]));
  },
};
