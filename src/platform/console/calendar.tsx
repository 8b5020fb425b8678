import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, actorOf, fieldError, invalid } from '../http/index.ts';
import { inTransaction } from '../db/work.ts';
import type { Platform } from '../module.ts';
import * as calendar from '../calendar/index.ts';
import { workingDays } from '../calendar/index.ts';
import {
  attempt,
  attr,
  Csrf,
  ErrorSummary,
  FormBody,
  formText,
  Notice,
  PageQueryFields,
  redirect,
  SelectField,
  setFlash,
  TextField,
  type FieldMessages,
  type ViewContext,
} from '../views/index.ts';
import { renderConsole } from './shell.tsx';

const YearPattern = '^20\\d{2}$';
const DatePattern = '^\\d{4}-\\d{2}-\\d{2}$';
const CalendarQuery = Strict({
  year: Type.Optional(Type.String({ pattern: YearPattern })),
  date: Type.Optional(Type.String({ pattern: DatePattern })),
  ...PageQueryFields,
});
const DateParams = Strict({ date: Type.String({ pattern: DatePattern }) });
const YearParams = Strict({ year: Type.String({ pattern: YearPattern }) });

interface FormState {
  values?: Record<string, string>;
  summary?: string;
  fields?: FieldMessages;
  yearSummary?: string;
  yearFields?: FieldMessages;
  status?: number;
}

function weekdayLabel(ctx: ViewContext, date: string) {
  return ctx.t(`page.calendar.weekday.${workingDays.weekdayOf(date)}`);
}

