/**
 * Parts of the document view page (/console/exchange/documents/:id) for distribution: the sender's
 * receipt matrix (who has and has not signed, the counts, remind and recall) and the recipient's
 * actions on its receipt (sign for, return with a reason, forward down). Plain forms, no script needed.
 */
import Html from '@kitajs/html';
import type { Db } from '../../../platform/db/index.ts';
import { regionPrefix } from '../../../platform/org/codes.ts';
import { attr, Csrf, DataTable, formatDateTime, PostButton, type ViewContext } from '../../../platform/views/index.ts';
import type { ReceiptMatrix } from '../queries/receipts.ts';
import type { ReceiptState } from '../model.ts';
import { orgDb } from '../groups.ts';

export function ReceiptStateTag({ ctx, state }: { ctx: ViewContext; state: ReceiptState }) {
  const tone = state === 'signed' ? 'success' : state === 'delivered' ? 'warning' : 'neutral';
  return <span class={`tag tag-${tone}`}>{ctx.t(`page.exchange.receipt.state.${state}`)}</span>;
}

const when = (ctx: ViewContext, value: Date | null) => (value ? formatDateTime(value, ctx.lang) : '');

/** The sender's view of every recipient; `canAct`: the caller is a clerk of the sending unit and the document is sent. */
export function ReceiptMatrixPanel({ ctx, documentId, matrix, canAct }: { ctx: ViewContext; documentId: string; matrix: ReceiptMatrix; canAct: boolean }) {
  const { counts } = matrix;
  return (
    <section class="panel" aria-labelledby="receipts-heading">
      <h2 id="receipts-heading">{ctx.t('page.exchange.receipts.title')}</h2>
      <p>{ctx.t('page.exchange.receipts.counts', { total: counts.total, signed: counts.signed, delivered: counts.delivered, returned: counts.returned })}</p>
      <DataTable
        id="receipts"
        stack
        caption={ctx.t('page.exchange.receipts.caption')}
        head={[ctx.t('page.exchange.receipts.unit'), ctx.t('page.exchange.receipts.copyKind'), ctx.t('page.exchange.receipts.state'), ctx.t('page.exchange.receipts.at'), ctx.t('page.exchange.receipts.reason')]}
      >
        {matrix.items.map((r) => (
          <tr>
            <td safe>{r.unitName}</td>
            <td data-label={ctx.ta('page.exchange.receipts.copyKind')}>{ctx.t(`page.exchange.copyKind.${r.copyKind}`)}</td>
            <td data-label={ctx.ta('page.exchange.receipts.state')}>
              <ReceiptStateTag ctx={ctx} state={r.state} />
            </td>
            <td data-label={ctx.ta('page.exchange.receipts.at')} safe>
              {when(ctx, r.signedAt ?? r.returnedAt ?? r.deliveredAt)}
            </td>
            {r.reason ? (
              <td data-label={ctx.ta('page.exchange.receipts.reason')} safe>
                {r.reason}
              </td>
            ) : (
              <td></td>
            )}
          </tr>
        ))}
      </DataTable>
      {canAct && counts.delivered > 0 ? <PostButton ctx={ctx} action={`/console/exchange/documents/${documentId}/remind`} label={ctx.ta('page.exchange.remind.button', { count: counts.delivered })} /> : ''}
      {canAct && counts.signed === 0 && counts.total > counts.recalled ? (
        <form method="post" action={`/console/exchange/documents/${attr(documentId)}/recall`} class="stack">
          <Csrf ctx={ctx} />
          <div class="field">
            <label class="label" for="recall-reason">
              {ctx.t('page.exchange.recall.reason')}
            </label>
            <textarea class="textarea" id="recall-reason" name="reason" rows="2" maxlength="500" required></textarea>
          </div>
          <button type="submit" class="button button-danger">
            {ctx.t('page.exchange.recall.button')}
          </button>
        </form>
      ) : (
        ''
      )}
    </section>
  );
}

