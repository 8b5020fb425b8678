/**
 * The unit's seal (单位印章): a unit's administrator uploads a PNG that the documents the unit
 * issues from then on carry in their seal area. The API is PUT /api/v1/approval/units/:id/seal.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Static } from '@sinclair/typebox';
import { AppError, Strict, actorOf, notFound, renderMessage } from '../../../platform/http/index.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import { Csrf, ErrorSummary, FormBody, Notice, PageQueryFields, redirect, setFlash } from '../../../platform/views/index.ts';
import { getUnitSeal, SEAL_PERMISSION, setUnitSeal } from '../documents/seals.ts';
import { FileField } from './components.tsx';
import { saveStagedUploads } from './uploads.ts';

export const SEAL_PATH = '/console/approval/seal';
const FORM = 'seal';
const PlainQuery = Strict({ ...PageQueryFields });

async function renderSeal(platform: Platform, request: FastifyRequest, reply: FastifyReply, state: { fileError?: string; status?: number } = {}) {
  const unitId = request.principal?.unitId;
  if (!unitId) throw notFound();
  const seal = await getUnitSeal(platform, request.principal!, unitId);
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('page.approval.seal.title'),
    lead: ctx.t('page.approval.seal.lead'),
    crumbs: [{ label: ctx.t('page.approval.seal.title') }],
    status: state.status,
    body: (
      <>
        <ErrorSummary ctx={ctx} form={FORM} fields={state.fileError ? { seal_file: state.fileError } : undefined} labels={{ seal_file: ctx.ta('page.approval.seal.file') }} />
        <Notice kind="info" title={seal.setAt ? ctx.t('page.approval.seal.current', { date: seal.setAt.slice(0, 10) }) : ctx.t('page.approval.seal.none')} />
        <form method="post" action={SEAL_PATH} enctype="multipart/form-data" class="form" novalidate>
          <Csrf ctx={ctx} />
          <FileField ctx={ctx} form={FORM} name="seal_file" label={ctx.ta('page.approval.seal.file')} hint={ctx.ta('page.approval.seal.hint')} error={state.fileError} accept=".png,image/png" required />
          <button type="submit" class="button">
            {ctx.t('page.approval.seal.submit')}
          </button>
        </form>
      </>
    ),
  }));
}

export async function sealPages(app: FastifyInstance, platform: Platform) {
  const auth = SEAL_PERMISSION as `${string}.${string}`;
  app.get<{ Querystring: Static<typeof PlainQuery> }>(SEAL_PATH, { schema: { querystring: PlainQuery }, config: { auth } }, async (request, reply) => renderSeal(platform, request, reply));

  app.post<{ Body: Static<typeof FormBody> }>(SEAL_PATH, { schema: { body: FormBody }, config: { auth } }, async (request, reply) => {
    const unitId = request.principal?.unitId;
    if (!unitId) throw notFound();
    const { saved, errors } = await saveStagedUploads(platform, request, 'seal_');
    const refused = errors.get('file');
    if (refused) return renderSeal(platform, request, reply, { fileError: refused.toProblem(request.lang).detail, status: refused.status });
    const file = saved.get('file');
    if (!file) return renderSeal(platform, request, reply, { fileError: renderMessage({ key: 'page.approval.seal.noFile' }, request.lang), status: 400 });
    try {
      await inTransaction(platform.db, actorOf(request), (work) => setUnitSeal(work, platform, request.principal!, unitId, file.id));
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;
      return renderSeal(platform, request, reply, { fileError: error.toProblem(request.lang).detail, status: 400 });
    }
    setFlash(reply, { kind: 'success', key: 'page.approval.seal.saved' });
    return redirect(reply, SEAL_PATH);
  });
}
