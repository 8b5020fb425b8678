/**
 * The document view (/console/exchange/documents/:id): the document laid out like the standard,
 * and around it its state, its elements, its attachments and the link to its PDF. Who may open
 * it: whoever mayReadDocument allows (the sending unit's staff, the clerks of a unit it was
 * delivered to, countersigning units, supervision); anyone else gets 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { Id, Strict } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import { Notice, PageQueryFields, attr, formatDateTime, type ViewContext } from '../../../platform/views/index.ts';
import { writtenDate } from '../../../platform/documents/index.ts';
import { DRAFT_PERMISSION, RECEIVE_PERMISSION, exchangeDb, type DocumentRow } from '../model.ts';
import { documentElements, readableDocument, sealOf, type DocumentElements } from '../queries/official.ts';
import { OfficialDocumentLayout } from './document-layout.tsx';
import { SignoffPanel, signoffPanelData } from './signoff-panel.tsx';
import { forwardTargets, ReceiptActionsPanel, ReceiptMatrixPanel } from './receipts-panel.tsx';
import { receiptMatrix } from '../queries/receipts.ts';
import { isSender, principalUnitIds } from '../queries/access.ts';
import { hasPermission } from '../../../platform/iam/principal.ts';

export const documentPath = (id: string) => `/console/exchange/documents/${encodeURIComponent(id)}`;
export const documentPdfUrl = (id: string) => `/api/v1/exchange/documents/${encodeURIComponent(id)}.pdf`;

/**
 * The panels around the document, each for whom it concerns:
 * - signoff: the sign-off (拟稿 → 核稿 → 会签 → 签发) with every opinion and, for whoever holds the
 *   open step, its decision (signoff-panel.tsx);
 * - actions: for the sending unit's clerk, editing and 送签 of a draft, 分发 of a signed-off one;
 * - receipts: for the sender, the receipt matrix with remind and recall; for a recipient clerk, its
 *   receipt's sign / return / forward (receipts-panel.tsx).
 */
export interface DocumentPagePanels {
  signoff: (ctx: ViewContext) => JSX.Element;
  actions: (ctx: ViewContext) => JSX.Element;
  receipts: (ctx: ViewContext) => JSX.Element;
}

const nothing = () => '';

async function documentPagePanels(platform: Platform, request: FastifyRequest, row: DocumentRow): Promise<DocumentPagePanels> {
  const principal = request.principal!;
  const sender = await isSender(platform.db, principal, row);
  const signoffData = await signoffPanelData(platform, principal, row.id);
  const showSignoff = signoffData.history.length > 0 || signoffData.open.length > 0;
  const drafting = sender && hasPermission(principal, DRAFT_PERMISSION);
  const panels: DocumentPagePanels = { signoff: showSignoff ? (ctx) => <SignoffPanel ctx={ctx} data={signoffData} /> : nothing, actions: nothing, receipts: nothing };
  if (drafting && (row.state === 'draft' || row.state === 'signed_off')) {
    const href = row.state === 'draft' ? `${documentPath(row.id)}/edit` : `${documentPath(row.id)}/send`;
    const key = row.state === 'draft' ? 'page.exchange.view.editAndSubmit' : 'page.exchange.view.distribute';
    panels.actions = (ctx) => (
      <p class="actions">
        <a class="button" href={attr(href)}>
          {ctx.t(key)}
        </a>
      </p>
    );
  }
  if (row.state !== 'sent' && row.state !== 'recalled') return panels;
  if (sender) {
    const matrix = await receiptMatrix(platform.db, row.id);
    panels.receipts = (ctx) => <ReceiptMatrixPanel ctx={ctx} documentId={row.id} matrix={matrix} canAct={drafting && row.state === 'sent'} />;
    return panels;
  }
  const own = await exchangeDb(platform.db)
    .selectFrom('exchange_receipts')
    .select(['id', 'unit_id', 'state', 'signed_at', 'returned_at', 'reason'])
    .where('document_id', '=', row.id)
    .where('unit_id', 'in', principalUnitIds(principal))
    .where('state', '<>', 'recalled')
    .executeTakeFirst();
  if (own && hasPermission(principal, RECEIVE_PERMISSION)) {
    const forwardUnits = own.state === 'signed' ? await forwardTargets(platform.db, own.unit_id) : [];
    const receipt = { id: own.id, state: own.state, signedAt: own.signed_at, returnedAt: own.returned_at, reason: own.reason };
    panels.receipts = (ctx) => <ReceiptActionsPanel ctx={ctx} receipt={receipt} forwardUnits={forwardUnits} />;
  }
  return panels;
}

const Params = Strict({ id: Id });
const PlainQuery = Strict({ ...PageQueryFields });

