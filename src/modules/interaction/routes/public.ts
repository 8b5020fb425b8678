/**
 * The public side of citizen interaction: writing a letter (mayor's or a unit's mailbox, the
 * message board, a disclosure request), following it with the tracking number and query code,
 * rating the answer and reopening the case once, and the public message board.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, Answer, Id, Strict, StringEnum, actorOf, fieldError, invalid, notFound, problems, type FieldError } from '../../../platform/http/index.ts';
import { idempotent } from '../../../platform/http/idempotency.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { enforceLimit } from '../../../platform/limits/index.ts';
import { blindIndex } from '../../../platform/crypto/fields.ts';
import { isValidIdNumber, isValidMobile } from '../../../platform/org/codes.ts';
import { LIMITS, MAX_LETTER_FILES, type Channel } from '../model.ts';
import { attachLetterFiles, checkLetterFiles } from '../commands/letter-files.ts';
import { receiveCase } from '../commands/receive-case.ts';
import { rateCase } from '../commands/rate-case.ts';
import { reopenCase } from '../commands/reopen-case.ts';
import { caseOfWriter, listBoard, TRACKING_NO_PATTERN, writerView } from '../queries/public.ts';

/** The channels a citizen writes to (the hotline's tickets are entered by its operators). */
export const PUBLIC_WRITE_CHANNELS = ['mayor_mailbox', 'unit_mailbox', 'message_board', 'disclosure_request'] as const satisfies readonly Channel[];
export const BOARD_CHANNELS = ['mayor_mailbox', 'unit_mailbox', 'message_board'] as const satisfies readonly Channel[];

/** Letters a client address may post per hour, and a phone number per day; queries per address per 10 minutes. */
export const PUBLIC_LIMITS = { lettersPerAddressPerHour: 30, lettersPerPhonePerDay: 10, queriesPerAddressPer10Min: 60, actionsPerAddressPerHour: 30 } as const;
const HOUR_MS = 3600_000;

const tags = ['interaction-public'];
const TrackingNo = Type.String({ minLength: 1, maxLength: 40, description: 'The tracking number the letter got (SZ…, BM…, LY…, YSQ…)' });
const Code = Type.String({ minLength: 1, maxLength: 40, description: 'The private query code the writer got with the tracking number' });

