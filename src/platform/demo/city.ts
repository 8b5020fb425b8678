import type { UnitKind } from '../org/service.ts';
import type { Role } from '../iam/roles.ts';
import { creditCheckChar, idCheckChar } from '../org/codes.ts';

/**
 * The demo city 云川市 (Yunchuan), fictional. Its codes sit in Zhejiang's numbering space
 * (province 330000), where prefecture-level codes run from 3301 to 3311: 3312xx, and every
 * town and village code under it, belongs to no real place. Names are invented too.
 *
 * Town codes follow the national statistical convention (001–099 subdistricts, 100–199 towns,
 * 200–299 townships); village codes too (001–199 communities, 200–399 villages).
 */
export const DEMO_PROVINCE = { code: '330000', name: '浙江省' } as const;
export const DEMO_CITY = { code: '331200', name: '云川市' } as const;

export interface DemoVillage {
  code: string;
  name: string;
}
export interface DemoTown {
  code: string;
  name: string;
  villages: DemoVillage[];
}
export interface DemoCounty {
  code: string;
  name: string;
  towns: DemoTown[];
}

export const DEMO_COUNTIES: DemoCounty[] = [
  {
    code: '331202',
    name: '青溪区',
    towns: [
      { code: '331202001', name: '城南街道', villages: [{ code: '331202001001', name: '文庙社区' }, { code: '331202001002', name: '南门社区' }] },
      {
        code: '331202002',
        name: '白鹭街道',
        villages: [{ code: '331202002001', name: '白鹭社区' }, { code: '331202002002', name: '滨江社区' }, { code: '331202002201', name: '沙洲村' }],
      },
      { code: '331202100', name: '溪口镇', villages: [{ code: '331202100201', name: '溪口村' }, { code: '331202100202', name: '上塘村' }, { code: '331202100203', name: '桃源村' }] },
    ],
  },
  {
    code: '331221',
    name: '丰禾县',
    towns: [
      { code: '331221100', name: '丰禾镇', villages: [{ code: '331221100001', name: '城东社区' }, { code: '331221100201', name: '禾丰村' }, { code: '331221100202', name: '石桥村' }] },
      { code: '331221101', name: '龙潭镇', villages: [{ code: '331221101201', name: '龙潭村' }, { code: '331221101202', name: '竹坞村' }, { code: '331221101203', name: '下洋村' }] },
      { code: '331221200', name: '松林乡', villages: [{ code: '331221200201', name: '松林村' }, { code: '331221200202', name: '茶坪村' }] },
    ],
  },
  {
    code: '331222',
    name: '云岭县',
    towns: [
      { code: '331222100', name: '云岭镇', villages: [{ code: '331222100001', name: '县前社区' }, { code: '331222100201', name: '云岭村' }, { code: '331222100202', name: '高田村' }] },
      { code: '331222101', name: '青石镇', villages: [{ code: '331222101201', name: '青石村' }, { code: '331222101202', name: '枫树坪村' }] },
      { code: '331222200', name: '白云乡', villages: [{ code: '331222200201', name: '白云村' }, { code: '331222200202', name: '岭头村' }, { code: '331222200203', name: '大坑村' }] },
    ],
  },
];

/**
 * GB 32100 prefixes: 11 an organ (机关), 12 a public institution (事业单位), both registered by
 * the staffing authority; 54 a villagers' committee and 55 a residents' committee (民政).
 */
type CreditPrefix = '11' | '12' | '54' | '55';

export interface DemoUnit {
  /** Stable key other demo content refers to. */
  key: string;
  name: string;
  regionCode: string;
  kind: UnitKind;
  parentKey?: string;
  credit: CreditPrefix;
}

const CITY_DEPARTMENTS: Array<[key: string, name: string, kind?: UnitKind, credit?: CreditPrefix]> = [
  ['city.office', '云川市人民政府办公室', 'government'],
  ['city.ndrc', '云川市发展和改革委员会'],
  ['city.education', '云川市教育局'],
  ['city.police', '云川市公安局'],
  ['city.civil', '云川市民政局'],
  ['city.justice', '云川市司法局'],
  ['city.finance', '云川市财政局'],
  ['city.hrss', '云川市人力资源和社会保障局'],
  ['city.planning', '云川市自然资源和规划局'],
  ['city.environment', '云川市生态环境局'],
  ['city.housing', '云川市住房和城乡建设局'],
  ['city.transport', '云川市交通运输局'],
  ['city.agriculture', '云川市农业农村局'],
  ['city.commerce', '云川市商务局'],
  ['city.health', '云川市卫生健康委员会'],
  ['city.market', '云川市市场监督管理局'],
  ['city.approval', '云川市行政审批服务局', 'service_center'],
  ['city.data', '云川市大数据发展管理局'],
];

