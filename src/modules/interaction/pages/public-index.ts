/**
 * The public side's pages on the portal (政民互动): writing, the message board, following a
 * letter, disclosure on request, and 我的信件. Registered in their own page scope.
 */
import type { FastifyInstance } from 'fastify';
import type { Platform, PortalContribution } from '../../../platform/module.ts';
import { pageScope } from '../../../platform/console/index.ts';
import { publicWritePages } from './public-write.tsx';
import { registerLetterUploads } from './letter-uploads.ts';
import { publicLetterPages } from './public-letters.tsx';
import { publicBoardPages } from './public-board.tsx';
import { publicGuidePages } from './public-guide.tsx';

export async function interactionPublicPages(app: FastifyInstance, platform: Platform) {
  pageScope(app);
  await publicBoardPages(app, platform);
  // The write form posts its files with the letter: multipart is parsed for these routes only.
  await app.register(async (write) => {
    await registerLetterUploads(write, platform);
    await publicWritePages(write, platform);
  });
  await publicLetterPages(app, platform);
  await publicGuidePages(app, platform);
}

/** What the module adds to the portal: the navigation link, a home card and 我的信件. */
export const interactionPortal: PortalContribution = {
  nav: [{ href: '/interaction', key: 'interaction.public.portal.nav' }],
  sections: [
    {
      id: 'interaction',
      key: 'interaction.public.portal.section',
      textKey: 'interaction.public.portal.text',
      linkKey: 'interaction.public.portal.enter',
      href: '/interaction',
      items: ['interaction.public.nav.mayor', 'interaction.public.nav.board', 'interaction.public.nav.query', 'interaction.public.nav.disclosure'],
    },
  ],
  account: [{ href: '/interaction/mine', key: 'interaction.public.mine.title' }],
};