function DayList({ ctx, year, days }: { ctx: ViewContext; year: number; days: calendar.CalendarDay[] }) {
  const byMonth = Array.from({ length: 12 }, (_, m) => days.filter((d) => Number(d.date.slice(5, 7)) === m + 1));
  return (
    <div class="months">
      {byMonth.map((monthDays, m) => (
        <section class="month" aria-labelledby={`month-${m + 1}`}>
          <h3 id={`month-${m + 1}`}>{ctx.t('page.calendar.month', { year, month: m + 1 })}</h3>
          {monthDays.length ? (
            <ul>
              {monthDays.map((d) => (
                <li>
                  <span class="date">
                    {d.date.slice(5) as 'safe'} {weekdayLabel(ctx, d.date)}
                  </span>
                  <span class={`tag tag-${d.kind}`}>{ctx.t(`page.calendar.kind.${d.kind}`)}</span>
                  <span safe>{d.name}</span>
                  <a href={`/console/calendar?year=${year}&amp;date=${d.date}#day-form`} aria-label={ctx.ta('page.calendar.editDay', { date: d.date })}>
                    {ctx.t('page.calendar.edit')}
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">{ctx.t('page.calendar.ordinaryMonth')}</p>
          )}
        </section>
      ))}
    </div>
  );
}

async function renderCalendar(platform: Platform, request: FastifyRequest, reply: FastifyReply, year: number, editDate: string | null, state: FormState = {}) {
  const data = await calendar.listYear(platform.db, year);
  const years = await calendar.listYears(platform.db);
  const editing = editDate ? (data.items.find((d) => d.date === editDate) ?? null) : null;
  return renderConsole(platform, request, reply, (ctx) => {
    const labels = { date: ctx.ta('page.calendar.date'), kind: ctx.ta('page.calendar.kind'), name: ctx.ta('page.calendar.name') };
    const values = state.values ?? { date: editDate ?? '', kind: editing?.kind ?? 'holiday', name: editing?.name ?? '' };
    return {
      title: ctx.t('page.calendar.title', { year }),
      lead: ctx.t('page.calendar.lead'),
      crumbs: [{ label: ctx.t('console.nav.calendar') }],
      status: state.status,
      body: (
        <>
          <nav class="year-nav" aria-label={ctx.ta('page.calendar.years')}>
            {year > 2000 ? <a href={`/console/calendar?year=${year - 1}`}>{ctx.t('page.calendar.prevYear', { year: year - 1 })}</a> : ''}
            {year < 2099 ? <a href={`/console/calendar?year=${year + 1}`}>{ctx.t('page.calendar.nextYear', { year: year + 1 })}</a> : ''}
            {years.length ? (
              <span class="muted">
                {ctx.t('page.calendar.entered')}{' '}
                {years.map((y) => (
                  <>
                    <a href={`/console/calendar?year=${y.year}`} aria-current={y.year === year ? 'page' : undefined}>
                      {String(y.year) as 'safe'}
                    </a>{' '}
                  </>
                ))}
              </span>
            ) : (
              ''
            )}
          </nav>
          {data.hasData ? (
            <Notice kind="success">
              <p>{ctx.t('page.calendar.hasData', { source: data.source ?? '' })}</p>
            </Notice>
          ) : (
            <Notice kind="warning" title={ctx.t('page.calendar.noDataTitle', { year })}>
              <p>{ctx.t('page.calendar.noDataText')}</p>
            </Notice>
          )}
          <DayList ctx={ctx} year={year} days={data.items} />

          <div class="panel-grid">
            <section class="panel" id="day-form" aria-labelledby="day-form-title">
              <h2 id="day-form-title">{editing ? ctx.t('page.calendar.editTitle', { date: editing.date }) : ctx.t('page.calendar.addTitle')}</h2>
              <ErrorSummary ctx={ctx} form="day" summary={state.summary} fields={state.fields} labels={labels} />
              <form method="post" action="/console/calendar/days" class="form" novalidate>
                <Csrf ctx={ctx} />
                <input type="hidden" name="year" value={String(year)} />
                <TextField ctx={ctx} form="day" name="date" type="date" label={labels.date} hint={ctx.ta('page.calendar.dateHint')} value={values.date} error={state.fields?.date} required size="short" />
                <SelectField
                  ctx={ctx}
                  form="day"
                  name="kind"
                  label={labels.kind}
                  value={values.kind}
                  error={state.fields?.kind}
                  options={[
                    { value: 'holiday', label: ctx.ta('page.calendar.kindLong.holiday') },
                    { value: 'workday', label: ctx.ta('page.calendar.kindLong.workday') },
                  ]}
                  required
                />
                <TextField ctx={ctx} form="day" name="name" label={labels.name} hint={ctx.ta('page.calendar.nameHint')} value={values.name} error={state.fields?.name} maxlength={50} required />
                <div class="actions">
                  <button type="submit" class="button">
                    {ctx.t('page.calendar.save')}
                  </button>
                </div>
              </form>
              {editing ? (
                <form method="post" action={`/console/calendar/days/${editing.date}/clear`} class="actions" data-confirm={attr(ctx.ta('page.calendar.clearConfirm', { date: editing.date }))}>
                  <Csrf ctx={ctx} />
                  <button type="submit" class="button button-danger">
                    {ctx.t('page.calendar.clear', { date: editing.date })}
                  </button>
                </form>
              ) : (
                ''
              )}
            </section>

            <section class="panel" aria-labelledby="year-form-title">
              <h2 id="year-form-title">{ctx.t('page.calendar.yearTitle', { year })}</h2>
              <p>{ctx.t('page.calendar.yearText')}</p>
              <ErrorSummary ctx={ctx} form="year" summary={state.yearSummary} fields={state.yearFields} labels={{ source: ctx.ta('page.calendar.source') }} />
              <form method="post" action={`/console/calendar/years/${year}`} class="form" novalidate>
                <Csrf ctx={ctx} />
                <TextField ctx={ctx} form="year" name="source" label={ctx.ta('page.calendar.source')} hint={ctx.ta('page.calendar.sourceHint')} value={state.values?.source ?? data.source ?? ''} error={state.yearFields?.source} maxlength={200} required size="long" />
                <button type="submit" class="button">
                  {ctx.t('page.calendar.markEntered')}
                </button>
              </form>
              {data.hasData ? (
                <form method="post" action={`/console/calendar/years/${year}/clear`} class="actions">
                  <Csrf ctx={ctx} />
                  <button type="submit" class="button button-secondary">
                    {ctx.t('page.calendar.unmark')}
                  </button>
                </form>
              ) : (
                ''
              )}
            </section>
          </div>
        </>
      ),
    };
  });
}

const yearOfDate = (date: string, fallback: number) => (/^\d{4}-/.test(date) ? Number(date.slice(0, 4)) : fallback);

export async function calendarPages(app: FastifyInstance, platform: Platform) {
  const auth = { auth: 'calendar.write' } as const;

  app.get<{ Querystring: Static<typeof CalendarQuery> }>('/console/calendar', { schema: { querystring: CalendarQuery }, config: auth }, async (request, reply) => {
    const today = workingDays.shanghaiDate(platform.clock.now());
    const date = request.query.date && workingDays.isValidDate(request.query.date) ? request.query.date : null;
    const year = request.query.year ? Number(request.query.year) : date ? Number(date.slice(0, 4)) : Number(today.slice(0, 4));
    return renderCalendar(platform, request, reply, year, date);
  });

  app.post<{ Body: Static<typeof FormBody> }>('/console/calendar/days', { schema: { body: FormBody }, config: auth }, async (request, reply) => {
    const values = { date: formText(request.body, 'date'), kind: formText(request.body, 'kind'), name: formText(request.body, 'name') };
    const shownYear = Number(formText(request.body, 'year')) || Number(workingDays.shanghaiDate(platform.clock.now()).slice(0, 4));
    const result = await attempt(request.lang, async () => {
      if (values.kind !== 'holiday' && values.kind !== 'workday') throw invalid([fieldError('kind', 'page.calendar.kindRequired')]);
      const kind = values.kind;
      return inTransaction(platform.db, actorOf(request), (work) => calendar.setDay(work, values.date, { kind, name: values.name }, platform.clock.now()));
    });
    const year = yearOfDate(values.date, shownYear);
    if (!result.ok) {
      return renderCalendar(platform, request, reply, year >= 2000 && year <= 2099 ? year : shownYear, null, { values, summary: result.summary, fields: result.fields, status: result.error.status });
    }
    setFlash(reply, { kind: 'success', key: 'flash.calendarDaySaved', params: { date: result.value.date, name: result.value.name } });
    return redirect(reply, `/console/calendar?year=${result.value.date.slice(0, 4)}`);
  });

  app.post<{ Params: Static<typeof DateParams>; Body: Static<typeof FormBody> }>('/console/calendar/days/:date/clear', { schema: { params: DateParams, body: FormBody }, config: auth }, async (request, reply) => {
    const date = request.params.date;
    await inTransaction(platform.db, actorOf(request), (work) => calendar.clearDay(work, date, platform.clock.now()));
    setFlash(reply, { kind: 'success', key: 'flash.calendarDayCleared', params: { date } });
    return redirect(reply, `/console/calendar?year=${date.slice(0, 4)}`);
  });

  app.post<{ Params: Static<typeof YearParams>; Body: Static<typeof FormBody> }>('/console/calendar/years/:year', { schema: { params: YearParams, body: FormBody }, config: auth }, async (request, reply) => {
    const year = Number(request.params.year);
    const source = formText(request.body, 'source');
    const result = await attempt(request.lang, () => inTransaction(platform.db, actorOf(request), (work) => calendar.setYear(work, year, { source }, platform.clock.now())));
    if (!result.ok) return renderCalendar(platform, request, reply, year, null, { values: { source }, yearSummary: result.summary, yearFields: result.fields, status: result.error.status });
    setFlash(reply, { kind: 'success', key: 'flash.calendarYearSaved', params: { year } });
    return redirect(reply, `/console/calendar?year=${year}`);
  });

  app.post<{ Params: Static<typeof YearParams>; Body: Static<typeof FormBody> }>('/console/calendar/years/:year/clear', { schema: { params: YearParams, body: FormBody }, config: auth }, async (request, reply) => {
    const year = Number(request.params.year);
    await inTransaction(platform.db, actorOf(request), (work) => calendar.clearYear(work, year, platform.clock.now()));
    setFlash(reply, { kind: 'success', key: 'flash.calendarYearCleared', params: { year } });
    return redirect(reply, `/console/calendar?year=${year}`);
  });
}

