/** 依申请公开登记: the register of disclosure requests of a year, per unit, with its Excel export. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';
import { renderConsole } from '../../../platform/console/shell.tsx';
import { attempt, attr, DataTable, EmptyState, RefusalNotice } from '../../../platform/views/index.ts';
import { ANSWER_TYPES, STATS_PERMISSION } from '../model.ts';
import { disclosureRegister, registerYear, type RegisterFigures } from '../queries/disclosure.ts';

const RegisterQuery = Strict({ year: Type.Optional(Type.String({ maxLength: 8 })) });
const COLUMNS = ['received', 'carriedOver', ...ANSWER_TYPES, 'answeredTotal', 'open', 'extended'] as const;

const figure = (f: RegisterFigures, column: (typeof COLUMNS)[number]): number => {
  if (column === 'received' || column === 'carriedOver' || column === 'answeredTotal' || column === 'open' || column === 'extended') return f[column];
  return f.answered[column];
};

export async function disclosureRegisterPages(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof RegisterQuery> }>('/console/interaction/disclosure', { schema: { querystring: RegisterQuery }, config: { auth: STATS_PERMISSION } }, async (request, reply) => {
    const result = await attempt(request.lang, async () => disclosureRegister(platform.db, request.principal!, registerYear(request.query.year, platform.clock.now())));
    const year = result.ok ? result.value.year : (request.query.year ?? '');
    return renderConsole(platform, request, reply, (ctx) => {
      const head = ['unit', ...COLUMNS].map((c) => <>{ctx.t(`page.interaction.disclosure.col.${c}`)}</>);
      return {
        title: ctx.t('page.interaction.disclosure.title'),
        lead: ctx.t('page.interaction.disclosure.lead'),
        crumbs: [{ label: ctx.t('page.interaction.nav.disclosure') }],
        status: result.ok ? undefined : result.error.status,
        body: (
          <>
            <form method="get" action="/console/interaction/disclosure" class="form-row">
              <label for="year">{ctx.t('page.interaction.disclosure.year')}</label>
              <input id="year" name="year" type="number" inputmode="numeric" min="2000" max="2100" class="input input-short" value={attr(String(year))} />
              <button type="submit" class="button button-secondary">
                {ctx.t('page.interaction.disclosure.show')}
              </button>
            </form>
            {!result.ok ? (
              <RefusalNotice failure={result} />
            ) : result.value.items.length ? (
              <>
                <DataTable id="disclosure-register" stack caption={<>{ctx.t('page.interaction.disclosure.caption', { year: result.value.year })}</>} head={head}>
                  {result.value.items.map((item) => (
                    <tr>
                      <th scope="row" safe>
                        {item.unitName}
                      </th>
                      {COLUMNS.map((c) => (
                        <td data-label={ctx.ta(`page.interaction.disclosure.col.${c}`)}>{figure(item, c)}</td>
                      ))}
                    </tr>
                  ))}
                  <tr>
                    <th scope="row">{ctx.t('page.interaction.disclosure.total')}</th>
                    {COLUMNS.map((c) => (
                      <td data-label={ctx.ta(`page.interaction.disclosure.col.${c}`)}>{figure(result.value.total, c)}</td>
                    ))}
                  </tr>
                </DataTable>
                <p class="muted">{ctx.t('page.interaction.disclosure.note')}</p>
                <p>
                  <a class="button button-secondary" href={`/api/v1/interaction/disclosure/register.xlsx?year=${result.value.year}`}>
                    {ctx.t('page.interaction.disclosure.export')}
                  </a>
                </p>
              </>
            ) : (
              <EmptyState>{ctx.t('page.interaction.disclosure.empty')}</EmptyState>
            )}
          </>
        ),
      };
    });
  });
}
