import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, ListQuery, Strict } from '../../platform/http/index.ts';
import type { Platform } from '../../platform/module.ts';
import { listPublicResults, progressByReceipt, verifyCertificate } from './public.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const ProgressQuery = Strict({ receiptNo: Type.String({ minLength: 1, maxLength: 40 }), phone: Type.String({ minLength: 1, maxLength: 30 }) });
const CodeParams = Strict({ code: Type.String({ minLength: 1, maxLength: 40 }) });
const ResultsQuery = Strict({ ...ListQuery, unitId: Type.Optional(Id) });

const Progress = Type.Object({
  receiptNo: Type.String(),
  itemId: Type.String(),
  itemCode: Type.String(),
  itemName: Type.String(),
  itemVersion: Type.Integer(),
  unitName: Type.String(),
  channel: Type.String(),
  state: Type.String({ description: 'submitted, accepted, correction_requested, in_review, approved, rejected, withdrawn' }),
  submittedAt: Type.String(),
  acceptedAt: Nullable(Type.String()),
  dueDate: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  clockStopped: Nullable(Type.String({ description: 'correction, hearing, inspection or public_notice while the clock is stopped' })),
  steps: Type.Array(
    Type.Object({
      key: Type.String(),
      name: Type.String(),
      unitName: Type.String(),
      stage: Type.Integer(),
      state: Type.String({ description: 'waiting, open, approved, rejected, skipped' }),
      dueDate: Nullable(Type.String()),
      finishedAt: Nullable(Type.String()),
    }),
  ),
  correction: Type.Union([
    Type.Object({ requestedAt: Type.String(), missing: Type.Array(Type.Object({ name: Type.String(), reason: Type.String() })), correctedAt: Nullable(Type.String()) }),
    Type.Null(),
  ]),
  decision: Type.Union([Type.Object({ stepName: Type.String(), reason: Type.String(), notAccepted: Type.Boolean(), decidedAt: Type.String() }), Type.Null()]),
  result: Type.Union([Type.Object({ certificateNo: Type.String(), verificationCode: Type.String() }), Type.Null()]),
});

const Certificate = Type.Object({
  certificateNo: Type.String(),
  verificationCode: Type.String(),
  resultName: Type.String(),
  itemName: Type.String(),
  itemCode: Type.String(),
  unitName: Type.String({ description: 'The issuing unit' }),
  applicantKind: Type.String({ description: 'person or enterprise' }),
  applicantName: Type.String(),
  applicantId: Type.String({ description: 'A person’s ID number masked as printed on the certificate; an enterprise’s credit code' }),
  issuedDate: Type.String(),
  issuedAt: Type.String(),
  contentSm3: Type.String({ description: 'SM3 digest of the certificate’s canonical content, hexadecimal' }),
  valid: Type.Boolean({ description: 'The digest matches, the SM2 signature verifies with the issuing unit’s public key, and it is not revoked' }),
  checks: Type.Object({ digest: Type.Boolean(), signature: Type.Boolean(), revoked: Type.Boolean() }),
});

const Result = Type.Object({
  receiptNo: Type.String(),
  itemCode: Type.String(),
  itemName: Type.String(),
  unitName: Type.String(),
  outcome: Type.String({ description: 'approved or rejected' }),
  finishedDate: Type.String(),
  certificateNo: Nullable(Type.String()),
  enterpriseName: Nullable(Type.String({ description: 'The enterprise applicant’s name; never a natural person’s' })),
});

/** Anonymous routes: progress by receipt number and phone, certificate verification, results list. */
export async function publicRoutes(app: FastifyInstance, platform: Platform) {
  const tags = ['public'];
  // Guessing phones against a receipt number is slowed down like guessing passwords.
  const guarded = { max: platform.config.loginRateLimitPerMinute, timeWindow: '1 minute' };

  app.get<{ Querystring: Static<typeof ProgressQuery> }>(
    '/api/v1/public/progress',
    {
      schema: {
        operationId: 'getPublicProgress',
        tags,
        summary: 'Progress of an application by its receipt number and the applicant’s phone (anonymous)',
        description: 'A wrong receipt number and a wrong phone both answer 404, so the answer never tells which was wrong. Rate-limited per address.',
        querystring: ProgressQuery,
        response: { 200: Progress },
      },
      config: { auth: 'public', rateLimit: guarded },
    },
    async (request) => progressByReceipt(platform, request.query.receiptNo, request.query.phone),
  );

  app.get<{ Params: Static<typeof CodeParams> }>(
    '/api/v1/public/certificates/:code',
    {
      schema: {
        operationId: 'verifyCertificate',
        tags,
        summary: 'Verify a result certificate by its verification code',
        description: 'Recomputes the SM3 digest of the certificate’s canonical content and verifies its SM2 signature with the issuing unit’s public key. Unknown code: 404; altered content: 200 with `valid: false`.',
        params: CodeParams,
        response: { 200: Certificate },
      },
      // 16 random characters (80 bits) are not guessed by trying: no rate limit on scanning a certificate.
      config: { auth: 'public' },
    },
    async (request) => verifyCertificate(platform, request.params.code),
  );

  app.get<{ Querystring: Static<typeof ResultsQuery> }>(
    '/api/v1/public/results',
    {
      schema: {
        operationId: 'listPublicResults',
        tags,
        summary: 'Public list of results (结果公示): finished cases, newest first, without personal data',
        description: 'Approved and refused cases with item, unit, date and certificate number; an enterprise applicant is named, a natural person never.',
        querystring: ResultsQuery,
        response: { 200: Type.Object({ items: Type.Array(Result), nextCursor: Nullable(Type.String()) }) },
      },
      config: { auth: 'public' },
    },
    async (request) => listPublicResults(platform.db, { limit: request.query.limit, cursor: request.query.cursor, unitId: request.query.unitId }),
  );
}
