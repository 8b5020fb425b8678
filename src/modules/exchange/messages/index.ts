import type { MessageCatalogue } from '../../../platform/i18n/index.ts';
import { documentsErrors, documentsMessages } from './documents.ts';
import { distributionErrors, distributionMessages } from './distribution.ts';
import { statsErrors, statsMessages } from './stats.ts';
import { viewMessages } from './view.ts';

/** The module's words: the console menu here, each part's words in its own catalogue. */
const navMessages: MessageCatalogue = {
  'zh-CN': {
    'page.exchange.nav.group': '公文交换',
    'page.exchange.nav.inbox': '收文',
    'page.exchange.nav.documents': '发文',
    'page.exchange.nav.compose': '拟稿',
    'page.exchange.nav.stats': '收发统计',
  },
  en: {
    'page.exchange.nav.group': 'Document exchange',
    'page.exchange.nav.inbox': 'Received',
    'page.exchange.nav.documents': 'Sent',
    'page.exchange.nav.compose': 'Draft',
    'page.exchange.nav.stats': 'Statistics',
  },
};

export const exchangeMessages: MessageCatalogue[] = [navMessages, documentsMessages, distributionMessages, statsMessages, viewMessages];
export const exchangeErrors = { ...documentsErrors, ...distributionErrors, ...statsErrors };
