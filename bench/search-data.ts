/**
 * Generated Chinese government documents for the search benchmark and the segmentation
 * measurements (decision 0017): titles such as 关于做好2026年冬季安全生产工作的通知 and bodies of a
 * few hundred characters, built from a vocabulary of real words and phrases. Deterministic: the
 * document of a number is always the same (the demo city's seeded random).
 */
import { mulberry32 } from '../src/modules/approval/demo-people.ts';

export const PLACES = ['衡阳市', '平凉市', '雁峰区', '石鼓区', '蒸湘区', '珠晖区', '南岳区', '衡阳县', '衡南县', '衡山县', '衡东县', '祁东县', '耒阳市', '常宁市', '崆峒区', '泾川县', '灵台县', '崇信县', '华亭市', '庄浪县', '静宁县'];

export const UNITS = [
  '人民政府办公室', '发展和改革委员会', '教育局', '科学技术局', '工业和信息化局', '公安局', '民政局', '司法局', '财政局', '人力资源和社会保障局',
  '自然资源和规划局', '生态环境局', '住房和城乡建设局', '交通运输局', '水利局', '农业农村局', '商务局', '文化旅游广电体育局', '卫生健康委员会', '退役军人事务局',
  '应急管理局', '审计局', '市场监督管理局', '统计局', '医疗保障局', '林业局', '城市管理综合执法局', '行政审批服务局', '信访局', '数据资源局',
  '税务局', '公积金管理中心', '不动产登记中心', '政务服务中心', '疾病预防控制中心', '消防救援支队', '气象局', '档案馆', '图书馆', '人民医院',
];

export const TOPICS = [
  '安全生产', '冬季安全生产', '森林防火', '防汛抗旱', '地质灾害防治', '疫情防控', '食品安全', '药品安全', '安全隐患排查', '消防安全',
  '营业执照办理', '企业开办', '工程建设项目审批', '不动产登记', '社会保障卡', '城乡居民基本养老保险', '城镇职工基本医疗保险', '医疗保险报销', '住房公积金提取', '失业保险金申领',
  '最低生活保障', '特困人员救助', '临时救助', '残疾人两项补贴', '高龄津贴', '义务教育招生', '学前教育', '校外培训治理', '职业技能培训', '高校毕业生就业',
  '农村土地承包经营权', '高标准农田建设', '乡村振兴', '农村人居环境整治', '耕地保护', '粮食生产', '生猪生产', '农民专业合作社', '农业保险', '脱贫攻坚成果巩固',
  '大气污染防治', '水污染防治', '土壤污染防治', '河长制', '林长制', '生态环境保护督察', '碳达峰碳中和', '垃圾分类', '节能减排', '秸秆禁烧',
  '营商环境优化', '政务服务便民化', '一网通办', '跨省通办', '证明事项告知承诺制', '双随机一公开', '行政执法公示', '政府信息公开', '依申请公开', '政务公开',
  '重大项目建设', '招商引资', '民营经济发展', '中小企业纾困', '减税降费', '专项债券', '财政预算', '财政决算', '政府采购', '国有资产管理',
  '老旧小区改造', '城市更新', '保障性住房', '棚户区改造', '物业管理', '燃气安全', '道路交通安全', '城市内涝治理', '公共交通', '停车管理',
  '文明城市创建', '全民健身', '文化惠民', '非物质文化遗产保护', '旅游市场秩序', '公共法律服务', '扫黑除恶', '矛盾纠纷排查化解', '信访工作', '12345热线',
  '人口普查', '经济普查', '统计调查', '审计整改', '巡察整改', '作风建设', '干部培训', '人才引进', '退役军人服务保障', '双拥工作',
];

export const DOC_KINDS = ['通知', '通告', '公告', '意见', '实施方案', '工作方案', '管理办法', '实施细则', '报告', '批复', '决定', '公示', '函', '工作要点', '应急预案'];

