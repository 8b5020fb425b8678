/**
 * Public verification of a certificate (电子证照核验): by its code, typed in or from the QR code,
 * showing what was issued and whether its SM3 digest and SM2 signature hold.
 */
import Html from '@kitajs/html';
import QRCode from 'qrcode';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, Strict } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderPortal } from '../../../platform/console/index.ts';
import { attr, Notice, PageHeading, PageQueryFields, redirect, TextField, type ViewContext } from '../../../platform/views/index.ts';
import { normalizeVerificationCode, verifyCertificate, type CertificateCheck } from '../public.ts';
import { ServiceNav } from './components.tsx';

const PlainQuery = Strict({ ...PageQueryFields });
const CodeParams = Strict({ code: Type.String({ minLength: 1, maxLength: 40 }) });
const CodeQuery = Strict({ code: Type.Optional(Type.String({ maxLength: 40 })), ...PageQueryFields });

const hallCrumb = (ctx: ViewContext) => ({ href: '/services', label: ctx.t('page.approval.hall.title') });

/** The QR code of a verification URL as an SVG image in a data: URL (allowed by the CSP). */
export async function qrDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

function CertificateView({ ctx, check, url, qr }: { ctx: ViewContext; check: CertificateCheck; url: string; qr: string }) {
  return (
    <>
      {check.valid ? (
        <Notice kind="success" title={ctx.t('page.approval.certificate.valid')}>
          <p>{ctx.t('page.approval.certificate.validText', { unit: check.unitName })}</p>
        </Notice>
      ) : (
        <Notice kind="error" title={ctx.t('page.approval.certificate.invalid')}>
          <p>{ctx.t(check.checks.revoked ? 'page.approval.certificate.revokedText' : 'page.approval.certificate.invalidText')}</p>
        </Notice>
      )}
      <div class="panel-grid">
        <section class="panel" aria-labelledby="certificate-fields">
          <h2 id="certificate-fields">{ctx.t('page.approval.certificate.fields')}</h2>
          <dl class="stat-list">
            <dt>{ctx.t('page.approval.certificate.resultName')}</dt>
            <dd safe>{check.resultName}</dd>
            <dt>{ctx.t('page.approval.certificate.number')}</dt>
            <dd class="mono" safe>
              {check.certificateNo}
            </dd>
            <dt>{ctx.t('page.approval.certificate.holder')}</dt>
            <dd safe>{check.applicantName}</dd>
            <dt>{ctx.t(check.applicantKind === 'enterprise' ? 'page.approval.apply.creditCode' : 'page.approval.apply.idNumber')}</dt>
            <dd class="mono" safe>
              {check.applicantId}
            </dd>
            <dt>{ctx.t('page.approval.guide.name')}</dt>
            <dd safe>{check.itemName}</dd>
            <dt>{ctx.t('page.approval.certificate.issuer')}</dt>
            <dd safe>{check.unitName}</dd>
            <dt>{ctx.t('page.approval.certificate.issuedDate')}</dt>
            <dd safe>{check.issuedDate}</dd>
            <dt>{ctx.t('page.approval.certificate.code')}</dt>
            <dd class="mono" safe>
              {check.verificationCode}
            </dd>
          </dl>
        </section>
        <section class="panel" aria-labelledby="certificate-checks">
          <h2 id="certificate-checks">{ctx.t('page.approval.certificate.checks')}</h2>
          <dl class="stat-list">
            <dt>{ctx.t('page.approval.certificate.digest')}</dt>
            <dd>{check.checks.digest ? <span class="tag tag-ok">{ctx.t('page.approval.certificate.pass')}</span> : <span class="tag tag-off">{ctx.t('page.approval.certificate.fail')}</span>}</dd>
            <dt>{ctx.t('page.approval.certificate.signature')}</dt>
            <dd>{check.checks.signature ? <span class="tag tag-ok">{ctx.t('page.approval.certificate.pass')}</span> : <span class="tag tag-off">{ctx.t('page.approval.certificate.fail')}</span>}</dd>
            <dt>{ctx.t('page.approval.certificate.status')}</dt>
            <dd>{check.checks.revoked ? <span class="tag tag-off">{ctx.t('page.approval.certificate.revoked')}</span> : <span class="tag tag-ok">{ctx.t('page.approval.certificate.notRevoked')}</span>}</dd>
            <dt>{ctx.t('page.approval.certificate.sm3')}</dt>
            <dd class="mono uri" safe>
              {check.contentSm3}
            </dd>
          </dl>
          <img class="qr" src={attr(qr)} alt={ctx.ta('page.approval.certificate.qrAlt')} width="192" height="192" />
          <p class="uri">
            {ctx.t('page.approval.certificate.url')}
            <a href={attr(url)} safe>
              {url}
            </a>
          </p>
        </section>
      </div>
    </>
  );
}

