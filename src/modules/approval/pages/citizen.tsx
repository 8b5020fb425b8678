/**
 * The citizen's side of the portal (registering is the platform's, console/register.tsx): applying
 * online with materials, each case's page (handing in corrections, withdrawing, its documents,
 * history and rating). The list of one's cases and the rest of the own area (我的): mine.tsx.
 */
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { AppError, Id, Strict, actorOf, renderMessage } from '../../../platform/http/index.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import { translate } from '../../../platform/i18n/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderPortal } from '../../../platform/console/index.ts';
import {
  attempt,
  attr,
  Csrf,
  DataTable,
  EmptyRow,
  ErrorSummary,
  FormBody,
  formText,
  Notice,
  PageHeading,
  PageQueryFields,
  redirect,
  setFlash,
  type FieldMessages,
  type ViewContext,
} from '../../../platform/views/index.ts';
import { getItemFor, type Item } from '../queries/items.ts';
import { getApplicationView, type ApplicationView } from '../application-views.ts';
import { submitCorrection } from '../commands/correct-application.ts';
import { withdrawApplication } from '../commands/withdraw-application.ts';
import { unitNames } from './data.ts';
import { CaseIdentity, dateOf, FileField, ServiceNav, StepStateTag, TextArea } from './components.tsx';
import { ApplicationForm, applicationLabels, emptyApplication, type ApplicationValues } from './application-form.tsx';
import { submissionToken, submitFromForm } from './submit.ts';
import { CaseTimeline } from './case-page.tsx';
import { CaseDocuments, MineNav, RatingPanel, type RatingState } from './mine-parts.tsx';
import { documentsOf, isApplicantAccount } from '../queries/me.ts';
import { ratingsOfSubjects } from '../../supervision/index.ts';
import { APPROVAL_CASE_SUBJECT, FINISHED_CASE_STATES } from '../supervised-subject.ts';
import type { CaseState as ApplicationState } from '../model.ts';
import { saveStagedUploads } from './uploads.ts';

const IdParams = Strict({ id: Id });
const PlainQuery = Strict({ ...PageQueryFields });

const hallCrumb = (ctx: ViewContext) => ({ href: '/services', label: ctx.t('page.approval.hall.title') });
const mineCrumb = (ctx: ViewContext) => ({ href: '/services/mine', label: ctx.t('page.approval.mine.title') });

// ---------------------------------------------------------------- applying

interface ApplyState {
  values: ApplicationValues;
  submission: string;
  fields?: FieldMessages;
  summary?: string;
  status?: number;
}

function applyPage(request: FastifyRequest, reply: FastifyReply, item: Item, state: ApplyState) {
  return renderPortal(request, reply, (ctx) => ({
    title: ctx.t('page.approval.apply.title', { name: item.name }),
    crumbs: [hallCrumb(ctx), { href: `/services/items/${item.id}`, label: Html.escapeHtml(item.name) }, { label: ctx.t('page.approval.hall.apply') }],
    status: state.status,
    body: (
      <>
        <PageHeading title={ctx.t('page.approval.apply.title', { name: item.name })} lead={ctx.t('page.approval.apply.lead', { days: item.promisedDays })} />
        <ServiceNav ctx={ctx} />
        {ctx.principal?.kind !== 'public' ? (
          <Notice kind="info" title={ctx.t('page.approval.apply.staffTitle')}>
            <p>{ctx.t('page.approval.apply.staffText')}</p>
            {ctx.can('approval.intake') ? (
              <p>
                <a href={`/console/approval/intake/${attr(item.id)}`}>{ctx.t('page.approval.intake.title')}</a>
              </p>
            ) : (
              ''
            )}
          </Notice>
        ) : (
          <>
            <ErrorSummary ctx={ctx} form="apply" summary={state.summary} fields={state.fields} labels={applicationLabels(ctx, item)} />
            <ApplicationForm ctx={ctx} form="apply" action={`/services/items/${item.id}/apply`} item={item} values={state.values} fields={state.fields} submission={state.submission} submitLabel={ctx.t('page.approval.apply.submit')} />
          </>
        )}
      </>
    ),
  }));
}