export const VERBS = ['做好', '加强', '进一步加强', '进一步做好', '开展', '深入开展', '推进', '全面推进', '规范', '印发', '组织开展', '切实做好', '认真做好', '扎实推进'];

export const SEASONS = ['春季', '夏季', '秋季', '冬季', '汛期', '春节期间', '国庆期间', '元旦春节期间', '上半年', '下半年', '第一季度', '第四季度'];

const SENTENCES = [
  '为深入贯彻落实党中央、国务院决策部署，按照省委、省政府工作要求，结合本地实际，现就有关事项通知如下。',
  '各县市区人民政府、市直有关单位要提高政治站位，切实加强组织领导，明确责任分工，确保各项工作落到实处。',
  '要坚持人民至上、生命至上，牢固树立安全发展理念，全面排查整治各类风险隐患，坚决防范遏制重特大事故发生。',
  '申请人可通过政务服务网、政务服务移动端或到政务服务中心综合窗口提交申请材料，实行一次告知、一窗受理、限时办结。',
  '对符合条件的申请，受理部门应当在法定期限内作出决定；对材料不齐全的，一次性告知申请人需要补正的全部内容。',
  '各地要建立健全工作台账，实行清单化管理、项目化推进，定期调度工作进展，及时研究解决存在的困难和问题。',
  '要加大政策宣传力度，充分利用报刊、广播、电视、网站和新媒体等渠道，提高群众知晓率和满意度。',
  '市政府将把此项工作纳入年度绩效考核，对工作推进不力、造成不良影响的单位和个人严肃追责问责。',
  '本办法自发布之日起施行，有效期五年。此前有关规定与本办法不一致的，以本办法为准。',
  '联系人及电话：办公室，咨询时间为工作日上午九时至十二时、下午二时至五时，法定节假日除外。',
  '根据《中华人民共和国政府信息公开条例》规定，现将有关情况予以公开，接受社会监督。',
  '请各单位于每月五日前将上月工作开展情况报送市政府办公室，逾期未报送的予以通报。',
  '经研究，同意你单位关于项目建设用地的请示，请按照相关规定抓紧办理用地报批手续。',
  '各级各部门要强化数据共享和业务协同，推动更多政务服务事项网上办、掌上办、就近办。',
  '加强资金监管，确保专款专用，严禁截留、挤占、挪用，提高财政资金使用效益。',
  '公示期间，如有异议，请以书面形式向有关部门反映，反映情况须实事求是并署真实姓名。',
];

const pick = <T>(list: readonly T[], r: () => number) => list[Math.floor(r() * list.length)];

export interface GeneratedDocument {
  title: string;
  body: string;
  docNumber: string;
}

/**
 * The document of number n. Topics follow a skewed distribution (the first ones are common, the
 * last rare), as real portals have a few topics in every other notice and many seldom named.
 */
export function generateDocument(n: number, year: number): GeneratedDocument {
  const r = mulberry32(n * 2654435761);
  const skew = (list: readonly string[]) => list[Math.floor(Math.pow(r(), 2.2) * list.length)];
  const place = pick(PLACES, r);
  const unit = pick(UNITS, r);
  const topic = skew(TOPICS);
  const kind = pick(DOC_KINDS, r);
  const docNumber = `${place.slice(0, 1)}政发〔${year}〕${1 + (n % 180)}号`;
  const title =
    r() < 0.5
      ? `关于${pick(VERBS, r)}${year}年${pick(SEASONS, r)}${topic}工作的${kind}`
      : `${place}${unit}关于${pick(VERBS, r)}${topic}的${kind}`;
  const parts = [`${place}${unit}：`, `${docNumber}。`];
  const count = 3 + Math.floor(r() * 5);
  for (let i = 0; i < count; i++) {
    parts.push(pick(SENTENCES, r));
    if (r() < 0.6) parts.push(`${pick(VERBS, r)}${skew(TOPICS)}工作，${pick(PLACES, r)}${pick(UNITS, r)}负责${skew(TOPICS)}相关事项。`);
  }
  return { title, body: parts.join(''), docNumber };
}
