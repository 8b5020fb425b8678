import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NoContent, Ref, StringEnum, Strict, actorOf, problems } from '../http/index.ts';
import { translate } from '../i18n/index.ts';
import { inTransaction } from '../db/work.ts';
import type { Platform } from '../module.ts';
import * as calendar from './service.ts';
import { MAX_YEAR, MIN_YEAR, SPECIAL_KINDS, type ClockStop } from './working-days.ts';

const DateText = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Calendar date in Asia/Shanghai, YYYY-MM-DD', examples: ['2026-10-08'] });
const Year = Type.Integer({ minimum: MIN_YEAR, maximum: MAX_YEAR, description: `A year from ${MIN_YEAR} to ${MAX_YEAR}` });
const Kind = StringEnum(SPECIAL_KINDS, { description: 'holiday: a day off; workday: a make-up working day (调休上班) on a weekend' });
const Stops = Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}/\\d{4}-\\d{2}-\\d{2}$' }), {
  maxItems: calendar.MAX_STOPS,
  description: 'Clock stops, each start/end with both days included (repeat the parameter for several): their working days do not count',
  examples: [['2026-10-09/2026-10-13']],
});

const AddQuery = Strict({
  from: DateText,
  days: Type.Integer({ minimum: -calendar.MAX_ADD_DAYS, maximum: calendar.MAX_ADD_DAYS, description: 'Working days to add; negative counts backwards' }),
  stops: Type.Optional(Stops),
});
const CountQuery = Strict({ from: DateText, to: DateText, stops: Type.Optional(Stops) });
const DayParams = Strict({ date: DateText });
const YearParams = Strict({ year: Year });
const DayBody = Strict({ kind: Kind, name: Type.String({ minLength: 1, maxLength: 50 }) });
const YearBody = Strict({ source: Type.String({ minLength: 1, maxLength: 200, description: 'Where the arrangement comes from, e.g. the notice of the State Council General Office' }) });

const Warning = Type.Object({ code: Type.Literal('CALENDAR_NO_DATA'), year: Type.Integer(), message: Type.String() });
const Warnings = Type.Array(Warning, { description: 'Years the computation looked at whose holidays are not entered: counted as ordinary weeks' });
const Day = Type.Object({ date: Type.String(), kind: Kind, name: Type.String(), updatedAt: Type.String({ format: 'date-time' }) }, { $id: 'CalendarDay', title: 'CalendarDay' });
const YearItem = Type.Object({ year: Type.Integer(), source: Type.String(), updatedAt: Type.String({ format: 'date-time' }) });

function toStops(texts: string[] | undefined): ClockStop[] {
  return (texts ?? []).map((text) => {
    const [start, end] = text.split('/');
    return { start, end };
  });
}