async function publishedItem(platform: Platform, request: FastifyRequest, id: string): Promise<Item> {
  const item = await getItemFor(platform.db, request.principal, id);
  if (item.status !== 'published') throw new AppError('INVALID_STATE', { detail: { key: item.status === 'superseded' ? 'approval.app.itemSuperseded' : 'approval.app.itemNotPublished' } });
  return item;
}

// ---------------------------------------------------------------- a case, as its applicant sees it

export interface CaseState {
  fields?: FieldMessages;
  summary?: string;
  status?: number;
  /** What a refused rating form held. */
  rating?: RatingState;
}

type Rating = { score: number; comment: string | null; ratedAt: string } | null;

/** The case's PDF documents, from what it went through. */
const documentsOfView = (view: ApplicationView) =>
  documentsOf({ id: view.id, acceptedAt: view.acceptedAt, corrected: !!view.correction, certificate: !!view.result, rejectedAtStage: view.decision ? (view.decision.notAccepted ? 0 : 1) : null });

/** Materials the applicant may hand in now: those a correction request listed, else those accepted as pending. */
function handInList(view: ApplicationView): Array<{ materialKey: string; name: string; reason?: string }> {
  if (view.state === 'correction_requested' && view.correction && !view.correction.correctedAt) return view.correction.missing;
  if (['submitted', 'accepted', 'in_review'].includes(view.state)) return view.pendingMaterials;
  return [];
}

