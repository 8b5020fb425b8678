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
import type { DocumentRow } from '../model.ts';
import { documentElements, readableDocument, sealOf, type DocumentElements } from '../queries/official.ts';
import { OfficialDocumentLayout } from './document-layout.tsx';

export const documentPath = (id: string) => `/console/exchange/documents/${encodeURIComponent(id)}`;
export const documentPdfUrl = (id: string) => `/api/v1/exchange/documents/${encodeURIComponent(id)}.pdf`;

/**
 * The panels other parts of the module show on the page, each in its own slot:
 * - signoff: the sign-off (拟稿 → 核稿 → 会签 → 签发) with every opinion, from pages/signoff-panel.tsx;
 * - receipts: the receipt matrix and the recipient's sign/return actions, from pages/receipts-panel.tsx.
 * A part that is not there is '' and leaves its slot empty.
 */
export interface DocumentPagePanels {
  signoff: JSX.Element;
  receipts: JSX.Element;
}

/** The panels for this document and this caller. SLOT: include signoff-panel.tsx and receipts-panel.tsx here. */
async function documentPagePanels(platform: Platform, request: FastifyRequest, row: DocumentRow): Promise<DocumentPagePanels> {
  void platform;
  void request;
  void row;
  return { signoff: '', receipts: '' };
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
  const { signoff, receipts } = await documentPagePanels(platform, request, row);
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
          <ul class="actions">
            <li>
              <a class="button" href={attr(documentPdfUrl(row.id))}>
                {ctx.t('page.exchange.view.downloadPdf')}
              </a>
            </li>
          </ul>
        </section>
        <OfficialDocumentLayout
          ctx={ctx}
          doc={{ ...e.layout, seal, attachments: e.attachments.map((f) => ({ name: f.name.replace(/\.[a-z0-9]{1,5}$/i, ''), href: `/api/v1/files/${f.id}` })) }}
        />
        {/* SLOT signoff: pages/signoff-panel.tsx */}
        <div class="od-panel-slot">{signoff}</div>
        {/* SLOT receipts: pages/receipts-panel.tsx */}
        <div class="od-panel-slot">{receipts}</div>
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
