/** 来信分办: the cases waiting at the caller's dispatching office, soonest deadline first, a unit picker per case. */
import Html from '@kitajs/html';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import { attr, Csrf, EmptyState, PageQueryFields, Pagination } from '../../../platform/views/index.ts';
import { DISPATCH_PERMISSION } from '../model.ts';
import { listCases, unitChoices } from '../queries/cases.ts';
import { CaseRows } from './console-cases.tsx';

const DispatchQuery = Strict({ cursor: Type.Optional(Type.String({ maxLength: 300 })), ...PageQueryFields });

export async function dispatchPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof DispatchQuery> }>('/console/interaction/dispatch', { schema: { querystring: DispatchQuery }, config: { auth: DISPATCH_PERMISSION } }, async (request, reply) => {
    const today = shanghaiDate(platform.clock.now());
    const [page, units] = await Promise.all([listCases(platform.db, request.principal!, { state: 'received', limit: 20, cursor: request.query.cursor }, today), unitChoices(platform.db)]);
    return renderConsole(platform, request, reply, (ctx) => ({
      title: ctx.t('page.interaction.dispatch.title'),
      lead: ctx.t('page.interaction.dispatch.lead'),
      crumbs: [{ label: ctx.t('page.interaction.dispatch.title') }],
      body: page.items.length ? (
        <>
          <CaseRows
            ctx={ctx}
            items={page.items}
            id="dispatch"
            caption={ctx.ta('page.interaction.dispatch.caption', { count: page.items.length })}
            actions={(item) => (
              <form method="post" action={`/console/interaction/cases/${attr(item.id)}/assign`} class="stack">
                <Csrf ctx={ctx} />
                <input type="hidden" name="returnTo" value="dispatch" />
                <label class="label" for={`unit-${attr(item.id)}`}>
                  {ctx.t('page.interaction.form.unit')}
                </label>
                <select class="select" id={`unit-${attr(item.id)}`} name="unitId" required>
                  <option value="">{ctx.t('page.interaction.form.choose')}</option>
                  {units.map((u) => (
                    <option value={attr(u.id)}>{Html.escapeHtml(u.name)}</option>
                  ))}
                </select>
                <button type="submit" class="button button-secondary button-small">
                  {ctx.t('page.interaction.form.assign')}
                </button>
              </form>
            )}
          />
          <Pagination ctx={ctx} nextCursor={page.nextCursor} hasPrevious={!!request.query.cursor} />
        </>
      ) : (
        <EmptyState>{ctx.t('page.interaction.dispatch.none')}</EmptyState>
      ),
    }));
  });
}
