import type { MessageCatalogue } from '../../../platform/i18n/index.ts';
import type { ErrorDefinition } from '../../../platform/http/errors.ts';

export const distributionMessages: MessageCatalogue = { 'zh-CN': {}, en: {} };
export const distributionErrors: Record<string, ErrorDefinition> = {};
