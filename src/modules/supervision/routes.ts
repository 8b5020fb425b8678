import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, ListQuery, Page, Strict, actorOf, fieldError, forbidden, invalid, notFound } from '../../platform/http/index.ts';
import { idempotent } from '../../platform/http/idempotency.ts';
import { inTransaction } from '../../platform/db/work.ts';
import { hasPermission } from '../../platform/iam/principal.ts';
import type { Platform } from '../../platform/module.ts';
import { DECIDE, EXPLAIN, READ, SCAN, readScope, supervisorScope } from './access.ts';
import { cardCounts, decideCard, explainCard, getCard, listCards } from './cards.ts';
import { runScan } from './scan.ts';
import { computeStats, periodOf, statsChartSvg, statsSteps, statsWorkbook } from './stats.ts';
import { completeRectification, listRatings, listRectifications, rateCase, ratingStats, recordRectificationCall } from './ratings.ts';
import { addComplaintNote, fileComplaint, getComplaint, listComplaints, replyComplaint } from './complaints.ts';
import { loadSettings, updateSettings } from './settings.ts';
import { monitorSnapshot } from './monitor.ts';
import { subjectById, subjectByTrackingNo, subjectByTrackingNoAndPhone } from './subjects.ts';
import { CARD_REASONS, CARD_STATUSES, DEFAULT_SETTINGS, SETTING_LIMITS } from './rules.ts';

const tags = ['supervision'];
const DateText = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Calendar date in Asia/Shanghai, YYYY-MM-DD' });
const Color = Type.Union([Type.Literal('yellow'), Type.Literal('red')]);
const Status = Type.Union(CARD_STATUSES.map((s) => Type.Literal(s)));
const Reason = Type.Union(CARD_REASONS.map((r) => Type.Literal(r)));
const IdParams = Strict({ id: Id });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

const SubjectType = Type.String({ minLength: 1, maxLength: 64, description: "the supervised subject's type, e.g. approval_case" });
const Card = Type.Object({
  id: Type.String(),
  subjectType: Type.String({ description: "the supervised subject's type (approval_case …); caseId is its id" }),
  caseId: Type.String(),
  stepKey: Type.Union([Type.String(), Type.Null()], { description: 'null for a finding about the whole case' }),
  stepName: Type.Union([Type.String(), Type.Null()], { description: 'the step\'s name (受理), null when unknown or for the whole case' }),
  unitId: Type.String(),
  color: Color,
  reason: Reason,
  status: Status,
  issuedAt: Type.String({ format: 'date-time' }),
  personId: Type.Union([Type.String(), Type.Null()]),
  taskId: Type.Union([Type.String(), Type.Null()]),
  dueDate: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
  upgradedAt: Type.Union([Type.String(), Type.Null()], { description: 'when a yellow card turned red' }),
  explainedAt: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer(),
  receiptNo: Type.Union([Type.String(), Type.Null()]),
  itemName: Type.Union([Type.String(), Type.Null()]),
  link: Type.Union([Type.String(), Type.Null()], { description: "the subject's staff page" }),
});
const CardHistory = Type.Object({
  seq: Type.Integer(),
  type: Type.String(),
  color: Color,
  text: Type.Union([Type.String(), Type.Null()]),
  attachments: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), size: Type.Integer(), mime: Type.String() })),
  actorId: Type.Union([Type.String(), Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  at: Type.String(),
});
const CardDetail = Type.Intersect([Card, Type.Object({ history: Type.Array(CardHistory) })]);

const CardsQuery = Strict({
  unitId: Type.Optional(Id),
  color: Type.Optional(Color),
  status: Type.Optional(Status),
  reason: Type.Optional(Reason),
  caseId: Type.Optional(Id),
  personId: Type.Optional(Id),
  issuedFrom: Type.Optional(DateText),
  issuedTo: Type.Optional(DateText),
  ...ListQuery,
});
const ExplainBody = Strict({
  explanation: Text(2000),
  attachments: Type.Optional(Type.Array(Id, { maxItems: 10, description: 'ids of files uploaded through POST /api/v1/files' })),
  expectedVersion: Type.Optional(Type.Integer({ minimum: 1 })),
});
const DecideBody = Strict({ reason: Text(2000), expectedVersion: Type.Optional(Type.Integer({ minimum: 1 })) });

