/**
 * 查询: the writer follows their letter with the tracking number and the query code (or, signed
 * in, from 我的信件), sees its state and the answer, rates the answer (1–5 stars as radio
 * buttons) and may reopen it once within 10 days of the answer.
 */
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, Strict, actorOf, fieldError, invalid, notFound } from '../../../platform/http/index.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { translate } from '../../../platform/i18n/index.ts';
import { renderPortal } from '../../../platform/console/index.ts';
import { attempt, attr, ErrorSummary, FormBody, formText, formatDateTime, PageHeading, PageQueryFields, redirect, setFlash, TextField, type FieldMessages, type ViewContext } from '../../../platform/views/index.ts';
import { LIMITS, type CaseRow } from '../model.ts';
import { rateCase } from '../commands/rate-case.ts';
import { reopenCase } from '../commands/reopen-case.ts';
import { caseOfWriter, myCase, writerFile, writerView, type WriterView } from '../queries/public.ts';
import { sendWriterFile } from '../routes/public-files.ts';
import { CaseFiles } from './case-files.tsx';
import { limitActions, limitQueries } from '../routes/public.ts';
import { channelName, checkFormToken, FormToken, formToken, interactionCrumb, InteractionNav, LetterText, RadioGroup, rememberedCode, rememberLetter, stateName, TextArea, when } from './public-parts.tsx';

const PlainQuery = Strict({ ...PageQueryFields });
const TrackingParams = Strict({ trackingNo: Type.String({ minLength: 1, maxLength: 40 }) });
const SCORES = [5, 4, 3, 2, 1] as const;

interface QueryState {
  trackingNo?: string;
  token: string;
  fields?: FieldMessages;
  summary?: string;
  status?: number;
}

function QueryForm({ ctx, state }: { ctx: ViewContext; state: QueryState }) {
  const labels = { trackingNo: ctx.ta('interaction.public.letter.trackingNo'), code: ctx.ta('interaction.public.letter.code') };
  return (
    <section class="panel" aria-labelledby="query-title">
      <h2 id="query-title">{ctx.t('interaction.public.query.formTitle')}</h2>
      <ErrorSummary ctx={ctx} form="query" summary={state.summary} fields={state.fields} labels={labels} status={state.status} />
      <form method="post" action="/interaction/letters" class="form" novalidate>
        <FormToken ctx={ctx} token={state.token} />
        <TextField ctx={ctx} form="query" name="trackingNo" label={labels.trackingNo} value={state.trackingNo} error={state.fields?.trackingNo} maxlength={40} required autocomplete="off" />
        <TextField ctx={ctx} form="query" name="code" label={labels.code} hint={ctx.ta('interaction.public.query.codeHint')} error={state.fields?.code} maxlength={40} required autocomplete="off" />
        <button type="submit" class="button">
          {ctx.t('interaction.public.query.submit')}
        </button>
      </form>
    </section>
  );
}

interface ActionState {
  token: string;
  form?: 'rating' | 'reopen';
  score?: string;
  comment?: string;
  reason?: string;
  fields?: FieldMessages;
  summary?: string;
  status?: number;
}

function RatingSection({ ctx, view, state }: { ctx: ViewContext; view: WriterView; state: ActionState }) {
  const mine = state.form === 'rating';
  if (view.rating) {
    return (
      <section class="panel" aria-labelledby="rating-title" id="rating">
        <h2 id="rating-title">{ctx.t('interaction.public.rating.title')}</h2>
        <p>
          {ctx.t('interaction.public.rating.given', { score: view.rating.score })}（{when(ctx, view.rating.ratedAt)}）
        </p>
        {view.rating.comment ? <p class="muted" safe>{view.rating.comment}</p> : ''}
      </section>
    );
  }
  if (!view.canRate) return '';
  const labels = { score: ctx.ta('interaction.public.rating.score'), comment: ctx.ta('interaction.public.rating.comment') };
  return (
    <section class="panel" aria-labelledby="rating-title" id="rating">
      <h2 id="rating-title">{ctx.t('interaction.public.rating.title')}</h2>
      <p>{ctx.t('interaction.public.rating.lead')}</p>
      <ErrorSummary ctx={ctx} form="rating" summary={mine ? state.summary : undefined} fields={mine ? state.fields : undefined} labels={labels} status={mine ? state.status : undefined} />
      <form method="post" action={attr(`/interaction/letters/${view.trackingNo}/rating`)} class="form" novalidate>
        <FormToken ctx={ctx} token={state.token} />
        <RadioGroup
          ctx={ctx}
          form="rating"
          name="score"
          legend={labels.score}
          value={mine ? (state.score ?? '') : ''}
          options={SCORES.map((s) => ({ value: String(s), label: ctx.ta(`interaction.public.rating.level.${s}`) }))}
          error={mine ? state.fields?.score : undefined}
          required
        />
        <TextArea ctx={ctx} form="rating" name="comment" label={labels.comment} value={mine ? state.comment : ''} error={mine ? state.fields?.comment : undefined} maxlength={LIMITS.comment} rows={3} />
        <button type="submit" class="button">
          {ctx.t('interaction.public.rating.submit')}
        </button>
      </form>
    </section>
  );
}

