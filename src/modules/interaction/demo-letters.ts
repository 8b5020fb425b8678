/**
 * What the demo city's people wrote: letters to the mayor and to departments, messages, disclosure
 * requests and 12345 calls, each with how far its handling has gone, so that every page of the
 * module has real work on it. The writers are invented; their numbers are of the 139 5710 range
 * the demo's other people use.
 */
import type { AnswerType, Channel, Urgency } from './model.ts';

/** How far a demo case has gone. */
export type DemoStage = 'received' | 'assigned' | 'clarifying' | 'reviewing' | 'answered' | 'published' | 'rated' | 'extended' | 'closed_by_hotline' | 'visited';

export interface DemoLetter {
  channel: Channel;
  /** Key of the unit written to, or handling it after dispatch (demo city's table). */
  unit: string;
  title: string;
  body: string;
  name: string;
  phone: string;
  idNumber?: string;
  isPublic: boolean;
  category: string;
  urgency?: Urgency;
  regionCode?: string;
  /** Working days ago it was received. */
  daysAgo: number;
  stage: DemoStage;
  answer?: string;
  answerType?: AnswerType;
  rating?: number;
}

const HRSS = 'city.hrss';

export const DEMO_LETTERS: DemoLetter[] = [
  {
    channel: 'mayor_mailbox', unit: HRSS, title: '灵活就业人员社保缴费基数能否按月调整', category: '社会保障', daysAgo: 18, stage: 'rated', rating: 5, isPublic: true,
    name: '王海燕', phone: '13957120001',
    body: '市长您好：我是一名网约车司机，以灵活就业人员身份缴纳养老保险。今年收入波动较大，想了解缴费基数能否按月调整，在哪里办理？谢谢！',
    answer: '王女士您好：灵活就业人员可在每年规定时段内自主选择缴费基数档次，年度内可调整一次。您可登录云川市政务服务网“社会保险”专区或到各区县社保经办窗口办理。咨询电话：12345。云川市人力资源和社会保障局',
  },
  {
    channel: 'message_board', unit: HRSS, title: '高校毕业生就业补贴什么时候发放', category: '就业创业', daysAgo: 12, stage: 'published', isPublic: true,
    name: '李明轩', phone: '13957120002',
    body: '我是2026届毕业生，6月在本市小微企业就业并申请了一次性就业补贴，审核通过后一直没有到账，请问发放时间是什么时候？',
    answer: '您好：经核实，您的一次性就业补贴已于本月初审核通过，资金将于本月25日前拨付至您登记的社会保障卡金融账户，请注意查收。云川市人力资源和社会保障局',
  },
  {
    channel: 'mayor_mailbox', unit: HRSS, title: '建筑工地拖欠农民工工资', category: '劳动保障', daysAgo: 6, stage: 'reviewing', isPublic: false,
    name: '张国强', phone: '13957120003',
    body: '市长您好：我们十二名工人在城东新区一处住宅工地做了四个月木工，包工头一直拖欠工资共计三十多万元，多次讨要无果，恳请政府帮忙解决。',
    answer: '张先生您好：市劳动保障监察支队已于收到来信后第二天约谈施工总承包单位，责令其从工资保证金中先行支付。目前已有九名工人的工资足额发放，其余三人的工资将于本周内发放完毕。',
  },
  {
    channel: 'unit_mailbox', unit: HRSS, title: '退休人员养老金资格认证怎么办理', category: '社会保障', daysAgo: 4, stage: 'assigned', isPublic: true,
    name: '赵桂兰', phone: '13957120004',
    body: '我母亲今年七十八岁，行动不便，每年的养老金资格认证能不能在手机上办理？需要准备什么材料？',
  },
  {
    channel: 'mayor_mailbox', unit: HRSS, title: '职业技能培训补贴申请材料太多', category: '就业创业', daysAgo: 22, stage: 'assigned', isPublic: true,
    name: '周晓东', phone: '13957120005',
    body: '参加了电工职业技能培训并取得证书，申请培训补贴时要交的材料太多，有些材料培训机构已经交过了，建议简化。',
  },
  {
    channel: 'mayor_mailbox', unit: 'city.office', title: '建议延长政务服务中心周末办理时间', category: '政务服务', daysAgo: 1, stage: 'received', isPublic: true,
    name: '陈思远', phone: '13957120006',
    body: '市长您好：很多上班族只能周末办事，目前政务服务中心周六只开放上午，建议周六全天开放，或者增加工作日晚间延时服务。',
  },
  {
    channel: 'mayor_mailbox', unit: 'city.office', title: '老旧小区加装电梯补贴政策咨询', category: '城乡建设', daysAgo: 0, stage: 'received', isPublic: true,
    name: '刘建华', phone: '13957120007',
    body: '我们小区建于1995年，六层没有电梯，住户大多是老人。想了解我市老旧小区加装电梯有没有补贴，需要多少住户同意？',
  },
  {
    channel: 'unit_mailbox', unit: HRSS, title: '失业保险金领取条件', category: '社会保障', daysAgo: 3, stage: 'clarifying', isPublic: false,
    name: '孙丽', phone: '13957120008',
    body: '我上个月被公司辞退，想申请失业保险金，请问需要满足什么条件？',
  },
  {
    channel: 'disclosure_request', unit: HRSS, title: '申请公开2025年度就业补助资金使用情况', category: '财政资金', daysAgo: 21, stage: 'extended', isPublic: false,
    name: '林小雨', phone: '13957100001', idNumber: '330102199001011234',
    body: '根据《中华人民共和国政府信息公开条例》，申请公开云川市2025年度就业补助资金的预算、实际支出及分项目使用情况。获取方式：电子邮件。',
  },
  {
    channel: 'disclosure_request', unit: HRSS, title: '申请公开城东新区某项目劳动保障监察处理决定', category: '行政执法', daysAgo: 25, stage: 'answered', answerType: 'partial', isPublic: false,
    name: '吴志远', phone: '13957120009', idNumber: '330102198507150018',
    body: '申请公开市人力资源和社会保障局2026年对城东新区某住宅项目作出的劳动保障监察行政处理决定书。',
    answer: '经审查，您申请的行政处理决定书中涉及个人隐私的内容（工人姓名、身份证号码、银行账户）依法不予公开，其余部分予以公开，详见附件。依据：《中华人民共和国政府信息公开条例》第十五条、第三十七条。',
  },
  {
    channel: 'hotline', unit: 'city.hotline', title: '咨询社会保障卡补办地点', category: '社会保障', urgency: 'normal', daysAgo: 2, stage: 'closed_by_hotline', isPublic: false,
    name: '郑先生', phone: '057188001234', regionCode: '331202',
    body: '来电人社保卡丢失，询问补办地点和所需材料。',
    answer: '已告知来电人：可携带身份证到任一社会保障卡服务网点或合作银行网点补办，也可在“云川人社”小程序线上申请邮寄。',
  },
  {
    channel: 'hotline', unit: HRSS, title: '反映公司未缴纳社会保险', category: '劳动保障', urgency: 'high', daysAgo: 9, stage: 'visited', rating: 4, isPublic: false,
    name: '钱女士', phone: '13957120010', regionCode: '331202',
    body: '来电人反映其所在的云川市某商贸公司自今年3月起未为员工缴纳社会保险，要求相关部门核查处理。',
    answer: '经市劳动保障监察支队核查，该公司因资金周转困难欠缴社会保险费，已责令其限期补缴，目前已补缴3月至8月的费用，余款将于下月补齐。',
  },
  {
    channel: 'hotline', unit: 'city.hotline', title: '小区门口道路井盖破损', category: '城市管理', urgency: 'urgent', daysAgo: 0, stage: 'received', isPublic: false,
    name: '冯先生', phone: '13957120011', regionCode: '331202',
    body: '来电人反映幸福路与建设路交叉口东侧人行道井盖破损，夜间有行人险些跌倒，要求尽快修复。',
  },
];

