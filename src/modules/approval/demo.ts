/**
 * The demo city's service items (事项), published at the city's administrative licensing bureau
 * so that a visitor can walk the whole citizen journey with the demo accounts: the window clerk
 * accepts, the planning bureau's approver reviews, the bureau's leader decides.
 */
import type { Work } from '../../platform/db/work.ts';
import type { DemoCity, Platform } from '../../platform/module.ts';
import { createItem, getPublishedItemByCode, publishItem } from './catalogue.ts';
import type { ItemInput } from './model.ts';

const CONSULT = '0571-12345';
const COMPLAINT = '0571-12345';

function demoItems(city: DemoCity): ItemInput[] {
  const bureau = city.unit('city.approval').id;
  const planning = city.unit('city.planning').id;
  const accept = { key: 'accept', name: '受理', unitId: bureau, role: 'window_clerk' as const, days: 1 };
  const decide = (days: number) => ({ key: 'decide', name: '审批决定', unitId: bureau, role: 'unit_leader' as const, days });
  return [
    {
      code: '331200-XK-0001',
      name: '食品经营许可证核发',
      kind: 'licensing',
      unitId: bureau,
      legalBasis: '《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》',
      conditions: '具有与经营的食品品种、数量相适应的经营场所，有食品安全管理人员和管理制度，设备布局和工艺流程合理。',
      materials: [
        { key: 'application', name: '食品经营许可申请书', required: true, copies: 1, allowPending: false },
        { key: 'licence', name: '营业执照或其他主体资格证明文件', required: true, copies: 1, allowPending: false },
        { key: 'floor_plan', name: '经营场所平面布局图', required: true, copies: 1, allowPending: false },
        { key: 'rules', name: '食品安全管理制度', required: false, copies: 1, allowPending: true },
      ],
      statutoryDays: 10,
      promisedDays: 5,
      fee: { charged: false },
      resultName: '食品经营许可证',
      maxVisits: 0,
      consultPhone: CONSULT,
      complaintPhone: COMPLAINT,
      process: { stages: [accept, decide(3)] },
      themes: ['市场准入'],
      lifeEvents: ['开办企业'],
    },
    {
      code: '331200-XK-0002',
      name: '建设工程规划许可证核发',
      kind: 'licensing',
      unitId: bureau,
      legalBasis: '《中华人民共和国城乡规划法》第四十条',
      conditions: '建设项目符合控制性详细规划和规划条件，已取得建设用地使用权。',
      materials: [
        { key: 'application', name: '建设工程规划许可申请表', required: true, copies: 1, allowPending: false },
        { key: 'land', name: '建设用地使用权证明文件', required: true, copies: 1, allowPending: false },
        { key: 'design', name: '建设工程设计方案总平面图', required: true, copies: 1, allowPending: false },
      ],
      statutoryDays: 20,
      promisedDays: 10,
      fee: { charged: false },
      resultName: '建设工程规划许可证',
      maxVisits: 1,
      consultPhone: CONSULT,
      complaintPhone: COMPLAINT,
      process: { stages: [accept, { key: 'review', name: '规划审查', unitId: planning, role: 'approver' as const, days: 5 }, decide(3)] },
      themes: ['工程建设'],
      lifeEvents: ['投资建设'],
    },
    {
      code: '331200-XK-0003',
      name: '公共场所卫生许可',
      kind: 'licensing',
      unitId: bureau,
      legalBasis: '《公共场所卫生管理条例》第八条',
      conditions: '公共场所的卫生设施、从业人员健康合格证明和卫生管理制度符合要求。',
      materials: [
        { key: 'application', name: '公共场所卫生许可申请表', required: true, copies: 1, allowPending: false },
        { key: 'health', name: '从业人员健康合格证明', required: true, copies: 1, allowPending: false },
        { key: 'inspection', name: '卫生检测或评价报告', required: false, copies: 1, allowPending: true },
      ],
      statutoryDays: 20,
      promisedDays: 8,
      fee: { charged: false },
      resultName: '公共场所卫生许可证',
      maxVisits: 0,
      consultPhone: CONSULT,
      complaintPhone: COMPLAINT,
      process: { stages: [accept, decide(5)] },
      themes: ['卫生健康'],
      lifeEvents: ['开办企业'],
    },
  ];
}

/** Publishes the demo items that are not there yet; published ones are left as they are. */
export async function loadApprovalDemo(work: Work, platform: Platform, city: DemoCity) {
  for (const input of demoItems(city)) {
    if (await getPublishedItemByCode(work.tx, input.code!)) continue;
    const draft = await createItem(work, platform, null, input);
    await publishItem(work, platform, null, draft.id);
  }
}
