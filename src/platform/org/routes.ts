import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, Id, Answer, Timestamp, Nullable, Page, Ref, StringEnum, actorOf, notFound, problems } from '../http/index.ts';
import { inTransaction } from '../db/work.ts';
import { coversUnit } from '../iam/principal.ts';
import type { Platform } from '../module.ts';
import * as org from './service.ts';
import { REGION_LEVELS } from './codes.ts';
import { decodeCsv, IMPORT_MAX_BYTES, prepareOrgImport, writeOrgImport } from './import.ts';

const RegionCode = Type.String({ minLength: 1, maxLength: 12 });
const RegionBody = Strict({
  code: RegionCode,
  name: Type.String({ minLength: 1, maxLength: 100 }),
  level: Type.Union(REGION_LEVELS.map((l) => Type.Literal(l))),
  parentCode: Type.Optional(Type.Union([RegionCode, Type.Null()])),
});
const UnitBody = Strict({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  regionCode: RegionCode,
  kind: Type.Union(org.UNIT_KINDS.map((k) => Type.Literal(k))),
  parentId: Type.Optional(Type.Union([Id, Type.Null()])),
  creditCode: Type.Optional(Type.Union([Type.String({ maxLength: 18 }), Type.Null()])),
  externalKey: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
});
const RegionSchema = Answer(
  { code: Type.String({ description: 'GB/T 2260 code' }), name: Type.String(), level: StringEnum(REGION_LEVELS), parentCode: Nullable(Type.String()) },
  { $id: 'Region', title: 'Region' },
);
const RegionWithAncestors = Answer({ ...RegionSchema.properties, ancestors: Type.Array(Ref(RegionSchema), { description: 'the parents, top first' }) });
const UnitSchema = Answer(
  {
    id: Type.String(),
    name: Type.String(),
    regionCode: Type.String(),
    kind: StringEnum(org.UNIT_KINDS),
    parentId: Nullable(Type.String()),
    creditCode: Nullable(Type.String({ description: 'GB 32100 unified social credit code' })),
    externalKey: Nullable(Type.String()),
    disabledAt: Nullable(Timestamp({ description: 'set while the unit is disabled' })),
    version: Type.Integer(),
  },
  { $id: 'Unit', title: 'Unit' },
);
const RegionQuery = Strict({ parentCode: Type.Optional(RegionCode) });
const ImportJsonBody = Strict({ csv: Type.String({ maxLength: IMPORT_MAX_BYTES }) });
const ImportResultSchema = Type.Object({
  regions: Type.Integer(),
  units: Type.Integer(),
  staff: Type.Integer(),
  credentials: Type.Array(Type.Object({ username: Type.String(), password: Type.String() }), { description: 'generated initial passwords, shown only here' }),
});
const UnitQuery = Strict({
  regionCode: Type.Optional(RegionCode),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

export async function orgRoutes(app: FastifyInstance, platform: Platform) {
  const tags = ['org'];
  app.addSchema(RegionSchema);
  app.addSchema(UnitSchema);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/v1/regions',
    {
      schema: { operationId: 'listRegions', tags, summary: 'One level of the region tree (top level without parentCode)', querystring: RegionQuery, response: { 200: Page(Ref(RegionSchema)) } },
      config: { auth: 'public' },
    },
    async (request) => ({ items: await org.listRegions(platform.db, request.query.parentCode ?? null), nextCursor: null }),
  );

  api.get(
    '/api/v1/regions/:code',
    {
      schema: { operationId: 'getRegion', tags, summary: 'One region with the chain of its parents (ancestors, top first)', params: Strict({ code: RegionCode }), response: { 200: RegionWithAncestors } },
      config: { auth: 'public' },
    },
    async (request) => {
      const region = await org.getRegionWithAncestors(platform.db, request.params.code);
      if (!region) throw notFound();
      return region;
    },
  );

  api.post(
    '/api/v1/regions',
    { schema: { operationId: 'createRegion', tags, summary: 'Add a region', body: RegionBody, response: { 201: Ref(RegionSchema), ...problems(409) } }, config: { auth: 'region.write' } },
    async (request, reply) => {
      const region = await inTransaction(platform.db, actorOf(request), (work) => org.createRegion(work, request.body));
      return reply.status(201).send(region);
    },
  );

  api.get(
    '/api/v1/units',
    { schema: { operationId: 'listUnits', tags, summary: 'Units, by region subtree and name', querystring: UnitQuery, response: { 200: Page(Ref(UnitSchema)) } }, config: { auth: 'public' } },
    async (request) => org.listUnits(platform.db, request.query),
  );

  api.get(
    '/api/v1/units/:id',
    { schema: { operationId: 'getUnit', tags, summary: 'One unit', params: Strict({ id: Id }), response: { 200: Ref(UnitSchema) } }, config: { auth: 'public' } },
    async (request) => {
      const unit = await org.getUnit(platform.db, request.params.id);
      if (!unit) throw notFound();
      return unit;
    },
  );

  api.post(
    '/api/v1/units',
    { schema: { operationId: 'createUnit', tags, summary: 'Add a unit', body: UnitBody, response: { 201: Ref(UnitSchema), ...problems(404, 409) } }, config: { auth: 'unit.write' } },
    async (request, reply) => {
      const principal = request.principal!;
      // The new unit must lie inside the caller's unit.write scope.
      if (!coversUnit(principal, 'unit.write', { id: '', regionCode: request.body.regionCode })) throw notFound();
      const unit = await inTransaction(platform.db, actorOf(request), (work) => org.createUnit(work, request.body));
      return reply.status(201).send(unit);
    },
  );

  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
    api.post(
      `/api/v1/units/:id/${verb}`,
      {
        schema: {
          operationId: disabled ? 'disableUnit' : 'enableUnit',
          tags,
          summary: disabled ? 'Disable a unit: it stays in history and receives nothing new' : 'Enable a disabled unit again',
          params: Strict({ id: Id }),
          response: { 200: Ref(UnitSchema) },
        },
        config: { auth: 'unit.write' },
      },
      async (request) => {
        const unit = await org.getUnit(platform.db, request.params.id);
        if (!unit || !coversUnit(request.principal!, 'unit.write', unit)) throw notFound();
        return inTransaction(platform.db, actorOf(request), (work) => org.setUnitDisabled(work, unit.id, disabled, platform.clock.now()));
      },
    );
  }

  // CSV bodies arrive as bytes so a GBK file can be decoded as well as a UTF-8 one.
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES }, (request, body, done) => {
    const charset = /charset=["']?([\w-]+)/i.exec(request.headers['content-type'] ?? '')?.[1] ?? null;
    done(null, decodeCsv(body as Buffer, charset));
  });

  api.post(
    '/api/v1/units/import',
    {
      bodyLimit: IMPORT_MAX_BYTES,
      schema: {
        operationId: 'importUnits',
        tags,
        summary: 'Import regions, units and staff from CSV (docs/import-format.md): all rows or none',
        description: 'Body: the file as text/csv (UTF-8 or GBK), or JSON { csv }. Any bad row: 422 IMPORT_FAILED listing every bad row, nothing imported.',
        body: { content: { 'text/csv': { schema: Type.String() }, 'application/json': { schema: ImportJsonBody } } },
        response: { 200: ImportResultSchema, ...problems(413, 415, 422) },
      },
      config: { auth: 'unit.import' },
    },
    async (request) => {
      // No body at all reads as an empty file.
      // A body with two content types is not inferred: text/csv arrives as a string, JSON as { csv }.
      const body = request.body as string | Static<typeof ImportJsonBody> | undefined;
      const csv = typeof body === 'string' ? body : (body?.csv ?? '');
      const prepared = await prepareOrgImport(platform, csv, { principal: request.principal });
      return inTransaction(platform.db, actorOf(request), (work) => writeOrgImport(work, platform, prepared));
    },
  );
}