const COUNTY_DEPARTMENTS: Array<[suffix: string, name: string, kind: UnitKind, credit: CreditPrefix]> = [
  ['office', '人民政府办公室', 'government', '11'],
  ['service', '政务服务中心', 'service_center', '12'],
  ['market', '市场监督管理局', 'department', '11'],
  ['planning', '自然资源和规划局', 'department', '11'],
  ['civil', '民政局', 'department', '11'],
];

/**
 * City units added after the first demo cities were made: appended after every other unit, so
 * the credit codes of the units already there (numbered by position) stay as they were.
 */
const LATER_CITY_UNITS: Array<[key: string, name: string, kind: UnitKind, credit: CreditPrefix]> = [
  ['city.culture', '云川市文化广电旅游局', 'department', '11'],
  ['city.water', '云川市水利局', 'department', '11'],
  ['city.medical', '云川市医疗保障局', 'department', '11'],
  ['city.hpf', '云川市住房公积金管理中心', 'other', '12'],
];

function townUnitName(town: DemoTown): string {
  if (town.name.endsWith('街道')) return `${town.name}办事处`;
  return `${town.name}人民政府`;
}

function villageUnitName(village: DemoVillage): string {
  return village.name.endsWith('社区') ? `${village.name}居民委员会` : `${village.name}村民委员会`;
}

/** Every demo unit, parents before children. */
export function demoUnits(): DemoUnit[] {
  const units: DemoUnit[] = CITY_DEPARTMENTS.map(([key, name, kind, credit]) => ({ key, name, regionCode: DEMO_CITY.code, kind: kind ?? 'department', credit: credit ?? '11' }));
  units.push({ key: 'city.hotline', name: '云川市12345政务服务便民热线中心', regionCode: DEMO_CITY.code, kind: 'other', parentKey: 'city.approval', credit: '12' });
  for (const county of DEMO_COUNTIES) {
    for (const [suffix, name, kind, credit] of COUNTY_DEPARTMENTS) {
      units.push({ key: `${county.code}.${suffix}`, name: `${county.name}${name}`, regionCode: county.code, kind, credit });
    }
    for (const town of county.towns) {
      units.push({ key: town.code, name: `${county.name}${townUnitName(town)}`, regionCode: town.code, kind: 'town', parentKey: `${county.code}.office`, credit: '11' });
      for (const village of town.villages) {
        units.push({
          key: village.code,
          name: `${town.name}${villageUnitName(village)}`,
          regionCode: village.code,
          kind: 'village',
          parentKey: town.code,
          credit: village.name.endsWith('社区') ? '55' : '54',
        });
      }
    }
  }
  for (const [key, name, kind, credit] of LATER_CITY_UNITS) units.push({ key, name, regionCode: DEMO_CITY.code, kind, credit });
  return units;
}

