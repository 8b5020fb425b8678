import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, ListQuery, Page, Strict, StringEnum, Nullable, Answer, actorOf } from '../../../platform/http/index.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { DOC_TYPES, DOCUMENT_STATES, DRAFT_PERMISSION, SECRECY, URGENCY } from '../model.ts';
import { MAX_BODY_CHARS } from '../../../platform/views/rich-text.ts';
import { checkDocumentElements, LIMITS } from '../elements.ts';
import { createDocument } from '../commands/create-document.ts';
import { updateDocument } from '../commands/update-document.ts';
import { submitDocument } from '../commands/submit-document.ts';
import { MAX_OPINION } from '../commands/decide-step.ts';
import { readSignoffSettings, saveSignoffSettings, SETTINGS_PERMISSION } from '../commands/save-signoff-settings.ts';
import { listUnitDocuments, readDocument } from '../queries/documents.ts';
import { documentJson } from './document-json.ts';

const tags = ['exchange'];
const IdParams = Strict({ id: Id });
const UnitIds = (max: number) => Type.Array(Id, { maxItems: max, description: 'unit ids' });
const Opt = (max: number, description?: string) => Type.Optional(Nullable(Type.String({ maxLength: max, description })));

/** The elements of a document (GB/T 9704-2012); checked in full by checkDocumentElements. */
const elements = {
  title: Type.String({ maxLength: LIMITS.title, description: '标题' }),
  docNumber: Type.String({ maxLength: LIMITS.docNumber, description: '发文字号: 代字〔2026〕12号 (full year in 〔〕, no 第, no leading zeros)' }),
  secrecy: StringEnum(SECRECY, { description: '密级: none, secret (秘密), confidential (机密)' }),
  secrecyPeriod: Opt(10, '保密期限 in whole years, e.g. 5年: required with secret (at most 10年) and confidential (at most 20年)'),
  urgency: StringEnum(URGENCY, { description: '紧急程度: normal, urgent (加急), extra_urgent (特急)' }),
  signer: Opt(LIMITS.signer, '签发人: required for upward documents (request, report)'),
  body: Type.String({ maxLength: MAX_BODY_CHARS, description: 'Rich text (HTML, sanitised: paragraphs, emphasis, lists, tables, headings) or plain text (one paragraph per line)' }),
  attachments: Type.Array(Id, { maxItems: LIMITS.attachments, description: 'file ids uploaded with POST /api/v1/files' }),
  mainRecipients: UnitIds(LIMITS.recipients),
  ccRecipients: UnitIds(LIMITS.recipients),
  writtenDate: Type.String({ maxLength: 10, description: '成文日期 YYYY-MM-DD' }),
  docType: Type.Optional(StringEnum(DOC_TYPES, { description: 'One of the 15 types of document; default notice (通知)' })),
  copyNo: Opt(6, '份号: six digits, required for secret and confidential documents'),
  issuingAuthority: Opt(LIMITS.issuingAuthority, '发文机关署名 (default: the issuing unit’s name)'),
  notes: Opt(LIMITS.notes, '附注'),
  printingUnit: Opt(LIMITS.printingUnit, '印发机关'),
  printedDate: Opt(10, '印发日期 YYYY-MM-DD'),
  countersignUnitIds: Type.Optional(UnitIds(LIMITS.countersign)),
};

const CreateBody = Strict({ ...elements, issuingUnitId: Id, ccRecipients: Type.Optional(UnitIds(LIMITS.recipients)), attachments: Type.Optional(elements.attachments) });
const PatchBody = Type.Partial(Strict({ ...elements, expectedVersion: Type.Integer({ minimum: 1 }) }), { minProperties: 1 });
const CheckBody = Type.Partial(Strict({ ...elements, issuingUnitId: Id }));
const SubmitBody = Strict({ opinion: Type.Optional(Type.String({ maxLength: MAX_OPINION })) });
const ListDocumentsQuery = Strict({ state: Type.Optional(StringEnum(DOCUMENT_STATES)), ...ListQuery });
const SettingsQuery = Strict({ unitId: Type.Optional(Id) });
const SettingsBody = Strict({ reviewStep: Type.Boolean({ description: 'Documents pass 核稿 (another doc_clerk) between drafting and signing' }), unitId: Type.Optional(Id) });
const Settings = Type.Object({ unitId: Type.String(), reviewStep: Type.Boolean() });

const Problem = Type.Object({ path: Type.String(), message: Type.String() });
const Summary = Type.Object({
  id: Type.String(),
  issuingUnitId: Type.String(),
  state: Type.String(),
  docType: Type.String(),
  docNumber: Type.String(),
  title: Type.String(),
  urgency: Type.String(),
  secrecy: Type.String(),
  writtenDate: Type.String(),
  draftedBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const SignoffEntry = Type.Object({ seq: Type.Integer(), stepKey: Type.String(), stepKind: Type.String(), unitId: Nullable(Type.String()), action: Type.String(), opinion: Nullable(Type.String()), by: Nullable(Type.String()), byName: Nullable(Type.String()), at: Type.String() });
const OpenStep = Type.Object({ taskId: Type.String(), stepKey: Type.String(), stepKind: Type.String(), unitId: Type.String(), role: Type.String(), dueDate: Type.String() });
const DocumentView = Answer({
  id: Type.String(),
  state: Type.String({ description: 'draft, in_signoff, signed_off, sent, recalled' }),
  issuingUnitId: Type.String(),
  docType: Type.String(),
  copyNo: Nullable(Type.String()),
  secrecy: Type.String(),
  secrecyPeriod: Nullable(Type.String()),
  urgency: Type.String(),
  issuingAuthority: Type.String(),
  docNumber: Type.String(),
  signer: Nullable(Type.String()),
  title: Type.String(),
  body: Type.String({ description: 'sanitised HTML' }),
  mainRecipients: Type.Array(Type.String()),
  ccRecipients: Type.Array(Type.String()),
  writtenDate: Type.String(),
  writtenDateShown: Type.String({ description: '2026年5月1日 (in the caller’s language)' }),
  notes: Nullable(Type.String()),
  printingUnit: Nullable(Type.String()),
  printedDate: Nullable(Type.String()),
  countersignUnitIds: Type.Array(Type.String()),
  draftedBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  version: Type.Integer(),
  attachments: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), size: Type.Integer(), mime: Type.String() })),
  signoff: Type.Object({ history: Type.Array(SignoffEntry, { description: 'every opinion, oldest first' }), open: Type.Array(OpenStep) }),
});

