import type { MessageCatalogue } from '../../../../platform/i18n/index.ts';
import type { ErrorDefinition } from '../../../../platform/http/errors.ts';
import { disclosurePageMessages } from './pages.ts';

const GUIDE_ZH = `## 一、概述
为了保障公民、法人和其他组织依法获取政府信息，根据《中华人民共和国政府信息公开条例》，编制本指南。{unit}的政府信息，除依法不予公开的以外，通过主动公开和依申请公开两种方式公开。

## 二、主动公开
主动公开的政府信息按照本单位政府信息公开目录分类发布，包括机构职能、法规文件、规划计划、统计信息、财政信息、行政执法、人事信息和重点领域信息等。每条信息有唯一的索引号，可按索引号、名称、文号、发布日期、有效性检索。属于主动公开范围的信息，自形成或者变更之日起 20 个工作日内公开。

## 三、依申请公开
公民、法人或者其他组织可以向本单位申请获取主动公开以外的政府信息。请通过网上申请表提交，写明申请人姓名或名称、身份证件号码、联系方式、所需政府信息的名称或者文号等特征描述，以及获取信息的方式。申请内容不明确的，本单位在收到申请之日起 7 个工作日内一次性告知补正，答复期限自收到补正的申请之日起计算。

## 四、答复时限
能够当场答复的，当场予以答复；不能当场答复的，自收到申请之日起 {days} 个工作日内予以答复；需要延长答复期限的，经负责人同意并告知申请人，延长的期限最长不超过 {extension} 个工作日。

## 五、收费
提供政府信息不收取费用。申请人申请公开政府信息的数量、频次明显超过合理范围的，可以依照国家规定收取信息处理费。

## 六、救济方式
公民、法人或者其他组织认为本单位在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼。`;

const GUIDE_EN = `## 1. About this guide
This guide is written under the Regulations of the People's Republic of China on Open Government Information so that citizens, legal persons and other organisations can obtain government information. Except where the law withholds it, {unit} discloses its information actively or on request.

## 2. Active disclosure
Actively disclosed information is published under the categories of the unit's disclosure catalogue: institutions and functions, regulations and documents, plans, statistics, finance, administrative enforcement, personnel and key areas. Every item has a unique index number and can be searched by index number, title, document number, publication date and validity. Such information is published within 20 working days of being made or changed.

## 3. Disclosure on request
Citizens, legal persons and other organisations may request information that is not actively disclosed. Use the online request form and give your name, identity document number, contact details, a description of the information (its title or document number) and how you want to receive it. An unclear request is returned once for correction within 7 working days; the time limit then runs from the corrected request.

## 4. Time limits
A request is answered on the spot when possible, otherwise within {days} working days of receipt; with the approval of the person in charge and notice to the requester, the time limit may be extended once by at most {extension} working days.

## 5. Fees
No fee is charged for providing government information. Where the number or frequency of requests clearly exceeds a reasonable range, an information processing fee may be charged under national rules.

## 6. Remedies
Anyone who believes the unit has infringed their lawful rights in its disclosure work may complain to the administrative body at the next level up or to the authority in charge of open government information, or apply for administrative reconsideration or bring an administrative lawsuit.`;

