import type { MessageCatalogue } from '../../../../platform/i18n/index.ts';

/** The words of the disclosure catalogue's public and console pages. */
export const disclosurePageMessages: MessageCatalogue = {
  'zh-CN': {
    'page.portalDisclosure.nav.group': '政务公开',
  },
  en: {
    'page.portalDisclosure.nav.group': 'Open government',
  },
};
