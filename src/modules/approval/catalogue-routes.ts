import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { Type, type Static } from '@sinclair/typebox';
import { AppError, Id, Strict, actorOf, fieldError, invalid } from '../../platform/http/index.ts';
import { sendIdempotent } from '../../platform/http/idempotency.ts';
import { inTransaction } from '../../platform/db/work.ts';
import { getUnits } from '../../platform/org/service.ts';
import { contentDisposition } from '../../platform/files/names.ts';
import type { Platform } from '../../platform/module.ts';
import { FormFieldSchema, ItemInputSchema, MaterialSchema, ProcessSchema, FeeSchema, type ItemInput, FaqSchema } from './model.ts';
import { CATALOGUE_PERMISSION, catalogueForExport, getItemFor, listItemVersions, listItems, toItemInput, unitNameResolver } from './queries/items.ts';
import { IMPORT_MAX_BYTES, IMPORT_MAX_ITEMS, importCatalogue, jsonImportEntries } from './commands/import-catalogue.ts';
import { createItem } from './commands/create-item.ts';
import { editPublished } from './commands/edit-published-item.ts';
import { publishItem } from './commands/publish-item.ts';
import { saveItem } from './commands/save-item.ts';
import { withdrawItem } from './commands/withdraw-item.ts';
import { readCatalogueWorkbook } from './catalogue-excel.ts';
import { writeCatalogueWorkbook } from './catalogue-excel-write.ts';

/** Largest import file, JSON or Excel. */
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const EXPORT_FORMAT = 'zhengtong.approval.catalogue';

const Kind = Type.Union([Type.Literal('licensing'), Type.Literal('non_licensing'), Type.Literal('public_service')]);
const Status = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('superseded'), Type.Literal('withdrawn')]);
const Time = Type.String({ format: 'date-time' });

const ItemView = Type.Object(
  {
    id: Type.String(),
    code: Type.String(),
    version: Type.Integer(),
    status: Status,
    name: Type.String(),
    kind: Kind,
    unitId: Type.String(),
    legalBasis: Type.String(),
    conditions: Type.String(),
    materials: Type.Array(MaterialSchema),
    statutoryDays: Type.Integer(),
    promisedDays: Type.Integer(),
    fee: FeeSchema,
    resultName: Type.String(),
    maxVisits: Type.Integer(),
    consultPhone: Type.String(),
    complaintPhone: Type.String(),
    process: ProcessSchema,
    formFields: Type.Array(FormFieldSchema),
    themes: Type.Array(Type.String()),
    lifeEvents: Type.Array(Type.String()),
    targets: Type.Array(Type.Union([Type.Literal('person'), Type.Literal('enterprise')]), { description: '申请对象: natural persons, legal persons' }),
    place: Type.String({ description: '办理地点' }),
    hours: Type.String({ description: '办理时间' }),
    handlingType: Type.Union([Type.Literal('instant'), Type.Literal('promised')], { description: '即办件 or 承诺件' }),
    faq: Type.Array(FaqSchema, { description: '常见问题' }),
    createdAt: Time,
    updatedAt: Time,
    publishedAt: Type.Union([Time, Type.Null()]),
    editVersion: Type.Integer({ description: 'optimistic lock of a draft: send it back with PUT or publish' }),
  },
  { description: 'One version of a service item with its standard elements and process' },
);
const ItemPage = Type.Object({ items: Type.Array(ItemView), nextCursor: Type.Union([Type.String(), Type.Null()]) });
const IdParams = Strict({ id: Id });
const PutBody = Strict({ ...ItemInputSchema.properties, editVersion: Type.Optional(Type.Integer({ minimum: 1, description: 'the draft’s editVersion when it was read; a different one is 409' })) });
const PublishBody = Strict({ editVersion: Type.Optional(Type.Integer({ minimum: 1 })) });
const WithdrawBody = Strict({ reason: Type.Optional(Type.String({ maxLength: 500 })) });
const ListQuery = Strict({
  status: Type.Optional(Type.Union([Status], { description: 'default published; draft needs the catalogue permission and shows only drafts in its scope' })),
  unitId: Type.Optional(Id),
  q: Type.Optional(Type.String({ maxLength: 100, description: 'text in the name or the code' })),
  theme: Type.Optional(Type.String({ maxLength: 50 })),
  lifeEvent: Type.Optional(Type.String({ maxLength: 50 })),
  target: Type.Optional(Type.Union([Type.Literal('person'), Type.Literal('enterprise')], { description: '申请对象: items open to natural persons (个人办事) or legal persons (法人办事)' })),
  kind: Type.Optional(Kind),
  code: Type.Optional(Type.String({ maxLength: 40 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export const ExportQuery = Strict({
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('xlsx')], { default: 'json' })),
  status: Type.Optional(Type.Union([Type.Literal('published'), Type.Literal('draft')], { default: 'published' })),
  unitId: Type.Optional(Id),
});
const ImportQuery = Strict({ publish: Type.Optional(Type.Boolean({ default: false, description: 'publish every imported item at once' })) });
const ImportJsonBody = Strict({
  format: Type.Optional(Type.String({ maxLength: 100 })),
  version: Type.Optional(Type.Integer()),
  exportedAt: Type.Optional(Type.String({ maxLength: 40 })),
  items: Type.Array(Type.Unknown({ description: 'an item: the body of POST /api/v1/approval/items' }), { maxItems: IMPORT_MAX_ITEMS }),
});
const ImportResultView = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  published: Type.Integer(),
  items: Type.Array(Type.Object({ id: Type.String(), code: Type.String(), version: Type.Integer(), status: Status })),
});

