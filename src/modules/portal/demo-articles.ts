/** The demo city's portal content: articles of the main site and its sub-sites, some pushed to the main site's shared columns. */

export type DemoSiteKey = 'main' | 'edu' | 'qingxi' | 'topic';

export interface DemoArticle {
  site: DemoSiteKey;
  /** The column by its name on that site. */
  column: string;
  title: string;
  summary?: string;
  paragraphs: string[];
  source: string;
  daysAgo: number;
  /** Pushed to a shared column of the main site, and what the main site decided. */
  push?: { column: string; decision: 'accept' | 'decline' | 'pending'; reason?: string };
}

export const DEMO_SITES = {
  main: { name: '云川市人民政府', kind: 'main', unitKey: 'city.office', slug: 'www', template: 'government-red' },
  edu: { name: '云川市教育局', kind: 'department', unitKey: 'city.education', slug: 'jyj', template: 'government-blue' },
  qingxi: { name: '青溪区人民政府', kind: 'county', unitKey: '331202.office', slug: 'qingxi', template: 'government-green' },
  topic: { name: '优化营商环境专题', kind: 'topic', unitKey: 'city.office', slug: 'yshj', template: 'government-blue' },
} as const;

export const DEMO_ARTICLES: DemoArticle[] = [
  // 主站 新闻
  { site: 'main', column: '新闻', title: '市政府常务会议研究部署冬季安全生产工作', source: '云川市人民政府办公室', daysAgo: 2, summary: '会议强调，要压紧压实安全生产责任，全力防范遏制重特大事故发生。', paragraphs: ['12月2日，市长主持召开市政府常务会议，研究部署冬季安全生产工作。', '会议指出，岁末年初是安全生产的关键时期，各地各部门要聚焦道路交通、城镇燃气、建筑施工、森林防火等重点领域，深入开展隐患排查整治。', '会议强调，要严格落实领导干部带班和关键岗位24小时值班制度，确保人民群众度过安全祥和的冬季。'] },
  { site: 'main', column: '新闻', title: '我市政务服务“一网通办”事项突破1800项', source: '云川市行政审批服务局', daysAgo: 5, paragraphs: ['记者从市行政审批服务局获悉，截至11月底，我市政务服务“一网通办”事项已达1826项，全程网办率达到92%。', '下一步，我市将持续推进“高效办成一件事”，推出企业开办、不动产登记等一批集成服务。'] },
  { site: 'main', column: '新闻', title: '云川市召开优化营商环境推进大会', source: '云川市人民政府办公室', daysAgo: 9, paragraphs: ['11月28日，云川市优化营商环境推进大会召开。会议通报了全市营商环境评价情况，为10家营商环境建设先进单位颁发奖牌。', '会议要求，要以企业和群众满意为标准，持续深化“放管服”改革，打造市场化、法治化、国际化一流营商环境。'] },
  { site: 'main', column: '新闻', title: '全市冬春农田水利建设现场推进会在青溪区召开', source: '云川市水利局', daysAgo: 14, paragraphs: ['11月23日，全市冬春农田水利建设现场推进会在青溪区召开，与会人员实地察看了高标准农田和山塘整治项目。', '今冬明春，全市计划完成山塘清淤1200口、渠道防渗改造300公里。'] },
  // 主站 通知公告 (reviewed)
  { site: 'main', column: '通知公告', title: '云川市人民政府关于2027年元旦放假安排的通知', source: '云川市人民政府办公室', daysAgo: 3, paragraphs: ['各县（市、区）人民政府，市政府各部门、各直属机构：', '根据国务院办公厅通知精神，现将2027年元旦放假安排通知如下：1月1日放假，共1天。', '节假日期间，各地各部门要妥善安排好值班和安全保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置。'] },
  { site: 'main', column: '通知公告', title: '关于开展2026年度政府网站与政务新媒体检查的通知', source: '云川市人民政府办公室', daysAgo: 11, paragraphs: ['为进一步提升政府网站和政务新媒体建设管理水平，市政府办公室决定开展2026年度检查工作。', '请各单位于12月20日前完成自查整改，重点检查内容更新、互动回应、无障碍与适老化服务等情况。'] },
  { site: 'main', column: '通知公告', title: '云川市2026年第四季度政府网站抽查情况的通报', source: '云川市人民政府办公室', daysAgo: 20, paragraphs: ['按照政府网站年度检查工作安排，市政府办公室对全市42家政府网站进行了抽查，总体合格率为100%。', '部分网站存在栏目更新不及时、附件无替代格式联系方式等问题，请相关单位及时整改。'] },
  // 教育局 部门动态 (no review; some pushed)
  { site: 'edu', column: '部门动态', title: '市教育局召开全市中小学安全工作会议', source: '云川市教育局', daysAgo: 1, paragraphs: ['12月5日，市教育局召开全市中小学安全工作会议，部署寒假前后校园安全工作。', '会议要求，各学校要全面排查校舍、食堂、消防等安全隐患，做好学生假期安全教育。'], push: { column: '部门动态', decision: 'accept' } },
  { site: 'edu', column: '部门动态', title: '我市3所学校入选省级义务教育优质均衡发展示范校', source: '云川市教育局', daysAgo: 6, paragraphs: ['日前，省教育厅公布省级义务教育优质均衡发展示范校名单，我市城南小学、青溪区实验中学、丰禾镇中心学校入选。', '近年来，我市持续推进集团化办学和城乡学校共同体建设，义务教育优质均衡水平不断提升。'], push: { column: '部门动态', decision: 'accept' } },
  { site: 'edu', column: '部门动态', title: '全市中小学教师信息技术应用能力培训启动', source: '云川市教育局', daysAgo: 10, paragraphs: ['11月27日，全市中小学教师信息技术应用能力提升培训启动，首批培训教师600名。', '培训采取线上学习与线下实践相结合的方式，重点提升教师运用数字资源开展教学的能力。'], push: { column: '新闻', decision: 'decline', reason: '已有同类报道，建议改投部门动态栏目' } },
  { site: 'edu', column: '部门动态', title: '市教育局开展校外培训机构专项检查', source: '云川市教育局', daysAgo: 16, paragraphs: ['为规范校外培训秩序，市教育局联合市场监管等部门开展校外培训机构专项检查，共检查机构56家。', '对检查中发现的问题，已责令相关机构限期整改。'] },
  { site: 'edu', column: '部门动态', title: '全市学生体质健康监测工作顺利完成', source: '云川市教育局', daysAgo: 0, paragraphs: ['今年全市共有12.6万名中小学生参加体质健康监测，优良率较上年提高3.2个百分点。'], push: { column: '部门动态', decision: 'pending' } },
  // 教育局 通知公告
  { site: 'edu', column: '通知公告', title: '关于做好2027年寒假期间学生安全工作的通知', source: '云川市教育局', daysAgo: 4, paragraphs: ['各县区教育局，市直各学校：', '寒假将至，请各地各校认真做好防溺水、防火、防一氧化碳中毒和交通安全教育，落实假期值班制度。'] },
  { site: 'edu', column: '通知公告', title: '2027年上半年中小学教师资格考试（笔试）报名公告', source: '云川市教育局', daysAgo: 8, paragraphs: ['2027年上半年中小学教师资格考试（笔试）网上报名时间为1月10日至1月13日。', '考生可登录中小学教师资格考试网报名，考试时间为3月8日。'] },
  { site: 'edu', column: '通知公告', title: '云川市2027年义务教育招生工作意见（征求意见稿）', source: '云川市教育局', daysAgo: 18, paragraphs: ['为做好2027年义务教育招生工作，市教育局起草了招生工作意见（征求意见稿），现向社会公开征求意见。', '意见反馈截止时间为2026年12月31日。'] },
  // 青溪区 县区要闻 (no review; some pushed)
  { site: 'qingxi', column: '县区要闻', title: '青溪区召开乡村振兴工作推进会', source: '青溪区人民政府办公室', daysAgo: 2, paragraphs: ['12月4日，青溪区召开乡村振兴工作推进会，总结今年工作，部署明年重点任务。', '会议强调，要抓好粮食生产、产业发展和农村人居环境整治，确保乡村振兴取得新成效。'], push: { column: '县区动态', decision: 'accept' } },
  { site: 'qingxi', column: '县区要闻', title: '青溪区政务服务中心推出“周末不打烊”服务', source: '青溪区政务服务中心', daysAgo: 7, paragraphs: ['自12月起，青溪区政务服务中心在每周六上午开设综合窗口，办理社保、医保、不动产登记等高频事项。'], push: { column: '县区动态', decision: 'accept' } },
  { site: 'qingxi', column: '县区要闻', title: '青溪区完成2026年度城区老旧小区改造', source: '青溪区人民政府办公室', daysAgo: 12, paragraphs: ['今年青溪区共改造老旧小区23个，惠及居民4600余户，加装电梯38部。'], push: { column: '县区动态', decision: 'pending' } },
  { site: 'qingxi', column: '县区要闻', title: '青溪区开展冬季森林防火专项检查', source: '青溪区人民政府办公室', daysAgo: 15, paragraphs: ['连日来，青溪区组织应急、林业等部门深入各乡镇开展冬季森林防火专项检查。'] },
  // 青溪区 通知公告, 乡镇动态
  { site: 'qingxi', column: '通知公告', title: '青溪区2026年冬季征兵工作公告', source: '青溪区人民政府办公室', daysAgo: 9, paragraphs: ['根据上级征兵工作安排，青溪区2026年冬季征兵工作即将开始，符合条件的适龄青年请于12月15日前网上报名。'] },
  { site: 'qingxi', column: '乡镇动态', title: '城南街道开展“敬老月”走访慰问活动', source: '青溪区城南街道办事处', daysAgo: 3, paragraphs: ['城南街道组织社区干部走访辖区80岁以上老人120户，送去慰问品和节日祝福。'] },
  { site: 'qingxi', column: '乡镇动态', title: '丰禾镇举办农民丰收节特色农产品展销会', source: '青溪区丰禾镇人民政府', daysAgo: 13, paragraphs: ['丰禾镇农民丰收节特色农产品展销会吸引游客近万人次，现场销售额达80余万元。'] },
  // 专题
  { site: 'topic', column: '工作动态', title: '我市出台优化营商环境三年行动方案', source: '云川市人民政府办公室', daysAgo: 5, paragraphs: ['市政府印发《云川市优化营商环境三年行动方案（2026—2028年）》，提出30项重点任务。'] },
  { site: 'topic', column: '政策解读', title: '一图读懂《云川市优化营商环境三年行动方案》', source: '云川市人民政府办公室', daysAgo: 4, paragraphs: ['方案围绕市场准入、政务服务、法治保障等方面，提出到2028年营商环境进入全省第一方阵的目标。'] },
  { site: 'topic', column: '政策文件', title: '云川市人民政府关于进一步降低企业制度性交易成本的若干措施', source: '云川市人民政府', daysAgo: 22, paragraphs: ['为进一步降低企业制度性交易成本，激发市场主体活力，结合我市实际，制定以下措施。', '一、压减审批时限。二、规范涉企收费。三、强化信用监管。'] },
];
