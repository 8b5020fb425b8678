/**
 * A site group of the fictional 云川市 as plain view data: the main site (政务蓝), the education
 * bureau's sub-site (清新绿) and a county (政务红), with articles, a shared copy, attachments, search
 * results. Used by the renderers' unit tests and by the test-only portal-site module's pages.
 */
import type { ArticleListItem, ArticleView, ColumnView, HomeView, SearchView, SiteView } from '../../../src/modules/portal/render/index.ts';

const footer = (sponsor: string): SiteView['footer'] => ({
  sponsor,
  organizer: '云川市大数据中心',
  icp: '云ICP备05001234号-1',
  publicSecurityRecord: { text: '云公网安备 53010202000123号', code: '53010202000123' },
  identCode: '5301000001',
  accessibilityStatement: { label: '无障碍声明', href: '/accessibility' },
  contact: { address: '云川市滇池路1号市级行政中心', phone: '0871-12345678', email: 'webmaster@yunchuan.gov.cn' },
  links: [
    { label: '网站地图', href: '/sitemap.xml' },
    { label: '联系我们', href: '/p/contact/' },
  ],
});

export function mainSite(base = 'https://www.yunchuan.gov.cn/'): SiteView {
  const path = new URL(base).pathname;
  return {
    id: 'site-main',
    name: '云川市人民政府',
    kind: 'main',
    baseUrl: base,
    theme: 'blue',
    palette: 'blue',
    logoUrl: null,
    tagline: '云川市人民政府门户网站',
    navigation: [
      { label: '首页', href: path },
      { label: '要闻动态', href: `${path}c/news/` },
      { label: '通知公告', href: `${path}c/notices/` },
      { label: '政府信息公开', href: `${path}c/disclosure/` },
      { label: '办事服务', href: '/services' },
      { label: '政民互动', href: '/interaction' },
      { label: '走进云川', href: `${path}c/about/` },
    ],
    footer: footer('云川市人民政府办公室'),
    lang: 'zh-CN',
    searchUrl: `${path}search`,
  };
}

export function educationSite(base = 'https://www.yunchuan.gov.cn/s/jyj/'): SiteView {
  const path = new URL(base).pathname;
  return {
    id: 'site-jyj',
    name: '云川市教育局',
    kind: 'department',
    baseUrl: base,
    theme: 'green',
    palette: 'teal',
    logoUrl: null,
    navigation: [
      { label: '首页', href: path },
      { label: '教育动态', href: `${path}c/news/` },
      { label: '招生考试', href: `${path}c/exams/` },
    ],
    footer: footer('云川市教育局'),
    lang: 'zh-CN',
    searchUrl: `${path}search`,
    parentSite: { label: '云川市人民政府', href: '/' },
  };
}

export function countySite(base = 'https://www.yunchuan.gov.cn/s/dongshan/'): SiteView {
  const path = new URL(base).pathname;
  return {
    ...educationSite(base),
    id: 'site-ds',
    name: '东山县人民政府',
    kind: 'county',
    theme: 'red',
    palette: 'red',
    navigation: [
      { label: '首页', href: path },
      { label: '要闻动态', href: `${path}c/news/` },
      { label: '乡镇动态', href: `${path}c/towns/` },
      { label: '政务公开', href: `${path}c/disclosure/` },
    ],
    footer: footer('东山县人民政府办公室'),
  };
}

const at = (day: number, hour = 9) => new Date(Date.UTC(2026, 11, day, hour - 8, 30)).toISOString();

export const NEWS: ArticleListItem[] = [
  { title: '市政府召开第十二次常务会议 研究部署今冬明春保供稳价工作', url: '/a/2026/12/1001.html', publishedAt: at(7), summary: '会议听取了全市能源保供、重要民生商品价格监测情况汇报。' },
  { title: '云川市“一网通办”新增126项高频事项 实现“掌上办、就近办”', url: '/a/2026/12/1002.html', publishedAt: at(6) },
  { title: '全市中小学课后服务实现全覆盖', url: '/s/jyj/a/2026/12/2001.html', publishedAt: at(5), sourceSite: { name: '云川市教育局', url: '/s/jyj/' } },
  { title: '东山县高原特色农业产业园入选省级示范园区', url: '/a/2026/12/1004.html', publishedAt: at(4) },
  { title: '2026年云川市冬季征兵工作圆满完成', url: '/a/2026/12/1005.html', publishedAt: at(3) },
];

export const NOTICES: ArticleListItem[] = [
  { title: '关于2027年元旦放假期间办事大厅工作安排的公告', url: '/a/2026/12/1101.html', publishedAt: at(7, 16) },
  { title: '云川市2027年度公开招聘事业单位工作人员公告', url: '/a/2026/12/1102.html', publishedAt: at(2) },
  { title: '关于征求《云川市养犬管理规定（草案）》意见的通知', url: '/a/2026/11/1103.html', publishedAt: at(1) },
];

export const DISCLOSURE: ArticleListItem[] = [
  { title: '云川市人民政府关于印发《云川市优化营商环境三年行动方案》的通知', url: '/a/2026/12/1201.html', publishedAt: at(5) },
  { title: '云川市2026年政府信息公开工作年度报告', url: '/a/2026/12/1202.html', publishedAt: at(1) },
];

