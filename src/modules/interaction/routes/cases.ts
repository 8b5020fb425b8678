/**
 * Staff handling of cases over HTTP: the caller's units' cases, one case in full, and the actions
 * (assign, pass down, transfer back, ask the writer, merge, draft, approve or return the answer);
 * and the writer's answer to a question, by tracking number and query code.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../../platform/module.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import { Answer, Id, Nullable, StringEnum, Strict, Timestamp, actorOf, problems } from '../../../platform/http/index.ts';
import { enforceLimit } from '../../../platform/limits/index.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import { ANSWER_TYPES, CASE_STATES, CHANNELS, DISPATCH_PERMISSION, HANDLE_PERMISSION, APPROVE_PERMISSION, LIMITS, MAX_ANSWER_FILES, type CaseRow } from '../model.ts';
import { getCaseView, listCases } from '../queries/cases.ts';
import { assignCase } from '../commands/assign-case.ts';
import { passCase } from '../commands/pass-case.ts';
import { transferBack } from '../commands/transfer-back.ts';
import { askClarification } from '../commands/ask-clarification.ts';
import { replyClarification } from '../commands/reply-clarification.ts';
import { mergeCases } from '../commands/merge-cases.ts';
import { draftAnswer } from '../commands/draft-answer.ts';
import { approveAnswer } from '../commands/approve-answer.ts';
import { returnAnswer } from '../commands/return-answer.ts';

const tags = ['interaction'];
const Params = Strict({ id: Id });
const Note = Type.Optional(Type.String({ maxLength: LIMITS.reason }));
const Reason = Type.String({ minLength: 1, maxLength: LIMITS.reason });

/** What an action answers: the case as it now stands. */
const CaseResult = Answer({
  id: Type.String(),
  trackingNo: Type.String(),
  state: StringEnum(CASE_STATES),
  handlingUnitId: Type.String(),
  dueDate: Type.String({ format: 'date' }),
  mergedIntoId: Nullable(Type.String()),
  version: Type.Integer(),
});
const caseResult = (row: CaseRow) => ({ id: row.id, trackingNo: row.tracking_no, state: row.state, handlingUnitId: row.handling_unit_id, dueDate: String(row.due_date), mergedIntoId: row.merged_into_id, version: row.version });

const ListItem = Answer({
  id: Type.String(),
  trackingNo: Type.String(),
  channel: StringEnum(CHANNELS),
  state: StringEnum(CASE_STATES),
  title: Type.String(),
  writerNameMasked: Type.String({ description: 'the writer’s name masked: 张**' }),
  handlingUnitId: Type.String(),
  handlingUnitName: Type.String(),
  isPublic: Type.Boolean(),
  receivedAt: Timestamp(),
  dueDate: Type.String({ format: 'date' }),
  overdue: Type.Boolean(),
  urgency: Nullable(Type.String()),
});

const EventSchema = Answer({ id: Type.Integer(), type: Type.String(), at: Timestamp(), unitId: Nullable(Type.String()), unitName: Nullable(Type.String()), actorName: Nullable(Type.String()), details: Type.Record(Type.String(), Type.Unknown()) });
const FileItem = Answer({ id: Type.String(), name: Type.String(), size: Type.Integer(), mime: Type.String() }, { description: 'download with GET /api/v1/files/{id}' });
const CaseSchema = Answer({
  id: Type.String(),
  trackingNo: Type.String(),
  channel: StringEnum(CHANNELS),
  state: StringEnum(CASE_STATES),
  title: Type.String(),
  body: Type.String(),
  isPublic: Type.Boolean(),
  writerNameMasked: Type.String(),
  writer: Nullable(Answer({ name: Type.String(), phone: Type.String(), email: Nullable(Type.String()) }, { description: 'opened only for the staff of the unit that has the case (audited)' })),
  readOnly: Type.Boolean({ description: 'a unit the case was with before, or oversight' }),
  handlingUnitId: Type.String(),
  handlingUnitName: Type.String(),
  receivedAt: Timestamp(),
  dueDate: Type.String({ format: 'date' }),
  overdue: Type.Boolean(),
  stoppedDays: Type.Integer(),
  mergedIntoId: Nullable(Type.String()),
  currentStep: Nullable(Answer({ key: Type.String(), unitId: Type.String(), dueDate: Type.String(), taskId: Type.String(), suspended: Type.Boolean() })),
  attachments: Type.Array(FileItem, { description: 'what the writer attached' }),
  draft: Nullable(Answer({ body: Type.String(), answerType: Nullable(Type.String()), publish: Type.Boolean(), attachments: Type.Array(FileItem) })),
  answer: Nullable(Answer({ body: Type.String(), answerType: Nullable(Type.String()), answeredAt: Nullable(Timestamp()), moderation: Type.String(), attachments: Type.Array(FileItem) })),
  events: Type.Array(EventSchema, { description: 'the routing history, oldest first' }),
  may: Answer({}, { description: 'what the caller may do now' }),
  version: Type.Integer(),
});

