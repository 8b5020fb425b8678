import type { MessageCatalogue } from '../i18n/index.ts';

export const filesMessages: MessageCatalogue = {
  'zh-CN': {
    'files.notMultipart': '请以 multipart/form-data 方式上传文件',
    'files.fileMissing': '请选择要上传的文件',
    'files.oneFileOnly': '每次只能上传一个文件',
    'files.empty': '文件内容为空',
    'files.tooLarge': '文件超过大小限制（最大 {limitMb} MB）',
    'files.typeNotAllowed': '文件内容实际为 {detected}，不在允许上传的类型之内。允许的类型：{allowed}',
    'files.typeUnknown': '无法识别文件内容的类型。允许的类型：{allowed}',
    'files.alreadyAttached': '该文件已关联到其他事项，不能重复关联',
  },
  en: {
    'files.notMultipart': 'Send the file as multipart/form-data',
    'files.fileMissing': 'Choose a file to upload',
    'files.oneFileOnly': 'Upload one file at a time',
    'files.empty': 'The file is empty',
    'files.tooLarge': 'The file exceeds the size limit ({limitMb} MB at most)',
    'files.typeNotAllowed': 'The content is actually {detected}, which may not be uploaded. Allowed types: {allowed}',
    'files.typeUnknown': 'The type of the content could not be recognised. Allowed types: {allowed}',
    'files.alreadyAttached': 'This file is already attached to something else',
  },
};