export interface ReceiptForPanel {
  id: string;
  state: ReceiptState;
  signedAt: Date | null;
  returnedAt: Date | null;
  reason: string | null;
}

/** The units a receiving unit may forward to: those under it by parent, and for a government unit those of the regions under its own. */
export async function forwardTargets(db: Db, unitId: string): Promise<Array<{ id: string; name: string }>> {
  const unit = await orgDb(db).selectFrom('units').select(['id', 'region_code', 'kind']).where('id', '=', unitId).executeTakeFirst();
  if (!unit) return [];
  let query = orgDb(db).selectFrom('units').select(['id', 'name']).where('disabled_at', 'is', null).where('id', '<>', unit.id);
  query =
    unit.kind === 'government'
      ? query.where((eb) => eb.or([eb('parent_id', '=', unit.id), eb.and([eb('region_code', 'like', `${regionPrefix(unit.region_code)}%`), eb('region_code', '<>', unit.region_code)])]))
      : query.where('parent_id', '=', unit.id);
  return query.orderBy('region_code').orderBy('name').limit(500).execute();
}

/** The receiving unit's actions on its receipt; `returnTo`: 'inbox' to come back to the inbox afterwards. */
export function ReceiptActionsPanel({ ctx, receipt, forwardUnits, returnTo }: { ctx: ViewContext; receipt: ReceiptForPanel; forwardUnits: Array<{ id: string; name: string }>; returnTo?: 'inbox' }) {
  const base = `/console/exchange/receipts/${receipt.id}`;
  const back = returnTo ? { returnTo } : undefined;
  return (
    <section class="panel" aria-labelledby={`receipt-${attr(receipt.id)}-heading`}>
      <h2 id={`receipt-${attr(receipt.id)}-heading`}>{ctx.t('page.exchange.receipt.title')}</h2>
      <p>
        <ReceiptStateTag ctx={ctx} state={receipt.state} /> <span safe>{when(ctx, receipt.signedAt ?? receipt.returnedAt)}</span>
      </p>
      {receipt.reason ? <p>{ctx.t('page.exchange.receipt.returnedBecause', { reason: receipt.reason })}</p> : ''}
      {receipt.state === 'delivered' ? (
        <>
          <PostButton ctx={ctx} action={`${base}/sign`} label={ctx.ta('page.exchange.sign.button')} fields={back} variant="secondary" />
          <details>
            <summary>{ctx.t('page.exchange.return.button')}</summary>
            <form method="post" action={attr(`${base}/return`)} class="stack">
              <Csrf ctx={ctx} />
              {returnTo ? <input type="hidden" name="returnTo" value="inbox" /> : ''}
              <div class="field">
                <label class="label" for={`return-reason-${attr(receipt.id)}`}>
                  {ctx.t('page.exchange.return.reason')}
                </label>
                <textarea class="textarea" id={`return-reason-${attr(receipt.id)}`} name="reason" rows="2" maxlength="500" required></textarea>
              </div>
              <button type="submit" class="button button-secondary">
                {ctx.t('page.exchange.return.submit')}
              </button>
            </form>
          </details>
        </>
      ) : (
        ''
      )}
      {receipt.state === 'signed' && forwardUnits.length ? (
        <form method="post" action={attr(`${base}/forward`)} class="stack">
          <Csrf ctx={ctx} />
          <fieldset class="fieldset">
            <legend>{ctx.t('page.exchange.forward.legend')}</legend>
            {forwardUnits.map((u) => (
              <label class="checkbox">
                <input type="checkbox" name="unitIds" value={attr(u.id)} /> {Html.escapeHtml(u.name)}
              </label>
            ))}
          </fieldset>
          <button type="submit" class="button button-secondary">
            {ctx.t('page.exchange.forward.button')}
          </button>
        </form>
      ) : (
        ''
      )}
    </section>
  );
}
