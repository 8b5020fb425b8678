import Html from '@kitajs/html';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, Strict } from '../../platform/http/index.ts';
import type { Platform } from '../../platform/module.ts';
import { assetUrl, attr, sendPage, viewContext, type ViewContext } from '../../platform/views/index.ts';
import { pageErrorHandler } from '../../platform/console/shell.tsx';
import { getNoticeData, NOTICE_KINDS, type NoticeData } from './application-views.ts';
import { documentUrl } from './documents/service.ts';
import type { DocumentKind } from './model.ts';

/** The PDF that is the issued text of an HTML notice. */
function pdfKindOf(notice: NoticeData): DocumentKind {
  if (notice.kind !== 'rejection') return notice.kind;
  return notice.decision?.notAccepted ? 'non_acceptance' : 'denial';
}

const NoticeParams = Strict({ id: Id, kind: Type.Union(NOTICE_KINDS.map((k) => Type.Literal(k))) });

function titleKey(notice: NoticeData): string {
  if (notice.kind === 'acceptance') return 'approval.notice.acceptance';
  if (notice.kind === 'correction') return 'approval.notice.correction';
  return notice.decision?.notAccepted ? 'approval.notice.notAccepted' : 'approval.notice.rejected';
}

/** Issuer and date at the foot of a notice; the sealed text is the PDF (documents/). */
function Signature({ unit, date }: { unit: string; date: string | null }) {
  return (
    <footer class="notice-signature">
      <p safe>{unit}</p>
      <p>
        <time datetime={attr(date ?? '')} safe>
          {date ?? ''}
        </time>
      </p>
    </footer>
  );
}

function Body({ ctx, notice }: { ctx: ViewContext; notice: NoticeData }) {
  const common = { item: notice.itemName, submitted: notice.submittedDate, receiptNo: notice.receiptNo };
  if (notice.kind === 'acceptance') {
    return (
      <>
        <p>{ctx.t('approval.notice.acceptance.body', common)}</p>
        <p>{ctx.t('approval.notice.acceptance.due', { days: notice.promisedDays, due: notice.dueDate ?? '' })}</p>
        <p>{ctx.t('approval.notice.phones', { consult: notice.consultPhone, complaint: notice.complaintPhone })}</p>
        <Signature unit={notice.unitName} date={notice.acceptedDate} />
      </>
    );
  }
  if (notice.kind === 'correction') {
    const correction = notice.correction!;
    return (
      <>
        <p>{ctx.t('approval.notice.correction.body', common)}</p>
        <table class="table">
          <caption>{ctx.t('approval.notice.correction.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{ctx.t('approval.notice.correction.number')}</th>
              <th scope="col">{ctx.t('approval.notice.correction.material')}</th>
              <th scope="col">{ctx.t('approval.notice.correction.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {correction.missing.map((m, i) => (
              <tr>
                <td>{i + 1}</td>
                <td safe>{m.name}</td>
                <td safe>{m.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {correction.opinion ? (
          <p>
            {ctx.t('approval.notice.correction.opinion')}
            <span safe>{correction.opinion}</span>
          </p>
        ) : (
          ''
        )}
        <p>{ctx.t('approval.notice.correction.clock')}</p>
        <p>{ctx.t('approval.notice.phones', { consult: notice.consultPhone, complaint: notice.complaintPhone })}</p>
        <Signature unit={correction.unitName} date={correction.date} />
      </>
    );
  }
  const decision = notice.decision!;
  return (
    <>
      <p>{ctx.t(decision.notAccepted ? 'approval.notice.rejection.notAccepted' : 'approval.notice.rejection.rejected', common)}</p>
      <blockquote>
        <p safe>{decision.reason}</p>
      </blockquote>
      <p>{ctx.t('approval.notice.decidedBy', { step: decision.stepName })}</p>
      <p>{ctx.t('approval.notice.rejection.remedy')}</p>
      <p>{ctx.t('approval.notice.phones', { consult: notice.consultPhone, complaint: notice.complaintPhone })}</p>
      <Signature unit={decision.unitName} date={decision.date} />
    </>
  );
}

/** A notice as its own printable document: no portal chrome, the navigation hidden in print. */
function NoticePage({ ctx, notice }: { ctx: ViewContext; notice: NoticeData }) {
  const title = ctx.t(titleKey(notice));
  return (
    <>
      {'<!doctype html>'}
      <html lang={ctx.lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>
            {title}
            {' - '}
            {Html.escapeHtml(notice.receiptNo)}
          </title>
          <link rel="stylesheet" href={assetUrl('app.css')} />
        </head>
        <body class="portal">
          <nav class="wrap notice-tools" aria-label={ctx.ta('approval.notice.nav')}>
            <ul class="actions">
              <li>
                <a class="button" href={documentUrl(notice.id, pdfKindOf(notice))}>
                  {ctx.t('approval.notice.pdf')}
                </a>
              </li>
              <li>
                <a href="/">{ctx.t('approval.notice.home')}</a>
              </li>
            </ul>
          </nav>
          <main id="main" class="wrap">
            <article class="panel official-notice" aria-labelledby="notice-title">
              <header>
                <p safe>{notice.unitName}</p>
                <h1 id="notice-title">{title}</h1>
                <p>{ctx.t('approval.notice.receiptNo', { receiptNo: notice.receiptNo })}</p>
              </header>
              <p>{ctx.t('approval.notice.to', { name: notice.applicantName })}</p>
              <Body ctx={ctx} notice={notice} />
            </article>
          </main>
        </body>
      </html>
    </>
  );
}

/**
 * Printable notices of a case: /approval/applications/:id/notices/acceptance (受理通知书),
 * /correction (一次性告知书), /rejection (不予受理 or 不予许可决定书). Visible to whoever may see
 * the case; a visitor who is not signed in is sent to sign in and brought back.
 */
export async function noticeRoutes(app: FastifyInstance, platform: Platform) {
  app.get<{ Params: Static<typeof NoticeParams> }>(
    '/approval/applications/:id/notices/:kind',
    { schema: { params: NoticeParams }, config: { auth: 'user' }, errorHandler: pageErrorHandler },
    async (request, reply) => {
      const notice = await getNoticeData(platform, request.principal!, request.params.id, request.params.kind);
      return sendPage(reply, <NoticePage ctx={viewContext(request)} notice={notice} />);
    },
  );
}
