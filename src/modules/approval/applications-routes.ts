import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, ListQuery, Strict, actorOf } from '../../platform/http/index.ts';
import { sendIdempotent } from '../../platform/http/idempotency.ts';
import { inTransaction } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import { ApplicationInputSchema } from './model.ts';
import { getApplicationView, listMyApplications } from './application-views.ts';
import { submitApplication } from './commands/submit-application.ts';
import { submitCorrection } from './commands/correct-application.ts';
import { withdrawApplication } from './commands/withdraw-application.ts';
import { extendApplication, MAX_EXTENSION_DAYS } from './commands/extend-deadline.ts';
import { MAX_FEE_FEN, recordFee } from './commands/record-fee.ts';
import { MANUAL_STOPS, startClockStop } from './commands/stop-clock.ts';
import { endClockStop } from './commands/resume-clock.ts';
import { noticeRoutes } from './notices.tsx';

const IdParams = Strict({ id: Id });
const Mine = Type.Optional(Type.Literal(true, { description: 'Only the caller’s own (the only list offered here)' }));
const MineQuery = Strict({ mine: Mine, ...ListQuery });
const MaterialRef = Strict({ materialKey: Type.String({ maxLength: 40 }), fileId: Id });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

const CorrectionBody = Strict({ materials: Type.Array(MaterialRef, { minItems: 1, maxItems: 200 }) });
const WithdrawBody = Strict({ reason: Type.Optional(Type.String({ maxLength: 1000 })) });
const ExtensionBody = Strict({ days: Type.Integer({ minimum: 1, maximum: MAX_EXTENSION_DAYS }), reason: Text(1000) });
const ClockStopBody = Strict({ reason: Type.Union(MANUAL_STOPS.map((s) => Type.Literal(s)), { description: 'hearing (听证), inspection (检验检测专家评审), public_notice (公示)' }), note: Text(1000) });
const FeeBody = Strict({
  amountFen: Type.Integer({ minimum: -MAX_FEE_FEN, maximum: MAX_FEE_FEN, description: 'Fen charged (negative: a refund, with a note)' }),
  note: Type.Optional(Type.String({ maxLength: 200 })),
});
const ResumeBody = Strict({ note: Type.Optional(Type.String({ maxLength: 1000 })) });

const CaseState = Type.String({ description: 'submitted, accepted, correction_requested, in_review, approved, rejected, withdrawn' });
const Created = Type.Object({ id: Type.String(), receiptNo: Type.String(), state: CaseState });
const Step = Type.Object({
  key: Type.String(),
  name: Type.String(),
  unitId: Type.String(),
  role: Type.String(),
  stage: Type.Integer(),
  state: Type.String({ description: 'waiting, open, approved, rejected, skipped' }),
  dueDate: Type.Union([Type.String(), Type.Null()]),
  openedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const CaseView = Type.Object({
  id: Type.String(),
  receiptNo: Type.String(),
  itemId: Type.String(),
  itemCode: Type.String(),
  itemName: Type.String(),
  itemVersion: Type.Integer(),
  unitId: Type.String(),
  channel: Type.String(),
  state: CaseState,
  submittedAt: Type.String(),
  acceptDueDate: Type.String({ description: 'Acceptance is due within 5 working days of submission (clock stops excluded)' }),
  acceptedAt: Nullable(Type.String()),
  dueDate: Nullable(Type.String({ description: 'The case deadline: the acceptance deadline until accepted, then promised days plus extensions and clock stops' })),
  finishedAt: Nullable(Type.String()),
  promisedDays: Type.Integer(),
  extensionDays: Type.Integer(),
  clockStopped: Nullable(Type.String()),
  applicant: Type.Object({ kind: Type.String(), name: Type.String(), idNumber: Nullable(Type.String()), creditCode: Nullable(Type.String()), phone: Type.String() }),
  form: Type.Record(Type.String(), Type.Unknown()),
  materials: Type.Array(Type.Object({ materialKey: Type.String(), name: Type.String(), fileId: Type.String(), round: Type.Integer(), addedAt: Type.String() })),
  pendingMaterials: Type.Array(Type.Object({ materialKey: Type.String(), name: Type.String() })),
  correction: Type.Union([
    Type.Object({
      requestedAt: Type.String(),
      stepKey: Type.String(),
      unitId: Type.String(),
      missing: Type.Array(Type.Object({ materialKey: Type.String(), name: Type.String(), reason: Type.String() })),
      opinion: Nullable(Type.String()),
      correctedAt: Nullable(Type.String()),
    }),
    Type.Null(),
  ]),
  decision: Type.Union([
    Type.Object({ outcome: Type.String(), stepKey: Type.String(), stepName: Type.String(), unitId: Type.String(), reason: Type.String(), notAccepted: Type.Boolean(), decidedAt: Type.String() }),
    Type.Null(),
  ]),
  steps: Type.Array(Step),
  actions: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'The process log: start, complete (stepKey, outcome, opinion), suspend, resume, extend, reassign, withdraw' }),
  events: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'Case events: submitted, accepted, correction_requested, corrected, clock_stopped, clock_resumed, extended, fee_charged, returned, rejected, approved, withdrawn' }),
  result: Type.Union([Type.Object({ certificateNo: Type.String(), verificationCode: Type.String() }), Type.Null()]),
});
const CaseSummary = Type.Object({
  id: Type.String(),
  receiptNo: Type.String(),
  itemId: Type.String(),
  itemCode: Type.String(),
  itemName: Type.String(),
  itemVersion: Type.Integer(),
  channel: Type.String(),
  applicantName: Type.String(),
  state: CaseState,
  submittedAt: Type.String(),
  dueDate: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
});
const Page = <T extends ReturnType<typeof Type.Object>>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });
const CaseChange = Type.Object({ id: Type.String(), state: CaseState, dueDate: Nullable(Type.String()) }, { additionalProperties: true });