export async function catalogueRoutes(app: FastifyInstance, platform: Platform) {
  // Its own scope, so that multipart parsing reaches the catalogue import only.
  await app.register(async (scope) => routes(scope, platform));
}

async function routes(app: FastifyInstance, platform: Platform) {
  const tags = ['approval'];
  await app.register(multipart, { limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 5, fieldSize: 1024, parts: 10, headerPairs: 50 }, throwFileSizeLimit: true });

  app.post<{ Body: ItemInput }>(
    '/api/v1/approval/items',
    {
      schema: {
        operationId: 'createItem',
        tags,
        summary: 'Create a service item (draft version 1) with its standard elements and process',
        description:
          'Without `code`, one is generated from the unit’s region and the kind (e.g. 440303-XK-0007). Refused with every problem at once (400 VALIDATION_FAILED): promised days above statutory, a process whose first stage is not one acceptance step by a window_clerk (or a village_officer at a town or village unit), later steps by anyone but an approver or a unit_leader, a step unit that does not exist, steps after acceptance longer than the promised days, repeated material keys, a fee charged without amount or basis. A code in use: 409 DUPLICATE. Honours Idempotency-Key.',
        body: ItemInputSchema,
        response: { 201: ItemView },
      },
      config: { auth: CATALOGUE_PERMISSION },
    },
    async (request, reply) => sendIdempotent(platform, request, reply, 201, (work) => createItem(work, platform, request.principal!, request.body, { pathPrefix: 'body.' })),
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/approval/items',
    {
      schema: {
        operationId: 'listItems',
        tags,
        summary: 'Service items by code: published ones for anyone; drafts (status=draft) within the caller’s catalogue scope',
        description: '`q` finds text in the name or code (Chinese included); `theme`, `lifeEvent`, `target`, `kind`, `unitId` filter.',
        querystring: ListQuery,
        response: { 200: ItemPage },
      },
      config: { auth: 'public' },
    },
    async (request) => listItems(platform.db, request.principal, request.query),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/approval/items/:id',
    {
      schema: { operationId: 'getItem', tags, summary: 'One version of an item: a published, superseded or withdrawn one for anyone, a draft within the catalogue scope', params: IdParams, response: { 200: ItemView } },
      config: { auth: 'public' },
    },
    async (request) => getItemFor(platform.db, request.principal, request.params.id),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/approval/items/:id/versions',
    {
      schema: { operationId: 'listItemVersions', tags, summary: 'Every version of the item’s code, newest first (drafts within the catalogue scope only)', params: IdParams, response: { 200: ItemPage } },
      config: { auth: 'public' },
    },
    async (request) => ({ items: await listItemVersions(platform.db, request.principal, request.params.id), nextCursor: null }),
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof PutBody> }>(
    '/api/v1/approval/items/:id',
    {
      schema: {
        operationId: 'updateItem',
        tags,
        summary: 'Edit an item: a draft in place; a published (or superseded, withdrawn) version never changes: the edit becomes a new draft',
        description:
          'A draft answers 200 with the draft. A version that has been published answers 201 with the new draft version (Location header); if the code already has a draft, 409 CONFLICT with `draftId`: edit that draft. `editVersion` of a draft that changed since: 409.',
        params: IdParams,
        body: PutBody,
        response: { 200: ItemView, 201: ItemView },
      },
      config: { auth: CATALOGUE_PERMISSION },
    },
    async (request, reply) => {
      const { editVersion, ...input } = request.body;
      const { item, created } = await inTransaction(platform.db, actorOf(request), (work) =>
        saveItem(work, platform, request.principal!, request.params.id, input as ItemInput, { editVersion, pathPrefix: 'body.' }),
      );
      if (created) reply.status(201).header('Location', `/api/v1/approval/items/${item.id}`);
      return reply.send(item);
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/v1/approval/items/:id/draft',
    {
      schema: {
        operationId: 'draftItemVersion',
        tags,
        summary: 'The draft to edit an item: the existing draft of its code (200), or a new version copying the published one (201)',
        params: IdParams,
        response: { 200: ItemView, 201: ItemView },
      },
      config: { auth: CATALOGUE_PERMISSION },
    },
    async (request, reply) => {
      const { item, created } = await inTransaction(platform.db, actorOf(request), (work) => editPublished(work, platform, request.principal!, request.params.id));
      if (created) reply.status(201).header('Location', `/api/v1/approval/items/${item.id}`);
      return reply.send(item);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof PublishBody> | undefined }>(
    '/api/v1/approval/items/:id/publish',
    {
      schema: {
        operationId: 'publishItem',
        tags,
        summary: 'Publish a draft: it becomes the version citizens apply to and the one published before is superseded',
        description: 'The draft is checked again. Anything but a draft, or the second of two simultaneous publishes: 409 CONFLICT. Optional body `{ editVersion }`.',
        params: IdParams,
        body: { content: { 'application/json': { schema: PublishBody } } },
        response: { 200: ItemView },
      },
      config: { auth: CATALOGUE_PERMISSION },
    },
    async (request) =>
      inTransaction(platform.db, actorOf(request), (work) => publishItem(work, platform, request.principal!, request.params.id, { editVersion: request.body?.editVersion })),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof WithdrawBody> | undefined }>(
    '/api/v1/approval/items/:id/withdraw',
    {
      schema: {
        operationId: 'withdrawItem',
        tags,
        summary: 'Stop a published item from accepting applications (cases already filed go on)',
        params: IdParams,
        body: { content: { 'application/json': { schema: WithdrawBody } } },
        response: { 200: ItemView },
      },
      config: { auth: CATALOGUE_PERMISSION },
    },
    async (request) => inTransaction(platform.db, actorOf(request), (work) => withdrawItem(work, platform, request.principal!, request.params.id, { reason: request.body?.reason })),
  );

  app.get<{ Querystring: Static<typeof ExportQuery> }>(
    '/api/v1/approval/catalogue/export',
    {
      schema: {
        operationId: 'exportCatalogue',
        tags,
        summary: 'Export the catalogue as JSON (the import format) or as an Excel workbook',
        description:
          'Published items of every unit (or of `unitId`), or with status=draft the drafts in the caller’s scope. JSON: `{ format, version, exportedAt, items: [item input with code] }`. xlsx: sheets 事项, 申请材料, 办理流程 and 填写说明.',
        querystring: ExportQuery,
      },
      config: { auth: CATALOGUE_PERMISSION },
    },
    async (request, reply) => sendCatalogueExport(platform, request, reply),
  );

  app.post<{ Querystring: Static<typeof ImportQuery>; Body: Static<typeof ImportJsonBody> | undefined }>(
    '/api/v1/approval/catalogue/import',
    {
      bodyLimit: IMPORT_MAX_BYTES,
      schema: {
        operationId: 'importCatalogue',
        tags,
        summary: 'Import items from JSON or an Excel workbook: all of them or none',
        description:
          'JSON: the export format (`items` required). Excel: multipart/form-data with one .xlsx file part named "file", laid out as the export. Any bad item: 422 IMPORT_FAILED listing every problem (JSON paths `items.N.field`, Excel cells `事项!I3`), nothing imported. A new code becomes draft version 1; a code with a draft updates it; a published code gets a new draft version; `publish=true` publishes each at once.',
        querystring: ImportQuery,
        consumes: ['application/json', 'multipart/form-data'],
        body: {
          content: {
            'application/json': { schema: ImportJsonBody },
            'multipart/form-data': { schema: { properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } },
          },
        },
        response: { 200: ImportResultView },
      },
      config: { auth: CATALOGUE_PERMISSION },
    },
    async (request) => {
      const principal = request.principal!;
      const options = { publish: request.query.publish ?? false };
      if (request.isMultipart()) {
        const file = await request.file().catch((error: unknown) => {
          throw toClientError(error);
        });
        if (!file) throw invalid([fieldError('file', 'approval.catalogue.import.fileMissing')]);
        const data = await file.toBuffer().catch((error: unknown) => {
          throw toClientError(error);
        });
        const { entries, errors } = await readCatalogueWorkbook(data, unitNameResolver(platform.db, principal));
        return importCatalogue(platform, principal, actorOf(request), entries, { ...options, readErrors: errors, format: 'xlsx' });
      }
      if (!request.body || typeof request.body !== 'object') throw new AppError('UNSUPPORTED_MEDIA_TYPE', { detail: { key: 'approval.catalogue.import.notXlsxOrJson' } });
      return importCatalogue(platform, principal, actorOf(request), jsonImportEntries(request.body.items), { ...options, format: 'json' });
    },
  );
}

/** What the multipart parser throws is the client's doing: a malformed, cut-off or oversized body. */
function toClientError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if ((error as { statusCode?: number }).statusCode || (error as { code?: string }).code?.startsWith('FST_')) return error;
  return new AppError('MALFORMED_REQUEST');
}