/** The knowledge base the hotline's operators answer from. */
export const DEMO_KNOWLEDGE: Array<{ category: string; question: string; answer: string; keywords: string[] }> = [
  { category: '社会保障', question: '社会保障卡丢失如何补办？', answer: '携带本人身份证到任一社会保障卡服务网点或合作银行网点补办，也可在“云川人社”小程序线上申请邮寄，一般7个工作日内制卡完成。', keywords: ['社保卡', '补办', '挂失'] },
  { category: '社会保障', question: '养老金资格认证怎么办理？', answer: '可通过“云川人社”小程序人脸识别认证，行动不便的老人可申请社区工作人员上门认证，每年认证一次。', keywords: ['养老金', '资格认证', '生存认证'] },
  { category: '就业创业', question: '高校毕业生一次性就业补贴如何申请？', answer: '在本市小微企业就业并参保满3个月的毕业年度高校毕业生，可在云川市政务服务网“就业创业”专区在线申请。', keywords: ['毕业生', '就业补贴'] },
  { category: '政务服务', question: '市政务服务中心办公时间？', answer: '工作日8:30—12:00、14:00—17:30，周六上午9:00—12:00开放综合窗口，法定节假日休息。', keywords: ['办公时间', '政务服务中心'] },
  { category: '户籍', question: '身份证到期换领需要什么材料？', answer: '本人携带原身份证到任一公安派出所户籍窗口办理，现场采集照片和指纹，可选择邮寄送达。', keywords: ['身份证', '换领', '到期'] },
];

/** The sensitive-word list the board's moderation starts with. */
export const DEMO_SENSITIVE_WORDS = ['代办证件', '刷单', '高利贷', '赌博'];
