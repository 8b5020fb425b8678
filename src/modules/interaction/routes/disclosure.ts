/**
 * Disclosure requests (依申请公开): the one extension of a request's time limit, and the request
 * register of a year (JSON and Excel) that the annual report on open government information needs.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TProperties } from '@sinclair/typebox';
import type { Platform } from '../../../platform/module.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import { Answer, Id, Nullable, Strict, actorOf, problems } from '../../../platform/http/index.ts';
import { contentDisposition } from '../../../platform/files/names.ts';
import { loadExcel } from '../../../platform/lazy.ts';
import { ANSWER_TYPES, LIMITS, MAX_EXTENSION_DAYS, STATS_PERMISSION } from '../model.ts';
import { extendCase } from '../commands/extend-case.ts';
import { disclosureRegister, registerYear, type DisclosureRegister, type RegisterFigures } from '../queries/disclosure.ts';

const tags = ['interaction'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const ExtendBody = Strict({
  reason: Type.String({ maxLength: LIMITS.reason * 4, description: `why the answer takes longer; at most ${LIMITS.reason} characters` }),
  days: Type.Integer({ description: `extra working days, 1 to ${MAX_EXTENSION_DAYS}` }),
});
const ExtendedCase = Answer({
  id: Type.String(),
  trackingNo: Type.String(),
  state: Type.String(),
  dueDate: Type.String({ format: 'date' }),
  extensionDays: Type.Integer(),
  extensionReason: Nullable(Type.String()),
});

const RegisterQuery = Strict({ year: Type.Optional(Type.String({ maxLength: 8 })), unitId: Type.Optional(Id) });
const figureProperties = {
  received: Type.Integer(),
  carriedOver: Type.Integer(),
  answered: Type.Object(Object.fromEntries(ANSWER_TYPES.map((t) => [t, Type.Integer()])) as TProperties),
  answeredTotal: Type.Integer(),
  open: Type.Integer(),
  extended: Type.Integer(),
};
const RegisterSchema = Type.Object({
  year: Type.Integer(),
  items: Type.Array(Type.Object({ unitId: Type.String(), unitName: Type.String(), ...figureProperties })),
  total: Type.Object(figureProperties),
});

const registerDescription =
  'Per handling unit and calendar year (Asia/Shanghai): requests received in the year, carried over from earlier years (not answered when the year began), answered in the year by answer type (public, partial, withheld, not_exist, not_responsible, correction_needed, not_processed) and in all, still open at the end of the year (for the current year: now), and extended. received + carriedOver = answeredTotal + open. A unit’s staff read their own unit, a supervisor every unit; another unit’s `unitId`: 404.';

/** The register as a workbook: Chinese headings as the annual report's table has them, one row per unit and the total. */
export async function writeRegisterWorkbook(register: DisclosureRegister): Promise<Buffer> {
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  workbook.creator = 'Zhengtong';
  const sheet = workbook.addWorksheet('依申请公开情况', { views: [{ state: 'frozen', ySplit: 2 }] });
  const answerHeads: Record<string, string> = { public: '予以公开', partial: '部分公开', withheld: '不予公开', not_exist: '信息不存在', not_responsible: '非本机关负责', correction_needed: '需要补正', not_processed: '不予处理' };
  sheet.addRow([`${register.year} 年政府信息公开申请办理情况`]).font = { bold: true };
  sheet.addRow(['单位', '本年新收', '上年结转', ...ANSWER_TYPES.map((t) => answerHeads[t]), '答复总数', '未办结', '延期答复']).font = { bold: true };
  sheet.getColumn(1).width = 32;
  for (let i = 2; i <= ANSWER_TYPES.length + 6; i++) sheet.getColumn(i).width = 12;
  const figures = (f: RegisterFigures) => [f.received, f.carriedOver, ...ANSWER_TYPES.map((t) => f.answered[t]), f.answeredTotal, f.open, f.extended];
  for (const item of register.items) sheet.addRow([item.unitName, ...figures(item)]);
  sheet.addRow(['合计', ...figures(register.total)]).font = { bold: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function disclosureRoutes(app: FastifyInstance, platform: Platform) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/api/v1/interaction/cases/:id/extend',
    {
      schema: {
        operationId: 'extendInteractionCase',
        tags,
        summary: 'Extend a disclosure request’s time limit once (延期答复), with a reason',
        description: `Only a disclosure request, only by its handling unit (a responder or the unit leader), only once: a second extension is 409. days 1 to ${MAX_EXTENSION_DAYS} working days, counted from the current due date; the requester gets a text message with the new date. Another unit’s case: 404.`,
        params: Strict({ id: Id }),
        body: ExtendBody,
        response: { 200: ExtendedCase, ...problems(400, 403, 404, 409) },
      },
      config: { auth: 'user' },
    },
    async (request) => {
      const row = await inTransaction(platform.db, actorOf(request), (work) => extendCase(work, platform, request.principal!, request.params.id, request.body));
      return { id: row.id, trackingNo: row.tracking_no, state: row.state, dueDate: String(row.due_date), extensionDays: row.extension_days, extensionReason: row.extension_reason };
    },
  );

  api.get(
    '/api/v1/interaction/disclosure/register',
    {
      schema: { operationId: 'disclosureRegister', tags, summary: 'The register of disclosure requests of a year (依申请公开情况)', description: registerDescription, querystring: RegisterQuery, response: { 200: RegisterSchema, ...problems(400, 404) } },
      config: { auth: STATS_PERMISSION },
    },
    async (request) => disclosureRegister(platform.db, request.principal!, registerYear(request.query.year, platform.clock.now()), { unitId: request.query.unitId }),
  );

  api.get(
    '/api/v1/interaction/disclosure/register.xlsx',
    {
      schema: { operationId: 'exportDisclosureRegister', tags, summary: 'The register of disclosure requests of a year as an Excel workbook (Chinese headings)', description: registerDescription, querystring: RegisterQuery },
      config: { auth: STATS_PERMISSION },
    },
    async (request, reply) => {
      const register = await disclosureRegister(platform.db, request.principal!, registerYear(request.query.year, platform.clock.now()), { unitId: request.query.unitId });
      return reply.type(XLSX).header('Content-Disposition', contentDisposition(`依申请公开情况-${register.year}.xlsx`)).send(await writeRegisterWorkbook(register));
    },
  );
}