export async function casesRoutes(app: FastifyInstance, platform: Platform) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const work = <T>(request: Parameters<typeof actorOf>[0], fn: Parameters<typeof inTransaction<T>>[2]) => inTransaction(platform.db, actorOf(request), fn);

  api.get(
    '/api/v1/interaction/cases',
    {
      schema: {
        operationId: 'listInteractionCases',
        tags,
        summary: "The caller's units' cases: open ones first, soonest deadline first (supervisors: every unit's)",
        querystring: Strict({
          channel: Type.Optional(StringEnum(CHANNELS)),
          state: Type.Optional(StringEnum(CASE_STATES)),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
          cursor: Type.Optional(Type.String({ maxLength: 300 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(ListItem), nextCursor: Nullable(Type.String()) }), ...problems(400) },
      },
      config: { auth: 'user' },
    },
    async (request) => listCases(platform.db, request.principal!, { channel: request.query.channel, state: request.query.state, limit: request.query.limit ?? 20, cursor: request.query.cursor }, shanghaiDate(platform.clock.now())),
  );

  api.get(
    '/api/v1/interaction/cases/:id',
    {
      schema: {
        operationId: 'getInteractionCase',
        tags,
        summary: 'One case in full: to the unit that has it, read-only to the units it was with and to supervisors',
        params: Params,
        response: { 200: CaseSchema, ...problems(404) },
      },
      config: { auth: 'user' },
    },
    async (request) => work(request, (w) => getCaseView(w, platform, request.principal!, request.params.id)),
  );

  const action = (path: string, operationId: string, summary: string, auth: 'user' | `${string}.${string}`, body: ReturnType<typeof Strict>, run: (w: Parameters<Parameters<typeof inTransaction>[2]>[0], request: { principal: NonNullable<unknown>; params: { id: string }; body: never }) => Promise<CaseRow>) => {
    api.post(
      `/api/v1/interaction/cases/:id/${path}`,
      { schema: { operationId, tags, summary, params: Params, body, response: { 200: CaseResult, ...problems(403, 404, 409, 422) } }, config: { auth } },
      async (request) => caseResult(await work(request, (w) => run(w, request as never))),
    );
  };

  action('assign', 'assignInteractionCase', 'The dispatcher assigns the case to a unit (its responders are told)', 'user', Strict({ unitId: Id, note: Note }), (w, r) =>
    assignCase(w, platform, r.principal as never, r.params.id, r.body),
  );
  action('pass', 'passInteractionCase', 'Pass the case down to a unit under the handling unit (a subordinate unit, a town or village)', HANDLE_PERMISSION, Strict({ unitId: Id, note: Note }), (w, r) =>
    passCase(w, platform, r.principal as never, r.params.id, r.body),
  );
  action('transfer-back', 'transferBackInteractionCase', 'Transfer the case back to the dispatching office (or the unit that passed it down) with a reason', HANDLE_PERMISSION, Strict({ reason: Reason }), (w, r) =>
    transferBack(w, platform, r.principal as never, r.params.id, r.body),
  );
  action('clarification', 'askInteractionClarification', "Ask the writer for clarification (text message); the case's clock stops until the answer", HANDLE_PERMISSION, Strict({ question: Reason }), (w, r) =>
    askClarification(w, platform, r.principal as never, r.params.id, r.body),
  );
  action('merge', 'mergeInteractionCase', 'Merge a duplicate into another open case of the same unit; its writer gets the same answer', 'user', Strict({ intoId: Id }), (w, r) =>
    mergeCases(w, platform, r.principal as never, r.params.id, r.body),
  );
  action(
    'answer',
    'draftInteractionAnswer',
    "Draft the answer for the unit's leader: answerType is required for a disclosure request and refused otherwise; publish only for a public channel's public case",
    HANDLE_PERMISSION,
    Strict({
      body: Type.String({ minLength: 1, maxLength: LIMITS.answer }),
      publish: Type.Boolean(),
      answerType: Type.Optional(StringEnum(ANSWER_TYPES)),
      attachments: Type.Optional(
        Type.Array(Id, {
          maxItems: MAX_ANSWER_FILES,
          description: 'The answer documents (答复书, the disclosed documents): the caller’s uploads (POST /api/v1/files) or documents of an earlier draft of this case. Kept with the draft; the writer downloads them once the leader approves the answer',
        }),
      ),
    }),
    (w, r) => draftAnswer(w, platform, r.principal as never, r.params.id, r.body),
  );
  action('approve-answer', 'approveInteractionAnswer', "The unit's leader approves the draft: the answer goes to the writer (and to the writers of merged cases)", APPROVE_PERMISSION, Strict({}), (w, r) =>
    approveAnswer(w, platform, r.principal as never, r.params.id),
  );
  action('return-answer', 'returnInteractionAnswer', "The unit's leader returns the draft to the responders with a reason", APPROVE_PERMISSION, Strict({ reason: Reason }), (w, r) =>
    returnAnswer(w, platform, r.principal as never, r.params.id, r.body),
  );

  api.post(
    '/api/v1/public/letters/:trackingNo/clarification',
    {
      schema: {
        operationId: 'replyInteractionClarification',
        tags,
        summary: "The writer answers the unit's question with the tracking number and query code (a wrong code is 404)",
        params: Strict({ trackingNo: Type.String({ minLength: 1, maxLength: 40 }) }),
        body: Strict({ code: Type.String({ minLength: 1, maxLength: 40 }), text: Type.String({ minLength: 1, maxLength: LIMITS.body }) }),
        response: { 200: Type.Object({ trackingNo: Type.String(), state: StringEnum(CASE_STATES), dueDate: Type.String({ format: 'date' }) }), ...problems(404, 409, 429) },
      },
      config: { auth: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request) => {
      await enforceLimit(platform, `interaction:clarification:${request.params.trackingNo}`, 10, 60 * 60_000);
      const row = await work(request, (w) => replyClarification(w, platform, request.params.trackingNo, request.body));
      return { trackingNo: row.tracking_no, state: row.state, dueDate: String(row.due_date) };
    },
  );
}
void DISPATCH_PERMISSION;
