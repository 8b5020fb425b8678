/** The approval module's message catalogues, each combined from its two halves kept per locale. */
import type { MessageCatalogue } from '../../../platform/i18n/index.ts';
import { applicationZhCN, catalogueZhCN, pagesZhCN } from './zh-CN.ts';
import { applicationEn, catalogueEn, pagesEn } from './en.ts';
import { documentsEn, documentsZhCN } from './documents.ts';

export const approvalMessages: MessageCatalogue[] = [
  { 'zh-CN': catalogueZhCN, en: catalogueEn },
  { 'zh-CN': applicationZhCN, en: applicationEn },
  { 'zh-CN': pagesZhCN, en: pagesEn },
  { 'zh-CN': documentsZhCN, en: documentsEn },
];