const StatsQuery = Strict({
  from: DateText,
  to: DateText,
  groupBy: Type.Optional(Type.Union([Type.Literal('unit'), Type.Literal('person')], { default: 'unit' })),
  unitId: Type.Optional(Id),
});
const StatsItem = Type.Object({
  unitId: Type.String(),
  unitName: Type.String(),
  personId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  personName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  finished: Type.Integer(),
  onTime: Type.Integer({ description: 'finished by the end of the due date (early ones included)' }),
  early: Type.Integer({ description: '提前办结: finished before the due date' }),
  overdue: Type.Integer(),
  onTimeRate: Type.Number(),
  earlyRate: Type.Number(),
  overdueRate: Type.Number(),
  avgWorkingDays: Type.Number({ description: 'working days used per step, clock stops excluded' }),
  avgPromisedDays: Type.Number(),
  finishedCases: Type.Integer(),
  correctedCases: Type.Integer(),
  correctionRate: Type.Union([Type.Number(), Type.Null()]),
  cards: Type.Object({ yellow: Type.Integer(), red: Type.Integer() }),
  confirmedCards: Type.Object({ yellow: Type.Integer(), red: Type.Integer() }),
});
const StepsQuery = Strict({
  from: DateText,
  to: DateText,
  unitId: Type.Optional(Id),
  personId: Type.Optional(Id),
  outcome: Type.Optional(Type.Union([Type.Literal('onTime'), Type.Literal('early'), Type.Literal('overdue')])),
  ...ListQuery,
});
const PeriodQuery = Strict({ from: DateText, to: DateText, groupBy: Type.Optional(Type.Union([Type.Literal('unit'), Type.Literal('person')])) });
const RatingStatsQuery = Strict({ from: DateText, to: DateText, groupBy: Type.Optional(Type.Union([Type.Literal('unit'), Type.Literal('item')])) });

const Score = Type.Integer({ minimum: 1, maximum: 5, description: '5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意' });
const Comment = Type.Optional(Type.String({ maxLength: 500 }));
const PublicRatingBody = Strict({ receiptNo: Type.String({ minLength: 1, maxLength: 40 }), phone: Type.String({ minLength: 1, maxLength: 20 }), score: Score, comment: Comment });
const AccountRatingBody = Strict({ caseId: Id, subjectType: Type.Optional(SubjectType), score: Score, comment: Comment });
const RatingCreated = Type.Object({ id: Type.String(), caseId: Type.String(), score: Type.Integer(), ratedAt: Type.String() });
const RatingsQuery = Strict({ unitId: Type.Optional(Id), itemId: Type.Optional(Id), maxScore: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })), ...ListQuery });
const RectificationsQuery = Strict({ state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('done')])), unitId: Type.Optional(Id), ...ListQuery });

const PublicComplaintBody = Strict({
  receiptNo: Type.String({ minLength: 1, maxLength: 40 }),
  phone: Type.String({ minLength: 1, maxLength: 20 }),
  name: Text(100),
  content: Text(2000),
});
const ComplaintBody = Strict({
  caseId: Type.Optional(Id),
  subjectType: Type.Optional(SubjectType),
  receiptNo: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  content: Text(2000),
  complainantName: Type.Optional(Text(100)),
  complainantPhone: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
});
const ComplaintsQuery = Strict({ state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('handling'), Type.Literal('replied')])), overdue: Type.Optional(Type.Boolean()), ...ListQuery });
const ComplaintCreated = Type.Object({ id: Type.String(), caseId: Type.String(), receiptNo: Type.String(), state: Type.String(), dueDate: Type.String(), filedAt: Type.String() });

const SettingsSchema = Type.Object(Object.fromEntries(Object.entries(SETTING_LIMITS).map(([key, [min, max]]) => [key, Type.Integer({ minimum: min, maximum: max, default: DEFAULT_SETTINGS[key as keyof typeof DEFAULT_SETTINGS] })])));
const SettingsPatch = Strict(Object.fromEntries(Object.entries(SETTING_LIMITS).map(([key, [min, max]]) => [key, Type.Optional(Type.Integer({ minimum: min, maximum: max }))])), { minProperties: 1 });

const startOf = (date: string) => new Date(`${date}T00:00:00+08:00`);

