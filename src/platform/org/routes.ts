import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, Id, actorOf, notFound } from '../http/index.ts';
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

  app.get<{ Querystring: Static<typeof RegionQuery> }>(
    '/api/v1/regions',
    { schema: { tags, summary: 'One level of the region tree (top level without parentCode)', querystring: RegionQuery }, config: { auth: 'public' } },
    async (request) => ({ items: await org.listRegions(platform.db, request.query.parentCode ?? null), nextCursor: null }),
  );

  app.get<{ Params: { code: string } }>(
    '/api/v1/regions/:code',
    { schema: { tags, summary: 'One region with the chain of its parents (ancestors, top first)', params: Strict({ code: RegionCode }) }, config: { auth: 'public' } },
    async (request) => {
      const region = await org.getRegionWithAncestors(platform.db, request.params.code);
      if (!region) throw notFound();
      return region;
    },
  );

  app.post<{ Body: Static<typeof RegionBody> }>(
    '/api/v1/regions',
    { schema: { tags, summary: 'Add a region', body: RegionBody }, config: { auth: 'region.write' } },
    async (request, reply) => {
      const region = await inTransaction(platform.db, actorOf(request), (work) => org.createRegion(work, request.body));
      return reply.status(201).send(region);
    },
  );

  app.get<{ Querystring: Static<typeof UnitQuery> }>(
    '/api/v1/units',
    { schema: { tags, summary: 'Units, by region subtree and name', querystring: UnitQuery }, config: { auth: 'public' } },
    async (request) => org.listUnits(platform.db, request.query),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/units/:id',
    { schema: { tags, summary: 'One unit', params: Strict({ id: Id }) }, config: { auth: 'public' } },
    async (request) => {
      const unit = await org.getUnit(platform.db, request.params.id);
      if (!unit) throw notFound();
      return unit;
    },
  );

  app.post<{ Body: Static<typeof UnitBody> }>(
    '/api/v1/units',
    { schema: { tags, summary: 'Add a unit', body: UnitBody }, config: { auth: 'unit.write' } },
    async (request, reply) => {
      const principal = request.principal!;
      // The new unit must lie inside the caller's unit.write scope.
      if (!coversUnit(principal, 'unit.write', { id: '', regionCode: request.body.regionCode })) throw notFound();
      const unit = await inTransaction(platform.db, actorOf(request), (work) => org.createUnit(work, request.body));
      return reply.status(201).send(unit);
    },
  );

  // CSV bodies arrive as bytes so a GBK file can be decoded as well as a UTF-8 one.
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES }, (request, body, done) => {
    const charset = /charset=["']?([\w-]+)/i.exec(request.headers['content-type'] ?? '')?.[1] ?? null;
    done(null, decodeCsv(body as Buffer, charset));
  });

  app.post<{ Body: string | Static<typeof ImportJsonBody> }>(
    '/api/v1/units/import',
    {
      bodyLimit: IMPORT_MAX_BYTES,
      schema: {
        tags,
        summary: 'Import regions, units and staff from CSV (docs/import-format.md): all rows or none',
        description: 'Body: the file as text/csv (UTF-8 or GBK), or JSON { csv }. Any bad row: 422 IMPORT_FAILED listing every bad row, nothing imported.',
        body: { content: { 'text/csv': { schema: Type.String() }, 'application/json': { schema: ImportJsonBody } } },
        response: { 200: ImportResultSchema },
      },
      config: { auth: 'unit.import' },
    },
    async (request) => {
      // No body at all reads as an empty file.
      const csv = typeof request.body === 'string' ? request.body : (request.body?.csv ?? '');
      const prepared = await prepareOrgImport(platform, csv, { principal: request.principal });
      return inTransaction(platform.db, actorOf(request), (work) => writeOrgImport(work, platform, prepared));
    },
  );
}
