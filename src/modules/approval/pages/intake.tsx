/** The window intake screen: a clerk finds the item and files a paper application for an applicant. */
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, Id, Strict } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import { attr, DataTable, EmptyState, ErrorSummary, FormBody, formText, PageQueryFields, Pagination, redirect, setFlash, type FieldMessages, type ViewContext } from '../../../platform/views/index.ts';
import { getItemFor, listItems, type Item } from '../queries/items.ts';
import { unitNames } from './data.ts';
import { ApplicationForm, applicationLabels, emptyApplication, type ApplicationValues } from './application-form.tsx';
import { submissionToken, submitFromForm } from './submit.ts';

const IdParams = Strict({ id: Id });
const PlainQuery = Strict({ ...PageQueryFields });
const IntakeQuery = Strict({ q: Type.Optional(Type.String({ maxLength: 100 })), cursor: Type.Optional(Type.String({ maxLength: 200 })), ...PageQueryFields });

const intakeCrumb = (ctx: ViewContext) => ({ href: '/console/approval/intake', label: ctx.t('page.approval.intake.title') });

interface IntakeState {
  values: ApplicationValues;
  submission: string;
  fields?: FieldMessages;
  summary?: string;
  status?: number;
}

function intakeForm(platform: Platform, request: FastifyRequest, reply: FastifyReply, item: Item, state: IntakeState) {
  return renderConsole(platform, request, reply, (ctx) => ({
    title: ctx.t('page.approval.intake.formTitle', { name: item.name }),
    lead: ctx.t('page.approval.intake.formLead'),
    crumbs: [intakeCrumb(ctx), { label: Html.escapeHtml(item.name) }],
    status: state.status,
    body: (
      <>
        <p>
          <a href={`/services/items/${attr(item.id)}`}>{ctx.t('page.approval.intake.guide')}</a>
        </p>
        <ErrorSummary ctx={ctx} form="intake" summary={state.summary} fields={state.fields} labels={applicationLabels(ctx, item)} />
        <ApplicationForm ctx={ctx} form="intake" action={`/console/approval/intake/${item.id}`} item={item} values={state.values} fields={state.fields} submission={state.submission} submitLabel={ctx.t('page.approval.intake.submit')} />
      </>
    ),
  }));
}

async function intakeItem(platform: Platform, request: FastifyRequest, id: string): Promise<Item> {
  const item = await getItemFor(platform.db, request.principal, id);
  if (item.status !== 'published') throw new AppError('INVALID_STATE', { detail: { key: 'approval.app.itemNotPublished' } });
  return item;
}

export async function intakePages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof IntakeQuery> }>('/console/approval/intake', { schema: { querystring: IntakeQuery }, config: { auth: 'approval.intake' } }, async (request, reply) => {
    const q = request.query.q?.trim() || undefined;
    const page = await listItems(platform.db, null, { q, cursor: request.query.cursor, limit: 20 });
    const units = await unitNames(platform.db, page.items.map((i) => i.unitId));
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.approval.intake.title'),
      lead: ctx.t('page.approval.intake.lead'),
      crumbs: [{ label: ctx.t('page.approval.intake.title') }],
      body: (
        <>
          <form method="get" action="/console/approval/intake" class="search-bar" role="search" aria-label={ctx.ta('page.approval.hall.search')}>
            <div class="field">
              <label for="intake-q">{ctx.t('page.approval.hall.q')}</label>
              <input class="input" id="intake-q" name="q" type="search" value={attr(q)} maxlength="100" />
            </div>
            <button type="submit" class="button">
              {ctx.t('page.approval.hall.searchButton')}
            </button>
          </form>
          {page.items.length ? (
            <>
              <DataTable id="intake-items" caption={ctx.t('page.approval.intake.caption')} head={[ctx.t('page.approval.guide.name'), ctx.t('page.approval.guide.code'), ctx.t('page.approval.guide.unit'), ctx.t('ui.actions')]}>
                {page.items.map((item) => (
                  <tr>
                    <td safe>{item.name}</td>
                    <td class="mono" safe>
                      {item.code}
                    </td>
                    <td safe>{units.get(item.unitId) ?? ''}</td>
                    <td class="cell-actions">
                      <a href={`/console/approval/intake/${attr(item.id)}`} aria-label={ctx.ta('page.approval.intake.startFor', { name: item.name })}>
                        {ctx.t('page.approval.intake.start')}
                      </a>
                    </td>
                  </tr>
                ))}
              </DataTable>
              <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
            </>
          ) : (
            <EmptyState>{ctx.t('page.approval.hall.none')}</EmptyState>
          )}
        </>
      ),
    }));
  });

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PlainQuery> }>('/console/approval/intake/:id', { schema: { params: IdParams, querystring: PlainQuery }, config: { auth: 'approval.intake' } }, async (request, reply) => {
    const item = await intakeItem(platform, request, request.params.id);
    return intakeForm(platform, request, reply, item, { values: emptyApplication(), submission: submissionToken(platform) });
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>('/console/approval/intake/:id', { schema: { params: IdParams, body: FormBody }, config: { auth: 'approval.intake' } }, async (request, reply) => {
    const item = await intakeItem(platform, request, request.params.id);
    const outcome = await submitFromForm(platform, request, item, 'window');
    if (!outcome.ok) {
      return intakeForm(platform, request, reply, item, { values: outcome.values, fields: outcome.fields, summary: outcome.summary, status: outcome.status, submission: outcome.submission ?? formText(request.body, '_submission') });
    }
    setFlash(reply, { kind: 'success', key: 'flash.approval.filed', params: { receiptNo: outcome.result.receiptNo } });
    return redirect(reply, `/console/approval/cases/${outcome.result.id}`);
  });
}
