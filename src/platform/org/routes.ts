import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict, Id, actorOf, notFound } from '../http/index.ts';
import { inTransaction } from '../db/work.ts';
import { coversUnit } from '../iam/principal.ts';
import type { Platform } from '../module.ts';
import * as org from './service.ts';
import { REGION_LEVELS } from './codes.ts';

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
});
const RegionQuery = Strict({ parentCode: Type.Optional(RegionCode) });
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
}
