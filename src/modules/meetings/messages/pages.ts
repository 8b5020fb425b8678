export const meetingsPageMessages = { 'zh-CN': {}, en: {} };
