import type { ZtModule } from '../../platform/module.ts';
import { disclosurePart } from './disclosure/index.ts';

/** The portal site group (门户网站群). For now only its disclosure catalogue (政府信息公开目录). */
export const portalModule: ZtModule = {
  name: 'portal',
  ...disclosurePart,
};
