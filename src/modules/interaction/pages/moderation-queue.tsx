/**
 * The moderation queue: each case's question and answer side by side as received (flagged words
 * marked) with the texts to publish (personal data removed, editable), publish or hide with a
 * reason; and the sensitive-word list. Forms post and come back without script.
 */
import Html from '@kitajs/html';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, Strict, actorOf } from '../../../platform/http/index.ts';
import { inTransaction, type Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { pageScope, renderConsole } from '../../../platform/console/index.ts';
import { hasPermission } from '../../../platform/iam/principal.ts';
import { AppError } from '../../../platform/http/errors.ts';
import { attempt, attr, Csrf, EmptyState, FormBody, formRaw, formText, formatDateTime, PageQueryFields, Pagination, redirect, setFlash, type Flash, type ViewContext } from '../../../platform/views/index.ts';
import { LIMITS, MODERATE_PERMISSION, SENSITIVE_WORD_LENGTH, SENSITIVE_WORDS_MAX, SETTINGS_PERMISSION } from '../model.ts';
import { listModeration, sensitiveWords, type ModerationItem } from '../queries/moderation.ts';
import { publishCase } from '../commands/publish-case.ts';
import { hideCase } from '../commands/hide-case.ts';
import { saveSensitiveWords } from '../commands/save-sensitive-words.ts';

const STATUSES = ['pending', 'published', 'hidden'] as const;
const QueueQuery = Strict({ status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))), cursor: Type.Optional(Type.String({ maxLength: 300 })), ...PageQueryFields });
const IdParams = Strict({ id: Id });
type FormRoute = { Params: Static<typeof IdParams>; Body: Static<typeof FormBody> };
const QUEUE = '/console/interaction/moderation';
const WORDS = '/console/interaction/sensitive-words';

