/**
 * The demo city's disclosure catalogues: the city government's office and the main departments
 * each get the standard catalogue, a few items a year in the usual categories (budgets, final
 * accounts, the 三公 funds, normative documents with their interpretations, plans, statistics,
 * licensing and penalties), one of them repealed, and the office its own guide. Idempotent: a unit
 * that has items is left as it is.
 */
import type { Work } from '../../../platform/db/work.ts';
import type { DemoCity, Platform } from '../../../platform/module.ts';
import { getUnit } from '../../../platform/org/service.ts';
import { shanghaiDate } from '../../../platform/calendar/index.ts';
import { disclosureDb, type Validity } from './model.ts';
import { categoryRows } from './queries/catalogue.ts';
import { ensureCatalogue } from './commands/ensure-catalogue.ts';
import { writeItem } from './commands/create-item.ts';

type DemoItem = [category: string, title: string, docNumber: string | null, daysAgo: number, validity?: Validity, terms?: string];

/** `{year}`: the year of publication; `{short}`: the unit's short name for document numbers. */
const COMMON: DemoItem[] = [
  ['organisation.functions', '{name}主要职责和内设机构', null, 300, 'valid', '机构 职能'],
  ['finance.budget', '{name}{year}年部门预算公开', null, 250, 'valid', '财政 预算'],
  ['finance.accounts', '{name}{prev}年部门决算公开', null, 160, 'valid', '财政 决算'],
  ['finance.threeCosts', '{name}{prev}年“三公”经费支出情况说明', null, 158, 'valid', '三公经费'],
  ['plans.annual', '{name}{prev}年工作总结和{year}年工作计划', null, 330, 'valid', '工作计划 总结'],
];

const BY_UNIT: Record<string, DemoItem[]> = {
  'city.office': [
    ['documents.normative', '云川市人民政府关于印发云川市优化营商环境若干措施的通知', '云政发〔{year}〕3号', 210, 'valid', '营商环境 通知'],
    ['documents.interpretation', '《云川市优化营商环境若干措施》政策解读', null, 208, 'valid', '营商环境 解读'],
    ['documents.normative', '云川市人民政府办公室关于进一步规范行政规范性文件管理的通知', '云政办发〔{year}〕12号', 120, 'valid', '规范性文件 管理'],
    ['documents.normative', '云川市人民政府关于印发云川市城市道路挖掘管理办法的通知', '云政发〔2019〕21号', 90, 'repealed', '城市管理 道路'],
    ['plans.development', '云川市国民经济和社会发展第十五个五年规划纲要', '云政发〔{year}〕1号', 280, 'valid', '规划 经济'],
    ['personnel.appointments', '云川市人民政府关于王立新等同志职务任免的通知', '云政任〔{year}〕5号', 60, 'valid', '人事 任免'],
    ['keyAreas.projects', '云川市{year}年重点建设项目计划', '云政办发〔{year}〕8号', 240, 'valid', '重点项目 计划'],
  ],
  'city.finance': [
    ['finance.budget', '关于云川市{prev}年预算执行情况和{year}年预算草案的报告', null, 270, 'valid', '预算 报告'],
    ['finance.accounts', '云川市{prev}年财政决算报告', null, 150, 'valid', '决算 报告'],
    ['keyAreas.procurement', '云川市{year}年政府集中采购目录及采购限额标准', '云财采〔{year}〕2号', 260, 'valid', '政府采购 目录'],
    ['documents.normative', '云川市市级财政专项资金管理办法', '云财预〔{year}〕9号', 100, 'valid', '专项资金 管理'],
  ],
  'city.education': [
    ['keyAreas.publicWelfare', '云川市{year}年义务教育阶段学校招生入学工作方案', '云教发〔{year}〕6号', 200, 'valid', '教育 招生'],
    ['documents.interpretation', '图解：{year}年义务教育招生入学政策', null, 198, 'valid', '招生 解读'],
    ['statistics.bulletins', '云川市{prev}年教育事业发展统计公报', null, 140, 'valid', '教育 统计'],
    ['enforcement.licensing', '民办学校办学许可事项办理指南', null, 230, 'valid', '行政许可 民办学校'],
  ],
  'city.hrss': [
    ['personnel.recruitment', '云川市{year}年事业单位公开招聘工作人员公告', null, 180, 'valid', '招聘 事业单位'],
    ['documents.normative', '云川市就业创业补贴申领办法', '云人社发〔{year}〕4号', 220, 'valid', '就业 补贴'],
    ['documents.normative', '云川市灵活就业人员社会保险补贴实施细则', '云人社发〔2021〕17号', 110, 'invalid', '社会保险 补贴'],
    ['statistics.data', '云川市{year}年上半年就业和社会保障主要指标', null, 45, 'valid', '就业 统计'],
  ],
  'city.market': [
    ['enforcement.powers', '云川市市场监督管理局权责清单', null, 290, 'valid', '权责清单'],
    ['enforcement.penalties', '云川市市场监督管理局{year}年第二季度行政处罚信息', null, 70, 'valid', '行政处罚'],
    ['enforcement.licensing', '食品经营许可事项办理指南', null, 235, 'valid', '食品 许可'],
  ],
  'city.ndrc': [
    ['plans.special', '云川市现代物流业发展专项规划', '云发改〔{year}〕15号', 190, 'valid', '物流 规划'],
    ['keyAreas.projects', '云川市{year}年第一批重大建设项目批准和实施信息', null, 130, 'valid', '重大项目 审批'],
    ['statistics.data', '云川市{year}年前三季度经济运行情况', null, 30, 'valid', '经济 统计'],
  ],
};

export async function loadDisclosureDemo(work: Work, platform: Platform, city: DemoCity): Promise<void> {
  const now = platform.clock.now();
  for (const [key, items] of Object.entries(BY_UNIT)) {
    const unit = await getUnit(work.tx, city.unit(key).id);
    if (!unit?.creditCode) continue;
    const filed = await disclosureDb(work.tx).selectFrom('portal_disclosure_items').select('id').where('unit_id', '=', unit.id).limit(1).executeTakeFirst();
    if (filed) continue;
    await ensureCatalogue(work, unit.id, now);
    const byCode = new Map((await categoryRows(work.tx, unit.id)).map((c) => [c.code, c.id]));
    // Oldest first, so that the serials of each year follow the publication dates.
    const all = [...COMMON, ...items].sort((a, b) => b[3] - a[3]);
    for (const [code, title, docNumber, daysAgo, validity, terms] of all) {
      const published = new Date(now.getTime() - daysAgo * 86_400_000);
      const day = shanghaiDate(published);
      const itemYear = Number(day.slice(0, 4));
      const fill = (text: string) => text.replaceAll('{name}', unit.name).replaceAll('{year}', String(itemYear)).replaceAll('{prev}', String(itemYear - 1));
      const written = shanghaiDate(new Date(published.getTime() - 5 * 86_400_000));
      await writeItem(
        work,
        { ...platform, clock: { now: () => published } },
        unit,
        {
          unitId: unit.id,
          categoryId: byCode.get(code)!,
          title: fill(title),
          docNumber: docNumber ? fill(docNumber) : null,
          writtenDate: written,
          publishedAt: `${day}T09:00:00+08:00`,
          validity,
          subjectTerms: terms ?? null,
          body: `${fill(title)}\n\n现予公开。全文及附件请见本页。如对本信息有疑问，请在工作日与${unit.name}办公室联系。`,
        },
        null,
      );
    }
  }
}
