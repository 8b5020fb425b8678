import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Answer, ListQuery, Nullable, Page, Ref, Strict, StringEnum, actorOf, forbidden, problems } from '../../platform/http/index.ts';
import { idempotent } from '../../platform/http/idempotency.ts';
import type { Platform } from '../../platform/module.ts';
import type { Principal } from '../../platform/iam/principal.ts';
import { myCases, myCertificates, NOTICE_PDF_KINDS } from './queries/me.ts';
import { rateByInvitation } from './commands/rate-case.ts';

const tags = ['approval'];
const DateTime = Type.String({ format: 'date-time' });

const MyCase = Answer(
  {
    id: Type.String(),
    receiptNo: Type.String(),
    itemId: Type.String(),
    itemCode: Type.String(),
    itemName: Type.String(),
    unitId: Type.String(),
    unitName: Type.String(),
    channel: Type.String({ description: 'online or window' }),
    state: StringEnum(['submitted', 'accepted', 'correction_requested', 'in_review', 'approved', 'rejected', 'withdrawn']),
    submittedAt: DateTime,
    acceptedAt: Nullable(DateTime),
    dueDate: Nullable(Type.String({ description: 'YYYY-MM-DD, Asia/Shanghai' })),
    finishedAt: Nullable(DateTime),
    canRate: Type.Boolean({ description: 'decided and not rated yet (好差评)' }),
    rating: Nullable(Type.Object({ score: Type.Integer({ minimum: 1, maximum: 5 }), comment: Nullable(Type.String()), ratedAt: DateTime })),
    documents: Type.Array(Type.Object({ kind: StringEnum([...NOTICE_PDF_KINDS, 'certificate']), url: Type.String({ description: 'the PDF, for the applicant' }) }), {
      description: 'What the case has to download: acceptance once accepted, correction once materials were asked for, non_acceptance or denial once rejected, certificate once approved',
    }),
  },
  { $id: 'MyCase', title: 'MyCase' },
);

const MyCertificate = Answer(
  {
    id: Type.String(),
    certificateNo: Type.String(),
    name: Type.String({ description: 'what was issued (许可证, 批准文书 …)' }),
    itemName: Type.String(),
    issuingUnit: Type.String(),
    issuedAt: DateTime,
    revoked: Type.Boolean(),
    caseId: Type.String(),
    receiptNo: Type.String(),
    verificationUrl: Type.String({ description: 'the public verification page' }),
    downloadUrl: Type.String({ description: 'the certificate as PDF' }),
  },
  { $id: 'MyCertificate', title: 'MyCertificate' },
);

const MeQuery = Strict({ ...ListQuery });
const TokenParams = Strict({ token: Type.String({ minLength: 1, maxLength: 100 }) });
const LinkRatingBody = Strict({
  score: Type.Integer({ minimum: 1, maximum: 5, description: '5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (GB/T 39734)' }),
  comment: Type.Optional(Type.String({ maxLength: 500, description: 'required at 2 or less: the reasons' })),
});
const RatingCreated = Answer({ id: Type.String(), caseId: Type.String(), score: Type.Integer(), ratedAt: DateTime });

/** The citizen's own area is for public accounts: staff have their console. */
function publicAccount(principal: Principal | null): Principal {
  if (principal?.kind !== 'public') throw forbidden({ key: 'approval.me.publicOnly' });
  return principal;
}

export async function meRoutes(app: FastifyInstance, platform: Platform) {
  app.addSchema(MyCase);
  app.addSchema(MyCertificate);

  app.get<{ Querystring: Static<typeof MeQuery> }>(
    '/api/v1/me/cases',
    {
      schema: {
        operationId: 'listMyCases',
        tags,
        summary: 'The signed-in citizen’s or company’s applications (我的办件), newest first, with their documents and whether they may be rated',
        querystring: MeQuery,
        response: { 200: Page(Ref(MyCase)) },
      },
      config: { auth: 'user' },
    },
    async (request) => myCases(platform, publicAccount(request.principal), { limit: request.query.limit ?? 20, cursor: request.query.cursor }),
  );

  app.get<{ Querystring: Static<typeof MeQuery> }>(
    '/api/v1/me/certificates',
    {
      schema: {
        operationId: 'listMyCertificates',
        tags,
        summary: 'Certificates issued to the signed-in citizen or company (我的证照), newest first, with where to verify and download them',
        querystring: MeQuery,
        response: { 200: Page(Ref(MyCertificate)) },
      },
      config: { auth: 'user' },
    },
    async (request) => myCertificates(platform, publicAccount(request.principal), { limit: request.query.limit ?? 20, cursor: request.query.cursor }),
  );

  app.post<{ Params: Static<typeof TokenParams>; Body: Static<typeof LinkRatingBody> }>(
    '/api/v1/public/rating-links/:token',
    {
      schema: {
        operationId: 'rateByLink',
        tags,
        summary: 'Rates a decided case from the link of the SMS sent when it ended (no sign-in); the link works once, for 15 days',
        description: 'Unknown link: 404. Used or expired link: 409 INVALID_STATE. Case already rated: 409 CONFLICT. A score of 2 or less needs a comment and opens a rectification task.',
        params: TokenParams,
        body: LinkRatingBody,
        response: { 201: RatingCreated, ...problems(409) },
      },
      config: { auth: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const result = await idempotent(platform, request, actorOf(request), async (work) => {
        const rating = await rateByInvitation(work, platform, request.params.token, request.body);
        return { status: 201, body: { id: rating.id, caseId: rating.caseId, score: rating.score, ratedAt: rating.ratedAt } };
      });
      return reply.status(result.status).send(result.body);
    },
  );
}
