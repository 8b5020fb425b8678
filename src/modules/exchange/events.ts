import { publish, type DomainEvent } from '../../platform/events.ts';
import type { Work } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';

export const EXCHANGE_DOCUMENT_CHANGED = 'exchange.document.changed';

/**
 * Something happened to a document or one of its receipts; published inside the unit of work that
 * did it, so that supervision checks the document's sign-off (`exchange_document`) and, when a
 * receipt is named, that receipt (`exchange_receipt`) in the same transaction.
 */
export interface ExchangeDocumentChanged extends DomainEvent {
  type: typeof EXCHANGE_DOCUMENT_CHANGED;
  documentId: string;
  /** The receipt acted on (signed, returned, reminded …), when the action was a receipt's. */
  receiptId: string | null;
  /** submit, a sign-off step's outcome, send, recall, sign, return, remind, chase … */
  action: string;
  /** The sign-off step acted on, when the action was a step's. */
  stepKey: string | null;
}

/** Publishes that a document (and, when named, one of its receipts) changed, in the caller's unit of work. */
export async function documentChanged(work: Work, platform: Platform, change: { documentId: string; action: string; receiptId?: string | null; stepKey?: string | null }) {
  await publish<ExchangeDocumentChanged>(work, platform, { type: EXCHANGE_DOCUMENT_CHANGED, documentId: change.documentId, action: change.action, receiptId: change.receiptId ?? null, stepKey: change.stepKey ?? null });
}
