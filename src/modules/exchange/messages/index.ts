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
    'page.exchange.nav.inbox.desc': '本单位收到的公文：签收、退回和转发，未签收的在前',
    'page.exchange.nav.documents.desc': '本单位拟制和发出的公文：核稿签发、分发和签收情况',
    'page.exchange.nav.compose.desc': '按 GB/T 9704 要素拟制一份新公文',
    'page.exchange.nav.stats.desc': '按单位和时段统计发文、收文、签收率和签收用时',
  },
  en: {
    'page.exchange.nav.group': 'Document exchange',
    'page.exchange.nav.inbox': 'Received',
    'page.exchange.nav.documents': 'Sent',
    'page.exchange.nav.compose': 'Draft',
    'page.exchange.nav.stats': 'Statistics',
    'page.exchange.nav.inbox.desc': "Documents your unit received: sign for, return or forward them, unsigned first",
    'page.exchange.nav.documents.desc': 'Documents your unit drafted and sent: sign-off, distribution and receipts',
    'page.exchange.nav.compose.desc': 'Draft a new document with the GB/T 9704 elements',
    'page.exchange.nav.stats.desc': 'Sent, received, sign rate and time to sign per unit and period',
  },
};

export const exchangeMessages: MessageCatalogue[] = [navMessages, documentsMessages, distributionMessages, statsMessages, viewMessages];
export const exchangeErrors = { ...documentsErrors, ...distributionErrors, ...statsErrors };