/** The text with each flagged word in <mark>, everything escaped. */
export function Highlighted({ text, words }: { text: string; words: readonly string[] }) {
  const found = words.filter(Boolean);
  const lines = text.split('\n');
  if (!found.length) return <>{lines.map((line) => <p safe>{line}</p>)}</>;
  const pattern = new RegExp(`(${found.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi');
  return (
    <>
      {lines.map((line) => (
        <p>
          {line.split(pattern).map((part, i) => (i % 2 === 1 ? <mark safe>{part}</mark> : Html.escapeHtml(part)))}
        </p>
      ))}
    </>
  );
}

function CaseCard({ ctx, item, status }: { ctx: ViewContext; item: ModerationItem; status: string }) {
  const id = attr(item.id);
  const back = `?status=${status}`;
  return (
    <article class="panel" aria-labelledby={`case-${id}`}>
      <h2 id={`case-${id}`} safe>
        {item.title}
      </h2>
      <p class="muted">{ctx.t('page.moderation.meta', { trackingNo: item.trackingNo, unit: item.handlingUnitName, writer: item.writerName })}</p>
      {item.flaggedWords.length ? <p class="tag tag-off">{ctx.t('page.moderation.flagged', { words: item.flaggedWords.join('、') })}</p> : ''}
      {item.reason ? <p>{ctx.t('page.moderation.hiddenBecause', { reason: item.reason })}</p> : ''}
      {item.publishedAt ? <p class="muted">{ctx.t('page.moderation.publishedAt', { at: formatDateTime(item.publishedAt, ctx.lang) })}</p> : ''}
      <div class="home-blocks">
        <section class="home-block" aria-labelledby={`q-${id}`}>
          <h3 id={`q-${id}`}>{ctx.t('page.moderation.question')}</h3>
          <div class="guide">
            <Highlighted text={item.body} words={item.flaggedWords} />
          </div>
        </section>
        <section class="home-block" aria-labelledby={`a-${id}`}>
          <h3 id={`a-${id}`}>{ctx.t('page.moderation.answer')}</h3>
          <div class="guide">
            <Highlighted text={item.answer ?? ''} words={item.flaggedWords} />
          </div>
        </section>
      </div>
      {item.moderation !== 'published' ? (
        <form method="post" action={`${QUEUE}/${id}/publish${back}`}>
          <Csrf ctx={ctx} />
          <div class="panel-grid">
            <div class="field">
              <label for={`pb-${id}`}>{ctx.t('page.moderation.publicBody')}</label>
              <textarea class="input input-long" id={`pb-${id}`} name="publicBody" rows="6" maxlength={LIMITS.body} safe>
                {item.publicBody}
              </textarea>
            </div>
            <div class="field">
              <label for={`pa-${id}`}>{ctx.t('page.moderation.publicAnswer')}</label>
              <textarea class="input input-long" id={`pa-${id}`} name="publicAnswer" rows="6" maxlength={LIMITS.answer} safe>
                {item.publicAnswer}
              </textarea>
            </div>
          </div>
          <button type="submit" class="button button-primary">
            {ctx.t('page.moderation.publish')}
          </button>
        </form>
      ) : (
        ''
      )}
      {item.moderation !== 'hidden' ? (
        <form method="post" action={`${QUEUE}/${id}/hide${back}`}>
          <Csrf ctx={ctx} />
          <div class="field">
            <label for={`r-${id}`}>{ctx.t('page.moderation.reason')}</label>
            <input class="input input-long" id={`r-${id}`} name="reason" maxlength={LIMITS.reason} required />
          </div>
          <button type="submit" class="button button-danger">
            {ctx.t('page.moderation.hide')}
          </button>
        </form>
      ) : (
        ''
      )}
    </article>
  );
}

async function formPost<T>(platform: Platform, request: FastifyRequest, reply: FastifyReply, target: string, run: (work: Work) => Promise<T>, done: Flash) {
  const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), run));
  setFlash(reply, result.ok ? done : { kind: 'error', key: 'flash.moderation.failed', params: { message: result.summary } });
  return redirect(reply, target);
}

function mayKeepWords(request: FastifyRequest) {
  const p = request.principal!;
  if (!hasPermission(p, SETTINGS_PERMISSION) && !hasPermission(p, MODERATE_PERMISSION)) throw new AppError('FORBIDDEN');
}

export async function moderationPages(app: FastifyInstance, platform: Platform) {
  pageScope(app);
  app.get<{ Querystring: Static<typeof QueueQuery> }>(QUEUE, { schema: { querystring: QueueQuery }, config: { auth: MODERATE_PERMISSION } }, async (request, reply) => {
    const status = request.query.status ?? 'pending';
    const page = await listModeration(platform, request.principal!, { status, limit: 20, cursor: request.query.cursor });
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.moderation.title'),
      lead: ctx.t('page.moderation.lead'),
      crumbs: [{ label: ctx.t('page.moderation.title') }],
      body: (
        <>
          <nav class="tabs" aria-label={ctx.ta('page.moderation.tabs')}>
            <ul>
              {STATUSES.map((s) => (
                <li>
                  <a href={`${QUEUE}?status=${s}`} aria-current={s === status ? 'page' : undefined}>
                    {ctx.t(`page.moderation.tab.${s}`)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {page.items.length ? page.items.map((item) => <CaseCard ctx={ctx} item={item} status={status} />) : <EmptyState>{ctx.t('page.moderation.none')}</EmptyState>}
          <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
        </>
      ),
    }));
  });

  const backTo = (request: FastifyRequest) => {
    const status = (request.query as { status?: string } | undefined)?.status;
    return `${QUEUE}?status=${STATUSES.includes(status as never) ? status : 'pending'}`;
  };
  const StatusQuery = Strict({ status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))) });

  app.post<FormRoute & { Querystring: Static<typeof StatusQuery> }>(`${QUEUE}/:id/publish`, { schema: { params: IdParams, body: FormBody, querystring: StatusQuery }, config: { auth: MODERATE_PERMISSION } }, async (request, reply) =>
    formPost(
      platform,
      request,
      reply,
      backTo(request),
      (work) => publishCase(work, platform, request.principal!, request.params.id, { publicBody: formRaw(request.body, 'publicBody').replace(/\r\n/g, '\n') || null, publicAnswer: formRaw(request.body, 'publicAnswer').replace(/\r\n/g, '\n') || null }),
      { kind: 'success', key: 'flash.moderation.published' },
    ),
  );
  app.post<FormRoute & { Querystring: Static<typeof StatusQuery> }>(`${QUEUE}/:id/hide`, { schema: { params: IdParams, body: FormBody, querystring: StatusQuery }, config: { auth: MODERATE_PERMISSION } }, async (request, reply) =>
    formPost(platform, request, reply, backTo(request), (work) => hideCase(work, platform, request.principal!, request.params.id, { reason: formText(request.body, 'reason') }), { kind: 'success', key: 'flash.moderation.hidden' }),
  );

  app.get<{ Querystring: Static<typeof QueueQuery> }>(WORDS, { schema: { querystring: Strict({ ...PageQueryFields }) }, config: { auth: 'user' } }, async (request, reply) => {
    mayKeepWords(request);
    const words = await sensitiveWords(platform.db);
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.sensitiveWords.title'),
      lead: ctx.t('page.sensitiveWords.lead'),
      crumbs: [{ label: ctx.t('page.sensitiveWords.title') }],
      body: (
        <form method="post" action={WORDS} class="panel">
          <Csrf ctx={ctx} />
          <p class="muted">{ctx.t('page.sensitiveWords.count', { count: words.length })}</p>
          <div class="field">
            <label for="words">{ctx.t('page.sensitiveWords.words', { max: SENSITIVE_WORDS_MAX, length: SENSITIVE_WORD_LENGTH })}</label>
            <textarea class="input input-long" id="words" name="words" rows="16" safe>
              {words.join('\n')}
            </textarea>
          </div>
          <button type="submit" class="button button-primary">
            {ctx.t('page.sensitiveWords.save')}
          </button>
        </form>
      ),
    }));
  });

  app.post<{ Body: Static<typeof FormBody> }>(WORDS, { schema: { body: FormBody }, config: { auth: 'user' } }, async (request, reply) => {
    mayKeepWords(request);
    const words = formRaw(request.body, 'words').split(/[\r\n,，、]+/);
    const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => saveSensitiveWords(work, platform, { words })));
    setFlash(reply, result.ok ? { kind: 'success', key: 'flash.sensitiveWords.saved', params: { count: result.value.words.length } } : { kind: 'error', key: 'flash.moderation.failed', params: { message: result.summary } });
    return redirect(reply, WORDS);
  });
}
