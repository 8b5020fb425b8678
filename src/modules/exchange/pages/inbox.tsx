/** 收文: the unit's received documents, unsigned first; sign for or return each from the list. */
import Html from '@kitajs/html';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import { attr, DataTable, EmptyState, formatDateTime, PageQueryFields, Pagination } from '../../../platform/views/index.ts';
import { RECEIPT_STATES, RECEIVE_PERMISSION } from '../model.ts';
import { inboxUnit, listInbox } from '../queries/receipts.ts';
import { ReceiptActionsPanel, ReceiptStateTag } from './receipts-panel.tsx';

const InboxQuery = Strict({ state: Type.Optional(Type.Union(RECEIPT_STATES.map((s) => Type.Literal(s)))), cursor: Type.Optional(Type.String({ maxLength: 300 })), ...PageQueryFields });

export async function inboxPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof InboxQuery> }>('/console/exchange/inbox', { schema: { querystring: InboxQuery }, config: { auth: RECEIVE_PERMISSION } }, async (request, reply) => {
    const unitId = await inboxUnit(platform.db, request.principal!, undefined);
    const page = await listInbox(platform.db, unitId, { state: request.query.state, cursor: request.query.cursor, limit: 20 });
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.exchange.inbox.title'),
      lead: ctx.t('page.exchange.inbox.lead'),
      crumbs: [{ label: ctx.t('page.exchange.inbox.title') }],
      body: page.items.length ? (
        <>
          <DataTable
            id="inbox"
            stack
            caption={ctx.t('page.exchange.inbox.caption', { count: page.items.length })}
            head={[ctx.t('page.exchange.inbox.document'), ctx.t('page.exchange.inbox.from'), ctx.t('page.exchange.inbox.deliveredAt'), ctx.t('page.exchange.receipts.state'), ctx.t('page.exchange.inbox.actions')]}
          >
            {page.items.map((item) => (
              <tr>
                <td>
                  <a href={`/console/exchange/documents/${attr(item.documentId)}`}>{Html.escapeHtml(item.title)}</a>
                  <br />
                  <span class="muted mono" safe>
                    {item.docNumber}
                  </span>
                  {item.urgency !== 'normal' ? <span class={`tag tag-danger`}>{ctx.t(`page.exchange.urgency.${item.urgency}`)}</span> : ''}
                </td>
                <td data-label={ctx.ta('page.exchange.inbox.from')} safe>
                  {item.fromUnitName}
                </td>
                <td data-label={ctx.ta('page.exchange.inbox.deliveredAt')} safe>
                  {formatDateTime(item.deliveredAt, ctx.lang)}
                </td>
                <td data-label={ctx.ta('page.exchange.receipts.state')}>
                  <ReceiptStateTag ctx={ctx} state={item.state} />
                </td>
                <td>{item.state === 'delivered' ? <ReceiptActionsPanel ctx={ctx} receipt={{ id: item.id, state: item.state, signedAt: item.signedAt, returnedAt: item.returnedAt, reason: null }} forwardUnits={[]} returnTo="inbox" /> : ''}</td>
              </tr>
            ))}
          </DataTable>
          <Pagination ctx={ctx} nextCursor={page.next} hasPrevious={!!request.query.cursor} />
        </>
      ) : (
        <EmptyState>{ctx.t('page.exchange.inbox.none')}</EmptyState>
      ),
    }));
  });
}