function ReopenSection({ ctx, view, state }: { ctx: ViewContext; view: WriterView; state: ActionState }) {
  const mine = state.form === 'reopen';
  if (view.state !== 'answered') return '';
  if (!view.reopenUntil) {
    return (
      <section class="panel" aria-labelledby="reopen-title" id="reopen">
        <h2 id="reopen-title">{ctx.t('interaction.public.reopen.title')}</h2>
        <p class="muted">{ctx.t(view.reopenCount > 0 ? 'interaction.public.reopenedOnce' : 'interaction.public.reopen.closed')}</p>
      </section>
    );
  }
  const labels = { reason: ctx.ta('interaction.public.reopen.reason') };
  return (
    <section class="panel" aria-labelledby="reopen-title" id="reopen">
      <h2 id="reopen-title">{ctx.t('interaction.public.reopen.title')}</h2>
      <p>{ctx.t('interaction.public.reopen.lead', { until: formatDateTime(view.reopenUntil, ctx.lang) })}</p>
      <ErrorSummary ctx={ctx} form="reopen" summary={mine ? state.summary : undefined} fields={mine ? state.fields : undefined} labels={labels} status={mine ? state.status : undefined} />
      <form method="post" action={attr(`/interaction/letters/${view.trackingNo}/reopen`)} class="form" novalidate>
        <FormToken ctx={ctx} token={state.token} />
        <TextArea ctx={ctx} form="reopen" name="reason" label={labels.reason} value={mine ? state.reason : ''} error={mine ? state.fields?.reason : undefined} maxlength={LIMITS.reason} rows={3} required />
        <button type="submit" class="button button-secondary">
          {ctx.t('interaction.public.reopen.submit')}
        </button>
      </form>
    </section>
  );
}

export function LetterView({ ctx, view, state }: { ctx: ViewContext; view: WriterView; state: ActionState }) {
  return (
    <>
      <section class="panel" aria-labelledby="letter-facts">
        <h2 id="letter-facts">{ctx.t('interaction.public.letter.facts')}</h2>
        <dl class="stat-list">
          <dt>{ctx.t('interaction.public.letter.trackingNo')}</dt>
          <dd class="mono" safe>
            {view.trackingNo}
          </dd>
          <dt>{ctx.t('interaction.public.letter.channel')}</dt>
          <dd>{channelName(ctx, view.channel)}</dd>
          <dt>{ctx.t('interaction.public.letter.state')}</dt>
          <dd>
            <span class="tag" id="letter-state">
              {stateName(ctx, view.state)}
            </span>
          </dd>
          <dt>{ctx.t('interaction.public.letter.unit')}</dt>
          <dd safe>{view.unitName ?? ''}</dd>
          <dt>{ctx.t('interaction.public.letter.receivedAt')}</dt>
          <dd>{when(ctx, view.receivedAt)}</dd>
          <dt>{ctx.t('interaction.public.letter.dueDate')}</dt>
          <dd safe>{view.dueDate}</dd>
        </dl>
      </section>
      <section class="panel" aria-labelledby="letter-question">
        <h2 id="letter-question">
          <bdi safe>{view.title}</bdi>
        </h2>
        <LetterText text={view.body} />
        <CaseFiles ctx={ctx} files={view.attachments} titleKey="interaction.public.letter.attachments" id="letter-files" href={(file) => `/interaction/letters/${view.trackingNo}/files/${file.id}`} />
      </section>
      {view.answer !== null ? (
        <section class="panel" aria-labelledby="letter-answer" id="answer">
          <h2 id="letter-answer">{ctx.t(view.state === 'answered' || view.state === 'merged' ? 'interaction.public.letter.answer' : 'interaction.public.letter.previousAnswer')}</h2>
          <p class="muted">
            {when(ctx, view.answeredAt)}
            {view.answerType ? (
              <>
                {' · '}
                {ctx.t(`interaction.public.answerType.${view.answerType}`)}
              </>
            ) : (
              ''
            )}
          </p>
          <LetterText text={view.answer} />
          <CaseFiles ctx={ctx} files={view.answerAttachments} titleKey="interaction.public.letter.answerAttachments" id="answer-files" href={(file) => `/interaction/letters/${view.trackingNo}/files/${file.id}`} />
        </section>
      ) : (
        <p class="muted">{ctx.t('interaction.public.letter.noAnswer')}</p>
      )}
      <RatingSection ctx={ctx} view={view} state={state} />
      <ReopenSection ctx={ctx} view={view} state={state} />
    </>
  );
}

