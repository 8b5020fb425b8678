import type { MessageCatalogue } from '../../../platform/i18n/index.ts';
import type { ErrorDefinition } from '../../../platform/http/errors.ts';

export const statsMessages: MessageCatalogue = { 'zh-CN': {}, en: {} };
export const statsErrors: Record<string, ErrorDefinition> = {};
