/**
 * 政民互动's home on the portal, and the message board (留言板): the published questions and
 * answers, by unit, channel and category, with the working days each answer took; one page per letter.
 * Nothing personal is shown: only what moderation published.
 */
import Html from '@kitajs/html';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderPortal } from '../../../platform/console/index.ts';
import { attr, EmptyState, PageHeading, PageQueryFields, Pagination, SelectField, type ViewContext } from '../../../platform/views/index.ts';
import { boardCategories, boardLetter, boardUnits, listBoard, type BoardItem } from '../queries/public.ts';
import { BOARD_CHANNELS } from '../routes/public.ts';
import { channelName, interactionCrumb, InteractionNav, LetterText, when } from './public-parts.tsx';

const PlainQuery = Strict({ ...PageQueryFields });
const BoardQuery = Strict({ channel: Type.Optional(Type.String({ maxLength: 40 })), unit: Type.Optional(Type.String({ maxLength: 64 })), category: Type.Optional(Type.String({ maxLength: 100 })), cursor: Type.Optional(Type.String({ maxLength: 500 })), ...PageQueryFields });
const TrackingParams = Strict({ trackingNo: Type.String({ minLength: 1, maxLength: 40 }) });

const boardCrumb = (ctx: ViewContext) => ({ href: '/interaction/board', label: ctx.t('interaction.public.board.title') });

function BoardFacts({ ctx, item }: { ctx: ViewContext; item: BoardItem }) {
  return (
    <p class="muted">
      {channelName(ctx, item.channel)}
      {' · '}
      <span safe>{item.unitName ?? ''}</span>
      {' · '}
      {ctx.t('interaction.public.board.received')}
      {when(ctx, item.receivedAt)}
      {item.answeredAt ? (
        <>
          {' · '}
          {ctx.t('interaction.public.board.answered')}
          {when(ctx, item.answeredAt)}
        </>
      ) : (
        ''
      )}
      {item.workingDaysTaken !== null ? (
        <>
          {' · '}
          {ctx.t('interaction.public.board.days', { days: item.workingDaysTaken })}
        </>
      ) : (
        ''
      )}
    </p>
  );
}

