import type { MessageCatalogue } from '../../../platform/i18n/index.ts';
import type { ErrorDefinition } from '../../../platform/http/errors.ts';
import { handlingErrors, handlingMessages } from './handling.ts';
import { disclosureErrors, disclosureMessages } from './disclosure.ts';
import { statsMessages } from './stats.ts';
import { hotlineErrors, hotlineMessages } from './hotline.ts';
import { moderationErrors, moderationMessages } from './moderation.ts';
import { publicMessages } from './public.ts';
import { attachmentErrors, attachmentMessages } from './attachments.ts';

/** The module's words: the console menu here, each part's words in its own catalogue. */
const navMessages: MessageCatalogue = {
  'zh-CN': {
    'page.interaction.nav.group': '政民互动',
    'interaction.case.unitUnknown': '所选单位不存在或已停用',
    'interaction.case.unitRequired': '请选择受理单位',
    'interaction.case.idNumberRequired': '依申请公开需填写身份证号码',
    'interaction.case.idNumberInvalid': '身份证号码不正确，请核对校验位',
  },
  en: {
    'page.interaction.nav.group': 'Citizen interaction',
    'interaction.case.unitUnknown': 'The unit does not exist or is disabled',
    'interaction.case.unitRequired': 'Choose the unit to write to',
    'interaction.case.idNumberRequired': 'A disclosure request needs your ID card number',
    'interaction.case.idNumberInvalid': 'The ID card number is not valid; check its last character',
  },
};

export const interactionMessages: MessageCatalogue[] = [navMessages, publicMessages, handlingMessages, disclosureMessages, statsMessages, hotlineMessages, moderationMessages, attachmentMessages];

export const interactionErrors: Record<string, ErrorDefinition> = {
  ...handlingErrors,
  ...disclosureErrors,
  INTERACTION_NO_DISPATCHER: { status: 409, zh: '尚未设置分办来信的单位，请管理员设置 ZT_INTERACTION_DISPATCHER', en: 'No unit dispatches letters yet: the administrator sets ZT_INTERACTION_DISPATCHER' },
  ...hotlineErrors,
  ...moderationErrors,
  ...attachmentErrors,
};
