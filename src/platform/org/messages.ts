import { registerMessages } from '../i18n/index.ts';

registerMessages({
  'zh-CN': {
    'org.nameRequired': '请填写名称',
    'org.region.codeInvalid': '行政区划代码 {code} 不符合 GB/T 2260 规则（省市县 6 位，乡镇 9 位，村 12 位）',
    'org.region.levelMismatch': '代码 {code} 对应的层级是 {level}',
    'org.region.parentMissing': '上级行政区划 {code} 不存在',
    'org.region.parentInvalid': '行政区划 {code} 的上级不正确',
    'org.region.duplicate': '行政区划代码 {code} 已存在',
    'org.unit.creditCodeInvalid': '统一社会信用代码 {code} 校验位不正确',
    'org.unit.regionMissing': '行政区划 {code} 不存在',
    'org.unit.parentMissing': '上级单位不存在',
    'org.unit.duplicate': '同一行政区划内已有同名单位或相同的统一社会信用代码',
    'org.idNumberInvalid': '身份证号码校验不通过',
  },
  en: {
    'org.nameRequired': 'Enter a name',
    'org.region.codeInvalid': 'Region code {code} does not follow GB/T 2260 (6 digits for province, city, county; 9 for town; 12 for village)',
    'org.region.levelMismatch': 'Code {code} is of level {level}',
    'org.region.parentMissing': 'Parent region {code} does not exist',
    'org.region.parentInvalid': 'Region {code} cannot have that parent',
    'org.region.duplicate': 'Region code {code} already exists',
    'org.unit.creditCodeInvalid': 'Unified social credit code {code} has a wrong check character',
    'org.unit.regionMissing': 'Region {code} does not exist',
    'org.unit.parentMissing': 'The parent unit does not exist',
    'org.unit.duplicate': 'A unit with that name or credit code already exists in the region',
    'org.idNumberInvalid': 'The ID card number fails its check',
  },
});
