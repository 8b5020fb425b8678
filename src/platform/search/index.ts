/**
 * Full-text search for Chinese, a part of the platform: any module indexes its public documents
 * (indexDocuments / removeDocuments in its own unit of work) and searches them (searchDocuments).
 * How Chinese is cut and ranked: decision 0017.
 */
import type { ZtModule } from '../module.ts';
import type { MessageCatalogue } from '../i18n/index.ts';
import { searchMigrations } from './migrations.ts';

export { indexDocuments, removeDocuments, INDEXED_BODY_CHARS, STORED_BODY_CHARS, type IndexedDocument } from './documents.ts';
export { searchDocuments, parseQuery, CANDIDATES, MAX_LIMIT, MAX_QUERY_CHARS, type SearchHit, type SearchQuery, type SearchResult } from './search.ts';
export { htmlToText } from './snippet.ts';

const searchMessages: MessageCatalogue = {
  'zh-CN': {
    'search.q.required': '请输入检索词',
    'search.q.tooLong': '检索词不能超过 {max} 个字',
    'search.q.noWords': '检索词须包含汉字、字母或数字，不能只有标点符号',
    'search.q.tooManyWords': '检索词包含的词语过多（最多 {max} 个），请精简后再试',
    'search.limit.invalid': '每页条数须为 1 至 {max} 之间的整数',
    'search.offset.invalid': '只能查看按相关度排序的前 {max} 条结果',
    'search.date.invalid': '日期应为 YYYY-MM-DD 格式的实际日期',
    'search.date.order': '结束日期不能早于开始日期',
    'search.source.invalid': '来源须为小写字母开头的标识（最多 40 个字符）',
    'search.id.invalid': '文档标识须为 1 至 200 个字符',
    'search.title.required': '请填写标题',
    'search.url.required': '请填写访问地址',
    'search.publishedAt.invalid': '发布时间无效',
  },
  en: {
    'search.q.required': 'Enter something to search for',
    'search.q.tooLong': 'The search text may have at most {max} characters',
    'search.q.noWords': 'The search text needs letters, Chinese characters or digits, not only punctuation',
    'search.q.tooManyWords': 'The search text has too many words (at most {max}); shorten it',
    'search.limit.invalid': 'Results per page must be a whole number from 1 to {max}',
    'search.offset.invalid': 'Only the first {max} results by relevance can be shown',
    'search.date.invalid': 'Dates are calendar dates written YYYY-MM-DD',
    'search.date.order': 'The end date cannot be before the start date',
    'search.source.invalid': 'The source is a lower-case name of at most 40 characters',
    'search.id.invalid': 'The document id must have 1 to 200 characters',
    'search.title.required': 'Enter a title',
    'search.url.required': 'Enter the address',
    'search.publishedAt.invalid': 'The publication time is not valid',
  },
};

/** The search index: its table and messages; modules call the functions above. */
export const searchManifest: ZtModule = {
  name: 'search',
  platform: true,
  migrations: searchMigrations,
  messages: [searchMessages],
};
