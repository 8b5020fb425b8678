import type { MessageCatalogue } from '../../../platform/i18n/index.ts';
import type { ErrorDefinition } from '../../../platform/http/errors.ts';

/** The words of a letter's attachments and of the answer documents, on the public side and in the console. */
const words: Record<string, [string, string]> = {
  'interaction.attachments.tooMany': ['最多{max}个附件', 'At most {max} files'],
  'interaction.attachments.twice': ['同一个附件只能添加一次', 'The same file is given twice'],
  'interaction.attachments.notYours': ['附件不存在或凭证不正确，请重新上传', 'The file does not exist or its token is wrong; upload it again'],
  'interaction.attachments.alreadyAttached': ['该附件已用于其他来信，请重新上传', 'That file is attached to another letter already; upload it again'],
  'interaction.attachments.refused': ['附件“{name}”未能上传：{reason}', 'The file “{name}” was not accepted: {reason}'],

  'interaction.public.board.allCategories': ['全部类别', 'All categories'],
  'interaction.public.write.attachments': ['附件（可选）', 'Attachments (optional)'],
  'interaction.public.write.attachmentsHint': [
    '最多{max}个，每个不超过{limitMb}MB；可上传PDF、图片、文字文档、电子表格、压缩包等。附件含个人信息，只有办理单位和您本人可以查看，不会在留言板公开。',
    'Up to {max} files of at most {limitMb} MB each: PDF, images, Word, Excel, archives. Attachments may hold personal data: only the handling units and you can open them; the board never shows them.',
  ],
  'interaction.public.letter.attachments': ['来信附件', 'Your attachments'],
  'interaction.public.letter.answerAttachments': ['答复文件', 'Answer documents'],
  'interaction.public.letter.download': ['下载', 'Download'],

  'page.interaction.case.attachments': ['来信附件', 'The writer’s attachments'],
  'page.interaction.case.answerAttachments': ['答复文件', 'Answer documents'],
  'page.interaction.case.answerFiles': ['答复文件（答复书、公开的政府信息等，可选）', 'Answer documents (the answer letter, the disclosed documents; optional)'],
  'page.interaction.case.answerFilesHint': ['答复经审核发出后，来信人可凭编号和查询码下载。', 'The writer can download them with the tracking number and query code once the answer is approved and sent.'],
  'page.interaction.case.noAttachments': ['无', 'None'],
};

export const attachmentMessages: MessageCatalogue = {
  'zh-CN': Object.fromEntries(Object.entries(words).map(([k, [zh]]) => [k, zh])),
  en: Object.fromEntries(Object.entries(words).map(([k, [, en]]) => [k, en])),
};

export const attachmentErrors: Record<string, ErrorDefinition> = {
  INTERACTION_ATTACHMENT_REFUSED: { status: 422, zh: '附件不能随来信提交', en: 'The attachments cannot be sent with the letter' },
};