export const LetterBody = Strict({
  channel: StringEnum(PUBLIC_WRITE_CHANNELS, { description: 'mayor_mailbox: to the mayor (dispatched by the general office); unit_mailbox and disclosure_request: straight to targetUnitId; message_board: to targetUnitId or the dispatching office' }),
  targetUnitId: Type.Optional(Id),
  title: Type.String({ minLength: 1, maxLength: LIMITS.title }),
  body: Type.String({ minLength: 1, maxLength: LIMITS.body, description: 'Stored exactly as given (no trimming, no normalising); shown escaped' }),
  name: Type.String({ minLength: 1, maxLength: LIMITS.name }),
  phone: Type.String({ minLength: 1, maxLength: 20, description: 'A mainland mobile number' }),
  email: Type.Optional(Type.String({ maxLength: LIMITS.email })),
  idNumber: Type.Optional(Type.String({ maxLength: 18, description: 'Resident ID card number: required for a disclosure request, check digit verified' })),
  isPublic: Type.Boolean({ description: 'The writer agrees that the question and answer (without personal data) are published on the message board' }),
  category: Type.Optional(Type.String({ maxLength: LIMITS.category })),
  attachments: Type.Optional(
    Type.Array(Strict({ id: Id, token: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The token POST /api/v1/public/letters/attachments gave; leave it out for a signed-in citizen’s own upload (POST /api/v1/files)' })) }), {
      maxItems: MAX_LETTER_FILES,
      description: `At most ${MAX_LETTER_FILES} files. A wrong token, someone else’s file or a file already attached: 422 INTERACTION_ATTACHMENT_REFUSED, nothing written`,
    }),
  ),
});
export type LetterInput = Static<typeof LetterBody>;

const RatingBody = Strict({ code: Code, score: Type.Integer({ minimum: 1, maximum: 5 }), comment: Type.Optional(Type.String({ maxLength: LIMITS.comment })) });
const ReopenBody = Strict({ code: Code, reason: Type.String({ minLength: 1, maxLength: LIMITS.reason }) });
const TrackingParams = Strict({ trackingNo: TrackingNo });
const CodeQuery = Strict({ code: Code });
const BoardQuery = Strict({
  channel: Type.Optional(StringEnum(BOARD_CHANNELS)),
  unitId: Type.Optional(Id),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.category, description: 'Only letters of this category (exactly as written)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
});
const Received = Type.Object({ id: Type.String(), trackingNo: Type.String(), queryCode: Type.String() });
const Any = Answer({});

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What the schema cannot say: blank text, the phone, e-mail and ID number, the unit a channel needs. */
export function checkLetter(input: LetterInput): FieldError[] {
  const errors: FieldError[] = [];
  if (!input.title.trim()) errors.push(fieldError('title', 'interaction.public.titleRequired'));
  if (!input.body.trim()) errors.push(fieldError('body', 'interaction.public.bodyRequired'));
  if (!input.name.trim()) errors.push(fieldError('name', 'interaction.public.nameRequired'));
  if (!isValidMobile(input.phone.trim())) errors.push(fieldError('phone', 'interaction.public.phoneInvalid'));
  if (input.email?.trim() && !EMAIL.test(input.email.trim())) errors.push(fieldError('email', 'interaction.public.emailInvalid'));
  if (input.channel === 'disclosure_request') {
    if (!input.idNumber?.trim()) errors.push(fieldError('idNumber', 'interaction.case.idNumberRequired'));
    else if (!isValidIdNumber(input.idNumber.trim().toUpperCase())) errors.push(fieldError('idNumber', 'interaction.case.idNumberInvalid'));
  }
  if ((input.channel === 'unit_mailbox' || input.channel === 'disclosure_request') && !input.targetUnitId) errors.push(fieldError('targetUnitId', 'interaction.case.unitRequired'));
  return errors;
}

/** A public route called with the session cookie (a signed-in citizen) must carry the CSRF token like every other write. */
export function checkCookieCsrf(request: FastifyRequest) {
  if (!request.viaCookie || !request.principal) return;
  const sent = request.headers['x-csrf-token'] ?? (request.body as Record<string, unknown> | undefined)?._csrf;
  if (typeof sent !== 'string' || sent !== request.principal.csrfToken) throw new AppError('CSRF_INVALID');
}

/** Counts the letter against the client address and the phone number (429 with Retry-After beyond). */
export async function limitLetters(platform: Platform, ip: string, phone: string) {
  await enforceLimit(platform, `interaction:letters:ip:${ip}`, PUBLIC_LIMITS.lettersPerAddressPerHour, HOUR_MS);
  await enforceLimit(platform, `interaction:letters:phone:${blindIndex(platform, phone.trim())}`, PUBLIC_LIMITS.lettersPerPhonePerDay, 24 * HOUR_MS);
}

export const limitQueries = (platform: Platform, ip: string) => enforceLimit(platform, `interaction:query:ip:${ip}`, PUBLIC_LIMITS.queriesPerAddressPer10Min, 10 * 60_000);
export const limitActions = (platform: Platform, ip: string) => enforceLimit(platform, `interaction:action:ip:${ip}`, PUBLIC_LIMITS.actionsPerAddressPerHour, HOUR_MS);

/** The writer's account, when a citizen is signed in. */
export const writerOf = (request: FastifyRequest) => (request.principal?.kind === 'public' ? request.principal.userId : null);

export async function publicLetterRoutes(app: FastifyInstance, platform: Platform) {
  app.post<{ Body: LetterInput }>(
    '/api/v1/public/letters',
    {
      schema: {
        operationId: 'writeLetter',
        tags,
        summary: 'Write to the mayor or a unit, leave a message, or request disclosure: 201 with the tracking number and the private query code',
        description:
          'The same letter posted again within minutes answers 200 with the first one’s id, number and code (one case). Limited per client address and per phone number: 429 with Retry-After. A signed-in citizen’s letter is theirs (我的信件); with the session cookie send X-CSRF-Token.',
        body: LetterBody,
        response: { 200: Received, 201: Received, ...problems(422, 429) },
      },
      config: { auth: 'public' },
    },
    async (request, reply) => {
      checkCookieCsrf(request);
      const input = request.body;
      const errors = checkLetter(input);
      if (errors.length) throw invalid(errors);
      await limitLetters(platform, request.ip, input.phone);
      const result = await idempotent(platform, request, actorOf(request), async (work) => {
        const { attachments = [], ...letter } = input;
        const got = await receiveCase(work, platform, { ...letter, email: letter.email?.trim() || null, category: letter.category?.trim() || null, writerUserId: writerOf(request) });
        // Checked once the case (or the first post's, for the same letter posted again) is known; a refusal undoes the letter.
        await checkLetterFiles(work, platform, request.principal, attachments, got.id);
        await attachLetterFiles(work, platform, request.principal, got.id, attachments);
        return { status: got.duplicate ? 200 : 201, body: { id: got.id, trackingNo: got.trackingNo, queryCode: got.queryCode } };
      });
      return reply.status(result.status).send(result.body);
    },
  );

  app.get<{ Params: Static<typeof TrackingParams>; Querystring: Static<typeof CodeQuery> }>(
    '/api/v1/public/letters/:trackingNo',
    {
      schema: {
        operationId: 'getMyLetter',
        tags,
        summary: 'The writer’s own letter by tracking number and query code: its state, its attachments, and the answer (with its documents) once answered',
        description: 'A wrong code and an unknown number are the same 404. Limited per client address.',
        params: TrackingParams,
        querystring: CodeQuery,
        response: { 200: Any },
      },
      config: { auth: 'public' },
    },
    async (request) => {
      await limitQueries(platform, request.ip);
      const row = await caseOfWriter(platform.db, platform, request.params.trackingNo, request.query.code);
      if (!row) throw notFound();
      const view = await writerView(platform.db, platform, row);
      const { body: _body, id: _id, ...rest } = view;
      return rest;
    },
  );

  app.get<{ Querystring: Static<typeof BoardQuery> }>(
    '/api/v1/public/letters',
    {
      schema: {
        operationId: 'listMessageBoard',
        tags,
        summary: 'The public message board: published questions and answers (personal data removed, no attachments), newest first; by channel, unit and category',
        querystring: BoardQuery,
        response: { 200: Any },
      },
      config: { auth: 'public' },
    },
    async (request) => listBoard(platform.db, { channel: request.query.channel, unitId: request.query.unitId, category: request.query.category, limit: request.query.limit ?? 20, cursor: request.query.cursor }),
  );

  app.post<{ Params: Static<typeof TrackingParams>; Body: Static<typeof RatingBody> }>(
    '/api/v1/public/letters/:trackingNo/rating',
    {
      schema: { operationId: 'rateLetter', tags, summary: 'The writer rates the answer, 1..5, once (again: 409)', description: 'Only an answered letter. Wrong code: 404.', params: TrackingParams, body: RatingBody, response: { 200: Any } },
      config: { auth: 'public' },
    },
    async (request) => {
      checkCookieCsrf(request);
      await limitActions(platform, request.ip);
      return inTransaction(platform.db, actorOf(request), (work) => rateCase(work, platform, request.params.trackingNo, request.body));
    },
  );

  app.post<{ Params: Static<typeof TrackingParams>; Body: Static<typeof ReopenBody> }>(
    '/api/v1/public/letters/:trackingNo/reopen',
    {
      schema: {
        operationId: 'reopenLetter',
        tags,
        summary: 'The unsatisfied writer reopens the answered letter: once, within 10 days of the answer; it goes back to the unit that answered',
        description: 'After 10 days or a second time: 409. Wrong code: 404.',
        params: TrackingParams,
        body: ReopenBody,
        response: { 200: Any },
      },
      config: { auth: 'public' },
    },
    async (request) => {
      checkCookieCsrf(request);
      if (!request.body.reason.trim()) throw invalid([fieldError('reason', 'interaction.public.reasonRequired')]);
      await limitActions(platform, request.ip);
      return inTransaction(platform.db, actorOf(request), (work) => reopenCase(work, platform, request.params.trackingNo, request.body));
    },
  );
}

export { TRACKING_NO_PATTERN };