export function homeView(): HomeView {
  return {
    headline: { title: '云川市召开全市经济工作会议 部署2027年重点任务', url: '/a/2026/12/1000.html', publishedAt: at(7, 10), summary: '会议总结2026年经济工作，分析当前形势，部署2027年经济工作。' },
    blocks: [
      { id: 'news', title: '要闻动态', items: NEWS, more: { label: '更多', href: '/c/news/' } },
      { id: 'notices', title: '通知公告', items: NOTICES, more: { label: '更多', href: '/c/notices/' } },
      { id: 'disclosure', title: '政府信息公开', items: DISCLOSURE, more: { label: '更多', href: '/c/disclosure/' } },
    ],
    serviceHall: {
      title: '网上办事大厅',
      searchAction: '/services',
      hotItems: [
        { label: '食品经营许可', href: '/services/items/food-license' },
        { label: '个体工商户登记', href: '/services/items/sole-trader' },
        { label: '居住证办理', href: '/services/items/residence-permit' },
        { label: '不动产登记', href: '/services/items/real-estate' },
      ],
      more: { label: '更多', href: '/services' },
    },
    interaction: {
      title: '政民互动',
      entries: [
        { label: '市长信箱', href: '/interaction/mailbox', description: '向市长反映问题、提出建议' },
        { label: '留言板', href: '/interaction/board', description: '公开留言，部门公开答复' },
        { label: '意见征集', href: '/interaction/consultations', description: '参与政策文件草案的意见征集' },
      ],
      more: { label: '更多', href: '/interaction' },
    },
  };
}

export function newsColumn(site: SiteView): ColumnView {
  const path = new URL(site.baseUrl).pathname;
  return {
    id: 'col-news',
    name: '要闻动态',
    url: `${path}c/news/`,
    kind: 'article_list',
    breadcrumbs: [
      { label: '首页', href: path },
      { label: '要闻动态', href: `${path}c/news/` },
    ],
    children: [
      { label: '政务要闻', href: `${path}c/news/gov/` },
      { label: '部门动态', href: `${path}c/news/departments/` },
      { label: '县区动态', href: `${path}c/news/counties/` },
    ],
    description: '云川市政府工作要闻、部门和县区动态。',
  };
}

/** 47 items for a list of five pages of ten. */
export function manyItems(): ArticleListItem[] {
  const items: ArticleListItem[] = [];
  for (let i = 0; i < 47; i++) items.push({ ...NEWS[i % NEWS.length], url: `/a/2026/12/${3000 + i}.html`, publishedAt: at(28 - (i % 27)) });
  return items;
}

export function articleView(): ArticleView {
  return {
    title: '云川市“一网通办”新增126项高频事项 实现“掌上办、就近办”',
    subtitle: '政务服务事项网上可办率达到98.6%',
    summary: '12月6日起，市民可通过政务服务网和“云川通”移动端办理新增的126项高频事项。',
    bodyHtml:
      '<p>为进一步提升政务服务便利度，云川市政务服务管理局于12月6日起在政务服务网上线新增的126项高频事项，涵盖社会保障、不动产登记、医疗卫生等领域。</p>' +
      '<h2>办理方式</h2><p>市民可登录政务服务网，或在各乡镇（街道）便民服务中心就近办理。</p>' +
      '<table><caption>新增事项分布</caption><thead><tr><th scope="col">领域</th><th scope="col">事项数</th></tr></thead><tbody><tr><td>社会保障</td><td>38</td></tr><tr><td>不动产登记</td><td>22</td></tr><tr><td>医疗卫生</td><td>19</td></tr></tbody></table>' +
      '<p>咨询电话：<a href="tel:12345">12345</a>。</p>',
    source: '云川市政务服务管理局',
    author: '李明',
    publishedAt: at(6, 15),
    keywords: ['一网通办', '政务服务', '高频事项'],
    attachments: [
      { name: '新增高频事项清单.pdf', url: '/files/att/8f3a1c.pdf', size: 1_258_291, kind: 'pdf' },
      { name: '办事指南汇编.docx', url: '/files/att/9b2e44.docx', size: 86_016, kind: 'docx' },
    ],
    attachmentContact: '云川市政务服务管理局办公室，电话 0871-12345678，邮箱 webmaster@yunchuan.gov.cn',
    facts: [
      { label: '索引号', value: '11530100MB0000001X/2026-00126' },
      { label: '发文字号', value: '云政务服〔2026〕15号' },
    ],
    sourceSite: null,
    previous: { label: '市政府召开第十二次常务会议 研究部署今冬明春保供稳价工作', href: '/a/2026/12/1001.html' },
    next: null,
  };
}

export function searchView(q = '一网通办', base = '/'): SearchView {
  return {
    q,
    total: 2,
    items: [
      { title: '云川市“一网通办”新增126项高频事项 实现“掌上办、就近办”', url: '/a/2026/12/1002.html', snippetHtml: '云川市<mark>一网通办</mark>新增126项高频事项，市民可通过政务服务网…', publishedAt: at(6) },
      { title: '全市中小学课后服务实现全覆盖', url: '/s/jyj/a/2026/12/2001.html', snippetHtml: '…报名通过<mark>一网通办</mark>平台完成…', publishedAt: at(5), sourceSite: { name: '云川市教育局', url: '/s/jyj/' } },
    ],
    filters: [
      {
        label: '站点',
        options: [
          { label: '全部站点', href: `${base}search?q=${encodeURIComponent(q)}`, current: true },
          { label: '本站', href: `${base}search?q=${encodeURIComponent(q)}&site=main` },
          { label: '云川市教育局', href: `${base}search?q=${encodeURIComponent(q)}&site=jyj` },
        ],
      },
      {
        label: '时间',
        options: [
          { label: '不限', href: `${base}search?q=${encodeURIComponent(q)}`, current: true },
          { label: '一周内', href: `${base}search?q=${encodeURIComponent(q)}&within=7` },
          { label: '一年内', href: `${base}search?q=${encodeURIComponent(q)}&within=365` },
        ],
      },
    ],
    pagination: { page: 1, pages: 3, hrefFor: (n) => `${base}search?q=${encodeURIComponent(q)}&page=${n}` },
  };
}