export async function calendarRoutes(app: FastifyInstance, platform: Platform) {
  const tags = ['calendar'];
  app.addSchema(Day);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  /** Localizes the warnings and logs them: a deadline computed without holiday data may be wrong. */
  function reportWarnings(request: FastifyRequest, warnings: calendar.CalendarWarning[]) {
    if (warnings.length) request.log.warn({ years: warnings.map((w) => w.year), url: request.url }, 'working days computed for years without holiday data');
    return warnings.map((w) => ({ ...w, message: translate(request.lang, 'calendar.warning.noData', { year: w.year }) }));
  }

  api.get(
    '/api/v1/calendar/add',
    {
      schema: {
        operationId: 'addWorkingDays',
        tags,
        summary: 'The date `days` working days after `from` (day 1 is the first working day after `from`)',
        description: 'Working days inside a clock stop are skipped. `days=0` returns `from`; a negative `days` counts backwards.',
        querystring: AddQuery,
        response: { 200: Type.Object({ date: Type.String(), from: Type.String(), days: Type.Integer(), warnings: Warnings }) },
      },
      config: { auth: 'public' },
    },
    async (request) => {
      const { from, days } = request.query;
      const result = await calendar.addWorkingDays(platform.db, from, days, { stops: toStops(request.query.stops) });
      return { date: result.date, from, days, warnings: reportWarnings(request, result.warnings) };
    },
  );

  api.get(
    '/api/v1/calendar/count',
    {
      schema: {
        operationId: 'countWorkingDays',
        tags,
        summary: 'Working days from `from` to `to`, clock stops excluded',
        description: 'Counts the working days after `from` up to and including `to`; when `to` is earlier, minus those from `to` up to the day before `from`.',
        querystring: CountQuery,
        response: { 200: Type.Object({ from: Type.String(), to: Type.String(), workingDays: Type.Integer(), warnings: Warnings }) },
      },
      config: { auth: 'public' },
    },
    async (request) => {
      const { from, to } = request.query;
      const result = await calendar.countWorkingDays(platform.db, from, to, { stops: toStops(request.query.stops) });
      return { from, to, workingDays: result.workingDays, warnings: reportWarnings(request, result.warnings) };
    },
  );

  api.get(
    '/api/v1/calendar/years',
    {
      schema: { operationId: 'listCalendarYears', tags, summary: 'The years whose official holiday arrangement is entered', response: { 200: Type.Object({ items: Type.Array(YearItem), nextCursor: Type.Null() }) } },
      config: { auth: 'public' },
    },
    async () => ({ items: await calendar.listYears(platform.db), nextCursor: null }),
  );

  api.put(
    '/api/v1/calendar/years/:year',
    {
      schema: { operationId: 'markCalendarYear', tags, summary: 'Mark the year as entered: computations in it stop warning', params: YearParams, body: YearBody, response: { 200: YearItem } },
      config: { auth: 'calendar.write' },
    },
    async (request) => inTransaction(platform.db, actorOf(request), (work) => calendar.setYear(work, request.params.year, request.body, platform.clock.now())),
  );

  api.delete(
    '/api/v1/calendar/years/:year',
    {
      schema: { operationId: 'unmarkCalendarYear', tags, summary: 'Mark the year as not entered (its days stay); 204 also when it was not marked', params: YearParams, response: { 204: NoContent } },
      config: { auth: 'calendar.write' },
    },
    async (request, reply) => {
      await inTransaction(platform.db, actorOf(request), (work) => calendar.clearYear(work, request.params.year, platform.clock.now()));
      return reply.status(204).send();
    },
  );

  api.get(
    '/api/v1/calendar/days/:date',
    {
      schema: {
        operationId: 'getCalendarDay',
        tags,
        summary: 'What the calendar says about one date',
        params: DayParams,
        response: {
          200: Type.Object({
            date: Type.String(),
            working: Type.Boolean(),
            weekend: Type.Boolean(),
            kind: Type.Union([Kind, Type.Null()]),
            name: Type.Union([Type.String(), Type.Null()]),
            hasData: Type.Boolean(),
          }),
        },
      },
      config: { auth: 'public' },
    },
    async (request) => calendar.getDay(platform.db, request.params.date),
  );

  api.put(
    '/api/v1/calendar/days/:date',
    {
      schema: {
        operationId: 'setCalendarDay',
        tags,
        summary: 'Make the date a holiday or a make-up working day',
        description: 'A make-up working day must fall on a Saturday or Sunday. Sending the same values again changes nothing.',
        params: DayParams,
        body: DayBody,
        response: { 200: Ref(Day), ...problems(422) },
      },
      config: { auth: 'calendar.write' },
    },
    async (request) => inTransaction(platform.db, actorOf(request), (work) => calendar.setDay(work, request.params.date, request.body, platform.clock.now())),
  );

  api.delete(
    '/api/v1/calendar/days/:date',
    {
      schema: { operationId: 'clearCalendarDay', tags, summary: 'Make the date ordinary again; 204 also when it already was (idempotent)', params: DayParams, response: { 204: NoContent } },
      config: { auth: 'calendar.write' },
    },
    async (request, reply) => {
      await inTransaction(platform.db, actorOf(request), (work) => calendar.clearDay(work, request.params.date, platform.clock.now()));
      return reply.status(204).send();
    },
  );

  api.get(
    '/api/v1/calendar/:year',
    {
      schema: {
        operationId: 'getCalendarYear',
        tags,
        summary: 'Every non-ordinary day of the year (holidays and make-up working days)',
        params: YearParams,
        response: {
          200: Type.Object({
            year: Type.Integer(),
            hasData: Type.Boolean({ description: 'Whether the official arrangement of the year is entered' }),
            source: Type.Union([Type.String(), Type.Null()]),
            items: Type.Array(Ref(Day)),
          }),
        },
      },
      config: { auth: 'public' },
    },
    async (request) => calendar.listYear(platform.db, request.params.year),
  );
}
