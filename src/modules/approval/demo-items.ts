/**
 * The demo city's catalogue as data: real-world items with their legal bases, written short.
 * demo.ts turns each into an item input (acceptance at the city's one-stop window, 一窗受理;
 * reviews by the departments, side by side when several; the decision by the implementing
 * unit's leader) and publishes it.
 */
import type { ItemInput } from './model.ts';

/** A review step: the department (demo unit key), the step's name, its working days. */
export type DemoReview = [unitKey: string, name: string, days: number];

export interface DemoItem {
  code: string;
  name: string;
  kind: ItemInput['kind'];
  /** The implementing unit (demo unit key). */
  unit: string;
  basis: string;
  conditions: string;
  /** Material names; the first is the application form, offered as a blank form to download. */
  materials: string[];
  statutory: number;
  promised: number;
  result: string;
  visits?: number;
  targets: Array<'person' | 'enterprise'>;
  instant?: boolean;
  /** Stages between acceptance and decision: one review, or several side by side. */
  reviews?: Array<DemoReview | DemoReview[]>;
  decideDays?: number;
  fee?: { amountFen: number; basis: string };
  events: string[];
  themes: string[];
  faq?: Array<[question: string, answer: string]>;
}

const P: DemoItem['targets'] = ['person'];
const E: DemoItem['targets'] = ['enterprise'];
const PE: DemoItem['targets'] = ['person', 'enterprise'];