function MyCasePage({ ctx, view, units, state, rating, rateable }: { ctx: ViewContext; view: ApplicationView; units: Map<string, string>; state: CaseState; rating: Rating; rateable: boolean }) {
  const handIn = handInList(view);
  const correcting = view.state === 'correction_requested';
  const labels = Object.fromEntries(handIn.map((m) => [`file.${m.materialKey}`, m.name]));
  return (
    <>
      <MineNav ctx={ctx} />
      <ErrorSummary ctx={ctx} form="correction" summary={state.summary} fields={state.fields} labels={labels} />
      <section class="panel" aria-labelledby="case-summary">
        <h2 id="case-summary">{ctx.t('page.approval.case.summary')}</h2>
        <dl class="stat-list">
          <CaseIdentity ctx={ctx} view={view} />
          <dt>{ctx.t('page.approval.case.applicant')}</dt>
          <dd safe>{view.applicant.name}</dd>
          <dt>{ctx.t('page.approval.case.submittedAt')}</dt>
          <dd>{dateOf(view.submittedAt, ctx)}</dd>
          <dt>{ctx.t('page.approval.case.acceptedAt')}</dt>
          <dd>{dateOf(view.acceptedAt, ctx)}</dd>
          <dt>{ctx.t('page.approval.case.dueDate')}</dt>
          <dd safe>{view.dueDate ?? '—'}</dd>
          <dt>{ctx.t('page.approval.case.finishedAt')}</dt>
          <dd>{dateOf(view.finishedAt, ctx)}</dd>
        </dl>
      </section>
      {view.result ? (
        <Notice kind="success" title={ctx.t('page.approval.case.resultTitle')}>
          <p>
            {ctx.t('page.approval.case.certificateNo', { no: view.result.certificateNo })}{' '}
            <a href={`/services/certificates/${attr(view.result.verificationCode)}`}>{ctx.t('page.approval.case.viewCertificate')}</a>
          </p>
        </Notice>
      ) : (
        ''
      )}
      {view.decision ? (
        <Notice kind="error" title={ctx.t(view.decision.notAccepted ? 'page.approval.case.notAcceptedTitle' : 'page.approval.case.rejectedTitle')}>
          <p safe>{view.decision.reason}</p>
        </Notice>
      ) : (
        ''
      )}
      <CaseDocuments ctx={ctx} documents={documentsOfView(view)} />
      {rateable ? <RatingPanel ctx={ctx} caseId={view.id} rating={rating} state={state.rating ?? {}} /> : ''}
      {handIn.length ? (
        <section class="panel" aria-labelledby="hand-in">
          <h2 id="hand-in">{ctx.t(correcting ? 'page.approval.case.correctionTitle' : 'page.approval.case.pendingTitle')}</h2>
          <p>{ctx.t(correcting ? 'page.approval.case.correctionLead' : 'page.approval.case.pendingLead')}</p>
          <form method="post" action={`/services/mine/${attr(view.id)}/materials`} enctype="multipart/form-data" class="form form-wide" novalidate>
            <Csrf ctx={ctx} />
            {handIn.map((m) => (
              <FileField ctx={ctx} form="correction" name={`file.${m.materialKey}`} keptName={`kept.${m.materialKey}`} label={m.name} hint={m.reason} required={correcting} error={state.fields?.[`file.${m.materialKey}`]} kept={null} />
            ))}
            <button type="submit" class="button">
              {ctx.t('page.approval.case.handIn')}
            </button>
          </form>
        </section>
      ) : (
        ''
      )}
      <DataTable id="case-steps" caption={ctx.t('page.approval.case.steps')} head={[ctx.t('page.approval.case.step'), ctx.t('page.approval.guide.unit'), ctx.t('page.approval.case.stepState'), ctx.t('page.approval.case.stepDue'), ctx.t('page.approval.case.stepFinished')]}>
        {view.steps.map((s) => (
          <tr>
            <td safe>{s.name}</td>
            <td safe>{units.get(s.unitId) ?? ''}</td>
            <td>
              <StepStateTag ctx={ctx} state={s.state} />
            </td>
            <td safe>{s.dueDate ?? '—'}</td>
            <td>{dateOf(s.finishedAt, ctx)}</td>
          </tr>
        ))}
      </DataTable>
      <DataTable id="case-materials" caption={ctx.t('page.approval.case.materials')} head={[ctx.t('page.approval.guide.materialName'), ctx.t('page.approval.case.addedAt'), ctx.t('ui.actions')]}>
        {view.materials.length ? (
          view.materials.map((m) => (
            <tr>
              <td safe>{m.name}</td>
              <td>{dateOf(m.addedAt, ctx)}</td>
              <td>
                <a href={`/api/v1/files/${attr(m.fileId)}`} aria-label={ctx.ta('page.approval.case.downloadOf', { name: m.name })}>
                  {ctx.t('page.approval.case.download')}
                </a>
              </td>
            </tr>
          ))
        ) : (
          <EmptyRow columns={3}>{ctx.t('page.approval.case.noMaterials')}</EmptyRow>
        )}
      </DataTable>
      <CaseTimeline ctx={ctx} view={view} people={new Map()} />
      {ctx.principal?.kind === 'public' ? (
        <p>
          <a href={`/services/mine/complaints?case=${attr(view.id)}`}>{ctx.t('page.approval.case.complain')}</a>
        </p>
      ) : (
        ''
      )}
      {view.state === 'submitted' && !view.acceptedAt ? (
        <section class="panel" aria-labelledby="withdraw-title">
          <h2 id="withdraw-title">{ctx.t('page.approval.case.withdrawTitle')}</h2>
          <form method="post" action={`/services/mine/${attr(view.id)}/withdraw`} class="form" data-confirm={ctx.ta('page.approval.case.withdrawConfirm')} novalidate>
            <Csrf ctx={ctx} />
            <TextArea ctx={ctx} form="withdraw" name="reason" label={ctx.ta('page.approval.case.withdrawReason')} maxlength={1000} rows={2} />
            <button type="submit" class="button button-danger">
              {ctx.t('page.approval.case.withdraw')}
            </button>
          </form>
        </section>
      ) : (
        ''
      )}
    </>
  );
}

export async function renderMyCase(platform: Platform, request: FastifyRequest, reply: FastifyReply, id: string, state: CaseState = {}) {
  const view = await getApplicationView(platform, request.principal!, id);
  const units = await unitNames(platform.db, view.steps.map((s) => s.unitId));
  // The applicant's own account rates a decided case once (好差评), when supervision is installed.
  const own = request.principal!.kind === 'public' && (await isApplicantAccount(platform, request.principal!.userId, id));
  const rateable = own && platform.modules.has('supervision') && FINISHED_CASE_STATES.includes(view.state as ApplicationState);
  const rating: Rating = rateable ? ((await ratingsOfSubjects(platform.db, APPROVAL_CASE_SUBJECT, [id])).get(id) ?? null) : null;
  return renderPortal(request, reply, (ctx) => ({
    title: ctx.t('page.approval.case.title', { receiptNo: view.receiptNo }),
    crumbs: [hallCrumb(ctx), mineCrumb(ctx), { label: Html.escapeHtml(view.receiptNo) }],
    status: state.status,
    body: (
      <>
        <PageHeading title={<span safe>{view.itemName}</span>} lead={ctx.t('page.approval.case.title', { receiptNo: view.receiptNo })} />
        <MyCasePage ctx={ctx} view={view} units={units} state={state} rating={rating} rateable={rateable} />
      </>
    ),
  }));
}

