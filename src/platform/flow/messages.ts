import type { MessageCatalogue } from '../i18n/index.ts';

export const flowMessages: MessageCatalogue = {
  'zh-CN': {
    'flow.stepNotOpen': '该环节当前不可办理（已办结或尚未开始）',
    'flow.taskClosed': '该任务已被办理',
    'flow.notAllowed': '当前状态下不能执行此操作',
    'flow.suspended': '办理已暂停计时（补正、听证、公示等），恢复后才能继续',
  },
  en: {
    'flow.stepNotOpen': 'This step cannot be handled now (finished or not yet started)',
    'flow.taskClosed': 'This task has already been handled',
    'flow.notAllowed': 'This action is not allowed in the current state',
    'flow.suspended': 'The clock is stopped (correction, hearing, public notice...); resume first',
  },
};
