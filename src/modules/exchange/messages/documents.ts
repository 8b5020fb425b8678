import type { MessageCatalogue } from '../../../platform/i18n/index.ts';
import type { ErrorDefinition } from '../../../platform/http/errors.ts';

export const documentsMessages: MessageCatalogue = { 'zh-CN': {}, en: {} };
export const documentsErrors: Record<string, ErrorDefinition> = {};
