import type { Selectable } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';

/** The disclosure catalogue's tables (typed private tables: `disclosureDb(db)`). */
export interface CatalogueTable {
  unit_id: string;
  created_at: Date;
}
export interface CategoryTable {
  id: string;
  unit_id: string;
  parent_id: string | null;
  /** The standard category it was made from ('finance.budget'); null for one a unit added. */
  code: string | null;
  name: string;
  position: number;
  hidden: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
}
export interface SerialTable {
  unit_id: string;
  year: number;
  last_serial: number;
}
export interface ItemTable {
  id: string;
  unit_id: string;
  category_id: string;
  root_category_id: string;
  index_no: string;
  title: string;
  doc_number: string | null;
  issuing_unit: string;
  written_date: string;
  published_at: Date;
  validity: Validity;
  validity_changed_at: Date | null;
  validity_reason: string | null;
  subject_terms: string | null;
  body: string;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}
export interface GuideTable {
  unit_id: string;
  body: string;
  updated_at: Date;
  updated_by: string | null;
  version: number;
}

export type DisclosureTables = {
  portal_disclosure_catalogues: CatalogueTable;
  portal_disclosure_categories: CategoryTable;
  portal_disclosure_serials: SerialTable;
  portal_disclosure_items: ItemTable;
  portal_disclosure_guides: GuideTable;
};
export type CategoryRow = Selectable<CategoryTable>;
export type ItemRow = Selectable<ItemTable>;

export const disclosureDb = (db: Db) => db.withTables<DisclosureTables>();

/** 有效 / 失效 / 废止. */
export const VALIDITIES = ['valid', 'invalid', 'repealed'] as const;
export type Validity = (typeof VALIDITIES)[number];

/** Who edits a unit's catalogue: its editors and its administrator (scoped to their unit). */
export const DISCLOSURE_PERMISSION = 'portal.disclosure';
/** Object types of the audit log, owner type of attachments. */
export const ITEM_OBJECT = 'portal_disclosure_item';
export const CATEGORY_OBJECT = 'portal_disclosure_category';
export const CATALOGUE_OBJECT = 'portal_disclosure_catalogue';
export const GUIDE_OBJECT = 'portal_disclosure_guide';
export const ATTACHMENT_OWNER = 'portal.disclosure_item';

export const LIMITS = { title: 300, docNumber: 100, issuingUnit: 100, subjectTerms: 200, body: 200_000, categoryName: 50, guide: 50_000, reason: 500, attachments: 20, q: 100 } as const;

/** 索引号: the unit's unified social credit code, the year and a five-digit serial (11430400006184525X/2026-00012). */
export const INDEX_NO = /^([0-9A-HJ-NPQRTUWXY]{18})\/(\d{4})-(\d{5})$/;
export const formatIndexNo = (creditCode: string, year: number, serial: number) => `${creditCode}/${year}-${String(serial).padStart(5, '0')}`;

/**
 * The standard catalogue of a people's government or department (政府信息公开目录): 8 categories
 * and 23 sub-categories, the headings the Regulations on Open Government Information (2019, art.
 * 19–20) require to be disclosed actively, as county-level-and-above government websites group
 * them. Codes are stable: the demo and the tests find a category by its code whatever its name.
 */
export const DEFAULT_CATALOGUE: Array<{ code: string; name: string; children: Array<{ code: string; name: string }> }> = [
  {
    code: 'organisation',
    name: '机构职能',
    children: [
      { code: 'organisation.functions', name: '机构设置与职能' },
      { code: 'organisation.leaders', name: '领导信息' },
      { code: 'organisation.internal', name: '内设机构' },
    ],
  },
  {
    code: 'documents',
    name: '法规文件',
    children: [
      { code: 'documents.rules', name: '规章' },
      { code: 'documents.normative', name: '规范性文件' },
      { code: 'documents.other', name: '其他文件' },
      { code: 'documents.interpretation', name: '政策解读' },
    ],
  },
  {
    code: 'plans',
    name: '规划计划',
    children: [
      { code: 'plans.development', name: '发展规划' },
      { code: 'plans.special', name: '专项规划' },
      { code: 'plans.annual', name: '工作计划与总结' },
    ],
  },
  {
    code: 'statistics',
    name: '统计信息',
    children: [
      { code: 'statistics.bulletins', name: '统计公报' },
      { code: 'statistics.data', name: '统计数据' },
    ],
  },
  {
    code: 'finance',
    name: '财政信息',
    children: [
      { code: 'finance.budget', name: '预算' },
      { code: 'finance.accounts', name: '决算' },
      { code: 'finance.threeCosts', name: '三公经费' },
    ],
  },
  {
    code: 'enforcement',
    name: '行政执法',
    children: [
      { code: 'enforcement.powers', name: '权责清单' },
      { code: 'enforcement.licensing', name: '行政许可' },
      { code: 'enforcement.penalties', name: '行政处罚' },
    ],
  },
  {
    code: 'personnel',
    name: '人事信息',
    children: [
      { code: 'personnel.appointments', name: '人事任免' },
      { code: 'personnel.recruitment', name: '招考录用' },
    ],
  },
  {
    code: 'keyAreas',
    name: '重点领域信息',
    children: [
      { code: 'keyAreas.projects', name: '重大建设项目' },
      { code: 'keyAreas.procurement', name: '政府采购' },
      { code: 'keyAreas.publicWelfare', name: '社会公益事业' },
    ],
  },
];

export interface ItemInput {
  unitId: string;
  categoryId: string;
  indexNo?: string;
  title: string;
  docNumber?: string | null;
  issuingUnit?: string | null;
  writtenDate: string;
  publishedAt?: string;
  validity?: Validity;
  subjectTerms?: string | null;
  body?: string;
  attachments?: string[];
}
export type ItemPatch = Partial<Omit<ItemInput, 'unitId' | 'indexNo' | 'validity'>> & { version?: number };