function Elements({ ctx, e }: { ctx: ViewContext; e: DocumentElements }) {
  const { row, layout } = e;
  const none = ctx.t('page.exchange.view.none');
  const rows: Array<[string, JSX.Element]> = [
    ['page.exchange.view.docType', ctx.t(`page.exchange.view.docType.${row.doc_type}`)],
    ['page.exchange.view.copyNo', layout.copyNo ? <span class="mono" safe>{layout.copyNo}</span> : none],
    ['page.exchange.view.secrecy', layout.secrecy ? <span safe>{layout.secrecy}</span> : none],
    ['page.exchange.view.urgency', layout.urgency ? <span safe>{layout.urgency}</span> : none],
    ['page.exchange.view.authority', <span safe>{row.issuing_authority}</span>],
    ['page.exchange.view.sendingUnit', <span safe>{e.sendingUnitName}</span>],
    ['page.exchange.view.docNumber', <span safe>{row.doc_number}</span>],
    ...(layout.upward ? ([['page.exchange.view.signer', row.signer ? <span safe>{row.signer}</span> : none]] as Array<[string, JSX.Element]>) : []),
    ['page.exchange.view.writtenDate', <span safe>{writtenDate(layout.writtenDate)}</span>],
    ['page.exchange.view.mainRecipients', layout.mainRecipients.length ? <span safe>{layout.mainRecipients.join('、')}</span> : none],
    ['page.exchange.view.cc', layout.cc?.length ? <span safe>{layout.cc.join('、')}</span> : none],
    ['page.exchange.view.printingUnit', layout.printingUnit ? <span safe>{layout.printingUnit}</span> : none],
    ['page.exchange.view.printedDate', layout.printedDate ? <span safe>{writtenDate(layout.printedDate)}</span> : none],
    ['page.exchange.view.notes', layout.notes ? <span safe>{layout.notes}</span> : none],
  ];
  return (
    <section class="panel" aria-labelledby="doc-elements">
      <h2 id="doc-elements">{ctx.t('page.exchange.view.elements')}</h2>
      <dl class="stat-list od-elements">
        {rows.map(([key, value]) => (
          <>
            <dt>{ctx.t(key)}</dt>
            <dd>{value}</dd>
          </>
        ))}
      </dl>
    </section>
  );
}

function Attachments({ ctx, e }: { ctx: ViewContext; e: DocumentElements }) {
  return (
    <section class="panel" aria-labelledby="doc-attachments">
      <h2 id="doc-attachments">{ctx.t('page.exchange.view.attachments')}</h2>
      {e.attachments.length ? (
        <ul class="role-list">
          {e.attachments.map((f) => (
            <li>
              <a href={`/api/v1/files/${attr(f.id)}`} safe>
                {f.name}
              </a>{' '}
              <span class="muted">{ctx.t('page.exchange.view.attachmentSize', { size: Math.max(1, Math.round(f.size / 1024)) })}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{ctx.t('page.exchange.view.noAttachments')}</p>
      )}
    </section>
  );
}

async function renderDocument(platform: Platform, request: FastifyRequest, reply: FastifyReply, id: string) {
  const row = await readableDocument(platform.db, request.principal!, id);
  const e = await documentElements(platform.db, row);
  const seal = await sealOf(platform.db, platform, e);
  const panels = await documentPagePanels(platform, request, row);
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('page.exchange.view.title', { number: row.doc_number }),
    crumbs: [{ label: ctx.t('page.exchange.view.crumb') }],
    body: (
      <>
        {row.state === 'recalled' ? (
          <Notice kind="warning" title={ctx.t('page.exchange.view.recalled', { at: row.recalled_at ? formatDateTime(new Date(row.recalled_at), ctx.lang) : '' })}>
            {row.recall_reason ? <p>{ctx.t('page.exchange.view.recallReason', { reason: row.recall_reason })}</p> : ''}
          </Notice>
        ) : (
          ''
        )}
        <section class="panel" aria-labelledby="doc-status">
          <h2 id="doc-status">{ctx.t('page.exchange.view.status')}</h2>
          <dl class="stat-list">
            <dt>{ctx.t('page.exchange.view.state')}</dt>
            <dd>
              <span class="tag">{ctx.t(`page.exchange.view.state.${row.state}`)}</span>
            </dd>
            {row.sent_at ? (
              <>
                <dt>{ctx.t('page.exchange.view.sentAt')}</dt>
                <dd safe>{formatDateTime(new Date(row.sent_at), ctx.lang)}</dd>
              </>
            ) : (
              ''
            )}
          </dl>
          {panels.actions(ctx)}
          <ul class="actions">
            <li>
              <a class="button button-secondary" href={attr(documentPdfUrl(row.id))}>
                {ctx.t('page.exchange.view.downloadPdf')}
              </a>
            </li>
          </ul>
        </section>
        <OfficialDocumentLayout
          ctx={ctx}
          doc={{ ...e.layout, seal, attachments: e.attachments.map((f) => ({ name: f.name.replace(/\.[a-z0-9]{1,5}$/i, ''), href: `/api/v1/files/${f.id}` })) }}
        />
        <div class="od-panel-slot">{panels.receipts(ctx)}</div>
        <div class="od-panel-slot">{panels.signoff(ctx)}</div>
        <Elements ctx={ctx} e={e} />
        <Attachments ctx={ctx} e={e} />
      </>
    ),
  }));
}

export async function documentViewPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Params: Static<typeof Params>; Querystring: Static<typeof PlainQuery> }>(
    '/console/exchange/documents/:id',
    { schema: { params: Params, querystring: PlainQuery }, config: { auth: 'user' } },
    async (request, reply) => renderDocument(platform, request, reply, request.params.id),
  );
}