export async function publicBoardPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof PlainQuery> }>('/interaction', { schema: { querystring: PlainQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const latest = await listBoard(platform.db, { limit: 5 });
    const cards = [
      ['/interaction/write?channel=mayor_mailbox', 'interaction.public.nav.mayor', 'interaction.public.home.mayor'],
      ['/interaction/write?channel=unit_mailbox', 'interaction.public.nav.unit', 'interaction.public.home.unit'],
      ['/interaction/write?channel=message_board', 'interaction.public.nav.message', 'interaction.public.home.message'],
      ['/interaction/board', 'interaction.public.nav.board', 'interaction.public.home.board'],
      ['/interaction/letters', 'interaction.public.nav.query', 'interaction.public.home.query'],
      ['/interaction/disclosure/guide', 'interaction.public.nav.disclosure', 'interaction.public.home.disclosure'],
    ] as const;
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('interaction.public.home.title'),
      crumbs: [{ label: ctx.t('interaction.public.home.title') }],
      body: (
        <>
          <PageHeading title={ctx.t('interaction.public.home.title')} lead={ctx.t('interaction.public.home.lead')} />
          <ul class="account-cards">
            {cards.map(([href, key, text]) => (
              <li class="section-card">
                <h2>
                  <a href={attr(href)}>{ctx.t(key)}</a>
                </h2>
                <p>{ctx.t(text)}</p>
              </li>
            ))}
          </ul>
          <section class="panel" aria-labelledby="latest-title">
            <h2 id="latest-title">{ctx.t('interaction.public.home.latest')}</h2>
            {latest.items.length ? (
              <ul class="home-list">
                {latest.items.map((item) => (
                  <li>
                    <a href={attr(`/interaction/board/${item.trackingNo}`)}>
                      <bdi safe>{item.title}</bdi>
                    </a>{' '}
                    <span class="muted" safe>
                      {item.unitName ?? ''}
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <EmptyState>{ctx.t('interaction.public.board.empty')}</EmptyState>
            )}
          </section>
        </>
      ),
    }));
  });

  app.get<{ Querystring: Static<typeof BoardQuery> }>('/interaction/board', { schema: { querystring: BoardQuery }, config: { auth: 'public' } }, async (request, reply) => {
    const channel = (BOARD_CHANNELS as readonly string[]).includes(request.query.channel ?? '') ? (request.query.channel as (typeof BOARD_CHANNELS)[number]) : undefined;
    const units = await boardUnits(platform.db);
    const unitId = units.some((u) => u.id === request.query.unit) ? request.query.unit : undefined;
    const categories = await boardCategories(platform.db);
    const category = categories.includes(request.query.category ?? '') ? request.query.category : undefined;
    const page = await listBoard(platform.db, { channel, unitId, category, limit: 20, cursor: request.query.cursor });
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('interaction.public.board.title'),
      crumbs: [interactionCrumb(ctx), { label: ctx.t('interaction.public.board.title') }],
      body: (
        <>
          <PageHeading title={ctx.t('interaction.public.board.title')} lead={ctx.t('interaction.public.board.lead')} />
          <InteractionNav ctx={ctx} />
          <section class="panel" aria-labelledby="board-filter-title">
            <h2 id="board-filter-title">{ctx.t('interaction.public.board.filter')}</h2>
            <form method="get" action="/interaction/board" class="form-row">
              <SelectField
                ctx={ctx}
                form="board"
                name="channel"
                label={ctx.ta('interaction.public.letter.channel')}
                placeholder={ctx.ta('interaction.public.board.allChannels')}
                options={BOARD_CHANNELS.map((c) => ({ value: c, label: ctx.ta(`interaction.public.channel.${c}`) }))}
                value={channel ?? ''}
              />
              <SelectField ctx={ctx} form="board" name="unit" label={ctx.ta('interaction.public.letter.unit')} placeholder={ctx.ta('interaction.public.board.allUnits')} options={units.map((u) => ({ value: u.id, label: u.name }))} value={unitId ?? ''} />
              <SelectField
                ctx={ctx}
                form="board"
                name="category"
                label={ctx.ta('interaction.public.write.category')}
                placeholder={ctx.ta('interaction.public.board.allCategories')}
                options={categories.map((c) => ({ value: c, label: c }))}
                value={category ?? ''}
              />
              <button type="submit" class="button button-secondary">
                {ctx.t('interaction.public.board.apply')}
              </button>
            </form>
          </section>
          <section aria-labelledby="board-list-title" id="board-list">
            <h2 id="board-list-title" class="visually-hidden">
              {ctx.t('interaction.public.board.listTitle')}
            </h2>
            {page.items.length ? (
              <ul class="item-cards">
                {page.items.map((item) => (
                  <li class="item-card">
                    <h3 class="item-card-title">
                      <a href={attr(`/interaction/board/${item.trackingNo}`)}>
                        <bdi safe>{item.title}</bdi>
                      </a>
                    </h3>
                    <BoardFacts ctx={ctx} item={item} />
                  </li>
                ))}
              </ul>
            ) : (
              <EmptyState>{ctx.t('interaction.public.board.empty')}</EmptyState>
            )}
            <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
          </section>
        </>
      ),
    }));
  });

  app.get<{ Params: Static<typeof TrackingParams>; Querystring: Static<typeof PlainQuery> }>(
    '/interaction/board/:trackingNo',
    { schema: { params: TrackingParams, querystring: PlainQuery }, config: { auth: 'public' } },
    async (request, reply) => {
      const item = await boardLetter(platform.db, request.params.trackingNo);
      return renderPortal(request, reply, (ctx) => ({
        title: item ? Html.escapeHtml(item.title) : ctx.t('interaction.public.board.unknown'),
        crumbs: [interactionCrumb(ctx), boardCrumb(ctx), { label: item ? Html.escapeHtml(item.trackingNo) : ctx.t('interaction.public.board.unknown') }],
        status: item ? 200 : 404,
        body: item ? (
          <>
            <PageHeading title={<bdi safe>{item.title}</bdi>} />
            <InteractionNav ctx={ctx} />
            <section class="panel" aria-labelledby="board-question">
              <h2 id="board-question">{ctx.t('interaction.public.board.question')}</h2>
              <BoardFacts ctx={ctx} item={item} />
              <LetterText text={item.publicBody} />
            </section>
            <section class="panel" aria-labelledby="board-answer">
              <h2 id="board-answer">{ctx.t('interaction.public.board.answer', { unit: item.unitName ?? '' })}</h2>
              {item.publicAnswer ? <LetterText text={item.publicAnswer} /> : <p class="muted">{ctx.t('interaction.public.letter.noAnswer')}</p>}
            </section>
            <p>
              <a href="/interaction/board">{ctx.t('interaction.public.board.back')}</a>
            </p>
          </>
        ) : (
          <>
            <PageHeading title={ctx.t('interaction.public.board.unknown')} />
            <InteractionNav ctx={ctx} />
            <p>
              <a href="/interaction/board">{ctx.t('interaction.public.board.back')}</a>
            </p>
          </>
        ),
      }));
    },
  );
}