const apiMessages: MessageCatalogue = {
  'zh-CN': {
    'portal.disclosure.check.blank': '不能为空',
    'portal.disclosure.check.tooLong': '不能超过 {max} 个字',
    'portal.disclosure.check.date': '请填写有效的日期（年-月-日）',
    'portal.disclosure.check.dateTime': '请填写有效的日期或时间',
    'portal.disclosure.category.unknown': '本单位的公开目录中没有这个类别',
    'portal.disclosure.category.tooDeep': '公开目录只有类别和子类两级，子类下不能再建类别',
    'portal.disclosure.category.duplicate': '同一级已有名为“{name}”的类别',
    'portal.disclosure.category.hasItems': '“{name}”下有公开信息，不能删除；可以改名或隐藏',
    'portal.disclosure.category.hasChildren': '“{name}”下有子类，请先删除子类',
    'portal.disclosure.indexNo.format': '索引号格式应为“统一社会信用代码/年份-五位序号”，例如 11430400006184525X/2026-00012',
    'portal.disclosure.indexNo.otherUnit': '索引号须以本单位的统一社会信用代码 {code} 开头',
    'portal.disclosure.indexNo.taken': '索引号 {indexNo} 已被本单位的其他信息使用',
    'portal.disclosure.indexNo.noCreditCode': '{unit}没有登记统一社会信用代码，无法编制索引号',
    'portal.disclosure.indexNo.exhausted': '{year} 年的索引号序号已用完',
    'portal.disclosure.validity.same': '信息已是这个有效性状态',
    'portal.disclosure.validity.valid': '有效',
    'portal.disclosure.validity.invalid': '失效',
    'portal.disclosure.validity.repealed': '废止',
    'portal.disclosure.report.yearInvalid': '年份应在 {from} 到 {to} 之间',
    'portal.disclosure.guide.default': GUIDE_ZH,
    'audit.action.portal.disclosure.catalogue.create': '建立政府信息公开目录',
    'audit.action.portal.disclosure.category.create': '新增公开目录类别',
    'audit.action.portal.disclosure.category.update': '修改公开目录类别',
    'audit.action.portal.disclosure.category.delete': '删除公开目录类别',
    'audit.action.portal.disclosure.item.create': '发布公开信息',
    'audit.action.portal.disclosure.item.update': '修改公开信息',
    'audit.action.portal.disclosure.item.expire': '公开信息设为失效',
    'audit.action.portal.disclosure.item.repeal': '公开信息设为废止',
    'audit.action.portal.disclosure.item.restore': '公开信息恢复有效',
    'audit.action.portal.disclosure.guide.update': '修改政府信息公开指南',
    'audit.object.portal_disclosure_item': '公开信息',
    'audit.object.portal_disclosure_category': '公开目录类别',
    'audit.object.portal_disclosure_catalogue': '政府信息公开目录',
    'audit.object.portal_disclosure_guide': '政府信息公开指南',
  },
  en: {
    'portal.disclosure.check.blank': 'Must not be empty',
    'portal.disclosure.check.tooLong': 'At most {max} characters',
    'portal.disclosure.check.date': 'Enter a valid date (year-month-day)',
    'portal.disclosure.check.dateTime': 'Enter a valid date or time',
    'portal.disclosure.category.unknown': 'The unit’s catalogue has no such category',
    'portal.disclosure.category.tooDeep': 'The catalogue has two levels, categories and sub-categories; a sub-category cannot have its own',
    'portal.disclosure.category.duplicate': 'A category named “{name}” exists at this level already',
    'portal.disclosure.category.hasItems': '“{name}” has items and cannot be deleted; rename or hide it instead',
    'portal.disclosure.category.hasChildren': '“{name}” has sub-categories; delete them first',
    'portal.disclosure.indexNo.format': 'An index number reads “credit code/year-five-digit serial”, e.g. 11430400006184525X/2026-00012',
    'portal.disclosure.indexNo.otherUnit': 'The index number must begin with the unit’s unified social credit code {code}',
    'portal.disclosure.indexNo.taken': 'Index number {indexNo} is used by another item of the unit',
    'portal.disclosure.indexNo.noCreditCode': '{unit} has no unified social credit code registered, so no index number can be made',
    'portal.disclosure.indexNo.exhausted': 'The serials of {year} are used up',
    'portal.disclosure.validity.same': 'The item has this validity already',
    'portal.disclosure.validity.valid': 'Valid',
    'portal.disclosure.validity.invalid': 'No longer in force',
    'portal.disclosure.validity.repealed': 'Repealed',
    'portal.disclosure.report.yearInvalid': 'The year must be from {from} to {to}',
    'portal.disclosure.guide.default': GUIDE_EN,
    'audit.action.portal.disclosure.catalogue.create': 'Create the disclosure catalogue',
    'audit.action.portal.disclosure.category.create': 'Add a catalogue category',
    'audit.action.portal.disclosure.category.update': 'Change a catalogue category',
    'audit.action.portal.disclosure.category.delete': 'Delete a catalogue category',
    'audit.action.portal.disclosure.item.create': 'Publish a disclosure item',
    'audit.action.portal.disclosure.item.update': 'Edit a disclosure item',
    'audit.action.portal.disclosure.item.expire': 'Mark a disclosure item no longer in force',
    'audit.action.portal.disclosure.item.repeal': 'Mark a disclosure item repealed',
    'audit.action.portal.disclosure.item.restore': 'Mark a disclosure item valid again',
    'audit.action.portal.disclosure.guide.update': 'Edit the disclosure guide',
    'audit.object.portal_disclosure_item': 'Disclosure item',
    'audit.object.portal_disclosure_category': 'Catalogue category',
    'audit.object.portal_disclosure_catalogue': 'Disclosure catalogue',
    'audit.object.portal_disclosure_guide': 'Disclosure guide',
  },
};

export const disclosureMessages: MessageCatalogue[] = [apiMessages, disclosurePageMessages];

export const disclosureErrors: Record<string, ErrorDefinition> = {
  PORTAL_DISCLOSURE_INDEX_NO_INVALID: { status: 422, zh: '索引号不符合要求', en: 'The index number is not valid' },
  PORTAL_DISCLOSURE_INDEX_NO_TAKEN: { status: 409, zh: '索引号已被使用', en: 'The index number is taken' },
  PORTAL_DISCLOSURE_UNIT_NO_CREDIT_CODE: { status: 422, zh: '单位没有统一社会信用代码', en: 'The unit has no unified social credit code' },
  PORTAL_DISCLOSURE_SERIALS_EXHAUSTED: { status: 422, zh: '本年度索引号已用完', en: 'The year’s index numbers are used up' },
  PORTAL_DISCLOSURE_CATEGORY_UNKNOWN: { status: 422, zh: '公开目录中没有这个类别', en: 'No such category in the catalogue' },
  PORTAL_DISCLOSURE_CATEGORY_TOO_DEEP: { status: 422, zh: '公开目录只有两级', en: 'The catalogue has two levels only' },
  PORTAL_DISCLOSURE_CATEGORY_DUPLICATE: { status: 409, zh: '同一级已有同名类别', en: 'A category with this name exists at this level' },
  PORTAL_DISCLOSURE_CATEGORY_NOT_EMPTY: { status: 409, zh: '类别下有信息或子类，不能删除', en: 'The category has items or sub-categories and cannot be deleted' },
};
