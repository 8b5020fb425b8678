import type { FastifyInstance } from 'fastify';
import type { Platform, ZtModule } from '../../platform/module.ts';
import type { FileAccessPolicy } from '../../platform/files/service.ts';
import { meetingsMigrations } from './migrations.ts';
import { meetingsApi } from './routes.ts';
import { meetingsNav, meetingsPages } from './pages/index.ts';
import { meetingsErrors, meetingsMessages, meetingsTemplates } from './messages/index.ts';
import { ATTACHMENT_OWNER, MEETING_OBJECT, ORGANISE_PERMISSION, OVERSIGHT_PERMISSION, REGISTER_PERMISSION, meetingsDb } from './model.ts';
import { visibleMeeting } from './queries/access.ts';
import { loadMeetingsDemo } from './demo.ts';

async function meetingsRoutes(app: FastifyInstance, platform: Platform) {
  await meetingsApi(app, platform);
  await app.register(async (pages) => meetingsPages(pages, platform));
}

/** A notice's attachments: whoever may read the notice (organiser, invited units, supervision). */
const mayDownloadAttachments: FileAccessPolicy = async (platform, principal, ownerId) => {
  if (!principal) return false;
  try {
    await visibleMeeting(platform.db, principal, ownerId);
    return true;
  } catch {
    return false;
  }
};

/**
 * Meeting notices and registration (会议通知报名): a unit's clerk sends a notice to many units at
 * once, each invited unit's clerk registers its attendees or declines with a reason before the
 * deadline, the organiser follows the answers, reminds, exports and checks attendees in at the door.
 */
export const meetingsModule: ZtModule = {
  name: 'meetings',
  migrations: meetingsMigrations,
  routes: meetingsRoutes,
  messages: meetingsMessages,
  errors: meetingsErrors,
  templates: meetingsTemplates,
  permissions: [
    { name: ORGANISE_PERMISSION, roles: ['doc_clerk'] },
    { name: REGISTER_PERMISSION, roles: ['doc_clerk'] },
    { name: OVERSIGHT_PERMISSION, roles: ['supervisor'], oversight: true },
  ],
  consoleNav: [meetingsNav],
  fileAccess: { [ATTACHMENT_OWNER]: mayDownloadAttachments },
  auditObjects: {
    [MEETING_OBJECT]: async (db, ids) => {
      const rows = ids.length ? await meetingsDb(db).selectFrom('meetings_meetings').select(['id', 'title']).where('id', 'in', ids).execute() : [];
      return new Map(rows.map((r) => [r.id, { name: r.title, href: `/console/meetings/${r.id}` }]));
    },
  },
  demo: loadMeetingsDemo,
};
