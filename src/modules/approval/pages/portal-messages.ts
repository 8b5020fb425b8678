import type { MessageCatalogue } from '../../../platform/i18n/index.ts';

/** What approval adds to the public site: its navigation link, its home page card, the citizen's own cases. */
export const approvalPortalMessages: MessageCatalogue = {
  'zh-CN': {
    'page.approval.portal.nav': '网上办事',
    'page.approval.portal.mine': '我的办件',
    'page.approval.portal.section': '网上办事',
    'page.approval.portal.text': '查办事指南，在线申报，查办理进度，核验办理结果。',
    'page.approval.portal.enter': '进入网上办事大厅',
    'page.approval.portal.catalogue': '政务服务事项目录与办事指南',
    'page.approval.portal.apply': '在线申报与材料上传',
    'page.approval.portal.progress': '办件进度查询',
    'page.approval.portal.certificates': '办理结果与证照核验',
  },
  en: {
    'page.approval.portal.nav': 'Online services',
    'page.approval.portal.mine': 'My applications',
    'page.approval.portal.section': 'Online services',
    'page.approval.portal.text': 'Read service guides, apply online, follow your application and check a result.',
    'page.approval.portal.enter': 'Go to the online service hall',
    'page.approval.portal.catalogue': 'The catalogue of services and their guides',
    'page.approval.portal.apply': 'Online applications with their documents',
    'page.approval.portal.progress': 'Progress of an application',
    'page.approval.portal.certificates': 'Results and certificate checks',
  },
};