export async function publicLetterPages(app: FastifyInstance, platform: Platform) {
  const queryPage = (request: FastifyRequest, reply: FastifyReply, state: QueryState) =>
    renderPortal(request, reply, (ctx) => ({
      title: ctx.t('interaction.public.query.title'),
      crumbs: [interactionCrumb(ctx), { label: ctx.t('interaction.public.query.title') }],
      status: state.status,
      body: (
        <>
          <PageHeading title={ctx.t('interaction.public.query.title')} lead={ctx.t('interaction.public.query.lead')} />
          <InteractionNav ctx={ctx} />
          <QueryForm ctx={ctx} state={state} />
        </>
      ),
    }));

  /** The case the visitor may see: the signed-in writer's own, or by the remembered code. */
  const caseFor = async (request: FastifyRequest, trackingNo: string): Promise<{ row: CaseRow; code: string | null } | null> => {
    if (request.principal?.kind === 'public') {
      const own = await myCase(platform.db, request.principal.userId, trackingNo);
      if (own) return { row: own, code: null };
    }
    const code = rememberedCode(platform, request, trackingNo);
    if (!code) return null;
    const row = await caseOfWriter(platform.db, platform, trackingNo, code);
    return row ? { row, code } : null;
  };

  const letterPage = async (request: FastifyRequest, reply: FastifyReply, row: CaseRow, state: ActionState) => {
    const view = await writerView(platform.db, platform, row);
    return renderPortal(request, reply, (ctx) => ({
      title: Html.escapeHtml(view.title),
      crumbs: [interactionCrumb(ctx), { href: '/interaction/letters', label: ctx.t('interaction.public.query.title') }, { label: Html.escapeHtml(view.trackingNo) }],
      status: state.status,
      body: (
        <>
          <PageHeading title={ctx.t('interaction.public.letter.title')} />
          <InteractionNav ctx={ctx} />
          <LetterView ctx={ctx} view={view} state={state} />
        </>
      ),
    }));
  };

  app.get<{ Querystring: Static<typeof PlainQuery> }>('/interaction/letters', { schema: { querystring: PlainQuery }, config: { auth: 'public' } }, async (request, reply) =>
    queryPage(request, reply, { token: formToken(platform, request, reply) }),
  );

  app.post<{ Body: Static<typeof FormBody> }>('/interaction/letters', { schema: { body: FormBody }, config: { auth: 'public' } }, async (request, reply) => {
    checkFormToken(request);
    const trackingNo = formText(request.body, 'trackingNo').toUpperCase();
    const code = formText(request.body, 'code').toUpperCase();
    const found = await attempt(request.lang, async () => {
      const errors = [...(trackingNo ? [] : [fieldError('trackingNo', 'interaction.public.trackingNoRequired')]), ...(code ? [] : [fieldError('code', 'interaction.public.codeRequired')])];
      if (errors.length) throw invalid(errors);
      await limitQueries(platform, request.ip);
      const row = await caseOfWriter(platform.db, platform, trackingNo, code);
      if (!row) throw new AppError('VALIDATION_FAILED', { detail: { key: 'interaction.public.notFound' } });
      return row;
    });
    if (!found.ok) {
      const retry = found.error.extra?.retryAfter;
      if (typeof retry === 'number') reply.header('Retry-After', String(retry));
      const notFound = found.error.code === 'VALIDATION_FAILED' && !found.error.fieldErrors;
      return queryPage(request, reply, { trackingNo, token: formToken(platform, request, reply), fields: found.fields, summary: found.summary, status: notFound ? 404 : found.error.status });
    }
    rememberLetter(platform, reply, found.value.tracking_no, code);
    return redirect(reply, `/interaction/letters/${found.value.tracking_no}`);
  });

  app.get<{ Params: Static<typeof TrackingParams>; Querystring: Static<typeof PlainQuery> }>(
    '/interaction/letters/:trackingNo',
    { schema: { params: TrackingParams, querystring: PlainQuery }, config: { auth: 'public' } },
    async (request, reply) => {
      const trackingNo = request.params.trackingNo.toUpperCase();
      const found = await caseFor(request, trackingNo);
      const token = formToken(platform, request, reply);
      if (!found) return queryPage(request, reply, { trackingNo, token });
      return letterPage(request, reply, found.row, { token });
    },
  );

  const FileParams = Strict({ trackingNo: Type.String({ minLength: 1, maxLength: 40 }), fileId: Type.String({ minLength: 1, maxLength: 64 }) });
  // The writer's download from the letter's page: the same files the API gives by code, never anyone else's.
  app.get<{ Params: Static<typeof FileParams>; Querystring: Static<typeof PlainQuery> }>(
    '/interaction/letters/:trackingNo/files/:fileId',
    { schema: { params: FileParams, querystring: PlainQuery }, config: { auth: 'public' } },
    async (request, reply) => {
      await limitQueries(platform, request.ip);
      const found = await caseFor(request, request.params.trackingNo.toUpperCase());
      const file = found ? writerFile(await writerView(platform.db, platform, found.row), request.params.fileId) : null;
      if (!file) throw notFound();
      return sendWriterFile(platform, request, reply, file.id);
    },
  );

  const action = (kind: 'rating' | 'reopen') =>
    app.post<{ Params: Static<typeof TrackingParams>; Body: Static<typeof FormBody> }>(
      `/interaction/letters/:trackingNo/${kind}`,
      { schema: { params: TrackingParams, body: FormBody }, config: { auth: 'public' } },
      async (request, reply) => {
        checkFormToken(request);
        const trackingNo = request.params.trackingNo.toUpperCase();
        const found = await caseFor(request, trackingNo);
        const token = formToken(platform, request, reply);
        if (!found) return queryPage(request, reply, { trackingNo, token, summary: translate(request.lang, 'interaction.public.queryAgain'), status: 404 });
        const score = formText(request.body, 'score');
        const comment = formText(request.body, 'comment');
        const reason = formText(request.body, 'reason');
        const done = await attempt(request.lang, async () => {
          if (kind === 'rating') {
            const errors = [...(/^[1-5]$/.test(score) ? [] : [fieldError('score', 'interaction.public.chooseScore')]), ...([...comment].length > LIMITS.comment ? [fieldError('comment', 'interaction.public.tooLong', { max: LIMITS.comment })] : [])];
            if (errors.length) throw invalid(errors);
            await limitActions(platform, request.ip);
            return inTransaction(platform.db, actorOf(request), (work) => rateCase(work, platform, trackingNo, { code: found.code ?? '', score: Number(score), comment }, found.code ? null : found.row));
          }
          const errors = [...(reason ? [] : [fieldError('reason', 'interaction.public.reasonRequired')]), ...([...reason].length > LIMITS.reason ? [fieldError('reason', 'interaction.public.tooLong', { max: LIMITS.reason })] : [])];
          if (errors.length) throw invalid(errors);
          await limitActions(platform, request.ip);
          return inTransaction(platform.db, actorOf(request), (work) => reopenCase(work, platform, trackingNo, { code: found.code ?? '', reason }, found.code ? null : found.row));
        });
        if (!done.ok) {
          const fresh = (await caseFor(request, trackingNo))?.row ?? found.row;
          return letterPage(request, reply, fresh, { token, form: kind, score, comment, reason, fields: done.fields, summary: done.summary, status: done.error.status });
        }
        setFlash(reply, { kind: 'success', key: kind === 'rating' ? 'flash.interaction.rated' : 'flash.interaction.reopened' });
        return redirect(reply, `/interaction/letters/${trackingNo}#${kind}`);
      },
    );
  action('rating');
  action('reopen');
}

