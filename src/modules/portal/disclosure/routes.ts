/**
 * The disclosure catalogue's API: categories (public tree, editing by the unit's editors), items
 * (filing, editing, validity, public search and reading), the guide and the annual report.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../../platform/module.ts';
import { inTransaction, SYSTEM_ACTOR, type Work } from '../../../platform/db/work.ts';
import { Answer, Id, NoContent, Nullable, Strict, StringEnum, Timestamp, actorOf, problems } from '../../../platform/http/index.ts';
import { getUnit } from '../../../platform/org/service.ts';
import { sendIdempotent } from '../../../platform/http/idempotency.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { DISCLOSURE_PERMISSION, LIMITS, VALIDITIES } from './model.ts';
import { ensureCatalogue } from './commands/ensure-catalogue.ts';
import { createCategory, deleteCategory, updateCategory } from './commands/save-category.ts';
import { createItem } from './commands/create-item.ts';
import { changeValidity, updateItem } from './commands/update-item.ts';
import { saveGuide } from './commands/save-guide.ts';
import { categoryTree, hasCatalogue } from './queries/catalogue.ts';
import { edits } from './queries/access.ts';
import { itemView, searchItems } from './queries/items.ts';
import { guideOf } from './queries/guide.ts';
import { annualReport, reportYear } from './queries/report.ts';

const tags = ['portal'];
const AUTH = DISCLOSURE_PERMISSION as `${string}.${string}`;
const EDITORS = 'Editors (`editor`) and the administrator (`unit_admin`) of the unit; another unit: 404.';
const DateText = (description: string) => Type.String({ maxLength: 10, description: `${description} (YYYY-MM-DD)` });

const CategoryNode = Type.Recursive((Self) =>
  Answer({ id: Type.String(), code: Nullable(Type.String()), name: Type.String(), position: Type.Integer(), hidden: Type.Boolean(), itemCount: Type.Integer(), children: Type.Array(Self) }),
);
const UnitQuery = Strict({ unitId: Id });
const IdParams = Strict({ id: Id });

const CategoryBody = Strict({ unitId: Id, name: Type.String({ maxLength: LIMITS.categoryName * 4, description: `at most ${LIMITS.categoryName} characters, unique among its siblings (else 409)` }), parentId: Type.Optional(Id) });
const CategoryPatch = Strict(
  {
    name: Type.Optional(Type.String({ maxLength: LIMITS.categoryName * 4 })),
    hidden: Type.Optional(Type.Boolean({ description: 'hidden categories and their items stay out of the public catalogue tree' })),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: 'new place among its siblings, from 0' })),
    version: Type.Optional(Type.Integer({ description: 'the version read; another one: 409' })),
  },
  { minProperties: 1 },
);
const ValidityEnum = StringEnum(VALIDITIES, { description: 'valid 有效, invalid 失效, repealed 废止' });
const ItemFields = {
  categoryId: Id,
  title: Type.String({ maxLength: LIMITS.title * 2, description: `at most ${LIMITS.title} characters` }),
  docNumber: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.docNumber * 2, description: '文号, e.g. 云府发〔2026〕3号' }))),
  issuingUnit: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.issuingUnit * 2, description: '发布机构; default: the unit’s name' }))),
  writtenDate: DateText('发文日期: the date the document was written'),
  publishedAt: Type.Optional(Type.String({ maxLength: 40, description: '发布日期: a date (YYYY-MM-DD, that day in Asia/Shanghai) or a date-time with offset; default now. Public readers see the item from then on.' })),
  subjectTerms: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.subjectTerms * 2, description: '主题词, separated by spaces' }))),
  body: Type.Optional(Type.String({ maxLength: LIMITS.body, description: 'the text, plain; paragraphs separated by blank lines' })),
  attachments: Type.Optional(Type.Array(Id, { maxItems: LIMITS.attachments, description: 'ids of files uploaded through POST /api/v1/files' })),
};
const ItemBody = Strict({
  unitId: Id,
  indexNo: Type.Optional(
    Type.String({
      maxLength: 40,
      description: '索引号 `<the unit’s unified social credit code>/<year>-<five-digit serial>`, e.g. 11430400006184525X/2026-00012. Omitted: the next serial of the publication year is assigned. Wrong shape or another unit’s credit code: 422; already used in the unit: 409.',
    }),
  ),
  ...ItemFields,
  validity: Type.Optional(ValidityEnum),
});
const ItemPatchBody = Strict(
  {
    categoryId: Type.Optional(ItemFields.categoryId),
    title: Type.Optional(ItemFields.title),
    docNumber: ItemFields.docNumber,
    issuingUnit: ItemFields.issuingUnit,
    writtenDate: Type.Optional(ItemFields.writtenDate),
    publishedAt: ItemFields.publishedAt,
    subjectTerms: ItemFields.subjectTerms,
    body: ItemFields.body,
    attachments: ItemFields.attachments,
    version: Type.Optional(Type.Integer({ description: 'the version read; another one: 409' })),
  },
  { minProperties: 1 },
);
const ValidityBody = Strict({ validity: ValidityEnum, reason: Type.Optional(Type.String({ maxLength: LIMITS.reason * 2, description: 'why (失效/废止 by which document)' })) });
const ItemSummary = Answer({
  id: Type.String(),
  unitId: Type.String(),
  categoryId: Type.String(),
  categoryName: Type.String(),
  indexNo: Type.String(),
  title: Type.String(),
  docNumber: Nullable(Type.String()),
  issuingUnit: Type.String(),
  writtenDate: Type.String({ format: 'date' }),
  publishedAt: Timestamp(),
  validity: ValidityEnum,
  subjectTerms: Nullable(Type.String()),
  url: Type.String({ description: 'the public page' }),
});
const ItemFull = Answer({ ...ItemSummary.properties, body: Type.String(), unitName: Type.String(), version: Type.Integer(), attachments: Type.Array(Answer({ id: Type.String(), name: Type.String() })) });
const SearchQuery = Strict({
  unitId: Id,
  categoryId: Type.Optional(Id),
  q: Type.Optional(Type.String({ maxLength: LIMITS.q, description: 'title contains' })),
  indexNo: Type.Optional(Type.String({ maxLength: 40, description: 'a whole index number, or a part of one' })),
  docNumber: Type.Optional(Type.String({ maxLength: LIMITS.docNumber, description: 'document number contains' })),
  validity: Type.Optional(ValidityEnum),
  from: Type.Optional(DateText('published on or after')),
  to: Type.Optional(DateText('published on or before')),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
const GuideBody = Strict({ unitId: Id, body: Type.String({ maxLength: LIMITS.guide, description: 'the guide’s text; lines starting with "## " are headings; empty: the default guide again' }) });
const Guide = Answer({ unitId: Type.String(), unitName: Type.String(), custom: Type.Boolean(), body: Type.String(), updatedAt: Nullable(Timestamp()) });
const ReportQuery = Strict({ unitId: Id, year: Type.Integer({ minimum: 1900, maximum: 9999 }) });

export async function disclosureApi(app: FastifyInstance, platform: Platform) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const write = <T>(request: FastifyRequest, fn: (work: Work) => Promise<T>) => inTransaction(platform.db, actorOf(request), fn);

  api.get(
    '/api/v1/portal/disclosure/categories',
    {
      schema: {
        operationId: 'listDisclosureCategories',
        tags,
        summary: 'A unit’s disclosure catalogue (政府信息公开目录): categories with nested children',
        description: 'Made on first use from the standard 8 categories and 23 sub-categories. Public; hidden categories are listed (with hidden: true) only to the unit’s editors. itemCount counts published items (with their sub-categories’ for a top category).',
        querystring: UnitQuery,
        response: { 200: Type.Object({ unitId: Type.String(), items: Type.Array(CategoryNode) }), ...problems(404) },
      },
      config: { auth: 'public' },
    },
    async (request) => {
      const unit = await getUnit(platform.db, request.query.unitId);
      if (!unit) throw notFound();
      if (!(await hasCatalogue(platform.db, unit.id))) await inTransaction(platform.db, SYSTEM_ACTOR, (work) => ensureCatalogue(work, unit.id, platform.clock.now()));
      const editor = edits(request.principal, unit);
      return { unitId: unit.id, items: await categoryTree(platform.db, unit.id, { publicOnly: !editor, now: platform.clock.now() }) };
    },
  );

  api.post(
    '/api/v1/portal/disclosure/categories',
    { schema: { operationId: 'createDisclosureCategory', tags, summary: 'Add a category, or a sub-category under a top one (two levels)', description: EDITORS, body: CategoryBody, response: { 201: Type.Object({ id: Type.String() }), ...problems(404, 409, 422) } }, config: { auth: AUTH } },
    async (request, reply) => sendIdempotent(platform, request, reply, 201, (work) => createCategory(work, platform, request.principal!, request.body)),
  );

  api.patch(
    '/api/v1/portal/disclosure/categories/:id',
    { schema: { operationId: 'updateDisclosureCategory', tags, summary: 'Rename, hide or show, or move a category among its siblings', description: EDITORS, params: IdParams, body: CategoryPatch, response: { 200: Answer({ id: Type.String() }), ...problems(409) } }, config: { auth: AUTH } },
    async (request) => {
      const row = await write(request, (work) => updateCategory(work, platform, request.principal!, request.params.id, request.body));
      return { id: row.id, name: row.name, hidden: row.hidden, version: row.version };
    },
  );

  api.delete(
    '/api/v1/portal/disclosure/categories/:id',
    { schema: { operationId: 'deleteDisclosureCategory', tags, summary: 'Delete an empty category', description: `A category with items or sub-categories: 409 PORTAL_DISCLOSURE_CATEGORY_NOT_EMPTY. ${EDITORS}`, params: IdParams, response: { 204: NoContent, ...problems(409) } }, config: { auth: AUTH } },
    async (request, reply) => {
      await write(request, (work) => deleteCategory(work, platform, request.principal!, request.params.id));
      return reply.status(204).send();
    },
  );

  api.post(
    '/api/v1/portal/disclosure/items',
    {
      schema: {
        operationId: 'createDisclosureItem',
        tags,
        summary: 'File an item in a unit’s disclosure catalogue (主动公开) with its index number',
        description: `${EDITORS} Honours Idempotency-Key: the same key and body answer the first item again.`,
        body: ItemBody,
        response: { 201: Answer({ id: Type.String(), indexNo: Type.String() }), ...problems(404, 409, 422) },
      },
      config: { auth: AUTH },
    },
    async (request, reply) => sendIdempotent(platform, request, reply, 201, (work) => createItem(work, platform, request.principal!, request.body)),
  );

  api.get(
    '/api/v1/portal/disclosure/items',
    {
      schema: {
        operationId: 'searchDisclosureItems',
        tags,
        summary: 'Search a unit’s catalogue by category, title, index number, document number, validity and publication date',
        description: 'Public: items published by now, newest first, in keyset pages. A top category covers its sub-categories. The unit’s editors also see items scheduled for later.',
        querystring: SearchQuery,
        response: { 200: Type.Object({ items: Type.Array(ItemSummary), nextCursor: Nullable(Type.String()) }), ...problems(404) },
      },
      config: { auth: 'public' },
    },
    async (request) => searchItems(platform.db, request.query.unitId, { ...request.query, limit: request.query.limit ?? 20 }, { now: platform.clock.now(), principal: request.principal }),
  );

  api.get(
    '/api/v1/portal/disclosure/items/:id',
    { schema: { operationId: 'getDisclosureItem', tags, summary: 'One item with its metadata, text and attachments', description: 'Public once published; before that only for the unit’s editors (else 404).', params: IdParams, response: { 200: ItemFull } }, config: { auth: 'public' } },
    async (request) => itemView(platform.db, request.params.id, { now: platform.clock.now(), principal: request.principal }),
  );

  api.patch(
    '/api/v1/portal/disclosure/items/:id',
    { schema: { operationId: 'updateDisclosureItem', tags, summary: 'Edit an item (its index number stays)', description: EDITORS, params: IdParams, body: ItemPatchBody, response: { 200: ItemFull, ...problems(409, 422) } }, config: { auth: AUTH } },
    async (request) => {
      await write(request, (work) => updateItem(work, platform, request.principal!, request.params.id, request.body));
      return itemView(platform.db, request.params.id, { now: platform.clock.now(), principal: request.principal });
    },
  );

  api.post(
    '/api/v1/portal/disclosure/items/:id/validity',
    {
      schema: {
        operationId: 'changeDisclosureItemValidity',
        tags,
        summary: 'Change an item’s validity: 失效 (invalid), 废止 (repealed) or 有效 again, with a reason',
        description: `The same validity again: 409 INVALID_STATE. ${EDITORS}`,
        params: IdParams,
        body: ValidityBody,
        response: { 200: ItemFull, ...problems(409) },
      },
      config: { auth: AUTH },
    },
    async (request) => {
      await write(request, (work) => changeValidity(work, platform, request.principal!, request.params.id, request.body));
      return itemView(platform.db, request.params.id, { now: platform.clock.now(), principal: request.principal });
    },
  );

  api.get(
    '/api/v1/portal/disclosure/guide',
    { schema: { operationId: 'getDisclosureGuide', tags, summary: 'A unit’s disclosure guide (公开指南): its own text or the default one', querystring: UnitQuery, response: { 200: Guide, ...problems(404) } }, config: { auth: 'public' } },
    async (request) => {
      const unit = await getUnit(platform.db, request.query.unitId);
      if (!unit) throw notFound();
      return guideOf(platform.db, unit, 'zh-CN');
    },
  );

  api.put(
    '/api/v1/portal/disclosure/guide',
    { schema: { operationId: 'saveDisclosureGuide', tags, summary: 'Replace a unit’s disclosure guide text (empty: back to the default)', description: EDITORS, body: GuideBody, response: { 200: Guide } }, config: { auth: AUTH } },
    async (request) => {
      await write(request, (work) => saveGuide(work, platform, request.principal!, request.body));
      const unit = (await getUnit(platform.db, request.body.unitId))!;
      return guideOf(platform.db, unit, 'zh-CN');
    },
  );

  api.get(
    '/api/v1/portal/disclosure/annual-report',
    {
      schema: {
        operationId: 'getDisclosureAnnualReport',
        tags,
        summary: 'A unit’s annual report figures (政府信息公开工作年度报告) for a year',
        description: 'Items disclosed actively that year (published in the year, Asia/Shanghai) by category and validity, and the disclosure requests of the year from the interaction module’s register (received, carried over, answered by answer type, open, extended; null when that module is not installed). Public.',
        querystring: ReportQuery,
        response: { 200: Answer({ unitId: Type.String(), year: Type.Integer(), active: Answer({ total: Type.Integer() }), requests: Nullable(Answer({ received: Type.Integer(), answeredTotal: Type.Integer() })) }), ...problems(404) },
      },
      config: { auth: 'public' },
    },
    async (request) => {
      const unit = await getUnit(platform.db, request.query.unitId);
      if (!unit) throw notFound();
      return annualReport(platform, unit, reportYear(request.query.year, platform.clock.now()));
    },
  );
}
