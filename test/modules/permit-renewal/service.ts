/**
 * Permit renewals (换证申请): a holder asks for a permit to be renewed; the responsible unit has
 * a number of working days to finish it. One step per renewal ('review'), with its deadline, unit
 * and person. Every change publishes `renewal.changed` in the same unit of work.
 */
import crypto from 'node:crypto';
import type { Db } from '../../../src/platform/db/index.ts';
import type { Work } from '../../../src/platform/db/work.ts';
import type { Platform } from '../../../src/platform/module.ts';
import { publish } from '../../../src/platform/events.ts';
import { recordAudit } from '../../../src/platform/audit/service.ts';
import { addWorkingDays, shanghaiDate } from '../../../src/platform/calendar/index.ts';
import { blindIndex } from '../../../src/platform/crypto/fields.ts';
import { AppError, notFound } from '../../../src/platform/http/errors.ts';
import type { DomainEvent } from '../../../src/platform/events.ts';

export const RENEWAL_CHANGED = 'renewal.changed';

export interface RenewalChanged extends DomainEvent {
  type: typeof RENEWAL_CHANGED;
  renewalId: string;
  unitId: string;
  what: 'opened' | 'finished';
}

export interface RenewalRow {
  id: string;
  tracking_no: string;
  permit_no: string;
  holder_name: string;
  holder_phone_index: string;
  holder_user_id: string | null;
  unit_id: string;
  assignee: string | null;
  days: number;
  due_date: string;
  state: 'open' | 'done';
  opened_at: Date;
  finished_at: Date | null;
  finished_by: string | null;
}

export type RenewalTables = { renewal_requests: RenewalRow };
export const renewals = (db: Db) => db.withTables<RenewalTables>();

export const phoneIndex = (platform: Pick<Platform, 'crypto' | 'fieldKey'>, phone: string) => blindIndex(platform, `renewal:${phone.trim()}`);

export async function openRenewal(work: Work, platform: Platform, input: { permitNo: string; holderName: string; holderPhone: string; unitId: string; assignee: string | null; days: number }) {
  const now = platform.clock.now();
  const { date: due } = await addWorkingDays(work.tx, shanghaiDate(now), input.days);
  const row = await renewals(work.tx)
    .insertInto('renewal_requests')
    .values({
      id: crypto.randomUUID(),
      tracking_no: `HZ${crypto.randomBytes(5).toString('hex').toUpperCase()}`,
      permit_no: input.permitNo,
      holder_name: input.holderName,
      holder_phone_index: phoneIndex(platform, input.holderPhone),
      holder_user_id: null,
      unit_id: input.unitId,
      assignee: input.assignee,
      days: input.days,
      due_date: due,
      state: 'open',
      opened_at: now,
      finished_at: null,
      finished_by: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  recordAudit(work, { action: 'renewal.open', objectType: 'renewal_request', objectId: row.id }, now);
  await publish<RenewalChanged>(work, platform, { type: RENEWAL_CHANGED, renewalId: row.id, unitId: row.unit_id, what: 'opened' });
  return row;
}

export async function finishRenewal(work: Work, platform: Platform, id: string) {
  const now = platform.clock.now();
  const row = await renewals(work.tx)
    .updateTable('renewal_requests')
    .set({ state: 'done', finished_at: now, finished_by: work.actor.userId })
    .where('id', '=', id)
    .where('state', '=', 'open')
    .returningAll()
    .executeTakeFirst();
  if (!row) {
    const exists = await renewals(work.tx).selectFrom('renewal_requests').select('id').where('id', '=', id).executeTakeFirst();
    throw exists ? new AppError('INVALID_STATE') : notFound();
  }
  recordAudit(work, { action: 'renewal.finish', objectType: 'renewal_request', objectId: id }, now);
  await publish<RenewalChanged>(work, platform, { type: RENEWAL_CHANGED, renewalId: id, unitId: row.unit_id, what: 'finished' });
  return row;
}