const ORG_CODE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** GB 11714 organisation code check character over 8 characters. */
export function orgCodeCheckChar(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += ORG_CODE_ALPHABET.indexOf(body8[i]) * ORG_CODE_WEIGHTS[i];
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/**
 * A unified social credit code for the n-th demo unit: prefix, the registering authority's
 * region (the county for towns and villages), a GB 11714 organisation code, the GB 32100 check.
 */
export function demoCreditCode(unit: DemoUnit, n: number): string {
  const registeredIn = unit.regionCode.slice(0, 6);
  const body8 = `${unit.credit === '11' ? '00' : unit.credit === '12' ? '47' : 'MB'}${String(731 + n * 37).padStart(6, '0')}`;
  const first17 = `${unit.credit}${registeredIn}${body8}${orgCodeCheckChar(body8)}`;
  return first17 + creditCheckChar(first17);
}

export interface DemoAccount {
  username: string;
  role: Role;
  displayName: string;
  unitKey: string;
  /** Region-wide scope (the whole city) instead of the unit. */
  cityWide?: boolean;
}

/** One account per built-in role (the user name is the role's name), and a few more for document exchange. */
export const DEMO_ACCOUNTS: DemoAccount[] = [
  { username: 'sysadmin', role: 'sysadmin', displayName: '王建国', unitKey: 'city.data', cityWide: true },
  { username: 'secadmin', role: 'secadmin', displayName: '李晓燕', unitKey: 'city.data', cityWide: true },
  { username: 'auditor', role: 'auditor', displayName: '陈立新', unitKey: 'city.data', cityWide: true },
  { username: 'unit_admin', role: 'unit_admin', displayName: '刘芳', unitKey: 'city.approval' },
  { username: 'window_clerk', role: 'window_clerk', displayName: '赵敏', unitKey: 'city.approval' },
  { username: 'approver', role: 'approver', displayName: '孙志强', unitKey: 'city.planning' },
  { username: 'unit_leader', role: 'unit_leader', displayName: '周文华', unitKey: 'city.approval' },
  { username: 'supervisor', role: 'supervisor', displayName: '吴海涛', unitKey: 'city.office', cityWide: true },
  { username: 'doc_clerk', role: 'doc_clerk', displayName: '郑丽娟', unitKey: 'city.office' },
  { username: 'editor', role: 'editor', displayName: '冯晓东', unitKey: 'city.office' },
  { username: 'responder', role: 'responder', displayName: '何静', unitKey: 'city.hrss' },
  { username: 'hotline_operator', role: 'hotline_operator', displayName: '马骏', unitKey: 'city.hotline', cityWide: true },
  { username: 'village_officer', role: 'village_officer', displayName: '杨春梅', unitKey: '331221100201' },
  // Document exchange between units: the office's leader signs its documents off; the clerks of
  // three departments receive them (one department's leader signs off what it sends).
  { username: 'office_leader', role: 'unit_leader', displayName: '陈卫东', unitKey: 'city.office' },
  { username: 'hrss_clerk', role: 'doc_clerk', displayName: '孟雪', unitKey: 'city.hrss' },
  { username: 'hrss_leader', role: 'unit_leader', displayName: '许志刚', unitKey: 'city.hrss' },
  { username: 'market_clerk', role: 'doc_clerk', displayName: '罗佳', unitKey: 'city.market' },
  { username: 'finance_clerk', role: 'doc_clerk', displayName: '汪洋', unitKey: 'city.finance' },
  // Citizen interaction: the office's responder dispatches the letters to the mayor (分办).
  { username: 'office_responder', role: 'responder', displayName: '黄志明', unitKey: 'city.office' },
  // The portal site group: a second editor of the main site reviews 冯晓东's notices; the education
  // bureau's and 青溪区's editors run their sub-sites and push news to the main site.
  { username: 'office_editor', role: 'editor', displayName: '周敏', unitKey: 'city.office' },
  { username: 'edu_editor', role: 'editor', displayName: '陈思远', unitKey: 'city.education' },
  { username: 'qingxi_editor', role: 'editor', displayName: '李慧', unitKey: '331202.office' },
];

/** An applicant of the demo city's cases. */
export interface DemoApplicant {
  kind: 'person' | 'enterprise';
  name: string;
  /** ID number (GB 11643) of a person, unified social credit code (GB 32100) of an enterprise. */
  id: string;
  phone: string;
}

const COUNTY_CODES = DEMO_COUNTIES.map((c) => c.code);

/** A valid (fictional) ID number of a person registered in one of the demo counties. */
export function personId(n: number): string {
  const year = 1960 + (n % 45);
  const month = String(1 + (n % 12)).padStart(2, '0');
  const day = String(1 + (n % 28)).padStart(2, '0');
  const first17 = `${COUNTY_CODES[n % COUNTY_CODES.length]}${year}${month}${day}${String(100 + (n % 900)).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

/** A valid (fictional) credit code of an enterprise (91: registered by the market regulator) in a demo county. */
export function companyCreditCode(n: number): string {
  const first17 = `91${COUNTY_CODES[n % COUNTY_CODES.length]}MA${String(1000000 + n * 7919).slice(-7)}`;
  return first17 + creditCheckChar(first17);
}

export interface DemoPublicAccount {
  kind: 'person' | 'enterprise';
  /** The account's user name: its mobile number. */
  phone: string;
  displayName: string;
  /** Real-name data: the person, or the company's legal representative, with a valid ID number. */
  realName: { name: string; idNumber: string; creditCode?: string; companyName?: string };
  applicant: DemoApplicant;
}

/** One citizen and one company of the demo city, who sign in on the portal with their mobile number. */
export const DEMO_PUBLIC_ACCOUNTS: DemoPublicAccount[] = [
  {
    kind: 'person',
    phone: '13957100001',
    displayName: '林小雨',
    realName: { name: '林小雨', idNumber: personId(4242) },
    applicant: { kind: 'person', name: '林小雨', id: personId(4242), phone: '13957100001' } },
  {
    kind: 'enterprise',
    phone: '13957100002',
    displayName: '云川市青禾食品有限公司',
    realName: { name: '周明远', idNumber: personId(4244), creditCode: companyCreditCode(4243), companyName: '云川市青禾食品有限公司' },
    applicant: { kind: 'enterprise', name: '云川市青禾食品有限公司', id: companyCreditCode(4243), phone: '13957100002' } },
];
