import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Strict } from '../../../platform/http/index.ts';
import { contentDisposition } from '../../../platform/files/names.ts';
import { loadExcel } from '../../../platform/lazy.ts';
import type { Platform } from '../../../platform/module.ts';
import { CHANNELS, STATS_PERMISSION, type Channel } from '../model.ts';
import { interactionChannelStats, interactionStats, statsPeriod, type ChannelStats, type Measures, type StatsPeriod, type UnitStats } from '../queries/stats.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const tags = ['interaction'];

const Period = {
  from: Type.Optional(Type.String({ maxLength: 32, description: 'First day, YYYY-MM-DD (Asia/Shanghai), included' })),
  to: Type.Optional(Type.String({ maxLength: 32, description: 'Last day, YYYY-MM-DD (Asia/Shanghai), included; at most three years after `from`' })),
};
const StatsQuery = Strict({ ...Period, channel: Type.Optional(Type.Union(CHANNELS.map((c) => Type.Literal(c)))) });
const ChannelsQuery = Strict(Period);

const MeasureFields = {
  received: Type.Integer(),
  answered: Type.Integer(),
  answerRate: Type.Number({ minimum: 0, maximum: 1 }),
  onTimeRate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
  avgWorkingDays: Type.Union([Type.Number(), Type.Null()]),
  satisfaction: Type.Union([Type.Number({ minimum: 1, maximum: 5 }), Type.Null()]),
  reopened: Type.Integer(),
};
const UnitItem = Type.Object({ unitId: Type.String(), unitName: Type.String(), ...MeasureFields });
const ChannelItem = Type.Object({ channel: Type.String(), ...MeasureFields });

const description =
  'For the cases received in the period (Asia/Shanghai days, both included, at most three years), per handling unit (the unit that has the case now): received, answered, the answer rate (answered / received, 0 to 1), the on-time rate (answered on or before the due date / answered; null when none was answered), the mean working days from receipt to answer (weekends and statutory holidays not counted, the day of receipt not counted; null when none was answered), satisfaction (the mean of the writers’ ratings and the hotline’s return-visit satisfaction, 1 to 5, null when there is none) and the cases reopened by their writer. A unit’s staff read their own unit(s); a supervisor (interaction.oversee) every unit with a case in the period.';

export async function statsRoutes(app: FastifyInstance, platform: Platform) {
  app.get<{ Querystring: Static<typeof StatsQuery> }>(
    '/api/v1/interaction/stats',
    {
      schema: { operationId: 'interactionStats', tags, summary: 'Citizen interaction statistics per unit and period', description, querystring: StatsQuery, response: { 200: Type.Object({ items: Type.Array(UnitItem) }) } },
      config: { auth: STATS_PERMISSION },
    },
    async (request) => {
      const period = statsPeriod(request.query.from, request.query.to);
      return { items: await interactionStats(platform.db, request.principal!, period, { channel: request.query.channel, now: platform.clock.now() }) };
    },
  );

  app.get<{ Querystring: Static<typeof ChannelsQuery> }>(
    '/api/v1/interaction/stats/channels',
    {
      schema: {
        operationId: 'interactionChannelStats',
        tags,
        summary: 'Citizen interaction statistics per channel and period',
        description: `The same measures per channel (every channel listed) over the caller’s units. ${description}`,
        querystring: ChannelsQuery,
        response: { 200: Type.Object({ items: Type.Array(ChannelItem) }) },
      },
      config: { auth: STATS_PERMISSION },
    },
    async (request) => {
      const period = statsPeriod(request.query.from, request.query.to);
      return { items: await interactionChannelStats(platform.db, request.principal!, period, { now: platform.clock.now() }) };
    },
  );

  app.get<{ Querystring: Static<typeof StatsQuery> }>(
    '/api/v1/interaction/stats.xlsx',
    {
      schema: { operationId: 'exportInteractionStats', tags, summary: 'The interaction statistics as an Excel workbook (Chinese headings; per unit and per channel)', description, querystring: StatsQuery },
      config: { auth: STATS_PERMISSION },
    },
    async (request, reply) => {
      const period = statsPeriod(request.query.from, request.query.to);
      const now = platform.clock.now();
      const units = await interactionStats(platform.db, request.principal!, period, { channel: request.query.channel, now });
      const channels = await interactionChannelStats(platform.db, request.principal!, period, { now });
      const workbook = await writeStatsWorkbook(period, request.query.channel ?? null, units, channels);
      return reply.type(XLSX).header('Content-Disposition', contentDisposition(`政民互动统计-${period.from}-${period.to}.xlsx`)).send(workbook);
    },
  );
}

export const CHANNEL_NAMES: Record<Channel, string> = {
  mayor_mailbox: '市长信箱',
  unit_mailbox: '部门信箱',
  message_board: '留言板',
  disclosure_request: '依申请公开',
  hotline: '12345热线',
};

const MEASURE_COLUMNS: Array<{ key: keyof Measures; header: string; width: number; format?: string }> = [
  { key: 'received', header: '受理数', width: 10 },
  { key: 'answered', header: '办结数', width: 10 },
  { key: 'answerRate', header: '办结率', width: 10, format: '0.00%' },
  { key: 'onTimeRate', header: '按时办结率', width: 12, format: '0.00%' },
  { key: 'avgWorkingDays', header: '平均办理用时（工作日）', width: 22, format: '0.00' },
  { key: 'satisfaction', header: '满意度（1-5）', width: 14, format: '0.00' },
  { key: 'reopened', header: '重新办理', width: 10 },
];

async function writeStatsWorkbook(period: StatsPeriod, channel: Channel | null, units: UnitStats[], channels: ChannelStats[]): Promise<Buffer> {
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  workbook.creator = 'Zhengtong';
  const sheet = (name: string, first: { header: string; width: number }, rows: Array<[string, Measures]>) => {
    const ws = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 2 }] });
    ws.addRow([`统计期间：${period.from} 至 ${period.to}${channel && name === '按单位' ? `（${CHANNEL_NAMES[channel]}）` : ''}`]);
    ws.addRow([first.header, ...MEASURE_COLUMNS.map((c) => c.header)]).font = { bold: true };
    ws.getColumn(1).width = first.width;
    MEASURE_COLUMNS.forEach((c, i) => {
      const column = ws.getColumn(i + 2);
      column.width = c.width;
      if (c.format) column.numFmt = c.format;
    });
    for (const [label, m] of rows) ws.addRow([label, ...MEASURE_COLUMNS.map((c) => m[c.key])]);
  };
  sheet('按单位', { header: '单位', width: 30 }, units.map((u) => [u.unitName, u]));
  sheet('按渠道', { header: '渠道', width: 14 }, channels.map((c) => [CHANNEL_NAMES[c.channel], c]));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
