/**
 * The guide to disclosure on request (依申请公开指南): how to apply, the time limits (20 working
 * days and one extension of up to 20 more, per the Regulations on Open Government Information)
 * and the answers the law allows; and 我的信件, a signed-in citizen's letters in their own area.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderPortal } from '../../../platform/console/index.ts';
import { attr, DataTable, EmptyRow, PageHeading, PageQueryFields, Pagination, redirect } from '../../../platform/views/index.ts';
import { ANSWER_TYPES, DEFAULT_DEADLINES, MAX_EXTENSION_DAYS } from '../model.ts';
import { myLetters } from '../queries/public.ts';
import { channelName, interactionCrumb, InteractionNav, stateName, when } from './public-parts.tsx';

const PlainQuery = Strict({ ...PageQueryFields });
const MineQuery = Strict({ cursor: Type.Optional(Type.String({ maxLength: 500 })), ...PageQueryFields });

export async function publicGuidePages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof PlainQuery> }>('/interaction/disclosure/guide', { schema: { querystring: PlainQuery }, config: { auth: 'public' } }, async (request, reply) =>
    renderPortal(request, reply, (ctx) => ({
      title: ctx.t('interaction.public.guide.title'),
      crumbs: [interactionCrumb(ctx), { label: ctx.t('interaction.public.guide.title') }],
      body: (
        <>
          <PageHeading title={ctx.t('interaction.public.guide.title')} lead={ctx.t('interaction.public.guide.lead')} />
          <InteractionNav ctx={ctx} />
          <div class="guide">
            <section class="panel" aria-labelledby="guide-how">
              <h2 id="guide-how">{ctx.t('interaction.public.guide.howTitle')}</h2>
              <ol>
                <li>{ctx.t('interaction.public.guide.how1')}</li>
                <li>{ctx.t('interaction.public.guide.how2')}</li>
                <li>{ctx.t('interaction.public.guide.how3')}</li>
                <li>{ctx.t('interaction.public.guide.how4')}</li>
              </ol>
              <p>
                <a class="button" href="/interaction/disclosure/apply">
                  {ctx.t('interaction.public.guide.apply')}
                </a>
              </p>
            </section>
            <section class="panel" aria-labelledby="guide-time">
              <h2 id="guide-time">{ctx.t('interaction.public.guide.timeTitle')}</h2>
              <p>{ctx.t('interaction.public.guide.time', { days: DEFAULT_DEADLINES.disclosure_request, extension: MAX_EXTENSION_DAYS })}</p>
              <p>{ctx.t('interaction.public.guide.timeCorrection')}</p>
            </section>
            <section class="panel" aria-labelledby="guide-answers">
              <h2 id="guide-answers">{ctx.t('interaction.public.guide.answersTitle')}</h2>
              <dl class="stat-list">
                {ANSWER_TYPES.map((type) => (
                  <>
                    <dt>{ctx.t(`interaction.public.answerType.${type}`)}</dt>
                    <dd>{ctx.t(`interaction.public.guide.answer.${type}`)}</dd>
                  </>
                ))}
              </dl>
            </section>
            <section class="panel" aria-labelledby="guide-remedy">
              <h2 id="guide-remedy">{ctx.t('interaction.public.guide.remedyTitle')}</h2>
              <p>{ctx.t('interaction.public.guide.remedy')}</p>
            </section>
          </div>
        </>
      ),
    })),
  );

  app.get<{ Querystring: Static<typeof MineQuery> }>('/interaction/mine', { schema: { querystring: MineQuery }, config: { auth: 'user' } }, async (request, reply) => {
    const principal = request.principal!;
    if (principal.kind !== 'public') return redirect(reply, '/console');
    const page = await myLetters(platform.db, principal.userId, { limit: 20, cursor: request.query.cursor });
    return renderPortal(request, reply, (ctx) => ({
      title: ctx.t('interaction.public.mine.title'),
      crumbs: [{ href: '/account', label: ctx.t('page.account.home') }, { label: ctx.t('interaction.public.mine.title') }],
      body: (
        <>
          <PageHeading title={ctx.t('interaction.public.mine.title')} lead={ctx.t('interaction.public.mine.lead')} />
          <InteractionNav ctx={ctx} />
          <DataTable
            id="my-letters"
            stack
            caption={ctx.t('interaction.public.mine.caption')}
            head={[ctx.t('interaction.public.letter.trackingNo'), ctx.t('interaction.public.letter.letterTitle'), ctx.t('interaction.public.letter.channel'), ctx.t('interaction.public.letter.unit'), ctx.t('interaction.public.letter.state'), ctx.t('interaction.public.letter.receivedAt')]}
          >
            {page.items.length ? (
              page.items.map((item) => (
                <tr>
                  <td data-label={ctx.ta('interaction.public.letter.trackingNo')} class="mono">
                    <a href={attr(`/interaction/letters/${item.trackingNo}`)} safe>
                      {item.trackingNo}
                    </a>
                  </td>
                  <td data-label={ctx.ta('interaction.public.letter.letterTitle')}>
                    <bdi safe>{item.title}</bdi>
                  </td>
                  <td data-label={ctx.ta('interaction.public.letter.channel')}>{channelName(ctx, item.channel)}</td>
                  <td data-label={ctx.ta('interaction.public.letter.unit')} safe>
                    {item.unitName ?? ''}
                  </td>
                  <td data-label={ctx.ta('interaction.public.letter.state')}>{stateName(ctx, item.state)}</td>
                  <td data-label={ctx.ta('interaction.public.letter.receivedAt')}>{when(ctx, item.receivedAt)}</td>
                </tr>
              ))
            ) : (
              <EmptyRow columns={6}>{ctx.t('interaction.public.mine.empty')}</EmptyRow>
            )}
          </DataTable>
          <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
        </>
      ),
    }));
  });
}
