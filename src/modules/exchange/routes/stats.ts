import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, Strict } from '../../../platform/http/index.ts';
import { contentDisposition } from '../../../platform/files/names.ts';
import type { Platform } from '../../../platform/module.ts';
import { STATS_PERMISSION } from '../model.ts';
import { exchangeStats, statsPeriod } from '../queries/stats.ts';
import { writeStatsWorkbook } from '../stats-excel.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const tags = ['exchange'];

const StatsQuery = Strict({
  from: Type.Optional(Type.String({ maxLength: 32 })),
  to: Type.Optional(Type.String({ maxLength: 32 })),
  unitId: Type.Optional(Id),
});

const StatsItem = Type.Object({
  unitId: Type.String(),
  unitName: Type.String(),
  sent: Type.Integer(),
  received: Type.Integer(),
  signed: Type.Integer(),
  returned: Type.Integer(),
  signRate: Type.Number({ minimum: 0, maximum: 1 }),
  avgHoursToSign: Type.Union([Type.Number(), Type.Null()]),
  overdue: Type.Integer(),
});

const description =
  'Per unit and period (Asia/Shanghai days, both included, at most five years): documents sent (by sent time), receipts received (by delivery time, recalled ones left out), of those signed and returned, the sign rate (signed / received, 0 to 1), the mean hours from delivery to signature (null when none was signed) and the receipts answered after their chase time or still unanswered past it. A unit’s clerks and leader read their own unit; a supervisor every unit (those with any figure, or `unitId`). Another unit’s `unitId`: 404.';

export async function statsRoutes(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof StatsQuery> }>(
    '/api/v1/exchange/stats',
    {
      schema: { operationId: 'exchangeStats', tags, summary: 'Exchange statistics per unit and period', description, querystring: StatsQuery, response: { 200: Type.Object({ items: Type.Array(StatsItem) }) } },
      config: { auth: STATS_PERMISSION },
    },
    async (request) => {
      const period = statsPeriod(request.query.from, request.query.to);
      return { items: await exchangeStats(platform.db, request.principal!, period, { unitId: request.query.unitId, now: platform.clock.now() }) };
    },
  );

  app.get<{ Querystring: Static<typeof StatsQuery> }>(
    '/api/v1/exchange/stats.xlsx',
    {
      schema: { operationId: 'exportExchangeStats', tags, summary: 'The exchange statistics as an Excel workbook (Chinese headings)', description, querystring: StatsQuery },
      config: { auth: STATS_PERMISSION },
    },
    async (request, reply) => {
      const period = statsPeriod(request.query.from, request.query.to);
      const items = await exchangeStats(platform.db, request.principal!, period, { unitId: request.query.unitId, now: platform.clock.now() });
      const workbook = await writeStatsWorkbook(period, items);
      return reply.type(XLSX).header('Content-Disposition', contentDisposition(`收发统计-${period.from}-${period.to}.xlsx`)).send(workbook);
    },
  );
}