export const DEMO_ITEMS: DemoItem[] = [
  // ---------------------------------------------------------------- 开办企业 / 市场准入 (行政审批服务局, 相对集中许可)
  {
    code: '331200-XK-0001', name: '食品经营许可证核发', kind: 'licensing', unit: 'city.approval',
    basis: '《中华人民共和国食品安全法》第三十五条\n《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）',
    conditions: '具有与经营的食品品种、数量相适应的经营场所，有食品安全管理人员和管理制度，设备布局和工艺流程合理。',
    materials: ['食品经营许可申请书', '营业执照或其他主体资格证明文件', '经营场所平面布局图', '食品安全管理制度'],
    statutory: 10, promised: 5, result: '食品经营许可证', visits: 0, targets: PE, reviews: [['city.market', '现场核查', 2]], decideDays: 2,
    events: ['开办企业'], themes: ['市场准入'],
    faq: [['小餐饮店需要办理食品经营许可证吗？', '从事食品销售和餐饮服务的，应当依法取得食品经营许可；仅销售预包装食品的，办理备案即可。'], ['许可证有效期多久？', '食品经营许可证有效期为 5 年。']],
  },
  {
    code: '331200-XK-0002', name: '建设工程规划许可证核发', kind: 'licensing', unit: 'city.approval',
    basis: '《中华人民共和国城乡规划法》第四十条',
    conditions: '建设项目符合控制性详细规划和规划条件，已取得建设用地使用权。',
    materials: ['建设工程规划许可申请表', '建设用地使用权证明文件', '建设工程设计方案总平面图'],
    statutory: 20, promised: 10, result: '建设工程规划许可证', visits: 1, targets: E, reviews: [['city.planning', '规划审查', 5]], decideDays: 3,
    events: ['工程建设'], themes: ['工程建设'],
  },
  {
    code: '331200-XK-0003', name: '公共场所卫生许可', kind: 'licensing', unit: 'city.approval',
    basis: '《公共场所卫生管理条例》第八条',
    conditions: '公共场所的卫生设施、从业人员健康合格证明和卫生管理制度符合要求。',
    materials: ['公共场所卫生许可申请表', '从业人员健康合格证明', '卫生检测或评价报告'],
    statutory: 20, promised: 8, result: '公共场所卫生许可证', visits: 0, targets: E, reviews: [['city.health', '卫生审查', 3]], decideDays: 3,
    events: ['开办企业'], themes: ['卫生健康'],
  },
  {
    code: '331200-XK-0004', name: '药品零售企业许可', kind: 'licensing', unit: 'city.approval',
    basis: '《中华人民共和国药品管理法》第五十一条、第五十二条\n《药品经营和使用质量监督管理办法》',
    conditions: '有依法经过资格认定的药师或者其他药学技术人员；有与所经营药品相适应的营业场所、设备、仓储设施和卫生环境；有保证药品质量的规章制度。',
    materials: ['药品经营许可证申请表', '营业执照', '执业药师注册证', '营业场所及仓库平面布置图', '质量管理文件目录'],
    statutory: 30, promised: 15, result: '药品经营许可证', visits: 1, targets: E, reviews: [['city.market', '现场验收', 7]], decideDays: 3,
    events: ['开办企业'], themes: ['市场准入', '医疗卫生'],
  },
  {
    code: '331200-XK-0005', name: '建筑工程施工许可证核发', kind: 'licensing', unit: 'city.approval',
    basis: '《中华人民共和国建筑法》第七条、第八条\n《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）',
    conditions: '已办理用地批准手续，已取得建设工程规划许可证，施工场地已具备施工条件，已确定施工企业，有满足施工需要的施工图纸及技术资料，有保证工程质量和安全的具体措施。',
    materials: ['建筑工程施工许可证申请表', '建设工程规划许可证', '施工合同', '施工图设计文件审查合格书', '质量安全监督手续'],
    statutory: 7, promised: 5, result: '建筑工程施工许可证', visits: 0, targets: E,
    reviews: [[['city.housing', '质量安全审查', 2], ['city.planning', '规划核验', 2]]], decideDays: 2,
    events: ['工程建设'], themes: ['工程建设'],
    faq: [['工程投资额在多少以下可以不办施工许可证？', '工程投资额在 30 万元以下或者建筑面积在 300 平方米以下的建筑工程，可以不申请办理施工许可证。']],
  },
  {
    code: '331200-XK-0006', name: '城镇污水排入排水管网许可', kind: 'licensing', unit: 'city.approval',
    basis: '《城镇排水与污水处理条例》第二十一条\n《城镇污水排入排水管网许可管理办法》（住房和城乡建设部令第21号）',
    conditions: '排水户的污水排放符合国家和地方排放标准，已按规定建设预处理设施和检测井，排水口设置符合要求。',
    materials: ['城镇污水排入排水管网许可申请表', '排水户内部排水管网、专用检测井、污水排放口位置和口径的图纸及说明', '排水水质检测报告'],
    statutory: 15, promised: 7, result: '城镇污水排入排水管网许可证', visits: 1, targets: E,
    reviews: [[['city.housing', '排水设施审查', 3], ['city.environment', '水质审查', 3]]], decideDays: 2,
    events: ['工程建设', '开办企业'], themes: ['工程建设', '生态环境'],
  },
  {
    code: '331200-XK-0007', name: '道路旅客运输经营许可', kind: 'licensing', unit: 'city.approval',
    basis: '《中华人民共和国道路运输条例》第八条、第十条\n《道路旅客运输及客运站管理规定》',
    conditions: '有与其经营业务相适应并经检测合格的车辆，有符合规定条件的驾驶人员，有健全的安全生产管理制度。',
    materials: ['道路旅客运输经营申请表', '企业章程或营业执照', '拟投入车辆承诺书', '驾驶人员从业资格证', '安全生产管理制度文本'],
    statutory: 20, promised: 10, result: '道路运输经营许可证', visits: 1, targets: E, reviews: [['city.transport', '运输条件审查', 5]], decideDays: 3,
    events: ['开办企业'], themes: ['交通运输'],
  },
  {
    code: '331200-XK-0008', name: '道路货物运输经营许可', kind: 'licensing', unit: 'city.approval',
    basis: '《中华人民共和国道路运输条例》第二十一条、第二十四条\n《道路货物运输及站场管理规定》',
    conditions: '有与其经营业务相适应并经检测合格的车辆，有符合规定条件的驾驶人员，有健全的安全生产管理制度。',
    materials: ['道路货物运输经营申请表', '营业执照', '车辆行驶证', '驾驶人员从业资格证'],
    statutory: 20, promised: 5, result: '道路运输经营许可证', visits: 0, targets: PE, reviews: [['city.transport', '运输条件审查', 2]], decideDays: 2,
    events: ['开办企业'], themes: ['交通运输'],
  },
  {
    code: '331200-XK-0009', name: '出版物零售单位设立审批', kind: 'licensing', unit: 'city.approval',
    basis: '《出版管理条例》第三十七条\n《出版物市场管理规定》第十条',
    conditions: '有确定的企业名称和经营范围，有固定的经营场所，有与经营业务相适应的组织机构和发行人员。',
    materials: ['出版物零售单位设立申请表', '营业执照', '经营场所使用证明'],
    statutory: 20, promised: 5, result: '出版物经营许可证', visits: 0, targets: PE, reviews: [['city.culture', '经营条件审查', 2]], decideDays: 2,
    events: ['开办企业'], themes: ['文化旅游'],
  },
  {
    code: '331200-XK-0010', name: '娱乐场所经营许可', kind: 'licensing', unit: 'city.approval',
    basis: '《娱乐场所管理条例》第九条\n《娱乐场所管理办法》（文化部令第55号）',
    conditions: '场所符合消防安全和治安管理要求，与学校、医院等场所保持法定距离，设施设备符合国家标准。',
    materials: ['娱乐场所经营申请表', '营业执照', '投资人、法定代表人身份证明', '场所平面图', '消防安全检查合格证明'],
    statutory: 20, promised: 12, result: '娱乐经营许可证', visits: 1, targets: E,
    reviews: [[['city.culture', '经营条件审查', 5], ['city.police', '治安条件审查', 5]]], decideDays: 3,
    events: ['开办企业'], themes: ['文化旅游'],
  },
  {
    code: '331200-XK-0011', name: '取水许可', kind: 'licensing', unit: 'city.approval',
    basis: '《中华人民共和国水法》第四十八条\n《取水许可和水资源费征收管理条例》',
    conditions: '取水符合水资源规划和用水总量控制指标，已开展建设项目水资源论证。',
    materials: ['取水许可申请书', '建设项目水资源论证报告书', '与第三者利害关系的相关说明'],
    statutory: 45, promised: 20, result: '取水许可证', visits: 1, targets: E,
    reviews: [[['city.water', '水资源论证审查', 10], ['city.environment', '退水影响审查', 10]]], decideDays: 5,
    events: ['工程建设'], themes: ['水利'],
  },
  {
    code: '331200-XK-0012', name: '林木采伐许可证核发', kind: 'licensing', unit: 'city.approval',
    basis: '《中华人民共和国森林法》第五十六条\n《中华人民共和国森林法实施条例》',
    conditions: '采伐林木符合采伐限额，有林木权属证明，采伐作业设计符合技术规程。',
    materials: ['林木采伐申请表', '林木权属证明', '采伐作业设计'],
    statutory: 20, promised: 5, result: '林木采伐许可证', visits: 0, targets: PE, reviews: [['city.planning', '伐区核查', 2]], decideDays: 2,
    events: ['农业生产'], themes: ['农林牧渔'],
  },
  {
    code: '331200-XK-0013', name: '个体工商户设立登记', kind: 'licensing', unit: 'city.market',
    basis: '《中华人民共和国市场主体登记管理条例》第三条、第二十一条\n《促进个体工商户发展条例》',
    conditions: '有经营能力的自然人，有固定的经营场所，经营范围不属于法律、行政法规禁止的项目。',
    materials: ['个体工商户登记（备案）申请书', '经营者身份证明', '经营场所使用相关文件'],
    statutory: 3, promised: 1, result: '营业执照', visits: 0, targets: P, instant: true, decideDays: 1,
    events: ['开办企业'], themes: ['市场准入'],
    faq: [['办理个体工商户登记收费吗？', '不收费，营业执照免费领取，也可以申领电子营业执照。']],
  },
  {
    code: '331200-XK-0014', name: '有限责任公司设立登记', kind: 'licensing', unit: 'city.market',
    basis: '《中华人民共和国公司法》第二十九条\n《中华人民共和国市场主体登记管理条例》第二十一条',
    conditions: '股东符合法定人数，有公司名称和章程，有公司住所，有符合公司章程规定的组织机构。',
    materials: ['公司登记（备案）申请书', '公司章程', '股东主体资格证明', '法定代表人、董事、监事和经理的任职文件', '住所使用相关文件'],
    statutory: 3, promised: 1, result: '营业执照', visits: 0, targets: E, instant: true, decideDays: 1,
    events: ['开办企业'], themes: ['市场准入'],
    faq: [['公司设立登记后还要办哪些事？', '可在“企业开办一件事”中一次申请印章刻制、发票申领、社保登记和银行开户预约。']],
  },
  {
    code: '331200-XK-0015', name: '特种设备使用登记', kind: 'licensing', unit: 'city.market',
    basis: '《中华人民共和国特种设备安全法》第三十三条\n《特种设备使用管理规则》',
    conditions: '特种设备经检验合格，使用单位有特种设备安全管理人员和作业人员。',
    materials: ['特种设备使用登记表', '产品合格证', '监督检验证书'],
    statutory: 15, promised: 5, result: '特种设备使用登记证', visits: 0, targets: E, reviews: [['city.market', '资料审查', 2]], decideDays: 2,
    events: ['开办企业'], themes: ['市场准入'],
  },
  // ---------------------------------------------------------------- 户籍、身份 (公安局)
  {
    code: '331200-GG-0001', name: '户口迁移（市内迁移）', kind: 'public_service', unit: 'city.police',
    basis: '《中华人民共和国户口登记条例》第十条\n《国务院关于进一步推进户籍制度改革的意见》（国发〔2014〕25号）',
    conditions: '在本市有合法稳定住所（含租赁）的居民，可以申请将户口迁入住所地。',
    materials: ['户口迁移申请表', '居民户口簿', '居民身份证', '住所证明（不动产权证书或租赁合同）'],
    statutory: 10, promised: 3, result: '户口迁移证明（户口簿变更）', visits: 1, targets: P, reviews: [['city.police', '户籍审核', 1]], decideDays: 1,
    events: ['住房', '就业'], themes: ['户籍办理'],
    faq: [['可以跨省通办吗？', '已实现户口迁移“跨省通办”，可在迁入地一地办理。']],
  },
  {
    code: '331200-GG-0002', name: '居民身份证申领', kind: 'public_service', unit: 'city.police',
    basis: '《中华人民共和国居民身份证法》第二条、第八条',
    conditions: '居住在中华人民共和国境内的年满十六周岁的中国公民应当申领居民身份证；未满十六周岁的可以申领。',
    materials: ['居民身份证申领登记表', '居民户口簿', '符合标准的相片（可现场采集）'],
    statutory: 60, promised: 20, result: '居民身份证', visits: 1, targets: P, reviews: [['city.police', '制证审核', 10]], decideDays: 5,
    fee: { amountFen: 2000, basis: '《关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）：换领、补领每证 20 元' },
    events: ['入学', '就业'], themes: ['户籍办理'],
  },
  {
    code: '331200-GG-0003', name: '新生儿出生登记（入户）', kind: 'public_service', unit: 'city.police',
    basis: '《中华人民共和国户口登记条例》第七条',
    conditions: '婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记。',
    materials: ['出生登记申请表', '出生医学证明', '父母双方居民户口簿和身份证', '父母结婚证'],
    statutory: 5, promised: 1, result: '户口簿（新生儿页）', visits: 1, targets: P, instant: true, decideDays: 1,
    events: ['生育'], themes: ['户籍办理'],
  },
  // ---------------------------------------------------------------- 生育、卫生 (卫生健康委、医疗保障局)
  {
    code: '331200-GG-0004', name: '生育登记', kind: 'public_service', unit: 'city.health',
    basis: '《中华人民共和国人口与计划生育法》\n《浙江省人口与计划生育条例》',
    conditions: '夫妻双方或一方户籍在本市，或在本市居住的流动人口。',
    materials: ['生育登记表', '夫妻双方居民身份证', '结婚证'],
    statutory: 3, promised: 1, result: '生育登记服务单', visits: 0, targets: P, instant: true, decideDays: 1,
    events: ['生育'], themes: ['卫生健康'],
    faq: [['生育登记有什么用？', '生育登记是享受孕产期保健和生育保险待遇的依据，可在怀孕后到分娩前任何时候办理。']],
  },
  {
    code: '331200-GG-0005', name: '出生医学证明首次签发', kind: 'public_service', unit: 'city.health',
    basis: '《中华人民共和国母婴保健法》第二十三条',
    conditions: '在本市医疗机构内出生的新生儿。',
    materials: ['出生医学证明首次签发登记表', '父母双方居民身份证'],
    statutory: 5, promised: 1, result: '出生医学证明', visits: 1, targets: P, instant: true, decideDays: 1,
    events: ['生育'], themes: ['卫生健康'],
  },
  {
    code: '331200-GG-0006', name: '生育医疗费用报销', kind: 'public_service', unit: 'city.medical',
    basis: '《中华人民共和国社会保险法》第五十四条\n《关于做好生育保险和职工基本医疗保险合并实施工作的通知》',
    conditions: '参加职工基本医疗保险（含生育保险）并按规定缴费的职工，在非定点或未联网结算的医疗机构发生的生育医疗费用。',
    materials: ['生育医疗费用报销申请表', '医疗费用发票', '出院小结', '出生医学证明'],
    statutory: 30, promised: 10, result: '报销结算单', visits: 0, targets: P, reviews: [['city.medical', '费用审核', 5]], decideDays: 2,
    events: ['生育'], themes: ['医疗保障'],
  },
  {
    code: '331200-XK-0016', name: '医疗机构执业登记', kind: 'licensing', unit: 'city.health',
    basis: '《医疗机构管理条例》第十五条',
    conditions: '有设置医疗机构批准书，符合医疗机构基本标准，有适合的名称、组织机构和场所，有相应的医务人员。',
    materials: ['医疗机构执业登记申请书', '设置医疗机构批准书', '医疗机构用房产权证明或使用证明', '医务人员执业资格证书'],
    statutory: 45, promised: 20, result: '医疗机构执业许可证', visits: 1, targets: E, reviews: [['city.health', '现场审查', 10]], decideDays: 5,
    events: ['开办企业'], themes: ['医疗卫生'],
  },
  // ---------------------------------------------------------------- 入学 (教育局)
  {
    code: '331200-GG-0007', name: '义务教育阶段新生入学登记', kind: 'public_service', unit: 'city.education',
    basis: '《中华人民共和国义务教育法》第十二条\n《云川市义务教育招生入学工作实施意见》',
    conditions: '年满六周岁的适龄儿童（小学）或小学毕业生（初中），户籍或监护人居住证在学区内。',
    materials: ['新生入学登记表', '居民户口簿', '房屋产权证明或居住证', '儿童预防接种证'],
    statutory: 20, promised: 10, result: '入学通知书', visits: 1, targets: P, reviews: [['city.education', '学籍审核', 5]], decideDays: 3,
    events: ['入学'], themes: ['教育'],
    faq: [['随迁子女怎样入学？', '持监护人居住证和就业或社保证明，按积分或材料准入方式安排到公办学校或政府购买学位的民办学校就读。']],
  },
  {
    code: '331200-XK-0017', name: '民办学校设立审批', kind: 'licensing', unit: 'city.education',
    basis: '《中华人民共和国民办教育促进法》第十二条、第十八条',
    conditions: '有合格的举办者、章程、教师和办学场所，办学条件符合国家标准。',
    materials: ['民办学校设立申请书', '举办者资格证明', '学校章程', '校舍及设施证明', '教师名册及资格证书'],
    statutory: 90, promised: 30, result: '办学许可证', visits: 1, targets: E,
    reviews: [[['city.education', '办学条件评审', 15], ['city.police', '安全条件审查', 10], ['city.health', '卫生条件审查', 10]]], decideDays: 5,
    events: ['入学', '开办企业'], themes: ['教育'],
  },
  {
    code: '331200-GG-0008', name: '学生资助申请（家庭经济困难学生）', kind: 'public_service', unit: 'city.education',
    basis: '《关于进一步加强和规范教育收费管理的意见》\n《学生资助资金管理办法》（财教〔2021〕310号）',
    conditions: '本市学校在读的家庭经济困难学生。',
    materials: ['家庭经济困难学生认定申请表', '居民户口簿', '困难证明材料'],
    statutory: 30, promised: 15, result: '资助认定结果', visits: 0, targets: P, reviews: [['city.education', '资助审核', 10]], decideDays: 3,
    events: ['入学'], themes: ['教育', '社会救助'],
  },
  // ---------------------------------------------------------------- 就业、养老 (人力资源和社会保障局)
  {
    code: '331200-GG-0009', name: '失业登记', kind: 'public_service', unit: 'city.hrss',
    basis: '《中华人民共和国就业促进法》\n《就业服务与就业管理规定》第六十三条',
    conditions: '在法定劳动年龄内、有劳动能力、有就业要求、处于无业状态的城乡劳动者。',
    materials: ['失业登记表', '居民身份证'],
    statutory: 3, promised: 1, result: '就业创业证（失业登记）', visits: 0, targets: P, instant: true, decideDays: 1,
    events: ['就业'], themes: ['就业创业'],
    faq: [['失业登记后可以享受什么服务？', '可免费享受职业介绍、职业指导和职业培训，符合条件的可以申领失业保险金。']],
  },
  {
    code: '331200-GG-0010', name: '就业困难人员认定', kind: 'public_service', unit: 'city.hrss',
    basis: '《中华人民共和国就业促进法》第五十二条\n《浙江省就业困难人员认定办法》',
    conditions: '已办理失业登记，且属于大龄、残疾、享受最低生活保障、连续失业一年以上等情形之一的人员。',
    materials: ['就业困难人员认定申请表', '居民身份证', '困难情形证明材料'],
    statutory: 15, promised: 5, result: '就业困难人员认定结果', visits: 0, targets: P, reviews: [['city.hrss', '资格审核', 2]], decideDays: 2,
    events: ['就业'], themes: ['就业创业'],
  },
  {
    code: '331200-GG-0011', name: '失业保险金申领', kind: 'public_service', unit: 'city.hrss',
    basis: '《中华人民共和国社会保险法》第四十五条\n《失业保险条例》第十四条',
    conditions: '失业前用人单位和本人已缴纳失业保险费满一年，非因本人意愿中断就业，已办理失业登记并有求职要求。',
    materials: ['失业保险金申领表', '居民身份证', '解除或终止劳动关系证明'],
    statutory: 10, promised: 3, result: '失业保险待遇核定通知', visits: 0, targets: P, reviews: [['city.hrss', '待遇审核', 1]], decideDays: 1,
    events: ['就业'], themes: ['社会保障'],
  },
  {
    code: '331200-GG-0012', name: '企业职工基本养老保险待遇核定', kind: 'public_service', unit: 'city.hrss',
    basis: '《中华人民共和国社会保险法》第十六条\n《国务院关于完善企业职工基本养老保险制度的决定》（国发〔2005〕38号）',
    conditions: '达到法定退休年龄，累计缴费满十五年的参保人员。',
    materials: ['基本养老保险待遇申领表', '居民身份证', '个人档案（视同缴费年限认定时）'],
    statutory: 20, promised: 10, result: '基本养老金核定表', visits: 0, targets: P, reviews: [['city.hrss', '缴费年限审核', 5]], decideDays: 3,
    events: ['养老'], themes: ['社会保障'],
    faq: [['什么时候开始领取养老金？', '核定后次月起按月发放到社会保障卡银行账户。']],
  },
  {
    code: '331200-FX-0001', name: '人力资源服务许可', kind: 'non_licensing', unit: 'city.hrss',
    basis: '《中华人民共和国就业促进法》第四十条\n《人力资源市场暂行条例》第十八条',
    conditions: '有明确的章程和管理制度，有开展业务必备的固定场所、办公设施，有 5 名以上取得相应从业资格的专职工作人员。',
    materials: ['人力资源服务许可申请表', '营业执照', '专职工作人员从业资格证明', '经营场所使用证明'],
    statutory: 20, promised: 10, result: '人力资源服务许可证', visits: 0, targets: E, reviews: [['city.hrss', '条件审查', 5]], decideDays: 3,
    events: ['开办企业', '就业'], themes: ['就业创业'],
  },
  {
    code: '331200-GG-0013', name: '城乡居民基本养老保险参保登记', kind: 'public_service', unit: 'city.hrss',
    basis: '《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）',
    conditions: '年满十六周岁（不含在校学生），非国家机关和事业单位工作人员及不属于职工基本养老保险制度覆盖范围的城乡居民。',
    materials: ['城乡居民基本养老保险参保登记表', '居民身份证'],
    statutory: 3, promised: 1, result: '参保登记结果', visits: 0, targets: P, instant: true, decideDays: 1,
    events: ['养老'], themes: ['社会保障'],
  },
  // ---------------------------------------------------------------- 婚姻、养老服务 (民政局)
  {
    code: '331200-GG-0014', name: '内地居民结婚登记', kind: 'public_service', unit: 'city.civil',
    basis: '《中华人民共和国民法典》第一千零四十九条\n《婚姻登记条例》第四条、第五条',
    conditions: '男女双方自愿，男年满二十二周岁、女年满二十周岁，双方均无配偶，无禁止结婚的亲属关系。',
    materials: ['申请结婚登记声明书', '双方居民户口簿', '双方居民身份证', '双方近期半身免冠合影照片'],
    statutory: 1, promised: 1, result: '结婚证', visits: 1, targets: P, instant: true, decideDays: 1,
    fee: { amountFen: 900, basis: '《国家发展改革委 财政部关于婚姻登记收费有关问题的通知》：结婚证工本费每本 9 元（浙江省已免收）' },
    events: ['婚姻'], themes: ['婚姻登记'],
    faq: [['可以在居住地办理结婚登记吗？', '婚姻登记“跨省通办”试点地区，一方持居住证可在居住地办理。'], ['需要预约吗？', '可以在网上预约登记时间，也可以到婚姻登记处现场排号。']],
  },
  {
    code: '331200-GG-0015', name: '内地居民离婚登记', kind: 'public_service', unit: 'city.civil',
    basis: '《中华人民共和国民法典》第一千零七十六条、第一千零七十七条\n《婚姻登记条例》',
    conditions: '夫妻双方自愿离婚，对子女抚养、财产以及债务处理等事项协商一致；离婚冷静期届满。',
    materials: ['离婚登记申请书', '双方居民户口簿和身份证', '结婚证', '离婚协议书'],
    statutory: 30, promised: 30, result: '离婚证', visits: 2, targets: P, reviews: [['city.civil', '冷静期届满确认', 25]], decideDays: 1,
    events: ['婚姻'], themes: ['婚姻登记'],
  },
  {
    code: '331200-FX-0002', name: '养老机构备案', kind: 'non_licensing', unit: 'city.civil',
    basis: '《中华人民共和国老年人权益保障法》第四十三条\n《养老机构管理办法》（民政部令第66号）第九条',
    conditions: '依法登记的养老机构，具备与服务规模相适应的场所、设施设备和人员。',
    materials: ['养老机构备案书', '营业执照或登记证书', '服务场所权属或使用证明', '消防安全检查证明'],
    statutory: 10, promised: 5, result: '备案回执', visits: 0, targets: E,
    reviews: [[['city.civil', '服务条件核查', 2], ['city.health', '医养结合审查', 2]]], decideDays: 2,
    events: ['养老', '开办企业'], themes: ['养老服务'],
  },
  {
    code: '331200-GG-0016', name: '高龄津贴申领', kind: 'public_service', unit: 'city.civil',
    basis: '《中华人民共和国老年人权益保障法》第三十三条\n《云川市高龄老人津贴发放办法》',
    conditions: '具有本市户籍，年满八十周岁的老年人。',
    materials: ['高龄津贴申请表', '居民身份证', '银行卡或社会保障卡'],
    statutory: 20, promised: 10, result: '津贴发放通知', visits: 0, targets: P, reviews: [['city.civil', '资格审核', 5]], decideDays: 2,
    events: ['养老'], themes: ['养老服务', '社会救助'],
  },
  {
    code: '331200-GG-0017', name: '最低生活保障审核确认', kind: 'public_service', unit: 'city.civil',
    basis: '《社会救助暂行办法》第九条至第十一条\n《浙江省最低生活保障办法》',
    conditions: '共同生活的家庭成员人均收入低于当地最低生活保障标准，且家庭财产状况符合规定。',
    materials: ['最低生活保障申请书', '家庭成员身份证明', '家庭收入和财产状况声明', '家庭经济状况核对授权书'],
    statutory: 30, promised: 20, result: '低保审核确认决定', visits: 0, targets: P, reviews: [['city.civil', '家庭经济状况核对', 10], ['city.civil', '民主评议与公示', 7]], decideDays: 3,
    events: ['养老', '就业'], themes: ['社会救助'],
  },
  // ---------------------------------------------------------------- 住房 (住房公积金管理中心、住房和城乡建设局)
  {
    code: '331200-GG-0018', name: '住房公积金提取（购买自住住房）', kind: 'public_service', unit: 'city.hpf',
    basis: '《住房公积金管理条例》第二十四条',
    conditions: '购买、建造、翻建、大修自住住房的缴存职工及其配偶。',
    materials: ['住房公积金提取申请书', '居民身份证', '购房合同或不动产权证书', '购房发票'],
    statutory: 3, promised: 1, result: '提取审批结果', visits: 0, targets: P, instant: true, decideDays: 1,
    events: ['住房'], themes: ['住房保障'],
    faq: [['提取的钱多久到账？', '审核通过后一个工作日内转入本人银行账户。']],
  },
  {
    code: '331200-GG-0019', name: '住房公积金提取（租赁住房）', kind: 'public_service', unit: 'city.hpf',
    basis: '《住房公积金管理条例》第二十四条\n《关于维护住房公积金缴存职工购房贷款权益的通知》',
    conditions: '在本市无自有住房且租赁住房的缴存职工。',
    materials: ['住房公积金提取申请书', '居民身份证', '房屋租赁合同或备案证明'],
    statutory: 3, promised: 1, result: '提取审批结果', visits: 0, targets: P, instant: true, decideDays: 1,
    events: ['住房'], themes: ['住房保障'],
  },
  {
    code: '331200-GG-0020', name: '住房公积金个人住房贷款', kind: 'public_service', unit: 'city.hpf',
    basis: '《住房公积金管理条例》第二十六条',
    conditions: '连续足额缴存住房公积金 6 个月以上，购买自住住房，具有偿还贷款本息的能力。',
    materials: ['住房公积金贷款申请表', '居民身份证和婚姻状况证明', '购房合同', '首付款证明', '收入证明'],
    statutory: 15, promised: 10, result: '贷款审批通知', visits: 1, targets: P, reviews: [['city.hpf', '贷款审核', 5]], decideDays: 3,
    events: ['住房'], themes: ['住房保障'],
  },
  {
    code: '331200-GG-0021', name: '公共租赁住房资格申请', kind: 'public_service', unit: 'city.housing',
    basis: '《公共租赁住房管理办法》（住房和城乡建设部令第11号）第七条',
    conditions: '在本市无住房或者住房面积低于规定标准，收入、财产低于规定标准的家庭或新就业无房职工。',
    materials: ['公共租赁住房申请表', '家庭成员身份证明', '住房状况证明', '收入证明'],
    statutory: 30, promised: 20, result: '公租房资格确认通知', visits: 0, targets: P,
    reviews: [[['city.housing', '住房状况核查', 10], ['city.civil', '收入财产核对', 10]]], decideDays: 3,
    events: ['住房', '就业'], themes: ['住房保障'],
  },
  {
    code: '331200-XK-0019', name: '商品房预售许可', kind: 'licensing', unit: 'city.housing',
    basis: '《中华人民共和国城市房地产管理法》第四十五条\n《城市商品房预售管理办法》',
    conditions: '已交付全部土地使用权出让金，取得土地使用权证书和建设工程规划许可证，投入开发建设的资金达到工程建设总投资的 25% 以上。',
    materials: ['商品房预售许可申请表', '土地使用权证书', '建设工程规划许可证和施工许可证', '工程进度证明', '商品房预售方案'],
    statutory: 10, promised: 7, result: '商品房预售许可证', visits: 1, targets: E,
    reviews: [[['city.housing', '预售条件审查', 3], ['city.planning', '规划核验', 3]]], decideDays: 2,
    events: ['住房', '工程建设'], themes: ['住房保障', '工程建设'],
  },
  {
    code: '331200-XK-0020', name: '建设工程竣工规划核实', kind: 'licensing', unit: 'city.planning',
    basis: '《中华人民共和国城乡规划法》第四十五条',
    conditions: '建设工程已竣工，建设内容与建设工程规划许可证及附件、附图一致。',
    materials: ['竣工规划核实申请表', '建设工程规划许可证', '竣工测量成果报告'],
    statutory: 15, promised: 7, result: '建设工程规划核实合格证', visits: 1, targets: E,
    reviews: [[['city.planning', '测量成果核实', 3], ['city.housing', '竣工验收衔接', 3], ['city.environment', '环保设施核查', 3]]], decideDays: 2,
    events: ['工程建设'], themes: ['工程建设'],
  },
  {
    code: '331200-XK-0021', name: '建设项目环境影响报告表审批', kind: 'licensing', unit: 'city.environment',
    basis: '《中华人民共和国环境影响评价法》第二十二条\n《建设项目环境保护管理条例》第九条',
    conditions: '建设项目类型及其选址、布局、规模等符合环境保护法律法规和相关法定规划，污染物排放符合国家和地方标准。',
    materials: ['建设项目环境影响报告表审批申请书', '环境影响报告表', '公众参与说明'],
    statutory: 30, promised: 15, result: '环境影响报告表批复', visits: 0, targets: E, reviews: [['city.environment', '技术评估', 8]], decideDays: 3,
    events: ['工程建设'], themes: ['生态环境'],
  },
  {
    code: '331200-XK-0022', name: '出租汽车驾驶员从业资格注册', kind: 'licensing', unit: 'city.transport',
    basis: '《出租汽车驾驶员从业资格管理规定》（交通运输部令）第二十二条',
    conditions: '已取得出租汽车驾驶员从业资格证，与出租汽车经营者签订劳动合同或经营合同。',
    materials: ['出租汽车驾驶员从业资格注册申请表', '从业资格证', '劳动合同或经营合同'],
    statutory: 5, promised: 1, result: '从业资格注册', visits: 0, targets: P, instant: true, decideDays: 1,
    events: ['就业'], themes: ['交通运输'],
  },
  {
    code: '331200-XK-0023', name: '农作物种子生产经营许可', kind: 'licensing', unit: 'city.agriculture',
    basis: '《中华人民共和国种子法》第三十一条、第三十二条\n《农作物种子生产经营许可管理办法》',
    conditions: '具有与种子生产经营相适应的生产经营设施、设备及专业技术人员，具有种子检验、贮藏条件。',
    materials: ['农作物种子生产经营许可证申请表', '营业执照', '种子检验室、加工厂房及仓库证明', '专业技术人员资格证明'],
    statutory: 20, promised: 10, result: '农作物种子生产经营许可证', visits: 1, targets: E, reviews: [['city.agriculture', '现场审查', 5]], decideDays: 3,
    events: ['开办企业'], themes: ['农林牧渔'],
  },
  {
    code: '331200-XK-0024', name: '旅行社设立许可', kind: 'licensing', unit: 'city.culture',
    basis: '《旅行社条例》第六条、第七条',
    conditions: '有固定的经营场所，有必要的营业设施，有符合规定的质量保证金。',
    materials: ['旅行社设立申请书', '营业执照', '经营场所证明', '质量保证金存缴证明'],
    statutory: 20, promised: 10, result: '旅行社业务经营许可证', visits: 0, targets: E, reviews: [['city.culture', '条件审查', 5]], decideDays: 3,
    events: ['开办企业'], themes: ['文化旅游'],
  },
  {
    code: '331200-GG-0022', name: '基本医疗保险参保信息变更', kind: 'public_service', unit: 'city.medical',
    basis: '《中华人民共和国社会保险法》第五十七条、第五十八条',
    conditions: '已参加本市基本医疗保险，参保信息（姓名、证件号码、联系方式等）需要变更的人员。',
    materials: ['参保信息变更登记表', '居民身份证'],
    statutory: 3, promised: 1, result: '变更结果', visits: 0, targets: PE, instant: true, decideDays: 1,
    events: ['就业', '养老'], themes: ['医疗保障'],
  },
];