function CodeForm({ ctx, code, error }: { ctx: ViewContext; code: string; error?: string }) {
  return (
    <section class="panel" aria-labelledby="code-form-title">
      <h2 id="code-form-title">{ctx.t('page.approval.certificate.checkTitle')}</h2>
      <form method="get" action="/services/certificates" class="search-bar" novalidate>
        <TextField ctx={ctx} form="certificate" name="code" label={ctx.ta('page.approval.certificate.code')} hint={ctx.ta('page.approval.certificate.codeHint')} value={code} error={error} maxlength={40} required size="medium" />
        <button type="submit" class="button">
          {ctx.t('page.approval.certificate.check')}
        </button>
      </form>
    </section>
  );
}

export async function verifyPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof CodeQuery> }>('/services/certificates', { schema: { querystring: CodeQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const code = request.query.code?.trim();
    if (code) return redirect(reply, `/services/certificates/${encodeURIComponent(normalizeVerificationCode(code))}`);
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('page.approval.certificate.checkTitle'),
      crumbs: [hallCrumb(ctx), { label: ctx.t('page.approval.certificate.checkTitle') }],
      body: (
        <>
          <PageHeading title={ctx.t('page.approval.certificate.checkTitle')} lead={ctx.t('page.approval.certificate.lead')} />
          <ServiceNav ctx={ctx} />
          <CodeForm ctx={ctx} code="" />
        </>
      ),
    }));
  });

  app.get<{ Params: Static<typeof CodeParams>; Querystring: Static<typeof PlainQuery> }>(
    '/services/certificates/:code',
    { schema: { params: CodeParams, querystring: PlainQuery }, config: { auth: 'public' } },
    async (request, reply) => {
      let check: CertificateCheck | null = null;
      try {
        check = await verifyCertificate(platform, request.params.code);
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
      }
      const url = check ? `${platform.config.publicUrl}/services/certificates/${check.verificationCode}` : '';
      const qr = check ? await qrDataUrl(url) : '';
      return renderPortal(request, reply, (ctx) => ({
        title: check ? Html.escapeHtml(check.resultName) : ctx.t('page.approval.certificate.checkTitle'),
        crumbs: [hallCrumb(ctx), { href: '/services/certificates', label: ctx.t('page.approval.certificate.checkTitle') }, { label: check ? Html.escapeHtml(check.certificateNo) : ctx.t('page.approval.certificate.unknown') }],
        status: check ? 200 : 404,
        body: (
          <>
            <PageHeading title={check ? <span safe>{check.resultName}</span> : ctx.t('page.approval.certificate.checkTitle')} lead={ctx.t('page.approval.certificate.lead')} />
            <ServiceNav ctx={ctx} />
            {check ? <CertificateView ctx={ctx} check={check} url={url} qr={qr} /> : <CodeForm ctx={ctx} code={request.params.code} error={ctx.ta('page.approval.certificate.notFound')} />}
          </>
        ),
      }));
    },
  );

}