export async function documentsRoutes(app: FastifyInstance, platform: Platform) {
  const draft = { auth: DRAFT_PERMISSION } as const;

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/api/v1/exchange/documents',
    { schema: { operationId: 'createExchangeDocument', tags, summary: 'Draft a document of the caller’s unit (拟稿)', body: CreateBody, response: { 201: Type.Object({ id: Type.String() }) } }, config: draft },
    async (request, reply) => reply.status(201).send(await inTransaction(platform.db, actorOf(request), (work) => createDocument(work, platform, request.principal!, { ccRecipients: [], attachments: [], ...request.body } as never))),
  );

  app.post<{ Body: Static<typeof CheckBody> }>(
    '/api/v1/exchange/documents/check',
    { schema: { operationId: 'checkExchangeDocument', tags, summary: 'The element checks of a document as you type: every problem, in the caller’s language; writes nothing', body: CheckBody, response: { 200: Type.Object({ ok: Type.Boolean(), problems: Type.Array(Problem) }) } }, config: draft },
    async (request) => {
      const problems = checkDocumentElements(request.body as never, request.lang);
      return { ok: problems.length === 0, problems };
    },
  );

  app.get<{ Querystring: Static<typeof ListDocumentsQuery> }>(
    '/api/v1/exchange/documents',
    { schema: { operationId: 'listExchangeDocuments', tags, summary: 'The caller unit’s documents, newest first, of one state when named', querystring: ListDocumentsQuery, response: { 200: Page(Summary) } }, config: { auth: 'user' } },
    async (request) => {
      const page = await listUnitDocuments(platform.db, request.principal!, { state: request.query.state, limit: request.query.limit ?? 20, cursor: request.query.cursor });
      return {
        nextCursor: page.nextCursor,
        items: page.items.map((d) => ({ id: d.id, issuingUnitId: d.sending_unit_id, state: d.state, docType: d.doc_type, docNumber: d.doc_number, title: d.title, urgency: d.urgency, secrecy: d.secrecy, writtenDate: d.written_date, draftedBy: d.drafted_by, createdAt: new Date(d.created_at).toISOString(), updatedAt: new Date(d.updated_at).toISOString() })),
      };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/exchange/documents/:id',
    { schema: { operationId: 'getExchangeDocument', tags, summary: 'A document with every element, its attachments and its sign-off with every opinion; 404 for who may not read it', params: IdParams, response: { 200: DocumentView } }, config: { auth: 'user' } },
    async (request) => documentJson(await readDocument(platform.db, request.principal!, request.params.id, platform.clock.now()), request.lang),
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof PatchBody> }>(
    '/api/v1/exchange/documents/:id',
    { schema: { operationId: 'updateExchangeDocument', tags, summary: 'Change a draft (never submitted, or returned to the drafter); 409 in sign-off or after', params: IdParams, body: PatchBody, response: { 200: Type.Object({ id: Type.String(), version: Type.Integer() }) } }, config: draft },
    async (request) => inTransaction(platform.db, actorOf(request), (work) => updateDocument(work, platform, request.principal!, request.params.id, request.body as never)),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof SubmitBody> }>(
    '/api/v1/exchange/documents/:id/submit',
    {
      schema: {
        operationId: 'submitExchangeDocument',
        tags,
        summary: 'Start the sign-off (拟稿 → 核稿 when the unit has it → 会签 by the countersigning units → 签发), or hand a returned draft in again',
        params: IdParams,
        description: 'The body (an opinion) may be left out.',
        body: SubmitBody,
        response: { 200: Type.Object({ documentId: Type.String(), state: Type.String() }) },
      },
      config: draft,
      // No body at all is the same as {}.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const { documentId, state } = await inTransaction(platform.db, actorOf(request), (work) => submitDocument(work, platform, request.principal!, request.params.id, request.body?.opinion));
      return { documentId, state };
    },
  );

  app.get<{ Querystring: Static<typeof SettingsQuery> }>(
    '/api/v1/exchange/signoff-settings',
    { schema: { operationId: 'getExchangeSignoffSettings', tags, summary: 'The caller unit’s sign-off settings', querystring: SettingsQuery, response: { 200: Settings } }, config: { auth: SETTINGS_PERMISSION } },
    async (request) => readSignoffSettings(platform.db, request.principal!, request.query.unitId),
  );

  app.put<{ Body: Static<typeof SettingsBody> }>(
    '/api/v1/exchange/signoff-settings',
    { schema: { operationId: 'saveExchangeSignoffSettings', tags, summary: 'Whether the unit’s documents pass 核稿; applies to submissions from now on', body: SettingsBody, response: { 200: Settings } }, config: { auth: SETTINGS_PERMISSION } },
    async (request) => inTransaction(platform.db, actorOf(request), (work) => saveSignoffSettings(work, platform, request.principal!, request.body)),
  );
}