export async function supervisionApiRoutes(app: FastifyInstance, platform: Platform) {
  // ------------------------------------------------------------ scan and cards

  app.post(
    '/api/v1/supervision/scan',
    {
      schema: { operationId: 'runSupervisionScan', tags, summary: 'Runs the deadline scan now (it also runs every 5 minutes): the cards issued by this run', response: { 200: Type.Object({ yellow: Type.Integer(), red: Type.Integer() }) } },
      config: { auth: SCAN },
    },
    async (request) => runScan(platform, actorOf(request)),
  );

  app.get<{ Querystring: Static<typeof CardsQuery> }>(
    '/api/v1/supervision/cards',
    {
      schema: { operationId: 'listCards', tags, summary: 'Yellow and red cards, newest first: supervisors see every unit, anyone else their own unit', querystring: CardsQuery, response: { 200: Page(Card) } },
      config: { auth: 'user' },
    },
    async (request) => {
      const { issuedFrom, issuedTo, limit, ...rest } = request.query;
      if (issuedFrom && issuedTo) periodOf(issuedFrom, issuedTo);
      return listCards(platform, request.principal, {
        ...rest,
        limit: limit ?? 20,
        from: issuedFrom ? startOf(issuedFrom) : undefined,
        to: issuedTo ? new Date(startOf(issuedTo).getTime() + 86_400_000) : undefined,
      });
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/supervision/cards/:id',
    { schema: { operationId: 'getCard', tags, summary: 'One card with its append-only history and attachments', params: IdParams, response: { 200: CardDetail } }, config: { auth: 'user' } },
    async (request) => getCard(platform, request.principal, request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ExplainBody> }>(
    '/api/v1/supervision/cards/:id/explain',
    { schema: { operationId: 'explainCard', tags, summary: 'The unit explains an open card (once), with attachments', params: IdParams, body: ExplainBody, response: { 200: Card } }, config: { auth: EXPLAIN } },
    async (request) => inTransaction(platform.db, actorOf(request), (work) => explainCard(work, platform, request.principal!, request.params.id, request.body)),
  );

  for (const decision of ['confirm', 'revoke'] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof DecideBody> }>(
      `/api/v1/supervision/cards/:id/${decision}`,
      {
        schema: {
          operationId: `${decision}Card`,
          tags,
          summary: decision === 'confirm' ? 'A supervisor confirms a card, with a reason: it counts in the unit’s and the person’s record' : 'A supervisor revokes a card, with a reason',
          params: IdParams,
          body: DecideBody,
          response: { 200: Card },
        },
        config: { auth: DECIDE },
      },
      async (request) => inTransaction(platform.db, actorOf(request), (work) => decideCard(work, platform, request.principal!, request.params.id, decision, request.body)),
    );
  }

  app.get<{ Querystring: Static<typeof PeriodQuery> }>(
    '/api/v1/supervision/records',
    {
      schema: {
        operationId: 'listSupervisionRecords',
        tags,
        summary: 'Cards issued in a period per unit or person: by colour, confirmed (the record, 责任追究), revoked, pending',
        querystring: PeriodQuery,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({ unitId: Type.String(), personId: Type.Union([Type.String(), Type.Null()]), yellow: Type.Integer(), red: Type.Integer(), confirmedYellow: Type.Integer(), confirmedRed: Type.Integer(), revoked: Type.Integer(), pending: Type.Integer() }),
            ),
          }),
        },
      },
      config: { auth: 'user' },
    },
    async (request) => {
      const scope = readScope(request.principal);
      if (!scope) throw forbidden();
      const period = periodOf(request.query.from, request.query.to);
      return { items: await cardCounts(platform.db, scope, period.fromInstant, period.toInstant, request.query.groupBy ?? 'unit') };
    },
  );

  app.get(
    '/api/v1/supervision/settings',
    { schema: { operationId: 'getSupervisionSettings', tags, summary: 'The thresholds in force (yellow card, complaint and rectification deadlines)', response: { 200: SettingsSchema } }, config: { auth: READ } },
    async () => loadSettings(platform.db),
  );

  app.put<{ Body: Static<typeof SettingsPatch> }>(
    '/api/v1/supervision/settings',
    { schema: { operationId: 'updateSupervisionSettings', tags, summary: 'Changes some thresholds (supervisors); audited', body: SettingsPatch, response: { 200: SettingsSchema } }, config: { auth: DECIDE } },
    async (request) => {
      if (!supervisorScope(request.principal)) throw forbidden();
      return inTransaction(platform.db, actorOf(request), (work) => updateSettings(work, request.body, platform.clock.now()));
    },
  );

  app.get(
    '/api/v1/supervision/monitor',
    {
      schema: { operationId: 'getMonitor', tags, summary: 'The real-time monitor’s figures: open cases per unit and state, steps at risk now, cards today, longest-waiting steps, overdue complaints' },
      config: { auth: READ },
    },
    async (request) => monitorSnapshot(platform, request.principal!),
  );

  // ------------------------------------------------------------ statistics

  app.get<{ Querystring: Static<typeof StatsQuery> }>(
    '/api/v1/supervision/stats',
    {
      schema: {
        operationId: 'getStats',
        tags,
        summary: 'Performance of a period per unit (or person): one item per unit that finished steps in it',
        description: 'Steps finished from `from` to `to` (both included, Asia/Shanghai). onTime includes early; onTime + overdue = finished. The steps behind each figure: GET /api/v1/supervision/stats/steps.',
        querystring: StatsQuery,
        response: { 200: Type.Object({ items: Type.Array(StatsItem) }) },
      },
      config: { auth: 'user' },
    },
    async (request) => ({ items: await computeStats(platform, request.principal, periodOf(request.query.from, request.query.to), request.query.groupBy ?? 'unit', { unitId: request.query.unitId }) }),
  );

  app.get<{ Querystring: Static<typeof StepsQuery> }>(
    '/api/v1/supervision/stats/steps',
    {
      schema: {
        operationId: 'getStepStats',
        tags,
        summary: 'The finished steps behind a figure of the statistics (same filter, same definitions)',
        querystring: StepsQuery,
        response: {
          200: Page(
            Type.Object({
              taskId: Type.String(),
              caseId: Type.String(),
              stepKey: Type.String(),
              unitId: Type.String(),
              personId: Type.Union([Type.String(), Type.Null()]),
              days: Type.Integer(),
              dueDate: Type.String(),
              finishedAt: Type.String(),
              workingDaysUsed: Type.Union([Type.Integer(), Type.Null()]),
              outcome: Type.String(),
            }),
          ),
        },
      },
      config: { auth: 'user' },
    },
    async (request) => {
      const { from, to, limit, ...rest } = request.query;
      return statsSteps(platform, request.principal, periodOf(from, to), { ...rest, limit: limit ?? 20 });
    },
  );

  app.get<{ Querystring: Static<typeof PeriodQuery> }>(
    '/api/v1/supervision/stats/export.xlsx',
    { schema: { operationId: 'exportStats', tags, summary: 'The statistics as an Excel workbook', querystring: PeriodQuery }, config: { auth: 'user' } },
    async (request, reply) => {
      const period = periodOf(request.query.from, request.query.to);
      const groupBy = request.query.groupBy ?? 'unit';
      const items = await computeStats(platform, request.principal, period, groupBy);
      const body = await statsWorkbook(items, period, groupBy, request.lang);
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('Content-Disposition', `attachment; filename="supervision-stats-${period.from}-${period.to}.xlsx"`)
        .header('Cache-Control', 'no-store')
        .send(body);
    },
  );

  app.get<{ Querystring: Static<typeof PeriodQuery> }>(
    '/api/v1/supervision/stats/chart.svg',
    { schema: { operationId: 'getStatsChart', tags, summary: 'The statistics as a chart (ECharts, rendered on the server as SVG)', querystring: PeriodQuery }, config: { auth: 'user' } },
    async (request, reply) => {
      const period = periodOf(request.query.from, request.query.to);
      const items = await computeStats(platform, request.principal, period, request.query.groupBy ?? 'unit');
      return reply.type('image/svg+xml; charset=utf-8').header('Cache-Control', 'no-store').send(await statsChartSvg(items.slice(0, 40), request.lang));
    },
  );

  // ------------------------------------------------------------ ratings and rectification

  app.post<{ Body: Static<typeof PublicRatingBody> }>(
    '/api/v1/public/ratings',
    {
      schema: {
        operationId: 'ratePublicly',
        tags,
        summary: 'The applicant rates a finished case once (好差评): receipt number and the applicant’s phone; 2 or less opens a rectification task',
        description: 'Unknown receipt number or wrong phone: 404. Case not finished: 409 INVALID_STATE. Already rated: 409 CONFLICT.',
        body: PublicRatingBody,
        response: { 201: RatingCreated },
      },
      config: { auth: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const result = await idempotent(platform, request, actorOf(request), async (work) => {
        const found = await subjectByTrackingNoAndPhone(platform, work.tx, request.body.receiptNo, request.body.phone);
        if (!found) throw notFound();
        const rating = await rateCase(work, platform, found, request.body, { channel: 'public', userId: request.principal?.userId ?? null });
        return { status: 201, body: { id: rating.id, caseId: rating.caseId, score: rating.score, ratedAt: rating.ratedAt } };
      });
      return reply.status(result.status).send(result.body);
    },
  );

  app.post<{ Body: Static<typeof AccountRatingBody> }>(
    '/api/v1/supervision/ratings',
    { schema: { operationId: 'rateCase', tags, summary: 'The signed-in applicant rates their finished case once (the “my applications” page)', body: AccountRatingBody, response: { 201: RatingCreated } }, config: { auth: 'user' } },
    async (request, reply) => {
      const principal = request.principal!;
      const result = await idempotent(platform, request, actorOf(request), async (work) => {
        const found = await subjectById(platform, work.tx, request.body.caseId, request.body.subjectType);
        if (!found || found.ownerUserId !== principal.userId) throw notFound();
        const rating = await rateCase(work, platform, found, request.body, { channel: 'account', userId: principal.userId });
        return { status: 201, body: { id: rating.id, caseId: rating.caseId, score: rating.score, ratedAt: rating.ratedAt } };
      });
      return reply.status(result.status).send(result.body);
    },
  );

  app.get<{ Querystring: Static<typeof RatingsQuery> }>(
    '/api/v1/supervision/ratings',
    { schema: { operationId: 'listRatings', tags, summary: 'Ratings, newest first (supervisors: every unit; a department: its own)', querystring: RatingsQuery }, config: { auth: 'user' } },
    async (request) => {
      const { limit, ...rest } = request.query;
      return listRatings(platform.db, request.principal, { ...rest, limit: limit ?? 20 });
    },
  );

  app.get<{ Querystring: Static<typeof RatingStatsQuery> }>(
    '/api/v1/supervision/ratings/stats',
    { schema: { operationId: 'getRatingStats', tags, summary: 'Rating statistics of a period per unit or item', querystring: RatingStatsQuery }, config: { auth: 'user' } },
    async (request) => {
      const period = periodOf(request.query.from, request.query.to);
      return { items: await ratingStats(platform, request.principal, period.fromInstant, period.toInstant, request.query.groupBy ?? 'unit') };
    },
  );

  app.get<{ Querystring: Static<typeof RectificationsQuery> }>(
    '/api/v1/supervision/rectifications',
    { schema: { operationId: 'listRectifications', tags, summary: 'Rectification tasks opened by poor ratings (整改)', querystring: RectificationsQuery }, config: { auth: 'user' } },
    async (request) => {
      const { limit, ...rest } = request.query;
      return listRectifications(platform, request.principal, { ...rest, limit: limit ?? 20 });
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: { measures: string } }>(
    '/api/v1/supervision/rectifications/:id/complete',
    { schema: { operationId: 'completeRectification', tags, summary: 'The unit reports its rectification measures and closes the task', params: IdParams, body: Strict({ measures: Text(2000) }) }, config: { auth: EXPLAIN } },
    async (request) => inTransaction(platform.db, actorOf(request), (work) => completeRectification(work, platform, request.principal!, request.params.id, request.body)),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: { reached: boolean; satisfied?: boolean; note: string } }>(
    '/api/v1/supervision/rectifications/:id/calls',
    {
      schema: { operationId: 'recordFollowUpCall', tags, summary: 'Supervision records a follow-up call (回访) with the applicant', params: IdParams, body: Strict({ reached: Type.Boolean(), satisfied: Type.Optional(Type.Boolean()), note: Text(2000) }) },
      config: { auth: DECIDE },
    },
    async (request) => inTransaction(platform.db, actorOf(request), (work) => recordRectificationCall(work, platform, request.principal!, request.params.id, request.body)),
  );

  // ------------------------------------------------------------ complaints

  app.post<{ Body: Static<typeof PublicComplaintBody> }>(
    '/api/v1/public/complaints',
    {
      schema: { operationId: 'fileComplaintPublicly', tags, summary: 'The applicant files a complaint about their case (receipt number and their phone); routed to supervision', body: PublicComplaintBody, response: { 201: ComplaintCreated } },
      config: { auth: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const result = await idempotent(platform, request, actorOf(request), async (work) => {
        const found = await subjectByTrackingNoAndPhone(platform, work.tx, request.body.receiptNo, request.body.phone);
        if (!found) throw notFound();
        const body = await fileComplaint(work, platform, found, { channel: 'online', complainantName: request.body.name, complainantPhone: request.body.phone, complainantUserId: request.principal?.kind === 'public' && found.ownerUserId === request.principal.userId ? request.principal.userId : null, content: request.body.content });
        return { status: 201, body };
      });
      return reply.status(result.status).send(result.body);
    },
  );

  app.post<{ Body: Static<typeof ComplaintBody> }>(
    '/api/v1/supervision/complaints',
    {
      schema: {
        operationId: 'fileComplaint',
        tags,
        summary: 'A complaint about a case: by its applicant (signed in; another person’s case is 404), or recorded by a supervisor from a phone call',
        body: ComplaintBody,
        response: { 201: ComplaintCreated },
      },
      config: { auth: 'user' },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const body = request.body;
      const result = await idempotent(platform, request, actorOf(request), async (work) => {
        if (principal.kind === 'public') {
          if (!body.caseId) throw invalid([fieldError('caseId', 'supervision.textRequired')]);
          const found = await subjectById(platform, work.tx, body.caseId, body.subjectType);
          if (!found || found.ownerUserId !== principal.userId) throw notFound();
          return { status: 201, body: await fileComplaint(work, platform, found, { channel: 'online', complainantName: principal.displayName, complainantPhone: null, complainantUserId: principal.userId, content: body.content }) };
        }
        if (!supervisorScope(principal) || !hasPermission(principal, DECIDE)) throw forbidden({ key: 'supervision.complaint.staffOnlyByPhone' });
        const found = body.caseId ? await subjectById(platform, work.tx, body.caseId, body.subjectType) : body.receiptNo ? await subjectByTrackingNo(platform, work.tx, body.receiptNo) : null;
        if (!body.caseId && !body.receiptNo) throw invalid([fieldError('receiptNo', 'supervision.textRequired')]);
        if (!found) throw notFound();
        if (!body.complainantName) throw invalid([fieldError('complainantName', 'supervision.textRequired')]);
        return {
          status: 201,
          body: await fileComplaint(work, platform, found, { channel: 'phone', complainantName: body.complainantName, complainantPhone: body.complainantPhone ?? null, complainantUserId: null, content: body.content }),
        };
      });
      return reply.status(result.status).send(result.body);
    },
  );

  app.get<{ Querystring: Static<typeof ComplaintsQuery> }>(
    '/api/v1/supervision/complaints',
    { schema: { operationId: 'listComplaints', tags, summary: 'Complaints: supervisors see those about units in their scope; a citizen sees their own', querystring: ComplaintsQuery }, config: { auth: 'user' } },
    async (request) => {
      const { limit, ...rest } = request.query;
      return listComplaints(platform, request.principal, { ...rest, limit: limit ?? 20 });
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/supervision/complaints/:id',
    { schema: { operationId: 'getComplaint', tags, summary: 'One complaint with its handling record (supervisors) or its reply (the complainant)', params: IdParams }, config: { auth: 'user' } },
    async (request) => getComplaint(platform, request.principal!, request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: { note: string } }>(
    '/api/v1/supervision/complaints/:id/notes',
    { schema: { operationId: 'addComplaintNote', tags, summary: 'Adds to the handling record (办理记录)', params: IdParams, body: Strict({ note: Text(2000) }) }, config: { auth: DECIDE } },
    async (request) => inTransaction(platform.db, actorOf(request), (work) => addComplaintNote(work, platform, request.principal!, request.params.id, request.body)),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: { reply: string } }>(
    '/api/v1/supervision/complaints/:id/reply',
    { schema: { operationId: 'replyToComplaint', tags, summary: 'Replies to the complainant and closes the complaint', params: IdParams, body: Strict({ reply: Text(2000) }) }, config: { auth: DECIDE } },
    async (request) => inTransaction(platform.db, actorOf(request), (work) => replyComplaint(work, platform, request.principal!, request.params.id, request.body)),
  );
}