export async function citizenPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PlainQuery> }>('/services/items/:id/apply', { schema: { params: IdParams, querystring: PlainQuery }, config: { auth: 'user' } }, async (request, reply) => {
    const item = await publishedItem(platform, request, request.params.id);
    return applyPage(request, reply, item, { values: emptyApplication(request.principal!.displayName), submission: submissionToken(platform) });
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>('/services/items/:id/apply', { schema: { params: IdParams, body: FormBody }, config: { auth: 'user' } }, async (request, reply) => {
    const item = await publishedItem(platform, request, request.params.id);
    if (request.principal!.kind !== 'public') return applyPage(request, reply, item, { values: emptyApplication(), submission: submissionToken(platform), status: 403 });
    const outcome = await submitFromForm(platform, request, item, 'online');
    if (!outcome.ok) {
      return applyPage(request, reply, item, { values: outcome.values, fields: outcome.fields, summary: outcome.summary, status: outcome.status, submission: outcome.submission ?? formText(request.body, '_submission') });
    }
    setFlash(reply, { kind: 'success', key: 'flash.approval.submitted', params: { receiptNo: outcome.result.receiptNo } });
    return redirect(reply, `/services/mine/${outcome.result.id}`);
  });

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PlainQuery> }>('/services/mine/:id', { schema: { params: IdParams, querystring: PlainQuery }, config: { auth: 'user' } }, async (request, reply) =>
    renderMyCase(platform, request, reply, request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>('/services/mine/:id/materials', { schema: { params: IdParams, body: FormBody }, config: { auth: 'user' } }, async (request, reply) => {
    const lang = request.lang;
    const id = request.params.id;
    // Seeing the case first: someone else's case is 404 before any file is kept.
    await getApplicationView(platform, request.principal!, id);
    const { saved, errors } = await saveStagedUploads(platform, request, 'file.');
    if (errors.size) {
      const fields: FieldMessages = {};
      for (const [key, error] of errors) fields[`file.${key}`] = error.toProblem(lang).detail;
      return renderMyCase(platform, request, reply, id, { fields, summary: translate(lang, 'page.approval.apply.uploadRefused'), status: 400 });
    }
    const materials = [...saved].map(([materialKey, file]) => ({ materialKey, fileId: file.id }));
    const result = await attempt(lang, async () => {
      if (!materials.length) throw new AppError('VALIDATION_FAILED', { detail: { key: 'page.approval.case.chooseFiles' } });
      return inTransaction(platform.db, actorOf(request), (work) => submitCorrection(work, platform, request.principal!, id, { materials }));
    });
    if (!result.ok) {
      const fields: FieldMessages = {};
      for (const e of result.error.fieldErrors ?? []) {
        const byIndex = /^materials\.(\d+)\./.exec(e.path);
        const byKey = /^materials\.([a-z][a-z0-9_]*)$/.exec(e.path);
        const key = byIndex ? materials[Number(byIndex[1])]?.materialKey : byKey?.[1];
        if (key) fields[`file.${key}`] = renderMessage(e.message, lang);
      }
      return renderMyCase(platform, request, reply, id, { fields, summary: result.summary, status: result.error.status });
    }
    setFlash(reply, { kind: 'success', key: 'flash.approval.materialsHandedIn' });
    return redirect(reply, `/services/mine/${id}`);
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormBody> }>('/services/mine/:id/withdraw', { schema: { params: IdParams, body: FormBody }, config: { auth: 'user' } }, async (request, reply) => {
    const id = request.params.id;
    const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => withdrawApplication(work, platform, request.principal!, id, { reason: formText(request.body, 'reason').slice(0, 1000) || undefined })));
    if (!result.ok) return renderMyCase(platform, request, reply, id, { summary: result.summary, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'flash.approval.withdrawn', params: { receiptNo: result.value.receiptNo } });
    return redirect(reply, `/services/mine/${id}`);
  });
}