/**
 * Creating POSTs (applications, corrections, extensions, clock stops) honour Idempotency-Key;
 * state transitions (withdraw, resume; completing and reassigning tasks: the platform's inbox) answer a repeat with 409 instead.
 */
export async function applicationsRoutes(app: FastifyInstance, platform: Platform) {
  const tags = ['approval'];

  app.post<{ Body: Static<typeof ApplicationInputSchema> }>(
    '/api/v1/approval/applications',
    {
      schema: {
        operationId: 'submitApplication',
        tags,
        summary: 'Apply for a service item, online (citizen or enterprise account) or at a window (staff with approval.intake)',
        description:
          'Form data is checked against the item; materials are uploaded first (POST /api/v1/files) and referenced by file id. All problems are reported at once, missing required materials listed together (`missingMaterials`). Send an Idempotency-Key to retry safely; the same body again within 10 seconds without a key is 409 DUPLICATE with `existing: { id, receiptNo, state }`.',
        body: ApplicationInputSchema,
        response: { 201: Created },
      },
      config: { auth: 'user' },
    },
    async (request, reply) => sendIdempotent(platform, request, reply, 201, (work) => submitApplication(work, platform, request.principal!, request.body)),
  );

  app.get<{ Querystring: Static<typeof MineQuery> }>(
    '/api/v1/approval/applications',
    {
      schema: { operationId: 'listMyApplications', tags, summary: 'The caller’s own applications, newest first (a citizen’s applications, or those a clerk filed)', querystring: MineQuery, response: { 200: Page(CaseSummary) } },
      config: { auth: 'user' },
    },
    async (request) => listMyApplications(platform, request.principal!, { limit: request.query.limit ?? 20, cursor: request.query.cursor }),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/approval/applications/:id',
    {
      schema: {
        operationId: 'getApplication',
        tags,
        summary: 'A case: state, deadlines, steps, the process log, events and the result',
        description: 'Visible to the applicant, the clerk who filed it and staff whose scope covers a unit of one of its steps; 404 for anyone else.',
        params: IdParams,
        response: { 200: CaseView },
      },
      config: { auth: 'user' },
    },
    async (request) => getApplicationView(platform, request.principal!, request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CorrectionBody> }>(
    '/api/v1/approval/applications/:id/corrections',
    {
      schema: {
        operationId: 'submitCorrection',
        tags,
        summary: 'Hand in the materials a correction request listed (all of them at once; the clock resumes), or materials accepted as pending (容缺) later',
        params: IdParams,
        body: CorrectionBody,
        response: { 200: CaseChange },
      },
      config: { auth: 'user' },
    },
    async (request, reply) => sendIdempotent(platform, request, reply, 200, (work) => submitCorrection(work, platform, request.principal!, request.params.id, request.body)),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof WithdrawBody> }>(
    '/api/v1/approval/applications/:id/withdraw',
    {
      schema: { operationId: 'withdrawApplication', tags, summary: 'The applicant withdraws an application that is not accepted yet', params: IdParams, body: WithdrawBody, response: { 200: Created } },
      config: { auth: 'user' },
    },
    async (request) => inTransaction(platform.db, actorOf(request), (work) => withdrawApplication(work, platform, request.principal!, request.params.id, request.body)),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ExtensionBody> }>(
    '/api/v1/approval/applications/:id/extensions',
    {
      schema: {
        operationId: 'extendApplication',
        tags,
        summary: `A unit leader extends the time limit (延期) with a reason; at most ${MAX_EXTENSION_DAYS} working days in all`,
        params: IdParams,
        body: ExtensionBody,
        response: { 201: CaseChange },
      },
      config: { auth: 'approval.lead' },
    },
    async (request, reply) => sendIdempotent(platform, request, reply, 201, (work) => extendApplication(work, platform, request.principal!, request.params.id, request.body)),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FeeBody> }>(
    '/api/v1/approval/applications/:id/fees',
    {
      schema: {
        operationId: 'chargeApplicationFee',
        tags,
        summary: 'Record a fee charged on an accepted case (收费), in fen; supervision compares the total with the item\'s standard',
        params: IdParams,
        body: FeeBody,
        response: { 201: CaseChange },
      },
      config: { auth: 'user' },
    },
    async (request, reply) => sendIdempotent(platform, request, reply, 201, (work) => recordFee(work, platform, request.principal!, request.params.id, request.body)),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ClockStopBody> }>(
    '/api/v1/approval/applications/:id/clock-stops',
    {
      schema: {
        operationId: 'stopApplicationClock',
        tags,
        summary: 'Stop the clock for a hearing, an inspection/testing/expert review or a public notice, with the reason',
        params: IdParams,
        body: ClockStopBody,
        response: { 201: CaseChange },
      },
      config: { auth: 'approval.handle' },
    },
    async (request, reply) => sendIdempotent(platform, request, reply, 201, (work) => startClockStop(work, platform, request.principal!, request.params.id, request.body)),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ResumeBody> }>(
    '/api/v1/approval/applications/:id/clock-stops/resume',
    {
      schema: { operationId: 'resumeApplicationClock', tags, summary: 'End the hearing, inspection or public-notice stop: the clock runs again', params: IdParams, body: ResumeBody, response: { 200: CaseChange } },
      config: { auth: 'approval.handle' },
    },
    async (request) => inTransaction(platform.db, actorOf(request), (work) => endClockStop(work, platform, request.principal!, request.params.id, request.body)),
  );

  await noticeRoutes(app, platform);
}
