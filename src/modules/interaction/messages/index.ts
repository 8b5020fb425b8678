import type { MessageCatalogue } from '../../../platform/i18n/index.ts';
import type { ErrorDefinition } from '../../../platform/http/errors.ts';

/** The module's words: the console menu here, each part's words in its own catalogue. */
const navMessages: MessageCatalogue = {
  'zh-CN': {
    'page.interaction.nav.group': '政民互动',
  },
  en: {
    'page.interaction.nav.group': 'Citizen interaction',
  },
};

export const interactionMessages: MessageCatalogue[] = [navMessages];

export const interactionErrors: Record<string, ErrorDefinition> = {};