/**
 * Answers an export request (the API's, or the console's, which sends a signed-out browser to the
 * sign-in page instead of a JSON 401): the catalogue as JSON (the import format) or Excel.
 */
export async function sendCatalogueExport(platform: Platform, request: FastifyRequest<{ Querystring: Static<typeof ExportQuery> }>, reply: FastifyReply) {
  const status = request.query.status ?? 'published';
  const items = await catalogueForExport(platform.db, request.principal, { status, unitId: request.query.unitId });
  const stamp = platform.clock.now();
  const day = stamp.toISOString().slice(0, 10).replace(/-/g, '');
  if (request.query.format === 'xlsx') {
    const unitIds = [...new Set(items.flatMap((i) => [i.unitId, ...i.process.stages.flatMap((s) => ('parallel' in s ? s.parallel : [s]).map((step) => step.unitId))]))];
    const units = await getUnits(platform.db, unitIds);
    const workbook = await writeCatalogueWorkbook(items, new Map(units.map((u) => [u.id, u.name])));
    return reply.type(XLSX).header('Content-Disposition', contentDisposition(`事项目录-${day}.xlsx`)).send(workbook);
  }
  return reply
    .type('application/json; charset=utf-8')
    .header('Content-Disposition', contentDisposition(`catalogue-${day}.json`))
    .send({ format: EXPORT_FORMAT, version: 1, exportedAt: stamp.toISOString(), items: items.map(toItemInput) });
}
